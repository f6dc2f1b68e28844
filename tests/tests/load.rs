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
