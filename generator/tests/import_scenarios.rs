//! "The vendor changed its page": `ccgen import --update` on a copy of `spec/`, then `diff`.
//!
//! Each scenario takes one of two invented pages whose facts are those of a checked-in spec
//! (`tests/import/flat_transfer.txt` for `mediacall/transfer.yaml` in the flattened layout,
//! `tests/import/lines_callinner.txt` for `voicecall/callinner.yaml` with a cell per line,
//! `tests/import/flat_requestcall.txt` for `voicecall/requestcall.yaml`, which has a query
//! parameter),
//! changes it the way a vendor might, and runs the command line on a copy of `spec/`. It
//! asserts the outcome (updated or refused), the verdict and bump `ccgen::diff` gives for the
//! spec change, how many spec lines changed (added plus removed), that no other file changed,
//! that `--compare` then agrees with the page and that a second `--update` changes nothing.
//! Before the change, `--update` with the unchanged page must leave the spec as it is (and
//! records the page's wording in the copy's `import.lock`, so rewordings are seen).
//!
//! The expectations are the table [`SCENARIOS`]: one row per scenario.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use ccgen::diff::{Bump, Class};

const TRANSFER: (&str, &str) = ("flat_transfer.txt", "mediacall/transfer.yaml");
const CALLINNER: (&str, &str) = ("lines_callinner.txt", "voicecall/callinner.yaml");
const REQUESTCALL: (&str, &str) = ("flat_requestcall.txt", "voicecall/requestcall.yaml");

/// How the page is changed.
enum Change {
    /// Text replacements, each of which must match the page exactly once.
    Edit(&'static [(&'static str, &'static str)]),
    /// Only the first lines of the page are kept.
    Truncate(usize),
    /// A byte-order mark in front and CRLF line ends.
    BomCrlf,
}

/// What `--update` must do.
#[derive(Debug, PartialEq)]
enum Outcome {
    Updated,
    /// Refused with a message that names a page line and contains this text.
    Refused(&'static str),
}

struct Scenario {
    name: &'static str,
    page: (&'static str, &'static str),
    change: Change,
    outcome: Outcome,
    /// Most severe class `diff` reports; `None` when the spec did not change.
    verdict: Option<Class>,
    bump: Bump,
    /// Lines added plus lines removed in the spec file.
    spec_lines: usize,
    /// Texts the command's output must contain (notes the reviewer must see).
    says: &'static [&'static str],
}

use Change::*;
use Outcome::*;

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "range widened",
        page: TRANSFER,
        change: Edit(&[("ranges from 101 to 59999", "ranges from 101 to 69999")]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 2,
        says: &["range is 101..=69999 on the page"],
    },
    Scenario {
        name: "range narrowed",
        page: TRANSFER,
        change: Edit(&[("ranges from 101 to 59999", "ranges from 101 to 50000")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 2,
        says: &[],
    },
    Scenario {
        name: "optional parameter added",
        page: CALLINNER,
        change: Edit(&[(
            "    Not used for internal calls.",
            "    Not used for internal calls.\n\n    6\n\n    ringtime\n\n    int\n\n    No\n\n    Seconds to ring.",
        )]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 4,
        says: &["added body parameter ringtime"],
    },
    Scenario {
        name: "optional parameter removed",
        page: CALLINNER,
        change: Edit(&[("    3\n\n    skillid\n\n    int\n\n    No\n\n    Skill for the call.\n\n", "")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 4,
        says: &["removed body parameter skillid"],
    },
    Scenario {
        name: "parameter renamed",
        page: CALLINNER,
        change: Edit(&[("    skillid\n", "    skillId\n")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 4,
        says: &["removed body parameter skillid", "added body parameter skillId"],
    },
    Scenario {
        name: "required parameter made optional",
        page: CALLINNER,
        change: Edit(&[("    called\n\n    string\n\n    Yes", "    called\n\n    string\n\n    No")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 2,
        says: &[],
    },
    Scenario {
        name: "optional parameter made required, the curated example follows",
        page: CALLINNER,
        change: Edit(&[("    skillid\n\n    int\n\n    No", "    skillid\n\n    int\n\n    Yes")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 4,
        says: &["skillid is now required; the example sends the made-up 1"],
    },
    Scenario {
        name: "type changed, the curated example converted",
        page: TRANSFER,
        change: Edit(&[("caller\nString\nNo", "caller\nInteger\nNo")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 4,
        says: &["caller is now 88880021 (was '88880021')"],
    },
    Scenario {
        name: "query parameter type changed, the curated example converted",
        page: REQUESTCALL,
        change: Edit(&[("skillId |\nint |", "skillId |\nstring |")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 4,
        says: &["skillId is now '1' (was 1)"],
    },
    Scenario {
        name: "parameter removed that a curated rule names",
        page: TRANSFER,
        change: Edit(&[(
            "7\nskillId\nInteger\nNo\nSkill to use. This parameter is valid only when devicetype is set to 2.\n",
            "",
        )]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 8,
        says: &["removed body parameter skillId", "removed rule `only_when skillId when devicetype = 2`"],
    },
    Scenario {
        name: "allowed value added",
        page: TRANSFER,
        change: Edit(&[("4: system access code\n4\n", "4: system access code\n5: voice mailbox\n4\n")]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 1,
        says: &["values is [1, 2, 4, 5] on the page"],
    },
    Scenario {
        name: "allowed value removed with the rule that names it",
        page: TRANSFER,
        change: Edit(&[
            ("2: agent\n4: system access code\n4\n", "2: agent\n4\n"),
            (
                "When devicetype is set to 4, the options are as follows:\n0: blind transfer\n2: release-after-transfer\n",
                "",
            ),
        ]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 5,
        says: &["removed rule `allowed_values mode when devicetype = 4`"],
    },
    Scenario {
        name: "allowed value added that no per-value rule admits",
        page: TRANSFER,
        change: Edit(&[(
            "How to move the session. For details, see Table 4.\n",
            "How to move the session. For details, see Table 4.\n0: blind transfer\n2: release-after-transfer\n3: consult transfer\n",
        )]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 1,
        says: &["mode gained the value 3, which no allowed_values rule of mode admits"],
    },
    Scenario {
        name: "allowed value added to every per-value rule",
        page: TRANSFER,
        change: Edit(&[(
            "When devicetype is set to 1, the options are as follows:\n0: blind transfer\n2: release-after-transfer\n",
            "When devicetype is set to 1, the options are as follows:\n0: blind transfer\n2: release-after-transfer\n3: consult transfer\n",
        )]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 3,
        says: &["rule `allowed_values mode when devicetype = 1`: values are now [0, 2, 3]"],
    },
    Scenario {
        name: "event added",
        page: CALLINNER,
        change: Edit(&[(
            "  • AgentEvent_Connect_Fail\n",
            "  • AgentEvent_Connect_Fail\n\n  • AgentEvent_Call_Release\n",
        )]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 1,
        says: &["event AgentEvent_Call_Release: on the page, not in the spec"],
    },
    Scenario {
        name: "event removed",
        page: CALLINNER,
        change: Edit(&[("  • AgentState_Busy\n\n", "")]),
        outcome: Updated,
        // Compatible on the wire; the Rust API's public `EVENTS` const shrinks.
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 1,
        says: &["event AgentState_Busy: in the spec, not on the page"],
    },
    Scenario {
        name: "error code added",
        page: CALLINNER,
        change: Edit(&[("  • 200-018\n", "  • 200-018\n\n  • 100-001\n")]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 1,
        says: &["error code 100-001: on the page, not in the spec"],
    },
    Scenario {
        name: "error code removed",
        page: CALLINNER,
        change: Edit(&[("  • 100-007\n\n", "")]),
        outcome: Updated,
        // Compatible on the wire; the Rust API's public `ERRORS` const shrinks.
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 1,
        says: &["error code 100-007: in the spec, not on the page"],
    },
    Scenario {
        name: "method changed",
        page: TRANSFER,
        change: Edit(&[("must be set to POST.", "must be set to PUT.")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 2,
        says: &["method: page says \"PUT\""],
    },
    Scenario {
        name: "path changed",
        page: TRANSFER,
        change: Edit(&[("mediacall/{agentid}/transfer\n", "mediacall/{agentid}/transferSession\n")]),
        outcome: Updated,
        verdict: Some(Class::Breaking),
        bump: Bump::Minor,
        spec_lines: 2,
        says: &[],
    },
    Scenario {
        name: "description reworded: the curated wording stays",
        page: CALLINNER,
        change: Edit(&[("    Skill for the call.", "    The skill the call uses.")]),
        outcome: Updated,
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &["the vendor reworded parameter skillid since the last import", "nothing to change"],
    },
    Scenario {
        name: "several changes at once",
        page: TRANSFER,
        change: Edit(&[
            ("ranges from 101 to 59999", "ranges from 101 to 69999"),
            ("4: system access code\n4\n", "4: system access code\n5: voice mailbox\n4\n"),
            ("- 106-012\n", "- 106-012\n- 100-001\n"),
        ]),
        outcome: Updated,
        verdict: Some(Class::Compatible),
        bump: Bump::Patch,
        spec_lines: 4,
        says: &[],
    },
    Scenario {
        name: "page cut off inside the parameter table",
        page: CALLINNER,
        change: Truncate(118),
        outcome: Refused("the page ends inside a table"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "flattened page cut off inside a row",
        page: TRANSFER,
        change: Truncate(97),
        outcome: Refused("a table row is cut short"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "last parameter row cut to its number and name",
        page: TRANSFER,
        change: Edit(&[("Integer\nNo\nSkill to use. This parameter is valid only when devicetype is set to 2.\n", "")]),
        outcome: Refused("a table row is cut short"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "last parameter row cut after its type",
        page: TRANSFER,
        change: Edit(&[("No\nSkill to use. This parameter is valid only when devicetype is set to 2.\n", "")]),
        outcome: Refused("a table row is cut short"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "page cut off inside its error code list",
        page: TRANSFER,
        change: Truncate(114),
        outcome: Refused("the page ends in its \"Error Code\" list"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "page without its Method Name in Logs section",
        page: TRANSFER,
        change: Edit(&[("Method Name in Logs\ntransfer\n", "")]),
        outcome: Refused("no \"Method Name in Logs\" section"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "section heading with nothing under it",
        page: CALLINNER,
        change: Edit(&[("  • 000-002\n\n  • 100-006\n\n  • 100-007\n\n  • 200-018\n\n", "")]),
        outcome: Refused("has nothing under it"),
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &[],
    },
    Scenario {
        name: "unchanged page with a byte-order mark and CRLF line ends",
        page: CALLINNER,
        change: BomCrlf,
        outcome: Updated,
        verdict: None,
        bump: Bump::None,
        spec_lines: 0,
        says: &["nothing to change"],
    },
];

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    ccgen::load::read_dir(dir)
        .unwrap_or_else(|d| panic!("{}", d.render()))
        .into_iter()
        .map(|f| (f.rel_path, String::from_utf8(f.bytes).expect("utf-8")))
        .collect()
}

fn write_tree(tree: &BTreeMap<String, String>, dir: &Path) {
    for (rel, text) in tree {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

fn changed_page(s: &Scenario) -> String {
    let text = std::fs::read_to_string(repo().join("generator/tests/import").join(s.page.0)).expect("fixture");
    match &s.change {
        Edit(edits) => edits.iter().fold(text, |t, (from, to)| {
            assert_eq!(t.matches(from).count(), 1, "{}: {from:?} must occur once in the page", s.name);
            t.replacen(from, to, 1)
        }),
        Truncate(n) => text.lines().take(*n).map(|l| format!("{l}\n")).collect(),
        BomCrlf => format!("\u{feff}{}", text.replace('\n', "\r\n")),
    }
}

fn ccgen(spec: &Path, page: &Path, mode: &str, target: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccgen"))
        .arg("import")
        .arg(page)
        .arg("--spec")
        .arg(spec)
        .arg(mode)
        .arg(target)
        .output()
        .expect("ccgen runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn changed_lines(old: &str, new: &str) -> usize {
    similar::TextDiff::from_lines(old, new).iter_all_changes().filter(|c| c.tag() != similar::ChangeTag::Equal).count()
}

fn run(s: &Scenario) -> Vec<String> {
    let mut failures = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            failures.push(format!("{}: {what}", s.name));
        }
    };
    let before = read_tree(&repo().join("spec"));
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec");
    write_tree(&before, &spec);
    let target = spec.join(s.page.1);

    // The spec was last imported from the unchanged page: that records its wording, and
    // changes no byte of the spec.
    let unchanged = dir.path().join("unchanged.txt");
    std::fs::copy(repo().join("generator/tests/import").join(s.page.0), &unchanged).expect("page copied");
    let baseline = ccgen(&spec, &unchanged, "--update", &target);
    check(baseline.status.success(), format!("--update with the unchanged page failed:\n{}", text(&baseline)));
    check(
        read_tree(&spec) == before,
        format!("--update with the unchanged page changed the spec:\n{}", text(&baseline)),
    );

    let page = dir.path().join("page.txt");
    std::fs::write(&page, changed_page(s)).expect("page written");

    let updated = ccgen(&spec, &page, "--update", &target);
    let said = text(&updated);
    match &s.outcome {
        Updated => check(updated.status.success(), format!("--update failed:\n{said}")),
        Refused(why) => {
            check(!updated.status.success(), format!("--update succeeded:\n{said}"));
            check(said.contains(why), format!("the refusal does not say {why:?}:\n{said}"));
            check(
                said.contains("page.txt:") && said.contains(": error: "),
                format!("the refusal names no page line:\n{said}"),
            );
        }
    }
    for expected in s.says {
        check(said.contains(expected), format!("the output does not say {expected:?}:\n{said}"));
    }

    let after = read_tree(&spec);
    for (rel, text) in &before {
        if rel != s.page.1 {
            check(after.get(rel) == Some(text), format!("{rel} changed"));
        }
    }
    check(after.len() == before.len(), "files were added or removed".to_owned());
    let lines = changed_lines(&before[s.page.1], &after[s.page.1]);
    let unified = similar::TextDiff::from_lines(&before[s.page.1], &after[s.page.1]).unified_diff().to_string();
    check(lines == s.spec_lines, format!("{lines} spec lines changed, expected {}:\n{unified}", s.spec_lines));

    let to_raw = |tree: &BTreeMap<String, String>| -> Vec<ccgen::load::RawFile> {
        tree.iter().map(|(p, t)| ccgen::load::RawFile { rel_path: p.clone(), bytes: t.as_bytes().to_vec() }).collect()
    };
    let old = ccgen::diff::load_tree("spec", &to_raw(&before)).unwrap_or_else(|d| panic!("{}", d.render()));
    match ccgen::diff::load_tree("spec", &to_raw(&after)) {
        Ok(new) => {
            let report = ccgen::diff::diff(&old, &new);
            // The bump is named for the generated crate's own version, a 0.x one.
            let version = semver::Version::new(0, 1, 0);
            let rendered = ccgen::diff::render_text(&report, &version);
            check(
                report.worst() == s.verdict,
                format!("verdict {:?}, expected {:?}:\n{rendered}", report.worst(), s.verdict),
            );
            let bump = report.bump(&version);
            check(bump == s.bump, format!("bump {bump:?}, expected {:?}:\n{rendered}", s.bump));
        }
        Err(d) => check(false, format!("the updated tree does not check:\n{}", d.render())),
    }

    if s.outcome == Updated {
        let compared = ccgen(&spec, &page, "--compare", &target);
        check(compared.status.success(), format!("--compare disagrees after --update:\n{}", text(&compared)));
        let again = ccgen(&spec, &page, "--update", &target);
        check(again.status.success(), format!("a second --update failed:\n{}", text(&again)));
        check(read_tree(&spec) == after, "a second --update changed the spec".to_owned());
    }
    failures
}

#[test]
fn docs_change_scenarios() {
    assert!(SCENARIOS.len() >= 15);
    // Each scenario runs the command line a few times; four at a time keep the suite short.
    let chunks: Vec<&[Scenario]> = SCENARIOS.chunks(SCENARIOS.len().div_ceil(4)).collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            chunks.iter().map(|chunk| scope.spawn(move || chunk.iter().flat_map(run).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("scenario thread")).collect()
    });
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn compare_reports_a_rewording_until_update_records_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec");
    write_tree(&read_tree(&repo().join("spec")), &spec);
    let target = spec.join(CALLINNER.1);
    let unchanged = repo().join("generator/tests/import").join(CALLINNER.0);
    assert!(ccgen(&spec, &unchanged, "--update", &target).status.success());
    assert!(ccgen(&spec, &unchanged, "--compare", &target).status.success());

    let page = dir.path().join("page.txt");
    let text = std::fs::read_to_string(&unchanged).expect("fixture");
    std::fs::write(&page, text.replacen("    Skill for the call.", "    The skill the call uses.", 1)).expect("page");
    let compared = ccgen(&spec, &page, "--compare", &target);
    assert!(!compared.status.success(), "{}", self::text(&compared));
    let line = text.lines().position(|l| l == "    skillid").expect("skillid row") + 1;
    let expected = format!("the vendor reworded parameter skillid since the last import (page line {line};");
    assert!(self::text(&compared).contains(&expected), "{}", self::text(&compared));

    assert!(ccgen(&spec, &page, "--update", &target).status.success());
    let again = ccgen(&spec, &page, "--compare", &target);
    assert!(again.status.success(), "{}", self::text(&again));
}

/// A vendor fact the spec tree cannot take (here a parameter the page now declares twice)
/// makes `--update` refuse, and the refusal names the page line the fact came from, not only a
/// line of the merged spec, which exists only in memory. (An event or error code the catalogs
/// lack is no longer refused: the catalogs grow from the page.)
#[test]
fn a_refused_update_points_at_the_page_line_of_the_fact() {
    let cases = [("\ncaller\nString\n", "\ncallid\nString\n", "callid")];
    for (from, to, fact) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = dir.path().join("spec");
        let before = read_tree(&repo().join("spec"));
        write_tree(&before, &spec);
        let text = std::fs::read_to_string(repo().join("generator/tests/import").join(TRANSFER.0)).expect("fixture");
        assert_eq!(text.matches(from).count(), 1, "{from:?}");
        let changed = text.replacen(from, to, 1);
        let page = dir.path().join("page.txt");
        std::fs::write(&page, &changed).expect("page");
        let out = ccgen(&spec, &page, "--update", &spec.join(TRANSFER.1));
        let said = self::text(&out);
        assert!(!out.status.success(), "{said}");
        let line = changed.lines().position(|l| l == fact).expect("the fact's line") + 1;
        assert!(said.contains(&format!("page.txt:{line}: error: ")), "no error at page line {line}:\n{said}");
        assert!(read_tree(&spec) == before, "the spec tree changed");
    }
}
