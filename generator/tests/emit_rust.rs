//! The emitted Rust keeps spec text inside doc literals.
//!
//! What the emitter makes of the real specs is checked in as `generated/`, and
//! the freshness test (`generated_is_fresh.rs`) fails when it differs from
//! what the specs give: a reviewer reads the emitted code there, in the diff
//! of the change. There are deliberately no snapshots of it here, so that a
//! new spec file plus `generate` is all an added interface needs.

use std::path::Path;

#[test]
fn every_emitted_file_parses_and_keeps_spec_text_in_doc_literals() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut api = ccgen::pipeline::validate(&spec).expect("valid");
    let hostile = "x */ /* \" \"# \r\n``` rust\nfn evil() {}\n```\n<script>alert(1)</script> | [link](x) #[attr] } {";
    for it in &mut api.interfaces {
        it.summary = hostile.to_owned();
        it.title = hostile.to_owned();
        it.quirks.push(hostile.to_owned());
        for p in &mut it.params {
            p.description = hostile.to_owned();
        }
    }
    for e in &mut api.errors {
        e.meaning = Some(hostile.to_owned());
    }
    let files = ccgen::emit::rust::emit(&api).expect("emits");
    for file in files.iter().filter(|f| f.path.ends_with(".rs")) {
        let parsed: syn::File = syn::parse_file(&file.contents).unwrap_or_else(|e| panic!("{}: {e}", file.path));
        // `evil` may appear only inside string literals, never as a token of its own.
        let tokens = quote::ToTokens::to_token_stream(&parsed);
        assert!(!has_ident(tokens, "evil"), "{} leaked spec text into code", file.path);
    }
}

fn has_ident(tokens: proc_macro2::TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => has_ident(g.stream(), name),
        _ => false,
    })
}
