//! Examples must be valid requests and responses under the interface's own declarations.

use super::Ctx;
use super::types::{check_json, json_kind};
use crate::ir::{Example, Interface, Location, ResultShape, Rule, Type, Value};
use crate::load::model::{EnvelopeSpec, InterfaceFile};
use crate::load::positions::NodePath;

pub(super) fn check(
    ctx: &mut Ctx<'_>,
    doc: &InterfaceFile,
    interface: &Interface,
    envelope: &EnvelopeSpec,
    rejected: &[String],
) -> Vec<Example> {
    let mut out = Vec::new();
    for (i, spec) in doc.examples.iter().enumerate() {
        let path = NodePath::root().key("examples").index(i);
        let before = ctx.report.len();
        let empty = serde_json::Map::new();
        let mut request: Vec<(usize, serde_json::Value)> = Vec::new();
        for (key, location, map) in [
            ("path", Location::Path, spec.path.as_ref()),
            ("query", Location::Query, spec.query.as_ref()),
            ("headers", Location::Header, spec.headers.as_ref()),
        ] {
            let given = map.unwrap_or(&empty);
            members(
                ctx,
                interface,
                location,
                given,
                &path.key(key),
                &mut request,
                location != Location::Header,
                rejected,
            );
        }
        match (&spec.body, interface.has_body()) {
            (Some(serde_json::Value::Object(map)), true) => {
                members(ctx, interface, Location::Body, map, &path.key("body"), &mut request, true, rejected)
            }
            (Some(other), true) => {
                let d = ctx.at(&path.key("body"), format!("example body is {}, not a JSON object", json_kind(other)));
                ctx.push(d);
            }
            (Some(_), false) => {
                let d = ctx.at(&path.key("body"), "example has a body, but the interface declares no body parameters");
                ctx.push(d.help("remove the body, or declare its parameters under parameters.body"));
            }
            (None, true) => {
                members(ctx, interface, Location::Body, &empty, &path.key("body"), &mut request, true, rejected)
            }
            (None, false) => {}
        }
        rules(ctx, interface, &request, &path);
        response(ctx, interface, &spec.response, envelope, &path.key("response"));
        if ctx.report.len() == before {
            out.push(Example {
                name: spec.name.clone(),
                path: pairs(spec.path.as_ref()),
                query: pairs(spec.query.as_ref()),
                headers: pairs(spec.headers.as_ref()),
                body: spec.body.clone(),
                response: spec.response.clone(),
            });
        }
    }
    out
}

fn pairs(map: Option<&serde_json::Map<String, serde_json::Value>>) -> Vec<(String, serde_json::Value)> {
    map.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

/// Checks the members given at one location against the declared parameters.
#[allow(clippy::too_many_arguments)]
fn members(
    ctx: &mut Ctx<'_>,
    interface: &Interface,
    location: Location,
    given: &serde_json::Map<String, serde_json::Value>,
    path: &NodePath,
    request: &mut Vec<(usize, serde_json::Value)>,
    check_required: bool,
    rejected: &[String],
) {
    for (key, value) in given {
        if rejected.contains(key) {
            continue;
        }
        let Some((i, p)) = interface.params_at(location).find(|(_, p)| &p.name.wire == key) else {
            let d = ctx.at_key(
                &path.key(key),
                format!(
                    "example {} has `{key}`, which is not a declared {} parameter",
                    location.as_str(),
                    location.as_str()
                ),
            );
            ctx.push(d.label("undeclared").help("examples may use only declared parameters"));
            continue;
        };
        // Path and query values travel as text; accept a string spelling of an integer there.
        let coerced = match (location, &p.ty, value) {
            (Location::Path | Location::Query | Location::Header, Type::Integer, serde_json::Value::String(s)) => {
                s.parse::<i64>().map(serde_json::Value::from).unwrap_or_else(|_| value.clone())
            }
            _ => value.clone(),
        };
        if let Err(why) = check_json(&coerced, &p.ty, &p.constraints) {
            let d = ctx
                .at(&path.key(key), format!("example value of `{key}` does not satisfy its declaration: {why}"))
                .label("invalid value");
            ctx.push(d.help(format!(
                "`{key}` is {}{}",
                super::types::a(&p.ty),
                if p.constraints.is_empty() { "" } else { " with constraints" }
            )));
            continue;
        }
        request.push((i, coerced));
    }
    if check_required {
        for (_, p) in interface.params_at(location) {
            if p.required && !given.contains_key(&p.name.wire) {
                let d = ctx
                    .at(path, format!("example {} lacks the required parameter `{}`", location.as_str(), p.name.wire));
                ctx.push(d.label("incomplete example"));
            }
        }
    }
}

fn as_value(json: &serde_json::Value) -> Option<Value> {
    match json {
        serde_json::Value::Bool(b) => Some(Value::Bool(*b)),
        serde_json::Value::Number(n) => n.as_i64().map(Value::Int),
        serde_json::Value::String(s) => Some(Value::Str(s.clone())),
        _ => None,
    }
}

fn rules(ctx: &mut Ctx<'_>, interface: &Interface, request: &[(usize, serde_json::Value)], path: &NodePath) {
    let get = |i: usize| request.iter().find(|(j, _)| *j == i).and_then(|(_, v)| as_value(v));
    let set = |i: usize| request.iter().any(|(j, _)| *j == i);
    for rule in &interface.rules {
        let (param, when) = match rule {
            Rule::OnlyWhen { param, when, .. }
            | Rule::RequiredWhen { param, when, .. }
            | Rule::AllowedValues { param, when, .. } => (*param, when),
        };
        let holds = get(when.param).as_ref() == Some(&when.equals);
        let name = &interface.params[param].name.wire;
        let cond = format!("{} is {}", interface.params[when.param].name.wire, when.equals);
        let broken = match rule {
            Rule::OnlyWhen { .. } => {
                (set(param) && !holds).then(|| format!("example sets `{name}`, which is valid only when {cond}"))
            }
            Rule::RequiredWhen { .. } => {
                (!set(param) && holds).then(|| format!("example lacks `{name}`, which is required when {cond}"))
            }
            Rule::AllowedValues { values, .. } => match get(param) {
                Some(v) if holds && !values.contains(&v) => {
                    Some(format!("example sets `{name}` to {v}, not allowed when {cond}"))
                }
                _ => None,
            },
        };
        if let Some(message) = broken {
            // Point at the member that breaks the rule (for a missing one, at the condition's member).
            let culprit = if matches!(rule, Rule::RequiredWhen { .. }) {
                &interface.params[when.param]
            } else {
                &interface.params[param]
            };
            let key = match culprit.location {
                Location::Path => "path",
                Location::Query => "query",
                Location::Header => "headers",
                Location::Body => "body",
            };
            let d = ctx.at(&path.key(key).key(&culprit.name.wire), message).label("example breaks a rule");
            ctx.push(d);
        }
    }
}

fn response(
    ctx: &mut Ctx<'_>,
    interface: &Interface,
    response: &serde_json::Value,
    envelope: &EnvelopeSpec,
    path: &NodePath,
) {
    let serde_json::Value::Object(map) = response else {
        let d = ctx.at(path, format!("example response is {}, not the JSON envelope", json_kind(response)));
        ctx.push(d);
        return;
    };
    let retcode = match map.get(&envelope.retcode) {
        Some(serde_json::Value::String(s)) => s.clone(),
        other => {
            let what = other.map_or_else(|| "missing".to_owned(), json_kind);
            let d = ctx.at(path, format!("example response `{}` is {what}; it is a string", envelope.retcode));
            ctx.push(d);
            return;
        }
    };
    if let Some(m) = map.get(&envelope.message)
        && !m.is_string()
    {
        let d = ctx.at(
            &path.key(&envelope.message),
            format!("example response `{}` is {}, not a string", envelope.message, json_kind(m)),
        );
        ctx.push(d);
    }
    if retcode != envelope.success {
        return;
    }
    let result = map.get(&interface.result_member);
    let problem = match (&interface.result, result) {
        (ResultShape::None { .. } | ResultShape::Reserved { .. }, None) => None,
        (ResultShape::None { .. } | ResultShape::Reserved { .. }, Some(serde_json::Value::Object(_))) => None,
        (ResultShape::CallId { .. }, Some(serde_json::Value::String(_))) => None,
        (ResultShape::Event { .. }, None | Some(serde_json::Value::Null)) => None,
        (ResultShape::Event { .. }, Some(serde_json::Value::Object(m)))
            if m.get("eventType").is_some_and(serde_json::Value::is_string) =>
        {
            None
        }
        (ResultShape::Object { fields, .. }, Some(v @ serde_json::Value::Object(_))) => {
            check_json(v, &Type::Object(fields.clone()), &Default::default()).err()
        }
        (ResultShape::List { fields, .. }, Some(v @ serde_json::Value::Array(_))) => {
            check_json(v, &Type::List(Box::new(Type::Object(fields.clone()))), &Default::default()).err()
        }
        (ResultShape::Object { fields, one_or_list: true, .. }, Some(serde_json::Value::Array(items))) => {
            match items.as_slice() {
                [v @ serde_json::Value::Object(_)] => check_json(v, &Type::Object(fields.clone()), &Default::default())
                    .err()
                    .map(|e| format!("item 0: {e}")),
                _ => Some(format!(
                    "is a list of {} items, but the interface reads a list of exactly one object",
                    items.len()
                )),
            }
        }
        (shape, v) => {
            let kind = match shape {
                ResultShape::None { .. } => "no result",
                ResultShape::Reserved { .. } => "a reserved object",
                ResultShape::CallId { .. } => "a call ID string",
                ResultShape::Object { one_or_list: true, .. } => "an object, or a list holding one object",
                ResultShape::Object { .. } => "an object",
                ResultShape::List { .. } => "a list of objects",
                ResultShape::Event { .. } => "an event object with an `eventType` string, or null",
            };
            Some(format!("is {}, but the interface declares {kind}", v.map_or_else(|| "missing".to_owned(), json_kind)))
        }
    };
    if let Some(why) = problem {
        let d = ctx
            .at(&path.key(&envelope.result), format!("example response `{}` {why}", envelope.result))
            .label("result shape");
        ctx.push(d);
    }
}
