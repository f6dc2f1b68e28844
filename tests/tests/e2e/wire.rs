//! What an interface must put on the wire, and the exchange that checks it:
//! shared by the tests of every interface.

use std::fmt::Debug;

use agentgateway::{Error, ErrorCode, Session};
use serde_json::Value;
use wiremock::{Request, ResponseTemplate};

use crate::support::{
    AGENT, CONTENT_TYPE, GUID, HTML_PAGE, assert_redacted, failure, gateway, header, html, only_request, session,
    truncated_json,
};

pub const ROOT: &str = "/agentgateway/resource";
/// A sign-in password; like the Guid, it must never show up in an error.
pub const PASSWORD: &str = "PASSWORD-s3cr3t";

/// What one interface must put on the wire.
pub struct Wire {
    pub operation: &'static str,
    pub method: &'static str,
    pub path: String,
    pub query: Option<&'static str>,
    /// The `Guid` header: the session's, or `None` for none at all.
    pub guid: Option<&'static str>,
    /// Headers the interface declares: `Some` value exactly, `None` absent.
    pub headers: Vec<(&'static str, Option<&'static str>)>,
    /// `None`: the request has no body at all.
    pub body: Option<Value>,
}

impl Wire {
    /// A session interface with neither query, extra header nor body.
    pub fn bare(operation: &'static str, method: &'static str, path: &str) -> Wire {
        Wire {
            operation,
            method,
            path: format!("{ROOT}{path}"),
            query: None,
            guid: Some(GUID),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn assert_sent_as(&self, request: &Request) {
        let op = self.operation;
        assert_eq!(request.method.as_str(), self.method, "{op}: method");
        assert_eq!(request.url.path(), self.path, "{op}: path");
        assert_eq!(request.url.query(), self.query, "{op}: query");
        assert_eq!(header(request, "content-type"), Some(CONTENT_TYPE), "{op}");
        assert_eq!(header(request, "guid"), self.guid, "{op}: Guid header");
        for (name, value) in &self.headers {
            assert_eq!(header(request, name), *value, "{op}: header {name}");
        }
        match &self.body {
            Some(body) => {
                let sent: Value = request.body_json().expect("a JSON body");
                assert_eq!(&sent, body, "{op}: body");
            }
            None => assert!(request.body.is_empty(), "{op}: unexpected body"),
        }
    }
}

/// Asserts neither the Guid nor the password shows in any rendering.
pub fn assert_no_secret(error: &Error) {
    assert_redacted(error);
    let shown = format!("{error}\n{error:?}");
    assert!(!shown.contains(PASSWORD), "the password leaked: {shown}");
}

/// Sends one request through `call` to a gateway answering `response`,
/// checks the request against `wire`, and hands back the outcome.
pub async fn exchange<T, F>(wire: &Wire, response: ResponseTemplate, call: &F) -> Result<T, Error>
where
    F: AsyncFn(&Session) -> Result<T, Error>,
{
    let server = gateway(response, 1).await;
    let outcome = call(&session(&server, AGENT)).await;
    wire.assert_sent_as(&only_request(&server).await);
    server.verify().await;
    if let Err(error) = &outcome {
        assert_no_secret(error);
        assert_eq!(error.operation(), Some(wire.operation), "{error}");
    }
    outcome
}

/// Runs `call` against every kind of answer: `ok` (decoded to `expected`),
/// a catalogued `retcode`, an unknown one, HTTP 500 with an HTML page,
/// HTTP 200 with an HTML page, and a truncated JSON body.
pub async fn exercise<T, F>(wire: Wire, ok: ResponseTemplate, expected: T, (retcode, known): (&str, ErrorCode), call: F)
where
    T: PartialEq + Debug,
    F: AsyncFn(&Session) -> Result<T, Error>,
{
    let op = wire.operation;

    let outcome = exchange(&wire, ok, &call).await;
    assert_eq!(outcome.expect("a success answer"), expected, "{op}");

    for (code, variant) in [(retcode, known), ("999-999", ErrorCode::Unknown("999-999".into()))] {
        match exchange(&wire, failure(code), &call).await {
            Err(Error::Api { code, message, .. }) => {
                assert_eq!(code, variant, "{op}");
                assert_eq!(message, "operation failed", "{op}");
            }
            other => panic!("{op}: retcode {code} should be an API error, got {other:?}"),
        }
    }

    match exchange(&wire, html(500), &call).await {
        Err(Error::Status { status, body_snippet, .. }) => {
            assert_eq!((status, body_snippet.as_str()), (500, HTML_PAGE), "{op}")
        }
        other => panic!("{op}: HTTP 500 should be a status error, got {other:?}"),
    }

    match exchange(&wire, html(200), &call).await {
        Err(Error::Decode { status, content_type, body_snippet, .. }) => {
            assert_eq!(status, 200, "{op}");
            assert_eq!(content_type.as_deref(), Some("text/html"), "{op}");
            assert_eq!(body_snippet, HTML_PAGE, "{op}");
        }
        other => panic!("{op}: an HTML page should be a decode error, got {other:?}"),
    }

    match exchange(&wire, truncated_json(), &call).await {
        Err(Error::Decode { status, content_type, error, .. }) => {
            assert_eq!(status, 200, "{op}");
            assert_eq!(content_type.as_deref(), Some("application/json"), "{op}");
            assert!(error.is_eof(), "{op}: {error}");
        }
        other => panic!("{op}: a truncated body should be a decode error, got {other:?}"),
    }
}
