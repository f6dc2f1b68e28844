//! The client as one Rust file, for crates that generate it in `build.rs`
//! and `include!` it instead of depending on the checked-in crate.
//!
//! `include!` cannot resolve `mod x;` against files in `OUT_DIR` and does not
//! accept inner attributes, so every module is written inline and the crate
//! root's own attributes (docs, lint levels) are left to the including crate.

use std::collections::HashMap;

use syn::ext::IdentExt;

use super::{Module, modules};
use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::GENERATED_MARKER;
use crate::ir::Api;

/// The whole client crate's source as one file, to be `include!`d at the
/// root of a library crate that depends on `agentgateway-runtime`, `serde`
/// and `serde_json` (generated paths start at `crate::`).
///
/// ```no_run
/// // build.rs
/// let api = ccgen::pipeline::validate("spec".as_ref()).expect("valid specs");
/// let source = ccgen::emit::rust::emit_single_file(&api).expect("emits");
/// let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("agentgateway.rs");
/// std::fs::write(out, source).unwrap();
/// ```
pub fn emit_single_file(api: &Api) -> Result<String, Diagnostics> {
    let mut files: HashMap<String, Module> = modules(api).into_iter().map(|m| (m.path.clone(), m)).collect();
    let mut lib = files.remove("src/lib.rs").ok_or_else(|| internal("src/lib.rs was not emitted"))?;
    let mut root = lib.syntax()?;
    root.attrs.clear();
    inline_modules(&mut root.items, "src/", &mut files)?;
    if let Some(left) = files.keys().next() {
        return Err(internal(&format!("{left} is not reachable from src/lib.rs")));
    }
    // The doc examples name the generated crate, which here is the including
    // crate under a name only its author knows: shown as text, not compiled
    // (and not counted as ignored tests).
    let body = prettyplease::unparse(&root).replace("/// ```no_run", "/// ```text");
    Ok(format!("// {GENERATED_MARKER} from spec/ as one file for `include!`. Do not edit by hand.\n{body}"))
}

/// Replaces every `mod name;` in `items` (a file under `dir`) with the
/// module's items, recursively, taking each file out of `files`.
fn inline_modules(items: &mut [syn::Item], dir: &str, files: &mut HashMap<String, Module>) -> Result<(), Diagnostics> {
    for item in items {
        let syn::Item::Mod(module) = item else { continue };
        if module.content.is_some() {
            continue;
        }
        let name = module.ident.unraw().to_string();
        let mut found = [format!("{dir}{name}.rs"), format!("{dir}{name}/mod.rs")]
            .into_iter()
            .find_map(|path| files.remove(&path))
            .ok_or_else(|| internal(&format!("no file for module `{name}` under {dir}")))?;
        let mut file = found.syntax()?;
        inline_modules(&mut file.items, &format!("{dir}{name}/"), files)?;
        // A file's `//!` docs follow the declaration's `///` ones, as rustdoc
        // joins them for file modules; written outer, since an inline module
        // with both styles is clippy's mixed_attributes_style.
        module.attrs.extend(file.attrs.into_iter().map(|mut attr| {
            attr.style = syn::AttrStyle::Outer;
            attr
        }));
        module.content = Some((Default::default(), file.items));
        module.semi = None;
    }
    Ok(())
}

fn internal(message: &str) -> Diagnostics {
    Diagnostics::one(Diagnostic::new(format!("internal error: single-file client: {message}")))
}
