//! The fake gateway's judge, table-driven over every interface in `spec/`
//! (plus one test-only interface holding every constraint and rule kind of
//! the spec format): a request built from the IR to satisfy every rule is
//! accepted, and each generated breach of one rule (per constraint kind, JSON
//! type, 32-bit int, null, presence, unknown member or query parameter,
//! cross-field rule) is refused with `000-002`, naming the parameter; every
//! interface's path refuses other methods with 405 and longer paths with 404.
//! Then, through HTTP, every interface that needs a Guid refuses a missing or
//! stale one with the documented `000-003`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use agentgateway_e2e::fake::BASE_PATH;
use agentgateway_e2e::judge::{Judge, Refusal};
use agentgateway_e2e::{Config, FakeGateway};
use ccgen::ir::{Interface, Location, Param, Role, Rule, Segment, Type, Value};
use serde_json::{Map, json};

fn judge() -> Judge {
    Judge::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")).expect("the specs validate")
}

/// A request as the judge sees it.
#[derive(Clone, Debug)]
struct Req {
    values: Vec<Option<serde_json::Value>>,
    extra_body: Option<(String, serde_json::Value)>,
    extra_query: Option<(String, String)>,
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => json!(i),
        Value::Str(s) => json!(s),
        Value::Bool(b) => json!(b),
    }
}

/// A value that satisfies every constraint of `p`.
fn valid(judge_param: &Param) -> serde_json::Value {
    let p = judge_param;
    if let Some(v) = p.constraints.values.first() {
        return to_json(&v.value);
    }
    let candidates: Vec<serde_json::Value> = match &p.ty {
        Type::Integer => vec![json!(p.constraints.range.map_or(1, |(min, _)| min))],
        Type::Boolean => vec![json!(true)],
        Type::Map | Type::Object(_) => vec![json!({})],
        Type::List(_) => vec![json!([])],
        Type::String => {
            let mut c = Vec::new();
            if let Some((min, _)) = p.constraints.range {
                c.push(json!(min.to_string()));
            }
            c.extend(["1", "101", "a", "A1", "x.y", ""].map(|s| json!(s)));
            c
        }
    };
    candidates
        .into_iter()
        .find(|v| ccgen::check::value_problem(v, &p.ty, &p.constraints).is_none())
        .unwrap_or_else(|| panic!("no valid value for `{}`", p.name.wire))
}

fn base(it: &Interface) -> Req {
    let mut values: Vec<Option<serde_json::Value>> = it.params.iter().map(|p| p.required.then(|| valid(p))).collect();
    // Rules that hold under the chosen values ask for more.
    for rule in &it.rules {
        if let Rule::AllowedValues { param, when, values: allowed, .. } = rule
            && values[when.param].as_ref() == Some(&to_json(&when.equals))
            && values[*param].is_some()
        {
            values[*param] = allowed.first().map(to_json);
        }
    }
    Req { values, extra_body: None, extra_query: None }
}

/// A request on the wire: the path below the base path, query pairs, headers and JSON body.
struct Wire {
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: String,
}

fn wire(it: &Interface, req: &Req) -> Wire {
    let mut path = String::new();
    for s in &it.segments {
        match s {
            Segment::Literal(l) => path.push_str(l),
            Segment::Param(i) => {
                let v = req.values[*i].as_ref().map(text).unwrap_or_default();
                path.extend(percent_encoding::utf8_percent_encode(&v, percent_encoding::NON_ALPHANUMERIC));
            }
        }
    }
    let at = |loc: Location| {
        it.params_at(loc)
            .filter_map(|(i, p)| req.values[i].as_ref().map(|v| (p.name.wire.clone(), text(v))))
            .collect::<Vec<_>>()
    };
    let mut query = at(Location::Query);
    query.extend(req.extra_query.clone());
    let mut body: Map<String, serde_json::Value> = it
        .params_at(Location::Body)
        .filter_map(|(i, p)| req.values[i].as_ref().map(|v| (p.name.wire.clone(), v.clone())))
        .collect();
    if let Some((k, v)) = &req.extra_body {
        body.insert(k.clone(), v.clone());
    }
    Wire { path, query, headers: at(Location::Header), body: serde_json::to_string(&body).expect("JSON") }
}

fn send(judge: &Judge, it: &Interface, req: &Req) -> Result<(), Refusal> {
    let wire = wire(it, req);
    let route = judge.route(it.method.as_str(), &wire.path)?;
    assert!(std::ptr::eq(route.interface, it), "{} routed to {}", wire.path, route.interface.operation.wire);
    let header = |name: &str| wire.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    judge.judge(&route, &wire.query, header, wire.body.as_bytes()).map(drop)
}

/// One generated breach: the kind of rule it breaks, what it does (starting
/// with the parameter the refusal must name) and the request.
struct Breach {
    kind: &'static str,
    what: String,
    req: Req,
}

/// A value of another JSON type than `ty`.
fn other_type(ty: &Type) -> serde_json::Value {
    match ty {
        Type::Integer => json!("1"),
        Type::String => json!(1),
        Type::Boolean => json!("true"),
        Type::Map | Type::Object(_) => json!("{}"),
        Type::List(_) => json!({}),
    }
}

/// Breaches of one rule each.
fn breaches(it: &Interface, base: &Req) -> Vec<Breach> {
    let mut out = Vec::new();
    let with = |i: usize, v: serde_json::Value| {
        let mut r = base.clone();
        r.values[i] = Some(v);
        r
    };
    for (i, p) in it.params.iter().enumerate() {
        let name = &p.name.wire;
        let mut add = |kind, what: &str, req| out.push(Breach { kind, what: format!("{name}: {what}"), req });
        let c = &p.constraints;
        if p.required && p.location != Location::Path {
            let mut r = base.clone();
            r.values[i] = None;
            add("required", "missing", r);
        }
        if let Some((min, max)) = c.range {
            let as_ty = |n: i64| if p.ty == Type::String { json!(n.to_string()) } else { json!(n) };
            if min > i64::from(i32::MIN) {
                add("range", "below range", with(i, as_ty(min - 1)));
            }
            if max < i64::from(i32::MAX) {
                add("range", "above range", with(i, as_ty(max + 1)));
            }
        }
        if let Some((min, max)) = c.chars {
            // Two bytes a character: a count in bytes would get these wrong.
            add("chars", "too many characters", with(i, json!("é".repeat(max as usize + 1))));
            if min > 0 {
                add("chars", "too few characters", with(i, json!("é".repeat(min as usize - 1))));
            }
        }
        if let Some((min, max)) = c.bytes {
            add("bytes", "too many bytes", with(i, json!("é".repeat(max as usize / 2 + 1))));
            if min > 0 {
                add("bytes", "too few bytes", with(i, json!("a".repeat(min as usize - 1))));
            }
        }
        if let Some(pattern) = &c.pattern {
            let only = ccgen::ir::Constraints { pattern: Some(pattern.clone()), ..Default::default() };
            let breach = [" ", "\u{7}~", "#!", "", "a"]
                .map(|s| json!(s))
                .into_iter()
                .find(|v| ccgen::check::value_problem(v, &Type::String, &only).is_some());
            if let Some(breach) = breach {
                add("pattern", "pattern", with(i, breach));
            }
        }
        if !c.values.is_empty() {
            let odd = if p.ty == Type::Integer { json!(987_654) } else { json!("no-such-value") };
            add("values", "not an allowed value", with(i, odd));
        }
        match (p.location, &p.ty) {
            (Location::Body, ty) => add("json_type", "another JSON type", with(i, other_type(ty))),
            (_, Type::Integer) => add("json_type", "not a number", with(i, json!("12a"))),
            (_, Type::Boolean) => add("json_type", "not true or false", with(i, json!("yes"))),
            _ => {}
        }
        if p.ty == Type::Integer {
            add("int32", "wider than 32 bits", with(i, json!(1_i64 << 31)));
        }
        if p.location == Location::Body && !p.secret {
            add("null", "null", with(i, serde_json::Value::Null));
        }
    }
    if it.has_body() {
        let mut r = base.clone();
        r.extra_body = Some(("undocumentedMember".into(), json!(1)));
        out.push(Breach { kind: "unknown_field", what: "undocumentedMember: unknown body member".into(), req: r });
    }
    let mut r = base.clone();
    r.extra_query = Some(("undocumentedParam".into(), "1".into()));
    out.push(Breach { kind: "unknown_query", what: "undocumentedParam: unknown query parameter".into(), req: r });
    out.extend(it.rules.iter().filter_map(|rule| rule_breach(it, base, rule)));
    out
}

/// A request that meets the rule's condition and breaks the rule.
fn rule_breach(it: &Interface, base: &Req, rule: &Rule) -> Option<Breach> {
    let mut r = base.clone();
    let name = |i: usize| it.params[i].name.wire.clone();
    match rule {
        Rule::OnlyWhen { param, when, .. } => {
            let cond = &it.params[when.param];
            let other = cond.constraints.values.iter().map(|v| to_json(&v.value)).find(|v| *v != to_json(&when.equals));
            r.values[when.param] = Some(other?);
            r.values[*param] = Some(valid(&it.params[*param]));
            Some(Breach { kind: "only_when", what: format!("{}: only when", name(*param)), req: r })
        }
        Rule::RequiredWhen { param, when, .. } => {
            r.values[when.param] = Some(to_json(&when.equals));
            r.values[*param] = None;
            Some(Breach { kind: "required_when", what: format!("{}: required when", name(*param)), req: r })
        }
        Rule::AllowedValues { param, when, values: allowed, .. } => {
            let p = &it.params[*param];
            let allowed: Vec<_> = allowed.iter().map(to_json).collect();
            // A value the parameter itself takes, that the rule does not allow.
            let outside = p.constraints.values.iter().map(|v| to_json(&v.value)).find(|v| !allowed.contains(v));
            r.values[when.param] = Some(to_json(&when.equals));
            r.values[*param] = Some(outside?);
            Some(Breach { kind: "allowed_values", what: format!("{}: not allowed when", name(*param)), req: r })
        }
    }
}

/// The spec tree with the test-only interface holding every constraint and rule kind.
fn tree_with_every_kind() -> tempfile::TempDir {
    let tree = tempfile::tempdir().expect("temp dir");
    support::copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"), tree.path());
    std::fs::create_dir_all(tree.path().join("testkinds")).expect("mkdir");
    std::fs::write(tree.path().join("testkinds/every.yaml"), include_str!("../fixtures/every_constraint_kind.yaml"))
        .expect("write spec");
    tree
}

/// The constraint and rule kinds `spec/README.md` documents: the first cell of
/// each row of its "Constraints" and "Rules" tables (`supported_only` narrows
/// `values`, and is judged as such).
fn documented_kinds() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/README.md")).expect("README");
    let mut kinds = Vec::new();
    for section in ["### Constraints", "### Rules"] {
        let text = &readme[readme.find(section).expect(section)..];
        let table = text.lines().skip(1).skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|'));
        for row in table.skip(2) {
            let cell = row.split('`').nth(1).expect("a backticked first cell");
            let kind = cell.split(':').next().unwrap_or(cell).trim();
            if kind != "supported_only" {
                kinds.push(kind.to_owned());
            }
        }
    }
    kinds
}

#[test]
fn every_interface_accepts_a_valid_request_and_refuses_each_breach() {
    let tree = tree_with_every_kind();
    let judge = Judge::load(tree.path()).expect("the specs validate");
    let mut covered: BTreeMap<&str, usize> = BTreeMap::new();
    for it in &judge.api().interfaces {
        let base = base(it);
        if let Err(refusal) = send(&judge, it, &base) {
            panic!("{}: a valid request was refused: {refusal:?}", it.operation.wire);
        }
        for Breach { kind, what, req } in breaches(it, &base) {
            let refusal =
                send(&judge, it, &req).err().unwrap_or_else(|| panic!("{}: {what}: accepted", it.operation.wire));
            assert_eq!(refusal.retcode, "000-002", "{}: {what}", it.operation.wire);
            let param = what.split(':').next().unwrap_or_default();
            assert!(refusal.rule.contains(param), "{}: {what}: {}", it.operation.wire, refusal.rule);
            *covered.entry(kind).or_default() += 1;
        }
    }
    let shape = ["required", "json_type", "int32", "null", "unknown_field", "unknown_query"];
    for kind in documented_kinds().iter().map(String::as_str).chain(shape) {
        assert!(covered.contains_key(kind), "no breach of `{kind}` was generated: {covered:?}");
    }
    assert!(documented_kinds().len() >= 8, "the README's tables were not read: {:?}", documented_kinds());
    assert!(covered.values().sum::<usize>() > 300, "only {covered:?}");
}

#[test]
fn every_path_refuses_other_methods_with_405_and_longer_paths_with_404() {
    let judge = judge();
    let (mut wrong_methods, mut paths) = (0, 0);
    for it in &judge.api().interfaces {
        let path = wire(it, &base(it)).path;
        for method in ["GET", "POST", "PUT", "DELETE"] {
            if let Err(refusal) = judge.route(method, &path) {
                assert_eq!((refusal.status, refusal.retcode), (405, "000-002"), "{method} {path}");
                wrong_methods += 1;
            }
        }
        let refusal = judge.route(it.method.as_str(), &format!("{path}/nosuchthing")).expect_err("unknown");
        assert_eq!((refusal.status, refusal.retcode), (404, "000-002"), "{path}/nosuchthing");
        paths += 1;
    }
    assert!(wrong_methods >= 2 * paths, "{wrong_methods} wrong methods over {paths} paths");
}

/// `?a=1&b=2`, encoded, or nothing.
fn query_string(pairs: &[(String, String)]) -> String {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    if joined.is_empty() { String::new() } else { format!("?{}", joined.join("&")) }
}

#[tokio::test]
async fn every_interface_that_needs_a_guid_refuses_a_missing_or_stale_one_with_000_003() {
    let gw = FakeGateway::start_with(Config { poll_wait: Duration::from_millis(50), ..Config::default() }).await;
    gw.add_agent("205", "secret");
    let client = reqwest::Client::new();
    let login = json!({ "password": "secret", "phonenum": "40038" }).to_string();
    let url = format!("{}{BASE_PATH}/onlineagent/205", gw.url());
    let signed_in = client.put(url).body(login).send().await.expect("sign-in answered");
    assert!(signed_in.headers().contains_key("set-guid"));
    let judge = judge();
    let mut checked = 0;
    for it in judge.api().interfaces.iter().filter(|it| it.sends_guid) {
        let mut req = base(it);
        for (i, p) in it.params.iter().enumerate() {
            if p.role == Some(Role::AgentId) {
                req.values[i] = Some(json!("205"));
            }
        }
        let wire = wire(it, &req);
        for guid in [None, Some("0a0a0a0a-0000-0000-0000-000000000000.AgentGateway1")] {
            let method = reqwest::Method::from_bytes(it.method.as_str().as_bytes()).expect("method");
            let mut request = client
                .request(method, format!("{}{BASE_PATH}{}{}", gw.url(), wire.path, query_string(&wire.query)))
                .header("content-type", "application/json");
            for (name, value) in &wire.headers {
                request = request.header(name, value);
            }
            if let Some(guid) = guid {
                request = request.header("Guid", guid);
            }
            if it.has_body() {
                request = request.body(wire.body.clone());
            }
            let answer: serde_json::Value = request.send().await.expect("answered").json().await.expect("JSON");
            assert_eq!(answer["retcode"], "000-003", "{} with Guid {guid:?}: {answer}", it.operation.wire);
            checked += 1;
        }
    }
    assert!(gw.is_signed_in("205"), "no refused request ended the session");
    assert!(checked > 60, "only {checked} requests");
}
