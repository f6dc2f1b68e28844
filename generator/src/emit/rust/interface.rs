//! One module per interface: its request, result and value types, and its descriptor.

use quote::quote;

use super::Module;
use super::doc::{Doc, code, escape_line};
use super::syntax;
use super::types::{constraint_table, describe, plain};
use crate::ir::{Api, Field, Interface, Param, ResultShape, Role, Type};

/// Parameters the caller supplies (the session supplies the agent ID).
pub(crate) fn request_params(it: &Interface) -> impl Iterator<Item = &Param> {
    it.params.iter().filter(|p| p.role != Some(Role::AgentId))
}

/// True when the interface has a `Request` type.
pub(crate) fn has_request(it: &Interface) -> bool {
    request_params(it).next().is_some()
}

/// True when `Request` has a `validate` method: every `Request` has one, even with nothing to
/// check yet, so that a rule removed from the spec does not remove a public method.
pub(crate) fn has_validate(it: &Interface) -> bool {
    has_request(it)
}

/// The agent-ID path parameter, if the interface has one.
pub(crate) fn agent_id_param(it: &Interface) -> Option<&Param> {
    it.params.iter().find(|p| p.role == Some(Role::AgentId))
}

/// The module of `it`. Whatever it reads of `api` or `shared` besides `it`
/// must be part of the interface's key in [`crate::incremental`], or an
/// unchanged module could be reused.
pub(crate) fn module(api: &Api, it: &Interface, shared: &super::shared::Shared) -> Module {
    let mut doc = Doc::new()
        .text(&it.title)
        .raw(format!("({}).", code(&format!("{} {}{}", it.method.as_str(), api.settings.base_path, it.path))))
        .blank()
        .text(&it.summary)
        .blank()
        .raw(log_and_spec(it));
    if let Some(page) = &it.source_page {
        doc = doc.raw(format!("Vendor page: {}.", escape_line(page)));
    }
    let doc = doc.list("Known quirks of the vendor page", &it.quirks).inner_attrs();

    let types = request_params(it).map(|p| shared.items_for(it, p));
    let tokens = quote! {
        #doc
        #(#types)*
    };
    let mut tail = super::request::request_items(it);
    tail.extend(result_struct(it));
    Module {
        path: super::interface_path(it),
        source: format!("spec/{}", it.source),
        lead: descriptor(api, it),
        tokens,
        tail,
    }
}

/// `OPERATION`, `EVENTS`, `ERRORS` and, with an agent-ID parameter,
/// `AGENT_ID`: the items that open every interface module.
fn descriptor(api: &Api, it: &Interface) -> Vec<syn::Item> {
    use syntax::{array, expr_path, path, public_const, public_static, reference};
    use syntax::{named_type, slice_ref};
    let variants = |kind: &str, names: Vec<&str>| {
        reference(array(names.into_iter().map(|name| expr_path(path(&format!("crate::{kind}::{name}"))))))
    };
    let events = it.events.iter().filter_map(|e| api.event(&e.event)).map(|e| e.name.rust.as_str()).collect();
    let errors = it.errors.iter().filter_map(|c| api.error(c)).map(|e| e.name.rust.as_str()).collect();
    let doc = |line: &str| Doc::new().raw(line).outer();
    let mut items = vec![
        public_static(
            doc("How this interface is reached."),
            "OPERATION",
            named_type("agentgateway_runtime::Operation"),
            operation(it),
        ),
        public_const(
            doc("Events this interface may trigger, delivered later through event polling."),
            "EVENTS",
            slice_ref(named_type("crate::EventKind"), None),
            variants("EventKind", events),
        ),
        public_const(
            doc("Error codes this interface's page lists."),
            "ERRORS",
            slice_ref(named_type("crate::ErrorCode"), None),
            variants("ErrorCode", errors),
        ),
    ];
    if let Some(p) = agent_id_param(it) {
        let rules = describe(&p.constraints, &p.ty).join("; ");
        let line = format!("Constraints this interface's page sets on the agent ID: {}.", escape_line(&rules));
        let ty = slice_ref(named_type("agentgateway_runtime::Constraint"), None);
        items.push(public_const(doc(&line), "AGENT_ID", ty, constraint_table(&p.constraints)));
    }
    items
}

/// The `agentgateway_runtime::Operation` value of `OPERATION`.
fn operation(it: &Interface) -> syn::Expr {
    use syntax::{boolean, call_of, named, path, string, struct_expr};
    let method = match it.method {
        crate::ir::Method::Get => "Get",
        crate::ir::Method::Post => "Post",
        crate::ir::Method::Put => "Put",
        crate::ir::Method::Delete => "Delete",
    };
    let agent_id = match agent_id_param(it) {
        Some(p) => call_of(
            "Some",
            [struct_expr(
                path("agentgateway_runtime::AgentIdParam"),
                [("name", string(&p.name.wire)), ("constraints", named("AGENT_ID"))],
                None,
            )],
        ),
        None => named("None"),
    };
    struct_expr(
        path("agentgateway_runtime::Operation"),
        [
            ("name", string(&it.operation.wire)),
            ("method", named(&format!("agentgateway_runtime::Method::{method}"))),
            ("path", string(&it.path)),
            ("sends_guid", boolean(it.sends_guid)),
            ("result", string(&it.result_member)),
            ("agent_id", agent_id),
        ],
        None,
    )
}

/// True for a sign-in: a `Client` method that hands back the `Session` it starts.
pub(crate) fn starts_session(it: &Interface) -> bool {
    it.session == crate::ir::SessionEffect::Starts && !it.sends_guid && agent_id_param(it).is_some()
}

/// `Client` or `Session`, whichever carries the interface's method.
pub(crate) fn receiver(it: &Interface) -> &'static str {
    if it.sends_guid { "Session" } else { "Client" }
}

/// The module doc's line naming the log name (when the page gives one) and the spec file.
fn log_and_spec(it: &Interface) -> String {
    let spec = code(&format!("spec/{}", it.source));
    match &it.log_name {
        Some(name) => format!("Log name {}. Spec: {spec}.", code(name)),
        None => format!("The vendor page gives no log name. Spec: {spec}."),
    }
}

/// `Response` for an object result, `Item` for each element of a list result.
fn result_struct(it: &Interface) -> Option<syn::Item> {
    let (name, fields, description, what) = match &it.result {
        ResultShape::Object { fields, description, .. } => ("Response", fields, description, "Result"),
        ResultShape::List { fields, description, .. } => ("Item", fields, description, "One item of the result"),
        _ => return None,
    };
    let mut attrs = Doc::new()
        .raw(format!("{what} of [`{}`](crate::{}::{}).", it.operation.rust, receiver(it), it.operation.rust))
        .blank()
        .text(description.as_deref().unwrap_or(""))
        .outer();
    let derives = quote! { Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize };
    attrs.extend([syntax::attr_list("derive", derives), syntax::attr_word("non_exhaustive")]);
    Some(syntax::public_struct(attrs, name, fields.iter().map(result_field).collect()))
}

fn result_field(f: &Field) -> syn::Field {
    let wire = &f.name.wire;
    let mut attrs = Doc::new().text(&f.description).blank().raw(format!("Wire name {}.", code(wire))).outer();
    if f.required {
        attrs.push(syntax::attr_list("serde", quote! { rename = #wire }));
        return syntax::public_field(attrs, &f.name.rust, plain(&f.ty));
    }
    // Optional members are read leniently: the gateway sends numbers as text and back.
    let lenient = match f.ty {
        Type::String => Some("agentgateway_runtime::lenient::opt_string"),
        Type::Integer => Some("agentgateway_runtime::lenient::opt_i64"),
        Type::Boolean => Some("agentgateway_runtime::lenient::opt_bool"),
        _ => None,
    };
    let serde = match lenient {
        Some(with) => quote! { rename = #wire, default, deserialize_with = #with },
        None => quote! { rename = #wire, default },
    };
    attrs.push(syntax::attr_list("serde", serde));
    syntax::public_field(attrs, &f.name.rust, syntax::generic("Option", [plain(&f.ty)]))
}
