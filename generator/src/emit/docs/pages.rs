//! Template contexts: the IR as it is, plus view structs with what needs
//! formatting logic (constraint wording, anchors, links, Rust signatures).
//!
//! Naming convention for view fields: a field ending in `_md` is markdown
//! already (built with [`super::markdown`]); any other string is raw spec text
//! that the template must pass through an escaping filter.

use std::collections::BTreeMap;

use serde::Serialize;

use super::human::{condition_cell, constraints_md, labelled, rule_md, rule_note, value_md};
use super::markdown::{cell, code, code_cell, comment_text, is_safe_url, link_target, slug, text};
use super::rust_api::{RustApi, crate_path, result_type, rust_api, starts_session};
use crate::emit::GENERATED_MARKER;
use crate::ir::{
    Api, EnumValue, ErrorCode, Event, Field, Interface, Location, Param, Payload, ResultShape, Role, Segment, Settings,
    Type,
};

/// The first line of a markdown page.
fn marker(source: &str) -> String {
    format!("<!-- {GENERATED_MARKER} from {}. Do not edit. -->", comment_text(source))
}

/// Hands out anchors unique within one page: a repeated slug gets `-2`, `-3`, ….
#[derive(Default)]
struct Anchors(BTreeMap<String, usize>);

impl Anchors {
    fn take(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "section".to_owned() } else { wanted.to_owned() };
        let mut candidate = base.clone();
        let mut n = 1;
        while self.0.contains_key(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.0.insert(candidate.clone(), 1);
        candidate
    }
}

/// Anchors of the catalog entries, shared by the catalogs and the pages that link to them.
#[derive(Debug)]
pub struct CatalogAnchors {
    errors: BTreeMap<String, String>,
    events: BTreeMap<String, String>,
}

impl CatalogAnchors {
    /// The anchors of `api`'s error codes and events on their catalog pages.
    pub fn new(api: &Api) -> Self {
        // The page titles' anchors are taken first.
        let mut a = Anchors::default();
        a.take("error-codes");
        let errors = api.errors.iter().map(|e| (e.code.clone(), a.take(&format!("error-{}", slug(&e.code))))).collect();
        let mut a = Anchors::default();
        a.take("events");
        let events = api
            .events
            .iter()
            .map(|e| (e.name.wire.clone(), a.take(&format!("event-{}", slug(&e.name.wire)))))
            .collect();
        CatalogAnchors { errors, events }
    }

    fn error(&self, code: &str) -> String {
        self.errors.get(code).cloned().unwrap_or_else(|| format!("error-{}", slug(code)))
    }

    fn event(&self, wire: &str) -> String {
        self.events.get(wire).cloned().unwrap_or_else(|| format!("event-{}", slug(wire)))
    }
}

/// `docs/<resource>/<module>.md`.
pub fn interface_path(it: &Interface) -> String {
    format!("docs/{}", interface_rel(it))
}

/// The interface page relative to `docs/`.
fn interface_rel(it: &Interface) -> String {
    format!("{}/{}.md", it.resource.wire, it.module.wire)
}

/// Link from one page of `docs/` to another; `from_depth` is how many folders below `docs/` the linking page is.
fn link(from_depth: usize, rel: &str, anchor: Option<&str>) -> String {
    let mut target = "../".repeat(from_depth);
    target.push_str(rel);
    if let Some(a) = anchor {
        target.push('#');
        target.push_str(a);
    }
    link_target(&target)
}

fn base_url(s: &Settings) -> String {
    format!("https://{{host}}:{}{}", s.default_port, s.base_path)
}

// ---------------------------------------------------------------- shared rows

/// A row of a parameter table.
#[derive(Debug, Serialize)]
pub struct ParamRow {
    pub name_md: String,
    pub type_md: String,
    pub required: bool,
    pub default_md: String,
    pub constraints_md: String,
    /// The spec's description, then generated remarks ([`description_cell`]).
    pub description_md: String,
}

/// A row of a field table (result objects, event payloads).
#[derive(Debug, Serialize)]
pub struct FieldRow {
    pub name_md: String,
    pub type_md: String,
    pub required: bool,
    pub values_md: String,
    pub description_md: String,
}

/// The named values of one parameter or field.
#[derive(Debug, Serialize)]
pub struct ValueTable {
    pub anchor: String,
    pub name_md: String,
    /// The Rust enum, when the client has one.
    pub rust_type_md: Option<String>,
    pub supported_only: bool,
    pub rows: Vec<ValueRow>,
}

#[derive(Debug, Serialize)]
pub struct ValueRow {
    pub value_md: String,
    pub name_md: String,
    pub rust_md: Option<String>,
    pub description_md: String,
}

/// A link to an interface page, from a catalog or the index.
#[derive(Debug, Serialize)]
pub struct Backlink {
    /// Raw spec text.
    pub title: String,
    pub link: String,
    /// Under which condition, markdown.
    pub when_md: Option<String>,
}

/// A description cell: the spec's text escaped, then the generated remarks
/// (markdown already), with a space between those that are not empty.
fn description_cell<'a>(description: &str, notes_md: impl IntoIterator<Item = &'a String>) -> String {
    let mut out = cell(description);
    for note in notes_md.into_iter().filter(|note| !note.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(note);
    }
    out
}

fn type_md(ty: &Type) -> String {
    text(&ty.spec_name())
}

fn value_table(
    anchors: &mut Anchors,
    key: &str,
    name: &str,
    values: &[EnumValue],
    rust_type: Option<&str>,
    supported_only: bool,
) -> ValueTable {
    ValueTable {
        anchor: anchors.take(&format!("values-{}", slug(key))),
        name_md: code(name),
        rust_type_md: rust_type.map(code),
        supported_only,
        rows: values
            .iter()
            .map(|v| ValueRow {
                value_md: value_md(&v.value, true),
                name_md: code_cell(&v.name.wire),
                rust_md: rust_type.map(|t| code_cell(&format!("{t}::{}", v.name.rust))),
                description_md: cell(&v.description),
            })
            .collect(),
    }
}

/// Field rows, nested objects flattened to `parent.child` (`parent[].child` inside lists);
/// `scope` keeps value-table anchors unique across the objects of one page.
fn field_rows(
    anchors: &mut Anchors,
    scope: &str,
    prefix: &str,
    fields: &[Field],
    rows: &mut Vec<FieldRow>,
    tables: &mut Vec<ValueTable>,
) {
    for f in fields {
        let name = format!("{prefix}{}", f.name.wire);
        let values_md = if f.values.is_empty() {
            "—".to_owned()
        } else {
            f.values.iter().map(|v| labelled(&v.value, &f.values, true)).collect::<Vec<_>>().join(", ")
        };
        rows.push(FieldRow {
            name_md: code_cell(&name),
            type_md: type_md(&f.ty),
            required: f.required,
            values_md,
            description_md: cell(&f.description),
        });
        if !f.values.is_empty() {
            tables.push(value_table(anchors, &format!("{scope}{name}"), &name, &f.values, None, false));
        }
        let mut ty = &f.ty;
        let mut inner = name.clone();
        while let Type::List(item) = ty {
            inner.push_str("[]");
            ty = item;
        }
        if let Type::Object(children) = ty {
            field_rows(anchors, scope, &format!("{inner}."), children, rows, tables);
        }
    }
}

// ---------------------------------------------------------------- book.toml

#[derive(Debug, Serialize)]
pub struct BookContext<'a> {
    pub marker: String,
    pub settings: &'a Settings,
}

pub fn book(api: &Api) -> BookContext<'_> {
    BookContext { marker: format!("# {GENERATED_MARKER} from spec/. Do not edit."), settings: &api.settings }
}

// ---------------------------------------------------------------- index

#[derive(Debug, Serialize)]
pub struct ReadmeContext<'a> {
    pub marker: String,
    pub settings: &'a Settings,
    pub base_url_md: String,
    pub crate_path: String,
    pub resources: Vec<ResourceGroup<'a>>,
    /// Interfaces that do not send the auth header.
    pub without_auth: Vec<Backlink>,
    /// Interfaces whose Rust method returns the session it starts.
    pub session_starters: Vec<Backlink>,
    /// Each source as a markdown link, or as escaped text when it is not a plain web address.
    pub sources_md: Vec<String>,
    pub success_md: String,
}

#[derive(Debug, Serialize)]
pub struct ResourceGroup<'a> {
    /// Raw folder name.
    pub name: String,
    pub anchor: String,
    pub entries: Vec<IndexEntry<'a>>,
}

/// One interface in the index: the title and summary the pages show, not
/// the whole interface, which would be serialized for two pages of every
/// interface.
#[derive(Debug, Serialize)]
pub struct IndexEntry<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub link: String,
    pub method_md: String,
    pub path_md: String,
}

fn resource_groups<'a>(api: &'a Api, anchors: &mut Anchors, from_depth: usize) -> Vec<ResourceGroup<'a>> {
    let mut groups: Vec<ResourceGroup<'a>> = Vec::new();
    for it in &api.interfaces {
        let entry = IndexEntry {
            title: &it.title,
            summary: &it.summary,
            link: link(from_depth, &interface_rel(it), None),
            method_md: code_cell(it.method.as_str()),
            path_md: code_cell(&it.path),
        };
        match groups.last_mut() {
            Some(g) if g.name == it.resource.wire => g.entries.push(entry),
            _ => groups.push(ResourceGroup {
                name: it.resource.wire.clone(),
                anchor: anchors.take(&format!("resource-{}", slug(&it.resource.wire))),
                entries: vec![entry],
            }),
        }
    }
    groups
}

pub fn readme(api: &Api) -> ReadmeContext<'_> {
    let mut anchors = Anchors::default();
    for fixed in ["overview", "interfaces", "authentication", "responses", "rust-client", "references", "sources"] {
        anchors.take(fixed);
    }
    let resources = resource_groups(api, &mut anchors, 0);
    let without_auth = api
        .interfaces
        .iter()
        .filter(|it| !it.sends_guid)
        .map(|it| Backlink { title: it.title.clone(), link: link(0, &interface_rel(it), None), when_md: None })
        .collect();
    let session_starters = api
        .interfaces
        .iter()
        .filter(|it| starts_session(it))
        .map(|it| Backlink { title: it.title.clone(), link: link(0, &interface_rel(it), None), when_md: None })
        .collect();
    let sources_md = api
        .settings
        .sources
        .iter()
        .map(|s| if is_safe_url(s) { format!("[{}]({s})", text(s)) } else { text(s) })
        .collect();
    ReadmeContext {
        marker: marker("spec/"),
        settings: &api.settings,
        base_url_md: code(&base_url(&api.settings)),
        crate_path: crate_path(api),
        resources,
        without_auth,
        session_starters,
        sources_md,
        success_md: code(&api.settings.envelope.success),
    }
}

// ---------------------------------------------------------------- SUMMARY.md

#[derive(Debug, Serialize)]
pub struct SummaryContext<'a> {
    pub marker: String,
    /// The getting-started chapter is emitted.
    pub getting_started: bool,
    pub settings: &'a Settings,
    pub resources: Vec<ResourceGroup<'a>>,
}

pub fn summary(api: &Api) -> SummaryContext<'_> {
    SummaryContext {
        marker: marker("spec/"),
        getting_started: getting_started(api).is_some(),
        settings: &api.settings,
        resources: resource_groups(api, &mut Anchors::default(), 0),
    }
}

// ---------------------------------------------------------------- errors.md

#[derive(Debug, Serialize)]
pub struct ErrorsContext<'a> {
    pub marker: String,
    pub settings: &'a Settings,
    pub success_md: String,
    pub retcode_md: String,
    pub errors: Vec<ErrorEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ErrorEntry<'a> {
    pub error: &'a ErrorCode,
    pub anchor: String,
    pub code_md: String,
    pub name_md: String,
    /// Raw spec text; `None` where the spec gives no remedy.
    pub remedy: Option<String>,
    pub used_by: Vec<Backlink>,
}

pub fn errors(api: &Api) -> ErrorsContext<'_> {
    let anchors = CatalogAnchors::new(api);
    // Who lists each code, gathered in one pass: an interface may list thousands.
    let mut users: BTreeMap<&str, Vec<Backlink>> = BTreeMap::new();
    for it in &api.interfaces {
        let mut listed: Vec<&str> = it.errors.iter().map(String::as_str).collect();
        listed.sort_unstable();
        listed.dedup();
        for code in listed {
            let backlink = Backlink { title: it.title.clone(), link: link(0, &interface_rel(it), None), when_md: None };
            users.entry(code).or_default().push(backlink);
        }
    }
    let errors = api
        .errors
        .iter()
        .map(|e| ErrorEntry {
            error: e,
            anchor: anchors.error(&e.code),
            code_md: code_cell(&e.code),
            name_md: code_cell(&e.name.wire),
            remedy: e.remedy.clone(),
            used_by: users.remove(e.code.as_str()).unwrap_or_default(),
        })
        .collect();
    ErrorsContext {
        marker: marker("spec/"),
        settings: &api.settings,
        success_md: code(&api.settings.envelope.success),
        retcode_md: code(&api.settings.envelope.retcode),
        errors,
    }
}

// ---------------------------------------------------------------- events.md

#[derive(Debug, Serialize)]
pub struct EventsContext<'a> {
    pub marker: String,
    pub settings: &'a Settings,
    pub events: Vec<EventEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct EventEntry<'a> {
    pub event: &'a Event,
    pub anchor: String,
    pub name_md: String,
    /// `object`, `call ID`, ….
    pub payload_md: String,
    pub payload_description: Option<String>,
    pub fields: Vec<FieldRow>,
    pub value_tables: Vec<ValueTable>,
    pub used_by: Vec<Backlink>,
    /// What the agent's state is after the event, for state events.
    pub agent_state_md: Option<String>,
}

/// "idle", "not ready, with the reason in `reason`", … for an event's `agent_state`.
fn agent_state_md(e: &Event) -> Option<String> {
    let change = e.agent_state.as_ref()?;
    let state = change.becomes.spec_name().replace('_', " ");
    Some(match &change.reason {
        Some(r) => format!("{state}, with the reason in {}", code(&r.wire)),
        None => state,
    })
}

pub fn events(api: &Api) -> EventsContext<'_> {
    let catalog = CatalogAnchors::new(api);
    let mut anchors = Anchors::default();
    anchors.take("events");
    for a in catalog.events.values() {
        anchors.take(a);
    }
    let events = api
        .events
        .iter()
        .map(|e| {
            let (payload_md, description, fields) = match &e.payload {
                Payload::Null { description } => ("none (`null`)", description, &[][..]),
                Payload::CallId { description } => ("call ID (string)", description, &[][..]),
                Payload::String { description } => ("string", description, &[][..]),
                Payload::Unknown { description } => ("not documented (kept as JSON)", description, &[][..]),
                Payload::Object { description, fields } => ("object", description, fields.as_slice()),
            };
            let mut rows = Vec::new();
            let mut tables = Vec::new();
            let anchor = catalog.event(&e.name.wire);
            field_rows(&mut anchors, &format!("{}-", e.name.wire), "", fields, &mut rows, &mut tables);
            let used_by = api
                .interfaces
                .iter()
                .flat_map(|it| it.events.iter().filter(|u| u.event == e.name.wire).map(move |u| (it, u)))
                .map(|(it, u)| Backlink {
                    title: it.title.clone(),
                    link: link(0, &interface_rel(it), None),
                    when_md: u.when.as_ref().map(|c| condition_cell(it, c)),
                })
                .collect();
            EventEntry {
                event: e,
                anchor,
                name_md: code(&e.name.wire),
                payload_md: payload_md.to_owned(),
                payload_description: description.clone(),
                fields: rows,
                value_tables: tables,
                used_by,
                agent_state_md: agent_state_md(e),
            }
        })
        .collect();
    EventsContext { marker: marker("spec/"), settings: &api.settings, events }
}

// ---------------------------------------------------------------- interface pages

#[derive(Debug, Serialize)]
pub struct InterfaceContext<'a> {
    pub marker: String,
    pub it: InterfaceText<'a>,
    pub page: InterfacePage,
}

/// What the page shows of the interface as the IR has it, and nothing else:
/// a context is converted into template values whole, once per page, and
/// the whole interface took a fifth of the pages' rendering. The template
/// fails on a field that is not here rather than leaving it out.
#[derive(Debug, Serialize)]
pub struct InterfaceText<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub description: Option<&'a str>,
    pub prerequisites: &'a [String],
    pub result: ResultText<'a>,
    pub quirks: &'a [String],
    pub source_page: Option<&'a str>,
    pub source_updated: Option<&'a str>,
    pub log_name: Option<&'a str>,
}

/// What the page shows of the result's shape.
#[derive(Debug, Serialize)]
pub struct ResultText<'a> {
    pub description: Option<&'a str>,
}

impl<'a> InterfaceText<'a> {
    fn of(it: &'a Interface) -> Self {
        Self {
            title: &it.title,
            summary: &it.summary,
            description: it.description.as_deref(),
            prerequisites: &it.prerequisites,
            result: ResultText { description: it.result.description() },
            quirks: &it.quirks,
            source_page: it.source_page.as_deref(),
            source_updated: it.source_updated.as_deref(),
            log_name: it.log_name.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct InterfacePage {
    pub anchor: String,
    pub errors_link: String,
    pub events_link: String,
    pub method_md: String,
    pub url_md: String,
    pub spec_md: String,
    pub headers: Vec<ParamRow>,
    pub groups: Vec<ParamGroup>,
    pub value_tables: Vec<ValueTable>,
    pub rules: Vec<RuleView>,
    pub envelope: Vec<EnvelopeRow>,
    pub result: ResultView,
    pub response_headers: Vec<ResponseHeaderRow>,
    pub events: Vec<EventRef>,
    /// Mermaid source of the event-sequence figure; `None` without events.
    pub sequence: Option<String>,
    pub errors: Vec<ErrorRef>,
    pub examples: Vec<ExampleView>,
    pub rust: RustApi,
}

#[derive(Debug, Serialize)]
pub struct ParamGroup {
    /// `Path parameters`, ….
    pub title: String,
    pub anchor: String,
    pub rows: Vec<ParamRow>,
}

#[derive(Debug, Serialize)]
pub struct RuleView {
    pub sentence_md: String,
    /// The spec's own wording, raw, when it says more than the sentence.
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EnvelopeRow {
    pub name_md: String,
    pub type_md: String,
    pub description_md: String,
}

#[derive(Debug, Serialize)]
pub struct ResultView {
    /// What `result` holds, markdown.
    pub summary_md: String,
    pub vendor_type_md: Option<String>,
    pub rust_type_md: String,
    pub fields: Vec<FieldRow>,
    pub value_tables: Vec<ValueTable>,
}

#[derive(Debug, Serialize)]
pub struct ResponseHeaderRow {
    pub name_md: String,
    /// The spec's description, then what the client does with the header.
    pub description_md: String,
}

#[derive(Debug, Serialize)]
pub struct EventRef {
    pub name_md: String,
    pub link: String,
    pub when_md: Option<String>,
    pub meaning_md: String,
}

#[derive(Debug, Serialize)]
pub struct ErrorRef {
    pub code_md: String,
    pub link: String,
    pub name_md: String,
    /// `None` when never published.
    pub meaning_md: Option<String>,
    pub provenance: crate::ir::Provenance,
}

#[derive(Debug, Serialize)]
pub struct ExampleView {
    pub anchor: String,
    /// Raw spec text.
    pub name: String,
    pub request_md: String,
    pub headers_md: Vec<String>,
    pub body_json: Option<String>,
    pub response_json: String,
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// A JSON scalar as it appears in a URL or header, percent-encoded for URLs when `encode`.
fn wire_text(v: &serde_json::Value, encode: bool) -> String {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if !encode {
        return s;
    }
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URL template: path segments as written, query parameters as `name={name}`.
fn url_template(api: &Api, it: &Interface) -> String {
    let query: Vec<String> = it.params_at(Location::Query).map(|(_, p)| format!("{0}={{{0}}}", p.name.wire)).collect();
    let mut url = format!("{}{}", base_url(&api.settings), it.path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

/// The example's URL: path and query values filled in.
fn example_url(api: &Api, it: &Interface, ex: &crate::ir::Example) -> String {
    let mut url = base_url(&api.settings);
    for seg in &it.segments {
        match seg {
            Segment::Literal(l) => url.push_str(l),
            Segment::Param(i) => {
                let p = &it.params[*i];
                match ex.path.iter().find(|(k, _)| *k == p.name.wire) {
                    Some((_, v)) => url.push_str(&wire_text(v, true)),
                    None => url.push_str(&format!("{{{}}}", p.name.wire)),
                }
            }
        }
    }
    let query: Vec<String> = ex
        .query
        .iter()
        .map(|(k, v)| format!("{}={}", wire_text(&serde_json::Value::String(k.clone()), true), wire_text(v, true)))
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

fn param_row(it: &Interface, p: &Param) -> ParamRow {
    let mut ty = type_md(&p.ty);
    if let Some(v) = &p.vendor_type {
        ty.push_str(&format!(" (vendor: {})", code_cell(v)));
    }
    let mut notes_md = Vec::new();
    if p.role == Some(Role::AgentId) {
        notes_md.push(if it.sends_guid {
            "Filled in by the client from the session's agent ID.".to_owned()
        } else {
            "Passed to the client as the `agent_id` argument.".to_owned()
        });
    }
    if p.secret {
        notes_md.push("Secret: the client never prints it.".to_owned());
    }
    if p.default.is_some() {
        // The client never fills in a default (spec/README.md, "Defaults").
        notes_md.push("Sent only when set; left out, the server applies its default.".to_owned());
    }
    ParamRow {
        name_md: code_cell(&p.name.wire),
        type_md: ty,
        required: p.required,
        default_md: p
            .default
            .as_ref()
            .map(|d| labelled(d, &p.constraints.values, true))
            .unwrap_or_else(|| "—".to_owned()),
        constraints_md: constraints_md(&p.constraints, &p.ty),
        description_md: description_cell(&p.description, &notes_md),
    }
}

/// The context of `it`'s page; `catalog` is worked out once for every page.
/// Whatever it reads of `api` besides `it` must be part of the interface's
/// key in [`crate::incremental`], or an unchanged page could be reused.
pub fn interface<'a>(api: &'a Api, it: &'a Interface, catalog: &CatalogAnchors) -> InterfaceContext<'a> {
    let s = &api.settings;
    let mut anchors = Anchors::default();
    // The template's fixed section anchors first, so nothing generated can take them.
    for fixed in [
        "prerequisites",
        "request",
        "headers",
        "path-parameters",
        "query-parameters",
        "body-parameters",
        "values",
        "rules",
        "response",
        "result",
        "response-headers",
        "events",
        "errors",
        "examples",
        "quirks",
        "source",
        "rust",
    ] {
        anchors.take(fixed);
    }
    let anchor = anchors.take(&slug(&it.operation.wire));
    let depth = 1;

    let mut headers = vec![ParamRow {
        name_md: code_cell("Content-Type"),
        type_md: "string".to_owned(),
        required: true,
        default_md: "—".to_owned(),
        constraints_md: format!("exactly {}", code_cell(&s.content_type)),
        description_md: "Set by the client on every request.".to_owned(),
    }];
    if it.sends_guid {
        headers.push(ParamRow {
            name_md: code_cell(&s.auth_header),
            type_md: "string".to_owned(),
            required: true,
            default_md: "—".to_owned(),
            constraints_md: "—".to_owned(),
            description_md: format!(
                "The session token; see [Authentication]({}). Set by the client from the session.",
                link(depth, "README.md", Some("authentication"))
            ),
        });
    }
    headers.extend(it.params_at(Location::Header).map(|(_, p)| param_row(it, p)));

    let mut groups = Vec::new();
    for (location, title, anchor) in [
        (Location::Path, "Path parameters", "path-parameters"),
        (Location::Query, "Query parameters", "query-parameters"),
        (Location::Body, "Body parameters", "body-parameters"),
    ] {
        let rows: Vec<ParamRow> = it.params_at(location).map(|(_, p)| param_row(it, p)).collect();
        if !rows.is_empty() {
            groups.push(ParamGroup { title: title.to_owned(), anchor: anchor.to_owned(), rows });
        }
    }
    let value_tables = it
        .params
        .iter()
        .filter(|p| !p.constraints.values.is_empty())
        .map(|p| {
            let rust = (!p.secret).then_some(p.type_name.rust.as_str());
            value_table(
                &mut anchors,
                &p.name.wire,
                &p.name.wire,
                &p.constraints.values,
                rust,
                p.constraints.supported_only,
            )
        })
        .collect();
    let rules = it
        .rules
        .iter()
        .map(|r| RuleView { sentence_md: rule_md(it, r), note: rule_note(it, r).map(str::to_owned) })
        .collect();

    let env = &s.envelope;
    let mut envelope = vec![
        EnvelopeRow {
            name_md: code_cell(&env.retcode),
            type_md: "string".to_owned(),
            description_md: format!(
                "{} on success; otherwise an error code, see [Errors](#errors) and the [error reference]({}).",
                code_cell(&env.success),
                link(depth, "errors.md", None)
            ),
        },
        EnvelopeRow {
            name_md: code_cell(&env.message),
            type_md: "string".to_owned(),
            description_md: "Text describing the outcome.".to_owned(),
        },
    ];
    let mut result_fields = Vec::new();
    let mut result_tables = Vec::new();
    let (summary_md, vendor_type) = match &it.result {
        ResultShape::None { vendor_type, .. } => {
            (format!("The page documents no {} member.", code(&it.result_member)), vendor_type)
        }
        ResultShape::Reserved { vendor_type, .. } => {
            (format!("{} is reserved by the vendor and carries no data.", code(&it.result_member)), vendor_type)
        }
        ResultShape::CallId { vendor_type, .. } => (
            format!(
                "{} is the ID of the call the request created (a string). A success without a readable ID still means the call was placed: the Rust method then returns `None`.",
                code(&it.result_member)
            ),
            vendor_type,
        ),
        ResultShape::Object { vendor_type, fields, one_or_list, .. } => {
            field_rows(&mut anchors, "result-", "", fields, &mut result_fields, &mut result_tables);
            let mut summary = format!("{} is an object with the fields below.", code(&it.result_member));
            if *one_or_list {
                summary.push_str(" The gateway may also send it as the only element of a list; the client reads either form. A list of any other length is not read as one of its elements: the fields are then left empty, and the call still succeeds.");
            }
            (summary, vendor_type)
        }
        ResultShape::List { vendor_type, fields, .. } => {
            field_rows(&mut anchors, "result-", "", fields, &mut result_fields, &mut result_tables);
            (format!("{} is a list of objects, each with the fields below.", code(&it.result_member)), vendor_type)
        }
        ResultShape::Event { vendor_type, .. } => (
            format!(
                "{} holds at most one event (or is null); its content follows the [event reference]({}).",
                code(&it.result_member),
                link(depth, "events.md", None)
            ),
            vendor_type,
        ),
    };
    let result_row_md = match &it.result {
        ResultShape::None { .. } => None,
        ResultShape::Reserved { .. } => Some(("object", "Reserved; carries no data.")),
        ResultShape::CallId { .. } => Some(("string", "ID of the call.")),
        ResultShape::Object { .. } => Some(("object", "See [Result](#result).")),
        ResultShape::List { .. } => Some(("list of objects", "See [Result](#result).")),
        ResultShape::Event { .. } => Some(("object", "One event, or null. See [Result](#result).")),
    };
    if let Some((ty, d)) = result_row_md {
        envelope.push(EnvelopeRow {
            name_md: code_cell(&it.result_member),
            type_md: ty.to_owned(),
            description_md: d.to_owned(),
        });
    }
    let result = ResultView {
        summary_md,
        vendor_type_md: vendor_type.as_deref().map(code),
        rust_type_md: code(&result_type(it)),
        fields: result_fields,
        value_tables: result_tables,
    };
    let response_headers = it
        .response_headers
        .iter()
        .map(|h| ResponseHeaderRow {
            name_md: code_cell(&h.name),
            description_md: description_cell(
                &h.description,
                &h.role.map(|_| {
                    format!(
                        "Carries a new session token for the {} header; the client keeps it.",
                        code_cell(&s.auth_header)
                    )
                }),
            ),
        })
        .collect();

    let events = it
        .events
        .iter()
        .map(|u| EventRef {
            name_md: code_cell(&u.event),
            link: link(depth, "events.md", Some(&catalog.event(&u.event))),
            when_md: u.when.as_ref().map(|c| condition_cell(it, c)),
            meaning_md: api.event(&u.event).map(|e| cell(&e.meaning)).unwrap_or_default(),
        })
        .collect();
    let errors = it
        .errors
        .iter()
        .filter_map(|c| api.error(c))
        .map(|e| ErrorRef {
            code_md: code_cell(&e.code),
            link: link(depth, "errors.md", Some(&catalog.error(&e.code))),
            name_md: code_cell(&e.name.wire),
            meaning_md: e.meaning.as_deref().map(cell),
            provenance: e.provenance,
        })
        .collect();
    let examples = it
        .examples
        .iter()
        .enumerate()
        .map(|(i, ex)| ExampleView {
            anchor: anchors.take(&format!("example-{}", i + 1)),
            name: ex.name.clone(),
            request_md: code(&format!("{} {}", it.method.as_str(), example_url(api, it, ex))),
            headers_md: ex.headers.iter().map(|(k, v)| code(&format!("{k}: {}", wire_text(v, false)))).collect(),
            body_json: ex.body.as_ref().map(pretty),
            response_json: pretty(&ex.response),
        })
        .collect();

    InterfaceContext {
        marker: marker(&format!("spec/{}", it.source)),
        it: InterfaceText::of(it),
        page: InterfacePage {
            anchor,
            errors_link: link(depth, "errors.md", None),
            events_link: link(depth, "events.md", None),
            method_md: code(it.method.as_str()),
            url_md: code(&url_template(api, it)),
            spec_md: code(&format!("spec/{}", it.source)),
            headers,
            groups,
            value_tables,
            rules,
            envelope,
            result,
            response_headers,
            events,
            sequence: super::sequence::figure(api, it),
            errors,
            examples,
            rust: rust_api(api, it),
        },
    }
}

// ---------------------------------------------------------------- getting-started.md

/// The operations the getting-started chapter walks through, by operation name.
const WALKTHROUGH: [&str; 5] = ["login", "poll_events", "call_inner", "release", "logout"];

#[derive(Debug, Serialize)]
pub struct GettingStartedContext<'a> {
    pub marker: String,
    pub settings: &'a Settings,
    /// The crate's path in Rust code.
    pub krate: String,
    pub default_port: u16,
    /// Links to the pages of [`WALKTHROUGH`]'s interfaces, in that order.
    pub login_link: String,
    pub poll_link: String,
    pub call_link: String,
    pub release_link: String,
    pub logout_link: String,
}

/// The getting-started chapter's context, or `None` when the spec tree lacks
/// one of the interfaces it walks through (the chapter is then left out).
pub fn getting_started(api: &Api) -> Option<GettingStartedContext<'_>> {
    let page = |operation: &str| {
        let it = api.interfaces.iter().find(|it| it.operation.wire == operation)?;
        Some(link(0, &interface_rel(it), None))
    };
    let [login, poll, call, release, logout] = WALKTHROUGH.map(page);
    Some(GettingStartedContext {
        marker: marker("spec/"),
        settings: &api.settings,
        krate: crate_path(api),
        default_port: api.settings.default_port,
        login_link: login?,
        poll_link: poll?,
        call_link: call?,
        release_link: release?,
        logout_link: logout?,
    })
}
