//! The comparison itself: walks two [`Api`]s side by side and classifies each difference.

use std::collections::HashSet;
use std::fmt::Display;

// The setter names are the emitter's, so the messages name methods that exist.
use crate::emit::rust::request::setter_name;

use super::{Area, Change, Class, Kind, Report};
use crate::ir::{
    Api, Constraints, EnumValue, ErrorCode, Event, Field, Interface, Param, Pattern, Payload, ResultShape, Rule,
    Settings, Type,
};

/// Compares two checked spec trees; see the [module docs](super) for the classification.
pub fn diff(old: &Api, new: &Api) -> Report {
    diff_known(old, new, &|_, _| false)
}

/// [`diff`], told by `same(i, j)` that old interface `i` and new interface
/// `j` are known to be equal (their lines of the lock file are the same
/// text), so that the pair need not be walked: most pairs of a
/// regeneration are.
pub fn diff_known(old: &Api, new: &Api, same: &(dyn Fn(usize, usize) -> bool + Sync)) -> Report {
    let mut changes = Vec::new();
    settings(&old.settings, &new.settings, &mut Ctx::new(&mut changes, Area::Api, None, crate::load::API_FILE));
    interfaces(&old.interfaces, &new.interfaces, same, &mut changes);
    errors(&old.errors, &new.errors, &mut Ctx::new(&mut changes, Area::Errors, None, crate::load::ERRORS_FILE));
    events(&old.events, &new.events, &mut Ctx::new(&mut changes, Area::Events, None, crate::load::EVENTS_FILE));
    // Stable: within a file and class, changes stay in spec order.
    changes.sort_by(|a, b| (a.area, &a.source, a.class).cmp(&(b.area, &b.source, b.class)));
    Report { changes }
}

/// Where changes are being recorded.
struct Ctx<'a> {
    out: &'a mut Vec<Change>,
    area: Area,
    interface: Option<String>,
    source: String,
}

impl<'a> Ctx<'a> {
    fn new(out: &'a mut Vec<Change>, area: Area, interface: Option<&str>, source: &str) -> Self {
        Self { out, area, interface: interface.map(str::to_owned), source: source.to_owned() }
    }

    /// A change that weighs the same on the wire and in the Rust API.
    fn push(&mut self, class: Class, kind: Kind, subject: &str, message: impl Into<String>) {
        self.split(class, class, kind, subject, message);
    }

    /// A change judged separately on the wire and in the Rust API; its class is the stricter.
    fn split(&mut self, wire: Class, rust: Class, kind: Kind, subject: &str, message: impl Into<String>) {
        self.out.push(Change {
            class: wire.min(rust),
            wire,
            rust,
            kind,
            area: self.area,
            interface: self.interface.clone(),
            source: self.source.clone(),
            subject: subject.to_owned(),
            message: message.into(),
        });
    }

    /// A change on the wire that leaves the Rust API as it is.
    fn wire(&mut self, class: Class, kind: Kind, subject: &str, message: impl Into<String>) {
        self.split(class, Class::Docs, kind, subject, message);
    }

    fn docs(&mut self, subject: &str, message: impl Into<String>) {
        self.push(Class::Docs, Kind::Docs, subject, message);
    }

    /// A documentation string that may have changed.
    fn text(&mut self, subject: &str, what: &str, old: &str, new: &str) {
        if old != new {
            let message = if is_short(old) && is_short(new) {
                format!("{what} changed: {} → {}", quote(old), quote(new))
            } else {
                format!("{what} changed")
            };
            self.docs(subject, message);
        }
    }

    /// An optional documentation string that may have changed.
    fn opt_text(&mut self, subject: &str, what: &str, old: Option<&str>, new: Option<&str>) {
        match (old, new) {
            (None, None) => {}
            (None, Some(n)) => self.docs(subject, format!("{what} added: {}", quote(&short(n)))),
            (Some(_), None) => self.docs(subject, format!("{what} removed")),
            (Some(o), Some(n)) => self.text(subject, what, o, n),
        }
    }

    /// A list of documentation strings: reports entries added and removed.
    fn text_list(&mut self, subject: &str, what: &str, old: &[String], new: &[String]) {
        for o in old.iter().filter(|o| !new.contains(o)) {
            self.docs(subject, format!("{what} removed: {}", quote(&short(o))));
        }
        for n in new.iter().filter(|n| !old.contains(n)) {
            self.docs(subject, format!("{what} added: {}", quote(&short(n))));
        }
    }
}

/// Members of `o` and `n` that this module does not compare by name (added to the IR after it
/// was written): any difference needs review.
fn other_members(
    o: &impl serde::Serialize,
    n: &impl serde::Serialize,
    known: &[&str],
    subject: &str,
    ctx: &mut Ctx<'_>,
) {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(o), serde_json::to_value(n))
    else {
        return;
    };
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let show = |v: Option<&serde_json::Value>| v.map_or_else(|| "absent".to_owned(), |v| short(&v.to_string()));
    for key in keys.into_iter().filter(|k| !known.contains(&k.as_str())) {
        let (x, y) = (a.get(key.as_str()), b.get(key.as_str()));
        if x != y {
            ctx.push(Class::Review, Kind::OtherChanged, subject, format!("`{key}` changed: {} → {}", show(x), show(y)));
        }
    }
}

fn is_short(s: &str) -> bool {
    s.chars().count() <= 60 && !s.contains('\n')
}

/// The first line of `s`, cut to 60 characters.
fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 60 || line.len() < s.trim_end().len() {
        let cut: String = line.chars().take(57).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_owned()
    }
}

fn quote(s: &str) -> String {
    format!("\"{s}\"")
}

fn join<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------
// api.yaml

fn settings(old: &Settings, new: &Settings, ctx: &mut Ctx<'_>) {
    if old.crate_name != new.crate_name {
        ctx.split(
            Class::Docs,
            Class::Breaking,
            Kind::SettingChanged,
            "crate_name",
            format!("crate renamed: `{}` → `{}`", old.crate_name, new.crate_name),
        );
    }
    let wire = [
        ("base_path", &old.base_path, &new.base_path),
        ("content_type", &old.content_type, &new.content_type),
        ("auth.header", &old.auth_header, &new.auth_header),
        ("auth.issued_in.header", &old.token_header, &new.token_header),
        ("auth.issued_in.prefix", &old.token_prefix, &new.token_prefix),
        ("envelope.message", &old.envelope.message, &new.envelope.message),
        ("envelope.retcode", &old.envelope.retcode, &new.envelope.retcode),
        ("envelope.result", &old.envelope.result, &new.envelope.result),
        ("envelope.success", &old.envelope.success, &new.envelope.success),
    ];
    // Each of these is part of every request or answer: a client built for
    // one value cannot talk to a gateway that uses the other.
    for (key, o, n) in wire {
        if o != n {
            ctx.split(
                Class::Breaking,
                Class::Docs,
                Kind::SettingChanged,
                key,
                format!("wire setting changed: {} → {}", quote(o), quote(n)),
            );
        }
    }
    // A client left on the default port reaches another one.
    if old.default_port != new.default_port {
        ctx.split(
            Class::Breaking,
            Class::Docs,
            Kind::SettingChanged,
            "default_port",
            format!("default port changed: {} → {}", old.default_port, new.default_port),
        );
    }
    ctx.text("name", "API name", &old.name, &new.name);
    ctx.text("title", "title", &old.title, &new.title);
    ctx.text("summary", "summary", &old.summary, &new.summary);
    ctx.text("auth.description", "authentication description", &old.auth_description, &new.auth_description);
    ctx.text_list("sources", "source", &old.sources, &new.sources);
    const KNOWN: &[&str] = &[
        "name",
        "title",
        "summary",
        "crate_name",
        "base_path",
        "default_port",
        "content_type",
        "auth_header",
        "auth_description",
        "token_header",
        "token_prefix",
        "envelope",
        "sources",
    ];
    other_members(old, new, KNOWN, "", ctx);
}

// ---------------------------------------------------------------------------------------------
// Interfaces

/// Pairs each old interface, by its `(operation, spec file)`, with the new
/// one of the same operation, or else (a rename) of the same spec file not
/// paired yet; `None`: removed. Through indexes, not scans, so a diff of
/// thousands of interfaces stays linear. The first of equal names wins, as a
/// scan from the start would pick it.
/// Also says which new interfaces were paired.
fn pair<K: Eq + std::hash::Hash>(old: &[(K, K)], new: &[(K, K)]) -> (Vec<(usize, Option<usize>)>, Vec<bool>) {
    let mut new_taken = vec![false; new.len()];
    let mut by_operation = std::collections::HashMap::with_capacity(new.len());
    let mut by_source = std::collections::HashMap::with_capacity(new.len());
    for (j, (operation, source)) in new.iter().enumerate().rev() {
        by_operation.insert(operation, j);
        by_source.insert(source, j);
    }
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::with_capacity(old.len());
    for (i, (operation, _)) in old.iter().enumerate() {
        let j = by_operation.get(operation).copied();
        if let Some(j) = j {
            new_taken[j] = true;
        }
        pairs.push((i, j));
    }
    for pair in pairs.iter_mut().filter(|p| p.1.is_none()) {
        if let Some(&j) = by_source.get(&old[pair.0].1).filter(|&&j| !new_taken[j]) {
            new_taken[j] = true;
            pair.1 = Some(j);
        }
    }
    (pairs, new_taken)
}

fn pairing_keys(list: &[Interface]) -> Vec<(&str, &str)> {
    list.iter().map(|i| (i.operation.wire.as_str(), i.source.as_str())).collect()
}

fn interfaces(
    old: &[Interface],
    new: &[Interface],
    same: &(dyn Fn(usize, usize) -> bool + Sync),
    out: &mut Vec<Change>,
) {
    let (pairs, new_taken) = pair(&pairing_keys(old), &pairing_keys(new));
    // Pairs compared on every core; their changes are gathered in pair order.
    let compared: Vec<Vec<Change>> = {
        use rayon::prelude::*;
        pairs
            .par_iter()
            .map(|&(i, j)| {
                let (o, mut found) = (&old[i], Vec::new());
                match j {
                    Some(j) if same(i, j) => {}
                    Some(j) => {
                        let n = &new[j];
                        interface(o, n, &mut Ctx::new(&mut found, Area::Interface, Some(&n.operation.wire), &n.source));
                    }
                    None => Ctx::new(&mut found, Area::Interface, Some(&o.operation.wire), &o.source).push(
                        Class::Breaking,
                        Kind::InterfaceRemoved,
                        "",
                        format!("interface removed: method `{}` is gone", o.operation.rust),
                    ),
                }
                found
            })
            .collect()
    };
    out.extend(compared.into_iter().flatten());
    for n in new.iter().zip(&new_taken).filter(|(_, taken)| !**taken).map(|(n, _)| n) {
        Ctx::new(out, Area::Interface, Some(&n.operation.wire), &n.source).push(
            Class::Compatible,
            Kind::InterfaceAdded,
            "",
            format!("interface added: method `{}` ({} {})", n.operation.rust, n.method.as_str(), n.path),
        );
    }
}

fn interface(o: &Interface, n: &Interface, ctx: &mut Ctx<'_>) {
    if o.operation.wire != n.operation.wire {
        ctx.split(
            Class::Docs,
            Class::Breaking,
            Kind::InterfaceRenamed,
            "operation",
            format!(
                "operation renamed: `{}` → `{}` (method `{}` → `{}`)",
                o.operation.wire, n.operation.wire, o.operation.rust, n.operation.rust
            ),
        );
    }
    let (old_module, new_module) =
        (format!("{}::{}", o.resource.rust, o.module.rust), format!("{}::{}", n.resource.rust, n.module.rust));
    if old_module != new_module {
        ctx.split(
            Class::Docs,
            Class::Breaking,
            Kind::InterfaceMoved,
            "",
            format!("moved from {} to {}: module `{old_module}` → `{new_module}`", o.source, n.source),
        );
    }
    if o.method != n.method {
        ctx.split(
            Class::Breaking,
            Class::Docs,
            Kind::MethodChanged,
            "method",
            format!("HTTP method changed: {} → {}", o.method.as_str(), n.method.as_str()),
        );
    }
    if o.path != n.path {
        let message = format!("path changed: `{}` → `{}`", o.path, n.path);
        ctx.split(Class::Breaking, Class::Docs, Kind::PathChanged, "path", message);
    }
    if o.session != n.session {
        ctx.push(
            Class::Breaking,
            Kind::SessionChanged,
            "session",
            format!("effect on the session changed: {:?} → {:?}", o.session, n.session).to_lowercase(),
        );
    }
    if o.sends_guid != n.sends_guid {
        let message = if n.sends_guid {
            format!("now sends the session token: method `{}` moves from `Client` to `Session`", n.operation.rust)
        } else {
            format!("no longer sends the session token: method `{}` moves from `Session` to `Client`", n.operation.rust)
        };
        ctx.split(Class::Review, Class::Breaking, Kind::AuthChanged, "auth", message);
    }
    params(o, n, ctx);
    new_arguments(o, n, ctx);
    rules(o, n, ctx);
    result(&o.result, &n.result, ctx);
    response_headers(o, n, ctx);
    // Triggered events and answered error codes document the call; the catalog variants they
    // name are compared with the catalogs. Each interface module lists them in public `EVENTS`
    // and `ERRORS` consts: a removal shrinks a const that users' code may index or rely on.
    for e in n.events.iter().filter(|e| !o.events.iter().any(|x| x.event == e.event)) {
        ctx.push(Class::Compatible, Kind::EventAdded, "events", format!("may now trigger event `{}`", e.event));
    }
    for e in o.events.iter().filter(|e| !n.events.iter().any(|x| x.event == e.event)) {
        let message = format!("no longer lists event `{}`; {}", e.event, shrinks("EVENTS", n));
        ctx.split(Class::Compatible, Class::Breaking, Kind::EventRemoved, "events", message);
    }
    for e in &n.events {
        if let Some(old) = o.events.iter().find(|x| x.event == e.event)
            && old.when.as_ref().map(|c| condition(c, &o.params)) != e.when.as_ref().map(|c| condition(c, &n.params))
        {
            ctx.docs("events", format!("condition for event `{}` changed", e.event));
        }
    }
    let (old_codes, new_codes): (HashSet<&String>, HashSet<&String>) =
        (o.errors.iter().collect(), n.errors.iter().collect());
    for c in n.errors.iter().filter(|c| !old_codes.contains(c)) {
        ctx.push(Class::Compatible, Kind::ErrorAdded, "errors", format!("may now answer error code {c}"));
    }
    for c in o.errors.iter().filter(|c| !new_codes.contains(c)) {
        let message = format!("no longer lists error code {c}; {}", shrinks("ERRORS", n));
        ctx.split(Class::Compatible, Class::Breaking, Kind::ErrorRemoved, "errors", message);
    }
    ctx.text("title", "title", &o.title, &n.title);
    ctx.opt_text("log_name", "log name", o.log_name.as_deref(), n.log_name.as_deref());
    ctx.text("summary", "summary", &o.summary, &n.summary);
    ctx.opt_text("description", "description", o.description.as_deref(), n.description.as_deref());
    ctx.text_list("prerequisites", "prerequisite", &o.prerequisites, &n.prerequisites);
    examples(o, n, ctx);
    ctx.text_list("quirks", "quirk", &o.quirks, &n.quirks);
    ctx.opt_text("source", "source page", o.source_page.as_deref(), n.source_page.as_deref());
    ctx.opt_text("source", "source date", o.source_updated.as_deref(), n.source_updated.as_deref());
    const KNOWN: &[&str] = &[
        "source",
        "resource",
        "module",
        "operation",
        "title",
        "log_name",
        "summary",
        "description",
        "prerequisites",
        "method",
        "path",
        "segments",
        "params",
        "rules",
        "result",
        "response_headers",
        "events",
        "errors",
        "examples",
        "quirks",
        "sends_guid",
        "session",
        "source_page",
        "source_updated",
    ];
    other_members(o, n, KNOWN, "", ctx);
}

fn examples(o: &Interface, n: &Interface, ctx: &mut Ctx<'_>) {
    for e in &o.examples {
        match n.examples.iter().find(|x| x.name == e.name) {
            None => ctx.docs("examples", format!("example removed: {}", quote(&e.name))),
            Some(x) if x != e => ctx.docs("examples", format!("example changed: {}", quote(&e.name))),
            Some(_) => {}
        }
    }
    for e in n.examples.iter().filter(|e| !o.examples.iter().any(|x| x.name == e.name)) {
        ctx.docs("examples", format!("example added: {}", quote(&e.name)));
    }
}

fn param_subject(p: &Param) -> String {
    format!("{} parameter `{}`", p.location.as_str(), p.name.wire)
}

fn params(o: &Interface, n: &Interface, ctx: &mut Ctx<'_>) {
    let mut taken = vec![false; n.params.len()];
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, p) in o.params.iter().enumerate() {
        let j = n.params.iter().position(|q| q.location == p.location && q.name.wire == p.name.wire);
        if let Some(j) = j {
            taken[j] = true;
        }
        pairs.push((i, j));
    }
    for pair in pairs.iter_mut().filter(|p| p.1.is_none()) {
        let p = &o.params[pair.0];
        if let Some(j) = (0..n.params.len()).find(|&j| !taken[j] && n.params[j].name.wire == p.name.wire) {
            taken[j] = true;
            pair.1 = Some(j);
        }
    }
    for (i, j) in pairs {
        let p = &o.params[i];
        match j {
            Some(j) => param(p, &n.params[j], ctx),
            None => ctx.push(Class::Breaking, Kind::ParamRemoved, &param_subject(p), "parameter removed"),
        }
    }
    let had_request = o.params.iter().any(|p| p.role.is_none());
    for q in n.params.iter().enumerate().filter(|(j, _)| !taken[*j]).map(|(_, q)| q) {
        let subject = param_subject(q);
        if q.role.is_some() && n.sends_guid {
            ctx.push(Class::Compatible, Kind::ParamAdded, &subject, "parameter added; the session supplies it");
        } else if q.role.is_some() {
            let message = format!("parameter added; method `{}` takes a new `agent_id` argument", n.operation.rust);
            ctx.split(Class::Compatible, Class::Breaking, Kind::ParamAdded, &subject, message);
        } else if q.required {
            let message = "required parameter added: `Request::new` takes a new argument";
            ctx.push(Class::Breaking, Kind::ParamAdded, &subject, message);
        } else if !had_request {
            let message = format!(
                "optional parameter added; the interface had no `Request` before, so method `{}` takes a new argument",
                n.operation.rust
            );
            ctx.split(Class::Compatible, Class::Breaking, Kind::ParamAdded, &subject, message);
        } else {
            let message = format!("optional parameter added, set with `Request::{}`", setter_name(q));
            ctx.push(Class::Compatible, Kind::ParamAdded, &subject, message);
        }
    }
}

/// What removing an entry from a module's `EVENTS` or `ERRORS` const means for its users.
fn shrinks(list: &str, it: &Interface) -> String {
    format!(
        "the public `{}::{}::{list}` const shrinks, which code indexing it or relying on the entry notices",
        it.resource.rust, it.module.rust
    )
}

/// `Request::new` takes the required parameters positionally, in spec order: the same ones in
/// another order is a breaking change even when the wire is unaffected (two strings swapped
/// would even compile).
fn new_arguments(o: &Interface, n: &Interface, ctx: &mut Ctx<'_>) {
    let args = |it: &Interface| -> Vec<String> {
        it.params.iter().filter(|p| p.role.is_none() && p.required).map(|p| p.name.rust.clone()).collect()
    };
    let (old, new) = (args(o), args(n));
    let old_kept: Vec<&String> = old.iter().filter(|a| new.contains(a)).collect();
    let new_kept: Vec<&String> = new.iter().filter(|a| old.contains(a)).collect();
    if old_kept != new_kept {
        let message =
            format!("`Request::new` takes its arguments in another order: ({}) → ({})", join(&old), join(&new));
        ctx.split(Class::Docs, Class::Breaking, Kind::ArgumentsReordered, "Request::new", message);
    }
}

fn param(o: &Param, n: &Param, ctx: &mut Ctx<'_>) {
    let subject = param_subject(n);
    if o.location != n.location {
        ctx.split(
            Class::Breaking,
            Class::Docs,
            Kind::ParamMoved,
            &subject,
            format!("moved from the {} to the {}", o.location.as_str(), n.location.as_str()),
        );
    }
    match (o.required, n.required) {
        (false, true) => ctx.push(
            Class::Breaking,
            Kind::ParamMadeRequired,
            &subject,
            "optional → required: `Request::new` takes it, and the field is no longer an `Option`",
        ),
        (true, false) if n.role.is_none() => ctx.split(
            Class::Compatible,
            Class::Breaking,
            Kind::ParamMadeOptional,
            &subject,
            format!(
                "required → optional: `Request::new` no longer takes it (set it with `Request::{}`), and the field becomes an `Option`",
                setter_name(n)
            ),
        ),
        (true, false) => ctx.push(Class::Compatible, Kind::ParamMadeOptional, &subject, "required → optional"),
        _ => {}
    }
    ty(&o.ty, &n.ty, Dir::Input, &subject, ctx);
    if o.secret != n.secret {
        let message =
            if n.secret { "now secret: its Rust type changes" } else { "no longer secret: its Rust type changes" };
        ctx.split(Class::Docs, Class::Breaking, Kind::ParamChanged, &subject, message);
    }
    if o.role != n.role {
        // The agent-ID role takes a parameter out of `Request` (or puts it back).
        let message = format!("role changed: {:?} → {:?}; the field of `Request` comes or goes", o.role, n.role);
        ctx.split(Class::Review, Class::Breaking, Kind::ParamChanged, &subject, message);
    }
    if o.default != n.default {
        let show = |v: &Option<crate::ir::Value>| v.as_ref().map_or_else(|| "none".to_owned(), |v| format!("`{v}`"));
        ctx.split(
            Class::Review,
            Class::Docs,
            Kind::DefaultChanged,
            &subject,
            format!("default changed: {} → {}", show(&o.default), show(&n.default)),
        );
    }
    let has_type = |p: &Param| !p.constraints.is_empty() || p.secret;
    if has_type(o) && has_type(n) && o.type_name.rust != n.type_name.rust {
        ctx.split(
            Class::Docs,
            Class::Breaking,
            Kind::NameChanged,
            &subject,
            format!("Rust type renamed: `{}` → `{}`", o.type_name.rust, n.type_name.rust),
        );
    }
    constraints(&o.constraints, &n.constraints, &subject, ctx);
    let (ok, nk) = (rust_kind(o), rust_kind(n));
    if ok != nk && o.ty == n.ty && o.secret == n.secret {
        // E.g. the first or last constraint: judged on the wire above, but the generated type
        // changes too, and code naming or building the old one breaks.
        ctx.split(Class::Docs, Class::Breaking, Kind::TypeChanged, &subject, format!("Rust type changes: {ok} → {nk}"));
    }
    ctx.text(&subject, "description", &o.description, &n.description);
    ctx.opt_text(&subject, "vendor type", o.vendor_type.as_deref(), n.vendor_type.as_deref());
    const KNOWN: &[&str] = &[
        "name",
        "location",
        "ty",
        "required",
        "default",
        "description",
        "secret",
        "role",
        "vendor_type",
        "type_name",
        "constraints",
    ];
    other_members(o, n, KNOWN, &subject, ctx);
    const KNOWN_CONSTRAINTS: &[&str] = &["range", "chars", "bytes", "pattern", "values", "supported_only"];
    other_members(&o.constraints, &n.constraints, KNOWN_CONSTRAINTS, &subject, ctx);
}

/// The kind of Rust type the generated crate gives a parameter; mirrors
/// `emit::rust::types::param_type`.
fn rust_kind(p: &Param) -> String {
    if p.secret {
        "secret string".to_owned()
    } else if !p.constraints.values.is_empty() {
        format!("enum `{}`", p.type_name.rust)
    } else if !p.constraints.is_empty() && matches!(p.ty, Type::String | Type::Integer) {
        format!("validated newtype `{}`", p.type_name.rust)
    } else {
        format!("plain {}", p.ty.spec_name())
    }
}

/// Whether a value is sent (input) or received (output).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Input,
    Output,
}

/// True when two types differ only inside object fields.
fn same_shape(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Object(_), Type::Object(_)) => true,
        (Type::List(x), Type::List(y)) => same_shape(x, y),
        _ => a == b,
    }
}

fn ty(o: &Type, n: &Type, dir: Dir, subject: &str, ctx: &mut Ctx<'_>) {
    if !same_shape(o, n) {
        ctx.push(
            Class::Breaking,
            Kind::TypeChanged,
            subject,
            format!("type changed: {} → {}", o.spec_name(), n.spec_name()),
        );
        return;
    }
    match (o, n) {
        (Type::Object(of), Type::Object(nf)) => fields(of, nf, dir, subject, ctx),
        (Type::List(x), Type::List(y)) => ty(x, y, dir, &format!("{subject} items"), ctx),
        _ => {}
    }
}

fn fields(old: &[Field], new: &[Field], dir: Dir, prefix: &str, ctx: &mut Ctx<'_>) {
    let subject = |f: &Field| format!("{prefix} field `{}`", f.name.wire);
    for o in old {
        let s = subject(o);
        let Some(n) = new.iter().find(|n| n.name.wire == o.name.wire) else {
            ctx.push(Class::Breaking, Kind::FieldRemoved, &s, "field removed");
            continue;
        };
        match (o.required, n.required, dir) {
            (false, true, Dir::Input) => ctx.push(Class::Breaking, Kind::FieldMadeRequired, &s, "optional → required"),
            (true, false, Dir::Input) => {
                ctx.push(Class::Compatible, Kind::FieldMadeOptional, &s, "required → optional")
            }
            (false, true, Dir::Output) => ctx.push(
                Class::Breaking,
                Kind::FieldMadeRequired,
                &s,
                "optional → required: the field is no longer an `Option`",
            ),
            (true, false, Dir::Output) => ctx.push(
                Class::Breaking,
                Kind::FieldMadeOptional,
                &s,
                "required → optional: the field becomes an `Option`",
            ),
            _ => {}
        }
        ty(&o.ty, &n.ty, dir, &s, ctx);
        values(&o.values, &n.values, dir, &s, ctx);
        ctx.text(&s, "description", &o.description, &n.description);
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name.wire == n.name.wire)) {
        let s = subject(n);
        match (dir, n.required) {
            (Dir::Input, true) => ctx.push(Class::Breaking, Kind::FieldAdded, &s, "required field added"),
            (Dir::Input, false) => ctx.push(Class::Compatible, Kind::FieldAdded, &s, "optional field added"),
            (Dir::Output, _) => ctx.push(Class::Compatible, Kind::FieldAdded, &s, "field added"),
        }
    }
}

fn show_value(v: &EnumValue) -> String {
    format!("{} ({})", v.value, v.name.wire)
}

/// Named allowed values. On input an empty list means any value; on output values are documentation.
fn values(old: &[EnumValue], new: &[EnumValue], dir: Dir, subject: &str, ctx: &mut Ctx<'_>) {
    if dir == Dir::Output {
        let (o, n) = (join(old.iter().map(show_value)), join(new.iter().map(show_value)));
        if o != n {
            ctx.docs(subject, format!("documented values changed: [{o}] → [{n}]"));
        }
        for v in new {
            if let Some(x) = old.iter().find(|x| x.value == v.value) {
                ctx.text(subject, &format!("description of value {}", v.value), &x.description, &v.description);
            }
        }
        return;
    }
    match (old.is_empty(), new.is_empty()) {
        (true, true) => return,
        (true, false) => {
            ctx.wire(
                Class::Breaking,
                Kind::ConstraintNarrowed,
                subject,
                format!("now limited to the values {}", join(new.iter().map(show_value))),
            );
            return;
        }
        (false, true) => {
            ctx.wire(Class::Compatible, Kind::ConstraintWidened, subject, "no longer limited to listed values");
            return;
        }
        (false, false) => {}
    }
    for o in old {
        match new.iter().find(|n| n.value == o.value) {
            None => ctx.push(
                Class::Breaking,
                Kind::ValueRemoved,
                subject,
                format!("allowed value {} removed", show_value(o)),
            ),
            Some(n) => {
                if n.name.rust != o.name.rust {
                    ctx.split(
                        Class::Docs,
                        Class::Breaking,
                        Kind::ValueRenamed,
                        subject,
                        format!("value {} renamed: `{}` → `{}`", o.value, o.name.rust, n.name.rust),
                    );
                }
                ctx.text(subject, &format!("description of value {}", o.value), &o.description, &n.description);
            }
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.value == n.value)) {
        // The generated enums are non-exhaustive: a new variant breaks no `match`.
        ctx.push(Class::Compatible, Kind::ValueAdded, subject, format!("allowed value {} added", show_value(n)));
    }
    let names = |list: &[EnumValue]| list.iter().map(|v| v.name.rust.clone()).collect::<Vec<_>>();
    variants_shifted(&names(old), &names(new), subject, ctx);
}

/// The variants of a generated fieldless enum (allowed values, `EventKind`) are declared in spec
/// order, so their implicit discriminants and derived order are their positions: a variant
/// inserted before others, or the others reordered, changes them. That is breaking in Rust
/// (cargo-semver-checks: `enum_no_repr_variant_discriminant_changed`); appending is not. The
/// event catalog is sorted by name, so only an event sorting last appends.
fn variants_shifted(old: &[String], new: &[String], subject: &str, ctx: &mut Ctx<'_>) {
    let moved: Vec<&String> = old
        .iter()
        .enumerate()
        .filter(|(i, v)| new.iter().position(|n| n == *v).is_some_and(|j| j != *i))
        .map(|(_, v)| v)
        .collect();
    if !moved.is_empty() {
        let mut shown = join(moved.iter().take(3).map(|v| format!("`{v}`")));
        if moved.len() > 3 {
            shown.push_str(&format!(" and {} more", moved.len() - 3));
        }
        let message = format!("variants change position ({shown}): their discriminants and order change");
        ctx.split(Class::Docs, Class::Breaking, Kind::VariantsShifted, subject, message);
    }
}

fn show_bounds<T: Display>(b: (T, T)) -> String {
    format!("{}–{}", b.0, b.1)
}

/// An inclusive interval limit: narrowed if any old value is now refused.
fn bounds<T: Ord + Copy + Display>(
    what: &str,
    old: Option<(T, T)>,
    new: Option<(T, T)>,
    subject: &str,
    ctx: &mut Ctx<'_>,
) {
    match (old, new) {
        (None, None) => {}
        (None, Some(n)) => ctx.wire(
            Class::Breaking,
            Kind::ConstraintNarrowed,
            subject,
            format!("{what} limited to {} (narrowed)", show_bounds(n)),
        ),
        (Some(o), None) => ctx.wire(
            Class::Compatible,
            Kind::ConstraintWidened,
            subject,
            format!("{what} limit {} removed (widened)", show_bounds(o)),
        ),
        (Some(o), Some(n)) if o == n => {}
        (Some(o), Some(n)) => {
            let lost = n.0 > o.0 || n.1 < o.1;
            let gained = n.0 < o.0 || n.1 > o.1;
            let (class, kind, how) = match (lost, gained) {
                (true, true) => {
                    (Class::Breaking, Kind::ConstraintNarrowed, "shifted: some values allowed before are refused")
                }
                (true, false) => (Class::Breaking, Kind::ConstraintNarrowed, "narrowed"),
                _ => (Class::Compatible, Kind::ConstraintWidened, "widened"),
            };
            ctx.wire(class, kind, subject, format!("{what} {} → {} ({how})", show_bounds(o), show_bounds(n)));
        }
    }
}

fn pattern(old: Option<&Pattern>, new: Option<&Pattern>, subject: &str, ctx: &mut Ctx<'_>) {
    match (old, new) {
        (None, None) => {}
        (None, Some(n)) => ctx.wire(
            Class::Breaking,
            Kind::ConstraintNarrowed,
            subject,
            format!("pattern `{}` added (narrowed)", n.regex),
        ),
        (Some(o), None) => ctx.wire(
            Class::Compatible,
            Kind::ConstraintWidened,
            subject,
            format!("pattern `{}` removed (widened)", o.regex),
        ),
        (Some(o), Some(n)) => {
            if o.regex != n.regex {
                ctx.wire(
                    Class::Review,
                    Kind::ConstraintChanged,
                    subject,
                    format!(
                        "pattern changed: `{}` → `{}`; cannot tell whether it is wider or narrower",
                        o.regex, n.regex
                    ),
                );
            }
            ctx.text(subject, "pattern description", &o.description, &n.description);
        }
    }
}

fn constraints(o: &Constraints, n: &Constraints, subject: &str, ctx: &mut Ctx<'_>) {
    bounds("range", o.range, n.range, subject, ctx);
    bounds("length in characters", o.chars, n.chars, subject, ctx);
    bounds("size in bytes", o.bytes, n.bytes, subject, ctx);
    pattern(o.pattern.as_ref(), n.pattern.as_ref(), subject, ctx);
    values(&o.values, &n.values, Dir::Input, subject, ctx);
    if o.supported_only != n.supported_only && !o.values.is_empty() && !n.values.is_empty() {
        let message = if n.supported_only {
            "the wire format now accepts other values, though the server supports only the listed ones"
        } else {
            "the listed values are now the only ones the wire format accepts"
        };
        ctx.wire(Class::Review, Kind::ConstraintChanged, subject, message);
    }
}

// ---------------------------------------------------------------------------------------------
// Rules

/// A rule's identity and what it allows, with parameter indices resolved to names.
struct RuleView {
    key: String,
    values: Option<Vec<crate::ir::Value>>,
    description: Option<String>,
    text: String,
}

fn param_name(params: &[Param], i: usize) -> String {
    params.get(i).map_or_else(|| format!("#{i}"), |p| p.name.wire.clone())
}

fn condition(c: &crate::ir::Condition, params: &[Param]) -> String {
    format!("`{}` is {}", param_name(params, c.param), c.equals)
}

fn rule_view(r: &Rule, params: &[Param]) -> RuleView {
    match r {
        Rule::OnlyWhen { param, when, description } => {
            let text = format!("`{}` may be set only when {}", param_name(params, *param), condition(when, params));
            RuleView { key: format!("only_when {text}"), values: None, description: description.clone(), text }
        }
        Rule::RequiredWhen { param, when, description } => {
            let text = format!("`{}` is required when {}", param_name(params, *param), condition(when, params));
            RuleView { key: format!("required_when {text}"), values: None, description: description.clone(), text }
        }
        Rule::AllowedValues { param, when, values, description } => {
            let head = format!("when {}, `{}` takes", condition(when, params), param_name(params, *param));
            let mut sorted = values.clone();
            sorted.sort();
            RuleView {
                key: format!("allowed_values {head}"),
                text: format!("{head} one of {}", join(values)),
                values: Some(sorted),
                description: description.clone(),
            }
        }
    }
}

fn rules(o: &Interface, n: &Interface, ctx: &mut Ctx<'_>) {
    let old: Vec<RuleView> = o.rules.iter().map(|r| rule_view(r, &o.params)).collect();
    let new: Vec<RuleView> = n.rules.iter().map(|r| rule_view(r, &n.params)).collect();
    for r in &old {
        let Some(m) = new.iter().find(|m| m.key == r.key) else {
            ctx.wire(Class::Compatible, Kind::RuleRemoved, "rules", format!("rule removed (widened): {}", r.text));
            continue;
        };
        if let (Some(ov), Some(nv)) = (&r.values, &m.values) {
            let removed: Vec<_> = ov.iter().filter(|v| !nv.contains(v)).collect();
            let added: Vec<_> = nv.iter().filter(|v| !ov.contains(v)).collect();
            if !removed.is_empty() {
                ctx.wire(
                    Class::Breaking,
                    Kind::RuleChanged,
                    "rules",
                    format!("{}: no longer allows {} (narrowed)", m.text, join(removed)),
                );
            }
            if !added.is_empty() {
                ctx.wire(
                    Class::Compatible,
                    Kind::RuleChanged,
                    "rules",
                    format!("{}: now also allows {} (widened)", m.text, join(added)),
                );
            }
        }
        ctx.opt_text(
            "rules",
            &format!("description of rule \"{}\"", r.text),
            r.description.as_deref(),
            m.description.as_deref(),
        );
    }
    for m in new.iter().filter(|m| !old.iter().any(|r| r.key == m.key)) {
        ctx.wire(Class::Breaking, Kind::RuleAdded, "rules", format!("rule added (narrowed): {}", m.text));
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

/// A serde-tagged enum's tag and its optional `description` and `vendor_type` members.
///
/// Read through serde so that variants added to the IR later are compared too.
struct Tagged {
    kind: String,
    description: Option<String>,
    vendor_type: Option<String>,
}

fn tagged(value: &impl serde::Serialize) -> Tagged {
    let v = serde_json::to_value(value).unwrap_or_default();
    let text = |key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_owned);
    Tagged {
        kind: text("kind").unwrap_or_default().replace("call_id", "call ID").replace('_', " "),
        description: text("description"),
        vendor_type: text("vendor_type"),
    }
}

fn result(o: &ResultShape, n: &ResultShape, ctx: &mut Ctx<'_>) {
    let (ot, nt) = (tagged(o), tagged(n));
    if ot.kind != nt.kind {
        ctx.push(
            Class::Breaking,
            Kind::ResultChanged,
            "result",
            format!("result shape changed: {} → {}", ot.kind, nt.kind),
        );
    }
    if let (
        ResultShape::Object { fields: of, one_or_list: ol, .. },
        ResultShape::Object { fields: nf, one_or_list: nl, .. },
    ) = (o, n)
    {
        fields(of, nf, Dir::Output, "result", ctx);
        // Reading a list too only widens what the client accepts.
        match (ol, nl) {
            (false, true) => {
                ctx.push(Class::Compatible, Kind::ResultChanged, "result", "result also read as a list of one object")
            }
            (true, false) => ctx.push(
                Class::Breaking,
                Kind::ResultChanged,
                "result",
                "result no longer read as a list of one object",
            ),
            _ => {}
        }
    }
    if let (ResultShape::List { fields: of, .. }, ResultShape::List { fields: nf, .. }) = (o, n) {
        fields(of, nf, Dir::Output, "result", ctx);
    }
    ctx.opt_text("result", "description", ot.description.as_deref(), nt.description.as_deref());
    ctx.opt_text("result", "vendor type", ot.vendor_type.as_deref(), nt.vendor_type.as_deref());
}

fn response_headers(o: &Interface, n: &Interface, ctx: &mut Ctx<'_>) {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    for h in &o.response_headers {
        let subject = format!("response header `{}`", h.name);
        match n.response_headers.iter().find(|x| same(&x.name, &h.name)) {
            None => ctx.push(Class::Review, Kind::ResponseHeaderRemoved, &subject, "response header removed"),
            Some(x) => {
                if x.role != h.role {
                    ctx.push(
                        Class::Review,
                        Kind::ResponseHeaderChanged,
                        &subject,
                        format!("role changed: {:?} → {:?}", h.role, x.role),
                    );
                }
                ctx.text(&subject, "description", &h.description, &x.description);
            }
        }
    }
    for x in n.response_headers.iter().filter(|x| !o.response_headers.iter().any(|h| same(&h.name, &x.name))) {
        ctx.push(
            Class::Compatible,
            Kind::ResponseHeaderAdded,
            &format!("response header `{}`", x.name),
            "response header added",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Catalogs

fn errors(old: &[ErrorCode], new: &[ErrorCode], ctx: &mut Ctx<'_>) {
    // Indexed by code: catalogs may hold thousands of entries.
    let new_by_code: std::collections::HashMap<&str, &ErrorCode> = new.iter().map(|n| (n.code.as_str(), n)).collect();
    let old_codes: HashSet<&str> = old.iter().map(|o| o.code.as_str()).collect();
    for o in old {
        let subject = format!("error code {}", o.code);
        let Some(n) = new_by_code.get(o.code.as_str()).copied() else {
            ctx.push(
                Class::Breaking,
                Kind::ErrorRemoved,
                &subject,
                format!("error code removed: variant `{}` disappears", o.name.rust),
            );
            continue;
        };
        if o.name.rust != n.name.rust {
            ctx.split(
                Class::Docs,
                Class::Breaking,
                Kind::NameChanged,
                &subject,
                format!("variant renamed: `{}` → `{}`", o.name.rust, n.name.rust),
            );
        } else if o.name.wire != n.name.wire {
            ctx.docs(&subject, format!("name changed: `{}` → `{}`", o.name.wire, n.name.wire));
        }
        ctx.opt_text(&subject, "meaning", o.meaning.as_deref(), n.meaning.as_deref());
        if o.provenance != n.provenance {
            ctx.docs(&subject, format!("source changed: {:?} → {:?}", o.provenance, n.provenance).to_lowercase());
        }
        ctx.opt_text(&subject, "note", o.note.as_deref(), n.note.as_deref());
    }
    for n in new.iter().filter(|n| !old_codes.contains(n.code.as_str())) {
        ctx.push(
            Class::Compatible,
            Kind::ErrorAdded,
            &format!("error code {}", n.code),
            format!("error code added: variant `{}`", n.name.rust),
        );
    }
}

fn events(old: &[Event], new: &[Event], ctx: &mut Ctx<'_>) {
    let new_by_name: std::collections::HashMap<&str, &Event> = new.iter().map(|n| (n.name.wire.as_str(), n)).collect();
    let old_names: HashSet<&str> = old.iter().map(|o| o.name.wire.as_str()).collect();
    for o in old {
        let subject = format!("event `{}`", o.name.wire);
        let Some(n) = new_by_name.get(o.name.wire.as_str()).copied() else {
            ctx.push(
                Class::Breaking,
                Kind::EventRemoved,
                &subject,
                format!("event removed: variant `{}` disappears", o.name.rust),
            );
            continue;
        };
        if o.name.rust != n.name.rust {
            ctx.split(
                Class::Docs,
                Class::Breaking,
                Kind::NameChanged,
                &subject,
                format!("variant renamed: `{}` → `{}`", o.name.rust, n.name.rust),
            );
        }
        let (op, np) = (tagged(&o.payload), tagged(&n.payload));
        if op.kind != np.kind {
            ctx.push(
                Class::Breaking,
                Kind::PayloadChanged,
                &subject,
                format!("payload changed: {} → {}", op.kind, np.kind),
            );
        }
        if let (Payload::Object { fields: of, .. }, Payload::Object { fields: nf, .. }) = (&o.payload, &n.payload) {
            fields(of, nf, Dir::Output, &format!("{subject} payload"), ctx);
        }
        // Positions are not part of the state a spec sets (the lock file keeps none).
        let state = |s: &Option<crate::ir::StateChange>| {
            s.as_ref().map(|c| (c.becomes, c.reason.as_ref().map(|r| r.wire.clone())))
        };
        if state(&o.agent_state) != state(&n.agent_state) {
            // The API stays, but what an application's state view shows changes.
            let show = |s: &Option<crate::ir::StateChange>| match s {
                None => "none".to_owned(),
                Some(c) => match &c.reason {
                    Some(r) => format!("{} (reason in `{}`)", c.becomes.spec_name(), r.wire),
                    None => c.becomes.spec_name().to_owned(),
                },
            };
            let message = format!("agent state changed: {} → {}", show(&o.agent_state), show(&n.agent_state));
            ctx.push(Class::Review, Kind::OtherChanged, &subject, message);
        }
        ctx.text(&subject, "meaning", &o.meaning, &n.meaning);
        ctx.opt_text(&subject, "payload description", op.description.as_deref(), np.description.as_deref());
        ctx.opt_text(&subject, "note", o.note.as_deref(), n.note.as_deref());
    }
    for n in new.iter().filter(|n| !old_names.contains(n.name.wire.as_str())) {
        ctx.push(
            Class::Compatible,
            Kind::EventAdded,
            &format!("event `{}`", n.name.wire),
            format!("event added: variant `{}`", n.name.rust),
        );
    }
    let names = |list: &[Event]| list.iter().map(|e| e.name.rust.clone()).collect::<Vec<_>>();
    variants_shifted(&names(old), &names(new), "EventKind", ctx);
}

#[cfg(test)]
mod tests {
    use super::{Area, Ctx, interface, pair};

    /// What makes skipping pairs known to be equal safe: an interface and
    /// the one read back from its line of the lock file, walked, have no changes.
    #[test]
    fn an_interface_walked_against_its_line_read_back_has_no_changes() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let api = crate::pipeline::validate(&spec).unwrap_or_else(|d| panic!("{}", d.render()));
        for it in &api.interfaces {
            let back: crate::ir::Interface = serde_json::from_str(&serde_json::to_string(it).unwrap()).unwrap();
            let mut found = Vec::new();
            interface(&back, it, &mut Ctx::new(&mut found, Area::Interface, None, &it.source));
            assert!(found.is_empty(), "{}: {:?}", it.source, found.first());
        }
    }

    #[test]
    fn interfaces_pair_by_operation_then_by_spec_file() {
        let old = [("a", "x/a.yaml"), ("b", "x/b.yaml"), ("gone", "x/gone.yaml"), ("c", "x/c.yaml")];
        let new = [("c", "x/c.yaml"), ("a", "x/a.yaml"), ("renamed", "x/b.yaml")];
        assert_eq!(pair(&old, &new).0, vec![(0, Some(1)), (1, Some(2)), (2, None), (3, Some(0))]);
    }

    #[test]
    fn of_equal_names_the_first_is_paired() {
        let new = [("a", "one.yaml"), ("a", "two.yaml")];
        assert_eq!(pair(&[("a", "two.yaml")], &new).0, vec![(0, Some(0))]);
        // A spec file already paired by its operation is not paired again.
        let old = [("a", "one.yaml"), ("b", "one.yaml")];
        assert_eq!(pair(&old, &[("a", "one.yaml")]), (vec![(0, Some(0)), (1, None)], vec![true]));
    }

    /// A name that counts how often it is compared with another.
    struct Counted<'a>(String, &'a std::cell::Cell<usize>);

    impl PartialEq for Counted<'_> {
        fn eq(&self, other: &Self) -> bool {
            self.1.set(self.1.get() + 1);
            self.0 == other.0
        }
    }

    impl Eq for Counted<'_> {}

    impl std::hash::Hash for Counted<'_> {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.0.hash(state);
        }
    }

    /// Name comparisons made to pair `n` interfaces with the same `n`, half
    /// of them renamed (paired by spec file), the new list reversed.
    fn comparisons(n: usize) -> usize {
        let count = std::cell::Cell::new(0);
        let key = |name: String| Counted(name, &count);
        let old: Vec<_> =
            (0..n).map(|i| (key(format!("operation_{i:06}")), key(format!("resource/file_{i:06}.yaml")))).collect();
        let new: Vec<_> = (0..n)
            .rev()
            .map(|i| {
                let operation = if i % 2 == 0 { format!("operation_{i:06}") } else { format!("renamed_{i:06}") };
                (key(operation), key(format!("resource/file_{i:06}.yaml")))
            })
            .collect();
        count.set(0);
        let (pairs, _) = pair(&old, &new);
        assert!(pairs.iter().all(|p| p.1.is_some()));
        count.get()
    }

    /// Pairing once scanned the new list for each old interface: comparisons
    /// grew with the square of the interfaces. Counted, not timed, so a busy
    /// machine does not decide it.
    #[test]
    fn pairing_compares_names_a_bounded_number_of_times_per_interface() {
        // About one per interface, and a few more where hashes happen to
        // collide (the maps' seeds are random): at most two per interface
        // at either size, where scans made 750 and 3,000.
        for n in [1_000, 4_000] {
            let made = comparisons(n);
            assert!(made <= 2 * n, "{made} comparisons for {n} interfaces");
        }
    }
}
