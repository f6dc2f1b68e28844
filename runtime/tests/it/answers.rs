//! Answers a real gateway may send whose verdict must survive decoding: a
//! success stays a success and a polled event arrives, whatever odd bytes,
//! spacing or number forms come with them.

use agentgateway_runtime::{Call, DecodeEvent, Error, Method, Operation, Received, Reserved, execute};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{BASE_PATH, Code, http_transport, session};

static PLACE_CALL: Operation = Operation {
    name: "call_inner",
    method: Method::Put,
    path: "/voicecall/{agentid}/callinner",
    sends_guid: true,
    result: "result",
    agent_id: None,
};

static POLL: Operation = Operation {
    name: "poll_events",
    method: Method::Get,
    path: "/agentevent/{agentid}",
    sends_guid: true,
    result: "event",
    agent_id: None,
};

#[derive(Debug, PartialEq)]
struct Event(String, serde_json::Value);

impl DecodeEvent for Event {
    fn decode(kind: &str, content: serde_json::Value) -> (Self, Option<serde_json::Value>) {
        (Event(kind.to_owned(), content), None)
    }
}

/// What `execute` makes of `body`, served with `status`, for `op`.
async fn answer<T: serde::de::DeserializeOwned + Default>(
    op: &'static Operation,
    status: u16,
    body: &[u8],
) -> Result<T, Error<Code>> {
    let server = MockServer::start().await;
    let route = op.path.replace("{agentid}", "1001");
    Mock::given(method(op.method.as_str()))
        .and(path(format!("{BASE_PATH}{route}")))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_vec(), "application/json;charset=UTF-8"))
        .mount(&server)
        .await;
    let transport = http_transport(&server.uri());
    let params = [("agentid", "1001")];
    execute(&transport, Some(&session()), op, Call { path_params: &params, ..Call::default() }).await
}

#[tokio::test]
async fn a_retcode_with_spaces_around_it_is_still_a_success() {
    for body in
        [&br#"{"message":"success","retcode":" 0","result":"1-2"}"#[..], b"{\"retcode\":\"0 \\n\",\"result\":\"1-2\"}"]
    {
        let placed = answer::<Option<String>>(&PLACE_CALL, 200, body).await;
        assert_eq!(placed.ok().flatten().as_deref(), Some("1-2"), "{}", String::from_utf8_lossy(body));
    }
}

#[tokio::test]
async fn a_byte_order_mark_before_the_answer_is_skipped() {
    let body = b"\xEF\xBB\xBF{\"message\":\"success\",\"retcode\":\"0\",\"result\":\"1-2\"}";
    let placed = answer::<Option<String>>(&PLACE_CALL, 200, body).await;
    assert_eq!(placed.ok().flatten().as_deref(), Some("1-2"));
}

#[tokio::test]
async fn text_that_is_not_unicode_does_not_turn_a_success_into_a_failure() {
    // "成功" in GBK as the message; an unpaired surrogate in the result.
    let gbk = b"{\"message\":\"\xb3\xc9\xb9\xa6\",\"retcode\":\"0\"}";
    assert!(answer::<Reserved>(&PLACE_CALL, 200, gbk).await.is_ok());
    let lone = br#"{"message":"success","retcode":"0","result":{"calldata":"ab\ud83d"}}"#;
    assert!(answer::<Reserved>(&PLACE_CALL, 200, lone).await.is_ok());
    // A failure stays one, with its code.
    let refused = b"{\"message\":\"\xb3\xc9\",\"retcode\":\"100-006\"}";
    let error = answer::<Reserved>(&PLACE_CALL, 200, refused).await.expect_err("a refusal");
    assert!(matches!(&error, Error::Api { code, .. } if *code == Code::NotSignedIn), "{error:?}");
}

#[tokio::test]
async fn a_polled_event_with_an_unpaired_surrogate_in_its_content_arrives() {
    let body = br#"{"message":"","retcode":"0","event":{"eventType":"AgentOther_PhoneAlerting","workNo":"1001","content":{"callid":"1-2","calldata":"\udc00x"}}}"#;
    let polled = answer::<Option<Received<Event>>>(&POLL, 200, body).await;
    let received = polled.expect("a success").expect("an event");
    assert_eq!(received.event.0, "AgentOther_PhoneAlerting");
    assert_eq!(received.event.1["calldata"], "\u{fffd}x");
    assert_eq!(received.event.1["callid"], "1-2");
}

#[tokio::test]
async fn a_call_id_sent_as_a_number_is_kept() {
    let placed = answer::<Option<String>>(&PLACE_CALL, 200, br#"{"retcode":"0","result":1552524689}"#).await;
    assert_eq!(placed.ok().flatten().as_deref(), Some("1552524689"));
}

#[tokio::test]
async fn a_success_under_an_error_status_is_told_neither_as_done_nor_as_refused() {
    let body = br#"{"message":"success","retcode":"0","result":"1-2"}"#;
    for status in [500, 502] {
        let error = answer::<Option<String>>(&PLACE_CALL, status, body).await.expect_err("no plain success");
        assert!(matches!(error, Error::Contradictory { status: s, .. } if s == status), "{error:?}");
        assert!(error.may_have_acted(), "{error:?}");
        assert!(error.to_string().contains("the action may have been done"), "{error}");
    }
    // A refusal under an error status stays the refusal, with its code.
    let refused = answer::<Option<String>>(&PLACE_CALL, 500, br#"{"retcode":"100-006"}"#).await.expect_err("refused");
    assert!(matches!(&refused, Error::Api { code, status: 500, .. } if *code == Code::NotSignedIn), "{refused:?}");
    assert!(!refused.may_have_acted());
}

#[tokio::test]
async fn an_answer_cut_short_after_the_gateway_took_the_request_says_it_may_have_acted() {
    for body in [&br#"{"message":"success","retcode":"0","res"#[..], b""] {
        let cut = answer::<Option<String>>(&PLACE_CALL, 200, body).await.expect_err("unreadable");
        assert!(matches!(cut, Error::Decode { status: 200, .. }), "{cut:?}");
        assert!(cut.may_have_acted(), "{cut:?}");
        assert!(cut.to_string().contains("an action may have been done"), "{cut}");
    }
    // A server error page may come after the work was done; a refusal not.
    let page = answer::<Option<String>>(&PLACE_CALL, 503, b"<html>busy</html>").await.expect_err("busy");
    assert!(matches!(page, Error::Status { status: 503, .. }) && page.may_have_acted(), "{page:?}");
    let refused = answer::<Option<String>>(&PLACE_CALL, 404, b"<html>no such page</html>").await.expect_err("404");
    assert!(matches!(refused, Error::Status { status: 404, .. }) && !refused.may_have_acted(), "{refused:?}");
}
