//! `ccgen import` of many pages in one run: catalogs grow from the pages, every page gets a
//! name whatever its path, the run is all-or-nothing and ends with a report.
//!
//! Pages of our own are the fixtures in `tests/import/` (both layouts), changed in memory.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import").join(name)).expect("fixture")
}

fn repo_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// A tree holding the repository's `api.yaml` and catalogs, and no interface.
fn catalogs_only(dir: &Path) -> PathBuf {
    let spec = dir.join("spec");
    std::fs::create_dir_all(&spec).expect("mkdir");
    std::fs::write(
        spec.join("api.yaml"),
        ccgen::fixture::api_without_sign_in(&std::fs::read_to_string(repo_spec().join("api.yaml")).expect("api.yaml")),
    )
    .expect("api.yaml");
    for f in ["errors.yaml", "events.yaml"] {
        std::fs::copy(repo_spec().join(f), spec.join(f)).expect("copy");
    }
    spec
}

fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

fn import(args: &[&std::ffi::OsStr], spec: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccgen"))
        .arg("import")
        .args(args)
        .arg("--spec")
        .arg(spec)
        .output()
        .expect("ccgen runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Every file below `dir` with its bytes.
fn read_tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(read_tree(&path));
        } else {
            out.insert(path.clone(), std::fs::read(&path).expect("read"));
        }
    }
    out
}

/// The 1-based line of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or_else(|| panic!("`{needle}` not in page"))
}

/// Every line of `before` is still in `after`, in order (entries were only added).
fn only_added(before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    let removed: Vec<String> =
        diff.iter_all_changes().filter(|c| c.tag() == similar::ChangeTag::Delete).map(|c| c.to_string()).collect();
    assert!(removed.is_empty(), "lines removed: {removed:?}");
}

/// A page of each layout naming an event and a code the catalogs lack: one with a meaning,
/// one without.
fn pages_with_new_entries() -> Vec<(&'static str, String, &'static str, &'static str)> {
    let flat =
        edit(&fixture("flat_transfer.txt"), "- AgentEvent_Talking\n", "- AgentEvent_Talking\n- AgentEvent_Bogus\n");
    let flat = edit(&flat, "- 106-012\n", "- 106-012\n- 998-001: The session queue is closed.\n");
    let lines = edit(
        &fixture("lines_callinner.txt"),
        "  • AgentState_Busy\n",
        "  • AgentState_Busy\n\n  • AgentState_Bogus: The agent is bogus.\n",
    );
    let lines = edit(&lines, "  • 100-006\n", "  • 100-006\n\n  • 998-002\n");
    vec![
        ("flat_transfer.txt", flat, "AgentEvent_Bogus", "998-001"),
        ("lines_callinner.txt", lines, "AgentState_Bogus", "998-002"),
    ]
}

#[test]
fn a_page_naming_a_new_event_or_code_adds_it_to_the_catalogs() {
    for (name, page_text, event, code) in pages_with_new_entries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = catalogs_only(dir.path());
        let page = dir.path().join(name);
        std::fs::write(&page, &page_text).expect("page written");
        let (events_before, errors_before) = (
            std::fs::read_to_string(spec.join("events.yaml")).expect("events"),
            std::fs::read_to_string(spec.join("errors.yaml")).expect("errors"),
        );

        let out = import(&[page.as_os_str(), "--out".as_ref(), spec.as_os_str()], &spec);
        assert!(out.status.success(), "{name}: {}", text(&out));
        let report = text(&out);
        // Each addition is reported with the page line that names it.
        for key in [event, code] {
            let at = format!("{}:{}", page.display(), line_of(&page_text, key));
            assert!(
                report.lines().any(|l| l.contains(&format!("added {key}")) && l.contains(&at)),
                "{name}: {at}\n{report}"
            );
        }
        let events = std::fs::read_to_string(spec.join("events.yaml")).expect("events");
        let errors = std::fs::read_to_string(spec.join("errors.yaml")).expect("errors");
        only_added(&events_before, &events);
        only_added(&errors_before, &errors);
        let entry = |text: &str, key: &str| -> String {
            let start = text.find(key).unwrap_or_else(|| panic!("{key} not added:\n{text}"));
            let end = text[start..].find("\n  - ").map_or(text.len(), |e| start + e);
            text[start..end].to_owned()
        };
        let ev = entry(&events, &format!("name: {event}"));
        assert!(ev.contains("kind: unknown"), "{ev}");
        let er = entry(&errors, &format!("code: \"{code}\""));
        match name {
            // The flat page gives the code a meaning and the event none.
            "flat_transfer.txt" => {
                assert!(er.contains("The session queue is closed.") && er.contains("source: official"), "{er}");
                assert!(ev.contains("Not documented"), "{ev}");
            }
            _ => {
                assert!(er.contains("source: unpublished") && !er.contains("meaning:"), "{er}");
                assert!(ev.contains("The agent is bogus."), "{ev}");
            }
        }
        assert!(er.contains("\"Session Transfer: transfer\"") || er.contains("\"Making an Internal Call\""), "{er}");
        // Sorted: the new code sits after every smaller one.
        let codes: Vec<&str> = errors.lines().filter_map(|l| l.strip_prefix("  - code: ")).collect();
        assert!(codes.is_sorted(), "{codes:?}");
        ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{name}: {}", d.render()));
    }
}

#[test]
fn update_adds_the_catalog_entries_the_page_needs() {
    let (name, page_text, event, code) = pages_with_new_entries().remove(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec");
    support::copy_dir(&repo_spec(), &spec);
    let page = dir.path().join(name);
    std::fs::write(&page, &page_text).expect("page written");
    let target = spec.join("voicecall/callinner.yaml");
    let out = import(&[page.as_os_str(), "--update".as_ref(), target.as_os_str()], &spec);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    for key in [event, code] {
        let at = format!("{}:{}", page.display(), line_of(&page_text, key));
        assert!(report.lines().any(|l| l.contains(&format!("added {key}")) && l.contains(&at)), "{at}\n{report}");
    }
    let spec_text = std::fs::read_to_string(&target).expect("spec");
    assert!(spec_text.contains(event) && spec_text.contains(code), "{spec_text}");
    ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
}

/// The same small page in both layouts, with no log name and a path without a verb segment.
fn unnamed_pages() -> [(&'static str, String); 2] {
    let flat = "Stopping Quality Control\nDescription\nStops inspecting an agent.\nInterface Method\nThe request method must be set to DELETE.\nURI\nhttps://ip:port/agentgateway/resource/qualitycontrol/{agentid}/{workNo}\nNo. |\nParameter |\nData Type |\nMandatory (Yes/No) |\nDescription |\n---|---|---|---|---|\n1 |\nagentid |\nString |\nYes |\nAgent ID. The value ranges from 101 to 59999. |\n2 |\nworkNo |\nString |\nYes |\nID of the inspected agent. |\nMethod Name in Logs\nNone\nRequest Description\n- Message body\nNone\nResponse Description\nNo. |\nParameter |\nValue Type |\nDescription |\n---|---|---|---|\n1 |\nresult |\nObject |\nReserved field. |\nTriggered Event\n- None\nError Code\n- 100-006\n";
    let lines = "Stopping Quality Control\n\nDescription\n\nStops inspecting an agent.\n\nInterface Method\n\nThe request method must be set to DELETE.\n\nURI\n\nhttps://ip:port/agentgateway/resource/qualitycontrol/{agentid}/{workNo}\n\nTable 1 Parameter in the URI\n\nNo.\n\nParameter\n\nData Type\n\nMandatory (Yes/No)\n\nDescription\n\n1\n\nagentid\n\nString\n\nYes\n\nAgent ID. The value ranges from 101 to 59999.\n\n2\n\nworkNo\n\nString\n\nYes\n\nID of the inspected agent.\n\nMethod Name in Logs\n\nNone\n\nRequest Description\n\n  • Message body\n\n    None\n\nResponse Description\n\nTable 2 Parameters in the message body\n\nParameter\n\nValue Type\n\nDescription\n\nresult\n\nObject\n\nReserved field.\n\nTriggered Event\n\n  • None\n\nError Code\n\n  • 100-006\n";
    [("flat_qc.txt", flat.to_owned()), ("lines_qc.txt", lines.to_owned())]
}

#[test]
fn a_page_without_a_log_name_is_named_after_method_and_path() {
    let options = ccgen::import::Options::default();
    for (name, page) in unnamed_pages() {
        let imported = ccgen::import::import_page(&page, &options);
        assert_eq!(imported.draft.operation, "delete_qualitycontrol", "{name}");
        assert_eq!(imported.rel_path, "qualitycontrol/delete_qualitycontrol.yaml", "{name}");
        let log_line = line_of(&page, "None");
        assert!(
            imported.warnings.iter().any(|w| w.line == log_line && w.message.contains("delete_qualitycontrol")),
            "{name}: {:?}",
            imported.warnings
        );
    }
}

#[test]
fn a_name_taken_in_the_tree_or_the_batch_is_reported_not_overwritten() {
    for (name, page_text) in unnamed_pages() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = catalogs_only(dir.path());
        let page = dir.path().join(name);
        std::fs::write(&page, &page_text).expect("page written");
        let first = import(&[page.as_os_str(), "--out".as_ref(), spec.as_os_str()], &spec);
        assert!(first.status.success(), "{}", text(&first));
        let written = spec.join("qualitycontrol/delete_qualitycontrol.yaml");
        let before = std::fs::read(&written).expect("written");
        std::fs::write(&written, b"# curated\n").expect("curated");

        // Again into the same tree: the file is taken.
        let again = import(&[page.as_os_str(), "--out".as_ref(), spec.as_os_str()], &spec);
        assert!(!again.status.success(), "{}", text(&again));
        assert!(text(&again).contains("qualitycontrol/delete_qualitycontrol.yaml"), "{}", text(&again));
        assert_eq!(std::fs::read(&written).expect("kept"), b"# curated\n");
        std::fs::write(&written, &before).expect("restored");

        // Twice in one batch into a fresh tree: the second is refused, nothing is written.
        let fresh = catalogs_only(&dir.path().join("fresh"));
        let twice = import(&[page.as_os_str(), page.as_os_str(), "--out".as_ref(), fresh.as_os_str()], &fresh);
        assert!(!twice.status.success(), "{}", text(&twice));
        let report = text(&twice);
        assert!(report.contains("delete_qualitycontrol") && report.contains("refused"), "{report}");
        assert!(!fresh.join("qualitycontrol").exists(), "{report}");
    }
}

#[test]
fn one_refused_page_means_nothing_is_written_and_the_report_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = catalogs_only(dir.path());
    let [(_, good), _] = unnamed_pages();
    let good_page = dir.path().join("good.txt");
    std::fs::write(&good_page, &good).expect("written");
    // A page with a new event, and a page cut short: the second is refused.
    let (_, with_event, event, _) = pages_with_new_entries().remove(0);
    let event_page = dir.path().join("event.txt");
    std::fs::write(&event_page, &with_event).expect("written");
    let cut: String = fixture("lines_callinner.txt").lines().take(60).map(|l| format!("{l}\n")).collect();
    let cut_page = dir.path().join("cut.txt");
    std::fs::write(&cut_page, &cut).expect("written");
    let tree_before = read_tree(&spec);

    let out = import(
        &[
            good_page.as_os_str(),
            event_page.as_os_str(),
            cut_page.as_os_str(),
            "--out".as_ref(),
            spec.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        &spec,
    );
    assert!(!out.status.success());
    assert_eq!(read_tree(&spec), tree_before, "a refused page must leave the tree as it was");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let status = |i: usize| report["pages"][i]["status"].as_str().unwrap_or_default().to_owned();
    assert_ne!(status(0), "refused", "{report:#}");
    assert_ne!(status(1), "refused", "{report:#}");
    assert_eq!(status(2), "refused", "{report:#}");
    assert!(report["pages"][2]["problems"].as_array().is_some_and(|p| !p.is_empty()), "{report:#}");
    assert_eq!(report["written"], false);
    // Catalog entries are listed only for a batch that can be written.
    assert_eq!(report["catalog_additions"].as_array().map(Vec::len), Some(0), "{event}: {report:#}");

    // --keep-going writes the accepted pages and their catalog entries, and still fails.
    let pages = [good_page.as_os_str(), event_page.as_os_str(), cut_page.as_os_str()];
    let out = import(&[&pages[..], &["--out".as_ref(), spec.as_os_str(), "--keep-going".as_ref()]].concat(), &spec);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("without the 1 refused page(s)"), "{}", text(&out));
    assert!(spec.join("qualitycontrol/delete_qualitycontrol.yaml").exists());
    assert!(spec.join("mediacall/transfer.yaml").exists());
    assert!(!spec.join("voicecall/callinner.yaml").exists());
    let events = std::fs::read_to_string(spec.join("events.yaml")).expect("events");
    assert!(events.contains(&format!("name: {event}")), "{events}");
    ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
}

#[test]
fn two_pages_giving_a_new_code_different_meanings_are_both_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = catalogs_only(dir.path());
    let [(_, flat), (_, lines)] = unnamed_pages();
    let a = edit(&flat, "- 100-006\n", "- 998-003: The inspection ended.\n");
    let b = edit(&lines, "  • 100-006\n", "  • 998-003: The inspector left.\n");
    // Different paths, so that the pages do not collide by name.
    let b = b.replace("{agentid}/{workNo}", "{agentid}/stop/{workNo}");
    let (pa, pb) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&pa, &a).expect("written");
    std::fs::write(&pb, &b).expect("written");
    let tree_before = read_tree(&spec);
    let out = import(&[pa.as_os_str(), pb.as_os_str(), "--out".as_ref(), spec.as_os_str()], &spec);
    assert!(!out.status.success(), "{}", text(&out));
    let report = text(&out);
    for (p, t) in [(&pa, &a), (&pb, &b)] {
        let at = format!("{}:{}: error: the pages disagree on what 998-003 means", p.display(), line_of(t, "998-003"));
        assert!(report.contains(&at), "{at}\n{report}");
    }
    assert_eq!(read_tree(&spec), tree_before);

    // When they agree, the code is added once, naming both pages.
    let b = b.replace("The inspector left.", "The inspection ended.");
    std::fs::write(&pb, &b).expect("written");
    let out = import(&[pa.as_os_str(), pb.as_os_str(), "--out".as_ref(), spec.as_os_str()], &spec);
    assert!(out.status.success(), "{}", text(&out));
    let errors = std::fs::read_to_string(spec.join("errors.yaml")).expect("errors");
    assert_eq!(errors.matches("code: \"998-003\"").count(), 1, "{errors}");
    ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
}

#[test]
fn a_directory_without_pages_is_an_error_not_an_empty_success() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = catalogs_only(dir.path());
    let empty = dir.path().join("pages");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let out = import(&[empty.as_os_str(), "--out".as_ref(), spec.as_os_str()], &spec);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("holds no .txt page"), "{}", text(&out));
}
