//! `ccgen import`: drafts an interface spec from the plain-text form of a vendor page.
//!
//! The page is read by structure (section headings, table headers and column counts), never by
//! line offsets, in stages:
//!
//! 1. [`page`] splits the text into headings, text, bullets and tables;
//! 2. [`complete`] looks for signs that the page is incomplete (a page that is only partly
//!    there is refused, since its missing facts would read as removed);
//! 3. `sections` sorts the blocks into the page's sections;
//! 4. this module draws the facts from the sections into a [`draft::Draft`] (names, URI,
//!    parameters, rules, result, example), with [`prose`] turning description sentences into
//!    constraints where the wording is unambiguous.
//!
//! Whatever cannot be placed is reported as a [`Warning`] with the page's line number. The
//! draft keeps the vendor's wording for descriptions; a person rewrites them later.
//!
//! An existing spec is brought up to date by [`update`] (on the YAML tree, then written back
//! with minimal edits by [`patch`], curated rules and examples adjusted by [`curated`]),
//! compared with [`compare`], and the vendor's wording is remembered by [`memory`].

pub mod batch;
pub mod catalogs;
pub mod cli;
pub mod compare;
pub mod complete;
pub mod curated;
pub mod draft;
pub mod memory;
pub mod naming;
mod origin;
pub mod page;
pub mod patch;
pub mod prose;
mod sections;
pub mod update;
pub mod yaml;

use std::collections::BTreeSet;
use std::path::Path;

use regex_lite::Regex;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::model::InterfaceFile;
use crate::load::{self, RawFile};
use draft::{Condition, Draft, Example, Param, ResultDraft, Rule, Scalar};
use page::{Block, Col, Line, Table};
use sections::PageSections;

/// Something on the page the import could not place, or had to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line of the page; 0 when the problem concerns the page as a whole.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "warning: {}", self.message)
        } else {
            write!(f, "line {}: warning: {}", self.line, self.message)
        }
    }
}

/// Settings the import needs from `api.yaml`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path prefix in front of every interface path.
    pub base_path: String,
    /// Request headers declared once in `api.yaml`; their table rows are skipped.
    pub implied_headers: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            base_path: "/agentgateway/resource".to_owned(),
            implied_headers: vec!["Content-Type".to_owned(), "Guid".to_owned()],
        }
    }
}

/// The result of importing one page.
#[derive(Debug, Clone)]
pub struct Imported {
    pub draft: Draft,
    pub warnings: Vec<Warning>,
    /// Where the spec belongs below the spec directory (`voicecall/callinner.yaml`).
    pub rel_path: String,
    /// Signs that the page is incomplete (see [`complete`]); a page with any is not used.
    pub incomplete: Vec<Warning>,
    /// The list the page ends in with nothing after it, at its heading's line
    /// ([`complete::open_end`]).
    pub open_end: Option<(usize, complete::OpenList)>,
}

impl Imported {
    /// The draft as a spec file.
    pub fn to_yaml(&self) -> String {
        let body = yaml::to_string(&crate::load::document::to_value(&self.draft).unwrap_or_default());
        // Editors validate and complete against the schema the first line names.
        let modeline = crate::load::schema::modeline(&self.rel_path).map(|m| m + "\n").unwrap_or_default();
        format!(
            "{modeline}# {}. Drafted by `ccgen import` from the vendor page \"{}\".\n# Descriptions, summary and prerequisites are still the vendor's wording; rewrite them in our own words.\n{body}",
            self.draft.title, self.draft.source.page
        )
    }
}

struct Ctx {
    warnings: Vec<Warning>,
    quirks: Vec<String>,
}

impl Ctx {
    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning { line, message: message.into() });
    }

    fn unplaced(&mut self, block: &Block, section: &str) {
        match block {
            Block::Heading(l) | Block::Text(l) | Block::Bullet(l) => {
                self.warn(l.no, format!("not placed ({section}): {}", l.text))
            }
            Block::Table(t) => self.warn(
                t.line,
                format!("table not placed ({section}): {}", t.caption.as_deref().unwrap_or("no caption")),
            ),
        }
    }
}

/// A parameter read from a table, with the rules its description implies.
struct ParamRow {
    /// Line of the row's name cell.
    line: usize,
    param: Param,
    rules: Vec<prose::RawRule>,
    table_refs: Vec<(usize, u32, String)>,
}

/// Imports one page.
pub fn import_page(text: &str, options: &Options) -> Imported {
    // A byte-order mark would glue itself to the first line ("Updated on ..." or the title).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = page::parse(text);
    let incomplete = complete::problems(&parsed, text.lines().count());
    let open_end = complete::open_end(&parsed);
    let mut cx = Ctx { warnings: Vec::new(), quirks: Vec::new() };
    for (line, what) in &parsed.stray {
        cx.warn(*line, what.clone());
    }

    let s = sections::read(&parsed, &mut cx);
    let mut d = Draft {
        prerequisites: s.prerequisites.clone(),
        log_name: Some(s.log_name.clone()).filter(|n| !n.is_empty()),
        events: s.events.iter().map(|(e, _)| e.clone()).collect(),
        errors: s.errors.iter().map(|(e, _)| e.clone()).collect(),
        event_lines: s.events.iter().map(|(_, l)| *l).collect(),
        error_lines: s.errors.iter().map(|(_, l)| *l).collect(),
        meanings: s.meanings.clone(),
        ..Draft::default()
    };
    d.source.page = s.title.clone();
    d.source.updated = s.updated.clone();
    for (key, heading) in [
        ("prerequisites", "prerequisites"),
        ("summary", "description"),
        ("method", "interface method"),
        ("path", "uri"),
        ("log_name", "method name in logs"),
        ("response", "response description"),
        ("events", "triggered event"),
        ("events", "triggered events"),
        ("errors", "error code"),
        ("errors", "error codes"),
        ("examples", "example"),
        ("examples", "examples"),
    ] {
        if let Some(line) = s.headings.get(heading) {
            d.lines.insert(key, *line);
        }
    }
    names(&s, &mut d, &mut cx);
    let (path_names, query_names) = uri_template(&s, &mut d, options, &mut cx);
    let implied = parameters(&s, &mut d, (&path_names, &query_names), options, &mut cx);
    rules(implied, &parsed.table_numbers, &mut d, &mut cx);
    response(&s, &mut d, &mut cx);

    // Examples.
    example(&s.example_parts, &mut d, &mut cx);

    if d.log_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case("none")) {
        // "None" says the interface logs under no name: no log name, and no method name either.
        d.log_name = None;
    }
    let named = naming::names(d.log_name.as_deref().unwrap_or_default(), &d.method, &d.path);
    d.operation = named.operation;
    let rel_path = named.rel_path;
    if named.from_path {
        // No usable log name ("None", or none at all): named after method and path instead.
        cx.warn(
            s.log_line,
            format!(
                "the page gives no usable log name; the operation is named after its path: {} ({rel_path})",
                d.operation
            ),
        );
    }

    let mut quirks = Vec::new();
    for q in cx.quirks.drain(..) {
        if !quirks.contains(&q) {
            quirks.push(q);
        }
    }
    d.quirks = quirks;
    let mut warnings = cx.warnings;
    warnings.sort_by_key(|w| w.line);
    warnings.dedup();
    Imported { draft: d, warnings, rel_path, incomplete, open_end }
}

/// Title, log name, operation, summary, description and method.
fn names(s: &PageSections, d: &mut Draft, cx: &mut Ctx) {
    let full_title = s.title.as_str();
    let description = &s.description;
    let methods = &s.methods;
    // Title: "Session Transfer: transfer" names the log name after the colon.
    // The page prints the suffix in its own case ("Setting Idle: sayfree" for sayFree).
    let log_name = d.log_name.as_deref().unwrap_or_default();
    d.title = match full_title.rsplit_once(": ") {
        Some((head, tail)) if !log_name.is_empty() && tail.eq_ignore_ascii_case(log_name) => head.to_owned(),
        _ => full_title.to_owned(),
    };
    if log_name.is_empty() {
        cx.warn(0, "the page has no \"Method Name in Logs\"");
    }

    // Description and summary.
    let text = description.join(" ");
    let sentences = prose::sentences(&text);
    d.summary = sentences.first().cloned().unwrap_or_else(|| d.title.clone());
    if sentences.len() > 1 {
        d.description = Some(text);
    }
    if description.is_empty() {
        cx.warn(0, "the page has no description; the title is used as summary");
    }

    // Method.
    let distinct: BTreeSet<&str> = methods.iter().map(|(_, m)| m.as_str()).collect();
    match distinct.len() {
        0 => cx.warn(0, "the page names no request method"),
        1 => {}
        _ => cx.warn(
            methods[0].0,
            format!(
                "the page names several methods ({}); the first is used",
                distinct.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ),
    }
    d.method = methods.first().map(|(_, m)| m.clone()).unwrap_or_default();
}

/// The path below the base path; the names of the path and query parameters.
fn uri_template(s: &PageSections, d: &mut Draft, options: &Options, cx: &mut Ctx) -> (Vec<String>, Vec<String>) {
    // URI template.
    match &s.uri {
        Some((line, u)) => {
            let (path, query) = split_uri(u, &options.base_path, *line, cx);
            d.path = path;
            let placeholders: Vec<String> = Regex::new(r"\{([^}]*)\}")
                .expect("static regex")
                .captures_iter(&d.path)
                .map(|c| c[1].to_owned())
                .collect();
            (placeholders, query)
        }
        None => {
            cx.warn(0, "the page has no URI");
            (Vec::new(), Vec::new())
        }
    }
}

/// Rules and table references the parameters' descriptions imply.
type Implied = (Vec<prose::RawRule>, Vec<(usize, u32, String)>);

/// Parameters from the URI, header and body tables.
fn parameters(
    s: &PageSections,
    d: &mut Draft,
    names: (&[String], &[String]),
    options: &Options,
    cx: &mut Ctx,
) -> Implied {
    let mut implied = (Vec::new(), Vec::new());
    uri_parameters(s, d, names, &mut implied, cx);
    table_parameters(s, d, options, &mut implied, cx);
    implied
}

/// Keeps a row's parameter and the rules its description implies.
fn take(row: ParamRow, list: &mut Vec<Param>, implied: &mut Implied) {
    implied.0.extend(row.rules);
    implied.1.extend(row.table_refs);
    list.push(row.param);
}

/// Path and query parameters: the URI table, checked against the template.
fn uri_parameters(s: &PageSections, d: &mut Draft, names: (&[String], &[String]), implied: &mut Implied, cx: &mut Ctx) {
    let (path_names, query_names) = names;
    let PageSections { uri, uri_table, .. } = s;
    let mut in_table: BTreeSet<String> = BTreeSet::new();
    if let Some(t) = &uri_table {
        for r in rows(t, cx) {
            let name = r.param.name.clone();
            in_table.insert(name.clone());
            if path_names.contains(&name) {
                let mut r = r;
                if !r.param.required {
                    cx.warn(r.line, format!("path parameter `{name}` is marked optional on the page; path parameters are always required"));
                    r.param.required = true;
                }
                if name == "agentid" {
                    r.param.role = Some("agent_id".to_owned());
                }
                take(r, &mut d.parameters.path, implied);
            } else if query_names.contains(&name) {
                cx.quirks.push(format!(
                    "The page's URI table lists {name} next to the path parameters, but the URI template sends it in the query string (?{name}={{{name}}})."
                ));
                take(r, &mut d.parameters.query, implied);
            } else {
                cx.warn(r.line, format!("URI table lists `{name}`, which the URI template does not contain; left out"));
                cx.quirks.push(format!(
                    "The page's URI table lists {name}, which its URI template does not contain; it is left out."
                ));
            }
        }
    }
    // Order path parameters as in the template.
    d.parameters.path.sort_by_key(|p| path_names.iter().position(|n| *n == p.name));
    for name in path_names.iter().chain(query_names) {
        if !in_table.contains(name) {
            let line = uri.as_ref().map_or(0, |u| u.0);
            cx.warn(
                line,
                format!("`{name}` appears in the URI template but not in the URI table; declared as a string"),
            );
            let param = Param {
                line,
                name: name.clone(),
                ty: "string".to_owned(),
                required: path_names.contains(name),
                role: (name == "agentid").then(|| "agent_id".to_owned()),
                description: "Not described on the page.".to_owned(),
                ..Param::default()
            };
            if path_names.contains(name) { d.parameters.path.push(param) } else { d.parameters.query.push(param) }
        }
    }
}

/// Header and body parameters from their tables.
fn table_parameters(s: &PageSections, d: &mut Draft, options: &Options, implied: &mut Implied, cx: &mut Ctx) {
    let PageSections { header_tables, body_tables, body_none, .. } = s;
    for t in header_tables {
        for r in rows(t, cx) {
            if options.implied_headers.iter().any(|h| h.eq_ignore_ascii_case(&r.param.name)) {
                continue;
            }
            take(r, &mut d.parameters.header, implied);
        }
    }
    if *body_none && !body_tables.is_empty() {
        cx.warn(body_tables[0].line, "the message body is said to be \"None\" and also has a table; the table is used");
    }
    for (i, t) in body_tables.iter().enumerate() {
        let caption = t.caption.clone().unwrap_or_default();
        let words: Vec<&str> = caption.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
        if let Some(parent) =
            d.parameters.body.iter().find(|p| i > 0 && words.contains(&p.name.as_str())).map(|p| p.name.clone())
        {
            // Members of an object parameter: the spec format has no nested parameters.
            let names: Vec<String> = t.rows.iter().filter_map(|r| r.get(t, Col::Name)).collect();
            cx.warn(
                t.line,
                format!(
                    "table \"{caption}\" lists the members of `{parent}` ({}); nested parameters are not modeled",
                    names.join(", ")
                ),
            );
            cx.quirks.push(format!(
                "The page lists the members of {parent} ({}), which the spec does not model yet.",
                names.join(", ")
            ));
            continue;
        }
        if i > 0 {
            cx.warn(t.line, format!("a further body table (\"{caption}\"); its rows are read as more body parameters"));
        }
        for r in rows(t, cx) {
            take(r, &mut d.parameters.body, implied);
        }
    }
}

/// Rules from the parameters' descriptions; references to tables the page lacks.
fn rules(implied: Implied, table_numbers: &[u32], d: &mut Draft, cx: &mut Ctx) {
    let (pending_rules, table_refs) = implied;
    // Rules.
    for raw in pending_rules {
        let Some(other) = d.parameters.all().find(|p| p.name == raw.when_param) else {
            cx.warn(
                raw.line,
                format!(
                    "`{}`: the condition names `{}`, which is not a parameter; kept only in the description",
                    raw.param, raw.when_param
                ),
            );
            continue;
        };
        let integer = other.ty == "integer";
        let equals = match raw.when_value.parse::<i64>() {
            Ok(i) if integer => Scalar::Int(i),
            _ => Scalar::Str(raw.when_value.clone()),
        };
        if raw.kind == "only_when" && d.parameters.all().any(|p| p.name == raw.param && p.required) {
            cx.warn(
                raw.line,
                format!(
                    "`{}` is mandatory but said to be valid only when {} is {}; no rule is made",
                    raw.param, raw.when_param, raw.when_value
                ),
            );
            cx.quirks.push(format!(
                "The page marks {} mandatory but says it is valid only when {} is {}.",
                raw.param, raw.when_param, raw.when_value
            ));
            continue;
        }
        d.rules.push(Rule {
            line: raw.line,
            kind: raw.kind.to_owned(),
            param: raw.param,
            when: Condition { param: raw.when_param, equals },
            values: raw.values,
            description: raw.description,
        });
    }
    for (line, n, param) in table_refs {
        if !table_numbers.contains(&n) {
            cx.warn(line, format!("`{param}` refers to Table {n}, which the page does not contain"));
            cx.quirks.push(format!("The description of {param} refers to a \"Table {n}\" that the page does not contain; the values given inline are used instead."));
        }
    }
}

/// The result, from the response tables (and the example, for a call ID).
fn response(s: &PageSections, d: &mut Draft, cx: &mut Ctx) {
    let PageSections { response_table, result_tables, response_none, example_parts, .. } = s;
    // Response.
    d.response.result = match &response_table {
        Some(t) => {
            let example_result = Regex::new(r#""result"\s*:\s*"\d+-\d+""#).expect("static regex");
            let call_id_example = example_parts
                .iter()
                .any(|(part, _, lines)| *part == "response" && example_result.is_match(&page::join(lines)));
            result_kind(t, result_tables, call_id_example, cx)
        }
        None => {
            if !response_none {
                cx.warn(0, "the page has no response table; result kind `none` assumed");
            }
            ResultDraft {
                kind: "none".to_owned(),
                description: Some("The page documents no response.".to_owned()),
                ..ResultDraft::default()
            }
        }
    };
}

/// Splits a URI line into the path below `base_path` and the query parameter names.
fn split_uri(uri: &str, base_path: &str, line: usize, cx: &mut Ctx) -> (String, Vec<String>) {
    let uri = uri.split_whitespace().last().unwrap_or(uri);
    let after_host = match uri.find("://") {
        Some(i) => {
            let rest = &uri[i + 3..];
            rest.find('/').map_or("", |j| &rest[j..])
        }
        None => uri,
    };
    let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
    let path = match path.find(base_path) {
        Some(i) => path[i + base_path.len()..].to_owned(),
        None => {
            cx.warn(line, format!("the URI does not contain the base path {base_path}; the whole path is kept"));
            path.to_owned()
        }
    };
    let mut names = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !value.is_empty() && value != format!("{{{name}}}") {
            cx.warn(line, format!("query parameter `{name}` has the fixed value `{value}` in the URI template; declared as a parameter"));
        }
        names.push(name.to_owned());
    }
    (path, names)
}

/// Spec type, list item type, for a type the page prints.
fn spec_type(vendor: &str) -> (String, Option<String>) {
    match vendor.trim().to_ascii_lowercase().as_str() {
        "string" => ("string".into(), None),
        "int" | "integer" | "long" | "number" => ("integer".into(), None),
        "bool" | "boolean" => ("boolean".into(), None),
        "object" | "json" => ("object".into(), None),
        "map" => ("map".into(), None),
        "string[]" | "list<string>" | "list" | "array" => ("list".into(), Some("string".into())),
        "int[]" => ("list".into(), Some("integer".into())),
        other => (other.to_owned(), None),
    }
}

/// Parameters of a request table.
fn rows(table: &Table, cx: &mut Ctx) -> Vec<ParamRow> {
    rows_of(table, true, cx)
}

/// Rows of a table; `request` tables are expected to have a mandatory column.
fn rows_of(table: &Table, request: bool, cx: &mut Ctx) -> Vec<ParamRow> {
    let mut out = Vec::new();
    if !table.columns.iter().any(|(c, _)| *c == Col::Type) {
        cx.warn(table.line, "the table has no type column; parameters are declared as strings");
    }
    if table.columns.last().is_some_and(|(c, _)| *c != Col::Description) {
        cx.warn(table.line, "the table's last column is not the description; cells may be misread");
    }
    for (c, name) in &table.columns {
        if matches!(c, Col::Other | Col::Default) {
            cx.warn(table.line, format!("column \"{name}\" is not read"));
        }
    }
    for row in &table.rows {
        let Some(name) = row.get(table, Col::Name) else { continue };
        let vendor = row.get(table, Col::Type).unwrap_or_else(|| "string".to_owned());
        let (ty, items) = spec_type(&vendor);
        if vendor.to_ascii_lowercase().contains("list") || vendor.contains("[]") || vendor.eq_ignore_ascii_case("array")
        {
            cx.warn(row.line, format!("`{name}` is a list ({vendor}); its element type is a guess"));
        }
        let required = match row.get(table, Col::Mandatory).map(|m| m.to_ascii_lowercase()) {
            Some(m) if m == "yes" || m == "y" || m == "mandatory" => true,
            Some(m) if m == "no" || m == "n" || m == "optional" => false,
            Some(m) => {
                cx.warn(row.line, format!("`{name}`: mandatory column says \"{m}\"; taken as optional"));
                false
            }
            None => {
                if request {
                    cx.warn(row.line, format!("`{name}`: the table has no mandatory column; taken as optional"));
                }
                false
            }
        };
        let lines = row.lines(table, Col::Description);
        let p = prose::read(&name, &ty, &lines);
        for (line, w) in p.warnings {
            cx.warn(line, w);
        }
        cx.quirks.extend(p.quirks);
        let mut description = p.description;
        if description.is_empty() {
            cx.warn(row.line, format!("`{name}` has no description"));
            description = "Not described on the page.".to_owned();
        }
        out.push(ParamRow {
            line: row.get_line(table, Col::Name).unwrap_or(row.line),
            param: Param {
                line: row.get_line(table, Col::Name).unwrap_or(row.line),
                name,
                ty,
                items,
                required,
                default: p.default,
                role: None,
                vendor_type: None,
                description,
                constraints: p.constraints,
            },
            rules: p.rules,
            table_refs: p.table_refs,
        });
    }
    out
}

/// The result kind from the response table, and the members of an object result from the
/// tables that follow it.
fn result_kind(table: &Table, more: &[Table], call_id_example: bool, cx: &mut Ctx) -> ResultDraft {
    let mut result = None;
    for row in &table.rows {
        let name = row.get(table, Col::Name).unwrap_or_default();
        match name.as_str() {
            "retcode" | "message" => {}
            "result" => result = Some(row),
            other => {
                let ty = row.get(table, Col::Type).unwrap_or_default();
                cx.warn(
                    row.line,
                    format!("response member `{other}` is not placed (only retcode, message and result are read)"),
                );
                cx.quirks.push(format!("The page's response table lists a member {other} ({ty}) besides retcode, message and result; it is not modeled."));
            }
        }
    }
    let Some(row) = result else {
        for t in more {
            cx.warn(t.line, "the response has no result row, but a further table; not placed");
        }
        return ResultDraft {
            kind: "none".to_owned(),
            description: Some("The page lists only retcode and message; no result member is documented.".to_owned()),
            ..ResultDraft::default()
        };
    };
    let vendor = row.get(table, Col::Type).unwrap_or_default();
    let description = row.get(table, Col::Description).unwrap_or_default();
    let lower = vendor.to_ascii_lowercase();
    let reserved = description.to_ascii_lowercase().contains("reserved");
    let kind = |kind: &str| ResultDraft {
        kind: kind.to_owned(),
        vendor_type: Some(vendor.clone()),
        description: Some(description.clone()),
        fields: None,
    };
    let list = matches!(lower.as_str(), "list" | "array") || lower.starts_with("list<");
    if (lower == "object" || lower == "map") && !more.is_empty() && !reserved {
        ResultDraft { fields: Some(result_fields(more, cx)), ..kind("object") }
    } else if list && !more.is_empty() && !reserved {
        // "Each object in the list contains the fields in Table N": the tables give the items.
        ResultDraft { fields: Some(result_fields(more, cx)), ..kind("list") }
    } else if lower == "object" || lower == "map" {
        if !reserved {
            cx.warn(row.line, format!("result of type {vendor} (\"{description}\") has no member table; declared reserved, fill in its fields"));
            cx.quirks.push(format!(
                "The page documents a result of type {vendor} without listing its members; it is declared reserved."
            ));
        }
        for t in more {
            cx.warn(t.line, "a further response table follows a reserved result; not placed");
        }
        kind("reserved")
    } else if lower == "string" && (names_call_id(&description) || call_id_example) {
        kind("call_id")
    } else {
        for t in more {
            let names: Vec<String> = t.rows.iter().filter_map(|r| r.get(t, Col::Name)).collect();
            cx.warn(
                t.line,
                format!(
                    "the members of the {vendor} result ({}) are not modeled; the table is not placed",
                    names.join(", ")
                ),
            );
        }
        cx.warn(
            row.line,
            format!(
                "result of type {vendor} (\"{description}\") is neither an object nor a call ID; declared reserved"
            ),
        );
        cx.quirks.push(format!("The page documents a result of type {vendor}, which the spec format cannot express yet; it is declared reserved."));
        kind("reserved")
    }
}

/// The members of an object result, or of each item of a list result, from their tables.
fn result_fields(tables: &[Table], cx: &mut Ctx) -> Vec<draft::Field> {
    let mut fields = Vec::new();
    for t in tables {
        for r in rows_of(t, false, cx) {
            for raw in &r.rules {
                cx.warn(
                    raw.line,
                    format!(
                        "result member `{}` has a {} condition, which results cannot express; kept in its description",
                        r.param.name, raw.kind
                    ),
                );
            }
            let c = &r.param.constraints;
            if c.range.is_some() || c.chars.is_some() || c.bytes.is_some() || c.pattern.is_some() {
                cx.warn(
                    r.line,
                    format!(
                        "result member `{}` states limits, which fields do not carry; kept in its description",
                        r.param.name
                    ),
                );
            }
            fields.push(draft::Field {
                name: r.param.name,
                ty: r.param.ty,
                items: r.param.items,
                description: r.param.description,
                values: r.param.constraints.values,
            });
        }
    }
    fields
}

/// Whether a result's description says it is a call ID, in the wordings pages use.
fn names_call_id(description: &str) -> bool {
    let lower = description.to_lowercase();
    ["call id", "callid", "call-id", "呼叫id", "呼叫标识"].iter().any(|w| lower.contains(w))
}

/// Removes commas that directly precede `}` or `]`; returns whether any were removed.
fn strip_trailing_commas(text: &str) -> (String, bool) {
    let re = Regex::new(r",(\s*[}\]])").expect("static regex");
    let out = re.replace_all(text, "$1").into_owned();
    let changed = out != text;
    (out, changed)
}

/// A made-up value that satisfies a parameter's declaration.
fn sample(p: &Param) -> serde_json::Value {
    if let Some(v) = p.constraints.values.first() {
        return match &v.value {
            Scalar::Bool(b) => serde_json::Value::from(*b),
            Scalar::Int(i) => serde_json::Value::from(*i),
            Scalar::Str(s) => serde_json::Value::from(s.clone()),
        };
    }
    if let Some(r) = &p.constraints.range {
        return if p.ty == "string" {
            serde_json::Value::from(r.min.to_string())
        } else {
            serde_json::Value::from(r.min)
        };
    }
    match p.ty.as_str() {
        "integer" => serde_json::Value::from(1),
        "boolean" => serde_json::Value::from(false),
        _ => serde_json::Value::from("1"),
    }
}

fn example(parts: &[(&'static str, usize, Vec<Line>)], d: &mut Draft, cx: &mut Ctx) {
    if parts.is_empty() {
        cx.warn(0, "the page has no example; none is drafted");
        return;
    }
    let mut ex = Example { name: "Example from the page".to_owned(), ..Example::default() };
    let mut response = None;
    let mut headers = serde_json::Map::new();
    let request_line = parts.iter().find(|(p, _, _)| *p == "request").map_or(parts[0].1, |(_, l, _)| *l);
    ex.line = request_line;
    for (part, line, lines) in parts {
        let text = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
        match *part {
            "header" => {
                for l in lines {
                    // The flattened layout puts both headers on one line.
                    for piece in split_headers(&l.text) {
                        let Some((name, value)) = piece.split_once(':') else {
                            cx.warn(l.no, format!("example header line not understood: {piece}"));
                            continue;
                        };
                        let name = name.trim();
                        if name.eq_ignore_ascii_case("Content-Type") || name.eq_ignore_ascii_case("Guid") {
                            continue;
                        }
                        match d.parameters.header.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
                            Some(p) => {
                                headers.insert(p.name.clone(), serde_json::Value::from(value.trim()));
                            }
                            None => cx.warn(
                                l.no,
                                format!("example sends header `{name}`, which is not a header parameter; left out"),
                            ),
                        }
                    }
                }
            }
            "request" => {
                if text.trim().is_empty() || text.trim().eq_ignore_ascii_case("none") {
                    continue;
                }
                let Some(value) = json(&text, *line, "request", cx) else { continue };
                ex.body = Some(value);
            }
            _ => {
                if text.trim().is_empty() || text.trim().eq_ignore_ascii_case("none") {
                    continue;
                }
                if let Some(value) = json(&text, *line, "response", cx) {
                    response = Some((*line, value));
                }
            }
        }
    }
    let Some((response_line, mut response)) = response else {
        cx.warn(parts[0].1, "the example has no usable response; no example is drafted");
        return;
    };
    if !headers.is_empty() {
        ex.headers = Some(headers);
    }

    // The body must agree with the declared parameters.
    if let Some(serde_json::Value::Object(map)) = ex.body.as_mut() {
        let names: Vec<String> = map.keys().cloned().collect();
        for key in names {
            match d.parameters.body.iter().find(|p| p.name == key) {
                None => {
                    cx.warn(
                        request_line,
                        format!("the request example sends `{key}`, which the body table does not declare; left out"),
                    );
                    cx.quirks.push(format!("The page's request example sends {key}, which its body table does not declare; the example here leaves it out."));
                    map.remove(&key);
                }
                Some(p) if p.ty == "integer" => {
                    if let Some(serde_json::Value::String(s)) = map.get(&key)
                        && let Ok(i) = s.trim().parse::<i64>()
                    {
                        cx.quirks.push(format!(
                            "The page's request example sends {key} as the string \"{s}\" although the table declares it an integer; the example here sends the number {i}."
                        ));
                        map.insert(key.clone(), serde_json::Value::from(i));
                    }
                }
                Some(_) => {}
            }
        }
    } else if ex.body.is_some() {
        cx.warn(request_line, "the request example is not a JSON object; left out");
        ex.body = None;
    }
    if ex.body.is_none() && !d.parameters.body.is_empty() {
        ex.body = Some(serde_json::Value::Object(serde_json::Map::new()));
    }
    if d.parameters.body.is_empty() && ex.body.is_some() {
        cx.warn(request_line, "the page has a request example but no body parameters; the example body is left out");
        cx.quirks.push(
            "The page's request example has a body although the page declares no body parameters; it is left out."
                .to_owned(),
        );
        ex.body = None;
    }

    // Values the page's example does not give.
    let mut made_up: Vec<String> = Vec::new();
    let mut fill = |params: &[Param], map: &mut serde_json::Map<String, serde_json::Value>| {
        for p in params.iter().filter(|p| p.required) {
            if !map.contains_key(&p.name) {
                let v = sample(p);
                made_up.push(format!("{} = {v}", p.name));
                map.insert(p.name.clone(), v);
            }
        }
    };
    let mut path = serde_json::Map::new();
    fill(&d.parameters.path, &mut path);
    let mut query = serde_json::Map::new();
    fill(&d.parameters.query, &mut query);
    if let Some(serde_json::Value::Object(map)) = ex.body.as_mut() {
        fill(&d.parameters.body, map);
    }
    if !made_up.is_empty() {
        cx.quirks.push(format!(
            "The page's example gives no value for some required parameters; the example here makes up {}.",
            made_up.join(", ")
        ));
    }
    if !path.is_empty() {
        ex.path = Some(path);
    }
    if !query.is_empty() {
        ex.query = Some(query);
    }

    // The response must match the result kind.
    if let serde_json::Value::Object(map) = &mut response {
        let success = map.get("retcode").and_then(|v| v.as_str()) == Some("0");
        match (d.response.result.kind.as_str(), map.get("result")) {
            ("call_id", Some(v)) if success && !v.is_string() => {
                cx.warn(
                    response_line,
                    format!(
                        "the response example's result is {v}, but the table says it is the call ID string; replaced"
                    ),
                );
                cx.quirks.push(format!(
                    "The page's response example shows \"result\": {v} although its table says a successful call returns the call ID as a string; the example here returns a made-up call ID."
                ));
                map.insert("result".to_owned(), serde_json::Value::from("1700000000-1"));
            }
            ("object", Some(serde_json::Value::Object(result))) if success => {
                let fields = d.response.result.fields.clone().unwrap_or_default();
                let mut result = result.clone();
                integers_in_quotes(&mut result, &fields, response_line, cx);
                map.insert("result".to_owned(), serde_json::Value::Object(result));
            }
            ("list", Some(serde_json::Value::Array(items))) if success => {
                let fields = d.response.result.fields.clone().unwrap_or_default();
                let mut items = items.clone();
                for item in &mut items {
                    if let serde_json::Value::Object(item) = item {
                        integers_in_quotes(item, &fields, response_line, cx);
                    }
                }
                map.insert("result".to_owned(), serde_json::Value::Array(items));
            }
            ("list", v) if success => {
                // Neither an array nor absent reads as a list: an empty one shows the shape.
                let shown = v.map_or_else(|| "no result".to_owned(), |v| format!("\"result\": {v}"));
                cx.warn(
                    response_line,
                    format!("the response example shows {shown}, but the table documents a list; replaced by []"),
                );
                cx.quirks.push(format!("The page's response example shows {shown} although the table documents a list; the example here answers an empty list."));
                map.insert("result".to_owned(), serde_json::Value::Array(Vec::new()));
            }
            ("none" | "reserved", Some(v)) if !v.is_object() => {
                cx.warn(
                    response_line,
                    format!("the response example's result is {v}, but the table documents no data; replaced by {{}}"),
                );
                cx.quirks.push(format!("The page's response example shows \"result\": {v} although the table documents no data; the example here uses {{}}."));
                map.insert("result".to_owned(), serde_json::Value::Object(serde_json::Map::new()));
            }
            _ => {}
        }
    }
    ex.response = response;
    d.examples.push(ex);
}

/// Repairs result members the example sends as quoted numbers where the table says integer,
/// recording each as a quirk.
fn integers_in_quotes(
    result: &mut serde_json::Map<String, serde_json::Value>,
    fields: &[draft::Field],
    line: usize,
    cx: &mut Ctx,
) {
    for f in fields.iter().filter(|f| f.ty == "integer") {
        if let Some(serde_json::Value::String(s)) = result.get(&f.name)
            && let Ok(i) = s.trim().parse::<i64>()
        {
            cx.warn(
                line,
                format!(
                    "the response example sends result member `{}` as the string \"{s}\"; the table says integer",
                    f.name
                ),
            );
            cx.quirks.push(format!(
                "The page's response example sends {} as the string \"{s}\" although the table declares it an integer; the example here sends the number {i}.",
                f.name
            ));
            result.insert(f.name.clone(), serde_json::Value::from(i));
        }
    }
}

fn split_headers(line: &str) -> Vec<String> {
    // "Content-Type:application/json; charset=UTF-8 Guid: xxx" → two headers.
    let re = Regex::new(r"\s([A-Za-z][A-Za-z0-9-]*):").expect("static regex");
    let mut cuts = vec![0];
    for m in re.find_iter(line) {
        cuts.push(m.start() + 1);
    }
    cuts.push(line.len());
    cuts.windows(2).map(|w| line[w[0]..w[1]].trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

fn json(text: &str, line: usize, what: &str, cx: &mut Ctx) -> Option<serde_json::Value> {
    let (fixed, changed) = strip_trailing_commas(text);
    match serde_json::from_str::<serde_json::Value>(&fixed) {
        Ok(v) => {
            if changed {
                cx.warn(line, format!("the {what} example has a comma after its last member; removed"));
                cx.quirks.push(format!("The {what} example on the page is not valid JSON (a comma follows the last member); the comma is removed here."));
            }
            Some(v)
        }
        Err(e) => {
            cx.warn(line, format!("the {what} example is not valid JSON ({e}); no example is drafted from it"));
            None
        }
    }
}

/// The page line behind line `draft_line` of the draft's YAML (`yaml`, from
/// [`Imported::to_yaml`]), so that a problem found in the draft is reported where the page
/// states the fact; `None` when the line comes from no particular place on the page.
pub fn page_line(imported: &Imported, yaml: &str, draft_line: usize) -> Option<usize> {
    use crate::load::positions::{NodePath, PositionIndex};
    let index = PositionIndex::build(yaml).unwrap_or_default();
    let root = NodePath::root();
    let d = &imported.draft;
    let mut origins: Vec<(usize, usize)> = Vec::new();
    for key in ["operation", "title", "summary", "description", "prerequisites", "method", "path", "log_name"]
        .into_iter()
        .chain(["parameters", "rules", "response", "events", "errors", "examples", "quirks", "source"])
    {
        if let Some(at) = index.exact_key(&root.key(key)) {
            origins.push((at.line, d.lines.get(key).copied().unwrap_or(0)));
        }
    }
    let locations = [("path", &d.parameters.path), ("query", &d.parameters.query)];
    let tables = [("header", &d.parameters.header), ("body", &d.parameters.body)];
    for (loc, list) in locations.into_iter().chain(tables) {
        for (i, p) in list.iter().enumerate() {
            if let Some(at) = index.exact(&root.key("parameters").key(loc).index(i)) {
                origins.push((at.line, p.line));
            }
        }
    }
    for (key, lines) in [("events", &d.event_lines), ("errors", &d.error_lines)] {
        for (i, line) in lines.iter().enumerate() {
            if let Some(at) = index.exact(&root.key(key).index(i)) {
                origins.push((at.line, *line));
            }
        }
    }
    for (i, r) in d.rules.iter().enumerate() {
        if let Some(at) = index.exact(&root.key("rules").index(i)) {
            origins.push((at.line, r.line));
        }
    }
    for (i, e) in d.examples.iter().enumerate() {
        if let Some(at) = index.exact(&root.key("examples").index(i)) {
            origins.push((at.line, e.line));
        }
    }
    origins
        .into_iter()
        .filter(|(at, _)| *at <= draft_line)
        .max_by_key(|(at, _)| *at)
        .map(|(_, page)| page)
        .filter(|l| *l > 0)
}

/// The spec tree an imported draft is checked in.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `api.yaml`, `errors.yaml` and `events.yaml`.
    pub catalogs: Vec<RawFile>,
    /// The interface files already in the tree.
    pub interfaces: Vec<RawFile>,
}

/// Reads the catalogs of a spec directory, and its interface files when the tree can be read.
pub fn read_context(spec_dir: &Path) -> Result<Context, Diagnostics> {
    let catalogs = [load::API_FILE, load::ERRORS_FILE, load::EVENTS_FILE]
        .iter()
        .map(|name| {
            std::fs::read(spec_dir.join(name)).map(|bytes| RawFile { rel_path: (*name).to_owned(), bytes }).map_err(
                |e| Diagnostics::one(Diagnostic::new(format!("cannot read {}: {e}", spec_dir.join(name).display()))),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let interfaces = load::read_dir(spec_dir)
        .map(|files| files.into_iter().filter(|f| f.rel_path.contains('/')).collect())
        .unwrap_or_default();
    Ok(Context { catalogs, interfaces })
}

/// Options taken from `api.yaml` (the base path, the token header).
pub fn options_from(context: &Context) -> Options {
    let mut options = Options::default();
    if let Ok(spec) = load::load("spec", &context.catalogs) {
        options.base_path = spec.api.doc.base_path.clone();
        options.implied_headers = vec![spec.api.doc.auth.header.clone(), "Content-Type".to_owned()];
    }
    options
}

/// Loads one interface file next to the catalogs, without checking it.
pub fn load_interface(context: &Context, rel_path: &str, text: &str) -> Result<InterfaceFile, Diagnostics> {
    let mut files = context.catalogs.clone();
    files.push(RawFile { rel_path: rel_path.to_owned(), bytes: text.as_bytes().to_vec() });
    let mut spec = load::load("spec", &files)?;
    spec.interfaces
        .pop()
        .map(|l| l.doc)
        .ok_or_else(|| Diagnostics::one(Diagnostic::new(format!("{rel_path} was not loaded as an interface"))))
}

fn load_and_check(files: &[RawFile]) -> Vec<Diagnostic> {
    match load::load("spec", files) {
        Ok(spec) => crate::check::check(&spec).err().map(|d| d.0).unwrap_or_default(),
        Err(d) => d.0,
    }
}

/// Loads and checks one interface file in the spec tree (replacing a file of the same path).
///
/// The whole tree is checked with and without the draft, so clashes with other interfaces
/// (a duplicate operation name) count while problems the tree already had do not. When the
/// tree has problems of its own, the draft is also checked next to the catalogs alone, in case
/// those problems kept `check` from reaching it.
pub fn validate(context: &Context, rel_path: &str, text: &str) -> Result<(), Diagnostics> {
    let draft = RawFile { rel_path: rel_path.to_owned(), bytes: text.as_bytes().to_vec() };
    let own = format!("spec/{rel_path}");
    let mut tree = context.catalogs.clone();
    tree.extend(context.interfaces.iter().filter(|f| f.rel_path != rel_path).cloned());
    let without: BTreeSet<String> = load_and_check(&tree).iter().map(Diagnostic::render).collect();
    tree.push(draft.clone());
    let mut found: Vec<Diagnostic> =
        load_and_check(&tree).into_iter().filter(|d| !without.contains(&d.render())).collect();
    if !without.is_empty() {
        let mut alone = context.catalogs.clone();
        alone.push(draft);
        for d in load_and_check(&alone) {
            let mine = d.at.as_ref().is_some_and(|(f, _)| f.name == own);
            if mine && !found.iter().any(|f| f.render() == d.render()) {
                found.push(d);
            }
        }
    }
    if found.is_empty() { Ok(()) } else { Err(Diagnostics(found)) }
}
