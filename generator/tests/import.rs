//! `ccgen import`: drafting interface specs from plain-text vendor pages.
//!
//! The fixture pages in `tests/import/` are invented (the vendor's text stays out of the
//! repository) and cover both layouts: `flat_*` uses flattened `|`-terminated tables,
//! `lines_*` puts every cell on its own line between blank lines. Each fixture's draft and
//! warnings are snapshotted as `snapshots/import__<fixture>_{yaml,warnings}.snap`, and every
//! draft must pass load+check against the repository's catalogs.
//!
//! After changing the importer or a fixture, run
//! `INSTA_UPDATE=always cargo test -p ccgen --test import` and read the changed snapshots.

use std::path::{Path, PathBuf};

use ccgen::import::{self, Context, Imported};

const FIXTURES: &[&str] = &["flat_parksession", "lines_dialnumber", "lines_mutekeys", "lines_queuestats"];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import")
}

fn context() -> Context {
    import::read_context(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"))
        .expect("the repository's spec catalogs are readable")
}

fn import_fixture(name: &str) -> Imported {
    let text = std::fs::read_to_string(fixture_dir().join(format!("{name}.txt"))).expect("fixture exists");
    import::import_page(&text, &import::options_from(&context()))
}

fn warnings(imported: &Imported) -> String {
    imported.warnings.iter().map(|w| format!("{w}\n")).collect()
}

#[test]
fn drafts_match_snapshots() {
    for name in FIXTURES {
        let imported = import_fixture(name);
        insta::assert_snapshot!(format!("{name}_yaml"), format!("# {}\n{}", imported.rel_path, imported.to_yaml()));
        insta::assert_snapshot!(format!("{name}_warnings"), warnings(&imported));
    }
}

#[test]
fn drafts_pass_load_and_check() {
    let context = context();
    for name in FIXTURES {
        let imported = import_fixture(name);
        if let Err(d) = import::validate(&context, &imported.rel_path, &imported.to_yaml()) {
            panic!("draft of {name} fails load+check:\n{}", d.render());
        }
    }
}

#[test]
fn draft_agrees_with_itself_and_compare_finds_changed_facts() {
    let context = context();
    let imported = import_fixture("flat_parksession");
    let yaml = imported.to_yaml();
    let page = import::load_interface(&context, &imported.rel_path, &yaml).expect("draft loads");
    assert_eq!(import::compare::compare(&page, &page), Vec::<String>::new());

    // A hand-curated spec may reword and rename; only facts count.
    let curated = edit(
        &yaml,
        &[
            ("description: Where the session is parked.", "description: Destination of the parked session."),
            ("name: holding_area", "name: holding"),
            ("operation: park_session", "operation: park_media_session"),
        ],
    );
    let spec = import::load_interface(&context, &imported.rel_path, &curated).expect("curated spec loads");
    assert_eq!(import::compare::compare(&page, &spec), Vec::<String>::new());

    let changed = edit(
        &yaml,
        &[
            ("max: 59999", "max: 999999"),
            ("  - \"106-005\"\n", ""),
            ("method: POST", "method: PUT"),
            (
                "- name: note\n      type: string\n      required: false",
                "- name: note\n      type: string\n      required: true",
            ),
            ("{ value: 2, name: personal_queue", "{ value: 3, name: personal_queue"),
            ("    values: [1]\n", "    values: [3]\n"),
            ("kind: none", "kind: reserved"),
        ],
    );
    let spec = import::load_interface(&context, &imported.rel_path, &changed).expect("changed spec loads");
    insta::assert_snapshot!("compare_differences", import::compare::compare(&page, &spec).join("\n"));
}

/// Applies text replacements, each of which must match.
fn edit(text: &str, replacements: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in replacements {
        assert!(out.contains(from), "`{from}` is not in:\n{out}");
        out = out.replace(from, to);
    }
    out
}

#[test]
fn both_layouts_read_the_same_facts() {
    // The same small page in both layouts yields the same draft.
    let flat = "Looking Up a Queue: queueInfo\nDescription\nReads one queue.\nInterface Method\nThe request method must be set to GET.\nURI\nhttps://ip:port/agentgateway/resource/queuedevice/{agentid}/queueinfo\nNo. |\nParameter |\nData Type |\nMandatory (Yes/No) |\nDescription |\n---|---|---|---|---|\n1 |\nagentid |\nString |\nYes |\nAgent ID. The value ranges from 101 to 59999. |\nMethod Name in Logs\nqueueInfo\nResponse Description\nNo. |\nParameter |\nValue Type |\nDescription |\n---|---|---|---|\n1 |\nresult |\nObject |\nReserved field. |\nTriggered Event\n- None\nError Code\n- 100-006\n";
    let lines = "Looking Up a Queue: queueInfo\n\nDescription\n\nReads one queue.\n\nInterface Method\n\nThe request method must be set to GET.\n\nURI\n\nhttps://ip:port/agentgateway/resource/queuedevice/{agentid}/queueinfo\n\nTable 1 Parameter in the URI\n\nNo.\n\nParameter\n\nData Type\n\nMandatory (Yes/No)\n\nDescription\n\n1\n\nagentid\n\nString\n\nYes\n\nAgent ID. The value ranges from 101 to 59999.\n\nMethod Name in Logs\n\nqueueInfo\n\nResponse Description\n\nTable 2 Parameters in the message body\n\nParameter\n\nValue Type\n\nDescription\n\nresult\n\nObject\n\nReserved field.\n\nTriggered Event\n\n  • None\n\nError Code\n\n  • 100-006\n";
    let options = import::Options::default();
    let a = import::import_page(flat, &options);
    let b = import::import_page(lines, &options);
    assert_eq!(a.to_yaml(), b.to_yaml());
    assert!(a.to_yaml().contains("kind: reserved"), "{}", a.to_yaml());
    assert_eq!(a.rel_path, "queuedevice/queueinfo.yaml");
}

#[test]
fn update_brings_page_facts_into_a_curated_spec() {
    let context = context();
    let imported = import_fixture("flat_parksession");
    let curated = std::fs::read_to_string(fixture_dir().join("flat_parksession_curated.yaml")).expect("fixture exists");
    let updated = import::update::update(&curated, &imported).expect("update succeeds");
    if let Err(d) = import::validate(&context, &imported.rel_path, &updated.yaml) {
        panic!("updated spec fails load+check:\n{}\n{}", d.render(), updated.yaml);
    }
    let page = import::load_interface(&context, &imported.rel_path, &imported.to_yaml()).expect("draft loads");
    let before = import::load_interface(&context, &imported.rel_path, &curated).expect("curated spec loads");
    let after = import::load_interface(&context, &imported.rel_path, &updated.yaml).expect("updated spec loads");
    // Every page fact arrived...
    assert_eq!(import::compare::compare(&page, &after), Vec::<String>::new());
    // ...and what people wrote stayed.
    assert_eq!(after.operation, "park_media_session");
    assert_eq!(after.summary, before.summary);
    assert_eq!(after.quirks, before.quirks);
    assert_eq!(after.examples.len(), 1);
    let mut report = String::from("# changes\n");
    for c in import::compare::compare(&after, &before) {
        report.push_str(&format!("- {c}\n"));
    }
    report.push_str("# notes\n");
    for n in &updated.notes {
        report.push_str(&format!("- {n}\n"));
    }
    report.push_str("# page quirks not merged\n");
    for q in &updated.unmerged {
        report.push_str(&format!("- {q}\n"));
    }
    insta::assert_snapshot!("update_report", report);
    insta::assert_snapshot!("update_yaml", updated.yaml);
}

#[test]
fn cli_writes_drafts_and_compare_fails_on_differences() {
    let bin = env!("CARGO_BIN_EXE_ccgen");
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let out = tempfile::tempdir().expect("temp dir");
    let page = fixture_dir().join("lines_mutekeys.txt");
    let run = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new(bin).arg("import").args(args).arg("--spec").arg(&spec).output().expect("ccgen runs")
    };

    let written = run(&[page.as_os_str(), "--out".as_ref(), out.path().as_os_str()]);
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let draft = out.path().join("voicecall/mutekeytones.yaml");
    assert!(draft.exists());

    // Writing again refuses to overwrite.
    let again = run(&[page.as_os_str(), "--out".as_ref(), out.path().as_os_str()]);
    assert!(!again.status.success());

    let same = run(&[page.as_os_str(), "--compare".as_ref(), draft.as_os_str()]);
    assert!(same.status.success(), "{}", String::from_utf8_lossy(&same.stdout));

    let text = std::fs::read_to_string(&draft).expect("draft readable");
    std::fs::write(&draft, edit(&text, &[("- \"10001\"", "- \"100-006\"")])).expect("draft writable");
    let differs = run(&[page.as_os_str(), "--compare".as_ref(), draft.as_os_str()]);
    assert!(!differs.status.success());
    let stdout = String::from_utf8_lossy(&differs.stdout);
    assert!(stdout.contains("error code 10001: on the page, not in the spec"), "{stdout}");
    assert!(stdout.contains("error code 100-006: in the spec, not on the page"), "{stdout}");
}
