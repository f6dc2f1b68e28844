//! `generated/` must be exactly what the specs give; a hand edit or a spec
//! change without regeneration fails here.

use std::path::Path;

#[test]
fn generated_crate_matches_the_specs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let outcome = ccgen::pipeline::generate(&root.join("spec"), &root.join("generated"), true)
        .unwrap_or_else(|d| panic!("the specs do not validate:\n{}", d.render()));
    assert!(
        !outcome.is_stale(),
        "generated/ is stale; refresh it with `cargo run -p ccgen -- generate`.\n{}",
        outcome.report.diff
    );
}

#[test]
fn check_mode_catches_a_hand_edit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let copy = tempfile::tempdir().expect("tempdir");
    ccgen::pipeline::generate(&root.join("spec"), copy.path(), false).expect("generates");
    let edited = copy.path().join("src/lib.rs");
    let text = std::fs::read_to_string(&edited).expect("lib.rs");
    std::fs::write(&edited, text.replace("pub const DEFAULT_PORT", "pub const DEFAULT_PORT_EDITED")).expect("edit");
    let outcome = ccgen::pipeline::generate(&root.join("spec"), copy.path(), true).expect("runs");
    assert!(outcome.is_stale());
    assert_eq!(outcome.report.written, vec!["src/lib.rs"]);
    assert!(outcome.report.diff.contains("-pub const DEFAULT_PORT_EDITED"), "{}", outcome.report.diff);
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let api = ccgen::pipeline::validate(&root.join("spec")).expect("valid specs");
    let first = ccgen::pipeline::emit_all(&api).expect("emits");
    let again =
        ccgen::pipeline::emit_all(&ccgen::pipeline::validate(&root.join("spec")).expect("valid")).expect("emits");
    assert_eq!(first, again);
}
