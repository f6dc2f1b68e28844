//! The public surface of the generated crate: one line per public item, with its signature.
//!
//! `api.lock.json` records it beside the IR, so that `generate` notices when the crate's API
//! changes although the specs did not (a change of the generator's emitters) and records that
//! in the changelog. Lines name the item by the module of the file it is declared in
//! (`crate::voicecall::callinner::Request`) and show what users compile against: function
//! signatures, public fields, variants, the derives and `#[non_exhaustive]` of types, trait
//! impls, constants' types and re-exports. Bodies, doc comments and private items are left out.

use quote::ToTokens;
use syn::{Attribute, Fields, ImplItem, Item, TraitItem, Visibility};

use crate::emit::OutputFile;

/// The surface of the Rust files among `files` (paths like `src/voicecall/callinner.rs`),
/// sorted; files that do not parse are listed as such rather than skipped.
pub fn surface(files: &[OutputFile]) -> Vec<String> {
    tidy(files.iter().flat_map(of_file).collect())
}

/// The surface lines of one file, unsorted; [`tidy`] the lines of every file
/// together. The file's text is parsed, not the syntax tree it was formatted
/// from: the lines follow the formatted text (a signature wrapped over lines
/// keeps its trailing comma), and `api.lock.json` records them so.
pub fn of_file(f: &OutputFile) -> Vec<String> {
    let mut out = Vec::new();
    let Some(module) = module_path(&f.path) else { return out };
    match syn::parse_file(&f.contents) {
        Ok(file) => items(&module, &file.items, &mut out),
        Err(e) => out.push(format!("{module}: does not parse: {e}")),
    }
    out
}

/// Lines of any number of files as [`surface`] lists them: sorted, each once.
pub fn tidy(mut lines: Vec<String>) -> Vec<String> {
    lines.sort();
    lines.dedup();
    lines
}

/// `crate::a::b` for `src/a/b.rs` or `src/a/b/mod.rs`; `None` for files that are not the
/// crate's sources (docs, examples, the manifest).
fn module_path(path: &str) -> Option<String> {
    let rel = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let rel = rel.strip_suffix("/mod").unwrap_or(rel);
    Some(if rel == "lib" { "crate".to_owned() } else { format!("crate::{}", rel.replace('/', "::")) })
}

/// Tokens as one line with the spacing `TokenStream::to_string` puts around punctuation removed.
fn tokens(t: &impl ToTokens) -> String {
    let text = t.to_token_stream().to_string();
    let mut s = text;
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        (" : ", ": "),
        ("# [", "#["),
    ] {
        s = s.replace(from, to);
    }
    s.replace(" (", "(").replace("( ", "(").replace(" )", ")")
}

fn public(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

/// The attributes that change what users may do with a type.
fn shape_attrs(attrs: &[Attribute]) -> String {
    let kept: Vec<String> = attrs
        .iter()
        .filter(|a| ["derive", "non_exhaustive", "repr"].iter().any(|n| a.path().is_ident(n)))
        .map(tokens)
        .collect();
    if kept.is_empty() { String::new() } else { format!(" {}", kept.join(" ")) }
}

fn fields(at: &str, fields: &Fields, out: &mut Vec<String>) {
    let private = fields.iter().filter(|f| !public(&f.vis)).count();
    for (i, f) in fields.iter().enumerate().filter(|(_, f)| public(&f.vis)) {
        let name = f.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string);
        out.push(format!("{at}.{name}: {}", tokens(&f.ty)));
    }
    if private > 0 {
        out.push(format!("{at}: {private} private field(s)"));
    }
}

fn items(module: &str, list: &[Item], out: &mut Vec<String>) {
    for item in list {
        match item {
            Item::Fn(f) if public(&f.vis) => out.push(format!("{module}: {}", tokens(&f.sig))),
            Item::Struct(s) if public(&s.vis) => {
                let at = format!("{module}::{}", s.ident);
                out.push(format!("{at}: struct{}{}", tokens(&s.generics), shape_attrs(&s.attrs)));
                fields(&at, &s.fields, out);
            }
            Item::Enum(e) if public(&e.vis) => {
                let at = format!("{module}::{}", e.ident);
                out.push(format!("{at}: enum{}{}", tokens(&e.generics), shape_attrs(&e.attrs)));
                for v in &e.variants {
                    out.push(format!("{at}::{}{}", v.ident, tokens(&v.fields)));
                }
            }
            Item::Const(c) if public(&c.vis) => out.push(format!("{module}::{}: const {}", c.ident, tokens(&c.ty))),
            Item::Static(s) if public(&s.vis) => out.push(format!("{module}::{}: static {}", s.ident, tokens(&s.ty))),
            Item::Type(t) if public(&t.vis) => out.push(format!("{module}::{}: type = {}", t.ident, tokens(&t.ty))),
            Item::Use(u) if public(&u.vis) => out.push(format!("{module}: pub use {}", tokens(&u.tree))),
            Item::Mod(m) if public(&m.vis) => match &m.content {
                Some((_, inner)) => items(&format!("{module}::{}", m.ident), inner, out),
                None => out.push(format!("{module}: pub mod {}", m.ident)),
            },
            Item::Trait(t) if public(&t.vis) => {
                let at = format!("{module}::{}", t.ident);
                out.push(format!("{at}: trait{}", tokens(&t.generics)));
                for i in &t.items {
                    match i {
                        TraitItem::Fn(f) => out.push(format!("{at}: {}", tokens(&f.sig))),
                        other => out.push(format!("{at}: {}", tokens(other))),
                    }
                }
            }
            Item::Impl(i) => impl_items(module, i, out),
            _ => {}
        }
    }
}

fn impl_items(module: &str, i: &syn::ItemImpl, out: &mut Vec<String>) {
    let ty = tokens(&i.self_ty);
    if let Some((path, _)) = &i.trait_ {
        out.push(format!("{module}: impl{} {} for {ty}", tokens(&i.generics), tokens(path)));
        return;
    }
    for item in &i.items {
        match item {
            ImplItem::Fn(f) if public(&f.vis) => out.push(format!("{module}::{ty}: {}", tokens(&f.sig))),
            ImplItem::Const(c) if public(&c.vis) => {
                out.push(format!("{module}::{ty}::{}: const {}", c.ident, tokens(&c.ty)))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile { path: path.to_owned(), contents: contents.to_owned() }
    }

    #[test]
    fn lists_public_items_with_their_signatures() {
        let src = "/// Docs.\n#[derive(Debug, Clone)]\n#[non_exhaustive]\npub struct Request { pub a: u8, b: String }\n\
                   impl Request { pub fn new(a: u8) -> Self { todo!() } fn private(&self) {} }\n\
                   impl std::fmt::Display for Request { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }\n\
                   pub const EVENTS: &[&str] = &[\"a\"];\nfn hidden() {}\npub enum Mode { A, B(u8) }\n";
        let lines = surface(&[file("src/voicecall/callinner.rs", src), file("docs/x.md", "# not rust")]);
        let m = "crate::voicecall::callinner";
        let expected = [
            format!("{m}: impl std::fmt::Display for Request"),
            format!("{m}::EVENTS: const &[&str]"),
            format!("{m}::Mode: enum"),
            format!("{m}::Mode::A"),
            format!("{m}::Mode::B(u8)"),
            format!("{m}::Request.a: u8"),
            format!("{m}::Request: 1 private field(s)"),
            format!("{m}::Request: fn new(a: u8) -> Self"),
            format!("{m}::Request: struct #[derive(Debug, Clone)] #[non_exhaustive]"),
        ];
        assert_eq!(lines, expected);
    }

    #[test]
    fn module_paths_follow_the_files() {
        assert_eq!(module_path("src/lib.rs").as_deref(), Some("crate"));
        assert_eq!(module_path("src/voicecall/mod.rs").as_deref(), Some("crate::voicecall"));
        assert_eq!(module_path("docs/voicecall/callinner.md"), None);
    }
}
