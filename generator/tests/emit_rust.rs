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

/// Every `Request` is `#[non_exhaustive]`, has `new`, `validate` and one `with_` setter per
/// optional parameter, and every enum of an interface module is `#[non_exhaustive]`: the shape
/// that keeps added parameters and values from breaking users' code.
#[test]
fn requests_and_value_enums_are_built_to_grow() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let api = ccgen::pipeline::validate(&spec).expect("valid");
    let files = ccgen::emit::rust::emit(&api).expect("emits");
    let non_exhaustive = |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
    let mut requests = 0;
    for it in &api.interfaces {
        let path = format!("src/{}/{}.rs", it.resource.rust, it.module.rust);
        let file = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not emitted"));
        let parsed: syn::File = syn::parse_file(&file.contents).expect("parses");
        let mut methods = Vec::new();
        for item in &parsed.items {
            match item {
                syn::Item::Struct(s) if s.ident == "Request" => {
                    assert!(non_exhaustive(&s.attrs), "{path}: Request is not #[non_exhaustive]");
                    requests += 1;
                }
                // Value enums; the uninhabited `...Rule` markers have no variants to add.
                syn::Item::Enum(e) if !e.variants.is_empty() => {
                    assert!(non_exhaustive(&e.attrs), "{path}: enum {} is exhaustive", e.ident);
                }
                syn::Item::Impl(i) if matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident("Request")) => {
                    methods.extend(i.items.iter().filter_map(|m| match m {
                        syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                        _ => None,
                    }));
                }
                _ => {}
            }
        }
        let params: Vec<&ccgen::ir::Param> = it.params.iter().filter(|p| p.role.is_none()).collect();
        if params.is_empty() {
            assert!(methods.is_empty(), "{path}: methods without a Request");
            continue;
        }
        let mut expected = vec!["new".to_owned()];
        expected.extend(
            params.iter().filter(|p| !p.required).map(|p| format!("with_{}", p.name.rust.trim_start_matches("r#"))),
        );
        expected.push("validate".to_owned());
        assert_eq!(methods, expected, "{path}");
    }
    assert!(requests > 10, "only {requests} requests found");
}
