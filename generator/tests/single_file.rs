//! The one-file client for `build.rs` users holds exactly the crate's
//! modules, inline, with nothing `include!` rejects. (The example crate under
//! `examples/build-rs-client/` compiles it; CI builds that once.)

use std::path::Path;

use quote::ToTokens;

fn api() -> ccgen::ir::Api {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()))
}

/// Names of the items directly in `items`, in order.
fn names(items: &[syn::Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            syn::Item::Const(c) => Some(c.ident.to_string()),
            syn::Item::Static(s) => Some(s.ident.to_string()),
            syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
            syn::Item::Impl(i) => Some(format!("impl {}", i.self_ty.to_token_stream())),
            syn::Item::Use(u) => Some(format!("use {}", u.tree.to_token_stream())),
            _ => None,
        })
        .collect()
}

/// The items of the inline module at `path` (e.g. `["voicecall", "callinner"]`).
fn module_items<'a>(mut items: &'a [syn::Item], path: &[&str]) -> &'a [syn::Item] {
    for segment in path {
        items = items
            .iter()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == segment => m.content.as_ref().map(|(_, items)| items.as_slice()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no inline module `{segment}` on the way to {path:?}"));
    }
    items
}

fn assert_nothing_include_rejects(items: &[syn::Item]) {
    for item in items {
        if let syn::Item::Mod(m) = item {
            assert!(m.content.is_some(), "`mod {};` would look for a file next to OUT_DIR", m.ident);
            assert!(
                m.attrs.iter().all(|a| matches!(a.style, syn::AttrStyle::Outer)),
                "module `{}` mixes inner and outer attributes",
                m.ident
            );
            if let Some((_, inner)) = &m.content {
                assert_nothing_include_rejects(inner);
            }
        }
    }
}

#[test]
fn single_file_holds_every_module_inline() {
    let api = api();
    let single = ccgen::emit::rust::emit_single_file(&api).expect("emits");
    let file = syn::parse_file(&single).expect("one-file client parses");
    assert!(file.attrs.is_empty(), "inner attributes at the top of an included file do not compile");
    assert_nothing_include_rejects(&file.items);

    let files = ccgen::emit::rust::emit(&api).expect("emits");
    let mut compared = 0;
    for emitted in files.iter().filter(|f| f.path.ends_with(".rs")) {
        let relative = emitted.path.trim_start_matches("src/").trim_end_matches(".rs");
        let relative = relative.trim_end_matches("/mod").trim_end_matches("lib");
        let path: Vec<&str> = relative.split('/').filter(|s| !s.is_empty()).collect();
        let separate = syn::parse_file(&emitted.contents).expect("emitted file parses");
        assert_eq!(names(module_items(&file.items, &path)), names(&separate.items), "{}", emitted.path);
        compared += 1;
    }
    assert_eq!(compared, files.iter().filter(|f| f.path.ends_with(".rs")).count());
    assert!(compared > 20, "only {compared} modules compared");
}

#[test]
fn generate_single_file_writes_only_when_bytes_change() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("nested/agentgateway.rs");
    assert!(ccgen::pipeline::generate_single_file(&spec, &out).expect("generates"), "first run writes");
    assert!(!ccgen::pipeline::generate_single_file(&spec, &out).expect("generates"), "second run has nothing to write");
    std::fs::write(&out, "stale").expect("overwrite");
    assert!(ccgen::pipeline::generate_single_file(&spec, &out).expect("generates"), "a stale file is rewritten");
}

#[test]
fn invalid_specs_write_nothing_and_say_where() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("api.yaml"), "name: [unclosed\n").expect("write spec");
    let out = dir.path().join("agentgateway.rs");
    let diagnostics = ccgen::pipeline::generate_single_file(dir.path(), &out).expect_err("invalid spec");
    assert!(diagnostics.render().contains("api.yaml"), "{}", diagnostics.render());
    assert!(!out.exists());
}
