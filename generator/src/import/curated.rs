//! Curated items a vendor change invalidates: rules and examples.
//!
//! The page's facts win. A rule the page states with other values takes the page's values; a
//! rule the page no longer states (it names a removed parameter or value) is removed; an
//! example value of a removed parameter is dropped, one of a changed type or a removed allowed
//! value is replaced, a newly required parameter gets a made-up value. Each change is a
//! [`Note`] at the curated item's line, for the reviewer to look at.

use crate::load::document::{self, Mapping, Value};
use crate::load::positions::{NodePath, PositionIndex};

/// Something `--update` did to curated content, at its line in the spec before the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// 1-based line in the spec; 0 when the item is new.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 { write!(f, "{}", self.message) } else { write!(f, "line {}: {}", self.line, self.message) }
    }
}

fn key(k: &str) -> Value {
    Value::String(k.to_owned())
}

fn get<'a>(m: &'a Mapping, k: &str) -> Option<&'a Value> {
    m.get(key(k))
}

/// Kind, parameter and condition of a rule: what identifies it apart from its values.
pub fn rule_key(r: &Value) -> String {
    let m = r.as_mapping().cloned().unwrap_or_default();
    let when = get(&m, "when").and_then(Value::as_mapping).cloned().unwrap_or_default();
    format!(
        "{} {} when {} = {}",
        document::inline(get(&m, "kind")),
        document::inline(get(&m, "param")),
        document::inline(get(&when, "param")),
        document::inline(get(&when, "equals"))
    )
}

/// A value on one line: sequences as `[a, b]`.
fn inline(v: Option<&Value>) -> String {
    match v {
        Some(Value::Sequence(items)) => {
            format!("[{}]", items.iter().map(|i| document::inline(Some(i))).collect::<Vec<_>>().join(", "))
        }
        other => document::inline(other),
    }
}

/// Line of a node of the curated spec.
pub fn line(index: &PositionIndex, path: &NodePath) -> usize {
    index.exact(path).map_or(0, |l| l.line)
}

/// The curated rules, brought in line with the page's: same order, the page's values.
pub fn rules(old: &[Value], page: &[Value], index: &PositionIndex, notes: &mut Vec<Note>) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, o) in old.iter().enumerate() {
        let at = line(index, &NodePath::root().key("rules").index(i));
        let Some(p) = page.iter().find(|p| rule_key(p) == rule_key(o)) else {
            notes.push(Note {
                line: at,
                message: format!("removed rule `{}`: the page no longer states it", rule_key(o)),
            });
            continue;
        };
        let mut kept = o.as_mapping().cloned().unwrap_or_default();
        let page_values = p.as_mapping().and_then(|m| get(m, "values")).cloned();
        if get(&kept, "values") != page_values.as_ref() {
            notes.push(Note {
                line: at,
                message: format!(
                    "rule `{}`: values are now {} as the page says (were {})",
                    rule_key(o),
                    inline(page_values.as_ref()),
                    inline(get(&kept, "values"))
                ),
            });
            match page_values {
                Some(v) => kept.insert(key("values"), v),
                None => kept.remove(key("values")),
            };
        }
        out.push(Value::Mapping(kept));
    }
    for p in page {
        if !old.iter().any(|o| rule_key(o) == rule_key(p)) {
            notes.push(Note { line: 0, message: format!("added rule `{}` from the page", rule_key(p)) });
            out.push(p.clone());
        }
    }
    out
}

/// Allowed values of each parameter of a spec's `parameters` mapping, by name.
fn allowed_values(params: &Mapping) -> Vec<(String, Vec<Value>)> {
    ["path", "query", "header", "body"]
        .iter()
        .flat_map(|loc| decls(params, loc))
        .map(|(name, d)| (name, d.allowed))
        .collect()
}

/// New allowed values that no `allowed_values` rule of their parameter admits: they pass the
/// value check but every request with them is refused, so the reviewer must decide.
pub fn unadmitted(old_params: &Mapping, doc: &Mapping, index: &PositionIndex, notes: &mut Vec<Note>) {
    let params = get(doc, "parameters").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let before = allowed_values(old_params);
    let rules = get(doc, "rules").and_then(Value::as_sequence).cloned().unwrap_or_default();
    for (name, values) in allowed_values(&params) {
        let old: &[Value] = before.iter().find(|(n, _)| *n == name).map_or(&[], |(_, v)| v.as_slice());
        let per_value: Vec<(usize, &Mapping)> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_mapping().map(|m| (i, m)))
            .filter(|(_, m)| {
                get(m, "kind").and_then(Value::as_str) == Some("allowed_values")
                    && get(m, "param").and_then(Value::as_str) == Some(name.as_str())
            })
            .collect();
        if per_value.is_empty() {
            continue;
        }
        for v in values.iter().filter(|v| !old.contains(v)) {
            let admitted = per_value
                .iter()
                .any(|(_, m)| get(m, "values").and_then(Value::as_sequence).is_some_and(|vs| vs.contains(v)));
            if !admitted {
                let line = line(index, &NodePath::root().key("rules").index(per_value[0].0));
                notes.push(Note {
                    line,
                    message: format!(
                        "{name} gained the value {}, which no allowed_values rule of {name} admits: requests with it are always refused; check the page",
                        document::inline(Some(v))
                    ),
                });
            }
        }
    }
}

/// What an example must agree with about one parameter.
struct Decl {
    ty: String,
    required: bool,
    allowed: Vec<Value>,
    min: Option<i64>,
}

fn decls(params: &Mapping, loc: &str) -> Vec<(String, Decl)> {
    let list = get(params, loc).and_then(Value::as_sequence).cloned().unwrap_or_default();
    list.iter()
        .filter_map(Value::as_mapping)
        .map(|p| {
            let s = |k: &str| get(p, k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let c = get(p, "constraints").and_then(Value::as_mapping).cloned().unwrap_or_default();
            let allowed = get(&c, "values")
                .and_then(Value::as_sequence)
                .map(|vs| vs.iter().filter_map(|v| v.as_mapping().and_then(|m| get(m, "value")).cloned()).collect())
                .unwrap_or_default();
            let min = get(&c, "range").and_then(Value::as_mapping).and_then(|r| get(r, "min")).and_then(Value::as_i64);
            let decl = Decl {
                ty: s("type"),
                required: get(p, "required").and_then(Value::as_bool).unwrap_or(false),
                allowed,
                min,
            };
            (s("name"), decl)
        })
        .collect()
}

/// A value of the declared type that the declaration accepts.
fn sample(d: &Decl) -> Value {
    if let Some(v) = d.allowed.first() {
        return v.clone();
    }
    let n = d.min.unwrap_or(1);
    match d.ty.as_str() {
        "integer" => Value::Number(n.into()),
        "boolean" => Value::Bool(false),
        _ => Value::String(n.to_string()),
    }
}

/// `value` as the declared type, when it converts without loss.
fn convert(value: &Value, d: &Decl) -> Option<Value> {
    let fits = match d.ty.as_str() {
        "integer" => value.is_i64(),
        "string" => value.is_string(),
        "boolean" => value.is_bool(),
        _ => true,
    };
    let allowed = d.allowed.is_empty() || d.allowed.contains(value);
    if fits && allowed {
        return Some(value.clone());
    }
    let converted = match (d.ty.as_str(), value) {
        ("integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(|i| Value::Number(i.into())),
        ("string", Value::Number(n)) => Some(Value::String(n.to_string())),
        _ => None,
    }?;
    (d.allowed.is_empty() || d.allowed.contains(&converted)).then_some(converted)
}

/// Brings each curated example in line with the merged parameters.
pub fn examples(doc: &mut Mapping, index: &PositionIndex, notes: &mut Vec<Note>) {
    let params = get(doc, "parameters").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let Some(Value::Sequence(examples)) = doc.get_mut(key("examples")) else { return };
    for (i, ex) in examples.iter_mut().enumerate() {
        let Value::Mapping(ex) = ex else { continue };
        let at = line(index, &NodePath::root().key("examples").index(i));
        let name = get(ex, "name").and_then(Value::as_str).unwrap_or_default().to_owned();
        for (loc, member) in [("path", "path"), ("query", "query"), ("header", "headers"), ("body", "body")] {
            let decls = decls(&params, loc);
            let mut map = match get(ex, member) {
                Some(Value::Mapping(m)) => m.clone(),
                Some(_) => continue,
                None if decls.iter().any(|(_, d)| d.required) => Mapping::new(),
                None => continue,
            };
            let before = map.clone();
            let mut say = |what: String| notes.push(Note { line: at, message: format!("example \"{name}\": {what}") });
            for (k, v) in before.iter() {
                let wire = k.as_str().unwrap_or_default();
                match decls.iter().find(|(n, _)| n == wire) {
                    None => {
                        map.remove(k);
                        say(format!("dropped {wire}, which the page no longer lists ({loc})"));
                    }
                    Some((_, d)) => match convert(v, d) {
                        Some(c) if &c == v => {}
                        Some(c) => {
                            say(format!(
                                "{wire} is now {} (was {}), as its new declaration needs",
                                document::inline(Some(&c)),
                                document::inline(Some(v))
                            ));
                            map.insert(k.clone(), c);
                        }
                        None => {
                            let s = sample(d);
                            say(format!(
                                "{wire} is now the made-up {} (was {}), as its new declaration needs",
                                document::inline(Some(&s)),
                                document::inline(Some(v))
                            ));
                            map.insert(k.clone(), s);
                        }
                    },
                }
            }
            let missing: Vec<&(String, Decl)> =
                decls.iter().filter(|(n, d)| d.required && !map.contains_key(key(n))).collect();
            for (wire, d) in missing {
                let s = sample(d);
                say(format!("{wire} is now required; the example sends the made-up {}", document::inline(Some(&s))));
                map.insert(key(wire), s);
            }
            if map != before || get(ex, member).is_none() {
                ex.insert(key(member), Value::Mapping(map));
            }
        }
    }
}
