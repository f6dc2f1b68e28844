//! `execute` and `start_session` against a mock gateway on loopback.

use std::time::Duration;

use agentgateway_runtime::serde::Deserialize;
use agentgateway_runtime::{
    AgentId, Call, Error, Guid, JsonBody, Method, Operation, Reserved, SecretString, TransportBuilder, execute,
    start_session,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{
    BASE_PATH, Code, Result, SECRET_GUID, assert_redacted, http_builder, http_transport, raw_server, session,
};

static TRANSFER: Operation = Operation {
    name: "transfer_media_call",
    method: Method::Post,
    path: "/mediacall/{agentid}/transfer/{callid}",
    sends_guid: true,
    result: "result",
    agent_id: None,
};

static QUERY_STATUS: Operation = Operation {
    name: "query_status",
    method: Method::Get,
    path: "/onlineagent/{agentid}/status",
    sends_guid: true,
    result: "result",
    agent_id: None,
};

static PUBLIC_INFO: Operation = Operation {
    name: "public_info",
    method: Method::Get,
    path: "/public/{agentid}",
    sends_guid: false,
    result: "result",
    agent_id: None,
};

static SIGN_IN: Operation = Operation {
    name: "sign_in",
    method: Method::Put,
    path: "/onlineagent/{agentid}/forcelogin",
    sends_guid: false,
    result: "result",
    agent_id: None,
};

static SIGN_OUT: Operation = Operation {
    name: "sign_out",
    method: Method::Delete,
    path: "/onlineagent/{agentid}/logout",
    sends_guid: true,
    result: "result",
    agent_id: None,
};

const STATUS_PATH: &str = "/agentgateway/resource/onlineagent/1001/status";

fn ok(result: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"message": "success", "retcode": "0", "result": result}))
}

fn agent_params() -> [(&'static str, &'static str); 1] {
    [("agentid", "1001")]
}

async fn status<T: serde::de::DeserializeOwned + Default>(server: &MockServer) -> Result<T> {
    let transport = http_transport(&server.uri());
    let s = session();
    let params = agent_params();
    execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await
}

async fn mount_status(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET")).and(path(STATUS_PATH)).respond_with(response).expect(1).mount(server).await;
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request expected");
    requests.remove(0)
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

#[derive(serde::Serialize)]
struct TransferBody<'a> {
    #[serde(rename = "devicetype")]
    device_type: i64,
    address: &'a str,
    password: SecretString,
}

#[tokio::test]
async fn request_has_exact_method_path_query_headers_and_body() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok(json!(null))).expect(1).mount(&server).await;
    let transport = http_transport(&server.uri());
    let s = session();
    s.set_cookie("JSESSIONID", "cookie-1");
    s.set_cookie("route", "r7");
    let body = TransferBody { device_type: 2, address: "88001", password: SecretString::new("pw") };
    let result: Result<Reserved> = execute(
        &transport,
        Some(&s),
        &TRANSFER,
        Call {
            path_params: &[("agentid", "1001"), ("callid", "a/b c?#%")],
            query: &[("mode", Some("1 2&3".into())), ("skipped", None), ("name", Some("é".into()))],
            headers: &[("service_token", Some("tok-1".into())), ("X-Unset", None)],
            body: Some(JsonBody::new(&body)),
        },
    )
    .await;
    assert_eq!(result.ok(), Some(Reserved));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/agentgateway/resource/mediacall/1001/transfer/a%2Fb%20c%3F%23%25");
    assert_eq!(request.url.query(), Some("mode=1+2%263&name=%C3%A9"));
    assert_eq!(header(&request, "content-type"), Some("application/json; charset=UTF-8"));
    assert_eq!(header(&request, "accept"), Some("application/json"));
    assert_eq!(header(&request, "guid"), Some(SECRET_GUID));
    assert_eq!(header(&request, "cookie"), Some("JSESSIONID=cookie-1; route=r7"));
    assert_eq!(request.headers.get_all("cookie").iter().count(), 1);
    assert_eq!(header(&request, "service_token"), Some("tok-1"));
    assert!(request.headers.get("x-unset").is_none());
    let sent: serde_json::Value = request.body_json().expect("JSON body");
    assert_eq!(sent, json!({"devicetype": 2, "address": "88001", "password": "pw"}));
}

#[tokio::test]
async fn bodyless_request_still_sends_content_type_and_no_query_mark() {
    let server = MockServer::start().await;
    mount_status(&server, ok(json!("idle"))).await;
    let result: Result<String> = status(&server).await;
    assert_eq!(result.ok().as_deref(), Some("idle"));
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert!(request.body.is_empty());
    assert_eq!(request.url.query(), None);
    assert_eq!(header(&request, "content-type"), Some("application/json; charset=UTF-8"));
    assert_eq!(header(&request, "guid"), Some(SECRET_GUID));
}

#[tokio::test]
async fn no_guid_header_when_the_operation_does_not_send_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/agentgateway/resource/public/1001"))
        .respond_with(ok(json!(null)))
        .expect(1)
        .mount(&server)
        .await;
    let transport = http_transport(&server.uri());
    let s = session();
    s.set_cookie("JSESSIONID", "c");
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &PUBLIC_INFO, Call { path_params: &params, ..Call::default() }).await;
    assert!(result.is_ok(), "{result:?}");
    let request = only_request(&server).await;
    assert_eq!(header(&request, "guid"), None);
    assert_eq!(header(&request, "cookie"), Some("JSESSIONID=c"));
}

#[derive(Debug, PartialEq, Default, Deserialize)]
#[serde(crate = "agentgateway_runtime::serde")]
struct AgentStatus {
    #[serde(rename = "agentState")]
    agent_state: i64,
    name: String,
    #[serde(default)]
    skills: Vec<String>,
}

#[tokio::test]
async fn decodes_a_struct_result() {
    let server = MockServer::start().await;
    mount_status(&server, ok(json!({"agentState": 4, "name": "Ann", "extra": true}))).await;
    let result: Result<AgentStatus> = status(&server).await;
    assert_eq!(result.ok(), Some(AgentStatus { agent_state: 4, name: "Ann".into(), skills: vec![] }));
}

#[tokio::test]
async fn reserved_accepts_absent_null_and_objects() {
    for body in [
        json!({"message": "", "retcode": "0"}),
        json!({"message": "", "retcode": "0", "result": null}),
        json!({"retcode": "0", "result": {"anything": [1, 2]}}),
        json!({"message": null, "retcode": "0", "result": "text"}),
    ] {
        let server = MockServer::start().await;
        mount_status(&server, ResponseTemplate::new(200).set_body_json(&body)).await;
        let result: Result<Reserved> = status(&server).await;
        assert_eq!(result.ok(), Some(Reserved), "{body}");
    }
}

#[tokio::test]
async fn absent_result_is_none_for_an_option() {
    let server = MockServer::start().await;
    mount_status(&server, ResponseTemplate::new(200).set_body_json(json!({"message": "", "retcode": "0"}))).await;
    let result: Result<Option<String>> = status(&server).await;
    assert_eq!(result.ok(), Some(None));
}

#[tokio::test]
async fn retcode_with_a_known_meaning() {
    let server = MockServer::start().await;
    mount_status(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({"message": "agent not login", "retcode": "100-006"})),
    )
    .await;
    let error = status::<Reserved>(&server).await.expect_err("retcode != 0");
    assert_eq!(error.api_code(), Some(&Code::NotSignedIn));
    assert_eq!(
        error.to_string(),
        "query_status: the gateway answered with retcode 100-006 (the agent is not signed in): agent not login"
    );
    assert_redacted(&error);
}

#[tokio::test]
async fn retcode_unknown_to_the_enum_and_numeric_retcode() {
    let server = MockServer::start().await;
    mount_status(&server, ResponseTemplate::new(200).set_body_json(json!({"retcode": "999-999"}))).await;
    let error = status::<Reserved>(&server).await.expect_err("retcode != 0");
    match &error {
        Error::Api { operation, code, message, status } => {
            assert_eq!(*status, 200);
            assert_eq!(*operation, "query_status");
            assert_eq!(code, &Code::Unknown("999-999".into()));
            assert_eq!(message, "");
        }
        other => panic!("expected Api, got {other:?}"),
    }

    let server = MockServer::start().await;
    mount_status(&server, ResponseTemplate::new(200).set_body_json(json!({"message": "m", "retcode": 7}))).await;
    let error = status::<Reserved>(&server).await.expect_err("retcode != 0");
    assert_eq!(error.api_code(), Some(&Code::Unknown("7".into())));
}

#[tokio::test]
async fn http_500_with_html_is_a_status_error() {
    let server = MockServer::start().await;
    let html = format!("<html><body>Internal error {}</body></html>", "x".repeat(1000));
    mount_status(&server, ResponseTemplate::new(500).set_body_raw(html.clone(), "text/html")).await;
    let error = status::<Reserved>(&server).await.expect_err("500");
    match &error {
        Error::Status { operation, status, body_snippet } => {
            assert_eq!(*operation, "query_status");
            assert_eq!(*status, 500);
            assert_eq!(body_snippet.chars().count(), 512);
            assert!(html.starts_with(body_snippet.as_str()));
        }
        other => panic!("expected Status, got {other:?}"),
    }
    assert!(error.to_string().contains("HTTP status 500"));
    assert_redacted(&error);
}

fn expect_decode(error: &Error<Code>) -> (u16, Option<&str>, &str) {
    match error {
        Error::Decode { operation, status, content_type, body_snippet, .. } => {
            assert_eq!(*operation, "query_status");
            (*status, content_type.as_deref(), body_snippet.as_str())
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn html_with_200_is_a_decode_error() {
    let server = MockServer::start().await;
    mount_status(&server, ResponseTemplate::new(200).set_body_raw("<html>login page</html>", "text/html")).await;
    let error = status::<Reserved>(&server).await.expect_err("not JSON");
    assert_eq!(expect_decode(&error), (200, Some("text/html"), "<html>login page</html>"));
    let shown = error.to_string();
    assert!(shown.contains("content type text/html") && shown.contains("login page"), "{shown}");
    assert_redacted(&error);
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let server = MockServer::start().await;
    mount_status(
        &server,
        ResponseTemplate::new(200).set_body_raw(r#"{"message":"","retcode":"0","res"#, "application/json"),
    )
    .await;
    let error = status::<Reserved>(&server).await.expect_err("truncated");
    let (status, content_type, snippet) = expect_decode(&error);
    assert_eq!((status, content_type), (200, Some("application/json")));
    assert!(snippet.starts_with(r#"{"message""#));
}

#[tokio::test]
async fn missing_retcode_is_a_decode_error() {
    let server = MockServer::start().await;
    mount_status(&server, ResponseTemplate::new(200).set_body_json(json!({"message": "x", "result": {}}))).await;
    let error = status::<Reserved>(&server).await.expect_err("no retcode");
    expect_decode(&error);
}

/// The vendor's own callinner example answers `"result": {}` where its table
/// promises a call ID: the call was placed, and an error would make a caller
/// place it again.
#[tokio::test]
async fn a_success_with_an_odd_result_is_still_a_success() {
    let server = MockServer::start().await;
    mount_status(&server, ok(json!({}))).await;
    let call_id = status::<Option<String>>(&server).await.expect("retcode 0 is a success");
    assert_eq!(call_id, None);

    let server = MockServer::start().await;
    mount_status(&server, ok(json!({"callid": "x"}))).await;
    assert_eq!(status::<Option<String>>(&server).await.expect("success"), None);

    let server = MockServer::start().await;
    mount_status(&server, ok(json!("1456401416-3"))).await;
    assert_eq!(status::<Option<String>>(&server).await.expect("success").as_deref(), Some("1456401416-3"));

    let server = MockServer::start().await;
    mount_status(&server, ok(json!({"agentState": "four", "name": "Ann"}))).await;
    let odd = status::<AgentStatus>(&server).await.expect("a success whatever the result's shape");
    assert_eq!(odd, AgentStatus::default());

    let server = MockServer::start().await;
    mount_status(&server, ok(json!(["not", "an", "object"]))).await;
    assert_eq!(status::<AgentStatus>(&server).await.expect("success"), AgentStatus::default());
}

#[tokio::test]
async fn body_over_the_limit_by_content_length() {
    let server = MockServer::start().await;
    let big = format!(r#"{{"retcode":"0","result":"{}"}}"#, "x".repeat(2000));
    mount_status(&server, ResponseTemplate::new(200).set_body_raw(big, "application/json")).await;
    let transport = http_builder(&server.uri()).max_body_bytes(1024).build::<Code>().expect("valid");
    let s = session();
    let params = agent_params();
    let result: Result<String> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    match result {
        Err(Error::BodyTooLarge { operation, limit }) => {
            assert_eq!((operation, limit), ("query_status", 1024));
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn body_at_the_limit_is_accepted() {
    let server = MockServer::start().await;
    let body = r#"{"retcode":"0","result":"fits"}"#;
    mount_status(&server, ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let transport = http_builder(&server.uri()).max_body_bytes(body.len()).build::<Code>().expect("valid");
    let s = session();
    let params = agent_params();
    let result: Result<String> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    assert_eq!(result.ok().as_deref(), Some("fits"));
}

#[tokio::test]
async fn chunked_body_over_the_limit_stops_reading() {
    let chunk = "x".repeat(600);
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..4 {
        response.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let (uri, server) = raw_server(response).await;
    let transport = http_builder(&uri).max_body_bytes(1024).build::<Code>().expect("valid");
    let s = session();
    let params = agent_params();
    let result: Result<String> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    assert!(matches!(result, Err(Error::BodyTooLarge { limit: 1024, .. })), "{result:?}");
    server.await.expect("server task");
}

#[tokio::test]
async fn headers_go_out_title_cased() {
    let response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"retcode\":\"0\"}".to_vec();
    let (uri, server) = raw_server(response).await;
    let transport = http_transport(&uri);
    let s = session();
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    assert!(result.is_ok(), "{result:?}");
    let raw = String::from_utf8(server.await.expect("server task")).expect("ASCII request");
    assert!(raw.starts_with("GET /agentgateway/resource/onlineagent/1001/status HTTP/1.1\r\n"), "{raw}");
    assert!(raw.contains(&format!("\r\nGuid: {SECRET_GUID}\r\n")), "{raw}");
    assert!(raw.contains("\r\nContent-Type: application/json; charset=UTF-8\r\n"), "{raw}");
}

#[tokio::test]
async fn set_guid_and_cookies_update_the_session() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .respond_with(
            ok(json!(null))
                .insert_header("Set-GUID", "JSESSIONID=rotated-guid-2")
                .append_header("Set-Cookie", "JSESSIONID=c2; Path=/; HttpOnly")
                .append_header("Set-Cookie", "stale=; Max-Age=0"),
        )
        .expect(2)
        .mount(&server)
        .await;
    let transport = http_transport(&server.uri());
    let s = session();
    s.set_cookie("stale", "old");
    let params = agent_params();
    let call = Call { path_params: &params, ..Call::default() };
    let first: Result<Reserved> = execute(&transport, Some(&s), &QUERY_STATUS, call.clone()).await;
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(s.guid().expose(), "rotated-guid-2");
    assert_eq!(s.cookies(), vec![("JSESSIONID".to_owned(), "c2".to_owned())]);

    let second: Result<Reserved> = execute(&transport, Some(&s), &QUERY_STATUS, call.clone()).await;
    assert!(second.is_ok(), "{second:?}");
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(header(&requests[0], "guid"), Some(SECRET_GUID));
    assert_eq!(header(&requests[0], "cookie"), Some("stale=old"));
    assert_eq!(header(&requests[1], "guid"), Some("rotated-guid-2"));
    assert_eq!(header(&requests[1], "cookie"), Some("JSESSIONID=c2"));
}

#[tokio::test]
async fn set_guid_applies_even_when_the_call_fails_and_bad_values_are_ignored() {
    let server = MockServer::start().await;
    mount_status(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({"retcode": "100-007"}))
            .insert_header("Set-GUID", "JSESSIONID=after-error"),
    )
    .await;
    let s = session();
    let transport = http_transport(&server.uri());
    let params = agent_params();
    let call = Call { path_params: &params, ..Call::default() };
    let result: Result<Reserved> = execute(&transport, Some(&s), &QUERY_STATUS, call.clone()).await;
    assert!(result.is_err());
    assert_eq!(s.guid().expose(), "after-error");

    let server = MockServer::start().await;
    mount_status(&server, ok(json!(null)).insert_header("Set-GUID", "JSESSIONID=")).await;
    let transport = http_transport(&server.uri());
    let result: Result<Reserved> = execute(&transport, Some(&s), &QUERY_STATUS, call.clone()).await;
    assert!(result.is_ok());
    assert_eq!(s.guid().expose(), "after-error");
}

/// A stale-token refusal that hands out a new Guid itself is sent again once,
/// with that Guid (nothing was done); refused again with the Guid it
/// carried, it is the error.
#[tokio::test]
async fn a_refusal_that_rotates_the_guid_itself_is_sent_again_once() {
    let server = MockServer::start().await;
    let refused = ResponseTemplate::new(200)
        .set_body_json(json!({"retcode": "100-006"}))
        .insert_header("Set-GUID", "JSESSIONID=after-error");
    Mock::given(method("GET")).and(path(STATUS_PATH)).respond_with(refused).expect(2).mount(&server).await;
    let error = status::<Reserved>(&server).await.err();
    assert!(matches!(error, Some(Error::Api { code: Code::NotSignedIn, .. })), "{error:?}");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(header(&requests[1], "guid"), Some("after-error"));
    server.verify().await;
}

#[tokio::test]
async fn ended_session_does_no_io() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok(json!(null))).expect(0).mount(&server).await;
    let transport = http_transport(&server.uri());
    let s = session();
    s.clone().end();
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &SIGN_OUT, Call { path_params: &params, ..Call::default() }).await;
    match &result {
        Err(error @ Error::SessionEnded { operation: "sign_out" }) => assert_redacted(error),
        other => panic!("expected SessionEnded, got {other:?}"),
    }
    server.verify().await;
}

#[tokio::test]
async fn guid_operation_without_a_session_is_a_config_error_without_io() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok(json!(null))).expect(0).mount(&server).await;
    let transport = http_transport(&server.uri());
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, None, &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    assert!(matches!(&result, Err(Error::Config(m)) if m.contains("query_status")), "{result:?}");
    server.verify().await;
}

#[tokio::test]
async fn empty_path_value_is_a_validation_error_without_io() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok(json!(null))).expect(0).mount(&server).await;
    let transport = http_transport(&server.uri());
    let s = session();
    let result: Result<Reserved> = execute(
        &transport,
        Some(&s),
        &TRANSFER,
        Call { path_params: &[("agentid", "1001"), ("callid", "..")], ..Call::default() },
    )
    .await;
    assert!(matches!(&result, Err(Error::Validation(e)) if e.parameter == "callid"), "{result:?}");
    server.verify().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok(json!(null))).expect(0).mount(&elsewhere).await;
    let server = MockServer::start().await;
    mount_status(
        &server,
        ResponseTemplate::new(302).insert_header("Location", format!("{}/steal", elsewhere.uri()).as_str()),
    )
    .await;
    let error = status::<Reserved>(&server).await.expect_err("302");
    assert!(matches!(error, Error::Status { status: 302, .. }), "{error:?}");
    elsewhere.verify().await;
}

#[tokio::test]
async fn timeout_is_a_timeout_error_not_a_transport_error() {
    let server = MockServer::start().await;
    mount_status(&server, ok(json!(null)).set_delay(Duration::from_secs(5))).await;
    let transport = http_builder(&server.uri()).timeout(Duration::from_millis(200)).build::<Code>().expect("valid");
    let s = session();
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    match &result {
        Err(error @ Error::Timeout { operation: "query_status", error: cause }) => {
            assert!(cause.is_timeout(), "{cause:?}");
            assert!(error.to_string().starts_with("query_status: no answer in time"), "{error}");
            assert_redacted(error);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_connection_is_a_transport_error_without_the_guid() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let address = listener.local_addr().expect("bound address");
    drop(listener);
    let transport = http_transport(&format!("http://{address}"));
    let s = session();
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    match &result {
        Err(error @ Error::Transport { .. }) => {
            assert!(error.to_string().starts_with("query_status: the request failed"), "{error}");
            assert_redacted(error);
        }
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn unusable_guid_is_a_config_error_that_does_not_echo_it() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok(json!(null))).expect(0).mount(&server).await;
    let transport = http_transport(&server.uri());
    let s = agentgateway_runtime::SessionState::new(
        AgentId::from(1001u32),
        agentgateway_runtime::Guid::new(format!("{SECRET_GUID}\nInjected: yes")),
    );
    let params = agent_params();
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, ..Call::default() }).await;
    match &result {
        Err(error @ Error::Config(_)) => assert_redacted(error),
        other => panic!("expected Config, got {other:?}"),
    }
    server.verify().await;
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let server = MockServer::start().await;
    let refused = TransportBuilder::new(server.uri(), BASE_PATH).build::<Code>();
    assert!(matches!(refused, Err(Error::Config(_))), "{refused:?}");
    assert!(TransportBuilder::new(server.uri(), BASE_PATH).danger_allow_http().build::<Code>().is_ok());
}

#[tokio::test]
async fn start_session_takes_the_guid_and_cookies_from_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/agentgateway/resource/onlineagent/1001/forcelogin"))
        .respond_with(
            ok(json!(null))
                .insert_header("Set-GUID", format!("JSESSIONID={SECRET_GUID}").as_str())
                .insert_header("Set-Cookie", "JSESSIONID=sticky; Path=/"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = http_transport(&server.uri());
    let body = json!({"password": "pw", "phonenum": "88001"});
    let params = agent_params();
    let result: Result<(Reserved, _)> = start_session(
        &transport,
        AgentId::from(1001u32),
        &SIGN_IN,
        Call { path_params: &params, query: &[], headers: &[], body: Some(JsonBody::new(&body)) },
    )
    .await;
    let (_, s) = result.expect("signed in");
    assert_eq!(s.agent_id().as_str(), "1001");
    assert_eq!(s.guid().expose(), SECRET_GUID);
    assert_eq!(s.cookies(), vec![("JSESSIONID".to_owned(), "sticky".to_owned())]);
    assert!(!format!("{s:?}").contains(SECRET_GUID));
    let request = only_request(&server).await;
    assert_eq!(header(&request, "guid"), None);
    assert_eq!(request.body_json::<serde_json::Value>().ok(), Some(body));
}

#[tokio::test]
async fn start_session_without_set_guid_fails() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ok(json!(null))).expect(1).mount(&server).await;
    let transport = http_transport(&server.uri());
    let params = agent_params();
    let result: Result<(Reserved, _)> =
        start_session(&transport, AgentId::from(1001u32), &SIGN_IN, Call { path_params: &params, ..Call::default() })
            .await;
    assert!(matches!(result, Err(Error::MissingGuid { operation: "sign_in" })), "{result:?}");
}

#[tokio::test]
async fn start_session_reports_a_refused_sign_in() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "wrong password", "retcode": "100-001"}))
                .insert_header("Set-GUID", "JSESSIONID=should-not-matter"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = http_transport(&server.uri());
    let params = agent_params();
    let result: Result<(Reserved, _)> =
        start_session(&transport, AgentId::from(1001u32), &SIGN_IN, Call { path_params: &params, ..Call::default() })
            .await;
    let error = result.expect_err("refused");
    assert_eq!(error.api_code(), Some(&Code::Unknown("100-001".into())));
}

#[test]
fn futures_are_send() {
    fn assert_send<F: Send>(_: F) {}
    let transport = http_transport("http://127.0.0.1:1");
    let s = session();
    assert_send(execute::<Reserved, Code>(&transport, Some(&s), &QUERY_STATUS, Call::default()));
    assert_send(start_session::<Reserved, Code>(&transport, AgentId::from(1u32), &SIGN_IN, Call::default()));
}

#[tokio::test]
async fn an_error_envelope_with_an_http_error_status_keeps_its_code() {
    let server = MockServer::start().await;
    let body = json!({"message": "not signed in", "retcode": "100-006"});
    mount_status(&server, ResponseTemplate::new(401).set_body_json(body)).await;
    let error = status::<Reserved>(&server).await.expect_err("fails");
    match error {
        Error::Api { code: Code::NotSignedIn, ref message, .. } => assert_eq!(message, "not signed in"),
        other => panic!("expected the API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_late_answer_cannot_roll_back_a_newer_guid() {
    let server = MockServer::start().await;
    let slow =
        ok(json!(null)).insert_header("Set-GUID", "JSESSIONID=from-slow-answer").set_delay(Duration::from_millis(300));
    mount_status(&server, slow).await;
    let transport = http_transport(&server.uri());
    let s = session();
    let params = agent_params();
    let call = execute::<Reserved, Code>(
        &transport,
        Some(&s),
        &QUERY_STATUS,
        Call { path_params: &params, ..Call::default() },
    );
    let rotate_meanwhile = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        s.set_guid(Guid::new("rotated-by-a-later-answer"));
    };
    let (result, ()) = tokio::join!(call, rotate_meanwhile);
    result.expect("succeeds");
    assert_eq!(s.guid().expose(), "rotated-by-a-later-answer");
}

#[tokio::test]
async fn a_null_result_reads_as_an_empty_object() {
    #[derive(Deserialize, Debug, Default, PartialEq)]
    struct Info {
        #[serde(default)]
        name: Option<String>,
    }
    let server = MockServer::start().await;
    mount_status(&server, ok(json!(null))).await;
    assert_eq!(status::<Info>(&server).await.expect("decodes"), Info::default());
}

#[tokio::test]
async fn a_refused_path_keeps_its_http_status() {
    for http in [404u16, 405] {
        let server = MockServer::start().await;
        let body = json!({"message": "not found", "retcode": "000-002"});
        mount_status(&server, ResponseTemplate::new(http).set_body_json(body)).await;
        let error = status::<Reserved>(&server).await.expect_err("refused");
        match &error {
            Error::Api { code, status: got, .. } => {
                assert_eq!(code, &Code::Unknown("000-002".into()));
                assert_eq!(*got, http);
            }
            other => panic!("expected Api, got {other:?}"),
        }
        assert!(error.to_string().contains(&format!("HTTP status {http}")), "{error}");
    }
}

#[tokio::test]
async fn gateway_text_in_errors_is_stripped_of_control_characters_and_capped() {
    let server = MockServer::start().await;
    let message = format!("\u{1b}[2J\u{1b}]0;owned\u{7}line one\r\nforged line {}", "x".repeat(2000));
    mount_status(&server, ResponseTemplate::new(200).set_body_json(json!({"message": message, "retcode": "100-007"})))
        .await;
    let error = status::<Reserved>(&server).await.expect_err("retcode != 0");
    let shown = error.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.contains("line one  forged line"), "{shown}");
    let Error::Api { message, .. } = &error else { panic!("expected Api, got {error:?}") };
    assert_eq!(message.chars().count(), agentgateway_runtime::SERVER_TEXT_CHARS + 1, "cut, marked with …");

    let server = MockServer::start().await;
    let page = "<html>\u{1b}[31m\u{202E}evil</html>";
    mount_status(&server, ResponseTemplate::new(503).set_body_raw(page, "text/html")).await;
    let error = status::<Reserved>(&server).await.expect_err("503");
    let shown = error.to_string();
    assert!(!shown.chars().any(|c| c.is_control() || c == '\u{202E}'), "{shown:?}");
}

#[tokio::test]
async fn transport_errors_never_show_the_query() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let address = listener.local_addr().expect("bound address");
    drop(listener);
    let transport = http_transport(&format!("http://{address}"));
    let s = session();
    let params = agent_params();
    let query = [("token", Some("QUERY-SECRET-42".to_owned()))];
    let result: Result<Reserved> =
        execute(&transport, Some(&s), &QUERY_STATUS, Call { path_params: &params, query: &query, ..Call::default() })
            .await;
    let error = result.expect_err("nothing listens");
    let shown = format!("{error}\n{error:?}");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!shown.contains("QUERY-SECRET-42"), "{shown}");
}

/// The gateway keeps only the previous Guid valid: a request that left
/// before two rotations comes back refused, though nothing was done. A stale
/// token is answered with 000-003 or 100-006 (`spec/api.yaml`): both are sent
/// again with the new Guid.
#[tokio::test]
async fn a_request_refused_for_a_guid_rotated_meanwhile_is_sent_again_with_the_new_one() {
    for code in ["000-003", "100-006"] {
        let server = MockServer::start().await;
        let refused = ResponseTemplate::new(200)
            .set_body_json(json!({"message": "invalid guid", "retcode": code}))
            .set_delay(Duration::from_millis(200));
        Mock::given(method("GET"))
            .and(path(STATUS_PATH))
            .and(wiremock::matchers::header("guid", SECRET_GUID))
            .respond_with(refused)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(STATUS_PATH))
            .and(wiremock::matchers::header("guid", "ROTATED"))
            .respond_with(ok(json!(null)))
            .expect(1)
            .mount(&server)
            .await;
        let transport = http_transport(&server.uri());
        let s = session();
        let rotate = {
            let s = s.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                s.set_guid(Guid::new("ROTATED"));
            }
        };
        let params = agent_params();
        let call = execute::<Reserved, Code>(
            &transport,
            Some(&s),
            &QUERY_STATUS,
            Call { path_params: &params, ..Call::default() },
        );
        let (result, ()) = tokio::join!(call, rotate);
        assert!(result.is_ok(), "{code}: {result:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn a_refused_guid_that_did_not_rotate_is_the_callers_error() {
    let server = MockServer::start().await;
    let refused = ResponseTemplate::new(200).set_body_json(json!({"message": "", "retcode": "000-003"}));
    Mock::given(method("GET")).and(path(STATUS_PATH)).respond_with(refused).expect(1).mount(&server).await;
    let error = status::<Reserved>(&server).await.expect_err("refused, not sent again");
    assert_eq!(error.api_code(), Some(&Code::Unknown("000-003".into())));
    server.verify().await;
}
