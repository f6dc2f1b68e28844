//! The broken-spec corpus: what a spec author sees for each kind of mistake.
//!
//! `tests/broken/base/` is a small valid spec tree. Each `tests/broken/cases/<NN_name>/`
//! holds only the files that differ from it (each with exactly one defect, named on its
//! first line after `# BROKEN:`), plus optionally a `remove` file listing base files to
//! delete. Every case must fail, every diagnostic must point at `file:line:column`
//! (except the few listed in [`NO_POSITION`]), and the rendered diagnostics are
//! snapshotted as `snapshots/broken_specs__<NN_name>.snap` for review.
//!
//! To add a case, add a directory and run
//! `INSTA_UPDATE=always cargo test -p ccgen --test broken_specs`, then read the new snapshot.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use ccgen::diag::Diagnostics;
use ccgen::ir::Api;
use ccgen::load::RawFile;

/// Display root of the in-memory trees, as a user running `ccgen check spec` would see it.
const DISPLAY_ROOT: &str = "spec";

/// Cases whose diagnostics carry no position, and why none can be given.
const NO_POSITION: &[(&str, &str)] = &[
    // The file cannot be decoded, so there is no text for a snippet; the load stage puts the
    // line:column of the first bad byte into the message instead (asserted below).
    ("07_non_utf8", "undecodable file"),
    // A missing file has no line to point at.
    ("46_missing_catalog", "missing file"),
    // The problem is the file's name, not a node inside it.
    ("47_unknown_top_level_file", "misplaced file"),
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken")
}

/// Every file under `dir`, keyed by its `/`-separated path relative to `dir`.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The base tree with `overlay`'s files laid over it (and its `remove` list applied).
fn tree(overlay: Option<&Path>) -> Vec<RawFile> {
    let mut files = files_under(&corpus().join("base"));
    if let Some(dir) = overlay {
        for (rel, bytes) in files_under(dir) {
            if rel == "remove" {
                let list = String::from_utf8(bytes).expect("remove is UTF-8");
                for name in list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                    assert!(
                        files.remove(name).is_some(),
                        "{}: `remove` names {name}, which base does not have",
                        dir.display()
                    );
                }
            } else {
                assert!(
                    rel.ends_with(".yaml"),
                    "{}: unexpected file {rel} (cases hold .yaml files and `remove`)",
                    dir.display()
                );
                files.insert(rel, bytes);
            }
        }
    }
    files.into_iter().map(|(rel_path, bytes)| RawFile { rel_path, bytes }).collect()
}

/// load + check, as `ccgen check` runs them.
fn run(files: &[RawFile]) -> Result<Api, Diagnostics> {
    let loaded = ccgen::load::load(DISPLAY_ROOT, files)?;
    ccgen::check::check(&loaded)
}

fn case_dirs() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(corpus().join("cases"))
        .expect("tests/broken/cases")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    cases.sort();
    cases
}

/// Why a failed case's diagnostics are not acceptable, if they are not.
fn position_problems(case: &str, diagnostics: &Diagnostics) -> Vec<String> {
    let exempt = NO_POSITION.iter().any(|(name, _)| *name == case);
    let mut problems = Vec::new();
    for d in &diagnostics.0 {
        match (d.position(), exempt) {
            (Some(pos), false) => {
                let (_, loc) = d.at.as_ref().expect("position implies a place");
                if loc.line == 0 || loc.column == 0 {
                    problems.push(format!("position {pos} is not 1-based: {}", d.message));
                }
                if !pos.starts_with(&format!("{DISPLAY_ROOT}/")) {
                    problems.push(format!("position {pos} does not name a spec file under {DISPLAY_ROOT}/"));
                }
            }
            (None, false) => problems.push(format!("diagnostic has no file:line:column: {}", d.message)),
            (Some(pos), true) => {
                problems.push(format!("listed in NO_POSITION but has a position ({pos}); remove it from the list"))
            }
            (None, true) => {}
        }
        if d.message.trim().is_empty() {
            problems.push("empty message".into());
        }
    }
    problems
}

#[test]
fn base_tree_is_valid() {
    match run(&tree(None)) {
        Ok(api) => {
            assert_eq!(api.interfaces.len(), 2);
            // Every example survived its checks, so the cases' example defects are the only ones.
            assert!(api.interfaces.iter().all(|i| i.examples.len() == 1), "an example was dropped");
        }
        Err(d) => panic!("the base tree must validate clean:\n{}", d.render()),
    }
}

#[test]
fn real_spec_is_valid() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec"));
    if let Err(d) = ccgen::pipeline::validate(dir) {
        panic!("spec/ must validate clean:\n{}", d.render());
    }
}

#[test]
fn corpus_covers_at_least_25_cases() {
    let cases = case_dirs();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for (name, dir) in &cases {
        let files = files_under(dir);
        assert!(!files.is_empty(), "{name} is empty");
        for (rel, bytes) in files.iter().filter(|(rel, _)| rel.ends_with(".yaml")) {
            // The first line names the defect; the non-UTF-8 case is still ASCII there.
            let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
            assert!(first.starts_with(b"# BROKEN: "), "{name}/{rel}: first line must be `# BROKEN: <defect>`");
        }
    }
}

/// Every case fails, with positioned diagnostics, and renders as its snapshot says.
#[test]
fn broken_specs() {
    let mut failures = Vec::new();
    for (name, dir) in case_dirs() {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let diagnostics = match run(&tree(Some(&dir))) {
                Ok(_) => panic!("the spec validated, but it is broken"),
                Err(d) => d,
            };
            assert!(!diagnostics.0.is_empty(), "failed without a diagnostic");
            let problems = position_problems(&name, &diagnostics);
            assert!(problems.is_empty(), "{}\n{}", problems.join("\n"), diagnostics);
            let mut settings = insta::Settings::clone_current();
            settings.set_description(defect(&dir));
            settings.bind(|| insta::assert_snapshot!(name.as_str(), diagnostics.render()));
        }));
        if let Err(panic) = outcome {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panicked".into());
            failures.push(format!("--- {name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{} broken-spec case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// What a case breaks, from its files' `# BROKEN:` lines and its `remove` list; shown in the snapshot header.
fn defect(dir: &Path) -> String {
    let mut lines = Vec::new();
    for (rel, bytes) in files_under(dir) {
        let text = String::from_utf8_lossy(&bytes);
        if rel == "remove" {
            let removed: Vec<&str> =
                text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
            lines.push(format!("removes {}", removed.join(", ")));
        } else if let Some(note) = text.lines().next().and_then(|l| l.strip_prefix("# BROKEN: ")) {
            lines.push(format!("{DISPLAY_ROOT}/{rel}: {note}"));
        }
    }
    lines.join("\n")
}

#[test]
fn non_utf8_names_the_byte_in_the_message() {
    let d = run(&tree(Some(&corpus().join("cases/07_non_utf8")))).expect_err("broken");
    assert_eq!(d.0.len(), 1, "{d}");
    // `café` written in Latin-1: the é is the 50th character of line 25.
    assert!(d.0[0].message.starts_with("spec/mediacall/transfer.yaml:25:50: not valid UTF-8"), "{}", d.0[0].message);
}

/// Every snapshot of this file belongs to a case or a test, so a renamed case leaves nothing stale.
#[test]
fn no_orphan_snapshots() {
    let known: Vec<String> = case_dirs()
        .into_iter()
        .map(|(n, _)| n)
        .chain(["multi_check_phase".into(), "multi_load_phase".into()])
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = file.strip_prefix("broken_specs__").and_then(|s| s.strip_suffix(".snap")) else { continue };
        assert!(known.iter().any(|k| k == stem), "snapshot {file} has no case; delete it");
    }
}

/// Files each diagnostic points into, in order.
fn files_of(d: &Diagnostics) -> Vec<String> {
    d.0.iter().map(|d| d.at.as_ref().map(|(f, _)| f.name.clone()).unwrap_or_default()).collect()
}

/// Three independent semantic defects in three files: one run reports all three.
#[test]
fn multi_check_phase_reports_every_defect() {
    let d = run(&tree(Some(&corpus().join("multi/check_phase")))).expect_err("broken");
    assert_eq!(d.0.len(), 3, "{d}");
    assert_eq!(
        files_of(&d),
        ["spec/errors.yaml", "spec/calldata/assignuserinqueue.yaml", "spec/mediacall/transfer.yaml"],
        "catalogs first, then interfaces in path order"
    );
    assert!(d.0.iter().all(|d| d.position().is_some()), "{d}");
    insta::with_settings!({ description => defect(&corpus().join("multi/check_phase")) }, {
        insta::assert_snapshot!("multi_check_phase", d.render());
    });
}

/// Three YAML/shape defects in three files: the load stage reports all three before stopping.
#[test]
fn multi_load_phase_reports_every_defect() {
    let d = run(&tree(Some(&corpus().join("multi/load_phase")))).expect_err("broken");
    assert_eq!(d.0.len(), 3, "{d}");
    assert_eq!(
        files_of(&d),
        ["spec/calldata/assignuserinqueue.yaml", "spec/events.yaml", "spec/mediacall/transfer.yaml"],
        "files in path order"
    );
    assert!(d.0.iter().all(|d| d.position().is_some()), "{d}");
    insta::with_settings!({ description => defect(&corpus().join("multi/load_phase")) }, {
        insta::assert_snapshot!("multi_load_phase", d.render());
    });
}

// ---------------------------------------------------------------------------------------------
// Known checker shortcomings, reported; each test fails today. Run with `--ignored` once fixed,
// then drop the `ignore` and refresh the affected snapshots.
// ---------------------------------------------------------------------------------------------

/// A rejected declaration should not make later references to it fail as "unknown".
#[test]

fn one_defect_one_diagnostic() {
    // 17: `type: int` drops `skillId`, so its rule and the example report it as undeclared.
    // 43: an object payload without fields drops the event, so transfer reports it as missing.
    for case in ["17_unknown_type", "43_object_payload_without_fields"] {
        let d = run(&tree(Some(&corpus().join("cases").join(case)))).expect_err("broken");
        assert_eq!(d.0.len(), 1, "{case} cascades:\n{d}");
    }
}

/// An example that breaks a rule should be pointed at where it sets the offending member.
#[test]

fn example_rule_violation_points_at_the_member() {
    for (case, pos) in [
        ("37_example_breaks_only_when", "spec/mediacall/transfer.yaml:79:"),
        ("39_example_breaks_allowed_values", "spec/mediacall/transfer.yaml:79:"),
    ] {
        let d = run(&tree(Some(&corpus().join("cases").join(case)))).expect_err("broken");
        let at = d.0[0].position().unwrap_or_default();
        assert!(at.starts_with(pos), "{case}: points at {at}, not at the body member on line 79");
    }
}
