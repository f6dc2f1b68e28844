//! Which page line a fact of a merged spec came from.
//!
//! `--update` checks the spec it merged before writing it; when that fails, the diagnostics
//! point at lines of a spec that exists only in memory. The reader can act on the page, so each
//! diagnostic is also placed at the page line of the fact it concerns. Facts are matched by
//! name (a parameter, an event, an error code, a rule's parameter), not by position: the merged
//! spec keeps the curated order and items the page never had.

use crate::load::document::{self, Mapping, Value};
use crate::load::positions::{NodePath, PositionIndex};

use super::Imported;
use super::draft::Draft;

const LOCATIONS: [&str; 4] = ["path", "query", "header", "body"];

/// The page line of the fact at `spec_line` of `spec_yaml`, a spec merged from the page;
/// `None` when that line holds nothing the page stated (curated text, or an unknown line).
pub fn page_line(imported: &Imported, spec_yaml: &str, spec_line: usize) -> Option<usize> {
    let Ok(Value::Mapping(doc)) = document::parse(spec_yaml) else { return None };
    let index = PositionIndex::build(spec_yaml).ok()?;
    origins(&imported.draft, &doc, &index)
        .into_iter()
        .filter(|(at, _)| *at <= spec_line)
        .max_by_key(|(at, _)| *at)
        .map(|(_, page)| page)
        .filter(|l| *l > 0)
}

/// (spec line where an item starts, page line it came from or 0) for every item of `doc`.
fn origins(d: &Draft, doc: &Mapping, index: &PositionIndex) -> Vec<(usize, usize)> {
    let root = NodePath::root();
    let mut out = Vec::new();
    for key in super::update::KEY_ORDER {
        if let Some(at) = index.exact_key(&root.key(key)) {
            out.push((at.line, d.lines.get(key).copied().unwrap_or(0)));
        }
    }
    let mut item = |path: NodePath, page: Option<usize>| {
        if let Some(at) = index.exact(&path) {
            out.push((at.line, page.unwrap_or(0)));
        }
    };
    let params = get(doc, "parameters").and_then(Value::as_mapping);
    for loc in LOCATIONS {
        for (i, p) in seq(params.and_then(|m| get(m, loc))).iter().enumerate() {
            let name = member(p, "name");
            let page = d.parameters.all().find(|q| Some(q.name.as_str()) == name).map(|q| q.line);
            item(root.key("parameters").key(loc).index(i), page);
        }
    }
    for (i, e) in seq(get(doc, "events")).iter().enumerate() {
        let name = e.as_str().or_else(|| member(e, "event"));
        let page = d.events.iter().position(|x| Some(x.as_str()) == name).and_then(|at| d.event_lines.get(at));
        item(root.key("events").index(i), page.copied());
    }
    for (i, e) in seq(get(doc, "errors")).iter().enumerate() {
        let page = d.errors.iter().position(|x| Some(x.as_str()) == e.as_str()).and_then(|at| d.error_lines.get(at));
        item(root.key("errors").index(i), page.copied());
    }
    for (i, r) in seq(get(doc, "rules")).iter().enumerate() {
        let (kind, param) = (member(r, "kind"), member(r, "param"));
        let page = d.rules.iter().find(|x| Some(x.kind.as_str()) == kind && Some(x.param.as_str()) == param);
        item(root.key("rules").index(i), page.map(|x| x.line));
    }
    out
}

fn get<'a>(m: &'a Mapping, k: &str) -> Option<&'a Value> {
    m.get(Value::String(k.to_owned()))
}

fn seq(v: Option<&Value>) -> Vec<Value> {
    v.and_then(Value::as_sequence).cloned().unwrap_or_default()
}

fn member<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.as_mapping().and_then(|m| get(m, k)).and_then(Value::as_str)
}
