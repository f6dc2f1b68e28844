//! Page wordings the importer once misread into drafts that still validated, each tried in
//! both layouts: `tests/import/flat_transfer.txt` (flattened `|` tables) and
//! `tests/import/lines_callinner.txt` (a cell per line), changed in memory.

use std::path::Path;

use ccgen::import::{self, Imported};

fn page(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import").join(name)).expect("fixture")
}

fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    edits.iter().fold(text.to_owned(), |t, (from, to)| {
        assert_eq!(t.matches(from).count(), 1, "{from:?} must occur once");
        t.replacen(from, to, 1)
    })
}

fn import(text: &str) -> Imported {
    let context = import::read_context(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")).expect("catalogs");
    let imported = import::import_page(text, &import::options_from(&context));
    assert_eq!(imported.incomplete, Vec::new(), "the page is whole");
    if let Err(d) = import::validate(&context, &imported.rel_path, &imported.to_yaml()) {
        panic!("the draft does not validate:\n{}\n{}", d.render(), imported.to_yaml());
    }
    imported
}

fn warnings(imported: &Imported) -> String {
    imported.warnings.iter().map(|w| format!("{w}\n")).collect()
}

fn flat(edits: &[(&str, &str)]) -> Imported {
    import(&edit(&page("flat_transfer.txt"), edits))
}

fn lines(edits: &[(&str, &str)]) -> Imported {
    import(&edit(&page("lines_callinner.txt"), edits))
}

#[test]
fn a_log_name_of_none_names_no_method() {
    // Named after the path's verb (spec/README.md, "Names of drafted interfaces").
    for (imported, name) in [
        (flat(&[("Method Name in Logs\ntransfer\n", "Method Name in Logs\nNone\n")]), "transfer"),
        (lines(&[("Method Name in Logs\n\ncallInner", "Method Name in Logs\n\nNone")]), "callinner"),
    ] {
        // "None" is no log name: the draft leaves the key out rather than print `None`.
        assert_eq!(imported.draft.log_name, None);
        assert!(!imported.to_yaml().contains("log_name"), "{}", imported.to_yaml());
        assert_eq!(imported.draft.operation, name);
        assert!(imported.rel_path.ends_with(&format!("/{name}.yaml")), "{}", imported.rel_path);
        assert!(warnings(&imported).contains("the page gives no usable log name"), "{}", warnings(&imported));
    }
}

#[test]
fn the_title_suffix_is_the_log_name_in_any_case() {
    let a = flat(&[("Session Transfer: transfer\n", "Session Transfer: TRANSFER\n")]);
    assert_eq!(a.draft.title, "Session Transfer");
    assert_eq!(a.draft.source.page, "Session Transfer: TRANSFER");
    let b = lines(&[("Making an Internal Call\n", "Making an Internal Call: callinner\n")]);
    assert_eq!(b.draft.title, "Making an Internal Call");
    assert_eq!(b.draft.log_name.as_deref(), Some("callInner"));
}

#[test]
fn a_list_result_with_a_member_table_is_a_list_of_those_members() {
    let a = flat(&[(
        "Outcome text. |\nTriggered Event",
        "Outcome text. |\n3 |\nresult |\nList |\nThe waiting calls. |\nTable 5 Members of a waiting call\nNo. |\nParameter |\nValue Type |\nDescription |\n---|---|---|---|\n1 |\ncallid |\nString |\nCall of the list. |\nTriggered Event",
    )]);
    let b = lines(&[(
        "result\n\nstring\n\nAfter a call is successful, the unique call ID is returned.\n",
        "result\n\nlist\n\nThe waiting calls.\n\nTable 5 Members of a waiting call\n\nNo.\n\nParameter\n\nValue Type\n\nDescription\n\n1\n\ncallid\n\nstring\n\nCall of the list.\n",
    )]);
    for imported in [a, b] {
        let w = warnings(&imported);
        assert!(!w.contains("not modeled"), "{w}");
        let result = &imported.draft.response.result;
        assert_eq!(result.kind, "list");
        let fields: Vec<&str> = result.fields.iter().flatten().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["callid"]);
        // The example's result (none, or a call ID string) is no list: replaced, and said so.
        assert!(w.contains("but the table documents a list; replaced by []"), "{w}");
        assert!(
            imported.draft.quirks.iter().any(|q| q.contains("answers an empty list")),
            "{:?}",
            imported.draft.quirks
        );
    }
}

#[test]
fn call_id_results_are_known_in_other_wordings() {
    let a = flat(&[
        (
            "Outcome text. |\nTriggered Event",
            "Outcome text. |\n3 |\nresult |\nString |\n新呼叫的呼叫ID。 |\nTriggered Event",
        ),
        (
            "{ \"message\": \"success\", \"retcode\": \"0\" }",
            "{ \"message\": \"success\", \"retcode\": \"0\", \"result\": \"1552524689-16797285\" }",
        ),
    ]);
    let b = lines(&[("After a call is successful, the unique call ID is returned.", "Identifier of the new call.")]);
    for imported in [a, b] {
        assert_eq!(imported.draft.response.result.kind, "call_id", "{}", imported.to_yaml());
        assert!(!imported.to_yaml().contains("made-up call ID"), "{}", imported.to_yaml());
        assert!(!warnings(&imported).contains("replaced"), "{}", warnings(&imported));
    }
}

#[test]
fn defaults_stated_on_the_page_are_read() {
    let a = flat(&[(
        "Skill to use. This parameter is valid only when devicetype is set to 2.\n",
        "Skill to use. This parameter is valid only when devicetype is set to 2.\n8\nautoanswer\nBoolean\nNo\nAnswer at once. default: true\n",
    )]);
    let b = lines(&[("    Skill for the call.", "    Skill for the call. The default value is 3.")]);
    let default = |i: &Imported, name: &str| {
        i.draft.parameters.all().find(|p| p.name == name).and_then(|p| p.default.clone()).map(|d| d.to_string())
    };
    assert_eq!(default(&a, "autoanswer").as_deref(), Some("true"), "{}", a.to_yaml());
    assert_eq!(default(&b, "skillid").as_deref(), Some("3"), "{}", b.to_yaml());
}

#[test]
fn sections_that_say_none_are_quiet() {
    let a = flat(&[(
        "- Response parameter\n{ \"message\": \"success\", \"retcode\": \"0\" }",
        "- Response parameter\nNone",
    )]);
    let b = lines(&[(
        "Table 4 Parameters in the message body\n\nNo.\n\nParameter\n\nValue Type\n\nDescription\n\n1\n\nmessage\n\nstring\n\nOutcome text.\n\n2\n\nretcode\n\nstring\n\nOutcome code.\n\n3\n\nresult\n\nstring\n\nAfter a call is successful, the unique call ID is returned.\n",
        "None\n",
    )]);
    for imported in [a, b] {
        let w = warnings(&imported);
        assert!(!w.contains("not valid JSON"), "{w}");
        assert!(!w.contains("no response table"), "{w}");
        assert!(!w.contains("not placed (response description): None"), "{w}");
    }
}

/// Runs `ccgen import` on the fixture page `name` with `from` replaced by `to`, against the
/// repository's spec tree; the page lives in the returned folder.
fn import_edited(
    name: &str,
    from: &str,
    to: &str,
) -> (tempfile::TempDir, std::path::PathBuf, String, std::process::Output) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    let text = edit(&page(name), &[(from, to)]);
    std::fs::write(&path, &text).expect("page written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ccgen"))
        .arg("import")
        .arg(&path)
        .arg("--spec")
        .arg(&spec)
        .output()
        .expect("ccgen runs");
    (dir, path, text, out)
}

#[test]
fn a_draft_that_fails_its_checks_is_reported_at_the_page_line() {
    for (name, from, to) in [
        ("flat_transfer.txt", "ranges from 101 to 59999", "ranges from 60000 to 59999"),
        ("lines_callinner.txt", "ranges from 101 to 59999", "ranges from 60000 to 59999"),
    ] {
        let (_dir, path, text, out) = import_edited(name, from, to);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let prefix = format!("{}:", path.display());
        let line: usize = stderr
            .lines()
            .find_map(|l| l.strip_prefix(&prefix).filter(|rest| rest.contains(": error: range min 60000")))
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no page-located error in:\n{stderr}"));
        let at = text.lines().nth(line - 1).unwrap_or_default();
        assert!(at.contains("agentid"), "{name}:{line} is {at:?}, not the agentid row");
    }
}

#[test]
fn an_event_missing_from_the_catalog_is_added_and_reported_at_its_bullet() {
    // Once a refusal ("not in the event catalog"); a new event is what new pages bring.
    for (name, from, to) in [
        ("flat_transfer.txt", "- AgentEvent_Talking\n", "- AgentEvent_Bogus\n"),
        ("lines_callinner.txt", "  • AgentState_Busy\n", "  • AgentState_Bogus\n"),
    ] {
        let (_dir, path, text, out) = import_edited(name, from, to);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let prefix = format!("{}:", path.display());
        let line: usize = stderr
            .lines()
            .filter(|l| l.contains("events.yaml: added ") && l.contains("_Bogus"))
            .find_map(|l| l.split_once(&prefix).map(|(_, rest)| rest))
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no page-located catalog addition in:\n{stderr}"));
        let at = text.lines().nth(line - 1).unwrap_or_default();
        assert!(at.contains("Bogus"), "{name}:{line} is {at:?}, not the event's bullet");
    }
}
