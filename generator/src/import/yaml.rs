//! Writes a spec tree in the repository's style: block mappings for the structure, flow
//! mappings (`{ min: 1, max: 2 }`) for small leaf records, JSON-like flow for example
//! payloads, quoted codes and numeric strings, and long text folded (`>-`).

use crate::load::document::{Mapping, Value};

const WIDTH: usize = 100;

/// Keys whose mapping values are written in flow style when they fit on one line.
const FLOW_KEYS: &[&str] = &["range", "chars", "bytes", "when", "path", "query", "headers", "body", "response"];
/// Sequences whose mapping items are written in flow style when they fit.
const FLOW_ITEMS: &[&str] = &["values"];
/// Keys whose values are example payloads, written with quoted keys like JSON.
const JSON_KEYS: &[&str] = &["body", "response"];

/// Renders a top-level mapping.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(m) => block_mapping(m, 0, &[], &mut out),
        other => {
            out.push_str(&scalar(other, false));
            out.push('\n');
        }
    }
    out
}

/// Renders one `key: value` entry of a block mapping at `indent`, as [`to_string`] would
/// inside the mapping whose keys from the root are `path`.
pub fn entry(key: &Value, value: &Value, indent: usize, path: &[String]) -> String {
    let mut m = Mapping::new();
    m.insert(key.clone(), value.clone());
    let mut out = String::new();
    block_mapping(&m, indent, path, &mut out);
    out
}

/// Renders one item of a block sequence at `indent` (the column of its `-`), as [`to_string`]
/// would inside the sequence whose keys from the root are `path`.
pub fn item(value: &Value, indent: usize, path: &[String]) -> String {
    let mut out = String::new();
    block(&Value::Sequence(vec![value.clone()]), indent, path, &mut out);
    out
}

/// `value` in flow style as it would be written under `key` (JSON-like inside examples), on
/// one line whatever its length; `None` when it cannot be written in flow.
pub fn flow_value(key: &str, value: &Value, path: &[String]) -> Option<String> {
    let mut sub = path.to_vec();
    sub.push(key.to_owned());
    flow(value, json_style(key, &sub))
}

fn key_str(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => scalar(other, false),
    }
}

fn in_examples(path: &[String]) -> bool {
    path.first().is_some_and(|p| p == "examples")
}

fn block_mapping(m: &Mapping, indent: usize, path: &[String], out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in m {
        let key = key_str(k);
        let mut sub = path.to_vec();
        sub.push(key.clone());
        let prefix = format!("{pad}{key}:");
        match v {
            Value::Mapping(inner) if inner.is_empty() => out.push_str(&format!("{prefix} {{}}\n")),
            Value::Sequence(inner) if inner.is_empty() => out.push_str(&format!("{prefix} []\n")),
            Value::Mapping(_) if wants_flow(&key, &sub) => match flow(v, json_style(&key, &sub)) {
                Some(f) if prefix.len() + 1 + f.len() <= WIDTH => out.push_str(&format!("{prefix} {f}\n")),
                _ => {
                    out.push_str(&format!("{prefix}\n"));
                    block(v, indent + 2, &sub, out);
                }
            },
            Value::Sequence(items) if items.iter().all(|i| matches!(i, Value::Number(_) | Value::Bool(_))) => {
                let f = flow(v, false).unwrap_or_default();
                out.push_str(&format!("{prefix} {f}\n"));
            }
            Value::Mapping(_) | Value::Sequence(_) => {
                out.push_str(&format!("{prefix}\n"));
                block(v, indent + 2, &sub, out);
            }
            scalar_value => out.push_str(&block_scalar(&prefix, scalar_value, indent)),
        }
    }
}

fn wants_flow(key: &str, path: &[String]) -> bool {
    match key {
        "path" | "query" | "headers" | "body" | "response" => in_examples(path),
        _ => FLOW_KEYS.contains(&key),
    }
}

fn json_style(key: &str, path: &[String]) -> bool {
    JSON_KEYS.contains(&key) && in_examples(path)
}

fn block(v: &Value, indent: usize, path: &[String], out: &mut String) {
    match v {
        Value::Mapping(m) => block_mapping(m, indent, path, out),
        Value::Sequence(items) => {
            let pad = " ".repeat(indent);
            let flow_items = path.last().is_some_and(|k| FLOW_ITEMS.contains(&k.as_str()));
            for item in items {
                match item {
                    Value::Mapping(m) if m.is_empty() => out.push_str(&format!("{pad}- {{}}\n")),
                    Value::Mapping(_) if flow_items => match flow(item, false) {
                        Some(f) if indent + 2 + f.len() <= WIDTH => out.push_str(&format!("{pad}- {f}\n")),
                        _ => seq_mapping(item, indent, path, out),
                    },
                    Value::Mapping(_) => seq_mapping(item, indent, path, out),
                    Value::Sequence(_) => {
                        out.push_str(&format!("{pad}- {}\n", flow(item, false).unwrap_or_else(|| "[]".to_owned())))
                    }
                    s => out.push_str(&block_scalar(&format!("{pad}-"), s, indent)),
                }
            }
        }
        s => out.push_str(&format!("{}{}\n", " ".repeat(indent), scalar(s, false))),
    }
}

/// A mapping as a sequence item: its first key on the `- ` line.
fn seq_mapping(item: &Value, indent: usize, path: &[String], out: &mut String) {
    let Value::Mapping(m) = item else { return };
    let mut inner = String::new();
    block_mapping(m, indent + 2, path, &mut inner);
    let pad = " ".repeat(indent + 2);
    let dash = format!("{}- ", " ".repeat(indent));
    out.push_str(&inner.replacen(&pad, &dash, 1));
}

/// `prefix value` for a scalar, folding long plain text.
fn block_scalar(prefix: &str, v: &Value, indent: usize) -> String {
    let single = scalar(v, false);
    if prefix.len() + 1 + single.len() <= WIDTH {
        return format!("{prefix} {single}\n");
    }
    match v {
        Value::String(s) if foldable(s) => {
            let pad = " ".repeat(indent + 2);
            let mut out = format!("{prefix} >-\n");
            let mut line = String::new();
            for word in s.split(' ') {
                if !line.is_empty() && pad.len() + line.len() + 1 + word.len() > WIDTH {
                    out.push_str(&format!("{pad}{line}\n"));
                    line.clear();
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            out.push_str(&format!("{pad}{line}\n"));
            out
        }
        _ => format!("{prefix} {single}\n"),
    }
}

fn foldable(s: &str) -> bool {
    !s.is_empty()
        && s.trim() == s
        && !s.contains("  ")
        && !s.contains('\n')
        && !s.contains('\t')
        && !s.chars().any(char::is_control)
}

/// A value in flow style; `None` when something in it cannot be written in flow.
fn flow(v: &Value, json: bool) -> Option<String> {
    Some(match v {
        Value::Mapping(m) if m.is_empty() => "{}".to_owned(),
        Value::Mapping(m) => {
            let mut parts = Vec::new();
            for (k, v) in m {
                let key = if json {
                    serde_json::to_string(&key_str(k)).ok()?
                } else {
                    scalar(&Value::String(key_str(k)), true)
                };
                parts.push(format!("{key}: {}", flow(v, json)?));
            }
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Sequence(items) if items.is_empty() => "[]".to_owned(),
        Value::Sequence(items) => {
            format!("[{}]", items.iter().map(|i| flow(i, json)).collect::<Option<Vec<_>>>()?.join(", "))
        }
        Value::String(s) if json => serde_json::to_string(s).ok()?,
        Value::Tagged(_) => return None,
        s => scalar(s, true),
    })
}

/// A scalar, quoted when plain style would change or hide its meaning.
fn scalar(v: &Value, in_flow: bool) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if plain_ok(s, in_flow) {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
            }
        }
        Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) => flow(v, false).unwrap_or_default(),
    }
}

fn plain_ok(s: &str, in_flow: bool) -> bool {
    if s.is_empty() || s.trim() != s || s.contains('\n') || s.chars().any(char::is_control) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    // Numbers, codes, dates and the words YAML reads as booleans or null.
    if s.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | ':' | '+' | '_' | 'e' | 'E')) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n" | ".inf" | ".nan"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_yaml_would_reread() {
        assert_eq!(scalar(&Value::String("106-004".into()), false), "\"106-004\"");
        assert_eq!(scalar(&Value::String("2023-09-27".into()), false), "\"2023-09-27\"");
        assert_eq!(scalar(&Value::String("null".into()), false), "\"null\"");
        assert_eq!(
            scalar(&Value::String("Session Transfer: transfer".into()), false),
            "\"Session Transfer: transfer\""
        );
        assert_eq!(scalar(&Value::String("skill queue".into()), true), "skill queue");
        assert_eq!(scalar(&Value::String("a, b".into()), true), "\"a, b\"");
    }
}
