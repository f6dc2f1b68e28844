//! Judges requests by the specs: every interface in a spec tree is routed and
//! checked from the IR, with no per-interface code.
//!
//! A request is refused the way the gateway refuses it: an unknown path is
//! HTTP 404, a known path with the wrong method HTTP 405, and a request that
//! breaks a documented rule (a missing or unknown parameter, a JSON type
//! other than the page's, a 64-bit or `null` value, a constraint, a
//! cross-field rule) `000-002`. Each refusal names the rule it broke.

use std::path::Path;

use ccgen::ir::{Api, Condition, Interface, Location, Param, Rule, Segment, Type, Value};
use percent_encoding::percent_decode_str;
use serde_json::Map;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status: 404, 405, or 200 with an error envelope.
    pub status: u16,
    /// The gateway's code.
    pub retcode: &'static str,
    /// The rule the request broke, in words.
    pub rule: String,
}

impl Refusal {
    fn invalid(rule: String) -> Refusal {
        Refusal { status: 200, retcode: "000-002", rule }
    }
}

/// The interface a request addresses, with its path parameter values.
#[derive(Debug)]
pub struct Route<'a> {
    /// The interface, from the IR.
    pub interface: &'a Interface,
    /// Decoded value of each path parameter, by parameter index.
    pub path: Vec<(usize, String)>,
}

/// The interfaces of one spec tree, ready to judge requests.
#[derive(Debug)]
pub struct Judge {
    api: Api,
}

impl Judge {
    /// Loads and checks the spec tree at `dir`.
    ///
    /// # Errors
    ///
    /// The rendered diagnostics when the specs do not validate.
    pub fn load(dir: &Path) -> Result<Judge, String> {
        ccgen::pipeline::validate(dir).map(|api| Judge { api }).map_err(|d| d.render())
    }

    /// The checked IR.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The interface `method` and `path` (below the base path, e.g.
    /// `/voicecall/205/callinner`) address.
    ///
    /// # Errors
    ///
    /// 404 when no interface has the path, 405 when none has it with this method.
    pub fn route(&self, method: &str, path: &str) -> Result<Route<'_>, Refusal> {
        let mut path_matched = false;
        for it in &self.api.interfaces {
            let Some(values) = match_path(it, path) else { continue };
            if it.method.as_str() == method {
                return Ok(Route { interface: it, path: values });
            }
            path_matched = true;
        }
        Err(if path_matched {
            Refusal { status: 405, retcode: "000-002", rule: format!("{method} is not a method of {path}") }
        } else {
            Refusal { status: 404, retcode: "000-002", rule: format!("no interface at {path}") }
        })
    }

    /// Checks the parameters of a routed request: query (`name=value` pairs,
    /// decoded), headers (by lower-case name) and JSON body.
    ///
    /// Returns the request's value of each parameter, by parameter index
    /// (numbers and booleans in path, query and header read as such).
    ///
    /// # Errors
    ///
    /// The first rule the request breaks.
    pub fn judge(
        &self,
        route: &Route<'_>,
        query: &[(String, String)],
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
    ) -> Result<Vec<Option<serde_json::Value>>, Refusal> {
        let it = route.interface;
        let mut values: Vec<Option<serde_json::Value>> = vec![None; it.params.len()];
        for (index, text) in &route.path {
            values[*index] = Some(text_value(&it.params[*index], text)?);
        }
        for (index, p) in it.params_at(Location::Query) {
            if let Some((_, text)) = query.iter().find(|(name, _)| *name == p.name.wire) {
                values[index] = Some(text_value(p, text)?);
            }
        }
        if let Some((name, _)) =
            query.iter().find(|(name, _)| !it.params_at(Location::Query).any(|(_, p)| p.name.wire == *name))
        {
            return Err(Refusal::invalid(format!("query parameter `{name}` is not documented")));
        }
        for (index, p) in it.params_at(Location::Header) {
            if let Some(text) = header(&p.name.wire.to_ascii_lowercase()) {
                values[index] = Some(text_value(p, &text)?);
            }
        }
        if it.has_body() {
            read_body(it, body, &mut values)?;
        }
        for (p, value) in it.params.iter().zip(&values) {
            match value {
                None if p.required => {
                    return Err(Refusal::invalid(format!(
                        "{} parameter `{}` is required",
                        p.location.as_str(),
                        p.name.wire
                    )));
                }
                None => {}
                Some(v) => {
                    if let Some(problem) = ccgen::check::value_problem(v, &p.ty, &p.constraints) {
                        return Err(Refusal::invalid(format!("`{}`: {problem}", p.name.wire)));
                    }
                }
            }
        }
        for rule in &it.rules {
            check_rule(it, rule, &values)?;
        }
        Ok(values)
    }
}

/// The path parameter values when `path` fits the interface's template. A
/// placeholder takes one whole, non-empty segment.
fn match_path(it: &Interface, path: &str) -> Option<Vec<(usize, String)>> {
    let mut rest = path;
    let mut values = Vec::new();
    for template in &it.segments {
        match template {
            Segment::Literal(literal) => rest = rest.strip_prefix(literal.as_str())?,
            Segment::Param(index) => {
                let end = rest.find('/').unwrap_or(rest.len());
                let decoded = percent_decode_str(&rest[..end]).decode_utf8().ok()?;
                if decoded.is_empty() {
                    return None;
                }
                values.push((*index, decoded.into_owned()));
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty().then_some(values)
}

/// A path, query or header value as the JSON value its type reads it as.
fn text_value(p: &Param, text: &str) -> Result<serde_json::Value, Refusal> {
    match p.ty {
        Type::Integer => int_value(p, text.parse::<i64>().ok()),
        Type::Boolean => match text {
            "true" => Ok(true.into()),
            "false" => Ok(false.into()),
            _ => Err(Refusal::invalid(format!("`{}`: \"{text}\" is not true or false", p.name.wire))),
        },
        _ => Ok(serde_json::Value::String(text.to_owned())),
    }
}

/// The vendor's `int` is 32-bit.
fn int_value(p: &Param, value: Option<i64>) -> Result<serde_json::Value, Refusal> {
    match value.and_then(|v| i32::try_from(v).ok()) {
        Some(v) => Ok(v.into()),
        None => Err(Refusal::invalid(format!("`{}`: not a 32-bit integer", p.name.wire))),
    }
}

fn read_body(it: &Interface, body: &[u8], values: &mut [Option<serde_json::Value>]) -> Result<(), Refusal> {
    let object: Map<String, serde_json::Value> =
        serde_json::from_slice(body).map_err(|e| Refusal::invalid(format!("the body is not a JSON object: {e}")))?;
    for (key, value) in object {
        let Some((index, p)) = it.params_at(Location::Body).find(|(_, p)| p.name.wire == key) else {
            return Err(Refusal::invalid(format!("body member `{key}` is not documented")));
        };
        let value = match (&p.ty, value) {
            (_, serde_json::Value::Null) => {
                return Err(Refusal::invalid(format!("`{key}`: null is not {}", p.ty.spec_name())));
            }
            (Type::Integer, serde_json::Value::Number(n)) => int_value(p, n.as_i64())?,
            (_, value) => value,
        };
        values[index] = Some(value);
    }
    Ok(())
}

/// True when the request's value of the condition's parameter equals its operand.
pub fn holds(condition: &Condition, values: &[Option<serde_json::Value>]) -> bool {
    values[condition.param].as_ref().is_some_and(|v| equals(v, &condition.equals))
}

fn equals(json: &serde_json::Value, value: &Value) -> bool {
    match (json, value) {
        (serde_json::Value::Number(n), Value::Int(i)) => n.as_i64() == Some(*i),
        (serde_json::Value::String(s), Value::Str(t)) => s == t,
        (serde_json::Value::Bool(b), Value::Bool(c)) => b == c,
        _ => false,
    }
}

fn check_rule(it: &Interface, rule: &Rule, values: &[Option<serde_json::Value>]) -> Result<(), Refusal> {
    let name = |index: usize| &it.params[index].name.wire;
    let when = |c: &Condition| format!("{} is {}", name(c.param), c.equals);
    match rule {
        Rule::OnlyWhen { param, when: c, .. } if values[*param].is_some() && !holds(c, values) => {
            Err(Refusal::invalid(format!("`{}` is allowed only when {}", name(*param), when(c))))
        }
        Rule::RequiredWhen { param, when: c, .. } if values[*param].is_none() && holds(c, values) => {
            Err(Refusal::invalid(format!("`{}` is required when {}", name(*param), when(c))))
        }
        Rule::AllowedValues { param, when: c, values: allowed, .. } if holds(c, values) => match &values[*param] {
            Some(v) if !allowed.iter().any(|a| equals(v, a)) => Err(Refusal::invalid(format!(
                "`{}` must be one of {} when {}",
                name(*param),
                allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                when(c)
            ))),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}
