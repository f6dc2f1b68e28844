//! What a successful operation shows, built from the IR alone: the events its
//! spec lists, in the spec's order and with the payload shapes of the events
//! catalog, and the result its response describes.
//!
//! The fake's state model (who is talking, which call is held) only supplies
//! [`Facts`]: the values the events and results carry (the call ID, the
//! numbers), and whether the operation succeeded or failed. Everything else
//! comes from the spec tree, so an interface added there gets its events and
//! its result with no code change.
//!
//! The specs list every event a call *may* trigger, successes and failures
//! together. An event whose name says it reports a failure (`_Fail`,
//! `Failed`, as in `AgentEvent_Connect_Fail`) is queued only when the state
//! model makes the operation fail, and then only such events are.

use std::collections::HashMap;

use ccgen::ir::{Api, Field, Interface, Payload, ResultShape, Type};
use serde_json::{Map, Value, json};

use crate::judge::holds;

/// Values the events and results of one operation carry, by wire name
/// (matched without regard to case: `callid` fills `callId`).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    values: HashMap<String, Value>,
}

impl Facts {
    /// The request's own values, by parameter wire name.
    pub fn from_request(it: &Interface, values: &[Option<Value>]) -> Facts {
        let mut facts = Facts::default();
        for (p, value) in it.params.iter().zip(values) {
            if let Some(value) = value {
                facts.set(&p.name.wire, value.clone());
            }
        }
        facts
    }

    /// Sets (or replaces) one value.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Facts {
        self.values.insert(name.to_ascii_lowercase(), value.into());
        self
    }

    /// The value of that name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(&name.to_ascii_lowercase())
    }

    /// The value of that name as text (a number is written out).
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

/// How the state model judged an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operation did what was asked.
    Succeeded,
    /// The request was accepted, and its outcome (reported by events) is a failure.
    Failed,
}

/// True when an event's name says it reports a failure.
pub fn reports_failure(event: &str) -> bool {
    event.contains("_Fail") || event.contains("Failed")
}

/// The events `it`'s spec lists for this outcome and these request values,
/// in spec order, each with content of its catalog shape.
pub fn events(
    api: &Api,
    it: &Interface,
    values: &[Option<Value>],
    outcome: Outcome,
    facts: &Facts,
) -> Vec<(String, Value)> {
    it.events
        .iter()
        .filter(|e| e.when.as_ref().is_none_or(|c| holds(c, values)))
        .filter(|e| reports_failure(&e.event) == (outcome == Outcome::Failed))
        .map(|e| (e.event.clone(), content(api, &e.event, facts)))
        .collect()
}

/// The content of the catalog's event `name` filled from `facts` (`null` for
/// an event the catalog does not know).
pub fn content(api: &Api, name: &str, facts: &Facts) -> Value {
    let Some(event) = api.event(name) else { return Value::Null };
    match &event.payload {
        Payload::Null { .. } => Value::Null,
        Payload::CallId { .. } => Value::String(facts.text("callid").unwrap_or_default()),
        Payload::String { .. } => Value::String(String::new()),
        Payload::Object { fields, .. } => object(fields, facts, None),
        // Undocumented content: the fake has nothing to say about its shape.
        Payload::Unknown { .. } => Value::Null,
    }
}

/// The `result` member of a successful answer, or `None` when the page
/// documents none. A list is its first example's. An object's fields come from `facts`, then from the
/// interface's first example, then from the field's first known value or the
/// empty value of its type.
pub fn result(it: &Interface, facts: &Facts) -> Option<Value> {
    match &it.result {
        ResultShape::None { .. } | ResultShape::Event { .. } => None,
        ResultShape::Reserved { .. } => Some(json!({})),
        ResultShape::CallId { .. } => Some(Value::String(facts.text("callid").unwrap_or_default())),
        ResultShape::Object { fields, .. } => {
            let example = it.examples.iter().find_map(|e| e.response.get(&it.result_member)?.as_object());
            Some(object(fields, facts, example))
        }
        // A list is answered as the first example shows it, or empty.
        ResultShape::List { .. } => {
            let example = it.examples.iter().find_map(|e| e.response.get(&it.result_member)?.as_array());
            Some(Value::Array(example.cloned().unwrap_or_default()))
        }
    }
}

fn object(fields: &[Field], facts: &Facts, example: Option<&Map<String, Value>>) -> Value {
    let members = fields.iter().map(|f| {
        let value = facts
            .get(&f.name.wire)
            .map(|v| coerce(v, &f.ty))
            .or_else(|| example.and_then(|e| e.get(&f.name.wire)).cloned())
            .unwrap_or_else(|| empty(f, facts));
        (f.name.wire.clone(), value)
    });
    Value::Object(members.collect())
}

/// The field's first known value, or the empty value of its type.
fn empty(field: &Field, facts: &Facts) -> Value {
    if let Some(known) = field.values.first() {
        return serde_json::to_value(&known.value).unwrap_or(Value::Null);
    }
    match &field.ty {
        Type::String => json!(""),
        Type::Integer => json!(0),
        Type::Boolean => json!(false),
        Type::Object(fields) => object(fields, facts, None),
        Type::Map => json!({}),
        Type::List(_) => json!([]),
    }
}

/// A fact in the JSON type the field documents: a number where the field is
/// a string is sent as text, a numeric string where it is an integer as a number.
fn coerce(value: &Value, ty: &Type) -> Value {
    match (ty, value) {
        (Type::String, Value::Number(n)) => Value::String(n.to_string()),
        (Type::Integer, Value::String(s)) => s.parse::<i64>().map_or_else(|_| value.clone(), Value::from),
        _ => value.clone(),
    }
}
