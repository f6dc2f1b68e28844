//! One module per interface: its request, result and value types, and its descriptor.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc::{Doc, code, escape_line};
use super::types::{ParamType, constraint_table, describe, field_tokens, param_type, plain};
use super::{ident, syntax};
use crate::ir::{Api, Field, Interface, Location, Param, ResultShape, Role, Rule, Type, Value};

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

/// The module of `it`: the items built as trees, then the tokens of the
/// rest. Whatever it reads of `api` or `shared` besides `it` must be part of
/// the interface's key in [`crate::incremental`], or an unchanged module
/// could be reused.
pub(crate) fn module(api: &Api, it: &Interface, shared: &super::shared::Shared) -> (Vec<syn::Item>, TokenStream) {
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
    let request = request_struct(it);
    let result = result_struct(it);
    let tokens = quote! {
        #doc
        #(#types)*
        #request
        #result
    };
    (descriptor(api, it), tokens)
}

/// `OPERATION`, `EVENTS`, `ERRORS` and, with an agent-ID parameter,
/// `AGENT_ID`: the items that open every interface module.
fn descriptor(api: &Api, it: &Interface) -> Vec<syn::Item> {
    use syntax::{array, boolean, call, expr_path, path, public_const, public_static, reference, string};
    use syntax::{slice_ref, struct_expr, type_path};
    let method = match it.method {
        crate::ir::Method::Get => "Get",
        crate::ir::Method::Post => "Post",
        crate::ir::Method::Put => "Put",
        crate::ir::Method::Delete => "Delete",
    };
    let agent_id = match agent_id_param(it) {
        Some(p) => call(
            expr_path(path("Some")),
            [struct_expr(
                path("agentgateway_runtime::AgentIdParam"),
                [("name", string(&p.name.wire)), ("constraints", expr_path(path("AGENT_ID")))],
                None,
            )],
        ),
        None => expr_path(path("None")),
    };
    let operation = struct_expr(
        path("agentgateway_runtime::Operation"),
        [
            ("name", string(&it.operation.wire)),
            ("method", expr_path(path(&format!("agentgateway_runtime::Method::{method}")))),
            ("path", string(&it.path)),
            ("sends_guid", boolean(it.sends_guid)),
            ("result", string(&it.result_member)),
            ("agent_id", agent_id),
        ],
        None,
    );
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
            type_path(path("agentgateway_runtime::Operation")),
            operation,
        ),
        public_const(
            doc("Events this interface may trigger, delivered later through event polling."),
            "EVENTS",
            slice_ref(type_path(path("crate::EventKind")), None),
            variants("EventKind", events),
        ),
        public_const(
            doc("Error codes this interface's page lists."),
            "ERRORS",
            slice_ref(type_path(path("crate::ErrorCode")), None),
            variants("ErrorCode", errors),
        ),
    ];
    if let Some(p) = agent_id_param(it) {
        let rules = describe(&p.constraints, &p.ty).join("; ");
        let line = format!("Constraints this interface's page sets on the agent ID: {}.", escape_line(&rules));
        let ty = slice_ref(type_path(path("agentgateway_runtime::Constraint")), None);
        items.push(public_const(doc(&line), "AGENT_ID", ty, constraint_table(&p.constraints)));
    }
    items
}

fn field_doc(p: &Param) -> TokenStream {
    let mut doc = Doc::new().text(&p.description).blank();
    let mut facts = vec![format!("Sent in the {} as {}", p.location.as_str(), code(&p.name.wire))];
    if let Some(v) = &p.vendor_type {
        facts.push(format!("vendor type {}", code(v)));
    }
    let rules = describe(&p.constraints, &p.ty);
    if !rules.is_empty() {
        facts.push(rules.iter().map(|r| escape_line(r)).collect::<Vec<_>>().join("; "));
    }
    if let Some(d) = &p.default {
        facts.push(format!("server default {} (sent only when set)", code(&d.to_string())));
    }
    doc = doc.raw(format!("{}.", facts.join(", ")));
    doc.attrs()
}

fn request_struct(it: &Interface) -> TokenStream {
    if !has_request(it) {
        return TokenStream::new();
    }
    let fields = request_params(it).map(|p| {
        let id = ident(&p.name.rust);
        let ty = field_tokens(p);
        let doc = field_doc(p);
        let wire = &p.name.wire;
        let rename = (p.name.rust.trim_start_matches("r#") != wire).then(|| quote! { rename = #wire, });
        let serde = if p.location != Location::Body {
            quote! { #[serde(skip)] }
        } else if p.required {
            match rename {
                Some(r) => quote! { #[serde(#r)] },
                None => TokenStream::new(),
            }
        } else {
            quote! { #[serde(#rename skip_serializing_if = "Option::is_none")] }
        };
        quote! { #doc #serde pub #id: #ty }
    });
    let required: Vec<&Param> = request_params(it).filter(|p| p.required).collect();
    let args = required.iter().map(|p| {
        let id = ident(&p.name.rust);
        let t = argument_type(p);
        quote! { #id: #t }
    });
    let inits = request_params(it).map(|p| {
        let id = ident(&p.name.rust);
        if !p.required {
            quote! { #id: None }
        } else if takes_into_string(p) {
            quote! { #id: #id.into() }
        } else {
            quote! { #id }
        }
    });
    let setters = request_params(it).filter(|p| !p.required).map(setter);
    let validate = validate_fn(it);
    let doc = Doc::new()
        .raw(format!("Request of [`{}`](crate::{}::{}).", it.operation.rust, receiver(it), it.operation.rust))
        .blank()
        .raw(
            "Build it with [`Request::new`] from the required values, then set optional ones with its `with_` methods.",
        )
        .raw("It cannot be written as a struct literal, so a parameter the vendor adds later is not a breaking change.")
        .attrs();
    let default = required.is_empty().then(|| quote! { Default, });
    // Positional arguments mirror the spec's required parameters, however many.
    let many = (required.len() > 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize)]
        #[non_exhaustive]
        pub struct Request {
            #(#fields,)*
        }

        impl Request {
            /// A request with the required values, in the spec's order; optional ones start unset.
            #many
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* }
            }

            #(#setters)*

            #validate
        }
    }
}

/// True when a required argument or setter takes `impl Into<String>` rather than its field type.
fn takes_into_string(p: &Param) -> bool {
    matches!(param_type(p), ParamType::Plain(_)) && p.ty == Type::String && !p.secret
}

/// The type `new` or a setter takes for `p`: the field's type without `Option`.
fn argument_type(p: &Param) -> TokenStream {
    if takes_into_string(p) {
        return quote! { impl Into<String> };
    }
    match param_type(p) {
        ParamType::Enum | ParamType::Constrained => {
            let t = ident(&p.type_name.rust);
            quote! { #t }
        }
        ParamType::Plain(t) => t,
    }
}

/// The name of the setter of optional parameter `p`: `with_` and its Rust name.
pub(crate) fn setter_name(p: &Param) -> String {
    format!("with_{}", p.name.rust.trim_start_matches("r#"))
}

/// `with_x(self, x) -> Self` for an optional parameter.
fn setter(p: &Param) -> TokenStream {
    let id = ident(&p.name.rust);
    let name = ident(&setter_name(p));
    let ty = argument_type(p);
    let value = if takes_into_string(p) {
        quote! { value.into() }
    } else {
        quote! { value }
    };
    let doc = Doc::new().raw(format!("Sets the optional parameter {}.", code(&p.name.wire))).attrs();
    quote! {
        #doc
        #[must_use]
        pub fn #name(mut self, value: #ty) -> Self {
            self.#id = Some(#value);
            self
        }
    }
}

/// True for a sign-in: a `Client` method that hands back the `Session` it starts.
pub(crate) fn starts_session(it: &Interface) -> bool {
    it.session == crate::ir::SessionEffect::Starts && !it.sends_guid && agent_id_param(it).is_some()
}

/// `Client` or `Session`, whichever carries the interface's method.
pub(crate) fn receiver(it: &Interface) -> &'static str {
    if it.sends_guid { "Session" } else { "Client" }
}

fn validate_fn(it: &Interface) -> TokenStream {
    if !has_validate(it) {
        return TokenStream::new();
    }
    let mut checks = Vec::new();
    for p in request_params(it).filter(|p| p.secret && !p.constraints.is_empty()) {
        let id = ident(&p.name.rust);
        let wire = &p.name.wire;
        let table = constraint_table(&p.constraints);
        checks.push(if p.required {
            quote! { agentgateway_runtime::check_str(#wire, self.#id.expose(), #table)?; }
        } else {
            quote! { if let Some(v) = &self.#id { agentgateway_runtime::check_str(#wire, v.expose(), #table)?; } }
        });
    }
    for rule in &it.rules {
        checks.push(rule_check(it, rule));
    }
    quote! {
        /// Checks the rules that tie parameters together; the client calls this before sending.
        ///
        /// # Errors
        ///
        /// The first rule the request breaks.
        // Rules are emitted uniformly as `cond && !(a || b)`, which reads as the spec says.
        #[allow(clippy::nonminimal_bool, clippy::bool_comparison)]
        pub fn validate(&self) -> Result<(), agentgateway_runtime::ValidationError> {
            #(#checks)*
            Ok(())
        }
    }
}

/// `true` when parameter `index` currently equals `value`, as a Rust expression.
fn equals_expr(p: &Param, value: &Value) -> TokenStream {
    let id = ident(&p.name.rust);
    let rhs = match param_type(p) {
        ParamType::Enum => {
            let t = ident(&p.type_name.rust);
            match p.constraints.values.iter().find(|v| &v.value == value) {
                Some(v) => {
                    let var = ident(&v.name.rust);
                    quote! { #t::#var }
                }
                None => return quote! { false },
            }
        }
        ParamType::Constrained => {
            let lit = super::types::value_literal(value);
            return if p.required {
                quote! { (*self.#id.get() == #lit) }
            } else {
                quote! { self.#id.as_ref().is_some_and(|v| *v.get() == #lit) }
            };
        }
        ParamType::Plain(_) => super::types::value_literal(value),
    };
    if p.required {
        quote! { (self.#id == #rhs) }
    } else if p.ty == Type::String && matches!(param_type(p), ParamType::Plain(_)) {
        // `Option<String>` meets a `&str` literal through `as_deref`.
        quote! { (self.#id.as_deref() == Some(#rhs)) }
    } else {
        quote! { (self.#id == Some(#rhs)) }
    }
}

fn rule_check(it: &Interface, rule: &Rule) -> TokenStream {
    let (target, when, description) = match rule {
        Rule::OnlyWhen { param, when, description } | Rule::RequiredWhen { param, when, description } => {
            (*param, when, description)
        }
        Rule::AllowedValues { param, when, description, .. } => (*param, when, description),
    };
    let p = &it.params[target];
    let cond_param = &it.params[when.param];
    let cond = equals_expr(cond_param, &when.equals);
    let id = ident(&p.name.rust);
    let wire = &p.name.wire;
    let cond_text = format!("{} is {}", cond_param.name.wire, when.equals);
    match rule {
        Rule::OnlyWhen { .. } => {
            let text = description.clone().unwrap_or_else(|| format!("valid only when {cond_text}"));
            quote! {
                if self.#id.is_some() && !#cond {
                    return Err(agentgateway_runtime::ValidationError::new(#wire, "is set", #text));
                }
            }
        }
        Rule::RequiredWhen { .. } => {
            let text = description.clone().unwrap_or_else(|| format!("required when {cond_text}"));
            quote! {
                if self.#id.is_none() && #cond {
                    return Err(agentgateway_runtime::ValidationError::new(#wire, "is missing", #text));
                }
            }
        }
        Rule::AllowedValues { values, .. } => {
            let listed: Vec<String> = values.iter().map(ToString::to_string).collect();
            let text = description
                .clone()
                .unwrap_or_else(|| format!("when {cond_text}, {wire} is one of {}", listed.join(", ")));
            let allowed: Vec<TokenStream> = values.iter().map(|v| equals_expr(p, v)).collect();
            // Each test is parenthesized already; a lone one needs no more.
            let none_match = match allowed.as_slice() {
                [one] => quote! { !#one },
                many => quote! { !(#(#many)||*) },
            };
            let problem = "is not allowed in this combination";
            // An optional parameter left out breaks no value rule.
            let present = (!p.required).then(|| quote! { self.#id.is_some() && });
            quote! {
                if #cond && #present #none_match {
                    return Err(agentgateway_runtime::ValidationError::new(#wire, #problem, #text));
                }
            }
        }
    }
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
fn result_struct(it: &Interface) -> TokenStream {
    let (name, fields, description, what) = match &it.result {
        ResultShape::Object { fields, description, .. } => ("Response", fields, description, "Result"),
        ResultShape::List { fields, description, .. } => ("Item", fields, description, "One item of the result"),
        _ => return TokenStream::new(),
    };
    let doc = Doc::new()
        .raw(format!("{what} of [`{}`](crate::{}::{}).", it.operation.rust, receiver(it), it.operation.rust))
        .blank()
        .text(description.as_deref().unwrap_or(""))
        .attrs();
    let name = ident(name);
    let items = fields.iter().map(result_field);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#items,)*
        }
    }
}

fn result_field(f: &Field) -> TokenStream {
    let id = ident(&f.name.rust);
    let wire = &f.name.wire;
    let doc = Doc::new().text(&f.description).blank().raw(format!("Wire name {}.", code(wire))).attrs();
    if f.required {
        let ty = plain(&f.ty);
        return quote! { #doc #[serde(rename = #wire)] pub #id: #ty };
    }
    // Optional members are read leniently: the gateway sends numbers as text and back.
    let lenient = match f.ty {
        Type::String => Some("agentgateway_runtime::lenient::opt_string"),
        Type::Integer => Some("agentgateway_runtime::lenient::opt_i64"),
        Type::Boolean => Some("agentgateway_runtime::lenient::opt_bool"),
        _ => None,
    };
    let base = plain(&f.ty);
    match lenient {
        Some(with) => {
            quote! { #doc #[serde(rename = #wire, default, deserialize_with = #with)] pub #id: Option<#base> }
        }
        None => quote! { #doc #[serde(rename = #wire, default)] pub #id: Option<#base> },
    }
}
