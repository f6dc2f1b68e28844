//! A small load run in `cargo test`: concurrent agents, rotating Guids, no
//! lost, duplicated or reordered event and no failed request. The same
//! scenario at 1,000 agents is `cargo bench -p agentgateway-e2e --bench load`.

#[path = "../load/scenario.rs"]
mod scenario;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_agents_lose_no_event() {
    let report = scenario::run(20, 5, false).await;
    assert_eq!(report.agents, 20);
    assert_eq!(report.operations, 20 * 5 * 2);
    assert_eq!(report.latencies.len(), report.operations);
    assert!(report.percentile(0.99) >= report.percentile(0.5));
    assert!(report.throughput() > 0.0);
    assert_eq!(report.errors, 0, "{report:?}");
    assert_eq!((report.lost, report.duplicated, report.reordered), (0, 0, 0), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_over_https_lose_no_event() {
    let report = scenario::run(5, 3, true).await;
    assert_eq!(report.errors, 0, "{report:?}");
    assert_eq!((report.lost, report.duplicated, report.reordered), (0, 0, 0), "{report:?}");
}

/// Raises the soft limit of open files to the hard one: the burst below needs
/// more descriptors than some systems give by default.
fn raise_open_files_limit() -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        }
    }
    limit.rlim_cur
}

/// A burst of connections while the fake is too busy to accept any (here: its
/// runtime is blocked) waits in the kernel's queue rather than being dropped.
/// With Tokio's default backlog of 1024, the connections past it failed.
#[tokio::test]
async fn a_burst_of_connections_waits_for_a_busy_fake() {
    // The kernel caps the backlog at net.core.somaxconn (4096 since Linux 5.4); stay below it.
    let somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn").ok().and_then(|s| s.trim().parse().ok());
    let burst: u64 = somaxconn.map_or(1200, |max: u64| max.saturating_sub(1).min(1200));
    assert!(raise_open_files_limit() > burst + 200, "too few open files allowed for the test");
    let gw = agentgateway_e2e::FakeGateway::start().await;
    // Blocking connects on the fake's own runtime thread: nothing accepts until they are done.
    let connected: Vec<_> = (0..burst)
        .map(|_| std::net::TcpStream::connect_timeout(&gw.addr(), std::time::Duration::from_millis(500)))
        .collect();
    let failed = connected.iter().filter(|c| c.is_err()).count();
    assert_eq!(failed, 0, "{failed} of {burst} connections failed");
}
