//! Compares the facts of a vendor page with a checked-in spec.
//!
//! Only facts are compared: title, source page and date, method, path, log name, parameters (location, type, required,
//! the numbers and values of constraints), rules, the result kind and printed type, events and
//! error codes.
//! Wording (descriptions, names of values, quirks) is the spec author's and is ignored.

use std::collections::BTreeMap;

use crate::load::model::{ConstraintsSpec, InterfaceFile, ParamSpec, RuleSpec, Scalar};

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Str(s) => format!("\"{s}\""),
    }
}

fn constraints(c: &ConstraintsSpec) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    if let Some(r) = &c.range {
        out.insert("range", format!("{}..={}", r.min, r.max));
    }
    if let Some(l) = &c.chars {
        out.insert("chars", format!("{}..={}", l.min.unwrap_or(0), l.max));
    }
    if let Some(l) = &c.bytes {
        out.insert("bytes", format!("{}..={}", l.min.unwrap_or(0), l.max));
    }
    if let Some(p) = &c.pattern {
        out.insert("pattern", p.regex.clone());
    }
    if let Some(v) = &c.values {
        let mut vals: Vec<String> = v.iter().map(|v| scalar(&v.value)).collect();
        vals.sort();
        out.insert("values", format!("[{}]", vals.join(", ")));
    }
    if c.supported_only {
        out.insert("supported_only", "true".to_owned());
    }
    out
}

fn params(doc: &InterfaceFile) -> BTreeMap<String, (&'static str, &ParamSpec)> {
    let p = &doc.parameters;
    let mut out = BTreeMap::new();
    for (loc, list) in [("path", &p.path), ("query", &p.query), ("header", &p.header), ("body", &p.body)] {
        for param in list {
            out.insert(param.name.clone(), (loc, param));
        }
    }
    out
}

fn rule_key(r: &RuleSpec) -> String {
    let mut s = format!("{} {} when {} = {}", r.kind, r.param, r.when.param, scalar(&r.when.equals));
    if let Some(v) = &r.values {
        let mut vals: Vec<String> = v.iter().map(scalar).collect();
        vals.sort();
        s.push_str(&format!(" values [{}]", vals.join(", ")));
    }
    s
}

fn list_diff(what: &str, page: &[String], spec: &[String], out: &mut Vec<String>) {
    for x in page.iter().filter(|x| !spec.contains(x)) {
        out.push(format!("{what} {x}: on the page, not in the spec"));
    }
    for x in spec.iter().filter(|x| !page.contains(x)) {
        out.push(format!("{what} {x}: in the spec, not on the page"));
    }
    let common_page: Vec<&String> = page.iter().filter(|x| spec.contains(x)).collect();
    let common_spec: Vec<&String> = spec.iter().filter(|x| page.contains(x)).collect();
    if common_page != common_spec {
        out.push(format!("{what}s: the spec lists them in another order than the page"));
    }
}

/// Differences in facts between the page's draft and the spec; empty when they agree.
pub fn compare(page: &InterfaceFile, spec: &InterfaceFile) -> Vec<String> {
    let mut out = Vec::new();
    let mut same = |what: &str, a: &str, b: &str| {
        if a != b {
            out.push(format!("{what}: page says {a:?}, spec says {b:?}"));
        }
    };
    same("title", &page.title, &spec.title);
    let source = |d: &InterfaceFile| {
        d.source.as_ref().map(|s| (s.page.clone(), s.updated.clone().unwrap_or_default())).unwrap_or_default()
    };
    let (pp_page, pp_updated) = source(page);
    let (sp_page, sp_updated) = source(spec);
    same("source page", &pp_page, &sp_page);
    same("source updated", &pp_updated, &sp_updated);
    same("method", &page.method, &spec.method);
    same("path", &page.path, &spec.path);
    let log_name = |d: &InterfaceFile| d.log_name.clone().unwrap_or_default();
    same("log_name", &log_name(page), &log_name(spec));
    same("result kind", &page.response.result.kind, &spec.response.result.kind);
    let vendor = |d: &InterfaceFile| d.response.result.vendor_type.clone().unwrap_or_default();
    same("result vendor_type", &vendor(page), &vendor(spec));

    if let (Some(pf), Some(sf)) = (&page.response.result.fields, &spec.response.result.fields) {
        let shape = |fields: &Vec<crate::load::model::FieldSpec>| -> Vec<String> {
            fields.iter().map(|f| format!("{}: {}{}", f.name, f.ty, items(&f.items))).collect()
        };
        let (a, b) = (shape(pf), shape(sf));
        for x in a.iter().filter(|x| !b.contains(x)) {
            out.push(format!("result field {x}: on the page, not in the spec"));
        }
        for x in b.iter().filter(|x| !a.contains(x)) {
            out.push(format!("result field {x}: in the spec, not on the page"));
        }
    }
    let pp = params(page);
    let sp = params(spec);
    for (name, (loc, p)) in &pp {
        let Some((sloc, s)) = sp.get(name) else {
            out.push(format!("parameter {name} ({loc}): on the page, not in the spec"));
            continue;
        };
        if loc != sloc {
            out.push(format!("parameter {name}: page puts it in {loc}, spec in {sloc}"));
        }
        if p.ty != s.ty || p.items != s.items {
            out.push(format!(
                "parameter {name}: page type {}{}, spec type {}{}",
                p.ty,
                items(&p.items),
                s.ty,
                items(&s.items)
            ));
        }
        if p.required != s.required {
            out.push(format!("parameter {name}: page says required = {}, spec says {}", p.required, s.required));
        }
        if p.default != s.default {
            out.push(format!(
                "parameter {name}: page default {:?}, spec default {:?}",
                p.default.as_ref().map(scalar),
                s.default.as_ref().map(scalar)
            ));
        }
        if p.role != s.role {
            out.push(format!("parameter {name}: page role {:?}, spec role {:?}", p.role, s.role));
        }
        let (pc, sc) = (constraints(&p.constraints), constraints(&s.constraints));
        for key in pc.keys().chain(sc.keys()).collect::<std::collections::BTreeSet<_>>() {
            match (pc.get(key), sc.get(key)) {
                (Some(a), Some(b)) if a != b => {
                    out.push(format!("parameter {name}: {key} is {a} on the page, {b} in the spec"))
                }
                (Some(a), None) => out.push(format!("parameter {name}: {key} {a} on the page, not in the spec")),
                (None, Some(b)) => out.push(format!("parameter {name}: {key} {b} in the spec, not on the page")),
                _ => {}
            }
        }
    }
    for (name, (loc, _)) in &sp {
        if !pp.contains_key(name) {
            out.push(format!("parameter {name} ({loc}): in the spec, not on the page"));
        }
    }

    let mut pr: Vec<String> = page.rules.iter().map(rule_key).collect();
    let mut sr: Vec<String> = spec.rules.iter().map(rule_key).collect();
    pr.sort();
    sr.sort();
    for r in pr.iter().filter(|r| !sr.contains(r)) {
        out.push(format!("rule {r}: on the page, not in the spec"));
    }
    for r in sr.iter().filter(|r| !pr.contains(r)) {
        out.push(format!("rule {r}: in the spec, not on the page"));
    }

    let pe: Vec<String> = page.events.iter().map(|e| e.event().to_owned()).collect();
    let se: Vec<String> = spec.events.iter().map(|e| e.event().to_owned()).collect();
    list_diff("event", &pe, &se, &mut out);
    list_diff("error code", &page.errors, &spec.errors, &mut out);
    out
}

fn items(i: &Option<String>) -> String {
    i.as_ref().map(|i| format!(" of {i}")).unwrap_or_default()
}
