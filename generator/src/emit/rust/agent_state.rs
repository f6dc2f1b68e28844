//! `StateEvent` for the generated `Event`: which events change the agent's
//! state, from the `agent_state` entries of the event catalog.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::{AgentStateKind, Api, Payload};

/// `impl agentgateway_runtime::StateEvent for Event`.
pub(super) fn state_event_impl(api: &Api) -> TokenStream {
    let arms: Vec<TokenStream> = api
        .events
        .iter()
        .filter_map(|e| {
            let change = e.agent_state.as_ref()?;
            let id = ident(&e.name.rust);
            let (pattern, reason) = match (&e.payload, &change.reason) {
                (Payload::Object { .. }, Some(field)) => {
                    let f = ident(&field.rust);
                    (quote! { Self::#id(content) }, quote! { content.#f.clone() })
                }
                (Payload::Null { .. }, _) => (quote! { Self::#id }, quote! { None }),
                _ => (quote! { Self::#id(_) }, quote! { None }),
            };
            let state = match change.becomes {
                AgentStateKind::Idle => quote! { Idle },
                AgentStateKind::NotReady => quote! { NotReady { reason: #reason } },
                AgentStateKind::Rest => quote! { Rest { reason: #reason } },
                AgentStateKind::Work => quote! { Work },
                AgentStateKind::Busy => quote! { Busy },
                AgentStateKind::SignedOut => quote! { SignedOut },
            };
            Some(quote! { #pattern => Some(agentgateway_runtime::AgentState::#state), })
        })
        .collect();
    let body = if arms.is_empty() {
        quote! { None }
    } else {
        quote! {
            match self {
                #(#arms)*
                _ => None,
            }
        }
    };
    quote! {
        /// The state events of the catalog (those with `agent_state` in
        /// `spec/events.yaml`) set the agent's state; every other event leaves it.
        impl agentgateway_runtime::StateEvent for Event {
            fn agent_state(&self) -> Option<agentgateway_runtime::AgentState> {
                #body
            }
        }
    }
}
