//! Input built to stall or exhaust the tools: deep nesting, thousands of
//! problems, huge catalogs, files that are not files.
//!
//! Time is never compared with a fixed budget: each test measures the same
//! work at two sizes in one run, the second four times the first, and
//! requires the time to grow at most 1.5 times as much as the input (a
//! quadratic cost grows sixteenfold). Quadrupling rather than doubling keeps
//! a cost with a large linear part from hiding its quadratic one.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ccgen::diag::Diagnostics;
use ccgen::load::RawFile;

/// How much larger the second input is.
const SCALE: usize = 4;
/// A linear cost grows by [`SCALE`]; half as much again is left for noise.
const MAX_RATIO: f64 = 1.5 * SCALE as f64;
/// Below this, timings are noise: small durations are rounded up to it.
const FLOOR: Duration = Duration::from_millis(20);

fn base_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/base")
}

/// The broken-spec corpus' valid base tree, in memory.
fn base_files() -> Vec<RawFile> {
    let mut files = Vec::new();
    for rel in ["api.yaml", "errors.yaml", "events.yaml", "calldata/assignuserinqueue.yaml", "mediacall/transfer.yaml"]
    {
        let bytes = std::fs::read(base_dir().join(rel)).expect("base file");
        files.push(RawFile { rel_path: rel.to_owned(), bytes });
    }
    files
}

fn with_file(mut files: Vec<RawFile>, rel: &str, text: String) -> Vec<RawFile> {
    files.retain(|f| f.rel_path != rel);
    files.push(RawFile { rel_path: rel.to_owned(), bytes: text.into_bytes() });
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    files
}

fn text_of(files: &[RawFile], rel: &str) -> String {
    let file = files.iter().find(|f| f.rel_path == rel).expect("file");
    String::from_utf8(file.bytes.clone()).expect("UTF-8")
}

fn validate(files: &[RawFile]) -> Result<ccgen::ir::Api, Diagnostics> {
    ccgen::check::check(&ccgen::load::load("spec", files)?)
}

/// The best of three runs of `work` at the small size and at the large one,
/// taken in turns: noise only ever adds time, and a busy spell of the
/// machine then weighs on both sizes rather than on one.
fn times(mut work: impl FnMut(usize), small: usize) -> (Duration, Duration) {
    let mut timed = |n: usize| {
        let start = Instant::now();
        work(n);
        start.elapsed()
    };
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        best.0 = best.0.min(timed(small));
        best.1 = best.1.min(timed(small * SCALE));
    }
    best
}

/// Fails unless the large run took at most [`MAX_RATIO`] times the small one.
fn assert_linear(what: &str, small: Duration, large: Duration) {
    let ratio = large.max(FLOOR).as_secs_f64() / small.max(FLOOR).as_secs_f64();
    assert!(ratio <= MAX_RATIO, "{what}: {SCALE}x the input took {ratio:.1}x as long ({small:?} -> {large:?})");
}

/// `a: [[[[…`: refused at the first bracket too deep, before any parse whose
/// cost grows with the depth (a 50 KB file used to take 29 s).
#[test]
fn deep_nesting_is_refused_in_linear_time() {
    for (layout, opener) in [("one line", "["), ("one bracket a line", "[\n")] {
        let run = |n: usize| {
            let files = with_file(base_files(), "mediacall/deep.yaml", format!("a: {}", opener.repeat(n)));
            let d = validate(&files).expect_err("refused");
            assert_eq!(d.0.len(), 1, "{d}");
            assert!(d.0[0].position().is_some_and(|p| p.starts_with("spec/mediacall/deep.yaml:")), "{d}");
        };
        let (small, large) = times(run, 25_000);
        assert_linear(layout, small, large);
    }
    let files = with_file(base_files(), "mediacall/deep.yaml", format!("a: {}", "[".repeat(50_000)));
    let d = validate(&files).expect_err("refused");
    let shown = d.0[0].to_string();
    assert!(shown.starts_with("spec/mediacall/deep.yaml:1:"), "{d}");
    assert!(shown.ends_with("collections nest deeper than 32 levels"), "{d}");
}

/// The transfer interface listing one event `n` times: `n - 1` duplicates.
fn duplicate_events(n: usize) -> Vec<RawFile> {
    let files = base_files();
    let text = text_of(&files, "mediacall/transfer.yaml");
    let listed = "events:\n  - AgentEvent_Connect_Fail\n";
    assert!(text.contains(listed));
    let text = text.replace(listed, &format!("events:\n{}", "  - AgentEvent_Connect_Fail\n".repeat(n)));
    with_file(files, "mediacall/transfer.yaml", text)
}

/// Each diagnostic used to re-read its file from the start: 10,000 took minutes.
#[test]
fn ten_thousand_problems_are_reported_in_linear_time() {
    let run = |n: usize| {
        let d = validate(&duplicate_events(n)).expect_err("duplicates");
        assert_eq!(d.0.len(), n - 1);
        let rendered = d.render();
        assert!(rendered.contains("event `AgentEvent_Connect_Fail` is listed twice"));
        assert!(rendered.ends_with(&format!("error: {} problems found\n", n - 1)));
    };
    let (small, large) = times(run, 2_500);
    assert_linear("10,000 problems", small, large);
}

/// A valid tree whose catalog holds `n` more codes, all listed by transfer.
fn many_error_codes(n: usize) -> Vec<RawFile> {
    let files = base_files();
    let mut catalog = text_of(&files, "errors.yaml");
    let mut listed = String::from("errors:\n  - \"106-004\"\n");
    for i in 0..n {
        catalog.push_str(&format!(
            "  - code: \"900-{i:05}\"\n    name: extra_{i}\n    meaning: M.\n    source: official\n"
        ));
        listed.push_str(&format!("  - \"900-{i:05}\"\n"));
    }
    let transfer = text_of(&files, "mediacall/transfer.yaml").replace("errors:\n  - \"106-004\"\n", &listed);
    with_file(with_file(files, "errors.yaml", catalog), "mediacall/transfer.yaml", transfer)
}

/// Looking each listed code up in the catalog, and each duplicate among those
/// listed before, used to make 20,000 codes take 40 s.
#[test]
fn twenty_thousand_error_codes_validate_in_linear_time() {
    let run = |n: usize| {
        let api = validate(&many_error_codes(n)).unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(api.interfaces.iter().map(|i| i.errors.len()).sum::<usize>(), n + 3, "every listed code kept");
    };
    let (small, large) = times(run, 5_000);
    assert_linear("20,000 error codes", small, large);
}

/// A copy of the base tree on disk.
fn base_on_disk() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for file in base_files() {
        let path = dir.path().join(&file.rel_path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, file.bytes).expect("write");
    }
    dir
}

/// Reads the tree on another thread, failing the test if that does not end soon.
fn read_dir_or_hang(dir: &Path) -> Result<Vec<RawFile>, Diagnostics> {
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(ccgen::load::read_dir(&dir));
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("reading the spec tree hangs")
}

fn assert_refused(dir: &Path, rel: &str, why: &str) {
    let d = read_dir_or_hang(dir).expect_err("refused");
    assert_eq!(d.0.len(), 1, "{d}");
    let message = &d.0[0].message;
    assert!(message.contains(rel) && message.contains(why), "{message}");
}

/// Opening a FIFO for reading blocks until a writer comes: it is never opened.
#[test]
fn a_fifo_named_like_a_spec_is_refused_without_blocking() {
    let dir = base_on_disk();
    let fifo = dir.path().join("mediacall/x.yaml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(status.success());
    assert_refused(dir.path(), "mediacall/x.yaml", "not a regular file");
}

/// A link to an endless device is not followed into it.
#[test]
fn a_link_to_dev_zero_is_refused() {
    let dir = base_on_disk();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("mediacall/zero.yaml")).expect("symlink");
    assert_refused(dir.path(), "mediacall/zero.yaml", "not a regular file");
}

/// A huge regular file is read only up to the limit, then refused when loaded.
#[test]
fn a_huge_file_is_read_only_up_to_the_limit() {
    let dir = base_on_disk();
    let huge = std::fs::File::create(dir.path().join("mediacall/huge.yaml")).expect("create");
    huge.set_len(1 << 40).expect("a sparse terabyte");
    let files = read_dir_or_hang(dir.path()).expect("read");
    let read = files.iter().find(|f| f.rel_path == "mediacall/huge.yaml").expect("listed");
    assert_eq!(read.bytes.len(), ccgen::load::MAX_FILE_BYTES + 1);
    let d = ccgen::load::load("spec", &files).expect_err("too large");
    assert!(d.0[0].message.contains("larger than the 4194304 byte limit"), "{d}");
}

/// A fixture page whose `agentid` description cell holds `bytes` more of
/// distinct sentences, one sentence pair a line or all on one line.
fn page_with_a_huge_cell(bytes: usize, one_line: bool) -> String {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/lines_dialnumber.txt"))
        .expect("fixture page");
    let mut cell = String::new();
    for i in 0.. {
        if cell.len() >= bytes {
            break;
        }
        let sep = if one_line || i % 2 == 0 { " " } else { "\n" };
        cell.push_str(&format!("Sentence {i} says the value ranges from 1 to 9 and a little more.{sep}"));
    }
    let at = "Agent ID. The value ranges from 101 to 999999.\n";
    assert!(page.contains(at));
    page.replacen(at, &format!("{} {}\n", at.trim(), cell.trim()), 1)
}

/// Each sentence of a description cell used to be searched for among the
/// cell's lines: a 1 MB page took 16.7 s and grew faster than its size.
#[test]
fn importing_a_page_with_a_huge_cell_takes_linear_time() {
    let options = ccgen::import::Options::default();
    for one_line in [false, true] {
        let run = |bytes: usize| {
            let page = page_with_a_huge_cell(bytes, one_line);
            let imported = ccgen::import::import_page(&page, &options);
            assert!(imported.to_yaml().contains("Sentence 99 says"), "the cell's text is kept");
        };
        let (small, large) = times(run, 64 * 1024);
        assert_linear(if one_line { "a huge one-line cell" } else { "a huge cell" }, small, large);
    }
}
