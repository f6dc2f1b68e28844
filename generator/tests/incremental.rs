//! `generate` emits again only the interfaces whose inputs changed, and
//! reuses the files of the others; whatever changes, the output is byte for
//! byte what a generation that reuses nothing gives.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn generate(spec: &Path, out: &Path) -> ccgen::pipeline::Outcome {
    ccgen::pipeline::generate(spec, out, false).unwrap_or_else(|d| panic!("{}", d.render()))
}

/// Every file below `dir` but ccgen's own cache, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if entry.file_name() == ccgen::record::FOLDER {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn edit(spec: &Path, file: &str, from: &str, to: &str) {
    let path = spec.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} holds {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Two outputs go through the same edits: one generated with reuse, the
/// other with its cache and record removed before each run. They must stay identical,
/// changelog included. Each edit says how many interfaces it leaves to emit
/// again: `Some(n)`, or `None` for all of them.
#[test]
fn reusing_unchanged_interfaces_gives_the_output_of_a_full_generation() {
    let spec = tempfile::tempdir().unwrap();
    support::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"), spec.path());
    let (reused, full) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let interfaces = ccgen::pipeline::validate(spec.path()).unwrap().interfaces.len();
    assert_eq!(generate(spec.path(), reused.path()).reused, 0, "nothing to reuse the first time");
    generate(spec.path(), full.path());

    type Edit = fn(&Path);
    let edits: [(&str, Edit, Option<usize>); 7] = [
        (
            "one interface's summary",
            |s| edit(s, "voicecall/callinner.yaml", "summary: Places", "summary: Makes"),
            Some(1),
        ),
        (
            "an event's meaning, which pages show",
            |s| edit(s, "events.yaml", "meaning: The agent is busy handling a call.", "meaning: Busy with a call."),
            None,
        ),
        (
            "a type two interfaces shared, now defined apart",
            |s| {
                edit(
                    s,
                    "onlineagent/login.yaml",
                    "Kind of workstation the agent signs in with.",
                    "Kind of workstation.",
                )
            },
            None,
        ),
        (
            "the event-polling interface's path, which every sequence figure names",
            |s| edit(s, "agentevent/poll.yaml", "path: /agentevent/{agentid}", "path: /agentevent/{agentid}/next"),
            None,
        ),
        (
            "an API-wide setting",
            |s| edit(s, "api.yaml", "base_path: /agentgateway/resource", "base_path: /agentgateway/v2"),
            None,
        ),
        ("an interface removed", |s| fs::remove_file(s.join("voicecall/hold.yaml")).unwrap(), Some(0)),
        ("an output edited by hand", |_| {}, Some(2)),
    ];
    let mut interfaces = interfaces;
    for (what, change, expect) in edits {
        change(spec.path());
        if what == "an interface removed" {
            interfaces -= 1;
        }
        if what == "an output edited by hand" {
            // Not reused although its key is unchanged: its bytes are not the ones recorded.
            let file = reused.path().join("src/voicecall/callinner.rs");
            let text = fs::read_to_string(&file).unwrap();
            fs::write(&file, text.replacen("pub struct Request", "pub struct Edited", 1)).unwrap();
            // Something else changes too, or the run would be a no-op proven by the record.
            edit(spec.path(), "voicecall/answer.yaml", "summary: ", "summary: Now, ");
        }
        // No cache and no record: nothing is reused, and the changelog compares
        // the recorded API with the one this generator gives for the old specs.
        let _ = fs::remove_dir_all(full.path().join(ccgen::record::FOLDER));
        let outcome = generate(spec.path(), reused.path());
        assert_eq!(generate(spec.path(), full.path()).reused, 0, "{what}: the full run reused nothing");
        assert_eq!(outcome.reused, expect.map_or(0, |n| interfaces - n), "{what}: interfaces reused");
        // Their methods in src/client.rs too: all but those of the interfaces emitted again.
        let api = ccgen::pipeline::validate(spec.path()).unwrap();
        let sessions = api.interfaces.iter().filter(|it| it.sends_guid).count();
        let (least, most) = match expect {
            Some(n) => (sessions.saturating_sub(n), sessions),
            None => (0, 0),
        };
        assert!((least..=most).contains(&outcome.reused_methods), "{what}: {} methods reused", outcome.reused_methods);
        let (a, b) = (tree(reused.path()), tree(full.path()));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: the same files");
        for (path, bytes) in &a {
            assert!(bytes == &b[path], "{what}: {path} differs from the full generation's");
        }
        assert!(!ccgen::pipeline::generate(spec.path(), reused.path(), true).unwrap().is_stale(), "{what}");
    }
}
