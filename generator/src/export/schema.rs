//! JSON Schemas (the OpenAPI dialect) of IR types, constraints and results.

use serde_json::{Map, Value, json};

use super::Version;
use crate::ir::{Constraints, Field, Param, Payload, ResultShape, Type};

/// The schema of a value type, without constraints.
pub fn of_type(ty: &Type) -> Value {
    match ty {
        Type::String => json!({ "type": "string" }),
        Type::Integer => json!({ "type": "integer", "format": "int64" }),
        Type::Boolean => json!({ "type": "boolean" }),
        Type::Object(fields) => object(fields),
        Type::Map => json!({ "type": "object", "additionalProperties": true }),
        Type::List(item) => json!({ "type": "array", "items": of_type(item) }),
    }
}

/// An object with named fields; `values` of a field are documentation
/// (named constants, not a check), so they go in `x-values`, not `enum`.
pub fn object(fields: &[Field]) -> Value {
    let mut properties = Map::new();
    for f in fields {
        let mut schema = of_type(&f.ty);
        schema["description"] = json!(f.description);
        if !f.values.is_empty() {
            schema["x-values"] = f.values.iter().map(|v| json!({ "value": v.value, "name": v.name.wire })).collect();
        }
        properties.insert(f.name.wire.clone(), schema);
    }
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name.wire.as_str()).collect();
    let mut schema = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// The schema of a parameter: its type, its constraints, its default, and
/// `format: password` with `x-secret` when it is a secret.
pub fn of_param(p: &Param) -> Value {
    let mut schema = of_type(&p.ty);
    constrain(&mut schema, &p.ty, &p.constraints);
    if let Some(default) = &p.default {
        schema["default"] = json!(default);
    }
    if p.secret {
        schema["format"] = json!("password");
        schema["writeOnly"] = json!(true);
        schema["x-secret"] = json!(true);
    }
    schema
}

/// Adds the constraints JSON Schema can state as keywords, and the rest
/// (a number range on a string, a size in bytes) as `x-` keywords.
fn constrain(schema: &mut Value, ty: &Type, c: &Constraints) {
    if let Some((min, max)) = c.range {
        if *ty == Type::Integer {
            schema["minimum"] = json!(min);
            schema["maximum"] = json!(max);
        } else {
            // A string holding a decimal integer in range.
            schema["x-integer-range"] = json!({ "minimum": min, "maximum": max });
        }
    }
    if let Some((min, max)) = c.chars {
        schema["minLength"] = json!(min);
        schema["maxLength"] = json!(max);
    }
    if let Some((min, max)) = c.bytes {
        schema["x-byte-length"] = json!({ "minimum": min, "maximum": max });
    }
    if let Some(pattern) = &c.pattern {
        schema["pattern"] = json!(pattern.regex);
        schema["x-pattern-description"] = json!(pattern.description);
    }
    if !c.values.is_empty() {
        schema["enum"] = c.values.iter().map(|v| json!(v.value)).collect();
        schema["x-enum-varnames"] = c.values.iter().map(|v| json!(v.name.rust)).collect();
        schema["x-enum-descriptions"] = c.values.iter().map(|v| json!(v.description)).collect();
        if c.supported_only {
            schema["x-supported-only"] = json!(true);
        }
    }
}

/// The schema of the envelope's answer member, or `None` when there is none.
pub fn of_result(result: &ResultShape, version: Version) -> Option<Value> {
    let (schema, description) = match result {
        ResultShape::None { .. } => return None,
        ResultShape::Reserved { description, .. } => (json!({ "type": "object" }), description),
        ResultShape::CallId { description, .. } => (json!({ "type": "string" }), description),
        // The page's type and example disagree: either one object or a list holding one.
        ResultShape::Object { description, fields, one_or_list: true, .. } => (
            json!({ "oneOf": [object(fields), { "type": "array", "items": object(fields), "minItems": 1, "maxItems": 1 }] }),
            description,
        ),
        ResultShape::Object { description, fields, .. } => (object(fields), description),
        ResultShape::List { description, fields, .. } => {
            (json!({ "type": "array", "items": object(fields) }), description)
        }
        ResultShape::Event { description, .. } => (nullable_ref("PolledEvent", version), description),
    };
    Some(with_description(schema, description.as_deref()))
}

fn with_description(mut schema: Value, description: Option<&str>) -> Value {
    if let Some(d) = description {
        schema["description"] = json!(d);
    }
    schema
}

/// A reference to a component schema that may also be `null`.
fn nullable_ref(name: &str, version: Version) -> Value {
    let target = format!("#/components/schemas/{name}");
    match version {
        Version::V3_0 => json!({ "allOf": [{ "$ref": target }], "nullable": true }),
        Version::V3_1 => json!({ "oneOf": [{ "$ref": target }, { "type": "null" }] }),
    }
}

/// One polled event: its type names the catalog entry, whose payload is `content`.
pub fn polled_event() -> Value {
    json!({
        "type": "object",
        "description": "One event; `eventType` names an entry of `x-events`, whose payload is `content`.",
        "properties": {
            "eventType": { "type": "string" },
            "workNo": { "type": "string" },
            "eventGenTime": { "type": "string" },
            "content": {}
        },
        "required": ["eventType"]
    })
}

/// The schema of an event's `content`.
pub fn of_payload(payload: &Payload, version: Version) -> Value {
    match payload {
        Payload::Null { description } => {
            let null = match version {
                Version::V3_0 => json!({ "nullable": true, "enum": [null] }),
                Version::V3_1 => json!({ "type": "null" }),
            };
            with_description(null, description.as_deref())
        }
        Payload::CallId { description } | Payload::String { description } => {
            with_description(json!({ "type": "string" }), description.as_deref())
        }
        Payload::Object { description, fields } => with_description(object(fields), description.as_deref()),
        // Undocumented content: any JSON value.
        Payload::Unknown { description } => with_description(json!({}), description.as_deref()),
    }
}
