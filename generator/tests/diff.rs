//! `ccgen diff`: every classification, the three output formats, and reading trees from git.
//!
//! `tests/diff/base/` is a copy of `spec/` (five interfaces and the catalogs). Each test
//! derives a new tree from it by editing the YAML text in memory, compares base → edited, and
//! asserts the exact list of changes as (class, kind, subject). The three formats are
//! snapshotted on one mixed diff as `snapshots/diff__mixed_{text,markdown,json}.snap`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ccgen::diff::{Bump, Class, FailOn, Kind, Report};
use ccgen::ir::Api;
use ccgen::load::RawFile;
use semver::Version;

fn base_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff/base")
}

/// A spec tree in memory: relative path → text.
#[derive(Clone)]
struct Tree(BTreeMap<String, String>);

impl Tree {
    fn base() -> Self {
        let files = ccgen::load::read_dir(&base_dir()).unwrap_or_else(|d| panic!("{}", d.render()));
        Tree(files.into_iter().map(|f| (f.rel_path, String::from_utf8(f.bytes).expect("utf-8"))).collect())
    }

    /// Replaces the one occurrence of `from` in `file` by `to`.
    fn edit(mut self, file: &str, from: &str, to: &str) -> Self {
        let text = self.0.get_mut(file).unwrap_or_else(|| panic!("no file {file}"));
        assert_eq!(text.matches(from).count(), 1, "{file} must contain {from:?} exactly once");
        *text = text.replacen(from, to, 1);
        self
    }

    /// Appends `text` to `file`.
    fn append(mut self, file: &str, text: &str) -> Self {
        self.0.get_mut(file).unwrap_or_else(|| panic!("no file {file}")).push_str(text);
        self
    }

    fn remove(mut self, file: &str) -> Self {
        assert!(self.0.remove(file).is_some(), "no file {file}");
        self
    }

    fn add(mut self, file: &str, text: String) -> Self {
        assert!(self.0.insert(file.to_owned(), text).is_none(), "{file} exists");
        self
    }

    fn text(&self, file: &str) -> String {
        self.0[file].clone()
    }

    fn raw(&self) -> Vec<RawFile> {
        self.0.iter().map(|(p, t)| RawFile { rel_path: p.clone(), bytes: t.as_bytes().to_vec() }).collect()
    }

    fn api(&self) -> Api {
        ccgen::diff::load_tree("spec", &self.raw()).unwrap_or_else(|d| panic!("tree does not check:\n{}", d.render()))
    }

    fn write_to(&self, dir: &Path) {
        for (rel, text) in &self.0 {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
    }
}

/// base → `new`.
fn diff(new: &Tree) -> Report {
    ccgen::diff::diff(&Tree::base().api(), &new.api())
}

/// The version of the generated crate the bumps are named for.
fn v0_1() -> Version {
    Version::new(0, 1, 0)
}

/// The changes as (class, kind, subject), in report order.
fn rows(report: &Report) -> Vec<(Class, Kind, String)> {
    report.changes.iter().map(|c| (c.class, c.kind, c.subject.clone())).collect()
}

fn row(class: Class, kind: Kind, subject: &str) -> (Class, Kind, String) {
    (class, kind, subject.to_owned())
}

use Class::{Breaking, Compatible, Docs, Review};

const TRANSFER: &str = "mediacall/transfer.yaml";
const CALLINNER: &str = "voicecall/callinner.yaml";
const ASSIGN: &str = "calldata/assignuserinqueue.yaml";
const CONFNUM: &str = "voicecall/thirdpartyconftransmitnum.yaml";

const CALLER_PARAM: &str = "    - name: caller
      type: string
      required: false
      description: Calling number to present.
";

// ---------------------------------------------------------------------------------------------
// No change

#[test]
fn identical_trees_have_no_changes() {
    let report = diff(&Tree::base());
    assert!(report.is_empty(), "{report:#?}");
    assert_eq!(report.bump(&v0_1()), Bump::None);
    assert!(!report.fails(FailOn::Docs));
    assert_eq!(ccgen::diff::render_text(&report, &v0_1()), "no changes\nsuggested version bump: none (stays 0.1.0)\n");
}

#[test]
fn file_order_and_comments_are_not_changes() {
    let new = Tree::base().edit(TRANSFER, "# Session Transfer (multimedia).", "# A different comment.");
    assert!(diff(&new).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Breaking

#[test]
fn interface_removed_is_breaking() {
    let report = diff(&Tree::base().remove(ASSIGN));
    assert_eq!(rows(&report), [row(Breaking, Kind::InterfaceRemoved, "")]);
    assert_eq!(report.changes[0].interface.as_deref(), Some("assign_user_in_queue"));
    assert_eq!(report.changes[0].source, ASSIGN);
    assert_eq!(report.bump(&v0_1()), Bump::Minor, "the breaking bump of a 0.x crate");
    assert_eq!(report.bump(&Version::new(1, 4, 2)), Bump::Major);
}

#[test]
fn operation_renamed_on_the_same_file_is_breaking() {
    let report = diff(&Tree::base().edit(TRANSFER, "operation: transfer_media_call", "operation: transfer_session"));
    assert_eq!(rows(&report), [row(Breaking, Kind::InterfaceRenamed, "operation")]);
    let c = &report.changes[0];
    assert_eq!(c.interface.as_deref(), Some("transfer_session"));
    assert_eq!(
        c.message,
        "operation renamed: `transfer_media_call` → `transfer_session` (method `transfer_media_call` → `transfer_session`)"
    );
}

#[test]
fn interface_moved_to_another_file_is_breaking() {
    let base = Tree::base();
    let text = base.text(ASSIGN);
    let report = diff(&base.remove(ASSIGN).add("calldata/assign.yaml", text));
    assert_eq!(rows(&report), [row(Breaking, Kind::InterfaceMoved, "")]);
    assert!(
        report.changes[0].message.contains("module `calldata::assignuserinqueue` → `calldata::assign`"),
        "{}",
        report.changes[0].message
    );
}

#[test]
fn method_changed_is_breaking() {
    let report = diff(&Tree::base().edit(TRANSFER, "method: POST", "method: PUT"));
    assert_eq!(rows(&report), [row(Breaking, Kind::MethodChanged, "method")]);
    assert_eq!(report.changes[0].message, "HTTP method changed: POST → PUT");
}

#[test]
fn path_changed_is_breaking() {
    let report = diff(&Tree::base().edit(
        TRANSFER,
        "path: /mediacall/{agentid}/transfer",
        "path: /mediacall/{agentid}/handover",
    ));
    assert_eq!(rows(&report), [row(Breaking, Kind::PathChanged, "path")]);
}

#[test]
fn parameter_removed_is_breaking() {
    let new = Tree::base().edit(TRANSFER, CALLER_PARAM, "").edit(TRANSFER, r#" "caller": "88880021","#, "");
    assert_eq!(
        rows(&diff(&new)),
        [row(Breaking, Kind::ParamRemoved, "body parameter `caller`"), row(Docs, Kind::Docs, "examples")]
    );
}

#[test]
fn parameter_made_required_is_breaking() {
    let required = CALLER_PARAM.replace("required: false", "required: true");
    let report = diff(&Tree::base().edit(TRANSFER, CALLER_PARAM, &required));
    assert_eq!(rows(&report), [row(Breaking, Kind::ParamMadeRequired, "body parameter `caller`")]);
}

#[test]
fn required_parameter_added_is_breaking() {
    let added = format!(
        "{CALLER_PARAM}    - name: priority\n      type: integer\n      required: true\n      description: Priority.\n"
    );
    let new = Tree::base().edit(TRANSFER, CALLER_PARAM, &added).edit(
        TRANSFER,
        r#""calldata": "help" }"#,
        r#""calldata": "help", "priority": 1 }"#,
    );
    assert_eq!(
        rows(&diff(&new)),
        [row(Breaking, Kind::ParamAdded, "body parameter `priority`"), row(Docs, Kind::Docs, "examples")]
    );
}

#[test]
fn type_changed_is_breaking() {
    let new = Tree::base().edit(
        TRANSFER,
        "    - name: skillId\n      type: integer",
        "    - name: skillId\n      type: string",
    );
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Breaking, Kind::TypeChanged, "body parameter `skillId`")]);
    assert_eq!(report.changes[0].message, "type changed: integer → string");
}

#[test]
fn range_narrowed_is_breaking() {
    let report =
        diff(&Tree::base().edit(ASSIGN, "range: { min: 101, max: 999999 }", "range: { min: 101, max: 59999 }"));
    assert_eq!(rows(&report), [row(Breaking, Kind::ConstraintNarrowed, "path parameter `agentid`")]);
    assert_eq!(report.changes[0].message, "range 101–999999 → 101–59999 (narrowed)");
}

#[test]
fn range_shifted_is_breaking() {
    let report =
        diff(&Tree::base().edit(ASSIGN, "range: { min: 101, max: 999999 }", "range: { min: 200, max: 9999999 }"));
    assert_eq!(rows(&report), [row(Breaking, Kind::ConstraintNarrowed, "path parameter `agentid`")]);
    assert!(report.changes[0].message.contains("shifted"), "{}", report.changes[0].message);
}

#[test]
fn length_narrowed_and_limit_added_are_breaking() {
    let new = Tree::base().edit(TRANSFER, "chars: { max: 24 }", "chars: { max: 12 }").edit(
        TRANSFER,
        "      description: Calling number to present.\n",
        "      description: Calling number to present.\n      constraints:\n        bytes: { max: 32 }\n",
    );
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [
            row(Breaking, Kind::ConstraintNarrowed, "body parameter `caller`"),
            row(Breaking, Kind::TypeChanged, "body parameter `caller`"),
            row(Breaking, Kind::ConstraintNarrowed, "body parameter `address`"),
        ]
    );
    assert_eq!(report.changes[0].message, "size in bytes limited to 0–32 (narrowed)");
    assert_eq!(report.changes[1].message, "Rust type changes: plain string → validated newtype `Caller`");
    assert_eq!(report.changes[2].message, "length in characters 0–24 → 0–12 (narrowed)");
}

#[test]
fn pattern_added_is_breaking() {
    let new = Tree::base().edit(
        TRANSFER,
        "      description: Calling number to present.\n",
        "      description: Calling number to present.\n      constraints:\n        pattern: { regex: '^[0-9]*$', description: digits }\n",
    );
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [
            row(Breaking, Kind::ConstraintNarrowed, "body parameter `caller`"),
            row(Breaking, Kind::TypeChanged, "body parameter `caller`"),
        ]
    );
    // Narrower on the wire; in Rust, `Option<String>` becomes `Option<Caller>`.
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Breaking, Docs));
    assert_eq!((report.changes[1].wire, report.changes[1].rust), (Docs, Breaking));
}

#[test]
fn allowed_value_removed_is_breaking() {
    let new = Tree::base()
        .edit(TRANSFER, "          - { value: 4, name: system_access_code, description: system access code }\n", "")
        .edit(TRANSFER, "  - kind: allowed_values\n    param: mode\n    when: { param: devicetype, equals: 4 }\n    values: [0, 2]\n", "");
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [row(Breaking, Kind::ValueRemoved, "body parameter `devicetype`"), row(Compatible, Kind::RuleRemoved, "rules")]
    );
    assert_eq!(report.changes[0].message, "allowed value 4 (system_access_code) removed");
}

#[test]
fn allowed_value_renamed_is_breaking() {
    let report = diff(&Tree::base().edit(TRANSFER, "{ value: 2, name: agent,", "{ value: 2, name: single_agent,"));
    assert_eq!(rows(&report), [row(Breaking, Kind::ValueRenamed, "body parameter `devicetype`")]);
    assert_eq!(report.changes[0].message, "value 2 renamed: `Agent` → `SingleAgent`");
}

#[test]
fn rule_narrowed_is_breaking_and_widened_compatible() {
    let narrowed = Tree::base().edit(
        TRANSFER,
        "when: { param: devicetype, equals: 1 }\n    values: [0, 2]",
        "when: { param: devicetype, equals: 1 }\n    values: [0]",
    );
    let report = diff(&narrowed);
    assert_eq!(rows(&report), [row(Breaking, Kind::RuleChanged, "rules")]);
    assert_eq!(
        report.changes[0].message,
        "when `devicetype` is 1, `mode` takes one of 0: no longer allows 2 (narrowed)"
    );
    // The reverse direction widens.
    let report = ccgen::diff::diff(&narrowed.api(), &Tree::base().api());
    assert_eq!(rows(&report), [row(Compatible, Kind::RuleChanged, "rules")]);
}

#[test]
fn result_shape_changed_is_breaking() {
    let new = Tree::base().edit(CONFNUM, "    kind: reserved\n", "    kind: call_id\n").edit(
        CONFNUM,
        r#"response: { "message": "", "retcode": "0", "result": {} }"#,
        r#"response: { "message": "", "retcode": "0", "result": "1-2" }"#,
    );
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Breaking, Kind::ResultChanged, "result"), row(Docs, Kind::Docs, "examples")]);
    assert_eq!(report.changes[0].message, "result shape changed: reserved → call ID");
}

#[test]
fn result_fields_are_compared_as_output() {
    let object = "    kind: object\n    fields:\n      - { name: count, type: integer, required: true, description: How many. }\n";
    let old = Tree::base().edit(CONFNUM, "    kind: reserved\n", object).edit(
        CONFNUM,
        r#"response: { "message": "", "retcode": "0", "result": {} }"#,
        r#"response: { "message": "", "retcode": "0", "result": { "count": 1 } }"#,
    );
    let new = old.clone().edit(
        CONFNUM,
        object,
        "    kind: object\n    fields:\n      - { name: count, type: integer, required: false, description: How many. }\n      - { name: extra, type: string, description: More. }\n",
    );
    let report = ccgen::diff::diff(&old.api(), &new.api());
    assert_eq!(
        rows(&report),
        [
            row(Breaking, Kind::FieldMadeOptional, "result field `count`"),
            row(Compatible, Kind::FieldAdded, "result field `extra`")
        ]
    );
}

#[test]
fn reading_a_result_as_a_list_of_one_too_is_compatible_and_stopping_is_breaking() {
    let object = "    kind: object\n    fields:\n      - { name: count, type: integer, description: How many. }\n";
    let plain = Tree::base().edit(CONFNUM, "    kind: reserved\n", object).edit(
        CONFNUM,
        r#"response: { "message": "", "retcode": "0", "result": {} }"#,
        r#"response: { "message": "", "retcode": "0", "result": { "count": 1 } }"#,
    );
    let lenient = plain.clone().edit(CONFNUM, "    kind: object\n", "    kind: object\n    one_or_list: true\n");
    let widened = ccgen::diff::diff(&plain.api(), &lenient.api());
    assert_eq!(rows(&widened), [row(Compatible, Kind::ResultChanged, "result")]);
    assert_eq!(widened.changes[0].message, "result also read as a list of one object");
    let narrowed = ccgen::diff::diff(&lenient.api(), &plain.api());
    assert_eq!(rows(&narrowed), [row(Breaking, Kind::ResultChanged, "result")]);
}

#[test]
fn an_event_setting_another_agent_state_needs_review() {
    let ready = "  - name: AgentState_Ready\n    meaning: The agent is idle.\n    payload:\n      kind: \"null\"\n";
    let new = Tree::base().edit("events.yaml", ready, &format!("{ready}    agent_state: {{ becomes: idle }}\n"));
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Review, Kind::OtherChanged, "event `AgentState_Ready`")]);
    assert_eq!(report.changes[0].message, "agent state changed: none → idle");
}

#[test]
fn catalog_entries_removed_are_breaking() {
    let new = Tree::base()
        .edit(
            "errors.yaml",
            "  - code: \"000-000\"\n    name: unknown_error\n    meaning: The cause of the failure is unknown.\n    source: official\n    note: Listed in the error table of the configuration interfaces rather than the agent interface table.\n",
            "",
        )
        .edit(
            "events.yaml",
            "  - name: AgentConf_Ringing\n    meaning: The agent is being invited into an agent conference; the invitation can now be answered.\n    payload:\n      kind: object\n      fields:\n        - { name: confId, type: integer, description: ID of the conference. }\n",
            "",
        );
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [
            row(Breaking, Kind::ErrorRemoved, "error code 000-000"),
            row(Breaking, Kind::EventRemoved, "event `AgentConf_Ringing`"),
            row(Breaking, Kind::VariantsShifted, "EventKind"),
        ]
    );
    assert_eq!(report.changes[0].message, "error code removed: variant `UnknownError` disappears");
}

#[test]
fn parameter_moved_to_another_location_is_breaking() {
    const REQUESTCALL: &str = "voicecall/requestcall.yaml";
    let new = Tree::base().edit(REQUESTCALL, "  query:\n    - name: skillId", "  body:\n    - name: skillId").edit(
        REQUESTCALL,
        "    query: { skillId: 1 }",
        "    body: { \"skillId\": 1 }",
    );
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [row(Breaking, Kind::ParamMoved, "body parameter `skillId`"), row(Docs, Kind::Docs, "examples")]
    );
    assert_eq!(report.changes[0].message, "moved from the query to the body");
}

#[test]
fn event_payload_field_type_changed_is_breaking() {
    let new = Tree::base().edit(
        "events.yaml",
        "- { name: cause, type: integer, description: Cause code of the failure. }",
        "- { name: cause, type: string, description: Cause code of the failure. }",
    );
    assert_eq!(
        rows(&diff(&new)),
        [row(Breaking, Kind::TypeChanged, "event `AgentConf_RequestFailed` payload field `cause`")]
    );
}

#[test]
fn crate_renamed_is_breaking() {
    let report = diff(&Tree::base().edit("api.yaml", "crate_name: agentgateway", "crate_name: ccgateway"));
    assert_eq!(rows(&report), [row(Breaking, Kind::SettingChanged, "crate_name")]);
}

// ---------------------------------------------------------------------------------------------
// Review

#[test]
fn pattern_changed_needs_review() {
    let report = diff(&Tree::base().edit(CALLINNER, "regex: '^[0-9]{0,24}$'", "regex: '^\\+?[0-9]{0,24}$'"));
    assert_eq!(rows(&report), [row(Review, Kind::ConstraintChanged, "body parameter `caller`")]);
    assert_eq!(report.bump(&v0_1()), Bump::Minor, "review items count as breaking for the bump");
    assert_eq!(report.bump(&Version::new(2, 0, 0)), Bump::Major, "review items count as breaking for the bump");
    assert!(report.fails(FailOn::Breaking), "--fail-on breaking stops on what the bump counts as breaking");
    assert!(report.fails(FailOn::Review));
    // With no breaking change, the bump says why it is one all the same.
    let text = ccgen::diff::render_text(&report, &v0_1());
    assert!(text.contains("0 breaking, 1 to review"), "{text}");
    assert!(
        text.contains(
            "suggested version bump: minor (0.1.0 → 0.2.0, changes to review, counted as breaking, in a 0.x crate)"
        ),
        "{text}"
    );
}

/// Every request and answer carries these settings: a change of one is at
/// least as breaking as a change of one interface's path.
#[test]
fn wire_setting_changed_is_breaking() {
    let edits = [
        ("base_path: /agentgateway/resource", "base_path: /agentgateway/v2", "base_path"),
        ("header: Guid", "header: Token", "auth.header"),
        ("success: \"0\"", "success: \"00\"", "envelope.success"),
    ];
    for (from, to, key) in edits {
        let report = diff(&Tree::base().edit("api.yaml", from, to));
        assert_eq!(rows(&report), [row(Breaking, Kind::SettingChanged, key)], "{key}");
        assert!(report.fails(FailOn::Breaking), "{key}");
    }
}

#[test]
fn auth_header_no_longer_sent_needs_review_and_moves_the_method() {
    let report = diff(&Tree::base().edit("api.yaml", "not_sent_by: []", "not_sent_by: [call_inner]"));
    // Review on the wire; in Rust the method moves from `Session` to `Client`.
    assert_eq!(rows(&report), [row(Breaking, Kind::AuthChanged, "auth")]);
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Review, Breaking));
    assert_eq!(report.changes[0].interface.as_deref(), Some("call_inner"));
}

#[test]
fn session_effect_changed_is_breaking() {
    let report = diff(&Tree::base().edit(ASSIGN, "method: PUT\n", "method: PUT\nends_session: true\n"));
    assert_eq!(rows(&report), [row(Breaking, Kind::SessionChanged, "session")]);
    assert_eq!(report.changes[0].message, "effect on the session changed: none → ends");
}

// ---------------------------------------------------------------------------------------------
// Compatible

#[test]
fn interface_added_is_compatible() {
    let base = Tree::base();
    let text = base
        .text(ASSIGN)
        .replace("operation: assign_user_in_queue", "operation: assign_user_to_queue")
        .replace("path: /calldata/{agentid}/assignuserinqueue", "path: /calldata/{agentid}/assignusertoqueue");
    let report = diff(&base.add("calldata/assignusertoqueue.yaml", text));
    assert_eq!(rows(&report), [row(Compatible, Kind::InterfaceAdded, "")]);
    assert_eq!(report.bump(&v0_1()), Bump::Patch, "nothing breaks: a patch of a 0.x crate");
    assert_eq!(report.bump(&Version::new(1, 0, 0)), Bump::Minor);
    assert!(!report.fails(FailOn::Breaking));
    assert!(report.fails(FailOn::Compatible));
}

#[test]
fn optional_parameter_added_is_compatible() {
    let added = format!(
        "{CALLER_PARAM}    - name: note\n      type: string\n      required: false\n      description: A note.\n"
    );
    let report = diff(&Tree::base().edit(TRANSFER, CALLER_PARAM, &added));
    assert_eq!(rows(&report), [row(Compatible, Kind::ParamAdded, "body parameter `note`")]);
    // `Request` is non-exhaustive and gains a setter: compatible in Rust too.
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Compatible, Compatible));
    assert_eq!(report.changes[0].message, "optional parameter added, set with `Request::with_note`");
}

#[test]
fn parameter_made_optional_is_compatible_on_the_wire_but_breaks_request_new() {
    let new = Tree::base().edit(
        CALLINNER,
        "    - name: called\n      type: string\n      required: true",
        "    - name: called\n      type: string\n      required: false",
    );
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Breaking, Kind::ParamMadeOptional, "body parameter `called`")]);
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Compatible, Breaking));
    assert!(report.changes[0].message.contains("`Request::new` no longer takes it"), "{}", report.changes[0].message);
    assert_eq!(report.bump(&v0_1()), Bump::Minor);
}

#[test]
fn first_parameter_of_an_interface_without_request_breaks_its_method() {
    // thirdpartyconftransmitnum sends only the agent ID: its method takes no `Request` yet.
    let new = Tree::base().edit(
        CONFNUM,
        "        range: { min: 101, max: 59999 }\nresponse:",
        "        range: { min: 101, max: 59999 }\n  query:\n    - name: callid\n      type: string\n      required: false\n      description: A call.\nresponse:",
    );
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Breaking, Kind::ParamAdded, "query parameter `callid`")]);
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Compatible, Breaking));
}

#[test]
fn required_parameters_reordered_break_request_new_only() {
    // callid moves behind caller and devicetype: the same JSON body, but `new` takes
    // (devicetype, callid, ...) instead of (callid, devicetype, ...).
    let callid = "    - name: callid\n      type: string\n      required: true\n      description: ID of the session to transfer.\n";
    let devicetype_head = "    - name: devicetype\n";
    let mode_head = "    - name: mode\n";
    let base = Tree::base();
    let text = base.text(TRANSFER);
    let devicetype = &text[text.find(devicetype_head).expect("devicetype")..text.find(mode_head).expect("mode")];
    let new = base.clone().edit(TRANSFER, callid, "").edit(TRANSFER, devicetype, &format!("{devicetype}{callid}"));
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Breaking, Kind::ArgumentsReordered, "Request::new")]);
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Docs, Breaking));
    assert_eq!(
        report.changes[0].message,
        "`Request::new` takes its arguments in another order: (callid, devicetype, mode, address) → (devicetype, callid, mode, address)"
    );
}

#[test]
fn range_widened_is_compatible() {
    // The issue's example: 101–59999 → 101–999999.
    let report =
        diff(&Tree::base().edit(TRANSFER, "range: { min: 101, max: 59999 }", "range: { min: 101, max: 999999 }"));
    assert_eq!(rows(&report), [row(Compatible, Kind::ConstraintWidened, "path parameter `agentid`")]);
    assert_eq!(report.changes[0].message, "range 101–59999 → 101–999999 (widened)");
}

#[test]
fn length_widened_is_compatible() {
    let new = Tree::base().edit(TRANSFER, "chars: { max: 24 }", "chars: { max: 48 }");
    assert_eq!(rows(&diff(&new)), [row(Compatible, Kind::ConstraintWidened, "body parameter `address`")]);
}

#[test]
fn last_constraint_removed_widens_but_changes_the_rust_type() {
    let report = diff(&Tree::base().edit(TRANSFER, "      constraints:\n        bytes: { max: 2048 }\n", ""));
    assert_eq!(
        rows(&report),
        [
            row(Breaking, Kind::TypeChanged, "body parameter `calldata`"),
            row(Compatible, Kind::ConstraintWidened, "body parameter `calldata`"),
        ]
    );
    assert_eq!(report.changes[0].message, "Rust type changes: validated newtype `Calldata` → plain string");
    assert_eq!(report.changes[1].message, "size in bytes limit 0–2048 removed (widened)");
}

#[test]
fn allowed_value_added_is_compatible() {
    let new = Tree::base().edit(
        TRANSFER,
        "          - { value: 4, name: system_access_code, description: system access code }\n",
        "          - { value: 4, name: system_access_code, description: system access code }\n          - { value: 5, name: ivr, description: IVR }\n",
    );
    let report = diff(&new);
    assert_eq!(rows(&report), [row(Compatible, Kind::ValueAdded, "body parameter `devicetype`")]);
    assert_eq!(report.changes[0].message, "allowed value 5 (ivr) added");
}

#[test]
fn event_and_error_added_to_an_interface_are_compatible() {
    let new = Tree::base().edit(ASSIGN, "events: []", "events:\n  - AgentEvent_Talking").edit(
        ASSIGN,
        "errors:\n  - \"100-007\"",
        "errors:\n  - \"100-007\"\n  - \"000-002\"",
    );
    assert_eq!(
        rows(&diff(&new)),
        [row(Compatible, Kind::EventAdded, "events"), row(Compatible, Kind::ErrorAdded, "errors")]
    );
}

#[test]
fn event_and_error_dropped_from_an_interface_shrink_public_consts() {
    // The catalog variants stay; the interface stops listing them, so its public `EVENTS` and
    // `ERRORS` consts lose an entry: compatible on the wire, breaking for code relying on them.
    let new =
        Tree::base().edit(CALLINNER, "  - AgentEvent_Connect_Fail\n", "").edit(CALLINNER, "  - \"200-018\"\n", "");
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [row(Breaking, Kind::EventRemoved, "events"), row(Breaking, Kind::ErrorRemoved, "errors")]
    );
    for c in &report.changes {
        assert_eq!((c.wire, c.rust), (Compatible, Breaking), "{}", c.message);
    }
    assert!(
        report.changes[0].message.contains("`voicecall::callinner::EVENTS` const shrinks"),
        "{}",
        report.changes[0].message
    );
}

#[test]
fn catalog_entries_added_are_compatible() {
    let new = Tree::base()
        .edit(
            "errors.yaml",
            "codes:\n",
            "codes:\n  - code: \"998-001\"\n    name: brand_new\n    meaning: Something new.\n    source: official\n",
        )
        // The catalog is sorted by name: an event sorting last shifts no other variant.
        .append(
            "events.yaml",
            "  - name: Zz_New_Event\n    meaning: Something new happened.\n    payload:\n      kind: null\n",
        );
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [
            row(Compatible, Kind::ErrorAdded, "error code 998-001"),
            row(Compatible, Kind::EventAdded, "event `Zz_New_Event`")
        ]
    );
    assert_eq!(report.changes[0].message, "error code added: variant `BrandNew`");
}

// ---------------------------------------------------------------------------------------------
// Docs only

#[test]
fn interface_texts_are_docs_only() {
    let new = Tree::base()
        .edit(TRANSFER, "title: Session Transfer", "title: Transferring a Session")
        .edit(TRANSFER, "summary: Hands a multimedia session", "summary: Passes a multimedia session")
        .edit(TRANSFER, "  An agent desktop calls this", "  An agent application calls this")
        .edit(
            TRANSFER,
            "      description: Calling number to present.",
            "      description: Calling number shown to the callee.",
        )
        .edit(TRANSFER, "prerequisites: []", "prerequisites:\n  - The agent is signed in.")
        .edit(
            TRANSFER,
            "  - name: Transfer to an agent, releasing after the transfer",
            "  - name: Transfer to agent 205",
        )
        .edit(TRANSFER, "quirks:\n", "quirks:\n  - A new quirk.\n");
    let report = diff(&new);
    assert_eq!(
        rows(&report),
        [
            row(Docs, Kind::Docs, "body parameter `caller`"),
            row(Docs, Kind::Docs, "title"),
            row(Docs, Kind::Docs, "summary"),
            row(Docs, Kind::Docs, "description"),
            row(Docs, Kind::Docs, "prerequisites"),
            row(Docs, Kind::Docs, "examples"),
            row(Docs, Kind::Docs, "examples"),
            row(Docs, Kind::Docs, "quirks"),
        ]
    );
    assert_eq!(report.bump(&v0_1()), Bump::Patch);
    assert_eq!(report.bump(&Version::new(1, 0, 0)), Bump::Patch);
    assert!(!report.fails(FailOn::Compatible));
    assert!(report.fails(FailOn::Docs));
}

#[test]
fn catalog_meanings_are_docs_only() {
    let new = Tree::base()
        .edit(
            "errors.yaml",
            "meaning: The cause of the failure is unknown.",
            "meaning: The failure has no known cause.",
        )
        .edit(
            "events.yaml",
            "meaning: The agent's request for an agent conference failed.",
            "meaning: An agent conference could not be set up.",
        );
    assert_eq!(
        rows(&diff(&new)),
        [row(Docs, Kind::Docs, "error code 000-000"), row(Docs, Kind::Docs, "event `AgentConf_RequestFailed`")]
    );
}

// ---------------------------------------------------------------------------------------------
// Formats, on one mixed diff

fn mixed() -> Report {
    let base = Tree::base();
    let added = base
        .text(ASSIGN)
        .replace("operation: assign_user_in_queue", "operation: assign_user_to_queue")
        .replace("path: /calldata/{agentid}/assignuserinqueue", "path: /calldata/{agentid}/assignusertoqueue");
    let new = base
        .add("calldata/assignusertoqueue.yaml", added)
        .edit(TRANSFER, "range: { min: 101, max: 59999 }", "range: { min: 101, max: 999999 }")
        .edit(TRANSFER, "{ value: 2, name: release_after_transfer, description: release-after-transfer }", "{ value: 2, name: release_after_transfer, description: release | then transfer }")
        .edit(TRANSFER, "chars: { max: 24 }", "chars: { max: 12 }")
        .edit(TRANSFER, "          - { value: 4, name: system_access_code, description: system access code }\n", "")
        .edit(TRANSFER, "  - kind: allowed_values\n    param: mode\n    when: { param: devicetype, equals: 4 }\n    values: [0, 2]\n", "")
        .edit(CALLINNER, "regex: '^[0-9]{0,24}$'", "regex: '^\\+?[0-9]{0,24}$'")
        .edit(CALLINNER, "method: PUT", "method: POST")
        .edit("errors.yaml", "meaning: The cause of the failure is unknown.", "meaning: The failure has no known cause.")
        .edit("events.yaml", "events:\n", "events:\n  - name: AgentNew_Event\n    meaning: Something new happened.\n    payload:\n      kind: null\n");
    diff(&new)
}

#[test]
fn mixed_text() {
    insta::assert_snapshot!("mixed_text", ccgen::diff::render_text(&mixed(), &v0_1()));
}

#[test]
fn mixed_markdown() {
    insta::assert_snapshot!("mixed_markdown", ccgen::diff::render_markdown(&mixed(), &v0_1()));
}

#[test]
fn mixed_json() {
    let json = ccgen::diff::render_json(&mixed(), &v0_1());
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    // The bump for the crate's actual version: breaking changes in a 0.x crate are a minor bump.
    assert_eq!(value["bump"], "minor");
    assert_eq!((value["crate_version"].as_str(), value["next_version"].as_str()), (Some("0.1.0"), Some("0.2.0")));
    let on_1x: serde_json::Value =
        serde_json::from_str(&ccgen::diff::render_json(&mixed(), &Version::new(1, 2, 3))).expect("valid JSON");
    assert_eq!((on_1x["bump"].as_str(), on_1x["next_version"].as_str()), (Some("major"), Some("2.0.0")));
    assert_eq!(value["counts"]["breaking"], 4);
    insta::assert_snapshot!("mixed_json", json);
}

#[test]
fn mixed_changelog() {
    insta::assert_snapshot!("mixed_changelog", ccgen::diff::render_changelog(&mixed(), "## 0.2.0"));
    assert_eq!(ccgen::diff::render_changelog(&Report::default(), "## 0.2.0"), "");
}

/// The live spec tree, whatever it holds by now, compares equal to itself.
#[test]
fn live_spec_compared_with_itself_has_no_changes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let files = ccgen::load::read_dir(&dir).unwrap_or_else(|d| panic!("{}", d.render()));
    let api = ccgen::diff::load_tree("spec", &files).unwrap_or_else(|d| panic!("{}", d.render()));
    let report = ccgen::diff::diff(&api, &api);
    assert!(report.is_empty(), "{report:#?}");
}

// ---------------------------------------------------------------------------------------------
// Git revisions and the command line

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=ccgen test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?} failed");
}

#[test]
fn reads_trees_at_git_revisions() {
    let repo = tempfile::tempdir().expect("tempdir");
    let dir = repo.path();
    git(dir, &["init", "--quiet"]);
    Tree::base().write_to(&dir.join("spec"));
    std::fs::write(dir.join("spec/README.md"), "not a spec file\n").expect("write");
    git(dir, &["add", "."]);
    git(dir, &["commit", "--quiet", "-m", "first"]);
    Tree::base().edit(TRANSFER, "method: POST", "method: PUT").write_to(&dir.join("spec"));
    git(dir, &["commit", "--quiet", "-am", "second"]);

    let old = ccgen::diff::read_git(dir, "HEAD~1").unwrap_or_else(|d| panic!("{}", d.render()));
    let new = ccgen::diff::read_git(dir, "HEAD").unwrap_or_else(|d| panic!("{}", d.render()));
    let names: Vec<&str> = old.iter().map(|f| f.rel_path.as_str()).collect();
    assert_eq!(names, Tree::base().0.keys().map(String::as_str).collect::<Vec<_>>());
    let old = ccgen::diff::load_tree("HEAD~1:spec", &old).unwrap_or_else(|d| panic!("{}", d.render()));
    let new = ccgen::diff::load_tree("HEAD:spec", &new).unwrap_or_else(|d| panic!("{}", d.render()));
    assert_eq!(rows(&ccgen::diff::diff(&old, &new)), [row(Breaking, Kind::MethodChanged, "method")]);

    assert!(ccgen::diff::read_git(dir, "no-such-rev").is_err());

    // The command line: --from with and without --to (the working tree).
    Tree::base().edit(TRANSFER, "method: POST", "method: DELETE").write_to(&dir.join("spec"));
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ccgen"))
            .arg("diff")
            .arg("--repo")
            .arg(dir)
            .args(args)
            .output()
            .expect("run ccgen");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // This repository has no Cargo.toml: without a version the bump's scale is unknown, so diff
    // refuses instead of guessing.
    let (code, stdout, stderr) = run(&["--from", "HEAD~1", "--to", "HEAD"]);
    assert_eq!(code, Some(2), "{stdout}");
    assert!(stderr.contains("pass --crate-version"), "{stderr}");
    std::fs::write(dir.join("Cargo.toml"), "[workspace.package]\nversion = \"0.3.1\"\n").expect("write");
    let (code, stdout, _) = run(&["--from", "HEAD~1", "--to", "HEAD", "--format", "json"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("\"bump\": \"minor\"") && stdout.contains("\"next_version\": \"0.4.0\""), "{stdout}");
    let (code, stdout, _) = run(&["--from", "HEAD~1", "--to", "HEAD", "--crate-version", "1.2.0"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("suggested version bump: major (1.2.0 → 2.0.0, breaking changes)"), "{stdout}");
    let (code, stdout, _) = run(&["--from", "HEAD~1", "--to", "HEAD", "--fail-on", "breaking"]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("HTTP method changed: POST → PUT"), "{stdout}");
    let (code, stdout, _) = run(&["--from", "HEAD", "--format", "json"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("HTTP method changed: PUT → DELETE"), "{stdout}");
}

#[test]
fn command_line_exit_status() {
    let old = tempfile::tempdir().expect("tempdir");
    let new = tempfile::tempdir().expect("tempdir");
    Tree::base().write_to(old.path());
    Tree::base()
        .edit(TRANSFER, "range: { min: 101, max: 59999 }", "range: { min: 101, max: 999999 }")
        .write_to(new.path());
    let run = |fail_on: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ccgen"))
            .arg("diff")
            .arg(old.path())
            .arg(new.path())
            .args(fail_on)
            .output()
            .expect("run ccgen")
            .status
            .code()
    };
    assert_eq!(run(&[]), Some(0));
    assert_eq!(run(&["--fail-on", "breaking"]), Some(0));
    assert_eq!(run(&["--fail-on", "compatible"]), Some(1));
    assert_eq!(run(&["--fail-on", "docs"]), Some(1));
    // A changed pattern is for a person to judge, and may be breaking: the
    // breaking gate stops on it, as the bump counts it.
    Tree::base().edit(CALLINNER, "regex: '^[0-9]{0,24}$'", "regex: '^\\+?[0-9]{0,24}$'").write_to(new.path());
    assert_eq!(run(&["--fail-on", "breaking"]), Some(1));
    assert_eq!(run(&["--fail-on", "review"]), Some(1));
    // A tree that does not check is an error, not a difference: the status
    // `validate` gives invalid specs, not that of a command-line mistake.
    std::fs::write(new.path().join("errors.yaml"), "codes: [").expect("write");
    assert_eq!(run(&[]), Some(i32::from(ccgen::cli::EXIT_INVALID_SPECS)));
    std::fs::remove_dir_all(new.path()).expect("remove");
    assert_eq!(run(&[]), Some(i32::from(ccgen::cli::EXIT_INVALID_SPECS)), "a tree that is not there");
}

/// The bump is named on the scale Cargo reads the crate's version with.
#[test]
fn bump_follows_the_crate_version() {
    let breaking = diff(&Tree::base().remove(ASSIGN));
    let compatible = diff(&Tree::base().edit(TRANSFER, "chars: { max: 24 }", "chars: { max: 48 }"));
    let docs =
        diff(&Tree::base().edit(TRANSFER, "description: Calling number to present.", "description: Caller shown."));
    let cases = [
        ("0.0.3", [Bump::Patch, Bump::Patch, Bump::Patch], "0.0.4"),
        ("0.4.1", [Bump::Minor, Bump::Patch, Bump::Patch], "0.5.0"),
        ("1.2.3", [Bump::Major, Bump::Minor, Bump::Patch], "2.0.0"),
    ];
    for (version, bumps, next_after_breaking) in cases {
        let v = Version::parse(version).expect("semver");
        assert_eq!([breaking.bump(&v), compatible.bump(&v), docs.bump(&v)], bumps, "{version}");
        assert_eq!(ccgen::diff::next_version(&v, breaking.bump(&v)).to_string(), next_after_breaking);
    }
}

/// An event inserted before others, or allowed values reordered, shifts the implicit
/// discriminants of the generated fieldless enums: breaking in Rust (cargo-semver-checks says so
/// too), while appending is compatible.
#[test]
fn variants_inserted_before_others_or_reordered_shift_discriminants() {
    let first = Tree::base().edit(
        "events.yaml",
        "events:\n",
        "events:\n  - name: AgentNew_Event\n    meaning: Something new happened.\n    payload:\n      kind: null\n",
    );
    let report = diff(&first);
    assert_eq!(
        rows(&report),
        [
            row(Breaking, Kind::VariantsShifted, "EventKind"),
            row(Compatible, Kind::EventAdded, "event `AgentNew_Event`")
        ]
    );
    assert_eq!((report.changes[0].wire, report.changes[0].rust), (Docs, Breaking));

    let reordered = Tree::base().edit(
        TRANSFER,
        "          - { value: 0, name: blind, description: blind transfer }\n          - { value: 2, name: release_after_transfer, description: release-after-transfer }\n",
        "          - { value: 2, name: release_after_transfer, description: release-after-transfer }\n          - { value: 0, name: blind, description: blind transfer }\n",
    );
    assert_eq!(rows(&diff(&reordered)), [row(Breaking, Kind::VariantsShifted, "body parameter `mode`")]);
}

// ---------------------------------------------------------------------------------------------
// Every documentation text at once

/// Members of the IR that hold documentation only.
const DOC_KEYS: &[&str] =
    &["title", "summary", "description", "auth_description", "prerequisites", "quirks", "meaning", "note"];

/// Appends a word to every documentation text below `v`; returns how many texts it changed.
fn reword(v: &mut serde_json::Value) -> usize {
    use serde_json::Value as J;
    match v {
        J::Object(members) => members
            .iter_mut()
            .map(|(k, x)| match x {
                J::String(s) if DOC_KEYS.contains(&k.as_str()) => {
                    s.push_str(" Reworded.");
                    1
                }
                J::Array(items) if DOC_KEYS.contains(&k.as_str()) => items
                    .iter_mut()
                    .filter_map(|i| match i {
                        J::String(s) => {
                            s.push_str(" Reworded.");
                            Some(1)
                        }
                        _ => None,
                    })
                    .sum(),
                _ => reword(x),
            })
            .sum(),
        J::Array(items) => items.iter_mut().map(reword).sum(),
        _ => 0,
    }
}

/// A vendor rewording that reaches the specs: every documentation text of every file reworded
/// at once. Each is a docs-only change (on the wire and in Rust) with its file and place; none
/// is dropped or judged "review", and the bump stays a patch.
#[test]
fn every_reworded_text_is_a_docs_only_change_with_its_place() {
    let files = ccgen::load::read_dir(&base_dir()).unwrap_or_else(|d| panic!("{}", d.render()));
    let old = ccgen::diff::load_tree("spec", &files).unwrap_or_else(|d| panic!("{}", d.render()));
    let mut json = serde_json::to_value(&old).expect("the IR serializes");
    let texts = reword(&mut json);
    assert!(texts > 50, "only {texts} texts found to reword");
    let new: Api = serde_json::from_value(json).expect("the IR deserializes");
    let report = ccgen::diff::diff(&old, &new);
    for c in &report.changes {
        assert_eq!((c.class, c.wire, c.rust, c.kind), (Docs, Docs, Docs, Kind::Docs), "{c:?}");
        assert!(!c.source.is_empty() && !c.subject.is_empty(), "a change without its place: {c:?}");
    }
    // A reworded list entry is one entry removed and one added; every other text is one change.
    assert!(report.changes.len() >= texts, "{} changes for {texts} reworded texts", report.changes.len());
    assert_eq!(report.bump(&v0_1()), Bump::Patch);
    assert_eq!(report.bump(&Version::new(1, 0, 0)), Bump::Patch);
}
