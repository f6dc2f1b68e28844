//! The markdown reference emitter: the pages every tree has, links that
//! resolve, spec text that cannot break the markdown, strict templates and
//! deterministic output.
//!
//! The pages emitted from the real specs are checked in under
//! `generated/docs/` and guarded by the freshness test, so they are not
//! snapshotted here: adding an interface needs its spec file plus `generate`
//! only. The page checks below run on the real specs and, in
//! `an_added_interface_passes_every_page_check`, on a copy with one more
//! interface.

mod support;
use support::copy_dir;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ccgen::emit::{GENERATED_MARKER, OutputFile};
use ccgen::ir::{Api, Payload, ResultShape, Rule, Type};

fn spec_api() -> Api {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec"));
    match ccgen::pipeline::validate(dir) {
        Ok(api) => api,
        Err(d) => panic!("spec/ does not validate:\n{}", d.render()),
    }
}

fn emit(api: &Api) -> Vec<OutputFile> {
    match ccgen::emit::docs::emit(api) {
        Ok(files) => files,
        Err(d) => panic!("docs emitter failed:\n{}", d.render()),
    }
}

#[test]
fn every_tree_has_the_fixed_pages() {
    let files = emit(&spec_api());
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for fixed in ["docs/README.md", "docs/SUMMARY.md", "docs/errors.md", "docs/events.md", "docs/book.toml"] {
        assert!(paths.contains(&fixed), "{fixed} not emitted; got {paths:?}");
    }
}

#[test]
fn every_file_starts_with_the_marker() {
    for file in emit(&spec_api()) {
        let first = file.contents.lines().next().unwrap_or_default();
        assert!(first.contains(GENERATED_MARKER), "{}: first line lacks the marker: {first}", file.path);
        if file.path.ends_with(".md") {
            assert!(
                first.starts_with("<!-- ") && first.ends_with(" -->"),
                "{}: marker is not an HTML comment",
                file.path
            );
            assert!(first.contains("from spec/"), "{}: marker does not name its spec: {first}", file.path);
        } else {
            assert!(first.starts_with("# "), "{}: marker is not a TOML comment", file.path);
        }
    }
}

#[test]
fn interface_pages_follow_the_layout() {
    check_layout(&spec_api());
}

fn check_layout(api: &Api) {
    let files = emit(api);
    for it in &api.interfaces {
        let path = format!("docs/{}/{}.md", it.resource.wire, it.module.wire);
        let page = &files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not emitted")).contents;
        assert!(page.contains(&format!("from spec/{}.", it.source)), "{path}: marker does not name spec/{}", it.source);
        assert!(page.contains(&format!("pub async fn {}(", it.operation.rust)), "{path}: no Rust signature");
        // Examples build requests as users must: through `Request::new` and setters.
        assert!(!page.contains("::Request {"), "{path}: a Request struct literal");
        let receiver = if it.sends_guid { "agentgateway::Session" } else { "agentgateway::Client" };
        assert!(page.contains(receiver), "{path}: method not documented on {receiver}");
        assert_eq!(
            page.contains("| `Guid` |"),
            it.sends_guid,
            "{path}: auth header row present iff the interface sends it"
        );
        assert!(
            page.contains(&format!("https://{{host}}:{}{}", api.settings.default_port, api.settings.base_path)),
            "{path}: no URL template"
        );
    }
}

#[test]
fn documented_signatures_match_the_generated_client() {
    check_signatures(&spec_api());
}

fn check_signatures(api: &Api) {
    let rust = ccgen::emit::rust::emit(api).unwrap_or_else(|d| panic!("Rust emitter failed:\n{}", d.render()));
    let client = &rust.iter().find(|f| f.path == "src/client.rs").expect("src/client.rs emitted").contents;
    // Compare modulo layout and path qualification.
    let norm = |s: &str| {
        let flat: String =
            s.replace("crate::", "").replace("agentgateway::", "").chars().filter(|c| !c.is_whitespace()).collect();
        flat.replace(",)", ")")
    };
    let client = norm(client);
    let docs = emit(api);
    for it in &api.interfaces {
        let path = format!("docs/{}/{}.md", it.resource.wire, it.module.wire);
        let page = &docs.iter().find(|f| f.path == path).expect("page emitted").contents;
        let sig =
            page.lines().find(|l| l.starts_with("pub async fn ")).unwrap_or_else(|| panic!("{path}: no signature"));
        assert!(
            client.contains(&format!("{}{{", norm(sig))),
            "{path}: documented signature not in the generated client: {sig}"
        );
    }
}

// ---------------------------------------------------------------- links

/// `(target, line)` of every inline link outside fenced code blocks.
fn links(markdown: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, line) in outside_fences(markdown) {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '[' && !escaped(&chars, i) {
                // Find the matching unescaped `]`.
                let mut depth = 0;
                let mut j = i;
                let mut close = None;
                while j < chars.len() {
                    match chars[j] {
                        '[' if !escaped(&chars, j) => depth += 1,
                        ']' if !escaped(&chars, j) => {
                            depth -= 1;
                            if depth == 0 {
                                close = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if let Some(c) = close
                    && chars.get(c + 1) == Some(&'(')
                {
                    let end = chars[c + 2..].iter().position(|&x| x == ')').map(|p| c + 2 + p);
                    if let Some(e) = end {
                        out.push((chars[c + 2..e].iter().collect(), n));
                        i = e + 1;
                        continue;
                    }
                }
            }
            i += 1;
        }
    }
    out
}

/// True when the character at `i` is preceded by an odd number of backslashes.
fn escaped(chars: &[char], i: usize) -> bool {
    chars[..i].iter().rev().take_while(|&&c| c == '\\').count() % 2 == 1
}

/// Lines (1-based numbers) that are not inside a fenced code block, fence lines excluded.
fn outside_fences(markdown: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut fence: Option<usize> = None;
    for (i, line) in markdown.lines().enumerate() {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        match fence {
            Some(n) => {
                if ticks >= n && line.trim_end().chars().all(|c| c == '`') {
                    fence = None;
                }
            }
            None if ticks >= 3 => fence = Some(ticks),
            None => out.push((i + 1, line)),
        }
    }
    out
}

fn write_docs(files: &[OutputFile]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs: Vec<OutputFile> = files.iter().filter(|f| f.path.starts_with("docs/")).cloned().collect();
    if let Err(d) = ccgen::write::write(dir.path(), &docs, ccgen::write::Mode::Write) {
        panic!("write failed:\n{}", d.render());
    }
    dir
}

/// Every relative link in the written docs names a file that exists and, with `#anchor`, an `id` in it.
fn check_links(root: &Path, files: &[OutputFile]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in files.iter().filter(|f| f.path.ends_with(".md")) {
        let page = root.join(&file.path);
        let on_disk = std::fs::read_to_string(&page).expect("written page");
        for (target, line) in links(&on_disk) {
            if target.starts_with("https://") || target.starts_with("http://") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved: PathBuf = if path.is_empty() { page.clone() } else { page.parent().unwrap().join(path) };
            let Ok(text) = std::fs::read_to_string(&resolved) else {
                problems.push(format!("{}:{line}: link to missing file {target}", file.path));
                continue;
            };
            if let Some(a) = anchor
                && !text.contains(&format!("id=\"{a}\""))
            {
                problems.push(format!("{}:{line}: no id=\"{a}\" in {path} (link {target})", file.path));
            }
        }
    }
    assert!(checked > 0, "no relative links found at all");
    problems
}

#[test]
fn links_resolve() {
    let files = emit(&spec_api());
    let dir = write_docs(&files);
    let problems = check_links(dir.path(), &files);
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

#[test]
fn link_scanner_ignores_escaped_brackets() {
    assert_eq!(links("[a](b.md#c) \\[x\\](y) `z`"), vec![("b.md#c".to_owned(), 1)]);
    assert_eq!(links("[`x`](e.md)\n```\n[no](n.md)\n```"), vec![("e.md".to_owned(), 1)]);
    assert_eq!(links("[T \\[1\\]](t.md)"), vec![("t.md".to_owned(), 1)]);
}

// ---------------------------------------------------------------- hostile text

const HOSTILE: &str = "# Heading | pipe\r\n<script>alert(1)</script> `tick` ```fence``` [link](x) *star* _under_ a\\|b\n\n- item\n1. one {{#include /etc/passwd}} & &amp;";

/// Overwrites every free-text string of the IR with [`HOSTILE`].
fn hostile(mut api: Api) -> Api {
    let h = || HOSTILE.to_owned();
    let s = &mut api.settings;
    s.title = h();
    s.summary = h();
    s.auth_description = h();
    for e in &mut api.errors {
        if e.meaning.is_some() {
            e.meaning = Some(h());
        }
        e.note = Some(h());
        e.remedy = Some(h());
    }
    fn fields(list: &mut [ccgen::ir::Field]) {
        for f in list {
            f.description = HOSTILE.to_owned();
            for v in &mut f.values {
                v.description = HOSTILE.to_owned();
            }
            if let Type::Object(inner) = &mut f.ty {
                fields(inner);
            }
        }
    }
    for e in &mut api.events {
        e.meaning = h();
        e.note = Some(h());
        match &mut e.payload {
            Payload::Null { description }
            | Payload::CallId { description }
            | Payload::String { description }
            | Payload::Unknown { description } => *description = Some(h()),
            Payload::Object { description, fields: f } => {
                *description = Some(h());
                fields(f);
            }
        }
    }
    for it in &mut api.interfaces {
        it.title = h();
        it.summary = h();
        it.description = Some(h());
        it.prerequisites = vec![h(), h()];
        it.quirks = vec![h()];
        it.source_page = Some(h());
        it.source_updated = Some(h());
        for p in &mut it.params {
            p.description = h();
            for v in &mut p.constraints.values {
                v.description = h();
            }
            if let Some(pat) = &mut p.constraints.pattern {
                pat.description = h();
            }
        }
        for r in &mut it.rules {
            match r {
                Rule::OnlyWhen { description, .. }
                | Rule::RequiredWhen { description, .. }
                | Rule::AllowedValues { description, .. } => *description = Some(h()),
            }
        }
        match &mut it.result {
            ResultShape::None { description, .. }
            | ResultShape::Reserved { description, .. }
            | ResultShape::CallId { description, .. }
            | ResultShape::Event { description, .. } => *description = Some(h()),
            ResultShape::Object { description, fields: f, .. } | ResultShape::List { description, fields: f, .. } => {
                *description = Some(h());
                fields(f);
            }
        }
        for rh in &mut it.response_headers {
            rh.description = h();
        }
        for ex in &mut it.examples {
            ex.name = h();
            // Values shown in code spans: backtick runs and pipes must not end the span or a table.
            ex.headers = vec![("X-Trace".to_owned(), serde_json::json!("a|b ``` c `d`"))];
            ex.response = serde_json::json!({ "retcode": "0", "message": HOSTILE, "result": "````\n```" });
        }
    }
    api
}

/// Number of table-cell separators: `|` not escaped by a backslash.
fn pipes(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len()).filter(|&i| chars[i] == '|' && !escaped(&chars, i)).count()
}

fn check_markup(path: &str, page: &str) -> Vec<String> {
    let mut problems = Vec::new();
    // Outside code blocks (whose text renderers show literally), no markup from spec text.
    for (n, line) in outside_fences(page) {
        if line.to_lowercase().contains("<script") {
            problems.push(format!("{path}:{n}: raw <script>: {line}"));
        }
        if line.match_indices("{{#").any(|(i, _)| !line[..i].ends_with('\\')) {
            problems.push(format!("{path}:{n}: unescaped mdBook directive: {line}"));
        }
    }
    // Fences balance: walking the page ends outside any fence.
    let mut fence: Option<usize> = None;
    for line in page.lines() {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        match fence {
            Some(n) if ticks >= n && line.trim_end().chars().all(|c| c == '`') => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {}
        }
    }
    if fence.is_some() {
        problems.push(format!("{path}: a fenced block is never closed"));
    }
    let lines = outside_fences(page);
    // Tables keep their column count on every row.
    let mut table: Option<(usize, usize)> = None;
    for (n, line) in &lines {
        if line.starts_with('|') {
            let count = pipes(line);
            match table {
                None => table = Some((*n, count)),
                Some((start, cols)) if cols != count => problems.push(format!(
                    "{path}:{n}: row has {count} separators, the table at line {start} has {cols}: {line}"
                )),
                Some(_) => {}
            }
        } else {
            table = None;
        }
    }
    // Spec text neither starts block markup nor forms links.
    for (i, (n, line)) in lines.iter().enumerate() {
        for bad in ["- item", "1. one", "# Heading", "<script"] {
            if line.starts_with(bad) {
                problems.push(format!("{path}:{n}: spec text starts block markup: {line}"));
            }
        }
        if line.starts_with('#') && !path.ends_with("SUMMARY.md") {
            let before = if i > 0 && lines[i - 1].0 == n - 1 { lines[i - 1].1 } else { "" };
            if !(before.starts_with("<a id=\"") && before.ends_with("\"></a>")) {
                problems.push(format!("{path}:{n}: heading without an explicit anchor: {line}"));
            }
        }
        if line.contains("[link](x)") {
            problems.push(format!("{path}:{n}: spec text forms a link: {line}"));
        }
    }
    problems
}

#[test]
fn hostile_text_cannot_break_the_markdown() {
    let api = hostile(spec_api());
    let files = emit(&api);
    let mut problems = Vec::new();
    for file in files.iter().filter(|f| f.path.ends_with(".md")) {
        problems.extend(check_markup(&file.path, &file.contents));
        assert!(file.contents.contains("&lt;script&gt;"), "{}: the hostile text was not rendered at all", file.path);
    }
    let toml = &files.iter().find(|f| f.path == "docs/book.toml").expect("book.toml").contents;
    assert!(
        toml.lines().any(|l| l.starts_with("title = \"# Heading | pipe\\u000D\\u000A<script>")),
        "title not a TOML string:\n{toml}"
    );
    assert!(!toml.contains("\n1. one"), "title broke out of its TOML string:\n{toml}");
    let dir = write_docs(&files);
    problems.extend(check_links(dir.path(), &files));
    assert!(problems.is_empty(), "hostile spec text broke the markdown:\n{}", problems.join("\n"));
}

#[test]
fn the_checks_catch_broken_markdown() {
    // The checks above must fail on what they guard against.
    let broken = "<a id=\"x\"></a>\n# T\n\n| a | b |\n| --- | --- |\n| x | y | z |\n\n# loose\n\n```json\n{}\n";
    let problems = check_markup("broken.md", broken);
    assert!(problems.iter().any(|p| p.contains("separators")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("never closed")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("without an explicit anchor")), "{problems:?}");
}

// ---------------------------------------------------------------- templates

#[test]
fn undefined_template_values_are_errors() {
    let ctx = serde_json::json!({ "it": { "title": "T" } });
    let ok = ccgen::emit::docs::render_str("probe.md.j2", "# {{ it.title | md_text }}", &ctx);
    assert_eq!(ok.expect("a defined field renders"), "# T");
    for source in ["line one\n{{ it.missing }}", "{{ nothing | md_text }}", "{% for x in it.missing %}{% endfor %}"] {
        let err = ccgen::emit::docs::render_str("probe.md.j2", source, &ctx).expect_err("an undefined value must fail");
        let text = err.to_string();
        assert!(text.contains("probe.md.j2"), "error does not name the template: {text}");
        assert!(text.contains("undefined"), "error does not say what is wrong: {text}");
    }
    let err = ccgen::emit::docs::render_str("probe.md.j2", "line one\n{{ it.missing }}", &ctx).unwrap_err();
    assert!(err.to_string().contains("probe.md.j2:2"), "error does not give the line: {err}");
}

#[test]
fn built_in_templates_compile() {
    let env = ccgen::emit::docs::environment().unwrap_or_else(|d| panic!("{}", d.render()));
    let names: Vec<&str> = env.templates().map(|(n, _)| n).collect();
    for t in [
        "readme.md.j2",
        "summary.md.j2",
        "interface.md.j2",
        "errors.md.j2",
        "events.md.j2",
        "book.toml.j2",
        "macros.md.j2",
    ] {
        assert!(names.contains(&t), "{t} missing from the environment: {names:?}");
    }
}

// ---------------------------------------------------------------- determinism

#[test]
fn output_is_deterministic() {
    let api = spec_api();
    let first: BTreeMap<String, String> = emit(&api).into_iter().map(|f| (f.path, f.contents)).collect();
    let second: BTreeMap<String, String> = emit(&spec_api()).into_iter().map(|f| (f.path, f.contents)).collect();
    assert_eq!(first, second);
    let ordered: Vec<String> = emit(&api).into_iter().map(|f| f.path).collect();
    let mut sorted = ordered.clone();
    sorted.sort();
    assert_eq!(ordered, sorted, "files are not in path order");
}

// ---------------------------------------------------------------- an added interface

/// `spec/` plus the fixture interface of `tests/added_interface/`, in a temporary folder.
fn spec_with_added_interface() -> (tempfile::TempDir, Api) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("../spec"), dir.path());
    copy_dir(&root.join("tests/added_interface"), dir.path());
    let api = ccgen::pipeline::validate(dir.path()).unwrap_or_else(|d| panic!("{}", d.render()));
    (dir, api)
}

/// The page checks hold for a tree with one more interface, in a new resource folder, with
/// nothing but its spec file added: no snapshot or list in the tests has to learn about it.
#[test]
fn an_added_interface_passes_every_page_check() {
    let (_dir, api) = spec_with_added_interface();
    assert_eq!(api.interfaces.len(), spec_api().interfaces.len() + 1);
    let files = emit(&api);
    let page = files.iter().find(|f| f.path == "docs/qualitycontrol/whisper.md").expect("a page for the new interface");
    assert!(page.contents.contains("whisper::Request::new(Workno::new(\"206\")?)"), "{}", page.contents);
    let summary = files.iter().find(|f| f.path == "docs/SUMMARY.md").expect("SUMMARY.md");
    assert!(summary.contents.contains("qualitycontrol/whisper.md"), "{}", summary.contents);
    check_layout(&api);
    check_signatures(&api);
    let dir = write_docs(&files);
    let problems = check_links(dir.path(), &files);
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

fn page<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    files.iter().find(|f| f.path == path).map(|f| f.contents.as_str()).unwrap_or_else(|| panic!("{path} not emitted"))
}

#[test]
fn the_error_catalogue_gives_remedies_where_the_spec_has_them() {
    let mut api = spec_api();
    let with = api.errors.iter().position(|e| e.code == "100-006").expect("100-006");
    api.errors[with].remedy = Some("Sign in | again.".into());
    let without = api.errors.iter().position(|e| e.code == "000-005").expect("000-005");
    api.errors[without].remedy = None;
    let files = emit(&api);
    let errors = page(&files, "docs/errors.md");
    assert!(errors.contains("| Meaning | Remedy |"), "{errors}");
    let row = |code: &str| errors.lines().find(|l| l.contains(&format!("`{code}`"))).expect("a row").to_owned();
    // The remedy sits in its own cell, escaped like any spec text.
    assert!(row("100-006").contains(r"| Sign in \| again. |"), "{}", row("100-006"));
    assert_eq!(pipes(&row("100-006")), pipes(&row("000-005")));
    assert!(row("000-005").contains("| — | official |"), "{}", row("000-005"));
}

#[test]
fn interface_pages_draw_their_events_in_spec_order() {
    let api = spec_api();
    let files = emit(&api);
    let transfer = page(&files, "docs/voicecall/transfer.md");
    let start = transfer.find("```mermaid\nsequenceDiagram\n").expect("a figure");
    let figure = &transfer[start..start + transfer[start + 3..].find("```").expect("closed") + 6];
    let it = api.interfaces.iter().find(|i| i.operation.wire == "transfer_call").expect("transfer_call");
    // Every listed event, in the spec's order; conditional ones inside their condition's block.
    let mut at = 0;
    for event in &it.events {
        let found = figure[at..]
            .find(&format!("G-->>A: {}\n", event.event))
            .unwrap_or_else(|| panic!("{} missing or out of order:\n{figure}", event.event));
        at += found + 1;
    }
    assert!(figure.contains("    opt mode is 2 (success)\n        G-->>A: AgentEvent_SuccTransResult\n        G-->>A: AgentMediaEvent_StopRecordDone\n    end\n"), "{figure}");
    // No events, no figure.
    let handshake = page(&files, "docs/onlineagent/handshake.md");
    assert!(!handshake.contains("```mermaid"), "{handshake}");
}

#[test]
fn the_getting_started_chapter_is_listed_and_needs_its_interfaces() {
    let api = spec_api();
    let files = emit(&api);
    let chapter = page(&files, "docs/getting-started.md");
    for link in [
        "onlineagent/login.md",
        "agentevent/poll.md",
        "voicecall/callinner.md",
        "voicecall/release.md",
        "onlineagent/logout.md",
    ] {
        assert!(chapter.contains(&format!("]({link})")), "{link} not linked");
    }
    assert!(chapter.matches("```rust,no_run").count() >= 4, "{chapter}");
    assert!(page(&files, "docs/SUMMARY.md").contains("- [Getting started](getting-started.md)"));

    // Without sign-out the walk-through cannot be told: no chapter, and no link to one.
    let mut partial = api.clone();
    partial.interfaces.retain(|i| i.operation.wire != "logout");
    let files = emit(&partial);
    assert!(files.iter().all(|f| f.path != "docs/getting-started.md"));
    assert!(!page(&files, "docs/SUMMARY.md").contains("getting-started"));
}
