//! An interface's `Request`: the struct, `new`, a setter per optional
//! parameter, and `validate` with the rules that tie parameters together.
//!
//! Built as trees (see `syntax`).

use quote::quote;
use syn::{Attribute, Expr, ImplItem, Item, Stmt};

use super::doc::{Doc, code};
use super::interface::{has_request, has_validate, receiver, request_params};
use super::syntax::{
    Receiver, all_of, and, arg, assign, attr_list, attr_word, boolean, call_of, closure, deref, eq, field, generic,
    if_stmt, impl_into, inherent_impl, int_inferred, let_some, method_call, named, named_type, not, or, paren,
    public_field, public_fn, public_struct, reference, return_stmt, stmt, string, struct_shorthand, tail, tried, tuple,
    unit,
};
use super::types::{ParamType, constraint_table, describe, field_type, param_type, value_literal};
use crate::ir::{Interface, Location, Param, Rule, Type, Value};

/// `struct Request` and its `impl`, when the interface has parameters the caller supplies.
pub(crate) fn request_items(it: &Interface) -> Vec<Item> {
    if !has_request(it) {
        return Vec::new();
    }
    let fields = request_params(it).map(|p| public_field(field_attrs(p), &p.name.rust, field_type(p))).collect();
    let doc = Doc::new()
        .raw(format!("Request of [`{}`](crate::{}::{}).", it.operation.rust, receiver(it), it.operation.rust))
        .blank()
        .raw(
            "Build it with [`Request::new`] from the required values, then set optional ones with its `with_` methods.",
        )
        .raw(
            "It cannot be written as a struct literal, so a parameter the vendor adds later is not a breaking change.",
        );
    let default = request_params(it).all(|p| !p.required).then(|| quote! { Default, });
    let mut attrs = doc.outer();
    attrs.push(attr_list("derive", quote! { Debug, Clone, PartialEq, #default serde::Serialize }));
    attrs.push(attr_word("non_exhaustive"));
    let mut methods = vec![ImplItem::Fn(new_fn(it))];
    methods.extend(request_params(it).filter(|p| !p.required).map(|p| ImplItem::Fn(setter(p))));
    if has_validate(it) {
        methods.push(ImplItem::Fn(validate_fn(it)));
    }
    vec![public_struct(attrs, "Request", fields), inherent_impl("Request", methods)]
}

/// The docs and serde attributes of the field of `p`.
fn field_attrs(p: &Param) -> Vec<Attribute> {
    let mut attrs = field_doc(p).outer();
    let wire = &p.name.wire;
    let rename = (p.name.rust.trim_start_matches("r#") != wire).then(|| quote! { rename = #wire, });
    if p.location != Location::Body {
        attrs.push(attr_list("serde", quote! { skip }));
    } else if !p.required {
        attrs.push(attr_list("serde", quote! { #rename skip_serializing_if = "Option::is_none" }));
    } else if let Some(rename) = rename {
        attrs.push(attr_list("serde", rename));
    }
    attrs
}

fn field_doc(p: &Param) -> Doc {
    let doc = Doc::new().text(&p.description).blank();
    let mut facts = vec![format!("Sent in the {} as {}", p.location.as_str(), code(&p.name.wire))];
    if let Some(v) = &p.vendor_type {
        facts.push(format!("vendor type {}", code(v)));
    }
    let rules = describe(&p.constraints, &p.ty);
    if !rules.is_empty() {
        facts.push(rules.iter().map(|r| super::doc::escape_line(r)).collect::<Vec<_>>().join("; "));
    }
    if let Some(d) = &p.default {
        facts.push(format!("server default {} (sent only when set)", code(&d.to_string())));
    }
    doc.raw(format!("{}.", facts.join(", ")))
}

/// `Request::new`, from the required values in the spec's order.
fn new_fn(it: &Interface) -> syn::ImplItemFn {
    let required: Vec<&Param> = request_params(it).filter(|p| p.required).collect();
    let args = required.iter().map(|p| arg(&p.name.rust, argument_type(p)));
    let inits = request_params(it).map(|p| {
        let value = if !p.required {
            Some(named("None"))
        } else if takes_into_string(p) {
            Some(method_call(named(&p.name.rust), "into", []))
        } else {
            None
        };
        (p.name.rust.as_str(), value)
    });
    let mut attrs =
        Doc::new().raw("A request with the required values, in the spec's order; optional ones start unset.").outer();
    // Positional arguments mirror the spec's required parameters, however many.
    if required.len() > 7 {
        attrs.push(attr_list("allow", quote! { clippy::too_many_arguments }));
    }
    let body = vec![tail(struct_shorthand(super::syntax::path("Self"), inits))];
    public_fn(attrs, Receiver::None, "new", args, named_type("Self"), body)
}

/// True when a required argument or setter takes `impl Into<String>` rather than its field type.
fn takes_into_string(p: &Param) -> bool {
    matches!(param_type(p), ParamType::Plain(_)) && p.ty == Type::String && !p.secret
}

/// The type `new` or a setter takes for `p`: the field's type without `Option`.
fn argument_type(p: &Param) -> syn::Type {
    if takes_into_string(p) {
        return impl_into(named_type("String"));
    }
    match param_type(p) {
        ParamType::Enum | ParamType::Constrained => named_type(&p.type_name.rust),
        ParamType::Plain(t) => t,
    }
}

/// The name of the setter of optional parameter `p`: `with_` and its Rust name.
pub(crate) fn setter_name(p: &Param) -> String {
    format!("with_{}", p.name.rust.trim_start_matches("r#"))
}

/// `with_x(mut self, value) -> Self` for an optional parameter.
fn setter(p: &Param) -> syn::ImplItemFn {
    let value = if takes_into_string(p) { method_call(named("value"), "into", []) } else { named("value") };
    let mut attrs = Doc::new().raw(format!("Sets the optional parameter {}.", code(&p.name.wire))).outer();
    attrs.push(attr_word("must_use"));
    let body = vec![stmt(assign(own(p), call_of("Some", [value]))), tail(named("self"))];
    public_fn(attrs, Receiver::MutValue, &setter_name(p), [arg("value", argument_type(p))], named_type("Self"), body)
}

fn validate_fn(it: &Interface) -> syn::ImplItemFn {
    let mut attrs = Doc::new()
        .raw("Checks the rules that tie parameters together; the client calls this before sending.")
        .blank()
        .raw("# Errors")
        .blank()
        .raw("The first rule the request breaks.")
        .outer();
    // Rules are emitted uniformly as `cond && !(a || b)`, which reads as the spec says.
    attrs.push(attr_list("allow", quote! { clippy::nonminimal_bool, clippy::bool_comparison }));
    let output = generic("Result", [unit(), named_type("agentgateway_runtime::ValidationError")]);
    let mut body = checks(it);
    body.push(tail(call_of("Ok", [tuple([])])));
    public_fn(attrs, Receiver::Ref, "validate", [], output, body)
}

/// The statements of `validate` that check constraints and rules; none for most interfaces.
fn checks(it: &Interface) -> Vec<Stmt> {
    let mut checks = Vec::new();
    for p in request_params(it).filter(|p| p.secret && !p.constraints.is_empty()) {
        let check = |value: Expr| {
            let args = [string(&p.name.wire), method_call(value, "expose", []), constraint_table(&p.constraints)];
            stmt(tried(call_of("agentgateway_runtime::check_str", args)))
        };
        checks.push(if p.required {
            check(own(p))
        } else {
            if_stmt(let_some("v", reference(own(p))), vec![check(named("v"))])
        });
    }
    checks.extend(it.rules.iter().map(|rule| rule_check(it, rule)));
    checks
}

/// `self.<name>`.
fn own(p: &Param) -> Expr {
    field(named("self"), &p.name.rust)
}

/// `true` when parameter `p` currently equals `value`, as a Rust expression.
fn equals_expr(p: &Param, value: &Value) -> Expr {
    let rhs = match param_type(p) {
        ParamType::Enum => match p.constraints.values.iter().find(|v| &v.value == value) {
            Some(v) => named(&format!("{}::{}", p.type_name.rust, v.name.rust)),
            None => return boolean(false),
        },
        ParamType::Constrained => {
            let equal = |v: Expr| eq(deref(method_call(v, "get", [])), value_literal(value));
            return if p.required {
                paren(equal(own(p)))
            } else {
                method_call(method_call(own(p), "as_ref", []), "is_some_and", [closure("v", equal(named("v")))])
            };
        }
        // Unsuffixed, so that it takes the field's type (`i32`, not the IR's `i64`).
        ParamType::Plain(_) => match value {
            Value::Int(i) => int_inferred(*i),
            other => value_literal(other),
        },
    };
    let some = |rhs| call_of("Some", [rhs]);
    paren(if p.required {
        eq(own(p), rhs)
    } else if p.ty == Type::String && matches!(param_type(p), ParamType::Plain(_)) {
        // `Option<String>` meets a `&str` literal through `as_deref`.
        eq(method_call(own(p), "as_deref", []), some(rhs))
    } else {
        eq(own(p), some(rhs))
    })
}

fn rule_check(it: &Interface, rule: &Rule) -> Stmt {
    let (target, when, description) = match rule {
        Rule::OnlyWhen { param, when, description } | Rule::RequiredWhen { param, when, description } => {
            (*param, when, description)
        }
        Rule::AllowedValues { param, when, description, .. } => (*param, when, description),
    };
    let p = &it.params[target];
    let cond_param = &it.params[when.param];
    let cond = equals_expr(cond_param, &when.equals);
    let wire = &p.name.wire;
    let cond_text = format!("{} is {}", cond_param.name.wire, when.equals);
    let refuse = |problem: &str, text: String| {
        let error =
            call_of("agentgateway_runtime::ValidationError::new", [string(wire), string(problem), string(&text)]);
        vec![return_stmt(call_of("Err", [error]))]
    };
    match rule {
        Rule::OnlyWhen { .. } => {
            let text = description.clone().unwrap_or_else(|| format!("valid only when {cond_text}"));
            if_stmt(and(method_call(own(p), "is_some", []), not(cond)), refuse("is set", text))
        }
        Rule::RequiredWhen { .. } => {
            let text = description.clone().unwrap_or_else(|| format!("required when {cond_text}"));
            if_stmt(and(method_call(own(p), "is_none", []), cond), refuse("is missing", text))
        }
        Rule::AllowedValues { values, .. } => {
            let listed: Vec<String> = values.iter().map(ToString::to_string).collect();
            let text = description
                .clone()
                .unwrap_or_else(|| format!("when {cond_text}, {wire} is one of {}", listed.join(", ")));
            let mut allowed = values.iter().map(|v| equals_expr(p, v));
            // Each test is parenthesized already; a lone one needs no more.
            let none_match = match (allowed.next(), values.len()) {
                (Some(one), 1) => not(one),
                (Some(first), _) => not(paren(allowed.fold(first, or))),
                // The checker refuses an empty list; were one to come, it allows nothing.
                (None, _) => not(paren(boolean(false))),
            };
            // An optional parameter left out breaks no value rule.
            let present = (!p.required).then(|| method_call(own(p), "is_some", []));
            let test = all_of(cond, present.into_iter().chain([none_match]));
            if_stmt(test, refuse("is not allowed in this combination", text))
        }
    }
}
