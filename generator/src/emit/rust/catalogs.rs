//! The error-code and event-kind enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc::{Doc, code};
use super::ident;
use crate::ir::{Api, Event, Field, Payload, Provenance, Type};

pub(crate) fn errors(api: &Api) -> TokenStream {
    let variants = api.errors.iter().map(|e| {
        let id = ident(&e.name.rust);
        let mut doc = Doc::new().raw(format!("{}:", code(&e.code)));
        doc = match &e.meaning {
            Some(m) => doc.text(m),
            None => doc.raw("meaning not published by the vendor."),
        };
        if e.provenance == Provenance::Unofficial {
            doc = doc.blank().raw("The meaning comes from a vendor sample client, not the API reference.");
        }
        let doc = doc.attrs();
        quote! { #doc #id }
    });
    let code_arms = api.errors.iter().map(|e| {
        let id = ident(&e.name.rust);
        let c = &e.code;
        quote! { Self::#id => #c, }
    });
    let from_arms = api.errors.iter().map(|e| {
        let id = ident(&e.name.rust);
        let c = &e.code;
        quote! { #c => Self::#id, }
    });
    let meaning_arms = api.errors.iter().map(|e| {
        let id = ident(&e.name.rust);
        match &e.meaning {
            Some(m) => quote! { Self::#id => Some(#m), },
            None => quote! { Self::#id => None, },
        }
    });
    quote! {
        //! The gateway's `retcode` values, from the error-code catalog.

        /// A `retcode` other than success. Codes not in the catalog are kept as [`ErrorCode::Unknown`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants,)*
            /// A code the catalog does not list, exactly as received.
            Unknown(String),
        }

        impl ErrorCode {
            /// The code as the gateway sends it.
            pub fn code(&self) -> &str {
                match self {
                    #(#code_arms)*
                    Self::Unknown(code) => code,
                }
            }

            /// The published meaning, if any.
            pub fn meaning(&self) -> Option<&'static str> {
                match self {
                    #(#meaning_arms)*
                    Self::Unknown(_) => None,
                }
            }

            /// The variant for a received code.
            pub fn from_code(code: &str) -> Self {
                match code {
                    #(#from_arms)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for ErrorCode {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match (self, self.meaning()) {
                    (_, Some(meaning)) => write!(f, "{} ({meaning})", self.code()),
                    (Self::Unknown(code), None) => write!(f, "{code} (not in the error catalog)"),
                    (_, None) => write!(f, "{} (meaning not published)", self.code()),
                }
            }
        }

        impl agentgateway_runtime::RetCode for ErrorCode {
            fn from_code(code: &str) -> Self {
                Self::from_code(code)
            }

            fn code(&self) -> &str {
                self.code()
            }
        }
    }
}

/// Name of the struct that holds an object payload.
fn payload_struct(e: &Event) -> proc_macro2::Ident {
    ident(&format!("{}Payload", e.name.rust.trim_start_matches("r#")))
}

fn payload_field(f: &Field) -> TokenStream {
    let id = ident(&f.name.rust);
    let wire = &f.name.wire;
    let mut doc = Doc::new().text(&f.description).blank().raw(format!("Wire name {}.", code(wire)));
    if !f.values.is_empty() {
        let values: Vec<String> = f
            .values
            .iter()
            .map(|v| format!("{} {}", code(&v.value.to_string()), super::doc::escape_line(&v.description)))
            .collect();
        doc = doc.raw(format!("Known values: {}.", values.join(", ")));
    }
    let doc = doc.attrs();
    let ty = match &f.ty {
        Type::String => quote! { String },
        Type::Integer => quote! { i64 },
        Type::Boolean => quote! { bool },
        _ => quote! { serde_json::Value },
    };
    quote! { #doc #[serde(rename = #wire)] pub #id: Option<#ty> }
}

/// `Deserialize` for a payload struct, through the runtime's lenient
/// [`Fields`](agentgateway_runtime::lenient::Fields): one small constructor
/// per type instead of a derived visitor, whose code was compiled once per
/// payload type. Each member is read as `lenient::opt_*` reads it.
fn payload_deserialize(name: &proc_macro2::Ident, fields: &[Field]) -> TokenStream {
    let members = fields.iter().map(|f| {
        // The vendor sends numbers as strings and back; read both, whatever the catalog says.
        let id = ident(&f.name.rust);
        let wire = &f.name.wire;
        let read = match &f.ty {
            Type::String => quote! { string },
            Type::Integer => quote! { i64 },
            Type::Boolean => quote! { bool },
            _ => quote! { value },
        };
        quote! { #id: fields.#read(#wire) }
    });
    let binding = if fields.is_empty() {
        quote! { _fields }
    } else {
        quote! { mut fields }
    };
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let #binding = <agentgateway_runtime::lenient::Fields as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self { #(#members,)* })
            }
        }
    }
}

/// The typed `Event` enum, its payload structs and its decoder.
fn typed_events(api: &Api) -> TokenStream {
    let structs = api.events.iter().filter_map(|e| {
        let Payload::Object { fields, description } = &e.payload else { return None };
        let name = payload_struct(e);
        let doc = Doc::new()
            .raw(format!(
                "Content of {}. Every field is optional: the gateway leaves fields out and sends numbers as text.",
                code(&e.name.wire)
            ))
            .blank()
            .text(description.as_deref().unwrap_or(""))
            .attrs();
        let deserialize = payload_deserialize(&name, fields);
        let fields = fields.iter().map(payload_field);
        Some(quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
            }

            #deserialize
        })
    });
    let variants = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let doc = Doc::new().raw(format!("{}:", code(&e.name.wire))).text(&e.meaning).attrs();
        match &e.payload {
            Payload::Null { .. } => quote! { #doc #id },
            Payload::CallId { .. } => quote! { #doc #id(String) },
            Payload::String { .. } => quote! { #doc #id(String) },
            Payload::Unknown { .. } => quote! { #doc #id(serde_json::Value) },
            Payload::Object { .. } => {
                let p = payload_struct(e);
                quote! { #doc #id(#p) }
            }
        }
    });
    let decode_arms = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let wire = &e.name.wire;
        match &e.payload {
            Payload::Null { .. } => quote! { #wire => (Self::#id, None), },
            // Undocumented content is kept whole: it always fits.
            Payload::Unknown { .. } => quote! { #wire => (Self::#id(content), None), },
            Payload::CallId { .. } | Payload::String { .. } => {
                quote! { #wire => agentgateway_runtime::lenient::known(Self::#id, agentgateway_runtime::lenient::text(content)), }
            }
            Payload::Object { .. } => {
                quote! { #wire => agentgateway_runtime::lenient::known(Self::#id, agentgateway_runtime::lenient::payload(content)), }
            }
        }
    });
    let kind_arms = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let pattern = match &e.payload {
            Payload::Null { .. } => quote! { Self::#id },
            _ => quote! { Self::#id(_) },
        };
        quote! { #pattern => Some(EventKind::#id), }
    });
    let serde_impls = event_serde(api);
    let state_impl = super::agent_state::state_event_impl(api);
    quote! {
        #(#structs)*

        /// An event with its typed content.
        ///
        /// [`Event::Unknown`] keeps anything the catalog does not describe (a newer
        /// gateway's event), so a new server event never breaks a client. A known
        /// event whose content does not match its documented shape keeps its kind,
        /// with nothing filled in; the content as sent is in
        /// [`Received::unreadable`](agentgateway_runtime::Received::unreadable).
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants,)*
            /// An event the catalog does not know, as received.
            Unknown {
                /// The `eventType` as sent.
                event_type: String,
                /// The `content` as sent.
                content: serde_json::Value,
            },
        }

        impl Event {
            /// The catalog kind, or `None` for [`Event::Unknown`].
            pub fn kind(&self) -> Option<EventKind> {
                match self {
                    #(#kind_arms)*
                    Self::Unknown { .. } => None,
                }
            }

            /// The `eventType` this event arrived as.
            pub fn name(&self) -> &str {
                match self {
                    Self::Unknown { event_type, .. } => event_type,
                    known => known.kind().map_or("", EventKind::name),
                }
            }
        }

        impl agentgateway_runtime::DecodeEvent for Event {
            fn decode(event_type: &str, content: serde_json::Value) -> (Self, Option<serde_json::Value>) {
                match event_type {
                    #(#decode_arms)*
                    _ => (Event::Unknown { event_type: event_type.to_owned(), content }, None),
                }
            }
        }

        #serde_impls

        #state_impl
    }
}

/// `Serialize`/`Deserialize` for `Event` in the gateway's own shape,
/// `{"eventType": ..., "content": ...}`, so stored events replay through the
/// same decoder as polled ones (and an unknown one stays [`Event::Unknown`]).
fn event_serde(api: &Api) -> TokenStream {
    let content_arms = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        match &e.payload {
            Payload::Null { .. } => quote! { Self::#id => state.serialize_field("content", &())?, },
            _ => quote! { Self::#id(content) => state.serialize_field("content", content)?, },
        }
    });
    quote! {
        impl serde::Serialize for Event {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut state = serializer.serialize_struct("Event", 2)?;
                state.serialize_field("eventType", self.name())?;
                match self {
                    #(#content_arms)*
                    Self::Unknown { content, .. } => state.serialize_field("content", content)?,
                }
                state.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for Event {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                struct Wire {
                    #[serde(rename = "eventType")]
                    event_type: String,
                    #[serde(default)]
                    content: serde_json::Value,
                }
                let wire = Wire::deserialize(deserializer)?;
                // As when polled: a known kind whose content does not fit keeps its kind.
                Ok(<Self as agentgateway_runtime::DecodeEvent>::decode(&wire.event_type, wire.content).0)
            }
        }
    }
}

pub(crate) fn events(api: &Api) -> TokenStream {
    let typed = typed_events(api);
    let variants = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let doc = Doc::new().raw(format!("{}:", code(&e.name.wire))).text(&e.meaning).attrs();
        quote! { #doc #id }
    });
    let name_arms = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let n = &e.name.wire;
        quote! { Self::#id => #n, }
    });
    let from_arms = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let n = &e.name.wire;
        quote! { #n => Some(Self::#id), }
    });
    let meaning_arms = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        let m = &e.meaning;
        quote! { Self::#id => #m, }
    });
    let all = api.events.iter().map(|e| {
        let id = ident(&e.name.rust);
        quote! { Self::#id }
    });
    quote! {
        //! The events the gateway delivers, from the event catalog.

        /// The kind of an event, by its wire name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EventKind {
            #(#variants,)*
        }

        impl EventKind {
            /// Every kind in the catalog.
            pub const ALL: &[EventKind] = &[#(#all),*];

            /// The name the gateway sends as `eventType`.
            pub const fn name(self) -> &'static str {
                match self { #(#name_arms)* }
            }

            /// What the event means.
            pub const fn meaning(self) -> &'static str {
                match self { #(#meaning_arms)* }
            }

            /// The kind for a received `eventType`, if the catalog knows it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    #(#from_arms)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for EventKind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        #typed
    }
}
