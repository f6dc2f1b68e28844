//! The generated Rust method of an interface: its signature and a short call example.
//!
//! Mirrors the shape the Rust emitter gives the client: interfaces that send
//! the auth header are methods on `Session`, the others on `Client` (taking
//! the agent ID as an argument when the path names one); the agent-ID path
//! parameter is never a field of `Request`, and there is no `Request` when
//! nothing else is sent. A `Request` is built with `Request::new` from the
//! required values and the `with_` setters of the optional ones.

use serde::Serialize;

pub(crate) use crate::emit::rust::interface::starts_session;
use crate::emit::rust::interface::{agent_id_param, receiver, request_params};
use crate::emit::rust::request::setter_name;
use crate::emit::rust::types::{ParamType, param_type};
use crate::ir::{Api, Interface, Param, ResultShape, SessionEffect, Type, Value};

/// What the "Rust" section of an interface page shows.
#[derive(Debug, Clone, Serialize)]
pub struct RustApi {
    /// `Session` or `Client`, qualified with the crate name.
    pub receiver: String,
    /// `agentgateway::mediacall::transfer`.
    pub module_path: String,
    pub signature: String,
    pub example: String,
    /// What a successful call does to the session, markdown; `None` when nothing.
    pub session_md: Option<String>,
    /// How the `Request` is built, markdown; `None` when the interface has none.
    pub request_md: Option<String>,
}

/// The client crate's name as a Rust path segment.
pub fn crate_path(api: &Api) -> String {
    api.settings.crate_name.replace('-', "_")
}

/// The Rust type `Result` carries on success, relative to the crate root.
pub fn result_type(it: &Interface) -> String {
    match &it.result {
        ResultShape::None { .. } | ResultShape::Reserved { .. } => "()".to_owned(),
        ResultShape::CallId { .. } => "Option<String>".to_owned(),
        ResultShape::Object { .. } => format!("{}::{}::Response", it.resource.rust, it.module.rust),
        ResultShape::List { .. } => format!("Vec<{}::{}::Item>", it.resource.rust, it.module.rust),
        ResultShape::Event { .. } => "Option<ReceivedEvent>".to_owned(),
    }
}

/// The value the first example gives `p`, if it has one.
fn example_value<'a>(it: &'a Interface, p: &Param) -> Option<&'a serde_json::Value> {
    let ex = it.examples.first()?;
    let find = |list: &'a [(String, serde_json::Value)]| list.iter().find(|(k, _)| *k == p.name.wire).map(|(_, v)| v);
    match p.location {
        crate::ir::Location::Path => find(&ex.path),
        crate::ir::Location::Query => find(&ex.query),
        crate::ir::Location::Header => find(&ex.headers),
        crate::ir::Location::Body => ex.body.as_ref()?.get(&p.name.wire),
    }
}

/// A Rust literal of `p`'s base type: the example's value when it fits, else a plausible one.
fn literal(p: &Param, json: Option<&serde_json::Value>) -> String {
    let fallback_int = || {
        p.default
            .as_ref()
            .and_then(|d| if let Value::Int(i) = d { Some(*i) } else { None })
            .or(p.constraints.range.map(|(min, _)| min))
            .unwrap_or(1)
    };
    match &p.ty {
        Type::String => match json {
            Some(serde_json::Value::String(s)) => format!("{s:?}"),
            _ => match (&p.default, p.constraints.range) {
                (Some(Value::Str(s)), _) => format!("{s:?}"),
                (_, Some((min, _))) => format!("\"{min}\""),
                _ => "\"...\"".to_owned(),
            },
        },
        Type::Integer => match json.and_then(serde_json::Value::as_i64) {
            Some(i) => i.to_string(),
            None => fallback_int().to_string(),
        },
        Type::Boolean => json.and_then(serde_json::Value::as_bool).unwrap_or(true).to_string(),
        Type::Object(_) | Type::Map | Type::List(_) => "Default::default()".to_owned(),
    }
}

/// The expression that builds `p`'s value, plus the type name it needs imported.
fn expression(krate: &str, p: &Param, json: Option<&serde_json::Value>) -> (String, Option<String>) {
    if p.secret {
        return (format!("{krate}::SecretString::new({})", literal(p, json)), None);
    }
    match param_type(p) {
        ParamType::Enum => {
            let chosen = json
                .and_then(|j| {
                    p.constraints.values.iter().find(|v| match (&v.value, j) {
                        (Value::Int(i), serde_json::Value::Number(n)) => n.as_i64() == Some(*i),
                        (Value::Str(s), serde_json::Value::String(t)) => s == t,
                        (Value::Bool(b), serde_json::Value::Bool(c)) => b == c,
                        _ => false,
                    })
                })
                .or(p.constraints.values.first());
            let variant = chosen.map(|v| v.name.rust.as_str()).unwrap_or("_");
            (format!("{}::{variant}", p.type_name.rust), Some(p.type_name.rust.clone()))
        }
        ParamType::Constrained => {
            (format!("{}::new({})?", p.type_name.rust, literal(p, json)), Some(p.type_name.rust.clone()))
        }
        ParamType::Plain(_) => {
            let lit = literal(p, json);
            if p.ty == Type::String { (format!("{lit}.into()"), None) } else { (lit, None) }
        }
    }
}

/// `Request::new(a, b)` and the setters, in words.
fn request_md(it: &Interface) -> String {
    let code = |s: &str| format!("`{s}`");
    let required: Vec<&str> = request_params(it).filter(|p| p.required).map(|p| p.name.rust.as_str()).collect();
    let setters: Vec<String> = request_params(it).filter(|p| !p.required).map(|p| code(&setter_name(p))).collect();
    let new = code(&format!("Request::new({})", required.join(", ")));
    let mut text = match required.len() {
        0 => format!("Build the request with {new} (or `Request::default()`)"),
        1 => format!("Build the request with {new}, the required parameter"),
        _ => format!("Build the request with {new}, the required parameters in this order"),
    };
    if setters.is_empty() {
        text.push('.');
    } else {
        text.push_str(&format!("; set optional ones with {}.", setters.join(", ")));
    }
    text
}

/// The signature and call example of `it`'s method.
pub fn rust_api(api: &Api, it: &Interface) -> RustApi {
    let krate = crate_path(api);
    let module = format!("{}::{}", it.resource.rust, it.module.rust);
    let has_request = request_params(it).next().is_some();
    let agent = agent_id_param(it);
    let on_session = it.sends_guid;
    let receiver = receiver(it);

    let mut args = vec!["&self".to_owned()];
    if agent.is_some() && !on_session {
        args.push(format!("agent_id: &{krate}::AgentId"));
    }
    if has_request {
        args.push(format!("request: &{module}::Request"));
    }
    let starts = starts_session(it);
    let ret = if starts { format!("({krate}::Session, {})", result_type(it)) } else { result_type(it) };
    let signature = format!("pub async fn {}({}) -> Result<{ret}, {krate}::Error>", it.operation.rust, args.join(", "));
    let session_md = if starts {
        Some(format!(
            "On success the method also returns the `{krate}::Session` it starts, holding the agent ID and the token the response hands out; \
             make the session's calls on it."
        ))
    } else if it.session == SessionEffect::Ends {
        Some(format!(
            "On success the session ends: later calls on this `{krate}::Session` and its clones fail with `{krate}::Error::SessionEnded` without sending anything."
        ))
    } else {
        None
    };

    let mut lines = Vec::new();
    let mut imports: Vec<String> = Vec::new();
    let mut body = Vec::new();
    if has_request {
        // The required values through `Request::new`, then the options the example sets.
        let mut args = Vec::new();
        let mut sets = Vec::new();
        for p in request_params(it) {
            let json = example_value(it, p);
            if !p.required && json.is_none() {
                continue;
            }
            let (expr, import) = expression(&krate, p, json);
            imports.extend(import);
            // `new` and the setters take plain strings as `impl Into<String>`.
            let expr = expr.strip_suffix(".into()").map(str::to_owned).unwrap_or(expr);
            if p.required {
                args.push(expr);
            } else {
                sets.push(format!("    .{}({expr})", setter_name(p)));
            }
        }
        let new = format!("let request = {}::Request::new({})", it.module.rust, args.join(", "));
        if sets.is_empty() {
            body.push(format!("{new};"));
        } else {
            body.push(new);
            body.extend(sets);
            body.last_mut().expect("a setter").push(';');
        }
        imports.sort();
        imports.dedup();
    }
    if has_request || matches!(it.result, ResultShape::Object { .. }) {
        let list = std::iter::once("self".to_owned()).chain(imports).collect::<Vec<_>>();
        lines.push(if list.len() == 1 {
            format!("use {krate}::{module};")
        } else {
            format!("use {krate}::{module}::{{{}}};", list.join(", "))
        });
        lines.push(String::new());
    }
    let who = if on_session { "session" } else { "client" };
    lines.push(format!(
        "// `{who}`: an `{krate}::{receiver}`{}.",
        if on_session { " for the signed-in agent" } else { "" }
    ));
    let mut call_args = Vec::new();
    if let Some(p) = agent.filter(|_| !on_session) {
        let id = match example_value(it, p) {
            Some(serde_json::Value::String(s)) => format!("{s:?}"),
            Some(serde_json::Value::Number(n)) => format!("\"{n}\""),
            _ => p.constraints.range.map(|(min, _)| format!("\"{min}\"")).unwrap_or_else(|| "\"...\"".to_owned()),
        };
        lines.push(format!("let agent_id = {krate}::AgentId::new({id})?;"));
        call_args.push("&agent_id".to_owned());
    }
    lines.extend(body);
    if has_request {
        call_args.push("&request".to_owned());
    }
    let call = format!("{who}.{}({}).await?;", it.operation.rust, call_args.join(", "));
    lines.push(match (&it.result, starts) {
        (ResultShape::None { .. } | ResultShape::Reserved { .. }, false) => call,
        (ResultShape::None { .. } | ResultShape::Reserved { .. }, true) => format!("let (session, ()) = {call}"),
        (ResultShape::CallId { .. }, false) => format!("let call_id: Option<String> = {call}"),
        (ResultShape::CallId { .. }, true) => format!("let (session, call_id) = {call}"),
        (ResultShape::Object { .. }, false) => format!("let response: {}::Response = {call}", it.module.rust),
        (ResultShape::Object { .. }, true) => format!("let (session, response) = {call}"),
        (ResultShape::List { .. }, false) => format!("let items: Vec<{}::Item> = {call}", it.module.rust),
        (ResultShape::List { .. }, true) => format!("let (session, items) = {call}"),
        (ResultShape::Event { .. }, _) => format!("let event: Option<{krate}::ReceivedEvent> = {call}"),
    });
    // Hidden lines (`# `, as rustdoc and mdBook read them) make the example a
    // function the book's doctests compile.
    lines.insert(
        0,
        format!("# async fn example({who}: &{krate}::{receiver}) -> Result<(), Box<dyn std::error::Error>> {{"),
    );
    lines.extend(["# Ok(())".to_owned(), "# }".to_owned()]);
    RustApi {
        request_md: has_request.then(|| request_md(it)),
        receiver: format!("{krate}::{receiver}"),
        module_path: format!("{krate}::{module}"),
        signature,
        example: lines.join("\n"),
        session_md,
    }
}
