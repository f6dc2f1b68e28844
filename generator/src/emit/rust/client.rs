//! `Client`, `Session` and one method per interface.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc::{Doc, code, escape_line};
use super::ident;
use super::interface::{agent_id_param, has_request, has_validate, request_params, starts_session};
use crate::ir::{Api, Interface, Location, ResultShape, SessionEffect};

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

pub(crate) fn client(api: &Api) -> TokenStream {
    let events = events_method(api);
    let (session_methods, client_methods): (Vec<&Interface>, Vec<&Interface>) =
        api.interfaces.iter().partition(|it| it.sends_guid);
    let session_methods = session_methods.into_iter().map(|it| method(api, it));
    let client_methods = client_methods.into_iter().map(|it| method(api, it));
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
                ClientBuilder { inner: TransportBuilder::new(base_url, crate::BASE_PATH) }
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

fn method_doc(api: &Api, it: &Interface) -> TokenStream {
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
    doc.attrs()
}

fn method(api: &Api, it: &Interface) -> TokenStream {
    let doc = method_doc(api, it);
    let name = ident(&it.operation.rust);
    let resource = ident(&it.resource.rust);
    let module = ident(&it.module.rust);
    let (ret, decode, finish) = match &it.result {
        ResultShape::None { .. } | ResultShape::Reserved { .. } => {
            (quote! { () }, quote! { agentgateway_runtime::Reserved }, quote! { .map(drop) })
        }
        ResultShape::CallId { .. } => (quote! { Option<String> }, quote! { Option<String> }, TokenStream::new()),
        ResultShape::Object { one_or_list: false, .. } => (
            quote! { crate::#resource::#module::Response },
            quote! { crate::#resource::#module::Response },
            TokenStream::new(),
        ),
        // The page's type and example disagree: read an object or a list of one.
        ResultShape::Object { one_or_list: true, .. } => (
            quote! { crate::#resource::#module::Response },
            quote! { agentgateway_runtime::OneOrList<crate::#resource::#module::Response> },
            quote! { .map(agentgateway_runtime::OneOrList::into_inner) },
        ),
        ResultShape::List { .. } => (
            quote! { Vec<crate::#resource::#module::Item> },
            quote! { Vec<crate::#resource::#module::Item> },
            TokenStream::new(),
        ),
        ResultShape::Event { .. } => {
            (quote! { Option<crate::ReceivedEvent> }, quote! { Option<crate::ReceivedEvent> }, TokenStream::new())
        }
    };
    let on_session = it.sends_guid;
    let agent = agent_id_param(it);
    let mut args = Vec::new();
    let mut prelude = Vec::new();
    if let Some(p) = agent {
        let wire = &p.name.wire;
        if on_session {
            // The agent signed in, so the gateway accepted its ID: a narrower
            // range on an older page must not lock it out (documented instead).
            prelude.push(quote! { let agent_id = self.state.agent_id(); });
        } else {
            args.push(quote! { agent_id: &AgentId });
            prelude.push(quote! { agentgateway_runtime::check_str(#wire, agent_id.as_str(), op::AGENT_ID)?; });
        }
    }
    if has_request(it) {
        args.push(quote! { request: &crate::#resource::#module::Request });
        if has_validate(it) {
            prelude.push(quote! { request.validate()?; });
        }
    }
    let mut path_params = Vec::new();
    for p in it.params.iter().filter(|p| p.location == Location::Path) {
        let wire = &p.name.wire;
        if agent.is_some_and(|a| a.name.wire == p.name.wire) {
            path_params.push(quote! { (#wire, agent_id.as_str()) });
        } else {
            let id = ident(&p.name.rust);
            let local = ident(&format!("path_{}", p.name.rust.trim_start_matches("r#")));
            prelude.push(quote! { let #local = agentgateway_runtime::wire_text(&request.#id); });
            path_params.push(quote! { (#wire, #local.as_str()) });
        }
    }
    let query = request_params(it).filter(|p| p.location == Location::Query).map(|p| {
        let wire = &p.name.wire;
        let id = ident(&p.name.rust);
        if p.required {
            quote! { (#wire, Some(agentgateway_runtime::wire_text(&request.#id))) }
        } else {
            quote! { (#wire, request.#id.as_ref().map(agentgateway_runtime::wire_text)) }
        }
    });
    let headers = request_params(it).filter(|p| p.location == Location::Header).map(|p| {
        let wire = &p.name.wire;
        let id = ident(&p.name.rust);
        if p.required {
            quote! { (#wire, Some(agentgateway_runtime::wire_text(&request.#id))) }
        } else {
            quote! { (#wire, request.#id.as_ref().map(agentgateway_runtime::wire_text)) }
        }
    });
    let (body, body_ty) = if it.has_body() {
        (quote! { Some(request) }, quote! { crate::#resource::#module::Request })
    } else {
        (quote! { None }, quote! { () })
    };
    let call = quote! {
        agentgateway_runtime::Call {
            path_params: &[#(#path_params),*],
            query: &[#(#query),*],
            headers: &[#(#headers),*],
            body: #body,
        }
    };
    // Reserved results are dropped; a one-or-list result is unwrapped.
    let discard = matches!(it.result, ResultShape::None { .. } | ResultShape::Reserved { .. });
    let output = match it.result {
        ResultShape::Object { one_or_list: true, .. } => quote! { output.into_inner() },
        _ => quote! { output },
    };
    if starts_session(it) {
        let ret = quote! { (Session, #ret) };
        let (bind, output) = if discard { (quote! { _ }, quote! { () }) } else { (quote! { output }, output) };
        return quote! {
            #doc
            pub async fn #name(&self, #(#args),*) -> Result<#ret, Error> {
                use crate::#resource::#module as op;
                #(#prelude)*
                let (#bind, state) = agentgateway_runtime::start_session::<#decode, ErrorCode, #body_ty>(
                    &self.transport,
                    agent_id.clone(),
                    &op::OPERATION,
                    #call,
                )
                .await?;
                Ok((Session { client: self.clone(), state, agent_state: Default::default() }, #output))
            }
        };
    }
    let (transport, session) = if on_session {
        (quote! { &self.client.transport }, quote! { Some(&self.state) })
    } else {
        (quote! { &self.transport }, quote! { None })
    };
    let ends = it.session == SessionEffect::Ends;
    let run = quote! {
        agentgateway_runtime::execute::<#decode, ErrorCode, #body_ty>(#transport, #session, &op::OPERATION, #call).await
    };
    let body = match ends {
        // Polling pauses while the sign-out is under way; a failed sign-out
        // drops the guard and leaves the session open.
        true if !discard => quote! {
            let signing_out = self.state.begin_sign_out();
            let output = #run?;
            signing_out.finish();
            Ok(#output)
        },
        true => quote! {
            let signing_out = self.state.begin_sign_out();
            #run?;
            signing_out.finish();
            Ok(())
        },
        false => quote! { #run #finish },
    };
    quote! {
        #doc
        pub async fn #name(&self, #(#args),*) -> Result<#ret, Error> {
            use crate::#resource::#module as op;
            #(#prelude)*
            #body
        }
    }
}
