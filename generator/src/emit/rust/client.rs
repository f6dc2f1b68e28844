//! `Client`, `Session` and one method per interface.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc::{Doc, code, escape_line};
use super::ident;
use super::interface::{agent_id_param, has_request, has_validate, request_params, starts_session};
use super::syntax::{
    arg, array, awaited, bind, bind_tuple, call, call_of, expr_path, field, generic, infer, inherent_impl, let_stmt,
    method_call, named, named_type, path, path_with, public_async_method, ref_type, reference, stmt, string,
    struct_expr, struct_shorthand, tail, tried, tuple, tuple_type, type_path, unit,
};
use crate::ir::{Api, Interface, Location, ResultShape, SessionEffect};
use syn::{Expr, Stmt, Type};

/// `Session::events`, when the API has a polling interface the session can call with defaults.
fn events_method(api: &Api) -> TokenStream {
    let Some(poll) = api.interfaces.iter().find(|it| matches!(it.result, ResultShape::Event { .. }) && it.sends_guid)
    else {
        return TokenStream::new();
    };
    if request_params(poll).any(|p| p.required) {
        return TokenStream::new();
    }
    let name = ident(&poll.operation.rust);
    let call = if has_request(poll) {
        quote! { session.#name(&Default::default()).await }
    } else {
        quote! { session.#name().await }
    };
    let doc = Doc::new()
        .raw(format!("Events for this agent, polled in the background through [`Session::{}`].", poll.operation.rust))
        .blank()
        .raw("Polling starts now and goes on, independently of how fast the stream is read, until the stream is dropped or the session ends; rotated Guids are picked up on the way. Keep one stream per session: two would split the events between them.")
        .blank()
        .raw("Wait for the outcome of a call with [`EventStream::wait_for`](agentgateway_runtime::EventStream::wait_for): a gateway hiccup does not end the wait, and events it reads past stay available to `next`, in order and bounded.")
        .blank()
        .raw("No poll starts while the agent signs out, so [`Session::logout`] is the last request of the session.")
        .attrs();
    quote! {
        #doc
        pub fn events(&self) -> crate::EventStream {
            self.events_with(agentgateway_runtime::StreamConfig::default())
        }

        /// Like [`Session::events`], with its own pauses and retry rules.
        pub fn events_with(&self, config: agentgateway_runtime::StreamConfig) -> crate::EventStream {
            let session = self.clone();
            agentgateway_runtime::EventStream::spawn_for(
                &self.state,
                move || {
                    let session = session.clone();
                    async move {
                        let polled = #call;
                        // The state view follows every polled event, read or not.
                        if let Ok(Some(received)) = &polled {
                            session.agent_state.observe(&received.event);
                        }
                        polled
                    }
                },
                config,
            )
        }
    }
}

/// The crate root's quick start, compiled (not run) as a doctest: a client,
/// a session, a call with a timeout of its own, and events when the API can poll.
pub(crate) fn quick_start(api: &Api, doc: Doc) -> Doc {
    let krate = &api.settings.crate_name;
    let sign_in = api.interfaces.iter().find(|it| starts_session(it)).map(|it| &it.operation.rust);
    let polls = !events_method(api).is_empty();
    let mut doc = doc.blank().raw("# Quick start").blank();
    if let Some(sign_in) = sign_in {
        doc = doc.raw(format!("[`Client::{sign_in}`] signs an agent in and returns a [`Session`]; [`Client::session`] resumes one from its agent ID and Guid, as here:"));
    }
    doc = doc
        .blank()
        .raw("```no_run")
        .raw("use std::time::Duration;")
        .raw(format!("use {krate}::{{AgentId, Client, Guid}};"))
        .raw("")
        .raw("# async fn run() -> Result<(), Box<dyn std::error::Error>> {")
        .raw("let client = Client::builder(\"https://gw.example.com:8043\")")
        .raw("    .add_root_certificate_pem(&std::fs::read(\"gateway-ca.pem\")?) // gateways often use a private CA")
        .raw("    .timeout(Duration::from_secs(10))")
        .raw("    .build()?;")
        .raw("let session = client.session(AgentId::new(\"205\")?, Guid::new(\"guid-from-sign-in\"));")
        .raw("// One call with a shorter timeout of its own: a slow answer is `Error::Timeout`.")
        .raw("let quick = session.with_timeout(Duration::from_secs(2));")
        .raw("println!(\"{}\", quick.agent_id());");
    if polls {
        doc = doc
            .raw("// Events are polled in the background while the stream lives.")
            .raw("let mut events = session.events();")
            .raw("if let Some(event) = events.next().await {")
            .raw("    println!(\"{}\", event?.event.name());")
            .raw("}");
    }
    doc.raw("# Ok(()) }").raw("```")
}

/// `src/client.rs`, whole.
pub(crate) fn client(api: &Api) -> TokenStream {
    head_with(api, session_interfaces(api).into_iter().map(|it| method(api, it)).collect())
}

/// `src/client.rs` without the methods of the interfaces that act for a
/// signed-in agent, which end the file's last item, `impl Session`; they
/// are built and formatted apart ([`session_impl`]), on every core.
pub(crate) fn head(api: &Api) -> TokenStream {
    head_with(api, Vec::new())
}

/// The interfaces whose methods are `Session`'s: those that send the Guid.
pub(crate) fn session_interfaces(api: &Api) -> Vec<&Interface> {
    api.interfaces.iter().filter(|it| it.sends_guid).collect()
}

/// `impl Session` holding the method of `it`, to be spliced into the one
/// the head ends with.
pub(crate) fn session_impl(api: &Api, it: &Interface) -> syn::Item {
    inherent_impl("Session", [syn::ImplItem::Fn(method(api, it))])
}

fn head_with(api: &Api, session_methods: Vec<syn::ImplItemFn>) -> TokenStream {
    let events = events_method(api);
    let client_methods = api.interfaces.iter().filter(|it| !it.sends_guid).map(|it| method(api, it));
    quote! {
        use agentgateway_runtime::{AgentId, Guid, SessionState, Transport, TransportBuilder};

        use crate::{Error, ErrorCode};

        /// An HTTPS client for one gateway. Cheap to clone: clones share connections.
        #[derive(Clone, Debug)]
        pub struct Client {
            transport: Transport,
        }

        /// Configures a [`Client`]: timeouts, a private root certificate, a proxy.
        #[derive(Debug)]
        pub struct ClientBuilder {
            inner: TransportBuilder,
        }

        impl ClientBuilder {
            /// Timeout for a whole request.
            pub fn timeout(self, timeout: std::time::Duration) -> Self {
                Self { inner: self.inner.timeout(timeout) }
            }

            /// Timeout for establishing a connection.
            pub fn connect_timeout(self, timeout: std::time::Duration) -> Self {
                Self { inner: self.inner.connect_timeout(timeout) }
            }

            /// Trusts a root certificate (PEM), as gateways often use a private CA.
            pub fn add_root_certificate_pem(self, pem: &[u8]) -> Self {
                Self { inner: self.inner.add_root_certificate_pem(pem) }
            }

            /// Sends every request through this proxy.
            pub fn proxy(self, url: impl AsRef<str>) -> Self {
                Self { inner: self.inner.proxy(url) }
            }

            /// The `User-Agent` header of every request (default `agentgateway-runtime/<version>`).
            pub fn user_agent(self, value: impl Into<String>) -> Self {
                Self { inner: self.inner.user_agent(value) }
            }

            /// Sends requests through a `reqwest::Client` of your own (connection pool,
            /// proxy, DNS, TLS). Timeouts, certificates, proxy and user agent are then that
            /// client's: setting them here too makes [`ClientBuilder::build`] fail. See
            /// [`TransportBuilder::reqwest_client`] for keeping redirects and plain HTTP off.
            pub fn reqwest_client(self, client: agentgateway_runtime::reqwest::Client) -> Self {
                Self { inner: self.inner.reqwest_client(client) }
            }

            /// Allows a plain `http://` base URL. Only for tests and trusted networks.
            pub fn danger_allow_http(self) -> Self {
                Self { inner: self.inner.danger_allow_http() }
            }

            /// Largest response body accepted, in bytes.
            pub fn max_body_bytes(self, limit: usize) -> Self {
                Self { inner: self.inner.max_body_bytes(limit) }
            }

            /// Retries reads (`GET`, such as event polling) that failed without an
            /// answer, with jittered delays; calls that act are never retried. Off
            /// unless set.
            pub fn retry(self, policy: crate::RetryPolicy) -> Self {
                Self { inner: self.inner.retry(policy) }
            }

            /// Builds the client.
            ///
            /// # Errors
            ///
            /// [`Error::Config`](agentgateway_runtime::Error::Config) for a bad URL, certificate, proxy
            /// or user agent, or settings a client given with [`ClientBuilder::reqwest_client`] cannot take.
            pub fn build(self) -> Result<Client, Error> {
                Ok(Client { transport: self.inner.build::<ErrorCode>()? })
            }
        }

        impl Client {
            /// Starts configuring a client for the gateway at `base_url`, e.g. `https://gw.example.com:8043`.
            pub fn builder(base_url: impl AsRef<str>) -> ClientBuilder {
                ClientBuilder { inner: TransportBuilder::new(base_url, crate::BASE_PATH).protocol(&crate::PROTOCOL) }
            }

            /// A clone (sharing connections) whose calls must complete within
            /// `timeout` instead of the builder's; a slower call fails with
            /// [`Error::Timeout`](agentgateway_runtime::Error::Timeout).
            #[must_use]
            pub fn with_timeout(&self, timeout: std::time::Duration) -> Client {
                Client { transport: self.transport.with_timeout(timeout) }
            }

            /// A session for an agent who is already signed in and holds `guid`.
            ///
            /// Without the cookies the gateway set at sign-in, a load balancer
            /// may send the requests to another gateway node: prefer
            /// [`Client::session_with_cookies`] when they were kept.
            pub fn session(&self, agent_id: AgentId, guid: Guid) -> Session {
                Session { client: self.clone(), state: SessionState::new(agent_id, guid), agent_state: Default::default() }
            }

            /// A session resumed from what [`Session::guid`] and
            /// [`Session::cookies`] gave earlier, sending the sign-in cookies
            /// again.
            pub fn session_with_cookies(
                &self,
                agent_id: AgentId,
                guid: Guid,
                cookies: impl IntoIterator<Item = (String, String)>,
            ) -> Session {
                let state = SessionState::new(agent_id, guid);
                for (name, value) in cookies {
                    state.set_cookie(name, value);
                }
                Session { client: self.clone(), state, agent_state: Default::default() }
            }

            #(#client_methods)*
        }

        /// One signed-in agent: its ID and current Guid, kept up to date from responses.
        ///
        /// Cheap to clone; clones share the same state.
        #[derive(Clone, Debug)]
        pub struct Session {
            client: Client,
            state: SessionState,
            /// Fed by this session's event stream; read through [`Session::agent_state`].
            agent_state: agentgateway_runtime::AgentStateFeed,
        }

        impl Session {
            /// A watchable view of the agent's state (idle, not ready with a reason,
            /// rest, wrap-up, in a call), kept current from the events that
            /// [`Session::events`] polls, whether or not the stream is read.
            ///
            /// It starts as [`AgentState::Unknown`](crate::AgentState::Unknown)
            /// until a state event arrives. An agent desktop's status bar shows
            /// [`AgentStateView::current`](crate::AgentStateView::current) and redraws
            /// whenever [`AgentStateView::changed`](crate::AgentStateView::changed)
            /// returns; the view ends when every clone of the session is gone.
            pub fn agent_state(&self) -> crate::AgentStateView {
                self.agent_state.view()
            }

            /// The agent this session acts for.
            pub fn agent_id(&self) -> &AgentId {
                self.state.agent_id()
            }

            /// The current Guid (redacted in `Debug`), e.g. to resume the session
            /// later with [`Client::session`]. It changes when the gateway rotates it.
            pub fn guid(&self) -> Guid {
                self.state.guid()
            }

            /// The cookies the gateway set (the sign-in cookie, load-balancer
            /// affinity), as `(name, value)` pairs, to resume the session later
            /// with [`Client::session_with_cookies`]. Keep them as secret as the Guid.
            pub fn cookies(&self) -> Vec<(String, String)> {
                self.state.cookies()
            }

            /// This session (same agent, Guid and cookies) with calls that must
            /// complete within `timeout`, e.g. `session.with_timeout(d).call_inner(&r)`;
            /// a slower call fails with [`Error::Timeout`](agentgateway_runtime::Error::Timeout).
            #[must_use]
            pub fn with_timeout(&self, timeout: std::time::Duration) -> Session {
                Session {
                    client: self.client.with_timeout(timeout),
                    state: self.state.clone(),
                    agent_state: self.agent_state.clone(),
                }
            }

            /// The client this session uses.
            pub fn client(&self) -> &Client {
                &self.client
            }

            /// True once the session has been signed out; further calls fail without a request.
            pub fn is_ended(&self) -> bool {
                self.state.is_ended()
            }

            #events

            #(#session_methods)*
        }
    }
}

fn method_doc(api: &Api, it: &Interface) -> Doc {
    let mut doc = Doc::new()
        .text(&it.title)
        .blank()
        .text(&it.summary)
        .blank()
        .raw(format!("{} {}", code(it.method.as_str()), code(&format!("{}{}", api.settings.base_path, it.path))))
        .list("Prerequisites", &it.prerequisites);
    if !it.events.is_empty() {
        doc = doc.blank().raw("# Events").blank();
        for e in &it.events {
            let Some(event) = api.event(&e.event) else { continue };
            let when = e
                .when
                .as_ref()
                .map(|c| format!(" (when {} is {})", code(&it.params[c.param].name.wire), code(&c.equals.to_string())))
                .unwrap_or_default();
            doc = doc.raw(format!(
                "- [`{}`](crate::EventKind::{}){when}: {}",
                e.event,
                event.name.rust,
                escape_line(&event.meaning)
            ));
        }
    }
    if let ResultShape::CallId { .. } = it.result {
        doc = doc.blank().raw("# Returns").blank().raw(
            "The new call's ID, or `None` when the gateway confirmed the call without a readable ID (the vendor's own example answers `\"result\": {}`). Either way the call was placed: do not retry it.",
        );
    }
    doc = doc.blank().raw("# Errors").blank();
    doc = doc.raw("Fails with a validation error before sending anything if the request breaks a rule, with a transport, status or decode error if the exchange fails, or with an API error carrying the gateway's code. This interface's page lists:");
    doc = doc.blank();
    if it.errors.is_empty() {
        doc = doc.raw("- no specific codes");
    }
    for c in &it.errors {
        let Some(e) = api.error(c) else { continue };
        let meaning = e.meaning.as_deref().map(escape_line).unwrap_or_else(|| "meaning not published".to_owned());
        doc = doc.raw(format!("- [`{c}`](crate::ErrorCode::{}): {meaning}", e.name.rust));
    }
    example(api, it, doc)
}

/// An `# Example` section, compiled (not run) as a doctest: how the method
/// is called and what it gives back. The request is a parameter of the
/// hidden wrapper, as building one needs values only the caller knows.
fn example(api: &Api, it: &Interface, doc: Doc) -> Doc {
    let krate = &api.settings.crate_name;
    let method = &it.operation.rust;
    let mut params = Vec::new();
    let mut args = Vec::new();
    let receiver = if it.sends_guid { "session" } else { "client" };
    params.push(if it.sends_guid {
        format!("session: &{krate}::Session")
    } else {
        format!("client: &{krate}::Client")
    });
    if agent_id_param(it).is_some() && !it.sends_guid {
        params.push(format!("agent_id: {krate}::AgentId"));
        args.push("&agent_id".to_owned());
    }
    if has_request(it) {
        params.push(format!("request: {krate}::{}::{}::Request", it.resource.rust, it.module.rust));
        args.push("&request".to_owned());
    }
    let call = format!("{receiver}.{method}({}).await?", args.join(", "));
    let dropped = matches!(it.result, ResultShape::None { .. } | ResultShape::Reserved { .. });
    let body: Vec<String> = match (starts_session(it), dropped) {
        (true, true) => vec![
            format!("let (session, ()) = {call};"),
            "println!(\"signed in as {}\", session.agent_id());".to_owned(),
        ],
        (true, false) => vec![
            format!("let (session, answer) = {call};"),
            "println!(\"signed in as {}: {answer:?}\", session.agent_id());".to_owned(),
        ],
        (false, true) => vec![format!("{call};")],
        (false, false) => vec![format!("let answer = {call};"), "println!(\"{answer:?}\");".to_owned()],
    };
    let mut doc = doc
        .blank()
        .raw("# Example")
        .blank()
        .raw("```no_run")
        .raw(format!("# async fn example({}) -> Result<(), {krate}::Error> {{", params.join(", ")));
    for line in body {
        doc = doc.raw(line);
    }
    doc.raw("# Ok(())").raw("# }").raw("```")
}

/// What a method returns, and whether the decoded answer is dropped.
fn answer_type(it: &Interface) -> (Type, bool) {
    let item = |name: &str| type_path(path(&format!("crate::{}::{}::{name}", it.resource.rust, it.module.rust)));
    match &it.result {
        ResultShape::None { .. } | ResultShape::Reserved { .. } => (named_type("agentgateway_runtime::Reserved"), true),
        ResultShape::CallId { .. } => (generic("Option", [named_type("String")]), false),
        // The page's type and example disagree: read an object or a list of one.
        ResultShape::Object { one_or_list: true, .. } => {
            (generic("agentgateway_runtime::OneOrList", [item("Response")]), false)
        }
        ResultShape::Object { .. } => (item("Response"), false),
        ResultShape::List { .. } => (generic("Vec", [item("Item")]), false),
        ResultShape::Event { .. } => (generic("Option", [named_type("crate::ReceivedEvent")]), false),
    }
}

/// `request.<field>`.
fn request_field(p: &crate::ir::Param) -> Expr {
    field(named("request"), &p.name.rust)
}

/// `agentgateway_runtime::wire_text(&value)`.
fn wire_text(value: Expr) -> Expr {
    call_of("agentgateway_runtime::wire_text", [reference(value)])
}

/// A request parameter as `(wire name, Option<text>)`, for the query or headers.
fn optional_text(p: &crate::ir::Param) -> Expr {
    let text = if p.required {
        call_of("Some", [wire_text(request_field(p))])
    } else {
        let some = method_call(request_field(p), "as_ref", []);
        method_call(some, "map", [named("agentgateway_runtime::wire_text")])
    };
    tuple([string(&p.name.wire), text])
}

/// The statements that bind path values other than the agent ID, which
/// the runtime takes from the session or the sign-in.
fn path_bindings(it: &Interface) -> Vec<Stmt> {
    path_values(it).map(|(p, local)| let_stmt(bind(&local), wire_text(request_field(p)))).collect()
}

/// Each path parameter but the agent ID, with the local that holds its text.
fn path_values(it: &Interface) -> impl Iterator<Item = (&crate::ir::Param, String)> {
    let agent = agent_id_param(it).map(|p| p.name.wire.as_str());
    it.params
        .iter()
        .filter(move |p| p.location == Location::Path && Some(p.name.wire.as_str()) != agent)
        .map(|p| (p, format!("path_{}", p.name.rust.trim_start_matches("r#"))))
}

/// The `Call` built from the request and the bound path values.
fn call_argument(it: &Interface) -> Expr {
    let mut fields = Vec::new();
    let path_params: Vec<_> = path_values(it)
        .map(|(p, local)| tuple([string(&p.name.wire), method_call(named(&local), "as_str", [])]))
        .collect();
    if !path_params.is_empty() {
        fields.push(("path_params", reference(array(path_params))));
    }
    let query: Vec<_> = request_params(it).filter(|p| p.location == Location::Query).map(optional_text).collect();
    if !query.is_empty() {
        fields.push(("query", reference(array(query))));
    }
    let headers: Vec<_> = request_params(it).filter(|p| p.location == Location::Header).map(optional_text).collect();
    if !headers.is_empty() {
        fields.push(("headers", reference(array(headers))));
    }
    if it.has_body() {
        let body = call_of("agentgateway_runtime::JsonBody::new", [named("request")]);
        fields.push(("body", call_of("Some", [body])));
    }
    match fields.len() {
        0 => call_of("agentgateway_runtime::Call::default", []),
        // Every field given: `..Default::default()` would be a needless update.
        4 => struct_expr(path("agentgateway_runtime::Call"), fields, None),
        _ => struct_expr(path("agentgateway_runtime::Call"), fields, Some(call_of("Default::default", []))),
    }
}

/// One method: a few lines handing constant data and the request's values
/// to the runtime's non-generic request cycle.
fn method(api: &Api, it: &Interface) -> syn::ImplItemFn {
    let doc = method_doc(api, it).outer();
    let (answer, dropped) = answer_type(it);
    // A one-or-list answer is unwrapped to its object.
    let one_or_list = matches!(it.result, ResultShape::Object { one_or_list: true, .. });
    let ret = match (dropped, one_or_list) {
        (true, _) => unit(),
        (false, true) => type_path(path(&format!("crate::{}::{}::Response", it.resource.rust, it.module.rust))),
        (false, false) => answer,
    };
    let output = || named("output");
    let kept = || if one_or_list { method_call(output(), "into_inner", []) } else { output() };
    // What the answer is bound to, and what the method gives back of it.
    let (bound, given) = if dropped { ("_", tuple([])) } else { ("output", kept()) };
    let (args, mut body) = arguments(it);
    let result = |ok: Type| generic("Result", [ok, named_type("Error")]);
    if starts_session(it) {
        body.extend(sign_in(it, bound, given));
        let output = result(tuple_type([named_type("Session"), ret]));
        return public_async_method(doc, &it.operation.rust, args, output, body);
    }
    let run = awaited(exchange(it));
    if it.session == SessionEffect::Ends {
        // Polling pauses while the sign-out is under way; a failed sign-out
        // drops the guard and leaves the session open.
        let begin = method_call(field(named("self"), "state"), "begin_sign_out", []);
        body.push(let_stmt(bind("signing_out"), begin));
        body.push(let_stmt(bind(bound), tried(run)));
        body.push(stmt(method_call(named("signing_out"), "finish", [])));
        body.push(tail(call_of("Ok", [given])));
    } else if dropped {
        body.push(tail(method_call(run, "map", [named("drop")])));
    } else if one_or_list {
        body.push(tail(method_call(run, "map", [named("agentgateway_runtime::OneOrList::into_inner")])));
    } else {
        body.push(tail(run));
    }
    public_async_method(doc, &it.operation.rust, args, result(ret), body)
}

/// The method's arguments after `&self`, and the statements that check the
/// request and bind its path values.
fn arguments(it: &Interface) -> (Vec<syn::FnArg>, Vec<Stmt>) {
    let mut args = Vec::new();
    let mut prelude = Vec::new();
    if agent_id_param(it).is_some() && !it.sends_guid {
        args.push(arg("agent_id", ref_type(named_type("AgentId"))));
    }
    if has_request(it) {
        let request = format!("crate::{}::{}::Request", it.resource.rust, it.module.rust);
        args.push(arg("request", ref_type(type_path(path(&request)))));
        if has_validate(it) {
            prelude.push(stmt(tried(method_call(named("request"), "validate", []))));
        }
    }
    prelude.extend(path_bindings(it));
    (args, prelude)
}

/// `agentgateway_runtime::<function>::<Answer, _>`.
fn runtime(it: &Interface, function: &str) -> Expr {
    expr_path(path_with(&format!("agentgateway_runtime::{function}"), [answer_type(it).0, infer()], true))
}

/// `&crate::<resource>::<module>::OPERATION`.
fn operation(it: &Interface) -> Expr {
    reference(named(&format!("crate::{}::{}::OPERATION", it.resource.rust, it.module.rust)))
}

/// The statements that sign in and give back the new session with `given`.
fn sign_in(it: &Interface, bound: &str, given: Expr) -> [Stmt; 2] {
    let this = || named("self");
    let start = call(
        runtime(it, "start_session"),
        [
            reference(field(this(), "transport")),
            method_call(named("agent_id"), "clone", []),
            operation(it),
            call_argument(it),
        ],
    );
    let session = struct_shorthand(
        path("Session"),
        [
            ("client", Some(method_call(this(), "clone", []))),
            ("state", None),
            ("agent_state", Some(call_of("Default::default", []))),
        ],
    );
    [
        let_stmt(bind_tuple([bind(bound), bind("state")]), tried(awaited(start))),
        tail(call_of("Ok", [tuple([session, given])])),
    ]
}

/// The runtime call that makes the exchange, not yet awaited: on the
/// session, for a given agent ID, or for none.
fn exchange(it: &Interface) -> Expr {
    let this = || named("self");
    let (function, transport, agent) = match (it.sends_guid, agent_id_param(it).is_some()) {
        (true, _) => (
            "execute",
            field(field(this(), "client"), "transport"),
            call_of("Some", [reference(field(this(), "state"))]),
        ),
        (false, true) => ("execute_as", field(this(), "transport"), named("agent_id")),
        (false, false) => ("execute", field(this(), "transport"), named("None")),
    };
    call(runtime(it, function), [reference(transport), agent, operation(it), call_argument(it)])
}
