//! The fake gateway under load: `cargo bench -p agentgateway-e2e --bench load`
//! runs 1,000 signed-in agents (`LOAD_AGENTS` to change it), each placing and
//! releasing 5 calls (`LOAD_CALLS`) while polling its events, Guids rotating
//! every 3 polls. Prints throughput, p50/p99 latency, and the lost, duplicated
//! and reordered events, which must all be zero.

#[path = "../load/scenario.rs"]
mod scenario;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let (agents, calls) = (env("LOAD_AGENTS", 1000), env("LOAD_CALLS", 5));
    let https = std::env::var("LOAD_HTTPS").is_ok_and(|v| v == "1");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let report = runtime.block_on(scenario::run(agents, calls, https));
    println!("{} agents x {calls} calls (place + release), Guid rotating every 3 polls, https: {https}", report.agents);
    println!(
        "  operations: {} in {:.2} s, {:.0} ops/s",
        report.operations,
        report.elapsed.as_secs_f64(),
        report.throughput()
    );
    println!(
        "  latency p50 {:.2} ms, p99 {:.2} ms",
        report.percentile(0.5).as_secs_f64() * 1e3,
        report.percentile(0.99).as_secs_f64() * 1e3
    );
    println!(
        "  errors {}, lost {}, duplicated {}, reordered {}",
        report.errors, report.lost, report.duplicated, report.reordered
    );
    for sample in &report.samples {
        println!("  error: {sample}");
    }
    let clean = report.errors == 0 && report.lost == 0 && report.duplicated == 0 && report.reordered == 0;
    std::process::exit(if clean { 0 } else { 1 });
}
