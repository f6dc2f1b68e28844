//! `ccgen import PAGE --update SPEC`: brings the page's facts into a curated spec.
//!
//! The page decides the facts: title, log name, method, path, which parameters exist and where,
//! their types, whether they are required, the numbers of their constraints and the allowed
//! values, the result kind, events, error codes, the rules and the source. Everything a person
//! wrote is kept: the operation name, summary, description and prerequisites, parameter
//! descriptions, roles, type names, value names and descriptions, pattern descriptions, rule
//! descriptions, examples, quirks, response headers and conditional events. Curated items
//! the page's facts invalidate (a rule's values, an example value) are changed by [`curated`],
//! each with a [`Note`] at its line.
//!
//! The merge works on the YAML tree, so keys the importer does not know survive; the tree is
//! then written back by [`super::patch`], which edits only the entries that changed, so
//! comments, quoting and flow style elsewhere stay as they were.

use crate::load::document::{self, Mapping, Value};
use crate::load::positions::{NodePath, PositionIndex};

use super::Imported;
use super::curated::{self, Note};

/// The merged spec text.
#[derive(Debug)]
pub struct Updated {
    pub yaml: String,
    /// What the merge did beyond the fact changes `compare` reports (parameters added or
    /// removed, rules and examples adjusted, an example taken over), at the spec's lines.
    pub notes: Vec<Note>,
    /// The page's quirk notes that the spec lacks; reported, not merged.
    pub unmerged: Vec<String>,
}

fn key(k: &str) -> Value {
    Value::String(k.to_owned())
}

fn get<'a>(m: &'a Mapping, k: &str) -> Option<&'a Value> {
    m.get(key(k))
}

fn set_or_remove(m: &mut Mapping, k: &str, v: Option<Value>) {
    match v {
        Some(v) => {
            m.insert(key(k), v);
        }
        None => {
            m.remove(key(k));
        }
    }
}

fn seq(v: Option<&Value>) -> Vec<Value> {
    v.and_then(Value::as_sequence).cloned().unwrap_or_default()
}

fn name_of(v: &Value) -> Option<&str> {
    v.as_mapping().and_then(|m| get(m, "name")).and_then(Value::as_str)
}

const LOCATIONS: [&str; 4] = ["path", "query", "header", "body"];

/// Merges a page's draft into a curated spec's text.
pub fn update(curated_text: &str, imported: &Imported) -> Result<Updated, String> {
    let mut notes = Vec::new();
    let mut unmerged = Vec::new();
    let curated: Value = document::parse(curated_text).map_err(|e| format!("cannot read the spec: {e}"))?;
    let Value::Mapping(mut doc) = curated else { return Err("the spec is not a mapping".to_owned()) };
    // The spec parsed above, so the index builds; without one, notes carry no line.
    let index = PositionIndex::build(curated_text).unwrap_or_default();
    let at = |path: NodePath| curated::line(&index, &path);
    let page = document::to_value(&imported.draft)?;
    let Value::Mapping(page) = page else { unreachable!("drafts serialize to mappings") };

    for k in ["title", "log_name", "method", "path", "source"] {
        set_or_remove(&mut doc, k, get(&page, k).cloned());
    }

    // Parameters.
    let old_params = get(&doc, "parameters").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let find_old = |name: &str| -> Option<Mapping> {
        LOCATIONS
            .iter()
            .flat_map(|loc| seq(get(&old_params, loc)))
            .find(|p| name_of(p) == Some(name))
            .and_then(|p| p.as_mapping().cloned())
    };
    let page_params = get(&page, "parameters").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let mut new_params = Mapping::new();
    for loc in LOCATIONS {
        let list = seq(get(&page_params, loc));
        if list.is_empty() {
            continue;
        }
        let mut merged = Vec::new();
        for p in list {
            let Some(pm) = p.as_mapping() else { continue };
            let name = name_of(&p).unwrap_or_default().to_owned();
            match find_old(&name) {
                Some(old) => merged.push(Value::Mapping(merge_param(old, pm))),
                None => {
                    notes.push(Note {
                        line: 0,
                        message: format!(
                            "added {loc} parameter {name} from the page (its description is the vendor's wording)"
                        ),
                    });
                    merged.push(p.clone());
                }
            }
        }
        new_params.insert(key(loc), Value::Sequence(merged));
    }
    for loc in LOCATIONS {
        for (i, p) in seq(get(&old_params, loc)).iter().enumerate() {
            let name = name_of(p).unwrap_or_default();
            if !LOCATIONS.iter().any(|l| seq(get(&page_params, l)).iter().any(|q| name_of(q) == Some(name))) {
                let line = at(NodePath::root().key("parameters").key(loc).index(i));
                notes.push(Note {
                    line,
                    message: format!("removed {loc} parameter {name}, which the page does not list"),
                });
            }
        }
    }
    set_or_remove(&mut doc, "parameters", (!new_params.is_empty()).then_some(Value::Mapping(new_params)));

    // Rules: the page's, keeping what people wrote about them.
    let rules = curated::rules(&seq(get(&doc, "rules")), &seq(get(&page, "rules")), &index, &mut notes);
    set_or_remove(&mut doc, "rules", (!rules.is_empty()).then_some(Value::Sequence(rules)));
    curated::examples(&mut doc, &index, &mut notes);
    curated::unadmitted(&old_params, &doc, &index, &mut notes);

    // Result: kind and printed type from the page, unless a person described its fields.
    let page_result = get(&page, "response")
        .and_then(Value::as_mapping)
        .and_then(|r| get(r, "result"))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let mut response = get(&doc, "response").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let mut result = get(&response, "result").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let old_kind = get(&result, "kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    let new_kind = get(&page_result, "kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    if old_kind == "object" && new_kind != "object" {
        let line = at(NodePath::root().key("response").key("result").key("kind"));
        notes.push(Note {
            line,
            message: format!("kept the spec's object result; the page's table suggests `{new_kind}`"),
        });
    } else if new_kind == "object" || new_kind == "list" {
        // The page's members (of the object, or of each list item), keeping what the spec says
        // about the ones it knows.
        let old_fields = seq(get(&result, "fields"));
        let fields: Vec<Value> = seq(get(&page_result, "fields"))
            .into_iter()
            .map(|f| match old_fields.iter().find(|o| name_of(o) == name_of(&f)) {
                Some(Value::Mapping(o)) => {
                    let mut o = o.clone();
                    for k in ["type", "items"] {
                        set_or_remove(&mut o, k, f.as_mapping().and_then(|m| get(m, k)).cloned());
                    }
                    Value::Mapping(o)
                }
                _ => {
                    let message = format!("added result field {} from the page", name_of(&f).unwrap_or_default());
                    notes.push(Note { line: 0, message });
                    f
                }
            })
            .collect();
        if old_kind != new_kind {
            set_or_remove(&mut result, "description", get(&page_result, "description").cloned());
        }
        set_or_remove(&mut result, "kind", get(&page_result, "kind").cloned());
        set_or_remove(&mut result, "vendor_type", get(&page_result, "vendor_type").cloned());
        result.insert(key("fields"), Value::Sequence(fields));
    } else {
        result.remove(key("fields"));
        if old_kind != new_kind {
            set_or_remove(&mut result, "description", get(&page_result, "description").cloned());
        }
        set_or_remove(&mut result, "kind", get(&page_result, "kind").cloned());
        set_or_remove(&mut result, "vendor_type", get(&page_result, "vendor_type").cloned());
    }
    response.insert(key("result"), Value::Mapping(result));
    doc.insert(key("response"), Value::Mapping(response));

    // Events keep their curated conditions; errors follow the page.
    let old_events = seq(get(&doc, "events"));
    let events: Vec<Value> = seq(get(&page, "events"))
        .into_iter()
        .map(|e| {
            let name = e.as_str().unwrap_or_default();
            old_events
                .iter()
                .find(|o| o.as_mapping().and_then(|m| get(m, "event")).and_then(Value::as_str) == Some(name))
                .cloned()
                .unwrap_or(e)
        })
        .collect();
    doc.insert(key("events"), Value::Sequence(events));
    doc.insert(key("errors"), get(&page, "errors").cloned().unwrap_or(Value::Sequence(Vec::new())));

    if seq(get(&doc, "examples")).is_empty() && !seq(get(&page, "examples")).is_empty() {
        notes.push(Note { line: 0, message: "took the page's example (the spec had none)".to_owned() });
        doc.insert(key("examples"), get(&page, "examples").cloned().unwrap_or_default());
    }
    for q in seq(get(&page, "quirks")) {
        if let Some(q) = q.as_str()
            && !seq(get(&doc, "quirks")).iter().any(|o| o.as_str() == Some(q))
        {
            unmerged.push(q.to_owned());
        }
    }

    let merged = Value::Mapping(reorder(doc));
    let yaml = match super::patch::patch(curated_text, &merged) {
        Some(text) => text,
        None => {
            let message = "the spec could not be edited in place; it is rewritten whole (comments inside it are lost)";
            notes.push(Note { line: 0, message: message.to_owned() });
            let header: String =
                curated_text.lines().take_while(|l| l.starts_with('#')).map(|l| format!("{l}\n")).collect();
            format!("{header}{}", super::yaml::to_string(&merged))
        }
    };
    Ok(Updated { yaml, notes, unmerged })
}

/// An interface spec's top-level keys, in the README's order.
pub(super) const KEY_ORDER: &[&str] = &[
    "operation",
    "title",
    "log_name",
    "summary",
    "description",
    "prerequisites",
    "method",
    "path",
    "parameters",
    "rules",
    "response",
    "events",
    "errors",
    "examples",
    "quirks",
    "source",
];

/// Keeps the README's key order for keys the merge inserted.
fn reorder(doc: Mapping) -> Mapping {
    let mut out = Mapping::new();
    for k in KEY_ORDER {
        if let Some(v) = doc.get(key(k)) {
            out.insert(key(k), v.clone());
        }
    }
    for (k, v) in doc {
        if !out.contains_key(&k) {
            out.insert(k, v);
        }
    }
    out
}

/// A curated parameter with the page's facts.
fn merge_param(mut old: Mapping, page: &Mapping) -> Mapping {
    for k in ["type", "items", "required", "default"] {
        set_or_remove(&mut old, k, get(page, k).cloned());
    }
    if get(&old, "role").is_none() {
        set_or_remove(&mut old, "role", get(page, "role").cloned());
    }
    let pc = get(page, "constraints").and_then(Value::as_mapping).cloned().unwrap_or_default();
    let mut c = get(&old, "constraints").and_then(Value::as_mapping).cloned().unwrap_or_default();
    for k in ["range", "chars", "bytes", "supported_only"] {
        set_or_remove(&mut c, k, get(&pc, k).cloned());
    }
    let same_regex = |a: Option<&Value>, b: Option<&Value>| {
        a.and_then(Value::as_mapping).and_then(|m| get(m, "regex"))
            == b.and_then(Value::as_mapping).and_then(|m| get(m, "regex"))
    };
    if !same_regex(get(&c, "pattern"), get(&pc, "pattern")) {
        set_or_remove(&mut c, "pattern", get(&pc, "pattern").cloned());
    }
    let old_values = seq(get(&c, "values"));
    let values: Vec<Value> = seq(get(&pc, "values"))
        .into_iter()
        .map(|v| {
            let wire = v.as_mapping().and_then(|m| get(m, "value")).cloned();
            old_values
                .iter()
                .find(|o| o.as_mapping().and_then(|m| get(m, "value")).cloned() == wire)
                .cloned()
                .unwrap_or(v)
        })
        .collect();
    set_or_remove(&mut c, "values", (!values.is_empty()).then_some(Value::Sequence(values)));
    set_or_remove(&mut old, "constraints", (!c.is_empty()).then_some(Value::Mapping(c)));
    old
}
