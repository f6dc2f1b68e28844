//! Turns a parameter's description cell into a description and structured constraints.
//!
//! Only unambiguous phrasings become constraints; the vendor's sentences stay in the
//! description either way. Sentences that look like constraints but match no phrasing are
//! reported so a person can look at them.

use regex_lite::Regex;

use super::draft::{Constraints, Length, Pattern, Range, Scalar, Value};
use super::page::Line;

/// A rule found in a description; `when` still names the other parameter's raw value.
#[derive(Debug, Clone)]
pub struct RawRule {
    pub kind: &'static str,
    pub param: String,
    pub when_param: String,
    pub when_value: String,
    pub values: Option<Vec<Scalar>>,
    pub description: Option<String>,
    pub line: usize,
}

/// What a description cell yields.
#[derive(Debug, Default)]
pub struct Prose {
    pub description: String,
    /// A literal default the description states ("The default value is 2.").
    pub default: Option<Scalar>,
    pub constraints: Constraints,
    pub rules: Vec<RawRule>,
    pub warnings: Vec<(usize, String)>,
    pub quirks: Vec<String>,
    /// `see Table N` references: (line, N, parameter).
    pub table_refs: Vec<(usize, u32, String)>,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// snake_case name for a value from its meaning ("release-after-transfer" → `release_after_transfer`).
pub fn value_name(meaning: &str) -> String {
    let mut out = String::new();
    for c in meaning.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        "value".to_owned()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v_{out}")
    } else {
        out
    }
}

fn scalar(raw: &str, integer: bool) -> Scalar {
    match raw.parse::<i64>() {
        Ok(i) if integer => Scalar::Int(i),
        _ => Scalar::Str(raw.to_owned()),
    }
}

/// Splits prose into sentences at ". " followed by an upper-case letter or a digit.
pub fn sentences(text: &str) -> Vec<String> {
    sentence_spans(text).into_iter().map(|(_, s)| s).collect()
}

/// [`sentences`], each with the byte offset where it starts in `text`.
fn sentence_spans(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '.' && text[i + 1..].starts_with(' ') && text[i + 2..].chars().next().is_some_and(char::is_uppercase) {
            push_trimmed(text, start, i + 1, &mut out);
            start = i + 1;
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, String)>) {
    let part = &text[start..end];
    let trimmed = part.trim();
    if !trimmed.is_empty() {
        out.push((start + (part.len() - part.trim_start().len()), trimmed.to_owned()));
    }
}

/// Reads the description cell of parameter `param` of spec type `ty`.
pub fn read(param: &str, ty: &str, lines: &[Line]) -> Prose {
    let integer = ty == "integer";
    let value_line = re(r"^(-?\d+)\s*:\s*(.+)$");
    let options = re(r"(?i)^when (\w+) is set to (-?\w+), the (?:options|values) are as follows:?$");
    let mut out = Prose::default();
    let mut prose_lines: Vec<&Line> = Vec::new();
    let mut group: Option<(String, String, usize, Vec<Scalar>)> = None;
    let flush = |group: &mut Option<(String, String, usize, Vec<Scalar>)>, out: &mut Prose| {
        if let Some((wp, wv, line, values)) = group.take() {
            if values.is_empty() {
                out.warnings.push((line, format!("`{param}`: \"When {wp} is set to {wv}\" introduces no options")));
            } else {
                out.rules.push(RawRule {
                    kind: "allowed_values",
                    param: param.to_owned(),
                    when_param: wp,
                    when_value: wv,
                    values: Some(values),
                    description: None,
                    line,
                });
            }
        }
    };
    for line in lines {
        let text = line.text.trim();
        if let Some(c) = options.captures(text) {
            flush(&mut group, &mut out);
            group = Some((c[1].to_owned(), c[2].to_owned(), line.no, Vec::new()));
            continue;
        }
        if let Some(c) = value_line.captures(text) {
            let value = scalar(&c[1], integer);
            let meaning = c[2].trim().trim_end_matches('.').to_owned();
            if let Some((_, _, _, values)) = group.as_mut() {
                values.push(value.clone());
            }
            match out.constraints.values.iter().find(|v| v.value == value) {
                Some(v) if v.description != meaning => out.warnings.push((
                    line.no,
                    format!(
                        "`{param}`: value {value} is described both as \"{}\" and \"{meaning}\"; the first is kept",
                        v.description
                    ),
                )),
                Some(_) => {}
                None => out.constraints.values.push(Value { value, name: value_name(&meaning), description: meaning }),
            }
            continue;
        }
        flush(&mut group, &mut out);
        prose_lines.push(line);
    }
    flush(&mut group, &mut out);

    let range = re(r"(?i)ranges? from (-?\d+) to (-?\d+)");
    let chars_max = re(r"(?i)(?:a )?maximum of (\d+) characters");
    let chars_span = re(r"(?i)(\d+) to (\d+) characters");
    let bytes_max = re(r"(?i)(?:a )?maximum of (\d+) bytes");
    let kb = re(r"(?i)maximum(?: value| length| size)? (?:is|of) (\d+) ?KB");
    // "a 1- to 24-digit number" and "consists of 1 to 24 digits" say the same.
    let digits = re(r"(?i)(\d+)(?:- ?to (\d+)-digit number| to (\d+) digits\b)( or \* or #)?");
    let supported = re(r"(?i)only the value (-?\w+) \(([^)]+)\) is supported");
    let only_when = re(r"(?i)valid only when (\w+) is set to (-?\w+)");
    let see_table = re(r"(?i)see table (\d+)");
    let hint = re(
        r"(?i)\b(maximum|minimum|ranges?|digits?|at most|at least|only|length|characters|bytes|as follows)\b|\b-?\d+: ",
    );
    let default = re(r"(?i)\bdefault(?: value)?(?: is|:) ?(-?\d+|true|false)\b");

    // The cell's lines joined, with where each starts: a sentence's line is
    // looked up by its offset, not searched for (a cell may hold megabytes).
    let mut text = String::new();
    let mut starts = Vec::with_capacity(prose_lines.len());
    for (i, l) in prose_lines.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        starts.push(text.len());
        text.push_str(l.text.trim());
    }
    for (offset, sentence) in sentence_spans(&text) {
        let index = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let line = prose_lines.get(index).map_or(0, |l| l.no);
        let mut used = false;
        // Each phrasing needs a word of its own; looking for the word first
        // spares the regex engine almost every sentence of a long cell.
        let lower = sentence.to_ascii_lowercase();
        let has = |word: &str| lower.contains(word);
        if has("range")
            && let Some(c) = range.captures(&sentence)
            && let (Ok(min), Ok(max)) = (c[1].parse(), c[2].parse())
        {
            out.constraints.range = Some(Range { min, max });
            used = true;
        }
        let lengths = has("character").then_some((&chars_max, &chars_span));
        if let Some(c) = lengths.and_then(|(max, _)| max.captures(&sentence)) {
            out.constraints.chars = Some(Length { min: None, max: c[1].parse().unwrap_or(0) });
            used = true;
        } else if let Some(c) = lengths.and_then(|(_, span)| span.captures(&sentence)) {
            out.constraints.chars =
                Some(Length { min: c[1].parse().ok().filter(|m| *m > 0), max: c[2].parse().unwrap_or(0) });
            used = true;
        }
        let sizes = (has("byte") || has("kb")).then_some((&bytes_max, &kb));
        if let Some(c) = sizes.and_then(|(max, _)| max.captures(&sentence)) {
            out.constraints.bytes = Some(Length { min: None, max: c[1].parse().unwrap_or(0) });
            used = true;
        } else if let Some(c) = sizes.and_then(|(_, kb)| kb.captures(&sentence)) {
            let n: u64 = c[1].parse().unwrap_or(0);
            out.constraints.bytes = Some(Length { min: None, max: n * 1024 });
            out.quirks.push(format!("The page limits {param} to \"{n} KB\", read here as {} bytes.", n * 1024));
            used = true;
        }
        if has("digit")
            && let Some(c) = digits.captures(&sentence)
        {
            let a = &c[1];
            let b = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
            let pattern = if c.get(4).is_some() {
                Pattern {
                    regex: format!(r"^(?:[0-9]{{{a},{b}}}|\*|#)$"),
                    description: format!("{a} to {b} digits, or * or #"),
                }
            } else {
                Pattern { regex: format!("^[0-9]{{{a},{b}}}$"), description: format!("{a} to {b} digits") }
            };
            out.constraints.pattern = Some(pattern);
            used = true;
        }
        if has("supported")
            && let Some(c) = supported.captures(&sentence)
        {
            let meaning = c[2].trim().to_owned();
            out.constraints.values =
                vec![Value { value: scalar(&c[1], integer), name: value_name(&meaning), description: meaning }];
            out.constraints.supported_only = true;
            used = true;
        }
        if has("only when")
            && let Some(c) = only_when.captures(&sentence)
        {
            out.rules.push(RawRule {
                kind: "only_when",
                param: param.to_owned(),
                when_param: c[1].to_owned(),
                when_value: c[2].to_owned(),
                values: None,
                description: Some(sentence.clone()),
                line,
            });
            used = true;
        }
        if has("default")
            && let Some(c) = default.captures(&sentence)
        {
            let literal = c[1].to_ascii_lowercase();
            match (literal.parse::<i64>(), literal.as_str()) {
                (Ok(i), _) if integer => out.default = Some(Scalar::Int(i)),
                (_, "true" | "false") if ty == "boolean" => out.default = Some(Scalar::Bool(literal == "true")),
                _ => {}
            }
            used |= out.default.is_some();
        }
        for c in see_table.captures_iter(if has("table") { sentence.as_str() } else { "" }) {
            if let Ok(n) = c[1].parse() {
                out.table_refs.push((line, n, param.to_owned()));
            }
        }
        if !used && hint.is_match(&sentence) {
            out.warnings.push((
                line,
                format!("`{param}`: constraint-like wording kept only in the description: \"{sentence}\""),
            ));
        }
    }
    out.description = text;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values() {
        assert_eq!(value_name("release-after-transfer"), "release_after_transfer");
        assert_eq!(value_name("skill queue"), "skill_queue");
        assert_eq!(value_name("2 parties"), "v_2_parties");
    }

    #[test]
    fn splits_sentences() {
        assert_eq!(
            sentences("Agent ID. The value ranges from 1 to 2."),
            vec!["Agent ID.", "The value ranges from 1 to 2."]
        );
    }
}
