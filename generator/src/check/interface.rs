//! One interface file.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::types::{check_value, constraints, fields, fits_request_int, parse_type, scalar_value};
use super::{Ctx, examples, is_header_name, names};
use crate::diag::Report;
use crate::ident;
use crate::ir::{
    Condition, ErrorCode, Event, EventUse, HeaderRole, Interface, Location, Method, Name, Param, ResponseHeader,
    ResultShape, Role, Rule, Segment, Type,
};
use crate::load::Loaded;
use crate::load::model::{ApiFile, ConditionSpec, InterfaceFile, ParamSpec};
use crate::load::positions::NodePath;

/// The catalogs' names, indexed once so each interface looks its references
/// up in constant time (a file may list thousands).
pub(super) struct Catalogs<'a> {
    codes: HashSet<&'a str>,
    events: HashSet<&'a str>,
    /// Lower-cased event name to its spelling, for "did you mean".
    events_folded: HashMap<String, &'a str>,
}

impl<'a> Catalogs<'a> {
    pub(super) fn new(errors: &'a [ErrorCode], events: &'a [Event]) -> Self {
        Self {
            codes: errors.iter().map(|e| e.code.as_str()).collect(),
            events: events.iter().map(|e| e.name.wire.as_str()).collect(),
            events_folded: events.iter().map(|e| (e.name.wire.to_ascii_lowercase(), e.name.wire.as_str())).collect(),
        }
    }
}

pub(super) fn check(
    loaded: &Loaded<InterfaceFile>,
    api: &ApiFile,
    catalogs: &Catalogs<'_>,
    report: &mut Report,
) -> Option<Interface> {
    let before = report.len();
    let doc = &loaded.doc;
    let mut ctx = Ctx::new(loaded, report);
    let root = NodePath::root();

    let (resource, module) = names_from_path(&mut ctx, &loaded.rel_path);
    if ident::snake(&doc.operation) != doc.operation || ident::is_raw(&doc.operation) || doc.operation.ends_with('_') {
        let d = ctx
            .at(
                &root.key("operation"),
                format!("operation name `{}` is not a usable snake_case identifier", doc.operation),
            )
            .label("operation name");
        ctx.push(d.help(rename_help("operation names become method names", &doc.operation)));
    }
    if let Some(why) = names::method_defect(&doc.operation) {
        let d = ctx.at(&root.key("operation"), format!("operation name `{}`: {why}", doc.operation));
        ctx.push(d.label("operation name").help("operation names become method names; choose a verb phrase"));
    }
    if ident::RESERVED_METHODS.contains(&doc.operation.as_str()) {
        let d =
            ctx.at(&root.key("operation"), format!("operation name `{}` is taken by the client itself", doc.operation));
        ctx.push(d.help(format!("these names are reserved: {}", ident::RESERVED_METHODS.join(", "))));
    }
    let operation =
        Name { wire: doc.operation.clone(), rust: ident::snake(&doc.operation), pos: ctx.pos(&root.key("operation")) };
    let method = match doc.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        other => {
            let d = ctx.at(&root.key("method"), format!("unknown HTTP method `{other}`"));
            ctx.push(d.help("use GET, POST, PUT or DELETE (upper case)"));
            Method::Post
        }
    };

    let (params, rejected) = params(&mut ctx, doc);
    generated_type_names(&mut ctx, &params);
    redeclared_headers(&mut ctx, api, &params);
    let segments = path_template(&mut ctx, &doc.path, &params, &rejected);
    let rules = rules(&mut ctx, doc, &params, &rejected);
    let result = result(&mut ctx, doc);
    let response_headers = response_headers(&mut ctx, doc);
    let event_uses = event_uses(&mut ctx, doc, &params, &rejected, catalogs);
    let error_codes = error_codes(&mut ctx, doc, catalogs);
    let sends_guid = !api.auth.not_sent_by.contains(&doc.operation);
    let session = session_effect(&mut ctx, doc, sends_guid, &params, &response_headers);

    let mut interface = Interface {
        source: loaded.rel_path.clone(),
        resource,
        module,
        operation,
        title: doc.title.clone(),
        log_name: log_name(&mut ctx, doc),
        summary: doc.summary.clone(),
        description: doc.description.clone(),
        prerequisites: doc.prerequisites.clone(),
        method,
        path: doc.path.clone(),
        segments,
        params,
        rules,
        result,
        response_headers,
        events: event_uses,
        errors: error_codes,
        result_member: doc.response.result.member.clone().unwrap_or_else(|| api.envelope.result.clone()),
        examples: Vec::new(),
        quirks: doc.quirks.clone(),
        sends_guid,
        session,
        source_page: doc.source.as_ref().map(|s| s.page.clone()),
        source_updated: doc.source.as_ref().and_then(|s| s.updated.clone()),
    };
    interface.examples = examples::check(&mut ctx, doc, &interface, &api.envelope, &rejected);
    (ctx.report.len() == before).then_some(interface)
}

/// A fix for a name that is not a usable identifier; never suggests a keyword back.
fn rename_help(why: &str, name: &str) -> String {
    let snake = ident::snake(name);
    if ident::is_raw(&snake) || snake.ends_with('_') && !name.ends_with('_') {
        format!("{why}; this name is a Rust keyword, so choose another one (for example a verb phrase)")
    } else {
        format!("{why}; try `{}`", snake.trim_end_matches('_'))
    }
}

/// Resource and module names from `resource/name.yaml`.
fn names_from_path(ctx: &mut Ctx<'_>, rel_path: &str) -> (Name, Name) {
    let (folder, file) = rel_path.split_once('/').unwrap_or(("", rel_path));
    let stem = file.strip_suffix(".yaml").unwrap_or(file);
    if ident::RESERVED_MODULES.contains(&folder) {
        let d = ctx
            .at(&NodePath::root(), format!("resource folder `{folder}` clashes with a module of the generated crate"));
        ctx.push(d.help(format!("these folder names are reserved: {}", ident::RESERVED_MODULES.join(", "))));
    }
    for (what, word) in [("folder", folder), ("file name", stem)] {
        let rust = ident::snake(word);
        if rust != word || ident::is_raw(&rust) {
            let d = ctx.at(&NodePath::root(), format!("spec {what} `{word}` is not a usable Rust module name"));
            ctx.push(d.help(rename_help("use lower case letters, digits and `_`", word)));
        }
    }
    (
        Name { wire: folder.to_owned(), rust: ident::snake(folder), pos: Default::default() },
        Name { wire: stem.to_owned(), rust: ident::snake(stem), pos: Default::default() },
    )
}

/// The checked parameters, and the wire names of those rejected (already reported),
/// so that later uses of them do not report the same defect again.
fn params(ctx: &mut Ctx<'_>, doc: &InterfaceFile) -> (Vec<Param>, Vec<String>) {
    let groups: [(&str, Location, &Vec<ParamSpec>); 4] = [
        ("path", Location::Path, &doc.parameters.path),
        ("query", Location::Query, &doc.parameters.query),
        ("header", Location::Header, &doc.parameters.header),
        ("body", Location::Body, &doc.parameters.body),
    ];
    let mut out: Vec<Param> = Vec::new();
    let mut rejected: Vec<String> = Vec::new();
    let mut by_rust: BTreeMap<String, (String, Location)> = BTreeMap::new();
    for (key, location, specs) in groups {
        for (i, spec) in specs.iter().enumerate() {
            let before = ctx.report.len();
            if !params_one(ctx, key, location, i, spec, &mut by_rust, &mut out) && ctx.report.len() > before {
                rejected.push(spec.name.clone());
            }
        }
    }
    (out, rejected)
}

/// Checks one parameter; false when it was rejected.
fn params_one(
    ctx: &mut Ctx<'_>,
    key: &str,
    location: Location,
    i: usize,
    spec: &ParamSpec,
    by_rust: &mut BTreeMap<String, (String, Location)>,
    out: &mut Vec<Param>,
) -> bool {
    let path = NodePath::root().key("parameters").key(key).index(i);
    let rust = ident::snake(&spec.name);
    if let Some((other, other_loc)) = by_rust.get(&rust) {
        let d = if *other == spec.name {
            ctx.at(
                &path.key("name"),
                format!("parameter `{}` is declared twice (also in {})", spec.name, other_loc.as_str()),
            )
            .label("duplicate parameter")
        } else {
            ctx.at(
                &path.key("name"),
                format!("parameters `{other}` and `{}` would both become the Rust field `{rust}`", spec.name),
            )
            .label("name collision")
        };
        ctx.push(d.help(
            "wire names are kept as written, but each must map to a distinct Rust name; a spec cannot have both",
        ));
        return false;
    }
    by_rust.insert(rust.clone(), (spec.name.clone(), location));
    if spec.name.is_empty() || spec.name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        let d = ctx.at(&path.key("name"), "parameter name is empty or contains spaces or control characters");
        ctx.push(d);
        return false;
    }
    if let Some(why) = names::snake_defect(&spec.name, &rust) {
        ctx.push(ctx.at(&path.key("name"), format!("parameter name {why}")));
        return false;
    }
    if location == Location::Header && !is_header_name(&spec.name) {
        let d = ctx.at(&path.key("name"), format!("`{}` is not a valid HTTP header name", spec.name));
        ctx.push(d);
    }
    let Some(ty) = parse_type(ctx, &spec.ty, spec.items.as_deref(), &path, None) else { return false };
    if matches!(location, Location::Path | Location::Query | Location::Header)
        && !matches!(ty, Type::String | Type::Integer | Type::Boolean)
    {
        let d = ctx.at(
            &path.key("type"),
            format!("a {key} parameter must be a string, integer or boolean, not {}", ty.spec_name()),
        );
        ctx.push(d);
        return false;
    }
    if spec.secret && matches!(location, Location::Path | Location::Query) {
        // A URL is logged, shown in errors and kept in proxies' records.
        let d = ctx.at(&path.key("secret"), format!("a secret cannot be a {key} parameter: it would sit in the URL"));
        ctx.push(d.label("secret in the URL").help("secrets travel in a header or the body"));
        return false;
    }
    if location == Location::Path && !spec.required {
        let d = ctx.at(&path.key("required"), format!("path parameter `{}` must be required", spec.name));
        ctx.push(d.help("a path segment cannot be left out; use a query parameter for optional values"));
    }
    let c = constraints(ctx, &spec.name, &spec.constraints, &ty, &path.key("constraints"));
    let role = match spec.role.as_deref() {
        None => None,
        Some("agent_id") if location == Location::Path => Some(Role::AgentId),
        Some("agent_id") => {
            let d = ctx.at(&path.key("role"), "`role: agent_id` is for path parameters");
            ctx.push(d);
            None
        }
        Some(other) => {
            let d = ctx.at(&path.key("role"), format!("unknown role `{other}`"));
            ctx.push(d.help("the only parameter role is agent_id"));
            None
        }
    };
    let default = match &spec.default {
        None => None,
        Some(s) => match scalar_value(s, &ty).and_then(|v| check_value(&v, &ty, &c).map(|()| v)) {
            Ok(v) if !spec.required => Some(v),
            Ok(_) => {
                let d = ctx.at(&path.key("default"), "a required parameter has no default");
                ctx.push(d.help("drop the default, or make the parameter optional"));
                None
            }
            Err(why) => {
                let d = ctx.at(&path.key("default"), format!("default {why}")).label("bad default");
                ctx.push(d);
                None
            }
        },
    };
    let type_name = match &spec.type_name {
        Some(t) if ident::camel(t) != *t || ident::is_raw(t) || t.ends_with('_') => {
            let d = ctx.at(&path.key("type_name"), format!("type name `{t}` is not an UpperCamelCase identifier"));
            ctx.push(d.help(format!("try `{}`", ident::camel(t).trim_start_matches("r#").trim_end_matches('_'))));
            return false;
        }
        Some(t) => t.clone(),
        None => ident::camel(&spec.name),
    };
    let generates_type = !spec.secret && role.is_none() && !c.is_empty() && matches!(ty, Type::String | Type::Integer);
    if generates_type
        && let Some(why) = names::camel_defect(spec.type_name.as_deref().unwrap_or(&spec.name), &type_name)
    {
        let at = if spec.type_name.is_some() { path.key("type_name") } else { path.key("name") };
        let d = ctx.at(&at, format!("parameter `{}` needs a type of its own, but {why}", spec.name));
        ctx.push(d.help("set `type_name` to an UpperCamelCase name of letters and digits"));
        return false;
    }
    if ident::RESERVED_TYPE_NAMES.contains(&type_name.as_str()) && !c.is_empty() {
        let at = if spec.type_name.is_some() { path.key("type_name") } else { path.key("name") };
        let d = ctx.at(
            &at,
            format!(
                "parameter `{}` would generate a type named `{type_name}`, a name the module already uses or relies on",
                spec.name
            ),
        );
        ctx.push(d.help("set `type_name` to another UpperCamelCase name"));
        return false;
    }
    out.push(Param {
        type_name: Name { wire: spec.type_name.clone().unwrap_or_default(), rust: type_name, pos: ctx.pos(&path) },
        name: Name { wire: spec.name.clone(), rust, pos: ctx.pos(&path) },
        location,
        ty,
        required: spec.required,
        default,
        description: spec.description.clone(),
        secret: spec.secret,
        role,
        vendor_type: spec.vendor_type.clone(),
        constraints: c,
    });
    true
}

/// Splits the path template and matches its placeholders to path parameters, both ways.
fn path_template(ctx: &mut Ctx<'_>, path: &str, params: &[Param], rejected: &[String]) -> Vec<Segment> {
    let at = NodePath::root().key("path");
    let mut segments = Vec::new();
    if !path.starts_with('/') || path.contains("//") || path.contains('?') || path.contains('#') {
        let d = ctx.at(&at, format!("path `{path}` must start with `/` and hold only segments"));
        ctx.push(d.help("query parameters are declared under parameters.query, not in the path"));
        return segments;
    }
    let mut used = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(open) => {
                if rest[..open].contains('}') {
                    let d = ctx.at(&at, format!("unbalanced `}}` in path `{path}`"));
                    ctx.push(d);
                    return segments;
                }
                if open > 0 {
                    segments.push(Segment::Literal(rest[..open].to_owned()));
                }
                let Some(close) = rest[open..].find('}') else {
                    let d = ctx.at(&at, format!("unclosed `{{` in path `{path}`"));
                    ctx.push(d);
                    return segments;
                };
                let name = &rest[open + 1..open + close];
                match params.iter().position(|p| p.location == Location::Path && p.name.wire == name) {
                    Some(i) if used.contains(&i) => {
                        let d = ctx.at(&at, format!("placeholder `{{{name}}}` appears twice in the path"));
                        ctx.push(d);
                    }
                    Some(i) => {
                        used.push(i);
                        segments.push(Segment::Param(i));
                    }
                    None if rejected.iter().any(|r| r == name) => {}
                    None => {
                        let declared: Vec<&str> = params
                            .iter()
                            .filter(|p| p.location == Location::Path)
                            .map(|p| p.name.wire.as_str())
                            .collect();
                        let d = ctx
                            .at(&at, format!("placeholder `{{{name}}}` has no path parameter"))
                            .label("unknown placeholder");
                        let close = declared.iter().find(|d| d.eq_ignore_ascii_case(name));
                        let help = if let Some(close) = close {
                            format!("did you mean `{{{close}}}`? Placeholders must match the parameter name exactly")
                        } else if declared.is_empty() {
                            format!("declare `{name}` under parameters.path")
                        } else {
                            format!(
                                "declared path parameters: {}; placeholders must match their names exactly",
                                declared.join(", ")
                            )
                        };
                        ctx.push(d.help(help));
                    }
                }
                rest = &rest[open + close + 1..];
            }
            None => {
                if rest.contains('}') {
                    let d = ctx.at(&at, format!("unbalanced `}}` in path `{path}`"));
                    ctx.push(d);
                    return segments;
                }
                segments.push(Segment::Literal(rest.to_owned()));
                rest = "";
            }
        }
    }
    for (i, p) in params.iter().enumerate().filter(|(_, p)| p.location == Location::Path) {
        if !used.contains(&i) {
            let ppath = NodePath::root()
                .key("parameters")
                .key("path")
                .index(params[..i].iter().filter(|q| q.location == Location::Path).count());
            let d = ctx
                .at(
                    &ppath.key("name"),
                    format!("path parameter `{}` does not appear in the path `{path}`", p.name.wire),
                )
                .label("unused");
            ctx.push(
                d.help(format!("add `{{{}}}` to the path, or move the parameter to another location", p.name.wire)),
            );
        }
    }
    segments
}

fn condition(
    ctx: &mut Ctx<'_>,
    spec: &ConditionSpec,
    params: &[Param],
    rejected: &[String],
    path: &NodePath,
) -> Option<Condition> {
    if rejected.contains(&spec.param) {
        return None;
    }
    let Some(i) = params.iter().position(|p| p.name.wire == spec.param) else {
        let d = ctx
            .at(&path.key("param"), format!("the condition names an unknown parameter `{}`", spec.param))
            .label("unknown parameter");
        ctx.push(d.help(known_params(params)));
        return None;
    };
    let p = &params[i];
    if let Some(why) = not_comparable(p) {
        let d = ctx.at(&path.key("param"), format!("a condition cannot test `{}`: {why}", p.name.wire));
        ctx.push(d.help("rules and conditional events test request values the caller sets"));
        return None;
    }
    let value = match scalar_value(&spec.equals, &p.ty) {
        Ok(v) => v,
        Err(why) => {
            let d = ctx.at(&path.key("equals"), format!("{why}, the type of `{}`", p.name.wire));
            ctx.push(d);
            return None;
        }
    };
    if !p.constraints.values.is_empty() && !p.constraints.values.iter().any(|v| v.value == value) {
        let d = ctx
            .at(&path.key("equals"), format!("`{value}` is not an allowed value of `{}`", p.name.wire))
            .label("unknown value");
        ctx.push(d.help(allowed(p)));
        return None;
    }
    if !fits_request_int(ctx, &path.key("equals"), &p.name.wire, &value) {
        return None;
    }
    if let Err(why) = check_value(&value, &p.ty, &p.constraints) {
        let d = ctx.at(&path.key("equals"), format!("the condition can never hold: `{}` {why}", p.name.wire));
        ctx.push(d.label("impossible value"));
        return None;
    }
    Some(Condition { param: i, equals: value })
}

/// Why a rule may not refer to `p`, if it may not.
fn not_comparable(p: &Param) -> Option<&'static str> {
    if p.role == Some(Role::AgentId) {
        Some("the session supplies the agent ID")
    } else if p.secret {
        Some("it is a secret, which is never compared or shown")
    } else if !matches!(p.ty, Type::String | Type::Integer | Type::Boolean) {
        Some("only strings, integers and booleans can be compared")
    } else {
        None
    }
}

fn known_params(params: &[Param]) -> String {
    let names: Vec<&str> = params.iter().map(|p| p.name.wire.as_str()).collect();
    format!("parameters of this interface: {}", names.join(", "))
}

fn allowed(p: &Param) -> String {
    let vals: Vec<String> = p.constraints.values.iter().map(|v| format!("{} ({})", v.value, v.name.wire)).collect();
    format!("allowed values of `{}`: {}", p.name.wire, vals.join(", "))
}

fn rules(ctx: &mut Ctx<'_>, doc: &InterfaceFile, params: &[Param], rejected: &[String]) -> Vec<Rule> {
    let mut out = Vec::new();
    for (i, spec) in doc.rules.iter().enumerate() {
        let path = NodePath::root().key("rules").index(i);
        if rejected.contains(&spec.param) {
            continue;
        }
        let Some(target) = params.iter().position(|p| p.name.wire == spec.param) else {
            let d = ctx
                .at(&path.key("param"), format!("rule names an unknown parameter `{}`", spec.param))
                .label("unknown parameter");
            ctx.push(d.help(known_params(params)));
            continue;
        };
        if let Some(why) = not_comparable(&params[target]) {
            let d = ctx.at(&path.key("param"), format!("a rule cannot apply to `{}`: {why}", spec.param));
            ctx.push(d.help("rules tie together request values the caller sets"));
            continue;
        }
        let Some(when) = condition(ctx, &spec.when, params, rejected, &path.key("when")) else { continue };
        if when.param == target {
            let d = ctx.at(&path.key("when"), "a rule's condition must name another parameter");
            ctx.push(d);
            continue;
        }
        let p = &params[target];
        let description = spec.description.clone();
        match (spec.kind.as_str(), &spec.values) {
            ("only_when" | "required_when", Some(_)) => {
                let d = ctx.at(&path.key("values"), format!("a `{}` rule takes no values", spec.kind));
                ctx.push(d);
            }
            ("only_when" | "required_when", None) if p.required => {
                let d = ctx.at(
                    &path.key("param"),
                    format!("`{}` is always required, so a `{}` rule cannot apply", p.name.wire, spec.kind),
                );
                ctx.push(d.help("make the parameter optional"));
            }
            ("only_when", None) => out.push(Rule::OnlyWhen { param: target, when, description }),
            ("required_when", None) => out.push(Rule::RequiredWhen { param: target, when, description }),
            ("allowed_values", None) => {
                let d = ctx.at(&path, "an `allowed_values` rule lists `values`");
                ctx.push(d);
            }
            ("allowed_values", Some(list)) if list.is_empty() => {
                let d = ctx.at(&path.key("values"), "an `allowed_values` rule allows no value");
                ctx.push(d.help("list the values the parameter may take while the condition holds"));
            }
            ("allowed_values", Some(list)) => {
                let mut values = Vec::new();
                for (j, s) in list.iter().enumerate() {
                    let at = path.key("values").index(j);
                    match scalar_value(s, &p.ty) {
                        Ok(v) if !fits_request_int(ctx, &at, &p.name.wire, &v) => {}
                        Ok(v)
                            if p.constraints.values.is_empty() || p.constraints.values.iter().any(|a| a.value == v) =>
                        {
                            values.push(v)
                        }
                        Ok(v) => {
                            let d = ctx
                                .at(&at, format!("`{v}` is not an allowed value of `{}`", p.name.wire))
                                .label("unknown value");
                            ctx.push(d.help(allowed(p)));
                        }
                        Err(why) => {
                            let d = ctx.at(&at, why);
                            ctx.push(d);
                        }
                    }
                }
                if values.len() == list.len() {
                    out.push(Rule::AllowedValues { param: target, when, values, description });
                }
            }
            (other, _) => {
                let d = ctx.at(&path.key("kind"), format!("unknown rule kind `{other}`"));
                ctx.push(d.help("use only_when, required_when or allowed_values"));
            }
        }
    }
    out
}

fn result(ctx: &mut Ctx<'_>, doc: &InterfaceFile) -> ResultShape {
    let spec = &doc.response.result;
    let path = NodePath::root().key("response").key("result");
    let description = spec.description.clone();
    let vendor_type = spec.vendor_type.clone();
    if spec.one_or_list && spec.kind != "object" {
        let d = ctx.at(&path.key("one_or_list"), format!("a `{}` result cannot arrive as a list", spec.kind));
        ctx.push(d.help("`one_or_list` is for `kind: object`; drop it"));
    }
    if spec.fields.is_some() && spec.kind != "object" && spec.kind != "list" {
        let d = ctx.at(&path.key("fields"), format!("a `{}` result has no fields", spec.kind));
        ctx.push(d.help("use `kind: object` for a result with named fields, `kind: list` for a list of them"));
    }
    match spec.kind.as_str() {
        "none" => ResultShape::None { description, vendor_type },
        "reserved" => ResultShape::Reserved { description, vendor_type },
        "call_id" => ResultShape::CallId { description, vendor_type },
        "event" => ResultShape::Event { description, vendor_type },
        "object" => match &spec.fields {
            Some(list) => {
                let fields = fields(ctx, list, &path.key("fields"));
                ResultShape::Object { description, vendor_type, fields, one_or_list: spec.one_or_list }
            }
            None => {
                let d = ctx.at(&path, "an object result lists its fields");
                ctx.push(d.help("add `fields:`, or use `kind: reserved` for a reserved object"));
                ResultShape::Reserved { description, vendor_type }
            }
        },
        "list" => match &spec.fields {
            Some(list) => {
                ResultShape::List { description, vendor_type, fields: fields(ctx, list, &path.key("fields")) }
            }
            None => {
                let d = ctx.at(&path, "a list result lists the fields of its items");
                ctx.push(d.help("add `fields:` with the members of each item"));
                // Still a list, so that a list example is not reported a second time.
                ResultShape::List { description, vendor_type, fields: Vec::new() }
            }
        },
        other => {
            let d = ctx.at(&path.key("kind"), format!("unknown result kind `{other}`"));
            ctx.push(d.help("use none, reserved, call_id, object, list or event"));
            ResultShape::None { description, vendor_type }
        }
    }
}

/// The page's log name; an empty one would print as a blank name, so it is refused
/// (a page that gives none leaves the key out).
fn log_name(ctx: &mut Ctx<'_>, doc: &InterfaceFile) -> Option<String> {
    let name = doc.log_name.as_ref()?;
    if name.trim().is_empty() {
        let d = ctx.at(&NodePath::root().key("log_name"), "`log_name` is empty");
        ctx.push(d.help("leave `log_name` out when the page gives no method name in logs"));
        return None;
    }
    Some(name.clone())
}

fn response_headers(ctx: &mut Ctx<'_>, doc: &InterfaceFile) -> Vec<ResponseHeader> {
    let mut out = Vec::new();
    for (i, h) in doc.response.headers.iter().enumerate() {
        let path = NodePath::root().key("response").key("headers").index(i);
        if !is_header_name(&h.name) {
            let d = ctx.at(&path.key("name"), format!("`{}` is not a valid HTTP header name", h.name));
            ctx.push(d);
            continue;
        }
        let role = match h.role.as_deref() {
            None => None,
            Some("guid") => Some(HeaderRole::Guid),
            Some(other) => {
                let d = ctx.at(&path.key("role"), format!("unknown header role `{other}`"));
                ctx.push(d.help("the only header role is guid"));
                None
            }
        };
        out.push(ResponseHeader { name: h.name.clone(), description: h.description.clone(), role });
    }
    out
}

fn event_uses(
    ctx: &mut Ctx<'_>,
    doc: &InterfaceFile,
    params: &[Param],
    rejected: &[String],
    catalogs: &Catalogs<'_>,
) -> Vec<EventUse> {
    let mut out: Vec<EventUse> = Vec::new();
    let mut seen: HashSet<(&str, Option<(usize, String)>)> = HashSet::new();
    for (i, spec) in doc.events.iter().enumerate() {
        let path = NodePath::root().key("events").index(i);
        let (name, when) = match spec {
            crate::load::model::EventRefSpec::Always(name) => (name, None),
            crate::load::model::EventRefSpec::When(c) => {
                let Some(cond) = condition(ctx, &c.when, params, rejected, &path.key("when")) else { continue };
                (&c.event, Some(cond))
            }
        };
        let at = if when.is_some() { path.key("event") } else { path.clone() };
        if !catalogs.events.contains(name.as_str()) {
            let d = ctx.at(&at, format!("event `{name}` is not in the event catalog")).label("unknown event");
            let close = catalogs.events_folded.get(&name.to_ascii_lowercase());
            let help = match close {
                Some(e) => format!("did you mean `{e}`?"),
                None => "add it to events.yaml with its meaning and payload, or fix the name".to_owned(),
            };
            ctx.push(d.help(help));
            continue;
        }
        let key = (name.as_str(), when.as_ref().map(|c| (c.param, c.equals.to_string())));
        let use_ = EventUse { event: name.clone(), when };
        if !seen.insert(key) {
            let d = ctx.at(&at, format!("event `{name}` is listed twice"));
            ctx.push(d);
            continue;
        }
        out.push(use_);
    }
    out
}

fn error_codes(ctx: &mut Ctx<'_>, doc: &InterfaceFile, catalogs: &Catalogs<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, code) in doc.errors.iter().enumerate() {
        let path = NodePath::root().key("errors").index(i);
        if !catalogs.codes.contains(code.as_str()) {
            let d = ctx.at(&path, format!("error code `{code}` is not in the error catalog")).label("unknown code");
            ctx.push(d.help("add it to errors.yaml (with `source: unpublished` if its meaning is unknown)"));
            continue;
        }
        if !seen.insert(code) {
            let d = ctx.at(&path, format!("error code `{code}` is listed twice"));
            ctx.push(d);
            continue;
        }
        out.push(code.clone());
    }
    out
}

/// Sign-in is recognised by its shape: it sends no Guid, names the agent and
/// hands out a Guid in a response header. Sign-out is declared.
fn session_effect(
    ctx: &mut Ctx<'_>,
    doc: &InterfaceFile,
    sends_guid: bool,
    params: &[Param],
    headers: &[ResponseHeader],
) -> crate::ir::SessionEffect {
    let issues_guid = headers.iter().any(|h| h.role == Some(HeaderRole::Guid));
    let has_agent = params.iter().any(|p| p.role == Some(Role::AgentId));
    if doc.ends_session {
        if !sends_guid {
            let d =
                ctx.at(&NodePath::root().key("ends_session"), "an interface that ends the session must send the Guid");
            ctx.push(d.help("remove it from auth.not_sent_by in api.yaml, or drop ends_session"));
        }
        return crate::ir::SessionEffect::Ends;
    }
    if !sends_guid && issues_guid {
        if !has_agent {
            let d = ctx.at(
                &NodePath::root().key("response").key("headers"),
                "a sign-in interface (no Guid sent, one received) needs an agent_id path parameter",
            );
            ctx.push(d.help("mark the agent ID path parameter with `role: agent_id`"));
        }
        return crate::ir::SessionEffect::Starts;
    }
    crate::ir::SessionEffect::None
}

/// Each constrained or enumerated parameter generates a type (and a `…Rule`
/// companion for constrained ones); no two may share a name.
fn generated_type_names(ctx: &mut Ctx<'_>, params: &[Param]) {
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    let mut spec_index: BTreeMap<Location, usize> = BTreeMap::new();
    for p in params {
        let index = spec_index.entry(p.location).or_default();
        let path = NodePath::root().key("parameters").key(p.location.as_str()).index(*index);
        *index += 1;
        if p.secret || p.role.is_some() || p.constraints.is_empty() || !matches!(p.ty, Type::String | Type::Integer) {
            continue;
        }
        let mut names = vec![p.type_name.rust.clone()];
        if p.constraints.values.is_empty() {
            names.push(format!("{}Rule", p.type_name.rust));
        }
        if let Some((name, other)) = names.iter().find_map(|n| taken.get(n).map(|o| (n, *o))) {
            let d = ctx.at(
                &path.key("name"),
                format!("parameters `{other}` and `{}` would both generate the type `{name}`", p.name.wire),
            );
            ctx.push(d.help("set `type_name` on one of them to a distinct UpperCamelCase name"));
            continue;
        }
        for name in names {
            taken.insert(name, &p.name.wire);
        }
    }
}

/// The content type and the session token are declared once, in api.yaml.
fn redeclared_headers(ctx: &mut Ctx<'_>, api: &ApiFile, params: &[Param]) {
    let fixed = [api.auth.header.as_str(), api.auth.issued_in.header.as_str(), "Content-Type", "Cookie"];
    for (i, (_, p)) in params.iter().enumerate().filter(|(_, p)| p.location == Location::Header).enumerate() {
        if fixed.iter().any(|f| f.eq_ignore_ascii_case(&p.name.wire)) {
            let path = NodePath::root().key("parameters").key("header").index(i);
            let d = ctx.at(&path.key("name"), format!("header `{}` is set by the client itself", p.name.wire));
            ctx.push(d.help("api.yaml declares the content type and the session token for every interface"));
        }
    }
}
