//! How a parameter or field maps to a Rust type, and the types constraints generate.

use agentgateway_constraint::Constraint;
use proc_macro2::TokenStream;
use quote::quote;

use super::doc::{Doc, code};
use super::ident;
use super::syntax::{self, generic, named_type};
use crate::emit::words::{length, span};
use crate::ir::{Constraints, EnumValue, Param, Type, Value};

/// What kind of Rust type a parameter gets.
pub(crate) enum ParamType {
    /// An enum of the allowed values.
    Enum,
    /// A validated newtype over a string or integer.
    Constrained,
    /// The plain Rust type.
    Plain(syn::Type),
}

pub(crate) fn param_type(p: &Param) -> ParamType {
    if p.secret {
        return ParamType::Plain(named_type("crate::SecretString"));
    }
    if !p.constraints.values.is_empty() {
        return ParamType::Enum;
    }
    if !p.constraints.is_empty() && matches!(p.ty, Type::String | Type::Integer) {
        return ParamType::Constrained;
    }
    ParamType::Plain(request_plain(&p.ty))
}

/// The Rust type of an unconstrained request value. The vendor's `int` is
/// 32-bit and the gateway refuses anything wider, so the type cannot hold it.
fn request_plain(ty: &Type) -> syn::Type {
    match ty {
        Type::Integer => named_type("i32"),
        Type::List(item) => generic("Vec", [request_plain(item)]),
        other => plain(other),
    }
}

/// The Rust type of a field of a request.
pub(crate) fn field_type(p: &Param) -> syn::Type {
    let inner = match param_type(p) {
        ParamType::Enum | ParamType::Constrained => named_type(&p.type_name.rust),
        ParamType::Plain(t) => t,
    };
    if p.required { inner } else { generic("Option", [inner]) }
}

/// The unconstrained Rust type of a spec type.
pub(crate) fn plain(ty: &Type) -> syn::Type {
    match ty {
        Type::String => named_type("String"),
        Type::Integer => named_type("i64"),
        Type::Boolean => named_type("bool"),
        Type::Map => generic("serde_json::Map", [named_type("String"), named_type("serde_json::Value")]),
        Type::Object(_) => named_type("serde_json::Value"),
        Type::List(item) => generic("Vec", [plain(item)]),
    }
}

/// Human words for a set of constraints, for docs and error rules.
pub(crate) fn describe(c: &Constraints, ty: &Type) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((min, max)) = c.range {
        let on = if *ty == Type::String { "a decimal number " } else { "" };
        out.push(format!("{on}{}", span(min, max)));
    }
    if let Some((min, max)) = c.chars {
        out.push(length(min, max, "character"));
    }
    if let Some((min, max)) = c.bytes {
        out.push(format!("{} (UTF-8)", length(min, max, "byte")));
    }
    if let Some(p) = &c.pattern {
        out.push(p.description.clone());
    }
    out
}

/// The runtime's constraint table for a constrained parameter, rule by rule
/// in the IR's order (the checker evaluates the same list). Allowed values
/// are left out: the parameter's enum enforces them.
pub(crate) fn constraint_table(c: &Constraints) -> syn::Expr {
    use syntax::{array, int_i64, int_u64, path, reference, string, struct_expr};
    let variant = |kind: &str, fields: Vec<(&str, syn::Expr)>| {
        struct_expr(path(&format!("agentgateway_runtime::Constraint::{kind}")), fields, None)
    };
    let items = c.rules(&[]).into_iter().map(|rule| match rule {
        Constraint::Range { min, max } => variant("Range", vec![("min", int_i64(min)), ("max", int_i64(max))]),
        Constraint::Chars { min, max } => variant("Chars", vec![("min", int_u64(min)), ("max", int_u64(max))]),
        Constraint::Bytes { min, max } => variant("Bytes", vec![("min", int_u64(min)), ("max", int_u64(max))]),
        Constraint::Pattern { regex, description } => {
            variant("Pattern", vec![("regex", string(regex)), ("description", string(description))])
        }
        Constraint::OneOf { values } => {
            variant("OneOf", vec![("values", reference(array(values.iter().map(|v| string(v)))))])
        }
    });
    reference(array(items))
}

/// The type a constrained or enumerated parameter generates, if any.
pub(crate) fn param_type_items(p: &Param) -> TokenStream {
    match param_type(p) {
        ParamType::Enum => enum_type(p),
        ParamType::Constrained => constrained_type(p),
        ParamType::Plain(_) => TokenStream::new(),
    }
}

fn constrained_type(p: &Param) -> TokenStream {
    let name = ident(&p.type_name.rust);
    let rule = ident(&format!("{}Rule", p.type_name.rust));
    let rules = describe(&p.constraints, &p.ty).join("; ");
    let doc = Doc::new()
        .raw(format!("Value of {}, checked when constructed: {}.", code(&p.name.wire), super::doc::escape_line(&rules)))
        .blank()
        .text(&p.description)
        .attrs();
    let rule_doc = Doc::new().raw(format!("The constraints of [`{}`].", p.type_name.rust)).attrs();
    let value = if p.ty == Type::Integer {
        quote! { i64 }
    } else {
        quote! { String }
    };
    let wire = &p.name.wire;
    let table = constraint_table(&p.constraints);
    quote! {
        #doc
        pub type #name = agentgateway_runtime::Constrained<#rule>;

        #rule_doc
        #[derive(Debug)]
        pub enum #rule {}

        impl agentgateway_runtime::Rule for #rule {
            type Value = #value;
            const PARAMETER: &'static str = #wire;
            const CONSTRAINTS: &'static [agentgateway_runtime::Constraint] = #table;
        }
    }
}

fn enum_type(p: &Param) -> TokenStream {
    let name = ident(&p.type_name.rust);
    let mut doc = Doc::new().raw(format!("Allowed values of {}.", code(&p.name.wire)));
    if p.constraints.supported_only {
        doc = doc.blank().raw("The wire format accepts other values, but the server supports only these.");
    }
    // Non-exhaustive, so that a value the vendor adds later is not a breaking change.
    let doc = doc.blank().text(&p.description).attrs();
    let variants = p.constraints.values.iter().map(|v| {
        let id = ident(&v.name.rust);
        let d = Doc::new().text(&v.description).raw(format!("(wire value {})", code(&v.value.to_string()))).attrs();
        quote! { #d #id }
    });
    let (value_ty, arms, serialize) = value_arms(&p.constraints.values);
    let conversions = enum_conversions(p);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants,)*
        }

        impl #name {
            /// The value sent on the wire.
            pub const fn value(self) -> #value_ty {
                match self { #(#arms)* }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize
            }
        }

        #conversions
    }
}

/// `Display` and `FromStr` as the wire text, `TryFrom` the wire value (and
/// its text), `Deserialize` from the wire value. A value outside the list is
/// a `ValidationError` naming the parameter, as a constrained value's is.
fn enum_conversions(p: &Param) -> TokenStream {
    let name = ident(&p.type_name.rust);
    let values = &p.constraints.values;
    let wire = &p.name.wire;
    let listed: Vec<String> = values.iter().map(|v| v.value.to_string()).collect();
    let rule = format!("one of: {}", listed.join(", "));
    let rejected = quote! {
        agentgateway_runtime::ValidationError::new(#wire, "is not one of the accepted values", #rule)
    };
    let text_arms = values.iter().map(|v| {
        let (id, text) = (ident(&v.name.rust), v.value.to_string());
        quote! { #text => Ok(Self::#id), }
    });
    let is_int = values.iter().all(|v| matches!(v.value, Value::Int(_)));
    let (display, wire_value) = if is_int {
        let arms = values.iter().map(|v| {
            let (id, lit) = (ident(&v.name.rust), value_literal(&v.value));
            quote! { #lit => Ok(Self::#id), }
        });
        let display = quote! { std::fmt::Display::fmt(&self.value(), f) };
        let try_from = quote! {
            impl TryFrom<i64> for #name {
                type Error = agentgateway_runtime::ValidationError;

                fn try_from(value: i64) -> Result<Self, Self::Error> {
                    match value {
                        #(#arms)*
                        _ => Err(#rejected),
                    }
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = <i64 as serde::Deserialize>::deserialize(deserializer)?;
                    Self::try_from(value).map_err(serde::de::Error::custom)
                }
            }
        };
        (display, try_from)
    } else {
        let display = quote! { f.write_str(self.value()) };
        let deserialize = quote! {
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                    text.parse().map_err(serde::de::Error::custom)
                }
            }
        };
        (display, deserialize)
    };
    quote! {
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                #display
            }
        }

        impl std::str::FromStr for #name {
            type Err = agentgateway_runtime::ValidationError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    #(#text_arms)*
                    _ => Err(#rejected),
                }
            }
        }

        impl TryFrom<&str> for #name {
            type Error = agentgateway_runtime::ValidationError;

            fn try_from(text: &str) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        #wire_value
    }
}

fn value_arms(values: &[EnumValue]) -> (TokenStream, Vec<TokenStream>, TokenStream) {
    let is_int = values.iter().all(|v| matches!(v.value, Value::Int(_)));
    let arms = values
        .iter()
        .map(|v| {
            let id = ident(&v.name.rust);
            let lit = value_literal(&v.value);
            quote! { Self::#id => #lit, }
        })
        .collect();
    if is_int {
        (quote! { i64 }, arms, quote! { serializer.serialize_i64(self.value()) })
    } else {
        (quote! { &'static str }, arms, quote! { serializer.serialize_str(self.value()) })
    }
}

/// A spec literal as a Rust literal.
pub(crate) fn value_literal(v: &Value) -> syn::Expr {
    match v {
        Value::Int(i) => syntax::int_i64(*i),
        Value::Str(s) => syntax::string(s),
        Value::Bool(b) => syntax::boolean(*b),
    }
}
