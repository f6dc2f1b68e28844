//! Doc comments: the only way spec text enters Rust.
//!
//! Spec text is normalized line by line (line endings, control characters,
//! indentation) and markdown-escaped so that nothing a description holds can
//! become a link, an HTML tag, a code block (a doctest!) or leave the string
//! literal. Each line becomes one `#[doc = "..."]` attribute.
//!
//! While a module is built to be formatted ([`holding`]), an item's lines
//! are held aside and the item carries one doc attribute in their place: a
//! marker, [`MARK`] and the number of the held lines. The formatter writes
//! it as one `///` line like any other doc line, and [`Held::expand`] puts
//! the held lines there in the formatted text. Spelling every line as
//! tokens only to parse it back cost about 13 % of a fresh generation's
//! instructions; building and formatting an attribute per line, a further 7 %.

use std::cell::RefCell;

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;

thread_local! {
    /// The doc lines of each item built inside [`holding`] on this thread.
    static HELD: RefCell<Option<Vec<Vec<String>>>> = const { RefCell::new(None) };
}

/// Starts a doc marker. A control character, which nothing else puts in a
/// formatted module: [`normalize`] drops them from every doc line, string
/// literals built from spec text spell them escaped, and identifiers cannot
/// hold them. (The header line, which names a spec file, is added after.)
const MARK: char = '\u{1}';

/// Runs `build`, holding aside the doc lines of every [`Doc`] it turns into
/// attributes; see the module docs.
pub(crate) fn holding<T>(build: impl FnOnce() -> T) -> (T, Held) {
    let outer = HELD.replace(Some(Vec::new()));
    let built = build();
    let held = HELD.replace(outer).unwrap_or_default();
    (built, Held(held))
}

/// Runs `build` with every doc spelled out as attributes, even inside
/// [`holding`]: for tokens that are compared as text, not emitted.
pub(crate) fn spelled_out<T>(build: impl FnOnce() -> T) -> T {
    let outer = HELD.replace(None);
    let built = build();
    HELD.set(outer);
    built
}

/// Doc lines held aside by [`holding`], by marker number.
pub(crate) struct Held(Vec<Vec<String>>);

impl Held {
    /// `formatted` with each marker line (`///` or `//!`, then the marker)
    /// replaced by the lines it holds, each a doc line at the marker's
    /// indentation, as the formatter writes a doc attribute. A held doc may
    /// have no marker: tokens built only to be looked at, never emitted. A
    /// marker anywhere else (inside a macro's tokens, where the formatter
    /// keeps attributes as they are) is an error.
    pub(crate) fn expand(&self, formatted: String) -> Result<String, String> {
        // Looked for before the held lines go in: those may quote anything.
        if marker_spelled(&formatted) {
            return Err("a doc marker was left where the formatter could not make it a comment".to_owned());
        }
        if !formatted.contains(MARK) {
            return Ok(formatted);
        }
        let extra: usize = self.0.iter().flatten().map(|line| line.len() + 16).sum();
        let mut out = String::with_capacity(formatted.len() + extra);
        let mut rest = formatted.as_str();
        while let Some(at) = rest.find(MARK) {
            let marker = MarkerLine::at(rest, at).ok_or("a doc marker outside a doc comment of its own")?;
            let lines =
                self.0.get(marker.number).ok_or_else(|| format!("doc marker {} was never held", marker.number))?;
            out.push_str(&rest[..marker.start]);
            for line in lines {
                out.push_str(marker.indent);
                out.push_str(marker.slashes);
                // As the formatter writes a doc line.
                out.push_str(line.trim_end_matches(' '));
                out.push('\n');
            }
            rest = &rest[marker.end..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A marker as the formatter writes it: a line of its own,
/// `<indent>///<marker>` (or `//!`).
struct MarkerLine<'a> {
    /// Where the line starts and where the next one does.
    start: usize,
    end: usize,
    indent: &'a str,
    slashes: &'a str,
    number: usize,
}

impl<'a> MarkerLine<'a> {
    /// The marker line whose [`MARK`] is at `at` in `text`; `None` when the
    /// mark is not on such a line.
    fn at(text: &'a str, at: usize) -> Option<Self> {
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let opener = &text[start..at];
        let slashes = ["///", "//!"].into_iter().find(|s| opener.ends_with(s))?;
        let indent = &opener[..opener.len() - slashes.len()];
        if !indent.bytes().all(|b| b == b' ') {
            return None;
        }
        let digits = at + MARK.len_utf8();
        let line_end = text[digits..].find('\n').map_or(text.len(), |i| digits + i);
        let number = text[digits..line_end].parse().ok()?;
        Some(MarkerLine { start, end: (line_end + 1).min(text.len()), indent, slashes, number })
    }
}

/// True when formatted Rust holds a marker as a string literal spells it, as
/// it would inside a macro's tokens.
fn marker_spelled(formatted: &str) -> bool {
    formatted
        .match_indices("\"\\u{1}")
        .any(|(at, m)| formatted[at + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The marker of held lines number `n`.
fn marker(n: usize) -> String {
    format!("{MARK}{n}")
}

/// `#[doc = <value>]`, built without tokens.
fn attr(value: syn::LitStr) -> syn::Attribute {
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta: syn::Meta::NameValue(syn::MetaNameValue {
            path: syn::Ident::new("doc", Span::call_site()).into(),
            eq_token: Default::default(),
            value: syn::Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit: syn::Lit::Str(value) }),
        }),
    }
}

/// `line` as a string literal. Raw (`r#"..."#`), so that it is spelled as
/// the text itself: escaping a plain literal char by char was most of the
/// cost of a doc attribute. A normalized line has no carriage return, the
/// one character a raw literal cannot hold.
fn doc_literal(line: &str) -> syn::LitStr {
    let hashes = line.match_indices('"').map(|(at, _)| line[at + 1..].bytes().take_while(|&b| b == b'#').count() + 1);
    let fence = "#".repeat(hashes.max().unwrap_or(0));
    let mut spelled = String::with_capacity(line.len() + 2 * fence.len() + 3);
    for part in ["r", &fence, "\"", line, "\"", &fence] {
        spelled.push_str(part);
    }
    match spelled.parse::<Literal>().map(syn::Lit::new) {
        Ok(syn::Lit::Str(lit)) => lit,
        _ => syn::LitStr::new(line, Span::call_site()),
    }
}

/// Holds `lines` if [`holding`] is under way on this thread: their marker.
fn hold(lines: &mut Vec<String>) -> Option<String> {
    HELD.with_borrow_mut(|held| {
        let held = held.as_mut()?;
        held.push(std::mem::take(lines));
        Some(marker(held.len() - 1))
    })
}

/// Builds the doc lines of one item.
#[derive(Debug, Default, Clone)]
pub struct Doc {
    lines: Vec<String>,
}

impl Doc {
    pub fn new() -> Self {
        Self::default()
    }

    /// Spec text, escaped; may span several lines.
    pub fn text(mut self, text: &str) -> Self {
        for line in normalize(text) {
            self.lines.push(escape_line(&line));
        }
        self
    }

    /// A line of our own markup, with spec fragments already escaped by the caller.
    pub fn raw(mut self, line: impl Into<String>) -> Self {
        let line: String = line.into();
        // Mostly one line of printable ASCII, without surrounding spaces:
        // what [`normalize`] would give back, so it is kept as it is.
        if line.bytes().all(|b| (0x20..0x7f).contains(&b)) && line.trim().len() == line.len() {
            self.lines.push(line);
            return self;
        }
        for part in normalize(&line) {
            self.lines.push(part);
        }
        self
    }

    /// A paragraph break (never doubled, never leading).
    pub fn blank(mut self) -> Self {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
        self
    }

    /// A titled bullet list of escaped spec text; nothing when `items` is empty.
    pub fn list<'a>(self, title: &str, items: impl IntoIterator<Item = &'a String>) -> Self {
        let items: Vec<&String> = items.into_iter().collect();
        if items.is_empty() {
            return self;
        }
        let mut doc = self.blank().raw(format!("# {title}")).blank();
        for item in items {
            let lines = normalize(item);
            let joined = lines.iter().map(|l| escape_line(l)).collect::<Vec<_>>().join(" ");
            doc = doc.raw(format!("- {joined}"));
        }
        doc
    }

    /// The `#[doc]` attributes, for the item that follows.
    pub fn attrs(&self) -> TokenStream {
        let mut lines = self.finished();
        if lines.is_empty() {
            return TokenStream::new();
        }
        match hold(&mut lines) {
            Some(marker) => quote! { #[doc = #marker] },
            None => quote! { #(#[doc = #lines])* },
        }
    }

    /// The `#[doc]` attributes as trees, for an item built as one (see
    /// `syntax`).
    pub(crate) fn outer(&self) -> Vec<syn::Attribute> {
        let mut lines = self.finished();
        if lines.is_empty() {
            return Vec::new();
        }
        match hold(&mut lines) {
            Some(marker) => vec![attr(syn::LitStr::new(&marker, Span::call_site()))],
            None => lines.iter().map(|line| attr(doc_literal(line))).collect(),
        }
    }

    /// The `#![doc]` attributes, for the enclosing module or crate.
    pub fn inner_attrs(&self) -> TokenStream {
        let mut lines = self.finished();
        if lines.is_empty() {
            return TokenStream::new();
        }
        match hold(&mut lines) {
            Some(marker) => quote! { #![doc = #marker] },
            None => quote! { #(#![doc = #lines])* },
        }
    }

    /// The lines without the trailing blank ones; each non-blank line after a
    /// space, as `///` comments are written.
    fn finished(&self) -> Vec<String> {
        let end = self.lines.iter().rposition(|l| !l.is_empty()).map_or(0, |last| last + 1);
        let spaced = |line: &String| {
            let mut out = String::with_capacity(line.len() + 1);
            if !line.is_empty() {
                out.push(' ');
                out.push_str(line);
            }
            out
        };
        self.lines[..end].iter().map(spaced).collect()
    }
}

/// Splits text into lines with `\r\n`/`\r` unified, control characters and
/// bidi controls dropped (the checker refuses those; this holds without it),
/// and leading white space removed (an indented line would be a code block).
pub fn normalize(text: &str) -> Vec<String> {
    // Most text is printable ASCII: nothing to drop or unify, only to split.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n') {
        return text.split('\n').map(|line| line.trim().to_owned()).collect();
    }
    normalize_any(text)
}

/// [`normalize`] for any text.
fn normalize_any(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(|line| {
            line.chars()
                .filter(|&c| (!c.is_control() || c == '\t') && !crate::text::is_bidi_control(c))
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect::<String>()
        })
        .map(|line| line.trim().to_owned())
        .collect()
}

/// Escapes markdown in one line of spec text. Text of several lines is
/// joined into one first: callers put the result inside a line of their own
/// markup (a list item, a table of values), where a line break would start
/// an unescaped block or a lazy continuation that rustdoc lints reject.
pub fn escape_line(line: &str) -> String {
    let joined;
    let line = if line.contains(['\n', '\r']) {
        joined = normalize(line).into_iter().filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        joined.as_str()
    } else {
        line
    };
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    // Block markers that only count at the start of a line. An ordered-list
    // marker is defused by escaping its punctuation (`1\\.`): a backslash
    // before a digit would show literally.
    if out.starts_with(['-', '+', '=', ':']) {
        out.insert(0, '\\');
    } else if let Some(at) = out.find(['.', ')'])
        && at > 0
        && out[..at].bytes().all(|b| b.is_ascii_digit())
        && out[at + 1..].chars().next().is_none_or(char::is_whitespace)
    {
        out.insert(at, '\\');
    }
    out
}

/// An inline code span that holds `text` literally, whatever backticks it contains.
pub fn code(text: &str) -> String {
    let flat = normalize(text).join(" ");
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if flat.is_empty() {
        return "` `".to_owned();
    }
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.starts_with(' ') { " " } else { "" };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doc_line_reads_back_as_written_whatever_it_holds() {
        for line in [
            "plain",
            "",
            "a \" quote, \"# and \"## fences",
            "back\\slash \\n \\u{41}",
            "é ✓ 𝄞 \u{7f}",
            "r#\"raw\"#",
            "\"#\"##\"###",
        ] {
            assert_eq!(doc_literal(line).value(), line, "{line:?}");
        }
    }

    /// Items with docs on the module, an item and a field.
    fn documented() -> TokenStream {
        let module = Doc::new().text("Module docs.").inner_attrs();
        let item = Doc::new().text("An item.").blank().text("Its \"second\" paragraph: `code` #1.").attrs();
        let field = Doc::new().text("A field.").attrs();
        let unused = Doc::new().text("Built to be looked at, never emitted.").attrs();
        drop(unused);
        quote! { #module #item pub struct S { #field pub x: u8 } }
    }

    /// Items with docs on the module, an item, a field and a variant, the
    /// last two built as trees.
    fn documented_with_trees() -> syn::File {
        let mut file: syn::File = syn::parse2(documented()).unwrap();
        let mut built: syn::ItemEnum = syn::parse_quote! { pub enum E { A, B } };
        built.attrs = Doc::new().text("An enum, built as a tree.").blank().text("Two lines.").outer();
        built.variants[1].attrs = Doc::new().text("A variant.").outer();
        file.items.push(syn::Item::Enum(built));
        file
    }

    #[test]
    fn held_docs_go_back_where_their_markers_are() {
        let (tokens, held) = holding(documented);
        assert!(!tokens.to_string().contains("Module docs"), "held, not spelled: {tokens}");
        let (file, held_too) = holding(documented_with_trees);
        assert!(!prettyplease::unparse(&file).contains("Two lines"), "held, not spelled");
        let spelled = prettyplease::unparse(&documented_with_trees());
        assert!(spelled.contains("    /// A variant.\n    B,\n"), "{spelled}");
        assert_eq!(held_too.expand(prettyplease::unparse(&file)).unwrap(), spelled);
        let restored = held.expand(prettyplease::unparse(&syn::parse2(tokens).unwrap())).unwrap();
        assert_eq!(restored, prettyplease::unparse(&syn::parse2(documented()).unwrap()));
    }

    #[test]
    fn a_marker_nothing_holds_or_outside_a_doc_line_is_an_error() {
        let (_, held) = holding(|| ());
        let unheld = format!("///{}\npub struct S;\n", marker(3));
        assert!(held.expand(unheld).unwrap_err().contains("marker 3"));
        let (_, held) = holding(|| Doc::new().text("x").attrs());
        let mid_line = format!("const X: u8 = 1; ///{}\n", marker(0));
        assert!(held.expand(mid_line).is_err());
        let followed = format!("///{} more\n", marker(0));
        assert!(held.expand(followed).is_err());
        // Inside a macro's tokens the formatter keeps the attribute; its
        // literal spells the marker.
        let in_macro = prettyplease::unparse(&syn::parse_quote! { m! { #[doc = "\u{1}0"] struct S; } });
        assert!(held.expand(in_macro).unwrap_err().contains("left"));
        let with_marker_too = format!(
            "///{}\n{}",
            marker(0),
            prettyplease::unparse(&syn::parse_quote! { m! { #[doc = "\u{1}0"] struct S; } })
        );
        assert!(held.expand(with_marker_too).unwrap_err().contains("left"));
        // Held lines may quote a spelled marker: they are spec text, not markers.
        let (_, quoting) = holding(|| Doc::new().raw("`\"\\u{1}0`").attrs());
        assert_eq!(quoting.expand(format!("///{}\n", marker(0))).unwrap(), "/// `\"\\u{1}0`\n");
        let plain = "/// set doc = 3 to see\npub struct S;\n".to_owned();
        assert_eq!(held.expand(plain.clone()).unwrap(), plain);
        assert_eq!(held.expand(format!("///{}\n", marker(0))).unwrap(), "/// x\n");
    }

    #[test]
    fn hostile_text_stays_inert() {
        let doc = Doc::new().text("a */ b \"q\" \r\n```rust\nfn x() {}\n```\n    indented\n[link](x) <script>|#[attr]");
        let tokens = doc.attrs().to_string();
        assert!(!tokens.contains("\n    indented"));
        let parsed: syn::File = syn::parse_str(&format!("{tokens} struct S;")).expect("parses");
        assert_eq!(parsed.items.len(), 1);
        let lines = doc_strings(&parsed.items[0]);
        assert!(lines.iter().any(|l| l.contains("\\`\\`\\`rust")), "{lines:?}");
        assert!(lines.iter().any(|l| l == " indented"), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("\\[link\\](x) \\<script\\>\\|\\#\\[attr\\]")), "{lines:?}");
    }

    fn doc_strings(item: &syn::Item) -> Vec<String> {
        let syn::Item::Struct(s) = item else { return Vec::new() };
        s.attrs
            .iter()
            .filter_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    #[test]
    fn list_markers_are_escaped_at_line_start() {
        assert_eq!(escape_line("- x"), "\\- x");
        assert_eq!(escape_line("1. x"), "1\\. x");
        assert_eq!(escape_line("1.5 s"), "1.5 s");
        assert_eq!(escape_line("a-b"), "a-b");
    }

    #[test]
    fn code_spans_outgrow_inner_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
    }

    #[test]
    fn text_of_several_lines_escapes_into_one() {
        // Mid-line, a dash or a number is plain text.
        assert_eq!(escape_line("first\n- item\r\n1. x\n\n  more"), "first - item 1. x more");
        let doc = Doc::new().raw(format!("- value: {}", escape_line("one\n- two"))).attrs().to_string();
        let file: syn::File = syn::parse_str(&format!("{doc} struct S;")).expect("parses");
        assert_eq!(doc_strings(&file.items[0]), [" - value: one - two"]);
    }

    #[test]
    fn bidi_controls_never_reach_a_doc_line() {
        let doc = Doc::new().text("abc\u{202E}def\u{2066}").attrs().to_string();
        let file: syn::File = syn::parse_str(&format!("{doc} struct S;")).expect("parses");
        let lines = doc_strings(&file.items[0]);
        assert_eq!(lines, [" abcdef"]);
    }

    #[test]
    fn printable_ascii_splits_as_any_text_does() {
        for text in ["", "one", "  lead and trail  \n\nnext ", "a\n b\n\n", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"] {
            assert_eq!(normalize(text), normalize_any(text), "{text:?}");
        }
    }

    #[test]
    fn a_raw_line_is_kept_as_normalizing_would_give_it() {
        for line in ["plain", " lead", "trail ", "two\nlines", "tab\tin", "", " ", "é", "a\u{7f}b"] {
            let kept = Doc::new().raw(line).lines;
            assert_eq!(kept, normalize(line), "{line:?}");
        }
    }

    #[test]
    fn line_endings_are_normalized() {
        assert_eq!(normalize("a\r\nb\rc\n"), vec!["a", "b", "c", ""]);
    }
}
