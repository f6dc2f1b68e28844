//! The error-code and event-kind enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc::{Doc, code};
use super::ident;
use crate::ir::{Api, Provenance};

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
                match self.meaning() {
                    Some(meaning) => write!(f, "{} ({meaning})", self.code()),
                    None => write!(f, "{} (meaning not published)", self.code()),
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

pub(crate) fn events(api: &Api) -> TokenStream {
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
    }
}
