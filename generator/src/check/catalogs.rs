//! The error-code and event catalogs.

use std::collections::BTreeMap;

use super::Ctx;
use super::types::fields;
use crate::diag::Report;
use crate::ident;
use crate::ir::{AgentStateKind, ErrorCode, Event, Name, Payload, Provenance, StateChange, Type};
use crate::load::Loaded;
use crate::load::model::{AgentStateSpec, ErrorCatalogFile, EventCatalogFile};
use crate::load::positions::NodePath;

pub(super) fn errors(loaded: &Loaded<ErrorCatalogFile>, report: &mut Report) -> Vec<ErrorCode> {
    let mut ctx = Ctx::new(loaded, report);
    let mut by_code: BTreeMap<String, ErrorCode> = BTreeMap::new();
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for (i, spec) in loaded.doc.codes.iter().enumerate() {
        let path = NodePath::root().key("codes").index(i);
        let code = spec.code.trim();
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            let d = ctx.at(&path.key("code"), "an error code is letters, digits and `-` only");
            ctx.push(d.help("write the code exactly as the gateway returns it, e.g. \"100-006\""));
            continue;
        }
        if by_code.contains_key(code) {
            let d = ctx.at(&path.key("code"), format!("error code `{code}` is listed twice"));
            ctx.push(d.label("duplicate").help("keep one entry per code"));
            continue;
        }
        if ident::snake(&spec.name) != spec.name {
            let d = ctx.at(&path.key("name"), format!("error name `{}` is not snake_case", spec.name));
            ctx.push(d.help(format!("write `{}`", ident::snake(&spec.name))));
        }
        let rust = ident::camel(&spec.name);
        if rust == "Unknown" {
            let d = ctx.at(&path.key("name"), "the name `unknown` is reserved for codes the catalog does not list");
            ctx.push(d.help("choose a name that says what the code means"));
        }
        if let Some(other) = variants.get(&rust) {
            let d = ctx.at(
                &path.key("name"),
                format!("error name `{}` gives the variant `{rust}`, as `{other}` does", spec.name),
            );
            ctx.push(d.help("choose a distinct name"));
        }
        variants.insert(rust.clone(), spec.code.clone());
        let provenance = match spec.source.as_str() {
            "official" => Provenance::Official,
            "unofficial" => Provenance::Unofficial,
            "unpublished" => Provenance::Unpublished,
            other => {
                let d = ctx.at(&path.key("source"), format!("unknown source `{other}`"));
                ctx.push(d.help("use official, unofficial or unpublished"));
                // Guess from the meaning so the source error does not cascade into a meaning error.
                if spec.meaning.is_some() { Provenance::Official } else { Provenance::Unpublished }
            }
        };
        match (&spec.meaning, provenance) {
            (None, Provenance::Official | Provenance::Unofficial) => {
                let d = ctx.at(&path, format!("error code `{code}` has no meaning"));
                ctx.push(
                    d.help("give its meaning, or mark it `source: unpublished` if the vendor never published one"),
                );
            }
            (Some(_), Provenance::Unpublished) => {
                let d = ctx
                    .at(&path.key("meaning"), format!("error code `{code}` is marked unpublished but has a meaning"));
                ctx.push(
                    d.help("drop the meaning, or say where it was published with `source: official` or `unofficial`"),
                );
            }
            _ => {}
        }
        if spec.meaning.as_deref().is_some_and(|m| m.trim().is_empty()) {
            let d = ctx.at(&path.key("meaning"), format!("error code `{code}` has an empty meaning"));
            ctx.push(d.help("give its meaning, or mark it `source: unpublished` and leave `meaning` out"));
        }
        if spec.remedy.as_deref().is_some_and(|r| r.trim().is_empty()) {
            let d = ctx.at(&path.key("remedy"), format!("error code `{code}` has an empty remedy"));
            ctx.push(d.help("say what a caller can do about the code, or leave `remedy` out"));
        }
        by_code.insert(
            code.to_owned(),
            ErrorCode {
                code: code.to_owned(),
                name: Name { wire: spec.name.clone(), rust, pos: ctx.pos(&path) },
                meaning: spec.meaning.clone(),
                provenance,
                note: spec.note.clone(),
                remedy: spec.remedy.clone(),
            },
        );
    }
    by_code.into_values().collect()
}

pub(super) fn events(loaded: &Loaded<EventCatalogFile>, report: &mut Report) -> Vec<Event> {
    let mut ctx = Ctx::new(loaded, report);
    let mut by_name: BTreeMap<String, Event> = BTreeMap::new();
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for (i, spec) in loaded.doc.events.iter().enumerate() {
        let path = NodePath::root().key("events").index(i);
        if spec.name.is_empty() || !spec.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let d = ctx.at(&path.key("name"), format!("event name `{}` is not a plain identifier", spec.name));
            ctx.push(d.help("event names are letters, digits and `_`, as the gateway sends them"));
            continue;
        }
        if by_name.contains_key(&spec.name) {
            let d = ctx.at(&path.key("name"), format!("event `{}` is listed twice", spec.name));
            ctx.push(d.label("duplicate"));
            continue;
        }
        let rust = ident::camel(&spec.name);
        if let Some(why) = super::names::camel_defect(&spec.name, &rust) {
            ctx.push(ctx.at(&path.key("name"), format!("event name {why}")));
        }
        if rust == "Unknown" {
            let d =
                ctx.at(&path.key("name"), "the event name `Unknown` is reserved for events the catalog does not list");
            ctx.push(d);
        }
        if let Some(other) = variants.get(&rust) {
            let d = ctx.at(
                &path.key("name"),
                format!("events `{other}` and `{}` both become the variant `{rust}`", spec.name),
            );
            ctx.push(d);
        }
        variants.insert(rust.clone(), spec.name.clone());
        let ppath = path.key("payload");
        let description = spec.payload.description.clone();
        let payload = match (spec.payload.kind.as_str(), &spec.payload.fields) {
            ("null", None) => Payload::Null { description },
            ("call_id", None) => Payload::CallId { description },
            ("string", None) => Payload::String { description },
            ("unknown", None) => Payload::Unknown { description },
            ("object", Some(list)) => {
                Payload::Object { description, fields: fields(&mut ctx, list, &ppath.key("fields")) }
            }
            // A bad payload is reported once; the event stays known so that
            // interfaces naming it do not report it missing as well.
            ("object", None) => {
                let d = ctx.at(&ppath, "an object payload lists its fields");
                ctx.push(d.help("add `fields:`"));
                Payload::Null { description }
            }
            ("null" | "call_id" | "string" | "unknown", Some(_)) => {
                let d = ctx.at(&ppath.key("fields"), format!("a `{}` payload has no fields", spec.payload.kind));
                ctx.push(d.help("use `kind: object` for a payload with fields"));
                Payload::Null { description }
            }
            (other, _) => {
                let d = ctx.at(&ppath.key("kind"), format!("unknown payload kind `{other}`"));
                ctx.push(d.help("use null, call_id, string, object or unknown"));
                Payload::Null { description }
            }
        };
        let agent_state = spec.agent_state.as_ref().and_then(|s| state_change(&mut ctx, s, &payload, &path));
        by_name.insert(
            spec.name.clone(),
            Event {
                name: Name { wire: spec.name.clone(), rust, pos: ctx.pos(&path) },
                meaning: spec.meaning.clone(),
                payload,
                note: spec.note.clone(),
                agent_state,
            },
        );
    }
    by_name.into_values().collect()
}

/// An event's `agent_state`: a known state, and a reason only where the state
/// has one, read from a string field of the payload.
fn state_change(ctx: &mut Ctx<'_>, spec: &AgentStateSpec, payload: &Payload, path: &NodePath) -> Option<StateChange> {
    let path = path.key("agent_state");
    let Some((becomes, _)) = AgentStateKind::ALL.iter().find(|(_, w)| *w == spec.becomes) else {
        let d = ctx.at(&path.key("becomes"), format!("unknown agent state `{}`", spec.becomes));
        ctx.push(d.help("use idle, not_ready, rest, work, busy or signed_out"));
        return None;
    };
    let Some(wire) = &spec.reason else { return Some(StateChange { becomes: *becomes, reason: None }) };
    if !becomes.has_reason() {
        let d = ctx.at(&path.key("reason"), format!("the state `{}` has no reason", spec.becomes));
        ctx.push(d.help("only not_ready and rest carry a reason; drop `reason`"));
        return None;
    }
    let field = match payload {
        Payload::Object { fields, .. } => fields.iter().find(|f| f.name.wire == *wire),
        _ => None,
    };
    match field {
        Some(f) if f.ty == Type::String => Some(StateChange {
            becomes: *becomes,
            reason: Some(Name { pos: ctx.pos(&path.key("reason")), ..f.name.clone() }),
        }),
        Some(f) => {
            let d =
                ctx.at(&path.key("reason"), format!("the reason field `{wire}` is {}, not a string", f.ty.spec_name()));
            ctx.push(d.help("a reason is read as text; declare the field `type: string`"));
            None
        }
        None => {
            let d = ctx.at(&path.key("reason"), format!("the payload has no field `{wire}`"));
            ctx.push(d.help("name a field of this event's object payload"));
            None
        }
    }
}
