//! A benchmark fixture: the gateway's endpoint catalogue (one line per
//! operation, `METHOD /path ?query [JSON]`) turned into a spec tree, any
//! number of times over, so that generation can be timed at the real API's
//! size and at several times that.
//!
//! The interfaces are synthetic (no vendor wording): each has the catalogue's
//! method, path, path parameters (with their constraints where the catalogue
//! gives one), query parameters and, for `[JSON]`, a small body. The shared
//! files (`api.yaml`, `errors.yaml`, `events.yaml`) come from a real spec tree.

use std::fmt;
use std::path::Path;

use serde_json::{Value, json};

/// Why a fixture could not be made.
#[derive(Debug)]
pub struct FixtureError(String);

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FixtureError {}

/// A path parameter's name and the catalogue's rule for it, if any.
pub type PathParam = (String, Option<String>);

/// One catalogue line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: String,
    /// The path with every `{name:rule}` written as `{name}`.
    pub path: String,
    /// Path parameters with the catalogue's rule, if any.
    pub path_params: Vec<PathParam>,
    pub query: Vec<String>,
    pub json_body: bool,
}

/// Reads the catalogue: every line starting with an HTTP method; comments
/// and notes are skipped. A method line that cannot be read is an error
/// naming its line, not a smaller fixture.
pub fn parse_catalogue(text: &str) -> Result<Vec<Endpoint>, FixtureError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some((method, rest)) = line.split_once(' ') else { continue };
        if !["GET", "POST", "PUT", "DELETE"].contains(&method) {
            continue;
        }
        let bad = |why: &str| FixtureError(format!("catalogue line {}: {why}: {line}", n + 1));
        let rest = rest.trim_start();
        let end = path_end(rest).ok_or_else(|| bad("unbalanced braces"))?;
        let (raw_path, tail) = rest.split_at(end);
        let (path, path_params) = split_path(raw_path).ok_or_else(|| bad("unreadable path"))?;
        let query = tail
            .split_whitespace()
            .find_map(|w| w.strip_prefix('?'))
            .map(|q| q.split('&').filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        out.push(Endpoint { method: method.into(), path, path_params, query, json_body: tail.contains("[JSON") });
    }
    Ok(out)
}

/// Byte index where the path ends: the first space outside braces.
fn path_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.checked_sub(1)?,
            ' ' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    (depth == 0).then_some(s.len())
}

/// `/a/{x:rule}/b` into `/a/{x}/b` and `[(x, Some(rule))]`.
fn split_path(raw: &str) -> Option<(String, Vec<PathParam>)> {
    let mut path = String::new();
    let mut params = Vec::new();
    for segment in raw.split('/').skip(1) {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(inner) => {
                let (name, rule) = match inner.split_once(':') {
                    Some((name, rule)) => (name.trim(), Some(rule.trim().to_owned())),
                    None => (inner.trim(), None),
                };
                path.push_str(&format!("{{{name}}}"));
                params.push((name.to_owned(), rule));
            }
            None if segment.contains(['{', '}']) => return None,
            None => path.push_str(segment),
        }
    }
    Some((path, params))
}

/// Writes the fixture: the shared files of `base_spec`, then every endpoint
/// `copies` times (copy `k > 1` lives under resources suffixed `_c{k}`).
/// Returns the number of interfaces written.
pub fn write_tree(catalogue: &str, base_spec: &Path, copies: usize, out: &Path) -> Result<usize, FixtureError> {
    let io = |what: &Path, e: std::io::Error| FixtureError(format!("{}: {e}", what.display()));
    let endpoints = parse_catalogue(catalogue)?;
    if endpoints.is_empty() {
        return Err(FixtureError("the catalogue lists no endpoint".into()));
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    for shared in ["errors.yaml", "events.yaml"] {
        std::fs::copy(base_spec.join(shared), out.join(shared)).map_err(|e| io(&base_spec.join(shared), e))?;
    }
    let api = std::fs::read_to_string(base_spec.join("api.yaml")).map_err(|e| io(&base_spec.join("api.yaml"), e))?;
    std::fs::write(out.join("api.yaml"), api_without_sign_in(&api)).map_err(|e| io(out, e))?;
    let mut count = 0;
    for copy in 1..=copies {
        let mut taken = std::collections::BTreeSet::new();
        for endpoint in &endpoints {
            let (resource, module) = names(endpoint, copy, &mut taken);
            let file = out.join(&resource).join(format!("{module}.yaml"));
            std::fs::create_dir_all(file.parent().unwrap_or(out)).map_err(|e| io(&file, e))?;
            let text = serde_json::to_string_pretty(&interface(endpoint, &resource, &module, copy))
                .map_err(|e| FixtureError(e.to_string()))?;
            std::fs::write(&file, text + "\n").map_err(|e| io(&file, e))?;
            count += 1;
        }
    }
    Ok(count)
}

/// `api.yaml` without `auth.not_sent_by`, for a spec tree that has none of
/// the operations it names (the fixture, or a tree filled by `import`).
/// Every other byte is kept.
pub fn api_without_sign_in(api: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in api.split_inclusive('\n') {
        if line.trim_start().starts_with("not_sent_by:") {
            skipping = true;
            continue;
        }
        if skipping && line.trim_start().starts_with("- ") {
            continue;
        }
        skipping = false;
        out.push_str(line);
    }
    out
}

/// Resource folder and module file stem of an endpoint, unique within a copy.
fn names(
    endpoint: &Endpoint,
    copy: usize,
    taken: &mut std::collections::BTreeSet<(String, String)>,
) -> (String, String) {
    let mut literals = endpoint.path.split('/').filter(|s| !s.is_empty() && !s.starts_with('{')).map(snake);
    let base = literals.next().unwrap_or_else(|| "root".into());
    let resource = if copy == 1 { base } else { format!("{base}_c{copy}") };
    let rest: Vec<String> = literals.collect();
    let stem = if rest.is_empty() { endpoint.method.to_lowercase() } else { rest.join("_") };
    let mut module = stem.clone();
    let mut n = 1;
    while !taken.insert((resource.clone(), module.clone())) {
        n += 1;
        module =
            format!("{stem}_{}{}", endpoint.method.to_lowercase(), if n > 2 { n.to_string() } else { String::new() });
    }
    (resource, module)
}

fn snake(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// The interface spec of one endpoint, as JSON (which YAML reads as it is).
fn interface(endpoint: &Endpoint, resource: &str, module: &str, copy: usize) -> Value {
    let mut path = endpoint.path.clone();
    if copy > 1 {
        let first = path.split('/').nth(1).unwrap_or_default().to_owned();
        path = path.replacen(&format!("/{first}"), &format!("/{first}_c{copy}"), 1);
    }
    let path_params: Vec<Value> = endpoint.path_params.iter().map(|(n, rule)| path_param(n, rule.as_deref())).collect();
    let query: Vec<Value> = endpoint
        .query
        .iter()
        .map(|q| json!({ "name": q, "type": "string", "required": false, "description": format!("The `{q}` query value.") }))
        .collect();
    let mut parameters = json!({ "path": path_params });
    if !query.is_empty() {
        parameters["query"] = json!(query);
    }
    if endpoint.json_body {
        parameters["body"] = json!([
            { "name": "callappdata", "type": "string", "required": false, "description": "Data attached to the request.",
              "constraints": { "bytes": { "max": 16384 } } },
            { "name": "skillid", "type": "integer", "required": false, "description": "Skill to use." }
        ]);
    }
    let result = if endpoint.method == "GET" {
        json!({ "kind": "object", "description": "What was asked for.", "fields": [
            { "name": "count", "type": "integer", "description": "How many there are." },
            { "name": "name", "type": "string", "description": "What it is called." }
        ]})
    } else {
        json!({ "kind": "none", "description": "Only retcode and message." })
    };
    json!({
        "operation": format!("{resource}_{module}"),
        "title": format!("{} {}", endpoint.method, endpoint.path),
        "log_name": module,
        "summary": format!("Benchmark interface for {} {}.", endpoint.method, endpoint.path),
        "method": endpoint.method,
        "path": path,
        "parameters": parameters,
        "response": { "result": result },
        "errors": ["100-006"],
    })
}

/// A path parameter; `agentid` is the session's agent, others take the
/// catalogue's rule as a range, allowed values or a pattern.
fn path_param(name: &str, rule: Option<&str>) -> Value {
    let mut param = json!({ "name": name, "type": "string", "required": true,
        "description": format!("The `{name}` path value.") });
    if name == "agentid" {
        param["role"] = json!("agent_id");
        param["constraints"] = json!({ "range": { "min": 1, "max": 59999 } });
        return param;
    }
    let Some(rule) = rule else { return param };
    let range = rule.strip_suffix("regex").map(str::trim).and_then(|r| r.split_once(".."));
    if let Some((Ok(min), Ok(max))) = range.map(|(a, b)| (a.trim().parse::<i64>(), b.trim().parse::<i64>())) {
        param["constraints"] = json!({ "range": { "min": min, "max": max } });
    } else if regex_lite::Regex::new(&format!("^(?:{rule})$")).is_ok() {
        param["constraints"] =
            json!({ "pattern": { "regex": format!("^(?:{rule})$"), "description": format!("matches {rule}") } });
    }
    param
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_rules_queries_and_bodies() {
        let text = "# comment\nGET /calldata/{agentid}/ivrcallcount/{ivrid:[1-9]\\d*} ?a&b\n  (note)\n\
                    PUT /voicecall/{agentid}/callout [JSON]\nPOST /x/{agentid}/r/{callid:.{1,}}/{t:0|1}\n";
        let e = parse_catalogue(text).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].path, "/calldata/{agentid}/ivrcallcount/{ivrid}");
        assert_eq!(e[0].path_params[1], ("ivrid".into(), Some("[1-9]\\d*".into())));
        assert_eq!(e[0].query, ["a", "b"]);
        assert!(e[1].json_body && !e[0].json_body);
        assert_eq!(e[2].path, "/x/{agentid}/r/{callid}/{t}");
        assert_eq!(e[2].path_params[1].1.as_deref(), Some(".{1,}"));
    }

    #[test]
    fn an_unreadable_method_line_is_refused_with_its_line() {
        let e = parse_catalogue("GET /a/{b\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn ranges_values_and_patterns_become_constraints() {
        assert_eq!(path_param("reason", Some("1..255 regex"))["constraints"]["range"]["max"], 255);
        assert_eq!(path_param("t", Some("0|1"))["constraints"]["pattern"]["regex"], "^(?:0|1)$");
        assert!(path_param("x", None).get("constraints").is_none());
    }
}
