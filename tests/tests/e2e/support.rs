//! Shared helpers: a mock gateway on loopback, sessions, response envelopes,
//! and checks on what reached the server.

use std::fmt::Debug;

use agentgateway::calldata::assignuserinqueue;
use agentgateway::mediacall::transfer::{self, Address, DeviceType, Mode};
use agentgateway::voicecall::{callinner, requestcall};
use agentgateway::{AgentId, Client, Error, Guid, Session, ValidationError};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The session token every test session starts with; it must never show up
/// in a `Debug` or `Display` rendering.
pub const GUID: &str = "SECRET-GUID-123";
/// A valid agent ID for every interface.
pub const AGENT: &str = "205";
/// The `Content-Type` every request carries, body or not.
pub const CONTENT_TYPE: &str = "application/json; charset=UTF-8";
pub const HTML_PAGE: &str =
    "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Gateway error</h1></body></html>";

// ---------------------------------------------------------------- responses

/// The gateway's `{ message, retcode, result }` envelope; `result` is left
/// out entirely when `None`.
pub fn envelope(retcode: &str, message: &str, result: Option<Value>) -> Value {
    let mut body = json!({ "message": message, "retcode": retcode });
    if let Some(result) = result {
        body["result"] = result;
    }
    body
}

pub fn success(result: Option<Value>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(envelope("0", "success", result))
}

/// HTTP 200 carrying a non-zero `retcode`, as the gateway reports failures.
pub fn failure(retcode: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(envelope(retcode, "operation failed", None))
}

pub fn html(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(HTML_PAGE, "text/html")
}

pub fn truncated_json() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(r#"{"message":"success","retcode":"0","res"#, "application/json")
}

// ------------------------------------------------------------------ servers

/// A mock gateway answering every request with `response`; `verify` fails
/// unless exactly `times` requests arrived.
pub async fn gateway(response: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(response).expect(times).named("catch-all").mount(&server).await;
    server
}

/// A mock gateway that must not receive any request.
pub async fn silent_gateway() -> MockServer {
    gateway(success(Some(json!({}))), 0).await
}

pub fn client(server: &MockServer) -> Client {
    Client::builder(server.uri()).danger_allow_http().build().expect("a loopback http client builds")
}

/// A session for `agent` holding [`GUID`].
pub fn session(server: &MockServer, agent: &str) -> Session {
    let agent = AgentId::new(agent).expect("a well-formed agent id");
    client(server).session(agent, Guid::new(GUID))
}

pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

pub async fn only_request(server: &MockServer) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "exactly one request expected");
    all.remove(0)
}

/// The single value of header `name`, if sent.
pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    let mut values = request.headers.get_all(name).iter();
    let first = values.next()?;
    assert!(values.next().is_none(), "header `{name}` sent more than once");
    Some(first.to_str().expect("a visible-ASCII header value"))
}

// ----------------------------------------------------------------- requests

/// A valid transfer to agent 205 with no optional field set.
pub fn transfer_request() -> transfer::Request {
    transfer::Request::new(
        "1552524689-16797284",
        DeviceType::Agent,
        Mode::ReleaseAfterTransfer,
        Address::new("205").expect("a short address"),
    )
}

pub fn assign_request() -> assignuserinqueue::Request {
    assignuserinqueue::Request::new("1663580465-1134", 1)
}

pub fn callinner_request() -> callinner::Request {
    callinner::Request::new(callinner::Called::new("40040").expect("digits"))
}

pub fn requestcall_request() -> requestcall::Request {
    requestcall::Request::new("1456401416-3", requestcall::SkillType::PublicQueue, 1)
}

/// The five interfaces, each called with a valid request, for tests that
/// care only about what happens before or around the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Transfer,
    Assign,
    CallInner,
    RequestCall,
    ThirdParty,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::Transfer, Op::Assign, Op::CallInner, Op::RequestCall, Op::ThirdParty];

    pub async fn invoke(self, session: &Session) -> Result<(), Error> {
        match self {
            Op::Transfer => session.transfer_media_call(&transfer_request()).await,
            Op::Assign => session.assign_user_in_queue(&assign_request()).await,
            Op::CallInner => session.call_inner(&callinner_request()).await.map(drop),
            Op::RequestCall => session.request_call(&requestcall_request()).await,
            Op::ThirdParty => session.third_party_conf_transmit_num().await,
        }
    }

    /// A success answer whose `result` fits the interface.
    pub fn success(self) -> ResponseTemplate {
        match self {
            Op::CallInner => success(Some(json!("1456401416-3"))),
            _ => success(Some(json!({}))),
        }
    }
}

// --------------------------------------------------------------- assertions

/// Asserts the session token appears in no rendering of `error`.
pub fn assert_redacted(error: &Error) {
    let shown = format!("{error}\n{error:?}\n{error:#?}");
    assert!(!shown.contains(GUID), "the Guid leaked: {shown}");
}

/// The validation error inside `result`, which must be one.
pub fn validation<T: Debug>(result: Result<T, Error>) -> ValidationError {
    match result {
        Err(Error::Validation(e)) => e,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Asserts `error` names `parameter`, states `rule`, and shows the rule in
/// its message.
pub fn assert_rejected(error: &ValidationError, parameter: &str, rule: &str) {
    assert_eq!(error.parameter, parameter, "{error}");
    assert_eq!(error.rule, rule, "{error}");
    let shown = error.to_string();
    assert!(shown.contains(&format!("`{parameter}`")), "{shown}");
    assert!(shown.contains(rule), "{shown}");
}
