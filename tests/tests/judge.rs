//! The fake gateway's judge, table-driven over every interface in `spec/`:
//! a request built from the IR to satisfy every rule is accepted, and each
//! generated breach of one rule (per constraint kind, JSON type, presence and
//! cross-field rule) is refused with `000-002`, naming the parameter.

use std::path::Path;

use agentgateway_e2e::judge::{Judge, Refusal};
use ccgen::ir::{Interface, Location, Param, Rule, Segment, Type, Value};
use serde_json::{Map, json};

fn judge() -> Judge {
    Judge::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")).expect("the specs validate")
}

/// A request as the judge sees it.
#[derive(Clone, Debug)]
struct Req {
    values: Vec<Option<serde_json::Value>>,
    extra_body: Option<(String, serde_json::Value)>,
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
    Req { values, extra_body: None }
}

fn send(judge: &Judge, it: &Interface, req: &Req) -> Result<(), Refusal> {
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
            .filter_map(|(i, p)| req.values[i].as_ref().map(|v| (p.name.wire.clone(), v.clone())))
            .collect::<Vec<_>>()
    };
    let query: Vec<(String, String)> = at(Location::Query).into_iter().map(|(k, v)| (k, text(&v))).collect();
    let headers = at(Location::Header);
    let mut body: Map<String, serde_json::Value> = at(Location::Body).into_iter().collect();
    if let Some((k, v)) = &req.extra_body {
        body.insert(k.clone(), v.clone());
    }
    let route = judge.route(it.method.as_str(), &path)?;
    assert!(std::ptr::eq(route.interface, it), "{path} routed to {}", route.interface.operation.wire);
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| text(v));
    judge.judge(&route, &query, header, serde_json::to_string(&body).expect("JSON").as_bytes()).map(drop)
}

/// Breaches of one rule each, with the parameter the refusal must name.
fn breaches(it: &Interface, base: &Req) -> Vec<(String, Req)> {
    let mut out = Vec::new();
    let with = |i: usize, v: serde_json::Value| {
        let mut r = base.clone();
        r.values[i] = Some(v);
        r
    };
    for (i, p) in it.params.iter().enumerate() {
        let name = p.name.wire.clone();
        let c = &p.constraints;
        if p.required && p.location != Location::Path {
            let mut r = base.clone();
            r.values[i] = None;
            out.push((format!("{name}: missing"), r));
        }
        if let Some((min, max)) = c.range {
            let as_ty = |n: i64| if p.ty == Type::String { json!(n.to_string()) } else { json!(n) };
            if min > i64::from(i32::MIN) {
                out.push((format!("{name}: below range"), with(i, as_ty(min - 1))));
            }
            if max < i64::from(i32::MAX) {
                out.push((format!("{name}: above range"), with(i, as_ty(max + 1))));
            }
        }
        if let Some((_, max)) = c.chars {
            out.push((format!("{name}: too many characters"), with(i, json!("é".repeat(max as usize + 1)))));
        }
        if let Some((_, max)) = c.bytes {
            out.push((format!("{name}: too many bytes"), with(i, json!("é".repeat(max as usize / 2 + 1)))));
        }
        if let Some(pattern) = &c.pattern {
            let only = ccgen::ir::Constraints { pattern: Some(pattern.clone()), ..Default::default() };
            let breach = [" ", "\u{7}~", "#!", "", "a"]
                .map(|s| json!(s))
                .into_iter()
                .find(|v| ccgen::check::value_problem(v, &Type::String, &only).is_some());
            if let Some(breach) = breach {
                out.push((format!("{name}: pattern"), with(i, breach)));
            }
        }
        if !c.values.is_empty() {
            let odd = if p.ty == Type::Integer { json!(987_654) } else { json!("no-such-value") };
            out.push((format!("{name}: not an allowed value"), with(i, odd)));
        }
        if p.ty == Type::Integer && p.location == Location::Body {
            out.push((format!("{name}: an int sent as a string"), with(i, json!("1"))));
            out.push((format!("{name}: wider than 32 bits"), with(i, json!(1_i64 << 31))));
        }
        if p.location == Location::Body && !p.secret {
            out.push((format!("{name}: null"), with(i, serde_json::Value::Null)));
        }
    }
    if it.has_body() {
        let mut r = base.clone();
        r.extra_body = Some(("undocumentedMember".into(), json!(1)));
        out.push(("undocumentedMember: unknown body member".into(), r));
    }
    for rule in &it.rules {
        if let Rule::OnlyWhen { param, when, .. } = rule {
            let cond = &it.params[when.param];
            let other = cond.constraints.values.iter().map(|v| to_json(&v.value)).find(|v| *v != to_json(&when.equals));
            if let Some(other) = other {
                let mut r = base.clone();
                r.values[when.param] = Some(other);
                r.values[*param] = Some(valid(&it.params[*param]));
                out.push((format!("{}: only when", it.params[*param].name.wire), r));
            }
        }
    }
    out
}

#[test]
fn every_interface_accepts_a_valid_request_and_refuses_each_breach() {
    let judge = judge();
    let mut cases = 0;
    for it in &judge.api().interfaces {
        let base = base(it);
        if let Err(refusal) = send(&judge, it, &base) {
            panic!("{}: a valid request was refused: {refusal:?}", it.operation.wire);
        }
        for (what, req) in breaches(it, &base) {
            let refusal =
                send(&judge, it, &req).err().unwrap_or_else(|| panic!("{}: {what}: accepted", it.operation.wire));
            assert_eq!(refusal.retcode, "000-002", "{}: {what}", it.operation.wire);
            let param = what.split(':').next().unwrap_or_default();
            assert!(refusal.rule.contains(param), "{}: {what}: {}", it.operation.wire, refusal.rule);
            cases += 1;
        }
    }
    assert!(cases > 100, "only {cases} breaches generated");
}

#[test]
fn unknown_paths_and_wrong_methods_are_refused_by_status() {
    let judge = judge();
    let refusal = judge.route("PUT", "/voicecall/205/nosuchthing").expect_err("unknown");
    assert_eq!(refusal.status, 404);
    let refusal = judge.route("GET", "/voicecall/205/callinner").expect_err("wrong method");
    assert_eq!(refusal.status, 405);
}
