//! `ccgen export openapi`, read back with maintained OpenAPI crates (oas3
//! for 3.1, openapiv3 for 3.0) and checked against the IR it came from.

use std::path::Path;

use ccgen::export::{Version, openapi};
use ccgen::ir::{Api, Interface, Location, Param, Type};
use oas3::spec::{ObjectOrReference, ObjectSchema, Operation, ParameterIn, Schema};
use serde_json::json;

fn api() -> Api {
    ccgen::pipeline::validate(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")).expect("valid specs")
}

fn inline<T>(o: &ObjectOrReference<T>) -> &T {
    match o {
        ObjectOrReference::Object(t) => t,
        ObjectOrReference::Ref { ref_path, .. } => panic!("unexpected reference {ref_path}"),
    }
}

fn object(s: &Schema) -> &ObjectSchema {
    match s {
        Schema::Object(o) => inline(o),
        Schema::Boolean(_) => panic!("boolean schema"),
    }
}

fn operation<'a>(doc: &'a oas3::OpenApiV3Spec, it: &Interface) -> &'a Operation {
    let item = &doc.paths.as_ref().expect("paths")[&it.path];
    let op = match it.method {
        ccgen::ir::Method::Get => &item.get,
        ccgen::ir::Method::Post => &item.post,
        ccgen::ir::Method::Put => &item.put,
        ccgen::ir::Method::Delete => &item.delete,
    };
    op.as_ref().unwrap_or_else(|| panic!("{} {} missing", it.method.as_str(), it.path))
}

/// What the checks below saw, so that none of them passes vacuously.
#[derive(Default)]
struct Seen {
    ranges: usize,
    lengths: usize,
    patterns: usize,
    enums: usize,
    secrets: usize,
}

/// The constraints of `p` as the schema states them.
fn check_schema(p: &Param, s: &ObjectSchema, seen: &mut Seen) {
    let c = &p.constraints;
    let what = &p.name.wire;
    match (c.range, &p.ty) {
        (Some((min, max)), Type::Integer) => {
            assert_eq!(s.minimum.as_ref().and_then(|n| n.as_i64()), Some(min), "{what}");
            assert_eq!(s.maximum.as_ref().and_then(|n| n.as_i64()), Some(max), "{what}");
            seen.ranges += 1;
        }
        (Some((min, max)), _) => {
            assert_eq!(s.extensions["integer-range"], json!({ "minimum": min, "maximum": max }), "{what}");
            seen.ranges += 1;
        }
        (None, _) => assert!(s.minimum.is_none() && s.maximum.is_none(), "{what}"),
    }
    assert_eq!(c.chars.map(|(lo, _)| lo), s.min_length, "{what}");
    assert_eq!(c.chars.map(|(_, hi)| hi), s.max_length, "{what}");
    seen.lengths += usize::from(c.chars.is_some());
    assert_eq!(c.pattern.as_ref().map(|p| &p.regex), s.pattern.as_ref(), "{what}");
    seen.patterns += usize::from(c.pattern.is_some());
    let values: Vec<serde_json::Value> = c.values.iter().map(|v| json!(v.value)).collect();
    assert_eq!(s.enum_values, values, "{what}");
    seen.enums += usize::from(!values.is_empty());
    if p.secret {
        assert_eq!(s.format.as_deref(), Some("password"), "{what}");
        assert_eq!(s.extensions.get("secret"), Some(&json!(true)), "{what}");
        seen.secrets += 1;
    } else {
        assert_ne!(s.format.as_deref(), Some("password"), "{what}");
    }
}

fn check_operation(api: &Api, it: &Interface, op: &Operation, seen: &mut Seen) {
    assert_eq!(op.operation_id.as_deref(), Some(it.operation.wire.as_str()));
    let outside_body: Vec<&Param> = it.params.iter().filter(|p| p.location != Location::Body).collect();
    assert_eq!(op.parameters.len(), outside_body.len(), "{}", it.operation.wire);
    for p in outside_body {
        let found = op.parameters.iter().map(inline).find(|q| q.name == p.name.wire).expect("parameter");
        let location = match found.location {
            ParameterIn::Path => Location::Path,
            ParameterIn::Query => Location::Query,
            ParameterIn::Header => Location::Header,
            ParameterIn::Cookie => panic!("cookie parameter"),
        };
        assert_eq!(location, p.location, "{}", p.name.wire);
        assert_eq!(found.required, Some(p.required || p.location == Location::Path), "{}", p.name.wire);
        check_schema(p, object(found.schema.as_ref().expect("schema")), seen);
    }
    let body: Vec<&Param> = it.params_at(Location::Body).map(|(_, p)| p).collect();
    match &op.request_body {
        None => assert!(body.is_empty(), "{}: body lost", it.operation.wire),
        Some(rb) => {
            let schema = object(inline(rb).content["application/json"].schema.as_ref().expect("body schema"));
            assert_eq!(schema.properties.len(), body.len(), "{}", it.operation.wire);
            for p in body {
                check_schema(p, object(&schema.properties[&p.name.wire]), seen);
                assert_eq!(schema.required.contains(&p.name.wire), p.required, "{}", p.name.wire);
            }
        }
    }
    let ok = inline(&op.responses.as_ref().expect("responses")["200"]);
    let envelope = object(ok.content["application/json"].schema.as_ref().expect("envelope"));
    let e = &api.settings.envelope;
    assert!(envelope.properties.contains_key(&e.retcode) && envelope.properties.contains_key(&e.message));
    let answers = !matches!(it.result, ccgen::ir::ResultShape::None { .. });
    assert_eq!(envelope.properties.contains_key(&it.result_member), answers, "{}", it.operation.wire);
    assert_eq!(op.extensions["retcodes"], json!(it.errors), "{}", it.operation.wire);
    for code in &it.errors {
        assert!(ok.description.as_deref().unwrap_or_default().contains(&format!("`{code}`")), "{code}");
    }
    let events: Vec<&str> =
        op.extensions["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, it.events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>());
    assert_eq!(op.security.is_empty(), !it.sends_guid, "{}", it.operation.wire);
}

#[test]
fn openapi_3_1_reads_back_as_the_ir() {
    let api = api();
    let doc = oas3::from_json(openapi(&api, Version::V3_1)).expect("a valid OpenAPI 3.1 document");
    assert_eq!(doc.openapi, "3.1.0");
    let mut seen = Seen::default();
    for it in &api.interfaces {
        check_operation(&api, it, operation(&doc, it), &mut seen);
    }
    let count: usize = doc.paths.as_ref().unwrap().values().map(|i| i.methods().into_iter().count()).sum();
    assert_eq!(count, api.interfaces.len(), "one operation per interface, no more");
    assert_eq!(doc.extensions["error-codes"].as_array().unwrap().len(), api.errors.len());
    assert_eq!(doc.extensions["events"].as_array().unwrap().len(), api.events.len());
    for (what, n) in [("ranges", seen.ranges), ("lengths", seen.lengths), ("patterns", seen.patterns)] {
        assert!(n > 0, "no {what} checked");
    }
    assert!(seen.enums > 0 && seen.secrets > 0, "enums {} secrets {}", seen.enums, seen.secrets);
}

#[test]
fn openapi_3_0_reads_back_with_openapiv3_as_progenitor_does() {
    let api = api();
    let text = openapi(&api, Version::V3_0);
    let doc: openapiv3::OpenAPI = serde_json::from_str(&text).expect("a valid OpenAPI 3.0 document");
    assert_eq!(doc.openapi, "3.0.3");
    let mut ids: Vec<&str> = doc.operations().filter_map(|(_, _, op)| op.operation_id.as_deref()).collect();
    ids.sort_unstable();
    let mut want: Vec<&str> = api.interfaces.iter().map(|i| i.operation.wire.as_str()).collect();
    want.sort_unstable();
    assert_eq!(ids, want);
    for (path, method, op) in doc.operations() {
        let it = api.interfaces.iter().find(|i| i.path == path && i.method.as_str().eq_ignore_ascii_case(method));
        let it = it.expect("an interface for every operation");
        let names: Vec<&str> =
            op.parameters.iter().map(|p| p.as_item().unwrap().parameter_data_ref().name.as_str()).collect();
        let want: Vec<&str> =
            it.params.iter().filter(|p| p.location != Location::Body).map(|p| p.name.wire.as_str()).collect();
        assert_eq!(names, want, "{path}");
    }
    // 3.0 has no `null` type: the polled event is `nullable`.
    assert!(text.contains("\"nullable\": true") && !text.contains("\"type\": \"null\""));
}

#[test]
fn openapi_export_is_pinned() {
    insta::assert_snapshot!(openapi(&api(), Version::V3_1));
}
