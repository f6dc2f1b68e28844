//! Doc comments: the only way spec text enters Rust.
//!
//! Spec text is normalized line by line (line endings, control characters,
//! indentation) and markdown-escaped so that nothing a description holds can
//! become a link, an HTML tag, a code block (a doctest!) or leave the string
//! literal. Each line becomes one `#[doc = "..."]` attribute.

use proc_macro2::TokenStream;
use quote::quote;

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
        let lines = self.finished();
        quote! { #(#[doc = #lines])* }
    }

    /// The `#![doc]` attributes, for the enclosing module or crate.
    pub fn inner_attrs(&self) -> TokenStream {
        let lines = self.finished();
        quote! { #(#![doc = #lines])* }
    }

    fn finished(&self) -> Vec<String> {
        let mut lines = self.lines.clone();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") }).collect()
    }
}

/// Splits text into lines with `\r\n`/`\r` unified, control characters and
/// bidi controls dropped (the checker refuses those; this holds without it),
/// and leading white space removed (an indented line would be a code block).
pub fn normalize(text: &str) -> Vec<String> {
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
    fn line_endings_are_normalized() {
        assert_eq!(normalize("a\r\nb\rc\n"), vec!["a", "b", "c", ""]);
    }
}
