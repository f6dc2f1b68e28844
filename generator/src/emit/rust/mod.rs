//! The `agentgateway` crate: built as token streams with `quote!`, formatted
//! with prettyplease. Spec text reaches the output only through [`doc::Doc`].

mod agent_state;
mod catalogs;
mod client;
pub mod doc;
pub(crate) mod interface;
pub(crate) mod request;
mod shared;
mod single;
mod syntax;
pub(crate) mod types;

use std::collections::BTreeMap;

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
    /// each file listed and tidied ([`crate::surface::tidy_here`]) on the
    /// thread that formatted it.
    pub surfaces: std::collections::BTreeMap<String, Vec<String>>,
    /// Each session method of `src/client.rs` (already in `files`), by the
    /// spec source of its interface, for reusing it next time.
    pub session_methods: BTreeMap<String, SessionMethod>,
    /// Where the text of each of them starts in `src/client.rs`, by the
    /// same key: what the reuse cache records instead of the text.
    pub session_starts: BTreeMap<String, usize>,
}

/// One method of `impl Session` in `src/client.rs`, as formatted there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionMethod {
    /// Its lines inside the block, indented as in the file.
    pub text: String,
    /// Its public surface ([`crate::surface::of_syntax`]), tidied.
    pub surface: Vec<String>,
}

impl Emitted {
    /// [`crate::surface::surface`] of `files`.
    pub fn surface(&self) -> Vec<String> {
        surface_of(&self.surfaces)
    }
}

/// The crate's public surface from the tidied surfaces of its files, by path.
pub fn surface_of(surfaces: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    crate::surface::merge_tidy(surfaces.values())
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
    emit_except_with(api, &Shared::plan(api), skip, &BTreeMap::new())
}

/// [`emit_except`] with the shared types already planned (the reuse keys
/// need the same plan: see [`shared_digest`]), and with the session methods
/// of `reused` (by spec source) put into `src/client.rs` as they are.
pub(crate) fn emit_except_with(
    api: &Api,
    shared: &Shared<'_>,
    skip: &(dyn Fn(&Interface) -> bool + Sync),
    reused: &BTreeMap<String, SessionMethod>,
) -> Result<Emitted, Diagnostics> {
    use rayon::prelude::*;
    let session = client::session_interfaces(api);
    let jobs = planned_jobs(api, shared, skip, &session, reused);
    let built: Vec<Result<(OutputFile, Vec<String>), Diagnostics>> =
        jobs.par_iter().map(|job| formatted(|| job.build(api, shared))).collect();
    let (mut files, mut surfaces, mut session_methods) = gathered(api, &jobs, built)?;
    session_methods.extend(session.iter().filter_map(|it| Some((it.source.clone(), reused.get(&it.source)?.clone()))));
    let head = files.iter_mut().find(|f| f.path == CLIENT_PATH).expect("the client head is built");
    let lines = surfaces.get_mut(CLIENT_PATH).expect("the client head is listed");
    let in_order =
        session.iter().map(|it| (it.source.as_str(), session_methods.get(&it.source).expect("emitted or reused")));
    let session_starts = splice_session_methods(head, lines, in_order)?;
    Ok(Emitted { files, surfaces, session_methods, session_starts })
}

/// The jobs of [`modules`] but the skipped interfaces' modules, with
/// `src/client.rs` split: `src/client.rs` holds every session method, a
/// third of the crate's lines, so each method not reused is built and
/// formatted on its own, beside the rest.
fn planned_jobs<'a>(
    api: &'a Api,
    shared: &Shared<'_>,
    skip: &(dyn Fn(&Interface) -> bool + Sync),
    session: &[&'a Interface],
    reused: &BTreeMap<String, SessionMethod>,
) -> Vec<Job<'a>> {
    let mut jobs = jobs(api, shared);
    jobs.retain(|job| !matches!(job, Job::Interface(it) if skip(it)));
    let client = jobs.iter().position(|job| matches!(job, Job::Client)).expect("the client is a job");
    let fresh = session.iter().filter(|it| !reused.contains_key(&it.source)).map(|it| Job::SessionMethod(it));
    jobs.splice(client..=client, std::iter::once(Job::ClientHead).chain(fresh));
    jobs
}

type Gathered = (Vec<OutputFile>, BTreeMap<String, Vec<String>>, BTreeMap<String, SessionMethod>);

/// The manifest and the built files with their surfaces, and the session
/// methods apart; every job's problems, if any.
fn gathered(
    api: &Api,
    jobs: &[Job<'_>],
    built: Vec<Result<(OutputFile, Vec<String>), Diagnostics>>,
) -> Result<Gathered, Diagnostics> {
    let mut files = vec![manifest(api)];
    let (mut surfaces, mut session_methods, mut problems) = (BTreeMap::new(), BTreeMap::new(), Vec::new());
    for (job, result) in jobs.iter().zip(built) {
        match (job, result) {
            (Job::SessionMethod(it), Ok((part, surface))) => match session_method(&part) {
                Some(text) => {
                    session_methods.insert(it.source.clone(), SessionMethod { text: text.to_owned(), surface });
                }
                None => problems.push(internal_client("the part of a session method is not one `impl Session`")),
            },
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
    Ok((files, surfaces, session_methods))
}

pub(crate) const CLIENT_PATH: &str = "src/client.rs";

const OPEN_SESSION: &str = "impl Session {\n";
const CLOSE: &str = "}\n";

fn internal_client(what: &str) -> Diagnostic {
    Diagnostic::new(format!("internal error: emitted Rust for {CLIENT_PATH}: {what}"))
}

/// The lines of the method inside a formatted session-method part: a file
/// of its own, with its header line, then one `impl Session` block.
fn session_method(part: &OutputFile) -> Option<&str> {
    let block = part.contents.split_once('\n')?.1;
    block.strip_prefix(OPEN_SESSION)?.strip_suffix(CLOSE)
}

/// Puts the session methods, in order, at the end of the `impl Session`
/// that ends the head. The formatter lays out each item of an `impl` block
/// on its own, so the result is the file formatted whole. Returns where
/// each method's text starts, by its key.
fn splice_session_methods<'m>(
    head: &mut OutputFile,
    lines: &mut Vec<String>,
    methods: impl Iterator<Item = (&'m str, &'m SessionMethod)> + Clone,
) -> Result<BTreeMap<String, usize>, Diagnostics> {
    let Some(body) = head.contents.strip_suffix(CLOSE) else {
        return Err(Diagnostics::one(internal_client("the file does not end with the `impl Session` block")));
    };
    let mut contents =
        String::with_capacity(head.contents.len() + methods.clone().map(|(_, m)| m.text.len()).sum::<usize>());
    contents.push_str(body);
    let mut starts = BTreeMap::new();
    for (key, method) in methods {
        starts.insert(key.to_owned(), contents.len());
        contents.push_str(&method.text);
        lines.extend(method.surface.iter().cloned());
    }
    // Each list was tidy; together they are once in order again.
    lines.sort();
    lines.dedup();
    contents.push_str(CLOSE);
    head.contents = contents;
    Ok(starts)
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
    let (mut m, docs) = doc::holding(build);
    let syntax = m.syntax()?;
    let internal =
        |e: &str| Diagnostics::one(Diagnostic::new(format!("internal error: emitted Rust for {}: {e}", m.path)));
    // Listed from the tree rather than the text: parsing every formatted
    // file again took about a third of a fresh generation.
    let lines = crate::surface::tidy_here(crate::surface::of_syntax(&m.path, &syntax));
    // The header line goes on after: it names the spec file, which is no marker.
    let body = docs.expand(prettyplease::unparse(&syntax)).map_err(|e| internal(&e))?;
    Ok((rust_file(&m.path, &m.source, &body), lines))
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
    /// Items built as trees (see [`syntax`]), which come before those of `tokens`.
    pub lead: Vec<syn::Item>,
    /// Items built as trees, which come after those of `tokens`.
    pub tail: Vec<syn::Item>,
}

impl Module {
    /// The file's tree: `lead`, then `tokens` parsed, then `tail`. Takes them out.
    pub(crate) fn syntax(&mut self) -> Result<syn::File, Diagnostics> {
        let mut file = parse_file(&self.path, std::mem::take(&mut self.tokens))?;
        file.items.splice(0..0, std::mem::take(&mut self.lead));
        file.items.append(&mut self.tail);
        Ok(file)
    }
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
    SessionMethod(&'a Interface),
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
        let module = |path: &str, source: &str, tokens| Module {
            path: path.to_owned(),
            source: source.to_owned(),
            tokens,
            lead: Vec::new(),
            tail: Vec::new(),
        };
        match self {
            Job::Lib => module("src/lib.rs", "spec/", lib(api, !shared.is_empty())),
            Job::Errors => module("src/errors.rs", "spec/errors.yaml", catalogs::errors(api)),
            Job::Events => module("src/events.rs", "spec/events.yaml", catalogs::events(api)),
            Job::Client => module(CLIENT_PATH, "spec/", client::client(api)),
            Job::ClientHead => module(CLIENT_PATH, "spec/", client::head(api)),
            Job::SessionMethod(it) => {
                Module { lead: vec![client::session_impl(api, it)], ..module(CLIENT_PATH, "spec/", TokenStream::new()) }
            }
            Job::Shared => module("src/shared.rs", "spec/", shared.module()),
            Job::Resource(resource, interfaces) => {
                module(&format!("src/{resource}/mod.rs"), &format!("spec/{resource}/"), resource_mod(interfaces))
            }
            Job::Interface(it) => interface::module(api, it, shared),
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

/// A formatted module's `body` under its header line.
fn rust_file(path: &str, source: &str, body: &str) -> OutputFile {
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

    fn client_in_parts(api: &Api, reused: &BTreeMap<String, SessionMethod>) -> (OutputFile, Vec<String>, Emitted) {
        let mut emitted =
            emit_except_with(api, &Shared::plan(api), &|_| false, reused).unwrap_or_else(|d| panic!("{}", d.render()));
        let file = emitted.files.iter().find(|f| f.path == CLIENT_PATH).expect("client").clone();
        let lines = emitted.surfaces.remove(CLIENT_PATH).expect("listed");
        (file, lines, emitted)
    }

    /// The project's spec tree, and its endpoints three times over.
    fn apis() -> [Api; 2] {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let base = checked(&spec);
        let catalogue: String =
            base.interfaces.iter().map(|it| format!("{} {}\n", it.method.as_str(), it.path)).collect();
        let tree = tempfile::tempdir().unwrap();
        crate::fixture::write_tree(&catalogue, &spec, 3, tree.path()).expect("fixture");
        [base, checked(tree.path())]
    }

    #[test]
    fn the_client_built_method_by_method_is_the_client_built_whole() {
        for api in apis() {
            let (whole, (file, lines, emitted)) = (client_whole(&api), client_in_parts(&api, &BTreeMap::new()));
            assert!(whole.0.contents == file.contents, "the parts differ from the whole");
            assert_eq!(whole.1, lines, "surface");
            assert_eq!(emitted.session_methods.len(), client::session_interfaces(&api).len());
        }
    }

    #[test]
    fn reused_session_methods_go_where_they_were() {
        let [api, _] = apis();
        let (_, _, first) = client_in_parts(&api, &BTreeMap::new());
        // Every other method reused, marked so that it shows where it went.
        let reused: BTreeMap<String, SessionMethod> = first
            .session_methods
            .iter()
            .step_by(2)
            .map(|(source, m)| {
                let text = m.text.replacen("    ", "    /* reused */ ", 1);
                (source.clone(), SessionMethod { text, surface: m.surface.clone() })
            })
            .collect();
        let (file, lines, again) = client_in_parts(&api, &reused);
        assert_eq!(again.session_methods.len(), first.session_methods.len());
        assert_eq!(file.contents.matches("/* reused */").count(), reused.len());
        for (source, method) in &again.session_methods {
            let expected = reused.get(source).unwrap_or_else(|| &first.session_methods[source]);
            assert_eq!(method, expected, "{source}");
            let at = again.session_starts[source];
            assert_eq!(file.contents.get(at..at + method.text.len()), Some(method.text.as_str()), "{source}");
        }
        assert_eq!(again.session_starts.len(), again.session_methods.len());
        let (_, whole_lines) = client_whole(&api);
        assert_eq!(lines, whole_lines, "surface");
        // In the same order as before.
        let unmarked = file.contents.replace("/* reused */ ", "");
        assert!(unmarked == client_whole(&api).0.contents);
    }

    #[test]
    fn a_head_that_does_not_end_with_impl_session_is_an_internal_error() {
        let method = SessionMethod { text: "    fn b() {}\n".into(), surface: vec![] };
        let head = |text: &str| OutputFile { path: CLIENT_PATH.into(), contents: text.into() };
        let mut ok = head("// h\nimpl Session {\n    fn a() {}\n}\n");
        let starts = splice_session_methods(&mut ok, &mut vec![], std::iter::once(("b", &method))).expect("spliced");
        assert_eq!(ok.contents, "// h\nimpl Session {\n    fn a() {}\n    fn b() {}\n}\n");
        assert_eq!(starts["b"], ok.contents.find("    fn b").unwrap());
        let e = splice_session_methods(&mut head("// h\nfn a() {}"), &mut vec![], std::iter::once(("b", &method)))
            .expect_err("refused");
        assert!(e.0[0].message.contains("internal error"), "{}", e.render());
        let part = OutputFile { path: CLIENT_PATH.into(), contents: "// h\nimpl Client {}\n".into() };
        assert_eq!(session_method(&part), None);
    }
}
