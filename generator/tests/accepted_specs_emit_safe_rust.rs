//! Property: whatever spec the checker accepts, the emitted Rust parses and
//! its doc strings are inert (no bidi or control characters, nothing that
//! starts a code block, and so a doctest).
//!
//! Specs are drawn from a small strategy: hostile names, texts of several
//! lines with markdown, escapes and invisible characters, and constraints.
//! A handful of cases run here; `generator/fuzz` goes much further. That a
//! generated crate also lints and documents clean is checked by CI on
//! `tests/edge-specs/`, which is too slow to do per case.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};

use ccgen::load::RawFile;

fn base_files() -> Vec<RawFile> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/base");
    ["api.yaml", "errors.yaml", "events.yaml", "calldata/assignuserinqueue.yaml", "mediacall/transfer.yaml"]
        .iter()
        .map(|rel| RawFile { rel_path: (*rel).to_owned(), bytes: std::fs::read(base.join(rel)).expect("base file") })
        .collect()
}

/// Names: mostly usable, some hostile (keywords, digits first, punctuation, non-ASCII).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-zA-Z0-9]{0,8}",
        1 => Just("self".to_owned()),
        1 => Just("type".to_owned()),
        1 => Just("--".to_owned()),
        1 => "[0-9][a-z]{0,4}",
        1 => "[a-zA-Z_\\-.é]{1,8}",
    ]
}

/// Text that tries to leave its doc line or become markup.
fn text() -> impl Strategy<Value = String> {
    // Bidi controls are refused, so they are rare: most cases should pass the checker.
    let piece = prop_oneof![
        8 => "[a-zA-Z ,.]{0,12}",
        2 => Just("\n".to_owned()),
        2 => Just("\n- item\nlazy".to_owned()),
        2 => Just("\n    indented".to_owned()),
        2 => Just("```rust\nfn evil() {}\n```".to_owned()),
        2 => Just("*/ \" \\ #[attr] <b>|</b> [x](y)".to_owned()),
        2 => Just("1. one".to_owned()),
        2 => Just("\u{7}\r\t".to_owned()),
        2 => Just("ü漢😀".to_owned()),
        1 => Just("\u{202E}".to_owned()),
    ];
    proptest::collection::vec(piece, 0..5).prop_map(|parts| parts.concat())
}

fn param() -> impl Strategy<Value = Value> {
    let constraints = prop_oneof![
        Just(Value::Null),
        (1u32..64).prop_map(|max| json!({ "chars": { "max": max } })),
        proptest::collection::vec(name(), 1..3).prop_map(|names| {
            let values: Vec<Value> = names
                .iter()
                .enumerate()
                .map(|(i, n)| json!({ "value": format!("v{i}"), "name": format!("value_{i}"), "description": n }))
                .collect();
            json!({ "values": values })
        }),
    ];
    let type_name = proptest::option::weighted(0.2, prop_oneof![3 => "[A-Z][a-zA-Z0-9]{0,6}", 1 => name()]);
    (name(), text(), constraints, any::<bool>(), type_name).prop_map(
        |(name, description, constraints, required, type_name)| {
            let mut p = json!({ "name": name, "type": "string", "required": required, "description": description });
            if !constraints.is_null() {
                p["constraints"] = constraints;
            }
            if let Some(t) = type_name {
                p["type_name"] = json!(t);
            }
            p
        },
    )
}

/// One interface file, as JSON (which is YAML). Bidi controls are written
/// as escapes half the time, so the checker must look after unescaping.
fn interface() -> impl Strategy<Value = String> {
    let operation = prop_oneof![4 => "[a-z][a-z0-9]{0,8}", 1 => name()];
    (operation, text(), text(), proptest::collection::vec(param(), 0..4), any::<bool>()).prop_map(
        |(operation, title, summary, body, escape)| {
            let doc = json!({
                "operation": operation,
                "title": title,
                "log_name": "prop",
                "summary": summary,
                "method": "POST",
                "path": "/mediacall/{agentid}/prop",
                "parameters": {
                    "path": [{ "name": "agentid", "type": "string", "required": true, "role": "agent_id",
                               "description": "Agent." }],
                    "body": body,
                },
                "response": { "result": { "kind": "none", "description": summary } },
            });
            let text = serde_json::to_string_pretty(&doc).expect("JSON");
            if escape { text.replace('\u{202E}', "\\u202E") } else { text }
        },
    )
}

/// Every doc string of `file`, as rustdoc will read it.
fn doc_strings(file: &syn::File) -> Vec<String> {
    struct Docs(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Docs {
        fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
            if attr.path().is_ident("doc")
                && let syn::Meta::NameValue(nv) = &attr.meta
                && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value
            {
                self.0.push(s.value());
            }
        }
    }
    let mut docs = Docs(Vec::new());
    syn::visit::visit_file(&mut docs, file);
    docs.0
}

/// The doc lines outside the emitter's own `no_run` examples, whose fences
/// are exactly ```` ```no_run ```` and ```` ``` ```` and whose content is made
/// of checked identifiers; spec text is escaped, so it can never spell either
/// fence. An unclosed example keeps every following line (and so fails).
fn outside_examples(lines: Vec<String>) -> Vec<String> {
    let mut outside = Vec::new();
    let mut example: Option<Vec<String>> = None;
    for line in lines {
        let body = line.strip_prefix(' ').unwrap_or(&line).to_owned();
        match example.as_mut() {
            None if body == "```no_run" => example = Some(vec![line]),
            None => outside.push(line),
            Some(_) if body == "```" => example = None,
            Some(kept) => kept.push(line),
        }
    }
    outside.extend(example.unwrap_or_default());
    outside
}

/// Why a doc line is not inert, if it is not.
fn unsafe_doc(line: &str) -> Option<&'static str> {
    if line.chars().any(|c| c.is_control() || ccgen::text::is_bidi_control(c)) {
        return Some("control or bidi character");
    }
    let body = line.strip_prefix(' ').unwrap_or(line);
    if body.starts_with("    ") || body.starts_with('\t') {
        return Some("indented code block");
    }
    if body.starts_with("```") || body.starts_with("~~~") {
        return Some("code fence");
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_specs_emit_rust_that_parses_with_inert_docs(spec in interface()) {
        let mut files = base_files();
        files.push(RawFile { rel_path: "mediacall/prop.yaml".into(), bytes: spec.into_bytes() });
        files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        let Ok(loaded) = ccgen::load::load("spec", &files) else { return Ok(()) };
        let Ok(api) = ccgen::check::check(&loaded) else { return Ok(()) };
        let emitted = ccgen::emit::rust::emit(&api);
        prop_assert!(emitted.is_ok(), "an accepted spec failed to emit: {}", emitted.err().map(|d| d.to_string()).unwrap_or_default());
        for out in emitted.unwrap_or_default().iter().filter(|f| f.path.ends_with(".rs")) {
            let file = syn::parse_file(&out.contents);
            prop_assert!(file.is_ok(), "{} does not parse: {:?}", out.path, file.err());
            for line in file.iter().flat_map(|f| outside_examples(doc_strings(f))) {
                prop_assert!(unsafe_doc(&line).is_none(), "{}: {:?}: {line:?}", out.path, unsafe_doc(&line));
            }
            prop_assert!(!out.contents.chars().any(ccgen::text::is_bidi_control), "{}: bidi control in the source", out.path);
        }
    }
}

/// The strategy is not vacuous: a spec made of its hostile texts is accepted.
#[test]
fn hostile_text_in_an_accepted_spec() {
    let evil = "Line\n- item\nlazy\n    indented\n```rust\nfn evil() {}\n```\n*/ \" \\ #[attr] <b>|</b> \u{7}\r\tü漢😀";
    let spec = json!({
        "operation": "prop_call", "title": evil, "log_name": "prop", "summary": evil, "method": "POST",
        "path": "/mediacall/{agentid}/prop",
        "parameters": {
            "path": [{ "name": "agentid", "type": "string", "required": true, "role": "agent_id", "description": "A." }],
            "body": [{ "name": "note", "type": "string", "required": false, "description": evil,
                       "constraints": { "chars": { "max": 8 } } }],
        },
        "response": { "result": { "kind": "none", "description": evil } },
    });
    let mut files = base_files();
    files.push(RawFile { rel_path: "mediacall/prop.yaml".into(), bytes: spec.to_string().into_bytes() });
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    let api = ccgen::check::check(&ccgen::load::load("spec", &files).expect("loads")).expect("accepted");
    let emitted = ccgen::emit::rust::emit(&api).expect("emits");
    let module = emitted.iter().find(|f| f.path == "src/mediacall/prop.rs").expect("module");
    let docs = outside_examples(doc_strings(&syn::parse_file(&module.contents).expect("parses")));
    assert!(docs.iter().any(|l| l.contains("lazy")), "the hostile text is in the docs");
    assert!(docs.iter().all(|l| unsafe_doc(l).is_none()), "{docs:#?}");
}
