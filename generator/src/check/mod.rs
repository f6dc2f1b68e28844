//! Stage 2, check: turn loaded specs into the [`ir`](crate::ir), or explain
//! every reason why not.
//!
//! Each file is checked in full even after an error so one run reports all
//! problems of the phase; the phase fails at its end if any were found.

mod catalogs;
mod examples;
mod interface;
mod names;
mod types;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Report, SourceFile};
use crate::ir::{Api, Envelope, Pos, Settings};
use crate::load::positions::{NodePath, PositionIndex};
use crate::load::{Loaded, LoadedSpec};

/// Why `value` (JSON) is not an acceptable value of type `ty` under
/// `constraints`, if it is not: the checker's own judgement of examples,
/// for tools that judge requests by the specs (the fake gateway).
pub fn value_problem(
    value: &serde_json::Value,
    ty: &crate::ir::Type,
    constraints: &crate::ir::Constraints,
) -> Option<String> {
    types::check_json(value, ty, constraints).err()
}

/// Checks a loaded spec tree and builds the IR.
pub fn check(spec: &LoadedSpec) -> Result<Api, Diagnostics> {
    let mut report = Report::default();
    let settings = settings(&spec.api, &mut report);
    let errors = catalogs::errors(&spec.errors, &mut report);
    let events = catalogs::events(&spec.events, &mut report);
    let mut interfaces = Vec::new();
    let catalogs = interface::Catalogs::new(&errors, &events);
    // Each interface on its own report, on every core; reports are joined
    // in file order, so the diagnostics do not depend on the scheduling.
    use rayon::prelude::*;
    let checked: Vec<(Option<crate::ir::Interface>, Report)> = spec
        .interfaces
        .par_iter()
        .map(|loaded| {
            let mut own = Report::default();
            (interface::check(loaded, &spec.api.doc, &catalogs, &mut own), own)
        })
        .collect();
    for (interface, own) in checked {
        report.append(own);
        interfaces.extend(interface);
    }
    cross_interface(spec, &interfaces, &mut report);
    interfaces.sort_by(|a, b| (&a.resource.rust, &a.module.rust).cmp(&(&b.resource.rust, &b.module.rust)));
    report.finish(Api { settings, errors, events, interfaces })
}

/// Diagnostics for one file: turns node paths into positions.
pub(crate) struct Ctx<'a> {
    file: &'a Arc<SourceFile>,
    positions: &'a PositionIndex,
    report: &'a mut Report,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new<T>(loaded: &'a Loaded<T>, report: &'a mut Report) -> Self {
        Self { file: &loaded.file, positions: &loaded.positions, report }
    }

    /// Position of the value at `path`.
    pub(crate) fn pos(&self, path: &NodePath) -> Pos {
        self.positions.value(path).map(|l| Pos { line: l.line, column: l.column }).unwrap_or_default()
    }

    /// A diagnostic pointing at the value at `path`.
    pub(crate) fn at(&self, path: &NodePath, message: impl Into<String>) -> Diagnostic {
        match self.positions.value(path) {
            Some(loc) => Diagnostic::at(self.file, loc, message),
            None => Diagnostic::new(format!("{}: {}", self.file.name, message.into())),
        }
    }

    /// A diagnostic pointing at the key that names `path`.
    pub(crate) fn at_key(&self, path: &NodePath, message: impl Into<String>) -> Diagnostic {
        match self.positions.key(path) {
            Some(loc) => Diagnostic::at(self.file, loc, message),
            None => Diagnostic::new(format!("{}: {}", self.file.name, message.into())),
        }
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.report.push(diagnostic);
    }
}

fn settings(api: &Loaded<crate::load::model::ApiFile>, report: &mut Report) -> Settings {
    let doc = &api.doc;
    let mut ctx = Ctx::new(api, report);
    let root = NodePath::root();
    if !doc.base_path.starts_with('/') || doc.base_path.ends_with('/') {
        let d = ctx.at(&root.key("base_path"), "base_path must start with `/` and not end with one").label("base path");
        ctx.push(d.help("write it like /agentgateway/resource"));
    }
    if crate::ident::snake(&doc.crate_name) != doc.crate_name {
        let d =
            ctx.at(&root.key("crate_name"), format!("crate_name `{}` is not a snake_case identifier", doc.crate_name));
        ctx.push(d.help(format!("use `{}`", crate::ident::snake(&doc.crate_name))));
    }
    for (key, value) in [("header", &doc.auth.header), ("issued_in", &doc.auth.issued_in.header)] {
        if !is_header_name(value) {
            let path = if key == "header" {
                root.key("auth").key("header")
            } else {
                root.key("auth").key("issued_in").key("header")
            };
            let d = ctx.at(&path, format!("`{value}` is not a valid HTTP header name"));
            ctx.push(d.help("header names are ASCII letters, digits and `-`, `_`"));
        }
    }
    let env = &doc.envelope;
    for (key, value) in [("message", &env.message), ("retcode", &env.retcode), ("result", &env.result)] {
        if value.trim().is_empty() {
            let d = ctx.at(&root.key("envelope").key(key), format!("envelope member name `{key}` is empty"));
            ctx.push(d);
        }
    }
    Settings {
        name: doc.name.clone(),
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        crate_name: doc.crate_name.clone(),
        base_path: doc.base_path.clone(),
        default_port: doc.default_port,
        content_type: doc.content_type.clone(),
        auth_header: doc.auth.header.clone(),
        auth_description: doc.auth.description.clone(),
        token_header: doc.auth.issued_in.header.clone(),
        token_prefix: doc.auth.issued_in.prefix.clone(),
        envelope: Envelope {
            message: env.message.clone(),
            retcode: env.retcode.clone(),
            result: env.result.clone(),
            success: env.success.clone(),
        },
        sources: doc.sources.clone(),
    }
}

pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks that need every interface at once.
fn cross_interface(spec: &LoadedSpec, interfaces: &[crate::ir::Interface], report: &mut Report) {
    let mut seen: BTreeMap<&str, &crate::ir::Interface> = BTreeMap::new();
    let mut routes: BTreeMap<(&str, Vec<Option<&str>>), &crate::ir::Interface> = BTreeMap::new();
    let by_source: BTreeMap<&str, &crate::ir::Interface> = interfaces.iter().map(|i| (i.source.as_str(), i)).collect();
    for (loaded, interface) in
        spec.interfaces.iter().filter_map(|l| by_source.get(l.rel_path.as_str()).map(|i| (l, *i)))
    {
        let mut ctx = Ctx::new(loaded, report);
        if let Some(first) = seen.get(interface.operation.rust.as_str()) {
            let d = ctx.at(
                &NodePath::root().key("operation"),
                format!("operation `{}` is already defined in {}", interface.operation.wire, first.source),
            );
            ctx.push(
                d.label("duplicate operation")
                    .help("operation names become method names and must be unique across the API"),
            );
        } else {
            seen.insert(&interface.operation.rust, interface);
        }
        if let Some(first) = routes.get(&route(interface)) {
            let shown = format!("{} {}", interface.method.as_str(), interface.path);
            let d = ctx.at(
                &NodePath::root().key("path"),
                format!("`{shown}` is already described by {} (`{}` there)", first.source, first.path),
            );
            ctx.push(d.label("duplicate route").help(
                "each method and path is one interface: merge the two files, or correct the method or path of one",
            ));
        } else {
            routes.insert(route(interface), interface);
        }
    }
    let operations: std::collections::BTreeSet<&str> = interfaces.iter().map(|i| i.operation.wire.as_str()).collect();
    let mut ctx = Ctx::new(&spec.api, report);
    for (i, name) in spec.api.doc.auth.not_sent_by.iter().enumerate() {
        if !operations.contains(name.as_str()) {
            let path = NodePath::root().key("auth").key("not_sent_by").index(i);
            let d = ctx.at(&path, format!("no interface has the operation name `{name}`"));
            ctx.push(
                d.label("unknown operation").help("list operation names exactly as the interface files spell them"),
            );
        }
    }
}

/// An interface's method and path, its path parameters whatever their name:
/// `PUT /voicecall/{agentid}/callout` and `PUT /voicecall/{workno}/callout`
/// are one route.
fn route(it: &crate::ir::Interface) -> (&'static str, Vec<Option<&str>>) {
    use crate::ir::Segment;
    let segments = it.segments.iter().map(|s| match s {
        Segment::Literal(text) => Some(text.as_str()),
        Segment::Param(_) => None,
    });
    (it.method.as_str(), segments.collect())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_agent_desktop;
