//! Types, fields, constraints and allowed values, and whether a value meets them.

use std::collections::BTreeMap;

use super::Ctx;
use crate::ident;
use crate::ir::{Constraints, EnumValue, Field, Name, Pattern, Type, Value};
use crate::load::model::{ConstraintsSpec, FieldSpec, Scalar, ValueSpec};
use crate::load::positions::NodePath;

/// The spec's type words.
pub(super) const TYPE_NAMES: &str = "string, integer, boolean, object, map or list";

/// Parses a type word (and `items` for lists); `None` after reporting.
pub(super) fn parse_type(
    ctx: &mut Ctx<'_>,
    ty: &str,
    items: Option<&str>,
    path: &NodePath,
    fields: Option<Vec<Field>>,
) -> Option<Type> {
    let parsed = match ty {
        "string" => Type::String,
        "integer" => Type::Integer,
        "boolean" => Type::Boolean,
        "map" => Type::Map,
        "object" => Type::Object(fields.unwrap_or_default()),
        "list" => {
            let Some(item) = items else {
                let d = ctx.at(&path.key("type"), "a list needs `items`");
                ctx.push(d.help(format!("add `items:` with one of {TYPE_NAMES}")));
                return None;
            };
            if item == "list" {
                let d = ctx.at(&path.key("items"), "lists of lists are not supported");
                ctx.push(d);
                return None;
            }
            Type::List(Box::new(parse_type(ctx, item, None, path, None)?))
        }
        other => {
            let d = ctx.at(&path.key("type"), format!("unknown type `{other}`")).label("unknown type");
            let hint = match other.to_ascii_lowercase().as_str() {
                "int" | "integer" | "long" | "number" => "integer",
                "str" | "string" => "string",
                "bool" | "boolean" => "boolean",
                _ => "",
            };
            let help = if hint.is_empty() {
                format!("use one of {TYPE_NAMES}")
            } else {
                format!("did you mean `{hint}`? The types are {TYPE_NAMES}")
            };
            ctx.push(d.help(help));
            return None;
        }
    };
    if items.is_some() && !matches!(parsed, Type::List(_)) {
        let d = ctx.at(&path.key("items"), "`items` is only for `type: list`");
        ctx.push(d);
    }
    Some(parsed)
}

/// Fields of a result or payload object.
pub(crate) fn fields(ctx: &mut Ctx<'_>, specs: &[FieldSpec], path: &NodePath) -> Vec<Field> {
    let mut out = Vec::new();
    let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
    for (i, spec) in specs.iter().enumerate() {
        let fpath = path.index(i);
        let rust = ident::snake(&spec.name);
        if let Some(other) = rust_names.get(&rust) {
            let d = if *other == spec.name {
                ctx.at(&fpath.key("name"), format!("field `{}` is listed twice", spec.name))
            } else {
                ctx.at(
                    &fpath.key("name"),
                    format!("fields `{other}` and `{}` both become the Rust name `{rust}`", spec.name),
                )
            };
            ctx.push(d.label("duplicate").help("each field needs a distinct name"));
            continue;
        }
        rust_names.insert(rust.clone(), spec.name.clone());
        if let Some(why) = super::names::snake_defect(&spec.name, &rust) {
            ctx.push(ctx.at(&fpath.key("name"), format!("field name {why}")));
            continue;
        }
        let nested = match (&spec.fields, spec.ty.as_str()) {
            (Some(list), "object") => Some(fields(ctx, list, &fpath.key("fields"))),
            (Some(_), _) => {
                let d = ctx.at(&fpath.key("fields"), "`fields` is only for `type: object`");
                ctx.push(d);
                None
            }
            (None, _) => None,
        };
        let Some(ty) = parse_type(ctx, &spec.ty, spec.items.as_deref(), &fpath, nested) else { continue };
        let values = spec.values.as_deref().map(|v| values(ctx, v, &ty, &fpath.key("values"))).unwrap_or_default();
        out.push(Field {
            name: Name { wire: spec.name.clone(), rust, pos: ctx.pos(&fpath) },
            ty,
            required: spec.required,
            description: spec.description.clone(),
            values,
        });
    }
    out
}

/// Converts a scalar to a value of `ty`, or explains why it is not one.
pub(super) fn scalar_value(scalar: &Scalar, ty: &Type) -> Result<Value, String> {
    match (scalar, ty) {
        (Scalar::Int(i), Type::Integer) => Ok(Value::Int(*i)),
        (Scalar::Bool(b), Type::Boolean) => Ok(Value::Bool(*b)),
        (Scalar::Str(s), Type::String) => Ok(Value::Str(s.clone())),
        // An unquoted number is still a fine string value (`default: 127`).
        (Scalar::Int(i), Type::String) => Ok(Value::Str(i.to_string())),
        (s, t) => Err(format!("{} is not {}", describe_scalar(s), a(t))),
    }
}

/// The type's spec word with its indefinite article: "an integer", "a string".
pub(super) fn a(ty: &Type) -> String {
    let name = ty.spec_name();
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {name}") } else { format!("a {name}") }
}

fn describe_scalar(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => format!("`{b}` (boolean)"),
        Scalar::Int(i) => format!("`{i}` (integer)"),
        Scalar::Str(s) => format!("\"{s}\" (string)"),
    }
}

/// Named allowed values.
pub(super) fn values(ctx: &mut Ctx<'_>, specs: &[ValueSpec], ty: &Type, path: &NodePath) -> Vec<EnumValue> {
    let mut out: Vec<EnumValue> = Vec::new();
    if !matches!(ty, Type::Integer | Type::String) {
        let d = ctx.at(path, format!("allowed values need an integer or string type, not {}", ty.spec_name()));
        ctx.push(d);
        return out;
    }
    // Index into `out` by value and by variant name: a list may be long.
    let mut by_value: std::collections::HashMap<Value, usize> = std::collections::HashMap::new();
    let mut by_rust: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, spec) in specs.iter().enumerate() {
        let vpath = path.index(i);
        let value = match scalar_value(&spec.value, ty) {
            Ok(v) => v,
            Err(why) => {
                let d = ctx.at(&vpath.key("value"), format!("allowed value {why}"));
                ctx.push(d.help(format!("the parameter is {}", a(ty))));
                continue;
            }
        };
        if ident::snake(&spec.name) != spec.name {
            let d = ctx.at(&vpath.key("name"), format!("value name `{}` is not snake_case", spec.name));
            ctx.push(d.help(format!("write `{}`", ident::snake(&spec.name))));
            continue;
        }
        let rust = ident::camel(&spec.name);
        if let Some(prev) = by_value.get(&value).map(|&j| &out[j]) {
            let d =
                ctx.at(&vpath.key("value"), format!("value `{value}` is listed twice (also as `{}`)", prev.name.wire));
            ctx.push(d.label("duplicate"));
            continue;
        }
        if let Some(prev) = by_rust.get(&rust).map(|&j| &out[j]) {
            let d = ctx.at(
                &vpath.key("name"),
                format!("values `{}` and `{}` share the name `{}`", prev.value, value, spec.name),
            );
            ctx.push(d.help("give each value its own name"));
            continue;
        }
        by_value.insert(value.clone(), out.len());
        by_rust.insert(rust.clone(), out.len());
        out.push(EnumValue {
            value,
            name: Name { wire: spec.name.clone(), rust, pos: ctx.pos(&vpath) },
            description: spec.description.clone(),
        });
    }
    out
}

/// Checks the constraints of request parameter `param` against its type and
/// each other.
pub(super) fn constraints(
    ctx: &mut Ctx<'_>,
    param: &str,
    spec: &ConstraintsSpec,
    ty: &Type,
    path: &NodePath,
) -> Constraints {
    let mut out = Constraints::default();
    let is_string = *ty == Type::String;
    if let Some(r) = &spec.range {
        if !matches!(ty, Type::Integer | Type::String) {
            let d = ctx.at(
                &path.key("range"),
                format!("a range applies to integers and numeric strings, not {}", ty.spec_name()),
            );
            ctx.push(d);
        } else if r.min > r.max {
            let d = ctx
                .at(&path.key("range"), format!("range min {} is greater than max {}", r.min, r.max))
                .label("empty range");
            ctx.push(d.help("swap the bounds"));
        } else if *ty == Type::Integer && (r.min < i64::from(i32::MIN) || r.max > i64::from(i32::MAX)) {
            let d = ctx
                .at(&path.key("range"), format!("range {}..={} does not fit the vendor's 32-bit int", r.min, r.max))
                .label("wider than an int");
            ctx.push(d.help(format!(
                "the gateway refuses integers outside {}..={}; narrow the range, or use a numeric string",
                i32::MIN,
                i32::MAX
            )));
        } else {
            out.range = Some((r.min, r.max));
        }
    }
    for (key, spec_len, slot) in [("chars", &spec.chars, &mut out.chars), ("bytes", &spec.bytes, &mut out.bytes)] {
        let Some(len) = spec_len else { continue };
        let min = len.min.unwrap_or(0);
        if !is_string {
            let d = ctx.at(&path.key(key), format!("`{key}` applies to strings, not {}", ty.spec_name()));
            ctx.push(d);
        } else if min > len.max {
            let d =
                ctx.at(&path.key(key), format!("{key} min {min} is greater than max {}", len.max)).label("empty range");
            ctx.push(d.help("swap the bounds"));
        } else {
            *slot = Some((min, len.max));
        }
    }
    if let Some(p) = &spec.pattern {
        if !is_string {
            let d = ctx.at(&path.key("pattern"), format!("a pattern applies to strings, not {}", ty.spec_name()));
            ctx.push(d);
        } else {
            match regex_lite::Regex::new(&agentgateway_constraint::anchored(&p.regex)) {
                Ok(_) => out.pattern = Some(Pattern { regex: p.regex.clone(), description: p.description.clone() }),
                Err(e) => {
                    let d = ctx
                        .at(&path.key("pattern").key("regex"), format!("invalid regular expression: {e}"))
                        .label("invalid regex");
                    ctx.push(d.help("the syntax is that of the regex-lite crate (Rust regex without Unicode classes)"));
                }
            }
        }
    }
    if let Some(list) = &spec.values {
        if list.is_empty() {
            let d = ctx.at(&path.key("values"), "the list of allowed values is empty");
            ctx.push(d.help("list at least one value, or remove `values`"));
        }
        out.values = values(ctx, list, ty, &path.key("values"));
        for (j, v) in list.iter().enumerate() {
            if let Ok(value) = scalar_value(&v.value, ty) {
                fits_request_int(ctx, &path.key("values").index(j).key("value"), param, &value);
            }
        }
    }
    if spec.supported_only {
        if spec.values.is_none() {
            let d =
                ctx.at(&path.key("supported_only"), "`supported_only` needs `values`: the ones the server supports");
            ctx.push(d);
        }
        out.supported_only = true;
    }
    out
}

/// Why `value` (JSON) is not an acceptable value of a parameter, if it is not.
pub(super) fn check_json(value: &serde_json::Value, ty: &Type, c: &Constraints) -> Result<(), String> {
    match (ty, value) {
        (Type::String, serde_json::Value::String(s)) => check_str(s, c),
        (Type::Integer, serde_json::Value::Number(n)) => match n.as_i64() {
            Some(i) => check_int(i, c),
            None => Err(format!("{n} is not a whole number")),
        },
        (Type::Boolean, serde_json::Value::Bool(_)) => Ok(()),
        (Type::Map, serde_json::Value::Object(_)) => Ok(()),
        (Type::Object(fields), serde_json::Value::Object(map)) => {
            for f in fields {
                match map.get(&f.name.wire) {
                    Some(v) => check_json(v, &f.ty, &Constraints::default())
                        .map_err(|e| format!("field `{}`: {e}", f.name.wire))?,
                    None if f.required => return Err(format!("field `{}` is missing", f.name.wire)),
                    None => {}
                }
            }
            Ok(())
        }
        (Type::List(item), serde_json::Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check_json(v, item, &Constraints::default()).map_err(|e| format!("item {i}: {e}"))?;
            }
            Ok(())
        }
        (ty, v) => Err(format!("{} is not {}", json_kind(v), a(ty))),
    }
}

/// A short description of a JSON value's kind, for messages.
pub(super) fn json_kind(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(b) => format!("`{b}` (boolean)"),
        serde_json::Value::Number(n) => format!("`{n}` (number)"),
        serde_json::Value::String(s) => format!("\"{}\" (string)", s.chars().take(40).collect::<String>()),
        serde_json::Value::Array(_) => "a list".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

/// A string checked as the runtime checks it, with the same evaluation.
fn check_str(s: &str, c: &Constraints) -> Result<(), String> {
    let texts = c.value_texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    agentgateway_constraint::check_str(s, &c.rules(&texts), &FreshRegex).map_err(|broken| broken.to_string())
}

/// An integer checked as the runtime checks it, with the same evaluation.
fn check_int(i: i64, c: &Constraints) -> Result<(), String> {
    let texts = c.value_texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    agentgateway_constraint::check_int(i, &c.rules(&texts), &FreshRegex).map_err(|broken| broken.to_string())
}

/// regex-lite, the runtime's engine, so a pattern matches here what it matches there.
struct FreshRegex;

impl agentgateway_constraint::Patterns for FreshRegex {
    fn matches(&self, pattern: &str, value: &str) -> Option<bool> {
        regex_lite::Regex::new(pattern).ok().map(|r| r.is_match(value))
    }
}

/// Reports, at `path`, an integer written for request parameter `param` that
/// lies outside the vendor's 32-bit int (an `i32` in the client): such a
/// value can never be sent, and a rule that compares with it would not
/// compile. True when the value fits (or is not an integer).
pub(super) fn fits_request_int(ctx: &mut Ctx<'_>, path: &NodePath, param: &str, value: &Value) -> bool {
    let Value::Int(i) = value else { return true };
    if i32::try_from(*i).is_ok() {
        return true;
    }
    let d = ctx
        .at(path, format!("`{param}` can never be {i}: a request's integers are the vendor's 32-bit int"))
        .label("outside the 32-bit int");
    ctx.push(d.help(format!("request integers lie within {}..={}", i32::MIN, i32::MAX)));
    false
}

/// Why a spec literal is not an acceptable value, if it is not.
pub(super) fn check_value(value: &Value, ty: &Type, c: &Constraints) -> Result<(), String> {
    let json = match value {
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Str(s) => serde_json::Value::String(s.clone()),
    };
    check_json(&json, ty, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits_101_59999() -> Constraints {
        Constraints { range: Some((101, 59999)), ..Constraints::default() }
    }

    #[test]
    fn range_on_numeric_string() {
        let c = digits_101_59999();
        for (v, ok) in [
            ("100", false),
            ("101", true),
            ("59999", true),
            ("60000", false),
            ("1a", false),
            ("", false),
            ("+101", false),
        ] {
            assert_eq!(check_str(v, &c).is_ok(), ok, "{v}");
        }
    }

    /// The checker once took only unsigned digit strings for a range, while the runtime takes
    /// `-?[0-9]+`: a negative example was refused here that the client would send.
    #[test]
    fn range_on_a_negative_numeric_string_as_the_runtime_takes_it() {
        let c = Constraints { range: Some((-10, 0)), ..Constraints::default() };
        assert!(check_str("-5", &c).is_ok());
        assert_eq!(check_str("-11", &c), Err("is -11 (rule: -10–0)".to_owned()));
    }

    #[test]
    fn messages_are_the_runtimes_problem_and_rule() {
        let c = digits_101_59999();
        assert_eq!(check_str("100", &c), Err("is 100 (rule: 101–59999)".to_owned()));
        assert_eq!(check_int(60000, &c), Err("is 60000 (rule: 101–59999)".to_owned()));
        let two = Constraints { values: vec![int_value(1), int_value(2)], ..Constraints::default() };
        assert_eq!(check_int(3, &two), Err("is not one of the accepted values (rule: one of: 1, 2)".to_owned()));
        assert!(check_int(2, &two).is_ok());
    }

    fn int_value(i: i64) -> EnumValue {
        EnumValue {
            value: Value::Int(i),
            name: Name { wire: format!("v{i}"), rust: format!("V{i}"), pos: Default::default() },
            description: String::new(),
        }
    }

    #[test]
    fn bytes_count_utf8() {
        let c = Constraints { bytes: Some((0, 2048)), ..Constraints::default() };
        let ok = "é".repeat(1024);
        assert!(check_str(&ok, &c).is_ok());
        assert!(check_str(&format!("{ok}a"), &c).is_err());
    }

    #[test]
    fn chars_count_characters() {
        let c = Constraints { chars: Some((0, 24)), ..Constraints::default() };
        assert!(check_str(&"é".repeat(24), &c).is_ok());
        assert!(check_str(&"é".repeat(25), &c).is_err());
    }

    #[test]
    fn patterns_match_whole_values_as_the_runtime_does() {
        // Anchors inside an alternation do not anchor the whole: the wrapper does.
        let loose = Constraints {
            pattern: Some(Pattern { regex: r"^[0-9]{1,24}|\*$".into(), description: "d".into() }),
            ..Constraints::default()
        };
        assert!(check_str("40040; DROP TABLE", &loose).is_err());
        assert!(check_str("40040", &loose).is_ok());
        let escaped_dollar = Constraints {
            pattern: Some(Pattern { regex: r"[0-9]{0,24}\$".into(), description: "d".into() }),
            ..Constraints::default()
        };
        assert!(check_str("12$", &escaped_dollar).is_ok());
        let c = Constraints {
            pattern: Some(Pattern { regex: "[0-9]{1,24}|\\*|#".into(), description: "d".into() }),
            ..Constraints::default()
        };
        for (v, ok) in [
            ("*", true),
            ("#", true),
            ("123456789012345678901234", true),
            ("1234567890123456789012345", false),
            ("12a", false),
            ("", false),
        ] {
            assert_eq!(check_str(v, &c).is_ok(), ok, "{v}");
        }
    }
}
