//! Adding an interface is one new spec file plus `generate`: regeneration writes the new
//! module and page and the few shared files that list interfaces, `generate --check` is then
//! clean, the changelog and `ccgen diff` call it a compatible addition, and no test holds a
//! copy of the generated output that would have to learn about it (the page checks run on the
//! same tree in `docs.rs`; CI compiles, lints and documents the crate made from it).

mod support;
use support::copy_dir;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use ccgen::diff::{Class, Kind};

#[test]
fn a_new_spec_file_and_generate_are_all_an_interface_needs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (spec, out) = (dir.path().join("spec"), dir.path().join("generated"));
    copy_dir(&root.join("../spec"), &spec);
    copy_dir(&root.join("../generated"), &out);
    let before = ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
    let fresh = ccgen::pipeline::generate(&spec, &out, true).unwrap_or_else(|d| panic!("{}", d.render()));
    assert!(!fresh.is_stale(), "the copy of generated/ starts fresh:\n{}", fresh.report.diff);

    let log_before = fs::read_to_string(out.join("CHANGELOG.md")).expect("changelog");

    // The only change: one spec file.
    copy_dir(&root.join("tests/added_interface"), &spec);
    let outcome = ccgen::pipeline::generate(&spec, &out, false).unwrap_or_else(|d| panic!("{}", d.render()));
    let written: BTreeSet<&str> = outcome.report.written.iter().map(String::as_str).collect();
    let expected: BTreeSet<&str> = [
        "CHANGELOG.md",
        "api.lock.json",
        "docs/README.md",
        "docs/SUMMARY.md",
        "docs/errors.md",
        "docs/events.md",
        "docs/qualitycontrol/whisper.md",
        "src/client.rs",
        "src/lib.rs",
        "src/qualitycontrol/mod.rs",
        "src/qualitycontrol/whisper.rs",
    ]
    .into_iter()
    .collect();
    assert_eq!(written, expected);
    assert!(outcome.report.removed.is_empty(), "{:?}", outcome.report.removed);
    let again = ccgen::pipeline::generate(&spec, &out, true).expect("runs");
    assert!(!again.is_stale(), "generate --check after generate:\n{}", again.report.diff);

    // What the changelog gained: the one compatible entry (unreleased entries from
    // earlier generations stay as they were).
    let log = fs::read_to_string(out.join("CHANGELOG.md")).expect("changelog");
    let added: Vec<&str> = log.lines().filter(|l| !log_before.lines().any(|b| b == *l)).collect();
    assert!(log.contains("### Added and changed (compatible)"), "{log}");
    assert!(added.iter().all(|l| l.contains("`whisper_to_agent`") || l.starts_with('#') || l.is_empty()), "{added:?}");
    assert!(added.iter().any(|l| l.contains("`whisper_to_agent`: interface added")), "{added:?}");
    assert!(!added.iter().any(|l| l.contains("### Breaking")), "{added:?}");

    let after = ccgen::pipeline::validate(&spec).expect("valid");
    let report = ccgen::diff::diff(&before, &after);
    let rows: Vec<(Class, Kind)> = report.changes.iter().map(|c| (c.class, c.kind)).collect();
    assert_eq!(rows, [(Class::Compatible, Kind::InterfaceAdded)]);
}

/// Snapshots of files generated from `spec/` are copies of `generated/` that the freshness
/// test already guards, and each new interface would make them fail: there must be none.
#[test]
fn no_snapshot_holds_output_generated_from_the_specs() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let copies: Vec<String> = fs::read_dir(&snapshots)
        .expect("tests/snapshots")
        .flatten()
        .filter(|e| {
            let text = fs::read_to_string(e.path()).unwrap_or_default();
            text.contains(&format!("{} from spec/", ccgen::emit::GENERATED_MARKER))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(copies.is_empty(), "snapshots of generated output: {copies:?}; review generated/ instead");
}
