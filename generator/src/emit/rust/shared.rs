//! Parameter types that several interfaces define identically, emitted once
//! in `src/shared.rs` and re-exported by each interface module that uses
//! them, so `onlineagent::login::AgentType` and
//! `onlineagent::forcelogin::AgentType` name one type compiled once.
//!
//! "Identical" means the whole definition: type name, wire name, Rust type,
//! every constraint, the allowed values with their names and descriptions,
//! and the documentation. It is decided on what the two parameters generate,
//! token for token, so the shared definition says exactly what each module's
//! own would have said; parameters that differ in anything keep their own.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use super::interface::request_params;
use super::types::{ParamType, param_type, param_type_items};
use crate::ir::{Api, Interface, Param};

/// The parameter types the crate defines once.
///
/// Plain data (no token streams), so that the worker threads emitting the
/// modules can all read it.
pub(crate) struct Shared<'a> {
    /// By type name: the parameter whose definition is shared, and that
    /// definition's text (the identity).
    by_name: BTreeMap<String, (&'a Param, String)>,
    /// The parameters whose own definition is the shared one, by interface
    /// source and wire name: their modules re-export it.
    reexported: std::collections::BTreeSet<(&'a str, &'a str)>,
}

impl<'a> Shared<'a> {
    /// Finds the types at least two interfaces define identically. When one
    /// name has several such definitions, the first in spec order is shared
    /// and the others stay in their modules.
    pub(crate) fn plan(api: &'a Api) -> Shared<'a> {
        // Per type name, each distinct definition with the interfaces defining it.
        let mut seen: BTreeMap<String, Vec<Version<'a>>> = BTreeMap::new();
        // Each definition spelled on every core; grouped in spec order.
        use rayon::prelude::*;
        let spelled: Vec<Vec<(&Param, String)>> = api
            .interfaces
            .par_iter()
            .map(|it| {
                request_params(it)
                    .filter(|p| defines_type(p))
                    .map(|p| (p, super::doc::spelled_out(|| param_type_items(p).to_string())))
                    .collect()
            })
            .collect();
        for (index, params) in spelled.iter().enumerate() {
            for &(p, ref text) in params {
                let versions = seen.entry(p.type_name.rust.clone()).or_default();
                match versions.iter_mut().find(|(_, t, _)| t == text) {
                    Some((_, _, users)) if !users.contains(&index) => users.push(index),
                    Some(_) => {}
                    None => versions.push((p, text.clone(), vec![index])),
                }
            }
        }
        let by_name: BTreeMap<String, (&Param, String)> = seen
            .into_iter()
            .filter_map(|(name, versions)| {
                let (p, text, _) = versions.into_iter().find(|(_, _, users)| users.len() >= 2)?;
                Some((name, (p, text)))
            })
            .collect();
        let reexported = api
            .interfaces
            .iter()
            .zip(&spelled)
            .flat_map(|(it, params)| params.iter().map(move |(p, text)| (it, p, text)))
            .filter(|(_, p, text)| by_name.get(&p.type_name.rust).is_some_and(|(_, shared)| shared == *text))
            .map(|(it, p, _)| (it.source.as_str(), p.name.wire.as_str()))
            .collect();
        Shared { by_name, reexported }
    }

    /// Every shared type's name and definition, one per line.
    pub(crate) fn digest(&self) -> String {
        self.by_name.iter().map(|(name, (_, text))| format!("{name} {text}\n")).collect()
    }

    /// True when no type is shared (the crate then has no `shared` module).
    pub(crate) fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// What an interface module writes for a parameter's type: a re-export
    /// when the shared definition is this parameter's, else its own items.
    pub(crate) fn items_for(&self, it: &Interface, p: &Param) -> TokenStream {
        if self.reexported.contains(&(it.source.as_str(), p.name.wire.as_str())) {
            let names = item_names(p).into_iter().map(|n| ident(&n));
            quote! { pub use crate::shared::{#(#names),*}; }
        } else {
            param_type_items(p)
        }
    }

    /// `src/shared.rs`.
    pub(crate) fn module(&self) -> TokenStream {
        let items = self.by_name.values().map(|(p, _)| param_type_items(p));
        quote! {
            //! Parameter types that several interfaces define identically, defined once here.
            //! Each interface module re-exports the ones it uses, so they are also reachable
            //! there (`onlineagent::login::AgentType` is `shared::AgentType`).

            #(#items)*
        }
    }
}

/// One distinct definition of a type name: the first parameter giving it,
/// its text, and the indexes of the interfaces defining it.
type Version<'a> = (&'a Param, String, Vec<usize>);

fn defines_type(p: &Param) -> bool {
    matches!(param_type(p), ParamType::Enum | ParamType::Constrained)
}

/// The items a parameter's type consists of (see `types::param_type_items`).
fn item_names(p: &Param) -> Vec<String> {
    let name = p.type_name.rust.clone();
    match param_type(p) {
        ParamType::Constrained => vec![format!("{name}Rule"), name],
        _ => vec![name],
    }
}
