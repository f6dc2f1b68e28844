//! Import speed: seconds per MB of page, and how the time grows when the page doubles.
//!
//! Builds a fixture page whose `agentid` description cell is padded to about 1 MB (and 2 MB)
//! of distinct sentences, in two shapes (a sentence pair a line, everything on one line), and
//! imports each with `ccgen::import::import_page`, keeping the best of five runs (noise only
//! ever adds time). The time is the importing thread's CPU time (from
//! `/proc/thread-self/schedstat`, so that other work on a busy machine does not count; wall
//! time where that file does not exist). Prints the time per MB and the 2 MB / 1 MB ratio;
//! exits non-zero when a page takes a second per MB or more, or doubling the page more than
//! doubles the time (with a quarter of slack for noise).
//!
//! `cargo bench -p ccgen --bench import_speed` (a release build).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const MB: usize = 1024 * 1024;
/// Doubling the page may take at most this many times as long.
const MAX_RATIO: f64 = 2.5;

/// The fixture page with its `agentid` cell padded by `bytes` of sentences.
fn page(bytes: usize, one_line: bool) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import");
    let page = std::fs::read_to_string(dir.join("lines_dialnumber.txt")).expect("fixture page");
    let at = "Agent ID. The value ranges from 101 to 999999.\n";
    assert!(page.contains(at), "the fixture page has the agentid cell");
    let mut cell = String::with_capacity(bytes + 128);
    for i in 0.. {
        if cell.len() >= bytes {
            break;
        }
        let sep = if one_line || i % 2 == 0 { " " } else { "\n" };
        cell.push_str(&format!("Sentence {i} says the value ranges from 1 to 9 and a little more.{sep}"));
    }
    page.replacen(at, &format!("{} {}\n", at.trim(), cell.trim()), 1)
}

/// CPU time of the calling thread, where Linux reports it.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// The best of five imports of `page`.
fn time(page: &str) -> Duration {
    let options = ccgen::import::Options::default();
    (0..5)
        .map(|_| {
            let (start, cpu) = (Instant::now(), thread_cpu());
            let imported = ccgen::import::import_page(page, &options);
            let elapsed = match (cpu, thread_cpu()) {
                (Some(a), Some(b)) => b - a,
                _ => start.elapsed(),
            };
            assert!(imported.to_yaml().contains("Sentence 99 says"), "the cell's text is kept");
            elapsed
        })
        .min()
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let mut ok = true;
    println!("time: {}", if thread_cpu().is_some() { "CPU time of the importing thread" } else { "wall time" });
    println!("| page | size | time | s/MB | 2x size / 1x time |");
    println!("| --- | --- | --- | --- | --- |");
    for (shape, one_line) in [("a sentence pair a line", false), ("one line", true)] {
        let (small, large) = (page(MB, one_line), page(2 * MB, one_line));
        let (t1, t2) = (time(&small), time(&large));
        let per_mb = t1.as_secs_f64() / (small.len() as f64 / MB as f64);
        let ratio = t2.as_secs_f64() / t1.as_secs_f64().max(1e-9);
        let (mb1, mb2) = (small.len() as f64 / MB as f64, large.len() as f64 / MB as f64);
        println!("| {shape} | {mb1:.2} MB | {:.3} s | {per_mb:.3} | {ratio:.2} |", t1.as_secs_f64());
        println!("| {shape} | {mb2:.2} MB | {:.3} s | {:.3} | |", t2.as_secs_f64(), t2.as_secs_f64() / mb2);
        if per_mb >= 1.0 || ratio > MAX_RATIO {
            eprintln!("{shape}: {per_mb:.3} s/MB, ratio {ratio:.2}: too slow or not linear");
            ok = false;
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
