//! A `generate` whose inputs did not change skips every stage on the record
//! of the last run, yet still notices a hand-edited or extra output; and
//! `--check` stays exact.

mod support;

use std::fs;
use std::path::Path;

fn spec() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    support::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"), dir.path());
    dir
}

fn generate(spec: &Path, out: &Path, check: bool) -> ccgen::pipeline::Outcome {
    ccgen::pipeline::generate(spec, out, check).unwrap_or_else(|d| panic!("{}", d.render()))
}

/// Edits the API's title in `spec/api.yaml`: a change every page shows.
fn retitle(spec: &Path) {
    let api = spec.join("api.yaml");
    let text = fs::read_to_string(&api).unwrap();
    assert!(text.contains("title: CC-Gateway Agent Interfaces"), "spec/api.yaml's title moved");
    fs::write(&api, text.replacen("title: CC-Gateway Agent Interfaces", "title: CC-Gateway Agent APIs", 1)).unwrap();
}

fn stages(o: &ccgen::pipeline::Outcome) -> Vec<&'static str> {
    o.timings.0.iter().map(|stage| stage.name).collect()
}

#[test]
fn an_unchanged_tree_is_proven_current_without_emitting() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    let first = generate(spec.path(), out.path(), false);
    assert!(stages(&first).contains(&"emit rust"));
    let again = generate(spec.path(), out.path(), false);
    assert_eq!(stages(&again), ["verify record"], "nothing loaded, checked or emitted");
    assert!(again.report.is_clean());
    assert_eq!(again.report.unchanged.len(), first.report.written.len());
    assert!(!generate(spec.path(), out.path(), true).is_stale());
}

#[test]
fn a_hand_edited_output_is_seen_by_check_and_restored_by_generate() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    generate(spec.path(), out.path(), false);
    let file = out.path().join("src/lib.rs");
    let original = fs::read_to_string(&file).unwrap();
    // Same size, so only the bytes tell.
    let edited = original.replacen("pub", "pib", 1);
    assert_eq!(edited.len(), original.len());
    fs::write(&file, &edited).unwrap();
    let check = generate(spec.path(), out.path(), true);
    assert!(check.is_stale() && check.report.written == ["src/lib.rs"], "{:?}", check.report.written);
    let fixed = generate(spec.path(), out.path(), false);
    assert_eq!(fixed.report.written, ["src/lib.rs"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn an_edited_spec_or_an_extra_output_runs_every_stage() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    generate(spec.path(), out.path(), false);
    let extra = out.path().join("src/leftover.rs");
    fs::write(&extra, format!("// {}\n", ccgen::emit::GENERATED_MARKER)).unwrap();
    let swept = generate(spec.path(), out.path(), false);
    assert_eq!(swept.report.removed, ["src/leftover.rs"]);
    assert!(!extra.exists());
    retitle(spec.path());
    let edited = generate(spec.path(), out.path(), false);
    assert!(stages(&edited).contains(&"emit docs"), "{:?}", stages(&edited));
    // The lock file is made while the rest is written; the record of that
    // run still vouches for it, and for every other file.
    assert!(edited.report.written.iter().any(|f| f == "api.lock.json"), "{:?}", edited.report.written);
    let again = generate(spec.path(), out.path(), false);
    assert_eq!(stages(&again), ["verify record"]);
    assert!(again.report.is_clean());
}

#[test]
fn a_hand_edited_lock_file_alone_is_restored() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    generate(spec.path(), out.path(), false);
    let lock = out.path().join("api.lock.json");
    let original = fs::read_to_string(&lock).unwrap();
    // Reads as the same lock file, so the changelog has nothing to add.
    fs::write(&lock, format!("{original}\n")).unwrap();
    let check = generate(spec.path(), out.path(), true);
    assert_eq!(check.report.written, ["api.lock.json"]);
    let fixed = generate(spec.path(), out.path(), false);
    assert_eq!(
        (fixed.report.written.as_slice(), fixed.report.removed.len()),
        (["api.lock.json".to_owned()].as_slice(), 0)
    );
    assert_eq!(fs::read_to_string(&lock).unwrap(), original);
    assert_eq!(stages(&generate(spec.path(), out.path(), false)), ["verify record"]);
}

#[test]
fn a_record_left_by_another_generator_is_not_trusted() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    generate(spec.path(), out.path(), false);
    let record = out.path().join(ccgen::record::FOLDER).join("record.json");
    let text = fs::read_to_string(&record).unwrap();
    fs::write(&record, text.replacen(&ccgen::record::generator(), "ccgen 0.0.0+0", 1)).unwrap();
    assert!(stages(&generate(spec.path(), out.path(), false)).contains(&"emit rust"));
}

#[test]
fn the_record_holds_each_output_as_it_is_on_disk() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    let first = generate(spec.path(), out.path(), false);
    let record = ccgen::record::load(out.path()).expect("a record");
    assert_eq!(record.outputs.len(), first.report.written.len());
    for (rel, output) in &record.outputs {
        let on_disk = ccgen::record::stat_of(&fs::metadata(out.path().join(rel)).unwrap());
        assert_eq!((output.size, output.modified), on_disk, "{rel}");
    }
    let folder: Vec<String> = fs::read_dir(out.path().join(ccgen::record::FOLDER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!folder.iter().any(|name| name.ends_with(".tmp")), "{folder:?}");
}

#[test]
fn a_write_that_fails_leaves_no_record_to_trust() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    generate(spec.path(), out.path(), false);
    retitle(spec.path());
    let before = fs::read_to_string(out.path().join("docs/README.md")).unwrap();
    ccgen::write::FAIL_AT_RENAME.set(1);
    let failed = ccgen::pipeline::generate(spec.path(), out.path(), false);
    ccgen::write::FAIL_AT_RENAME.set(usize::MAX);
    assert!(failed.is_err());
    assert_eq!(fs::read_to_string(out.path().join("docs/README.md")).unwrap(), before);
    // The record and the cache were written aside while the output was
    // being made durable, but not put in place: the old record is gone, and
    // nothing else is left behind.
    assert!(ccgen::record::load(out.path()).is_none());
    let mut cache: Vec<String> = fs::read_dir(out.path().join(ccgen::record::FOLDER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cache.sort();
    assert_eq!(cache, [".gitignore", "emit.json"], "the cache of the last good run stays");
    let again = generate(spec.path(), out.path(), false);
    assert!(stages(&again).contains(&"emit docs") && !again.report.written.is_empty());
    assert!(ccgen::record::load(out.path()).is_some());
}

#[test]
fn a_first_write_that_fails_leaves_no_record_folder() {
    let (spec, out) = (spec(), tempfile::tempdir().unwrap());
    ccgen::write::FAIL_AT_RENAME.set(1);
    let failed = ccgen::pipeline::generate(spec.path(), out.path(), false);
    ccgen::write::FAIL_AT_RENAME.set(usize::MAX);
    assert!(failed.is_err());
    let left: Vec<_> = fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
}
