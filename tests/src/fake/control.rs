//! The control API: every test hook as JSON over HTTP, so that the
//! `fake-gateway` binary can be scripted while it runs (from curl, a shell
//! script or a test in another language).
//!
//! It is served under [`CONTROL_PATH`] on the gateway's own listener and TLS
//! rather than on a port of its own: one port to start, forward and trust,
//! and nothing to keep in step between two listeners. No path of the real
//! gateway starts with it (they all start with [`super::BASE_PATH`]), so a
//! client under test never reaches it by accident; control requests are not
//! recorded in the request log, which shows only the clients' traffic.
//!
//! | endpoint | body | hook |
//! | --- | --- | --- |
//! | `POST /agents` | `{"agent": "207", "password": "secret"}` | [`FakeGateway::add_agent`] |
//! | `GET /agents/{agent}` | | `{"signedIn", "guid", "activeCall", "pendingEvents"}` |
//! | `POST /agents/{agent}/events` | `{"eventType": "X", "content": ...}` | [`FakeGateway::push_event`] |
//! | `POST /agents/{agent}/calls` | `{"caller": "88880021"}`, answers `{"callid"}` | [`FakeGateway::inject_call`] |
//! | `POST /agents/{agent}/rotate-guid` | | [`FakeGateway::rotate_guid`] |
//! | `DELETE /agents/{agent}/session` | | [`FakeGateway::drop_session`] |
//! | `POST /fail-next` | `{"path": "/callinner", "retcode": "200-012"}` | [`FakeGateway::fail_next`] |
//! | `POST /fault-next` | `{"path": "/hold", "fault": "delay", "ms": 3000}` | [`FakeGateway::fault_next`] |
//! | `POST /restart` | | [`FakeGateway::restart`] |
//! | `GET /requests`, `DELETE /requests` | | [`FakeGateway::requests`], [`FakeGateway::clear_requests`] |
//!
//! A fault is `{"fault": "delay", "ms": N}`, `{"fault": "cut_body"}`,
//! `{"fault": "html_page", "status": 502}` or `{"fault": "drop_connection"}`,
//! each with the `path` (the end of the request path) it applies to.
//!
//! Bodies are JSON whatever the content type; a member the endpoint does not
//! know is refused (HTTP 400), so a misspelt hook is never half applied.
//! Unknown agents are HTTP 404, an agent that must be signed in and is not
//! HTTP 409, each with `{"error": "..."}`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{Fault, Shared, json_response};
#[cfg(doc)]
use crate::FakeGateway;

/// The prefix of every control endpoint.
pub const CONTROL_PATH: &str = "/__fake";

/// The control endpoints, to be nested under [`CONTROL_PATH`].
pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/agents", post(add_agent))
        .route("/agents/{agent}", get(agent))
        .route("/agents/{agent}/events", post(push_event))
        .route("/agents/{agent}/calls", post(inject_call))
        .route("/agents/{agent}/rotate-guid", post(rotate_guid))
        .route("/agents/{agent}/session", delete(drop_session))
        .route("/fail-next", post(fail_next))
        .route("/fault-next", post(fault_next))
        .route("/restart", post(restart))
        .route("/requests", get(requests).delete(clear_requests))
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "no such control endpoint".to_owned()) })
}

/// The fake's state, as each endpoint receives it.
type Gateway = State<Arc<Shared>>;

fn reply(status: StatusCode, body: Value) -> Response {
    let mut response = json_response(body);
    *response.status_mut() = status;
    response
}

fn done(body: Value) -> Response {
    reply(StatusCode::OK, body)
}

fn fail(status: StatusCode, error: String) -> Response {
    reply(status, json!({ "error": error }))
}

#[allow(clippy::result_large_err)] // the error is the ready-made answer
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| fail(StatusCode::BAD_REQUEST, format!("invalid body: {e}")))
}

/// 404 for an agent never added, 409 for one that is not signed in.
fn not_signed_in(shared: &Shared, agent: &str) -> Response {
    match shared.agent_view(agent) {
        None => fail(StatusCode::NOT_FOUND, format!("no agent {agent}")),
        Some(_) => fail(StatusCode::CONFLICT, format!("agent {agent} is not signed in")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAgent {
    agent: String,
    password: String,
}

async fn add_agent(State(shared): Gateway, body: Bytes) -> Response {
    match parse::<NewAgent>(&body) {
        Ok(new) => {
            shared.add_agent(&new.agent, &new.password);
            done(json!({ "agent": new.agent }))
        }
        Err(response) => response,
    }
}

async fn agent(State(shared): Gateway, Path(agent): Path<String>) -> Response {
    match shared.agent_view(&agent) {
        Some(view) => done(serde_json::to_value(view).unwrap_or(Value::Null)),
        None => fail(StatusCode::NOT_FOUND, format!("no agent {agent}")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct NewEvent {
    event_type: String,
    #[serde(default)]
    content: Value,
}

async fn push_event(State(shared): Gateway, Path(agent): Path<String>, body: Bytes) -> Response {
    let event = match parse::<NewEvent>(&body) {
        Ok(event) => event,
        Err(response) => return response,
    };
    if shared.push_event(&agent, &event.event_type, event.content) {
        done(json!({ "queued": event.event_type }))
    } else {
        fail(StatusCode::NOT_FOUND, format!("no agent {agent}"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCall {
    caller: String,
}

async fn inject_call(State(shared): Gateway, Path(agent): Path<String>, body: Bytes) -> Response {
    let call = match parse::<NewCall>(&body) {
        Ok(call) => call,
        Err(response) => return response,
    };
    match shared.inject_call(&agent, &call.caller) {
        Some(id) => done(json!({ "callid": id })),
        None => not_signed_in(&shared, &agent),
    }
}

async fn rotate_guid(State(shared): Gateway, Path(agent): Path<String>) -> Response {
    if shared.rotate_guid(&agent) {
        done(json!({ "rotates": "at the agent's next poll" }))
    } else {
        not_signed_in(&shared, &agent)
    }
}

async fn drop_session(State(shared): Gateway, Path(agent): Path<String>) -> Response {
    if shared.drop_session(&agent) { done(json!({ "signedOut": agent })) } else { not_signed_in(&shared, &agent) }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailNext {
    /// The end of the path of the request to fail, e.g. `/callinner`.
    path: String,
    retcode: String,
}

async fn fail_next(State(shared): Gateway, body: Bytes) -> Response {
    match parse::<FailNext>(&body) {
        Ok(next) => {
            shared.lock().fail_next.push((next.path.clone(), next.retcode.clone()));
            done(json!({ "path": next.path, "retcode": next.retcode }))
        }
        Err(response) => response,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultNext {
    path: String,
    /// `delay` (with `ms`), `cut_body`, `html_page` (with `status`) or `drop_connection`.
    fault: String,
    ms: Option<u64>,
    status: Option<u16>,
}

impl FaultNext {
    /// The fault, or why the body does not name one.
    fn fault(&self) -> Result<Fault, String> {
        match (self.fault.as_str(), self.ms, self.status) {
            ("delay", Some(ms), None) => Ok(Fault::Delay(Duration::from_millis(ms))),
            ("cut_body", None, None) => Ok(Fault::CutBody),
            ("html_page", None, Some(status)) if (100..=599).contains(&status) => Ok(Fault::HtmlPage(status)),
            ("drop_connection", None, None) => Ok(Fault::DropConnection),
            _ => Err(format!(
                "invalid fault {:?}: one of {{\"fault\": \"delay\", \"ms\": N}}, {{\"fault\": \"cut_body\"}}, \
                 {{\"fault\": \"html_page\", \"status\": 100-599}}, {{\"fault\": \"drop_connection\"}}",
                self.fault
            )),
        }
    }
}

async fn fault_next(State(shared): Gateway, body: Bytes) -> Response {
    let next = match parse::<FaultNext>(&body) {
        Ok(next) => next,
        Err(response) => return response,
    };
    match next.fault() {
        Ok(fault) => {
            shared.lock().faults.push((next.path.clone(), fault));
            done(json!({ "path": next.path, "fault": next.fault }))
        }
        Err(error) => fail(StatusCode::BAD_REQUEST, error),
    }
}

async fn restart(State(shared): Gateway) -> Response {
    shared.restart();
    done(json!({ "restarted": true }))
}

async fn requests(State(shared): Gateway) -> Response {
    let log = shared.lock().requests.clone();
    done(serde_json::to_value(log).unwrap_or(Value::Null))
}

async fn clear_requests(State(shared): Gateway) -> Response {
    shared.clear_requests();
    done(json!({ "cleared": true }))
}
