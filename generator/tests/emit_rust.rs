//! The emitted Rust keeps spec text inside doc literals.
//!
//! What the emitter makes of the real specs is checked in as `generated/`, and
//! the freshness test (`generated_is_fresh.rs`) fails when it differs from
//! what the specs give: a reviewer reads the emitted code there, in the diff
//! of the change. There are deliberately no snapshots of it here, so that a
//! new spec file plus `generate` is all an added interface needs.

mod support;

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
    let (api, files) = real_crate();
    let non_exhaustive = |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
    let mut requests = 0;
    for it in &api.interfaces {
        let path = format!("src/{}/{}.rs", it.resource.rust, it.module.rust);
        let parsed = parsed(&files, &path);
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

/// The checker refuses operation and folder names the generated crate already uses, from the
/// lists in `ccgen::ident`. Every method `Client` and `Session` get besides one per interface,
/// and every snake_case name at the crate root besides the resource modules, must be on them:
/// a name missing there would let a spec generate a crate that does not compile.
#[test]
fn every_name_the_crate_takes_for_itself_is_reserved() {
    let (api, files) = real_crate();
    let parse = |path: &str| parsed(&files, path);
    let operations: Vec<&str> = api.interfaces.iter().map(|i| i.operation.rust.as_str()).collect();
    let mut fixed = Vec::new();
    for item in parse("src/client.rs").items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(ty) = &*imp.self_ty else { continue };
        if !(ty.path.is_ident("Client") || ty.path.is_ident("Session")) {
            continue;
        }
        for it in imp.items {
            if let syn::ImplItem::Fn(f) = it {
                fixed.push(f.sig.ident.to_string());
            }
        }
    }
    fixed.retain(|m| !operations.contains(&m.as_str()));
    assert!(fixed.len() >= 10, "the client's own methods were found: {fixed:?}");
    for method in &fixed {
        assert!(ccgen::ident::RESERVED_METHODS.contains(&method.as_str()), "`{method}` is not reserved");
    }
    let resources: Vec<&str> = api.interfaces.iter().map(|i| i.resource.rust.as_str()).collect();
    let mut roots = Vec::new();
    for item in parse("src/lib.rs").items {
        match item {
            syn::Item::Mod(m) => roots.push(m.ident.to_string()),
            syn::Item::Use(u) => collect_use_names(&u.tree, &mut roots),
            _ => {}
        }
    }
    roots.retain(|n| !resources.contains(&n.as_str()) && n.chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    assert!(roots.contains(&"events".to_owned()), "root names were found: {roots:?}");
    for name in &roots {
        assert!(ccgen::ident::RESERVED_MODULES.contains(&name.as_str()), "root name `{name}` is not reserved");
    }
}

/// The names a `use` item brings into scope.
fn collect_use_names(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => collect_use_names(&p.tree, out),
        syn::UseTree::Name(n) => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The names a module defines itself (types, enums, aliases) and the names it re-exports from
/// `crate::shared`.
fn defined_and_shared(file: &syn::File) -> (Vec<String>, Vec<String>) {
    let (mut own, mut shared) = (Vec::new(), Vec::new());
    for item in &file.items {
        match item {
            syn::Item::Enum(e) => own.push(e.ident.to_string()),
            syn::Item::Struct(s) => own.push(s.ident.to_string()),
            syn::Item::Type(t) => own.push(t.ident.to_string()),
            syn::Item::Use(u)
                if quote::ToTokens::to_token_stream(&u.tree).to_string().starts_with("crate :: shared") =>
            {
                collect_use_names(&u.tree, &mut shared)
            }
            _ => {}
        }
    }
    (own, shared)
}

/// `login` and `force_login` take identical parameter types (`AgentType`, `PhoneNum`, ...): they
/// are defined once, in `src/shared.rs`, and both modules re-export them, so the old paths still
/// name them. A type one interface alone defines stays in its module.
#[test]
fn identical_parameter_types_are_defined_once_and_re_exported() {
    let (_, files) = real_crate();
    let parse = |path: &str| parsed(&files, path);
    let (in_shared, _) = defined_and_shared(&parse("src/shared.rs"));
    for module in ["src/onlineagent/login.rs", "src/onlineagent/forcelogin.rs"] {
        let (own, reexported) = defined_and_shared(&parse(module));
        for name in ["AgentType", "Status", "PhoneNum", "PhoneNumRule"] {
            assert!(reexported.contains(&name.to_owned()), "{module} does not re-export {name}: {reexported:?}");
            assert!(!own.contains(&name.to_owned()), "{module} still defines {name}");
            assert!(in_shared.contains(&name.to_owned()), "shared.rs lacks {name}");
        }
        assert!(own.contains(&"Request".to_owned()), "{module} keeps its own Request");
    }
    // Every shared type is used by at least two interface modules.
    for name in in_shared.iter().filter(|n| !n.ends_with("Rule")) {
        let users = files
            .iter()
            .filter(|f| f.path.ends_with(".rs") && f.path != "src/shared.rs" && f.path != "src/lib.rs")
            .filter(|f| defined_and_shared(&syn::parse_file(&f.contents).expect("parses")).1.contains(name))
            .count();
        assert!(users >= 2, "{name} is shared by {users} module(s)");
    }
}

/// Sharing needs the whole definition to be the same: a parameter whose type differs in
/// anything, here only in its documentation, keeps its own type in its module.
#[test]
fn a_type_that_differs_in_its_docs_is_not_shared() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut api = ccgen::pipeline::validate(&spec).expect("valid");
    let force_login = api.interfaces.iter_mut().find(|i| i.operation.wire == "force_login").expect("force_login");
    let phone = force_login.params.iter_mut().find(|p| p.type_name.rust == "PhoneNum").expect("PhoneNum");
    phone.description.push_str(" Differs on this page.");
    let files = ccgen::emit::rust::emit(&api).expect("emits");
    let (own, reexported) = defined_and_shared(&parsed(&files, "src/onlineagent/forcelogin.rs"));
    assert!(own.contains(&"PhoneNum".to_owned()) && own.contains(&"PhoneNumRule".to_owned()), "{own:?}");
    assert!(!reexported.contains(&"PhoneNum".to_owned()), "{reexported:?}");
    assert!(reexported.contains(&"AgentType".to_owned()), "the identical types stay shared: {reexported:?}");
    let forcelogin = files.iter().find(|f| f.path == "src/onlineagent/forcelogin.rs").expect("emitted");
    assert!(forcelogin.contents.contains("Differs on this page."), "the differing docs are kept");
}

/// The emitter lists each module's public surface from the syntax tree it
/// formats; parsing the formatted text gives the same lines, so `api.lock.json`
/// does not depend on which of the two was listed. The synthetic interfaces
/// have long names, so that signatures wrap and the text gains trailing commas.
#[test]
fn the_surface_listed_from_the_tree_is_the_surface_of_the_text() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let long = tempfile::tempdir().unwrap();
    let catalogue: String = (0..12)
        .map(|i| format!("PUT /resource_with_a_long_name{}/{{agentid}}/operation_with_an_even_longer_name{i} [JSON]\nGET /r{i}/{{agentid}}/q/{{skillid:[1-9]\\d*}} ?workno&startdate\n", i % 3))
        .collect();
    ccgen::fixture::write_tree(&catalogue, &base, 1, long.path()).unwrap();
    for spec in [base.as_path(), long.path()] {
        let api = ccgen::pipeline::validate(spec).unwrap_or_else(|d| panic!("{}", d.render()));
        let emitted = ccgen::emit::rust::emit_with_surface(&api).expect("emits");
        let from_text = ccgen::surface::surface(&emitted.files);
        let tree = emitted.surface();
        assert!(from_text.iter().any(|l| l.contains("fn ")), "a surface with signatures");
        let wrapped = emitted.files.iter().any(|f| f.path.ends_with(".rs") && f.contents.contains(",\n    )"));
        assert!(wrapped, "some signature of {} wraps", spec.display());
        let only = |a: &[String], b: &[String]| a.iter().filter(|l| !b.contains(l)).cloned().collect::<Vec<_>>();
        let (tree, text) = (only(&tree, &from_text), only(&from_text, &tree));
        assert!(
            tree.is_empty() && text.is_empty(),
            "{}: only from the tree {tree:#?}, only from the text {text:#?}",
            spec.display()
        );
    }
}

/// A rule that compares a plain integer parameter (an `i32` field) spells the
/// number without a suffix, so that it takes the field's type: an `i64`
/// literal would not compile. CI also compiles and lints the crate made from
/// this tree.
#[test]
fn a_rule_on_a_plain_integer_compares_with_a_literal_of_its_type() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    support::copy_dir(&root.join("../spec"), dir.path());
    support::copy_dir(&root.join("../tests/edge-specs"), dir.path());
    let api = ccgen::pipeline::validate(dir.path()).unwrap_or_else(|d| panic!("{}", d.render()));
    let files = ccgen::emit::rust::emit(&api).expect("emits");
    let file = files.iter().find(|f| f.path == "src/testkinds/rules.rs").expect("the test interface is emitted");
    let validate = &file.contents[file.contents.find("pub fn validate").expect("a validate method")..];
    for test in ["(self.offset == Some(-7))", "!(self.offset == Some(-3))"] {
        assert!(validate.contains(test), "{test} is not in\n{validate}");
    }
    // A constrained parameter's value is an `i64`: its literal keeps the suffix.
    assert!(validate.contains("*v.get() == 5i64"), "{validate}");
}

/// The IR of the repository's specs and the crate emitted from it.
fn real_crate() -> (ccgen::ir::Api, Vec<ccgen::emit::OutputFile>) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let api = ccgen::pipeline::validate(&spec).expect("valid");
    let files = ccgen::emit::rust::emit(&api).expect("emits");
    (api, files)
}

/// The emitted file at `path`, parsed.
fn parsed(files: &[ccgen::emit::OutputFile], path: &str) -> syn::File {
    let file = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not emitted"));
    syn::parse_file(&file.contents).expect("parses")
}
