//! Snapshots of the emitted Rust, one per interface module and shared module,
//! so a reviewer reads exactly what users will compile. The crate itself is
//! compiled (and linted) as the `agentgateway` workspace member.

use std::path::Path;

#[test]
fn emitted_rust_snapshots() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let api = ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
    let files = ccgen::emit::rust::emit(&api).expect("emits");
    for file in files.iter().filter(|f| f.path.ends_with(".rs") && !f.path.ends_with("mod.rs")) {
        let name = file.path.trim_start_matches("src/").trim_end_matches(".rs").replace('/', "__");
        insta::assert_snapshot!(name, file.contents);
    }
}

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
