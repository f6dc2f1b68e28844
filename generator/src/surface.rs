//! The public surface of the generated crate: one line per public item, with its signature.
//!
//! `api.lock.json` records it beside the IR, so that `generate` notices when the crate's API
//! changes although the specs did not (a change of the generator's emitters) and records that
//! in the changelog. Lines name the item by the module of the file it is declared in
//! (`crate::voicecall::callinner::Request`) and show what users compile against: function
//! signatures, public fields, variants, the derives and `#[non_exhaustive]` of types, trait
//! impls, constants' types and re-exports. Bodies, doc comments and private items are left out.

mod spell;

use quote::ToTokens;
use syn::{Attribute, Fields, ImplItem, Item, TraitItem, UseTree, Visibility};

use crate::emit::OutputFile;
use spell::Spell;

/// The surface of the Rust files among `files` (paths like `src/voicecall/callinner.rs`),
/// sorted; files that do not parse are listed as such rather than skipped.
pub fn surface(files: &[OutputFile]) -> Vec<String> {
    tidy(files.iter().flat_map(of_file).collect())
}

/// The surface lines of one file, unsorted; [`tidy`] the lines of every file
/// together. Parses the file's text; the emitter, which holds the syntax tree
/// the text was formatted from, lists that tree with [`of_syntax`] instead, and
/// both give the same lines once tidied (see [`canonical`]).
pub fn of_file(f: &OutputFile) -> Vec<String> {
    match syn::parse_file(&f.contents) {
        Ok(file) => of_syntax(&f.path, &file),
        Err(e) => module_path(&f.path).map(|m| vec![format!("{m}: does not parse: {e}")]).unwrap_or_default(),
    }
}

/// The surface lines of the file at `path` whose syntax tree is `file`, unsorted.
pub fn of_syntax(path: &str, file: &syn::File) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(module) = module_path(path) {
        items(&module, &file.items, &mut out);
    }
    out
}

/// `line` without the trailing commas a list may end with (`fn f(a: u8,)`,
/// `Vec<u8,>`, `[u8,]`, `{ a: u8, }`). The formatter adds one where it wraps a list over
/// lines, so the text has it and the tree it was formatted from does not; a
/// surface line never has it, and lines recorded with it (`api.lock.json`
/// written before this rule) are read through this function too.
pub fn canonical(line: &str) -> String {
    canonical_owned(line.to_owned())
}

/// [`canonical`], keeping `line` as it is when it holds no doc attribute:
/// the lines of today's listing hold none.
fn canonical_owned(line: String) -> String {
    let line = if line.contains(DOC_OPEN) { without_doc_attrs(&line) } else { line };
    shrink_ascii(line, &[(",)", ")"), (",>", ">"), (",]", "]"), (", }", " }")])
}

const DOC_OPEN: &str = "#[doc = \"";

/// `line` without `#[doc = "..."] ` attributes, which lines recorded before
/// docs were left out of variants' fields still hold.
fn without_doc_attrs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(DOC_OPEN) {
        out.push_str(&rest[..at]);
        let body = &rest[at + DOC_OPEN.len()..];
        // The literal ends at the first quote no backslash escapes.
        let mut escaped = false;
        let end = body.char_indices().find(|&(_, c)| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end
        });
        match end.map(|(i, _)| &body[i + 1..]).and_then(|after| after.strip_prefix(']')) {
            Some(after) => rest = after.strip_prefix(' ').unwrap_or(after),
            None => {
                out.push_str(&rest[at..]);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Lines of any number of files as [`surface`] lists them: each in its
/// [`traits_apart`] form, sorted, each once. Lines recorded by an older
/// listing read the same way, so the comparison sees only real changes.
pub fn tidy(lines: Vec<String>) -> Vec<String> {
    use rayon::prelude::*;
    let mut lines: Vec<String> = lines.into_par_iter().flat_map_iter(tidy_line).collect();
    lines.par_sort_unstable();
    lines.dedup();
    lines
}

/// [`tidy`] on this thread, for the lines of one file.
pub fn tidy_here(lines: Vec<String>) -> Vec<String> {
    let mut lines: Vec<String> = lines.into_iter().flat_map(tidy_line).collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// One line in its [`tidy`] form: one line or more.
fn tidy_line(line: String) -> Vec<String> {
    traits_apart_owned(canonical_owned(line))
}

/// The [`tidy`] lines of several files, each list already tidy: the same
/// lines as `tidy` of them all, with only the merging left to do.
pub fn merge_tidy<'a>(lists: impl Iterator<Item = &'a Vec<String>>) -> Vec<String> {
    let mut lines: Vec<String> = lists.flatten().cloned().collect();
    // Any order gives the same lines; a stable sort is quick on lists that
    // are each in order already.
    lines.sort();
    lines.dedup();
    lines
}

/// `line` with the traits a type implements each on a line of its own, the
/// same whether derived or written out: `m::T: struct #[derive(Debug)]` gives
/// `m::T: struct` and `m: impl std::fmt::Debug for T`, as `impl
/// std::fmt::Debug for T` does. A derive that becomes a hand-written impl of
/// the same trait (or back) is then no change of the API. Lifetime-only
/// generics are left out of impl lines (`impl<'de> serde::Deserialize<'de>`
/// is `impl serde::Deserialize`); type arguments stay, so `TryFrom<&str>`
/// and `TryFrom<i64>` remain two impls.
pub fn traits_apart(line: &str) -> Vec<String> {
    traits_apart_owned(line.to_owned())
}

/// [`traits_apart`], keeping `line` as it is when it lists no traits.
fn traits_apart_owned(line: String) -> Vec<String> {
    let is_type_with_derives =
        |kind: &str| (kind.starts_with("struct") || kind.starts_with("enum")) && kind.contains(" #[derive(");
    match line.split_once(": ") {
        Some((_, kind)) if kind.starts_with("impl") || is_type_with_derives(kind) => apart(&line),
        _ => vec![line],
    }
}

/// [`traits_apart`] of a line that names an impl or a type with derives.
fn apart(line: &str) -> Vec<String> {
    const DERIVE: &str = " #[derive(";
    // The first ": " ends the item's name (paths use "::").
    let Some((at, kind)) = line.split_once(": ") else { return vec![line.to_owned()] };
    if let Some(rest) = kind.strip_prefix("impl").filter(|r| r.starts_with([' ', '<'])) {
        let bare = without_lifetime_args(rest);
        let bare = match bare.strip_prefix(' ').and_then(|r| r.split_once(" for ")) {
            Some((name, ty)) => format!(" {} for {ty}", derived_trait(name)),
            None => bare,
        };
        return vec![format!("{at}: impl{bare}")];
    }
    let is_type = kind.starts_with("struct") || kind.starts_with("enum");
    let (Some(start), true) = (kind.find(DERIVE), is_type) else { return vec![line.to_owned()] };
    let Some(len) = kind[start + DERIVE.len()..].find(")]") else { return vec![line.to_owned()] };
    let list = &kind[start + DERIVE.len()..start + DERIVE.len() + len];
    let Some((module, name)) = at.rsplit_once("::") else { return vec![line.to_owned()] };
    let name = name.split('<').next().unwrap_or(name);
    let mut out = vec![format!("{at}: {}{}", &kind[..start], &kind[start + DERIVE.len() + len + 2..])];
    out.extend(
        list.split(", ").filter(|d| !d.is_empty()).map(|d| format!("{module}: impl {} for {name}", derived_trait(d))),
    );
    out
}

/// The standard library's path of a trait the prelude names (`Debug` is
/// `std::fmt::Debug`), so derives and impls name it alike; other paths as written.
fn derived_trait(name: &str) -> &str {
    match name {
        "Debug" => "std::fmt::Debug",
        "Clone" => "std::clone::Clone",
        "Copy" => "std::marker::Copy",
        "PartialEq" => "std::cmp::PartialEq",
        "Eq" => "std::cmp::Eq",
        "PartialOrd" => "std::cmp::PartialOrd",
        "Ord" => "std::cmp::Ord",
        "Hash" => "std::hash::Hash",
        "Default" => "std::default::Default",
        other => other,
    }
}

/// `text` without angle-bracketed lists that hold only lifetimes (`<'de>`, `<'a, 'b>`).
fn without_lifetime_args(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<'") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let lifetimes_only = after.find('>').filter(|&end| {
            after[..end].split(", ").all(|l| {
                l.strip_prefix('\'')
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
            })
        });
        match lifetimes_only {
            Some(end) => rest = &after[end + 1..],
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `crate::a::b` for `src/a/b.rs` or `src/a/b/mod.rs`; `None` for files that are not the
/// crate's sources (docs, examples, the manifest).
fn module_path(path: &str) -> Option<String> {
    let rel = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let rel = rel.strip_suffix("/mod").unwrap_or(rel);
    Some(if rel == "lib" { "crate".to_owned() } else { format!("crate::{}", rel.replace('/', "::")) })
}

/// `t` as [`tokens`] spells it: by [`spell`] where it can, which builds no tokens.
fn text(t: &impl Spell) -> String {
    let mut out = String::new();
    match t.spell(&mut out) {
        Some(()) => out,
        None => tokens(t),
    }
}

/// Tokens as one line with the spacing `TokenStream::to_string` puts around punctuation removed.
fn tokens(t: &impl ToTokens) -> String {
    shrink_tokens(t.to_token_stream().to_string())
}

/// `TokenStream::to_string`'s text with the spacing around punctuation removed.
fn shrink_tokens(text: String) -> String {
    const SPACING: &[(&str, &str)] = &[
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        (" : ", ": "),
        ("# [", "#["),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
    ];
    shrink_ascii(text, SPACING)
}

/// `s` with `s.replace(from, to)` applied for each rule in turn, where each
/// `from` is ASCII and each `to` is no longer than its `from` and made of
/// its bytes: the text then shrinks in place, with no copy per rule (most
/// texts are a few words, where the copies and the standard library's
/// searcher cost more than the search).
fn shrink_ascii(s: String, rules: &[(&str, &str)]) -> String {
    let mut bytes = s.into_bytes();
    // Which bytes occur: a rule needing one that does not is skipped. A rule
    // brings no byte its `from` lacks, so this holds from the first rule to
    // the last.
    let mut present = [false; 128];
    for &b in bytes.iter().filter(|b| b.is_ascii()) {
        present[usize::from(b)] = true;
    }
    for (from, to) in rules {
        let (from, to) = (from.as_bytes(), to.as_bytes());
        debug_assert!(from.is_ascii() && to.len() <= from.len() && to.iter().all(|b| from.contains(b)));
        if from.iter().any(|&b| b != b' ' && present.get(usize::from(b)) != Some(&true)) {
            continue;
        }
        let Some(first) = find_ascii(&bytes, from, 0) else { continue };
        // What is kept is moved down over what was dropped; writing never
        // overtakes reading, since `to` is no longer than `from`.
        let (mut read, mut write, mut at) = (0, 0, Some(first));
        while let Some(i) = at {
            bytes.copy_within(read..i, write);
            write += i - read;
            bytes[write..write + to.len()].copy_from_slice(to);
            write += to.len();
            read = i + from.len();
            at = find_ascii(&bytes, from, read);
        }
        bytes.copy_within(read.., write);
        bytes.truncate(write + (bytes.len() - read));
    }
    // Only ASCII was replaced, by ASCII, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where `pattern` (not empty) first occurs in `bytes` at or after `start`.
/// The search runs on its first byte that is not a space: in token text
/// spaces are everywhere, punctuation is not.
fn find_ascii(bytes: &[u8], pattern: &[u8], start: usize) -> Option<usize> {
    let anchor = pattern.iter().position(|&b| b != b' ').unwrap_or(0);
    let key = *pattern.get(anchor)?;
    let mut from = start + anchor;
    while let Some(i) = bytes.get(from..)?.iter().position(|&b| b == key) {
        let at = from + i - anchor;
        if bytes.get(at..at + pattern.len()) == Some(pattern) {
            return Some(at);
        }
        from += i + 1;
    }
    None
}

fn public(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

/// The attributes that change what users may do with a type (derives are
/// split into impl lines by [`tidy`]).
fn shape_attrs(attrs: &[Attribute]) -> String {
    let kept: Vec<String> = attrs
        .iter()
        .filter(|a| ["derive", "non_exhaustive", "repr"].iter().any(|n| a.path().is_ident(n)))
        .map(text)
        .collect();
    if kept.is_empty() { String::new() } else { format!(" {}", kept.join(" ")) }
}

fn fields(at: &str, fields: &Fields, out: &mut Vec<String>) {
    let private = fields.iter().filter(|f| !public(&f.vis)).count();
    for (i, f) in fields.iter().enumerate().filter(|(_, f)| public(&f.vis)) {
        let name = f.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string);
        out.push(format!("{at}.{name}: {}", text(&f.ty)));
    }
    if private > 0 {
        out.push(format!("{at}: {private} private field(s)"));
    }
}

fn items(module: &str, list: &[Item], out: &mut Vec<String>) {
    for item in list {
        match item {
            Item::Fn(f) if public(&f.vis) => out.push(format!("{module}: {}", text(&f.sig))),
            Item::Struct(s) if public(&s.vis) => {
                let at = format!("{module}::{}", s.ident);
                out.push(format!("{at}: struct{}{}", text(&s.generics), shape_attrs(&s.attrs)));
                fields(&at, &s.fields, out);
            }
            Item::Enum(e) if public(&e.vis) => {
                let at = format!("{module}::{}", e.ident);
                out.push(format!("{at}: enum{}{}", text(&e.generics), shape_attrs(&e.attrs)));
                for v in &e.variants {
                    out.push(format!("{at}::{}{}", v.ident, variant_fields(&v.fields)));
                }
            }
            Item::Const(c) if public(&c.vis) => out.push(format!("{module}::{}: const {}", c.ident, text(&*c.ty))),
            Item::Static(s) if public(&s.vis) => out.push(format!("{module}::{}: static {}", s.ident, text(&*s.ty))),
            Item::Type(t) if public(&t.vis) => out.push(format!("{module}::{}: type = {}", t.ident, text(&*t.ty))),
            Item::Use(u) if public(&u.vis) => out.push(format!("{module}: pub use {}", use_tree(&u.tree))),
            Item::Mod(m) if public(&m.vis) => match &m.content {
                Some((_, inner)) => items(&format!("{module}::{}", m.ident), inner, out),
                None => out.push(format!("{module}: pub mod {}", m.ident)),
            },
            Item::Trait(t) if public(&t.vis) => {
                let at = format!("{module}::{}", t.ident);
                out.push(format!("{at}: trait{}", text(&t.generics)));
                for i in &t.items {
                    match i {
                        TraitItem::Fn(f) => out.push(format!("{at}: {}", text(&f.sig))),
                        other => out.push(format!("{at}: {}", tokens(other))),
                    }
                }
            }
            Item::Impl(i) => impl_items(module, i, out),
            _ => {}
        }
    }
}

/// A variant's fields, `(u8)` or `{ a: u8 }`: their types, not their docs.
fn variant_fields(fields: &Fields) -> String {
    let each = |f: &syn::Field| match &f.ident {
        Some(name) => format!("{name}: {}", text(&f.ty)),
        None => text(&f.ty),
    };
    let list = fields.iter().map(each).collect::<Vec<_>>().join(", ");
    match fields {
        Fields::Unit => String::new(),
        Fields::Unnamed(_) => format!("({list})"),
        Fields::Named(_) => format!("{{ {list} }}"),
    }
}

/// A `use` tree as [`tokens`] writes it, a group of one (`a::{B}`) written as
/// that one (`a::B`), as the formatter writes it.
fn use_tree(tree: &UseTree) -> String {
    match tree {
        UseTree::Path(p) => format!("{}::{}", p.ident, use_tree(&p.tree)),
        UseTree::Group(g) if g.items.len() == 1 => use_tree(&g.items[0]),
        UseTree::Group(g) => format!("{{ {} }}", g.items.iter().map(use_tree).collect::<Vec<_>>().join(", ")),
        other => tokens(other),
    }
}

fn impl_items(module: &str, i: &syn::ItemImpl, out: &mut Vec<String>) {
    let ty = text(&*i.self_ty);
    if let Some((path, _)) = &i.trait_ {
        out.push(format!("{module}: impl{} {} for {ty}", text(&i.generics), text(path)));
        return;
    }
    for item in &i.items {
        match item {
            ImplItem::Fn(f) if public(&f.vis) => out.push(format!("{module}::{ty}: {}", text(&f.sig))),
            ImplItem::Const(c) if public(&c.vis) => {
                out.push(format!("{module}::{ty}::{}: const {}", c.ident, text(&c.ty)))
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
            format!("{m}: impl std::clone::Clone for Request"),
            format!("{m}: impl std::fmt::Debug for Request"),
            format!("{m}: impl std::fmt::Display for Request"),
            format!("{m}::EVENTS: const &[&str]"),
            format!("{m}::Mode: enum"),
            format!("{m}::Mode::A"),
            format!("{m}::Mode::B(u8)"),
            format!("{m}::Request.a: u8"),
            format!("{m}::Request: 1 private field(s)"),
            format!("{m}::Request: fn new(a: u8) -> Self"),
            format!("{m}::Request: struct #[non_exhaustive]"),
        ];
        assert_eq!(lines, expected);
    }

    #[test]
    fn recorded_lines_read_as_todays_listing_writes_them() {
        let old = r#"crate::events::Event::Unknown{ #[doc = " The `eventType` as \"sent\"."] event_type: String, #[doc = " x"] content: u8, }"#;
        assert_eq!(canonical(old), "crate::events::Event::Unknown{ event_type: String, content: u8 }");
        assert_eq!(canonical("m: fn f(&self, a: u8,) -> Vec<u8,>"), "m: fn f(&self, a: u8) -> Vec<u8>");
        // An attribute that is not whole is left as it is.
        assert_eq!(canonical("m: #[doc = \"open"), "m: #[doc = \"open");
    }

    /// A derive and a hand-written impl of the same trait list alike; lines
    /// recorded with derives in the type's line read as today's.
    #[test]
    fn derived_and_written_impls_of_a_trait_are_one_line() {
        let derived = "#[derive(Debug, serde::Deserialize)]\npub struct P { pub a: u8 }\n";
        let written = "pub struct P { pub a: u8 }\nimpl std::fmt::Debug for P { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }\n\
                       impl<'de> serde::Deserialize<'de> for P { fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> { todo!() } }\n";
        let (a, b) = (surface(&[file("src/events.rs", derived)]), surface(&[file("src/events.rs", written)]));
        assert_eq!(a, b);
        assert!(a.contains(&"crate::events: impl serde::Deserialize for P".to_owned()), "{a:#?}");
        let recorded =
            tidy(vec!["crate::events::P: struct #[derive(Debug, serde::Deserialize)] #[non_exhaustive]".into()]);
        assert_eq!(
            recorded,
            [
                "crate::events: impl serde::Deserialize for P",
                "crate::events: impl std::fmt::Debug for P",
                "crate::events::P: struct #[non_exhaustive]",
            ]
        );
        // Impls that differ in a type argument stay apart; lifetimes alone go.
        let two = tidy(vec!["m: impl TryFrom<&str> for T".into(), "m: impl TryFrom<i64> for T".into()]);
        assert_eq!(two.len(), 2);
        assert_eq!(traits_apart("m: impl<'a> X<'a, T> for Y<'a>"), ["m: impl X<'a, T> for Y"]);
        // A signature that takes an `impl Trait` is not an impl line.
        let f = "m::T: fn f(x: impl Into<Cow<'a, str>>, y: Vec<'b>) -> Self";
        assert_eq!(traits_apart(f), [f]);
    }

    #[test]
    fn shrinking_in_place_is_replacing_rule_after_rule() {
        let texts = [
            "",
            "a",
            " :: ",
            "a :: b :: c",
            "::::",
            "  ",
            "é :: ü",
            "a  b",
            " :: :: ",
            "x< <y",
            "a , b ,",
            "   ",
            "f(a,) >",
            "Vec < u8 > >",
            "# [derive (Debug)]",
            "x :::y",
            " >",
        ];
        let rules = [
            (" :: ", "::"),
            (":: ", "::"),
            ("< ", "<"),
            (" >", ">"),
            (" ", ""),
            ("  ", " "),
            (" : ", ": "),
            ("::", ":"),
            (",)", ")"),
            ("# [", "#["),
        ];
        for text in texts {
            for (i, rule) in rules.iter().enumerate() {
                assert_eq!(shrink_ascii(text.to_owned(), &[*rule]), text.replace(rule.0, rule.1), "{text:?} {rule:?}");
                // Each rule applies to what the rules before it left.
                let all = &rules[i..];
                let expected = all.iter().fold(text.to_owned(), |s, (from, to)| s.replace(from, to));
                assert_eq!(shrink_ascii(text.to_owned(), all), expected, "{text:?} from rule {i}");
            }
        }
    }

    /// Every file's lines tidied apart, as the emitter lists them, then
    /// merged: the lines of every file tidied at once.
    #[test]
    fn files_tidied_apart_then_merged_are_the_files_tidied_together() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("src")];
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                    files.push(file(&rel, &std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        assert!(files.len() > 30, "{}", files.len());
        let raw: Vec<Vec<String>> = files.iter().map(of_file).collect();
        let apart: Vec<Vec<String>> = raw.iter().cloned().map(tidy_here).collect();
        let together = tidy(raw.concat());
        assert!(together.len() > 1000, "{}", together.len());
        assert_eq!(merge_tidy(apart.iter()), together);
        // Tidy lines stay as they are.
        assert_eq!(tidy(together.clone()), together);
        // Lists out of order, or listing a line twice, merge alike.
        let shuffled = [apart[1].clone(), apart[0].iter().rev().cloned().collect(), apart[1].clone()];
        assert_eq!(merge_tidy(shuffled.iter()), merge_tidy(apart[..2].iter()));
    }

    #[test]
    fn module_paths_follow_the_files() {
        assert_eq!(module_path("src/lib.rs").as_deref(), Some("crate"));
        assert_eq!(module_path("src/voicecall/mod.rs").as_deref(), Some("crate::voicecall"));
        assert_eq!(module_path("docs/voicecall/callinner.md"), None);
    }
}
