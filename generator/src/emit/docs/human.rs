//! Constraints, values and rules spelled out for people, as markdown.

use super::markdown::{code, code_cell, text};
use crate::emit::words::{length, span};
use crate::ir::{Condition, Constraints, EnumValue, Interface, Param, Rule, Type, Value};

/// A literal as markdown: numbers and booleans plain, strings as JSON in a code span.
pub fn value_md(v: &Value, in_table: bool) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => {
            let quoted = serde_json::Value::String(s.clone()).to_string();
            if in_table { code_cell(&quoted) } else { code(&quoted) }
        }
    }
}

/// `2 (agent)`: a value with the name the spec gives it, if any.
pub fn labelled(v: &Value, values: &[EnumValue], in_table: bool) -> String {
    match values.iter().find(|e| &e.value == v) {
        Some(e) => format!("{} ({})", value_md(v, in_table), text(&e.name.wire.replace('_', " "))),
        None => value_md(v, in_table),
    }
}

/// Every constraint of a value in words, for a table cell; `—` when there are none.
pub fn constraints_md(c: &Constraints, ty: &Type) -> String {
    let mut parts = Vec::new();
    if let Some((min, max)) = c.range {
        let digits = if *ty == Type::String { " (as a decimal number)" } else { "" };
        parts.push(format!("{}{digits}", span(min, max)));
    }
    if let Some((min, max)) = c.chars {
        parts.push(length(min, max, "character"));
    }
    if let Some((min, max)) = c.bytes {
        parts.push(length(min, max, "byte"));
    }
    if let Some(p) = &c.pattern {
        parts.push(format!("{} (pattern {})", text(&p.description), code_cell(&p.regex)));
    }
    if !c.values.is_empty() {
        let listed: Vec<String> = c.values.iter().map(|v| labelled(&v.value, &c.values, true)).collect();
        let lead = if c.supported_only { "the server supports only:" } else { "one of:" };
        parts.push(format!("{lead} {}", listed.join(", ")));
    }
    if parts.is_empty() { "—".to_owned() } else { parts.join("; ") }
}

/// `` `devicetype` is 2 (agent) ``.
pub fn condition_md(it: &Interface, c: &Condition) -> String {
    let p = &it.params[c.param];
    format!("{} is {}", code(&p.name.wire), labelled(&c.equals, &p.constraints.values, false))
}

/// [`condition_md`] for a table cell, where a `|` in a value must not split the row.
pub fn condition_cell(it: &Interface, c: &Condition) -> String {
    let p = &it.params[c.param];
    format!("{} is {}", code_cell(&p.name.wire), labelled(&c.equals, &p.constraints.values, true))
}

/// A rule as one plain sentence, ending with a full stop.
pub fn rule_md(it: &Interface, rule: &Rule) -> String {
    match rule {
        Rule::OnlyWhen { param, when, .. } => {
            format!("{} is valid only when {}.", code(&it.params[*param].name.wire), condition_md(it, when))
        }
        Rule::RequiredWhen { param, when, .. } => {
            format!("{} is required when {}.", code(&it.params[*param].name.wire), condition_md(it, when))
        }
        Rule::AllowedValues { param, when, values, .. } => {
            let p: &Param = &it.params[*param];
            let listed: Vec<String> = values.iter().map(|v| labelled(v, &p.constraints.values, false)).collect();
            match listed.as_slice() {
                [one] => format!("When {}, {} must be {one}.", condition_md(it, when), code(&p.name.wire)),
                _ => {
                    format!("When {}, {} is one of {}.", condition_md(it, when), code(&p.name.wire), listed.join(", "))
                }
            }
        }
    }
}

/// The spec's own wording of a rule, unless it only repeats the generated sentence.
pub fn rule_note<'a>(it: &Interface, rule: &'a Rule) -> Option<&'a str> {
    let description = match rule {
        Rule::OnlyWhen { description, .. }
        | Rule::RequiredWhen { description, .. }
        | Rule::AllowedValues { description, .. } => description.as_deref()?,
    };
    let squash =
        |s: &str| s.chars().filter(char::is_ascii_alphanumeric).flat_map(|c| c.to_lowercase()).collect::<String>();
    (squash(description) != squash(&rule_md(it, rule))).then_some(description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_ranges() {
        assert_eq!(length(0, 24, "character"), "at most 24 characters");
        assert_eq!(length(0, 2048, "byte"), "at most 2048 bytes");
        assert_eq!(length(1, 1, "byte"), "exactly 1 byte");
        assert_eq!(length(2, 5, "character"), "2–5 characters");
        assert_eq!(span(101, 59999), "101–59999");
        assert_eq!(span(-5, 10), "-5 to 10");
    }
}
