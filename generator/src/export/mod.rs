//! `ccgen export openapi`: the API as an OpenAPI document, built from the IR.
//!
//! Everything the specs say that OpenAPI has a keyword for is written with
//! that keyword (paths, parameters and their `minimum`/`maximum`,
//! `minLength`/`maxLength`, `pattern`, `enum`, bodies, the response envelope
//! and its answer member, response headers, the `Guid` security scheme); the
//! rest travels in `x-` extensions so that nothing is dropped: the
//! gateway's error codes (`x-retcodes` per operation, `x-error-codes` for the
//! catalog, also listed in the response description), events (`x-events`),
//! cross-field rules (`x-rules`), number ranges on strings and sizes in bytes.
//! Secrets are `format: password`, `writeOnly` and `x-secret`.
//!
//! OpenAPI 3.1 by default; 3.0 on request, for tools that read only 3.0
//! (progenitor). The two differ only where the versions do: `null`.

mod schema;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::ir::{Api, Interface, Location, Rule};

/// Which OpenAPI version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    /// OpenAPI 3.0.3.
    V3_0,
    /// OpenAPI 3.1.0.
    #[default]
    V3_1,
}

impl Version {
    fn as_str(self) -> &'static str {
        match self {
            Version::V3_0 => "3.0.3",
            Version::V3_1 => "3.1.0",
        }
    }
}

/// The OpenAPI document of `api`, as pretty JSON ending in a newline.
pub fn openapi(api: &Api, version: Version) -> String {
    let mut text = serde_json::to_string_pretty(&document(api, version)).unwrap_or_default();
    text.push('\n');
    text
}

/// The OpenAPI document of `api`.
pub fn document(api: &Api, version: Version) -> Value {
    let s = &api.settings;
    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for it in &api.interfaces {
        paths
            .entry(it.path.as_str())
            .or_default()
            .insert(it.method.as_str().to_lowercase(), operation(api, it, version));
    }
    json!({
        "openapi": version.as_str(),
        "info": { "title": s.title, "description": s.summary, "version": env!("CARGO_PKG_VERSION"),
                  "x-api-name": s.name, "x-crate-name": s.crate_name },
        "servers": [{
            "url": format!("https://{{host}}:{{port}}{}", s.base_path),
            "variables": { "host": { "default": "localhost" }, "port": { "default": s.default_port.to_string() } }
        }],
        "paths": paths,
        "components": {
            "securitySchemes": { "guid": {
                "type": "apiKey", "in": "header", "name": s.auth_header, "description": s.auth_description,
                "x-issued-in": { "header": s.token_header, "prefix": s.token_prefix }
            }},
            "schemas": { "PolledEvent": schema::polled_event() }
        },
        "x-error-codes": api.errors.iter().map(|e| json!({
            "code": e.code, "name": e.name.wire, "meaning": e.meaning, "source": e.provenance, "note": e.note
        })).collect::<Vec<_>>(),
        "x-events": api.events.iter().map(|e| json!({
            "name": e.name.wire, "meaning": e.meaning, "note": e.note, "content": schema::of_payload(&e.payload, version)
        })).collect::<Vec<_>>(),
        "x-envelope": { "message": s.envelope.message, "retcode": s.envelope.retcode,
                        "result": s.envelope.result, "success": s.envelope.success },
    })
}

/// One operation: parameters, body, the enveloped answer, codes and events.
fn operation(api: &Api, it: &Interface, version: Version) -> Value {
    let parameters: Vec<Value> = it
        .params
        .iter()
        .filter(|p| p.location != Location::Body)
        .map(|p| {
            let mut param = json!({
                "name": p.name.wire, "in": p.location.as_str(), "required": p.required || p.location == Location::Path,
                "description": p.description, "schema": schema::of_param(p)
            });
            if p.role.is_some() {
                param["x-role"] = json!("agent_id");
            }
            param
        })
        .collect();
    let mut op = json!({
        "operationId": it.operation.wire,
        "summary": it.summary,
        "tags": [it.resource.wire],
        "parameters": parameters,
        "responses": { "200": response(api, it, version) },
        "x-log-name": it.log_name,
        "x-retcodes": it.errors,
        "x-events": it.events.iter().map(|e| json!({
            "event": e.event,
            "when": e.when.as_ref().map(|c| json!({ "param": it.params[c.param].name.wire, "equals": c.equals }))
        })).collect::<Vec<_>>(),
        "security": if it.sends_guid { json!([{ "guid": [] }]) } else { json!([]) },
    });
    if let Some(d) = &it.description {
        op["description"] = json!(d);
    }
    if it.has_body() {
        op["requestBody"] = body(it);
    }
    if !it.rules.is_empty() {
        op["x-rules"] = it.rules.iter().map(|r| rule(it, r)).collect();
    }
    op
}

/// The JSON body: one object whose members are the body parameters.
fn body(it: &Interface) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (_, p) in it.params_at(Location::Body) {
        let mut s = schema::of_param(p);
        s["description"] = json!(p.description);
        properties.insert(p.name.wire.clone(), s);
        if p.required {
            required.push(p.name.wire.clone());
        }
    }
    let mut object = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        object["required"] = json!(required);
    }
    json!({ "required": true, "content": { "application/json": { "schema": object } } })
}

/// The HTTP 200 answer: the envelope, with the answer member when there is
/// one; the error codes the interface documents are listed, since the
/// gateway reports failures in the envelope, not in the HTTP status.
fn response(api: &Api, it: &Interface, version: Version) -> Value {
    let e = &api.settings.envelope;
    let mut properties = Map::new();
    properties.insert(e.message.clone(), json!({ "type": "string" }));
    properties.insert(
        e.retcode.clone(),
        json!({ "type": "string", "description": format!("\"{}\" on success; otherwise an error code.", e.success) }),
    );
    if let Some(answer) = schema::of_result(&it.result, version) {
        properties.insert(it.result_member.clone(), answer);
    }
    let mut description = String::from("The response envelope.");
    for code in &it.errors {
        let meaning = api.error(code).and_then(|c| c.meaning.clone()).unwrap_or_else(|| "(meaning unpublished)".into());
        description.push_str(&format!("\n- retcode `{code}`: {meaning}"));
    }
    let headers: Map<String, Value> = it
        .response_headers
        .iter()
        .map(|h| {
            let mut header = json!({ "description": h.description, "schema": { "type": "string" } });
            if h.role.is_some() {
                header["x-role"] = json!("guid");
            }
            (h.name.clone(), header)
        })
        .collect();
    let schema = json!({ "type": "object", "properties": properties, "required": [e.message, e.retcode] });
    let mut response = json!({ "description": description, "content": { "application/json": { "schema": schema } } });
    if !headers.is_empty() {
        response["headers"] = Value::Object(headers);
    }
    response
}

fn rule(it: &Interface, r: &Rule) -> Value {
    let name = |i: usize| it.params[i].name.wire.clone();
    let (kind, param, when, values, description) = match r {
        Rule::OnlyWhen { param, when, description } => ("only_when", param, when, None, description),
        Rule::RequiredWhen { param, when, description } => ("required_when", param, when, None, description),
        Rule::AllowedValues { param, when, values, description } => {
            ("allowed_values", param, when, Some(values), description)
        }
    };
    json!({ "kind": kind, "param": name(*param), "when": { "param": name(when.param), "equals": when.equals },
            "values": values, "description": description })
}
