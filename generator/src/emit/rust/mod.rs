//! The `agentgateway` crate: built as token streams with `quote!`, formatted
//! with prettyplease. Spec text reaches the output only through [`doc::Doc`].

mod agent_state;
mod catalogs;
mod client;
pub mod doc;
pub(crate) mod interface;
mod shared;
mod single;
pub(crate) mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::{GENERATED_MARKER, OutputFile};
use crate::ir::{Api, Interface};
use doc::{Doc, code};
pub(crate) use shared::Shared;

/// Emits every file of the client crate.
pub fn emit(api: &Api) -> Result<Vec<OutputFile>, Diagnostics> {
    emit_with_surface(api).map(|e| e.files)
}

/// The client crate's files with the public surface of its Rust sources.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The manifest first, then the sources in [`modules`] order.
    pub files: Vec<OutputFile>,
    /// The public surface of each Rust source by path ([`crate::surface::of_syntax`]),
    /// each file listed on the thread that formatted it.
    pub surfaces: std::collections::BTreeMap<String, Vec<String>>,
}

impl Emitted {
    /// [`crate::surface::surface`] of `files`.
    pub fn surface(&self) -> Vec<String> {
        crate::surface::tidy(self.surfaces.values().flatten().cloned().collect())
    }
}

/// [`emit`], each source file built, formatted and listed on a worker thread
/// of its own (token streams cannot cross threads; the text can). Files come
/// back in [`modules`] order whatever the scheduling.
pub fn emit_with_surface(api: &Api) -> Result<Emitted, Diagnostics> {
    emit_except(api, &|_| false)
}

/// [`emit_with_surface`] without the module of each interface `skip` names:
/// the caller has that module already (see `crate::incremental`).
pub fn emit_except(api: &Api, skip: &(dyn Fn(&Interface) -> bool + Sync)) -> Result<Emitted, Diagnostics> {
    emit_except_with(api, &Shared::plan(api), skip)
}

/// [`emit_except`] with the shared types already planned (the reuse keys
/// need the same plan: see [`shared_digest`]).
pub(crate) fn emit_except_with(
    api: &Api,
    shared: &Shared<'_>,
    skip: &(dyn Fn(&Interface) -> bool + Sync),
) -> Result<Emitted, Diagnostics> {
    use rayon::prelude::*;
    let mut jobs = jobs(api, shared);
    jobs.retain(|job| !matches!(job, Job::Interface(it) if skip(it)));
    // `src/client.rs` holds every session method: a third of the crate's
    // lines. Its methods are built and formatted in parts beside the rest.
    let client = jobs.iter().position(|job| matches!(job, Job::Client)).expect("the client is a job");
    let session = client::session_interfaces(api);
    let parts = session.chunks(SESSION_METHODS_PER_PART).map(|part| Job::SessionMethods(part.to_vec()));
    jobs.splice(client..=client, std::iter::once(Job::ClientHead).chain(parts));
    let built: Vec<Result<(OutputFile, Vec<String>), Diagnostics>> =
        jobs.par_iter().map(|job| formatted(|| job.build(api, shared))).collect();
    let mut files = vec![manifest(api)];
    let mut surfaces = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    let mut session_parts = Vec::new();
    for (job, result) in jobs.iter().zip(built) {
        match (job, result) {
            (Job::SessionMethods(_), Ok(part)) => session_parts.push(part),
            (_, Ok((file, lines))) => {
                surfaces.insert(file.path.clone(), lines);
                files.push(file);
            }
            (_, Err(d)) => problems.extend(d.0),
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    let head = files.iter_mut().find(|f| f.path == CLIENT_PATH).expect("the client head is built");
    let lines = surfaces.get_mut(CLIENT_PATH).expect("the client head is listed");
    splice_session_methods(head, lines, session_parts)?;
    Ok(Emitted { files, surfaces })
}

const CLIENT_PATH: &str = "src/client.rs";

/// How many session methods one part of `src/client.rs` holds: enough to
/// keep a part's overhead small, few enough for parts to spread over cores.
const SESSION_METHODS_PER_PART: usize = 32;

/// Puts the formatted parts' methods, in order, at the end of the `impl
/// Session` that ends the head. The formatter lays out each method of an
/// `impl` block on its own, so the result is the file formatted whole.
fn splice_session_methods(
    head: &mut OutputFile,
    lines: &mut Vec<String>,
    parts: Vec<(OutputFile, Vec<String>)>,
) -> Result<(), Diagnostics> {
    const OPEN: &str = "impl Session {\n";
    const CLOSE: &str = "}\n";
    let internal = |what: &str| {
        Diagnostics::one(Diagnostic::new(format!("internal error: emitted Rust for {CLIENT_PATH}: {what}")))
    };
    let Some(body) = head.contents.strip_suffix(CLOSE) else {
        return Err(internal("the file does not end with the `impl Session` block"));
    };
    let mut contents =
        String::with_capacity(head.contents.len() + parts.iter().map(|(p, _)| p.contents.len()).sum::<usize>());
    contents.push_str(body);
    for (part, part_lines) in parts {
        // Each part is a file of its own: its header line, then the block.
        let block = part.contents.split_once('\n').map_or("", |(_, rest)| rest);
        let methods = block.strip_prefix(OPEN).and_then(|b| b.strip_suffix(CLOSE));
        contents.push_str(methods.ok_or_else(|| internal("a part of the session methods is not one `impl Session`"))?);
        lines.extend(part_lines);
    }
    contents.push_str(CLOSE);
    head.contents = contents;
    Ok(())
}

/// The path of `it`'s module in the crate.
pub fn interface_path(it: &Interface) -> String {
    format!("src/{}/{}.rs", it.resource.rust, it.module.rust)
}

/// What every interface module depends on besides its own interface: the
/// types several interfaces share (names and definitions), which decide
/// whether a module defines a type or re-exports it.
pub fn shared_digest(api: &Api) -> String {
    Shared::plan(api).digest()
}

/// The module `build` makes, formatted, with its public surface.
fn formatted(build: impl FnOnce() -> Module) -> Result<(OutputFile, Vec<String>), Diagnostics> {
    let (m, docs) = doc::holding(build);
    let internal =
        |e: &str| Diagnostics::one(Diagnostic::new(format!("internal error: emitted Rust for {}: {e}", m.path)));
    let mut syntax = parse_file(&m.path, m.tokens)?;
    docs.restore(&mut syntax).map_err(|e| internal(&e))?;
    // Listed from the tree rather than the text: parsing every formatted
    // file again took about a third of a fresh generation.
    let lines = crate::surface::of_syntax(&m.path, &syntax);
    let file = rust_file(&m.path, &m.source, &syntax);
    if doc::placeholder_left(&file.contents) {
        return Err(internal("a doc placeholder was left where docs could not be put back"));
    }
    Ok((file, lines))
}

/// The client's Rust source as one file, every module inline, for a crate
/// that generates the client in its own `build.rs`; see [`single::emit_single_file`].
pub use single::emit_single_file;

/// One Rust source file of the client, before formatting.
pub(crate) struct Module {
    /// Relative to the crate root, e.g. `src/voicecall/callinner.rs`.
    pub path: String,
    /// The spec file or folder it comes from, named in its header.
    pub source: String,
    pub tokens: TokenStream,
}

/// Every Rust source file of the client crate, `src/lib.rs` first.
pub(crate) fn modules(api: &Api) -> Vec<Module> {
    let shared = Shared::plan(api);
    jobs(api, &shared).iter().map(|job| job.build(api, &shared)).collect()
}

/// What one source file is made from: plain data that can go to another
/// thread, where its tokens are built.
enum Job<'a> {
    Lib,
    Errors,
    Events,
    Client,
    /// [`Job::Client`] without the session methods, which these build.
    ClientHead,
    SessionMethods(Vec<&'a Interface>),
    Shared,
    Resource(&'a str, Vec<&'a Interface>),
    Interface(&'a Interface),
}

/// The jobs of [`modules`], in its order.
fn jobs<'a>(api: &'a Api, shared: &shared::Shared<'_>) -> Vec<Job<'a>> {
    let mut out = vec![Job::Lib, Job::Errors, Job::Events, Job::Client];
    if !shared.is_empty() {
        out.push(Job::Shared);
    }
    for (resource, interfaces) in by_resource(api) {
        let each = interfaces.iter().map(|it| Job::Interface(it)).collect::<Vec<_>>();
        out.push(Job::Resource(resource, interfaces));
        out.extend(each);
    }
    out
}

impl Job<'_> {
    fn build(&self, api: &Api, shared: &shared::Shared<'_>) -> Module {
        let module =
            |path: &str, source: &str, tokens| Module { path: path.to_owned(), source: source.to_owned(), tokens };
        match self {
            Job::Lib => module("src/lib.rs", "spec/", lib(api, !shared.is_empty())),
            Job::Errors => module("src/errors.rs", "spec/errors.yaml", catalogs::errors(api)),
            Job::Events => module("src/events.rs", "spec/events.yaml", catalogs::events(api)),
            Job::Client => module(CLIENT_PATH, "spec/", client::client(api)),
            Job::ClientHead => module(CLIENT_PATH, "spec/", client::head(api)),
            Job::SessionMethods(interfaces) => module(CLIENT_PATH, "spec/", client::session_impl(api, interfaces)),
            Job::Shared => module("src/shared.rs", "spec/", shared.module()),
            Job::Resource(resource, interfaces) => {
                module(&format!("src/{resource}/mod.rs"), &format!("spec/{resource}/"), resource_mod(interfaces))
            }
            Job::Interface(it) => {
                let path = interface_path(it);
                module(&path, &format!("spec/{}", it.source), interface::module(api, it, shared))
            }
        }
    }
}

/// Interfaces grouped by resource folder, in IR order.
pub(crate) fn by_resource(api: &Api) -> Vec<(&str, Vec<&Interface>)> {
    let mut groups: Vec<(&str, Vec<&Interface>)> = Vec::new();
    for it in &api.interfaces {
        match groups.last_mut() {
            Some((name, list)) if *name == it.resource.rust => list.push(it),
            _ => groups.push((&it.resource.rust, vec![it])),
        }
    }
    groups
}

/// An identifier token, raw when needed.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Parses emitted tokens; a failure is a generator bug, reported against the file.
pub(crate) fn parse_file(path: &str, tokens: TokenStream) -> Result<syn::File, Diagnostics> {
    syn::parse2(tokens).map_err(|e| {
        Diagnostics::one(Diagnostic::new(format!("internal error: emitted Rust for {path} does not parse: {e}")))
    })
}

fn rust_file(path: &str, source: &str, file: &syn::File) -> OutputFile {
    let body = prettyplease::unparse(file);
    OutputFile {
        path: path.to_owned(),
        contents: format!("// {GENERATED_MARKER} from {source}. Do not edit by hand.\n{body}"),
    }
}

fn manifest(api: &Api) -> OutputFile {
    // TOML, not Rust: a fixed layout with two spec-derived values that are
    // checked identifiers, so plain formatting is safe here.
    let name = &api.settings.crate_name;
    let contents = format!(
        "# {GENERATED_MARKER} from spec/api.yaml. Do not edit by hand.\n\
[package]\n\
name = \"{name}\"\n\
description = \"Typed async client for the {} REST API, generated from its interface specs.\"\n\
version.workspace = true\n\
edition.workspace = true\n\
rust-version.workspace = true\n\
license.workspace = true\n\
repository.workspace = true\n\
readme.workspace = true\n\
keywords.workspace = true\n\
categories.workspace = true\n\
\n\
[dependencies]\n\
# TLS is chosen by the features below, which the runtime's follow.\n\
agentgateway-runtime = {{ workspace = true, default-features = false }}\n\
serde = {{ workspace = true }}\n\
serde_json = {{ workspace = true }}\n\
\n\
[features]\n\
default = [\"rustls\"]\n\
# TLS with rustls and its default provider, aws-lc-rs.\n\
rustls = [\"agentgateway-runtime/rustls\"]\n\
# TLS with rustls and the ring provider (with `default-features = false`).\n\
rustls-ring = [\"agentgateway-runtime/rustls-ring\"]\n\
# TLS with the platform's library (with `default-features = false`).\n\
native-tls = [\"agentgateway-runtime/native-tls\"]\n\
# `From<secrecy::SecretString>` for `SecretString`.\n\
secrecy = [\"agentgateway-runtime/secrecy\"]\n\
\n\
[dev-dependencies]\n\
tokio = {{ workspace = true }}\n",
        toml_escape(&api.settings.name)
    );
    OutputFile { path: "Cargo.toml".into(), contents }
}

fn toml_escape(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).map(|c| if c == '"' || c == '\\' { ' ' } else { c }).collect()
}

fn lib(api: &Api, has_shared: bool) -> TokenStream {
    let s = &api.settings;
    let docs = Doc::new()
        .raw(format!("Typed async client for the {} REST API.", doc::escape_line(&s.name)))
        .blank()
        .text(&s.summary)
        .blank()
        .raw("Build a [`Client`] with [`Client::builder`], open a [`Session`] for a signed-in agent, and call one method per interface. Requests are validated before anything is sent; answers are decoded into typed results or a typed [`Error`].")
        .blank()
        .raw(format!("Generated by ccgen from the specs in `spec/`; every interface module names its spec file. Base path {}, default HTTPS port {}.", code(&s.base_path), s.default_port));
    let docs = client::quick_start(api, docs).inner_attrs();
    let modules = by_resource(api).into_iter().map(|(resource, _)| {
        let id = ident(resource);
        let d = Doc::new().raw(format!("Interfaces under {}.", code(&format!("{}/{resource}/", s.base_path)))).attrs();
        quote! { #d #[rustfmt::skip] pub mod #id; }
    });
    // Types several interfaces share, defined once (see `shared.rs`).
    let shared = has_shared.then(|| {
        let d = Doc::new().raw("Parameter types several interfaces share; their modules re-export them.").attrs();
        quote! { #d #[rustfmt::skip] pub mod shared; }
    });
    let base_path = &s.base_path;
    let port = s.default_port;
    let protocol = protocol(s);
    quote! {
        #docs
        #![deny(missing_docs)]
        // Spec text may mention addresses; it is documentation, not links.
        #![allow(rustdoc::bare_urls)]

        #[rustfmt::skip]
        mod client;
        #[rustfmt::skip]
        pub mod errors;
        #[rustfmt::skip]
        pub mod events;
        #shared
        #(#modules)*

        pub use client::{Client, ClientBuilder, Session};
        pub use errors::ErrorCode;
        pub use events::{Event, EventKind};
        pub use agentgateway_runtime::{AgentId, Guid, SecretString, ValidationError};

        /// Everything a call can fail with; API errors carry an [`ErrorCode`].
        pub type Error = agentgateway_runtime::Error<ErrorCode>;

        /// One polled event with the envelope's metadata (agent, generation time).
        pub type ReceivedEvent = agentgateway_runtime::Received<Event>;

        /// Events polled in the background; see [`Session::events`].
        pub type EventStream = agentgateway_runtime::EventStream<ReceivedEvent, ErrorCode>;

        /// Why waiting for an event stopped; see [`EventStream::wait_for`](agentgateway_runtime::EventStream::wait_for).
        pub type WaitError = agentgateway_runtime::WaitError<ErrorCode>;

        pub use agentgateway_runtime::StreamConfig;

        /// The agent's state and a watchable view of it; see [`Session::agent_state`].
        pub use agentgateway_runtime::{AgentState, AgentStateView};

        /// The HTTP client crate, for a client given to [`ClientBuilder::reqwest_client`].
        pub use agentgateway_runtime::reqwest;

        /// Path prefix of every interface.
        pub const BASE_PATH: &str = #base_path;

        /// The gateway's default HTTPS port.
        pub const DEFAULT_PORT: u16 = #port;

        #protocol

        pub use agentgateway_runtime::RetryPolicy;
    }
}

/// `PROTOCOL`: the wire settings `api.yaml` declares, which the client hands
/// to the runtime instead of the runtime assuming them.
fn protocol(s: &crate::ir::Settings) -> TokenStream {
    let (token_header, issued_in, prefix) = (&s.auth_header, &s.token_header, &s.token_prefix);
    let content_type = &s.content_type;
    let (message, retcode, success) = (&s.envelope.message, &s.envelope.retcode, &s.envelope.success);
    quote! {
        /// The wire settings of the spec's `api.yaml` (token headers and prefix,
        /// content type, envelope members and success code); every request follows them.
        pub static PROTOCOL: agentgateway_runtime::Protocol = agentgateway_runtime::Protocol {
            token_header: #token_header,
            issued_in: #issued_in,
            token_prefix: #prefix,
            content_type: #content_type,
            message: #message,
            retcode: #retcode,
            success: #success,
        };
    }
}

fn resource_mod(interfaces: &[&Interface]) -> TokenStream {
    // No docs on the declaration: the module's own `//!` docs open with the
    // same title, and rustdoc would show both, one after the other.
    let mods = interfaces.iter().map(|it| {
        let id = ident(&it.module.rust);
        quote! { pub mod #id; }
    });
    quote! { #(#mods)* }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(spec: &std::path::Path) -> Api {
        crate::pipeline::validate(spec).unwrap_or_else(|d| panic!("{}", d.render()))
    }

    /// `src/client.rs` as one job builds it: every method in one `impl Session`, formatted whole.
    fn client_whole(api: &Api) -> (OutputFile, Vec<String>) {
        let shared = Shared::plan(api);
        formatted(|| Job::Client.build(api, &shared)).unwrap_or_else(|d| panic!("{}", d.render()))
    }

    fn client_in_parts(api: &Api) -> (OutputFile, Vec<String>) {
        let mut emitted = emit_except(api, &|_| false).unwrap_or_else(|d| panic!("{}", d.render()));
        let file = emitted.files.into_iter().find(|f| f.path == CLIENT_PATH).expect("client");
        (file, emitted.surfaces.remove(CLIENT_PATH).expect("listed"))
    }

    #[test]
    fn the_client_built_in_parts_is_the_client_built_whole() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let base = checked(&spec);
        // And with many parts: the base catalogue's endpoints three times over.
        let catalogue: String =
            base.interfaces.iter().map(|it| format!("{} {}\n", it.method.as_str(), it.path)).collect();
        let tree = tempfile::tempdir().unwrap();
        crate::fixture::write_tree(&catalogue, &spec, 3, tree.path()).expect("fixture");
        for api in [base, checked(tree.path())] {
            let parts = client::session_interfaces(&api).len().div_ceil(SESSION_METHODS_PER_PART);
            let (whole, in_parts) = (client_whole(&api), client_in_parts(&api));
            assert!(whole.0.contents == in_parts.0.contents, "{parts} parts differ from the whole");
            assert_eq!(whole.1, in_parts.1, "surface");
            assert!(parts >= 2, "{parts}");
        }
    }

    #[test]
    fn a_part_that_is_not_one_impl_session_is_an_internal_error() {
        let head =
            || OutputFile { path: CLIENT_PATH.into(), contents: "// h\nimpl Session {\n    fn a() {}\n}\n".into() };
        let part = |text: &str| (OutputFile { path: CLIENT_PATH.into(), contents: format!("// h\n{text}") }, vec![]);
        let mut ok = head();
        splice_session_methods(&mut ok, &mut vec![], vec![part("impl Session {\n    fn b() {}\n}\n")])
            .expect("spliced");
        assert_eq!(ok.contents, "// h\nimpl Session {\n    fn a() {}\n    fn b() {}\n}\n");
        let e = splice_session_methods(&mut head(), &mut vec![], vec![part("impl Client {}\n")]).expect_err("refused");
        assert!(e.0[0].message.contains("internal error"), "{}", e.render());
    }
}
