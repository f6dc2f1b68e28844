//! Regenerating after a one-interface spec change touches only what must change,
//! and the changelog records the change once.

mod support;
use support::copy_dir;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read spec");
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write spec");
}

fn generate(spec: &Path, out: &Path) -> BTreeSet<String> {
    let outcome = ccgen::pipeline::generate(spec, out, false).unwrap_or_else(|d| panic!("{}", d.render()));
    outcome.report.written.into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn one_interface_change_rewrites_only_its_files_and_logs_it_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    let out = dir.path().join("out");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"), &spec);
    generate(&spec, &out);
    assert!(generate(&spec, &out).is_empty(), "a second run writes nothing");

    // A description: the module's docs and the interface page, plus the lock and changelog.
    // The parameter's type (`Caller`) was shared with `callout`, identical until now: it moves
    // back into both modules, so `shared.rs` and `callout.rs` change too, and nothing else.
    let callinner = spec.join("voicecall/callinner.yaml");
    edit(&callinner, "description: Calling number to present", "description: Number shown to the called agent");
    let written = generate(&spec, &out);
    assert_eq!(
        written,
        set(&[
            "CHANGELOG.md",
            "api.lock.json",
            "docs/voicecall/callinner.md",
            "src/shared.rs",
            "src/voicecall/callinner.rs",
            "src/voicecall/callout.rs"
        ])
    );
    let log = fs::read_to_string(out.join("CHANGELOG.md")).expect("changelog");
    assert!(
        log.contains("## Unreleased") && log.contains("### Documentation") && log.contains("`call_inner`"),
        "{log}"
    );

    // A widened limit: compatible, same files.
    edit(&callinner, "max: 16384", "max: 32768");
    let written = generate(&spec, &out);
    assert_eq!(
        written,
        set(&["CHANGELOG.md", "api.lock.json", "docs/voicecall/callinner.md", "src/voicecall/callinner.rs"])
    );
    let log = fs::read_to_string(out.join("CHANGELOG.md")).expect("changelog");
    assert_eq!(log.matches("## Unreleased").count(), 1, "{log}");
    assert!(log.contains("### Added and changed (compatible)"), "{log}");

    // Nothing changed since: nothing written, nothing appended.
    assert!(generate(&spec, &out).is_empty());
    assert_eq!(fs::read_to_string(out.join("CHANGELOG.md")).expect("changelog"), log);
}
