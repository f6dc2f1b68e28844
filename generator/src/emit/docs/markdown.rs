//! Markdown text helpers: spec text in, markdown that renders as that text out.
//!
//! Spec strings are prose, not markdown: every one reaches a page through one
//! of these functions (registered as template filters), so a `|`, a backtick,
//! `<script>` or a leading `#` in a description can neither break a table nor
//! inject markup.

/// Characters escaped with a backslash wherever they occur in prose.
const BACKSLASHED: &[char] = &['\\', '`', '*', '_', '[', ']', '|', '~'];

/// Inline prose on one line: line breaks become spaces.
pub fn text(s: &str) -> String {
    lines(s).map(|l| escape_line(&l)).collect::<Vec<_>>().join(" ")
}

/// Prose inside a table cell: line breaks become `<br>`.
pub fn cell(s: &str) -> String {
    let out: Vec<String> = lines(s).map(|l| escape_line(&l)).collect();
    if out.is_empty() { String::new() } else { out.join("<br>") }
}

/// Prose as block paragraphs: blank lines separate paragraphs, other line breaks become spaces.
pub fn block(s: &str) -> String {
    let normalized = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in normalized.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(escape_line(&current.join(" ")));
                current.clear();
            }
        } else {
            current.push(line.to_owned());
        }
    }
    if !current.is_empty() {
        paragraphs.push(escape_line(&current.join(" ")));
    }
    paragraphs.join("\n\n")
}

/// Non-empty trimmed lines of `s`, whatever its line endings.
fn lines(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned)
}

/// Escapes one line of prose that may stand at the start of a markdown line.
fn escape_line(line: &str) -> String {
    let line = line.trim();
    let mut out = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // `{{#include …}}` and friends are mdBook directives.
            '{' if chars.get(i + 1) == Some(&'{') => out.push_str("\\{"),
            c if BACKSLASHED.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    escape_line_start(out)
}

/// Escapes what would make the start of a line a heading, list item, quote or rule.
fn escape_line_start(s: String) -> String {
    let first = s.chars().next();
    match first {
        Some('#' | '-' | '+' | '=') => format!("\\{s}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = s.chars().take_while(char::is_ascii_digit).count();
            match s[digits..].chars().next() {
                Some(m @ ('.' | ')')) if digits <= 9 => format!("{}\\{m}{}", &s[..digits], &s[digits + 1..]),
                _ => s,
            }
        }
        _ => s,
    }
}

/// Layout clean-up of a rendered page: outside fenced code blocks, runs of
/// blank lines become one and trailing spaces go; the page ends with one newline.
/// Lets templates place blocks freely without counting newlines.
pub fn tidy(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut fence: Option<(char, usize)> = None;
    let mut blank = false;
    for line in page.lines() {
        let trimmed = line.trim_start();
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        match fence {
            Some((c, n)) => {
                if run(c) >= n && trimmed.trim_end().chars().all(|x| x == c) {
                    fence = None;
                }
                out.push_str(line);
                out.push('\n');
                continue;
            }
            None => {
                for c in ['`', '~'] {
                    if run(c) >= 3 {
                        fence = Some((c, run(c)));
                    }
                }
            }
        }
        let line = line.trim_end();
        if line.is_empty() {
            if !blank && !out.is_empty() {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        blank = false;
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The longest run of `c` in `s`.
fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// An inline code span showing `s` literally (outside tables).
pub fn code(s: &str) -> String {
    code_span(s, false)
}

/// An inline code span showing `s` literally inside a table cell (`|` escaped for the table parser).
pub fn code_cell(s: &str) -> String {
    code_span(s, true)
}

fn code_span(s: &str, in_table: bool) -> String {
    // Most spans are one line with nothing to escape or pad: one copy.
    let plain = |s: &str| !s.bytes().any(|b| matches!(b, b'\r' | b'\n' | b'`' | b'|'));
    if !s.starts_with(' ') && !s.ends_with(' ') && !s.is_empty() && plain(s) {
        let mut span = String::with_capacity(s.len() + 2);
        for part in ["`", s, "`"] {
            span.push_str(part);
        }
        return span;
    }
    let one_line: String = s.split(['\r', '\n']).collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "(empty)".to_owned();
    }
    let content = if in_table { one_line.replace('|', "\\|") } else { one_line };
    let fence = "`".repeat(longest_run(&content, '`') + 1);
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && !content.trim().is_empty());
    if pad { format!("{fence} {content} {fence}") } else { format!("{fence}{content}{fence}") }
}

/// A fenced code block holding `content`, with a fence longer than any backtick run inside.
pub fn fenced(content: &str, lang: &str) -> String {
    let fence = "`".repeat((longest_run(content, '`') + 1).max(3));
    // Commas separate attributes (`rust,no_run`).
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ',')).collect();
    let body = content.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.trim_end_matches('\n');
    format!("{fence}{lang}\n{body}\n{fence}")
}

/// A deterministic anchor: ASCII letters and digits lower-cased, anything else `-`.
pub fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// A relative link target with anything outside a safe set percent-encoded.
pub fn link_target(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'/' | b'#') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// True when `s` is an absolute web address safe to use verbatim as a link target.
pub fn is_safe_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > 8
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#@!$&'*+,;=%".contains(&b))
}

/// Text safe inside an HTML comment (the generated-file marker line).
pub fn comment_text(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c.is_control() || c == '>' || c == '<' { ' ' } else { c }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out
}

/// A TOML basic string, quotes included.
pub fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_escaped() {
        assert_eq!(text("a | b"), "a \\| b");
        assert_eq!(text("<script>x</script> & y"), "&lt;script&gt;x&lt;/script&gt; &amp; y");
        assert_eq!(text("# head"), "\\# head");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("12. item"), "12\\. item");
        assert_eq!(text("1) item"), "1\\) item");
        assert_eq!(text("2023-09-27"), "2023-09-27");
        assert_eq!(text("[link](x) *a* _b_ `c`"), "\\[link\\](x) \\*a\\* \\_b\\_ \\`c\\`");
        assert_eq!(text("a\r\nb\nc"), "a b c");
        assert_eq!(cell("a\r\n\r\nb"), "a<br>b");
        assert_eq!(text("{{#include x}}"), "\\{{#include x}}");
        assert_eq!(text("a \\| b"), "a \\\\\\| b");
    }

    #[test]
    fn blocks_keep_paragraphs() {
        assert_eq!(block("a\nb\n\n# c\n"), "a b\n\n\\# c");
    }

    #[test]
    fn code_spans_fit_their_content() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
        assert_eq!(code(""), "(empty)");
        assert_eq!(code(" a "), "`  a  `", "a space each side, which the reader strips");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code("a|b"), "`a|b`");
    }

    #[test]
    fn fences_outgrow_content() {
        assert_eq!(fenced("x", "json"), "```json\nx\n```");
        assert_eq!(fenced("\"```\"", "json"), "````json\n\"```\"\n````");
    }

    #[test]
    fn tidy_collapses_blank_lines_outside_fences() {
        assert_eq!(tidy("a  \n\n\n\nb\n```\nx\n\n\ny\n```\n\n\n"), "a\n\nb\n```\nx\n\n\ny\n```\n");
        assert_eq!(tidy("````json\n```\n\n\n````\nz"), "````json\n```\n\n\n````\nz\n");
    }

    #[test]
    fn slugs_and_targets() {
        assert_eq!(slug("AgentEvent_Connect_Fail"), "agentevent-connect-fail");
        assert_eq!(slug("106-004"), "106-004");
        assert_eq!(link_target("a b/c.md#x"), "a%20b/c.md#x");
        assert!(is_safe_url("https://support.huaweicloud.com/intl/en-us/api-cec/cec_07_0005.html"));
        assert!(!is_safe_url("https://x.com/a)b"));
        assert_eq!(comment_text("a-->b"), "a- b");
        assert_eq!(toml_string("a\"b\\\n"), "\"a\\\"b\\\\\\u000A\"");
    }
}
