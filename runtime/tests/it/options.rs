//! Per-call timeouts, the retry policy and the protocol settings, against a
//! mock gateway on loopback.

use std::time::Duration;

use agentgateway_runtime::{
    AgentId, AgentIdParam, Call, Constraint, Error, JsonBody, Method, Operation, Protocol, Reserved, RetryPolicy,
    execute, start_session,
};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Code, Result, http_builder, http_transport, session};

const AGENT: Option<AgentIdParam> = Some(AgentIdParam { name: "agentid", constraints: &[] });

static READ: Operation = Operation {
    name: "query_status",
    method: Method::Get,
    path: "/onlineagent/{agentid}/status",
    sends_guid: true,
    result: "result",
    agent_id: AGENT,
};

static ACT: Operation = Operation {
    name: "say_busy",
    method: Method::Post,
    path: "/onlineagent/{agentid}/saybusy",
    sends_guid: true,
    result: "result",
    agent_id: AGENT,
};

const STATUS_PATH: &str = "/agentgateway/resource/onlineagent/1001/status";
const BUSY_PATH: &str = "/agentgateway/resource/onlineagent/1001/saybusy";

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"message": "success", "retcode": "0", "result": {}}))
}

fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::new(attempts).base_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(20))
}

#[tokio::test]
async fn the_agent_id_comes_from_the_session() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path(STATUS_PATH)).respond_with(ok()).expect(1).mount(&server).await;
    let result: Result<Reserved> =
        execute(&http_transport(&server.uri()), Some(&session()), &READ, Call::default()).await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_builders_and_is_a_timeout_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .respond_with(ok().set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;
    let transport = http_builder(&server.uri()).timeout(Duration::from_secs(20)).build::<Code>().expect("valid");
    let s = session();
    let short = transport.with_timeout(Duration::from_millis(100));
    assert_eq!(short.call_timeout(), Some(Duration::from_millis(100)));
    let result: Result<Reserved> = execute(&short, Some(&s), &READ, Call::default()).await;
    assert!(matches!(result, Err(Error::Timeout { operation: "query_status", .. })), "{result:?}");
    // The builder's timeout still holds for the transport it came from.
    let result: Result<Reserved> = execute(&transport, Some(&s), &READ, Call::default()).await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn reads_are_retried_up_to_the_policys_bound() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let transport = http_builder(&server.uri()).retry(fast_retry(3)).build::<Code>().expect("valid");
    let result: Result<Reserved> = execute(&transport, Some(&session()), &READ, Call::default()).await;
    assert!(matches!(result, Err(Error::Status { status: 503, .. })), "{result:?}");
    server.verify().await;
}

#[tokio::test]
async fn a_read_that_recovers_succeeds_after_a_retry() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path(STATUS_PATH)).respond_with(ok()).expect(1).mount(&server).await;
    let transport = http_builder(&server.uri()).retry(fast_retry(5)).build::<Code>().expect("valid");
    let result: Result<Reserved> = execute(&transport, Some(&session()), &READ, Call::default()).await;
    assert!(result.is_ok(), "{result:?}");
    server.verify().await;
}

#[tokio::test]
async fn actions_and_gateway_answers_are_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BUSY_PATH))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"retcode": "100-007"})))
        .expect(1)
        .mount(&server)
        .await;
    let transport = http_builder(&server.uri()).retry(fast_retry(5)).build::<Code>().expect("valid");
    let s = session();
    let acted: Result<Reserved> = execute(&transport, Some(&s), &ACT, Call::default()).await;
    assert!(matches!(acted, Err(Error::Status { status: 503, .. })), "{acted:?}");
    let answered: Result<Reserved> = execute(&transport, Some(&s), &READ, Call::default()).await;
    assert!(matches!(answered, Err(Error::Api { .. })), "{answered:?}");
    server.verify().await;
}

#[tokio::test]
async fn without_a_policy_nothing_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let result: Result<Reserved> =
        execute(&http_transport(&server.uri()), Some(&session()), &READ, Call::default()).await;
    assert!(matches!(result, Err(Error::Status { status: 503, .. })), "{result:?}");
    server.verify().await;
}

static OTHER_PROTOCOL: Protocol = Protocol {
    token_header: "X-Token",
    issued_in: "X-New-Token",
    token_prefix: "T=",
    content_type: "application/vnd.test+json",
    message: "msg",
    retcode: "code",
    success: "OK",
};

#[tokio::test]
async fn requests_and_answers_follow_the_protocol_given() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .and(header("x-token", crate::support::SECRET_GUID))
        .and(header("content-type", "application/vnd.test+json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"msg": "fine", "code": "OK", "result": "x"}))
                .insert_header("X-New-Token", "T=next-token"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    // `retcode` "0" is no success under this protocol, and its member is `code`.
    Mock::given(method("GET"))
        .and(path(STATUS_PATH))
        .and(header("x-token", "next-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"msg": "refused", "code": "0"})))
        .expect(1)
        .mount(&server)
        .await;
    let transport = http_builder(&server.uri()).protocol(&OTHER_PROTOCOL).build::<Code>().expect("valid");
    let s = session();
    let first: Result<Option<String>> = execute(&transport, Some(&s), &READ, Call::default()).await;
    assert_eq!(first.expect("success under the protocol"), Some("x".to_owned()));
    assert_eq!(s.guid().expose(), "next-token", "the prefix is the protocol's");
    let second: Result<Reserved> = execute(&transport, Some(&s), &READ, Call::default()).await;
    match second {
        Err(Error::Api { code, message, .. }) => {
            assert_eq!(code, Code::Unknown("0".to_owned()));
            assert_eq!(message, "refused");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    server.verify().await;
}

#[tokio::test]
async fn a_protocol_with_a_bad_header_name_is_a_config_error() {
    static BAD: Protocol = Protocol { token_header: "X Token", ..Protocol::CC_GATEWAY };
    let built = http_builder("http://127.0.0.1:9").protocol(&BAD).build::<Code>();
    assert!(matches!(built, Err(Error::Config(ref m)) if m.contains("X Token")), "{built:?}");
}

static SIGN_IN: Operation = Operation {
    name: "sign_in",
    method: Method::Put,
    path: "/onlineagent/{agentid}",
    sends_guid: false,
    result: "result",
    agent_id: Some(AgentIdParam { name: "agentid", constraints: &[Constraint::Range { min: 101, max: 59999 }] }),
};

#[tokio::test]
async fn signing_in_checks_the_agent_id_against_the_operations_constraints() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ok()).expect(0).mount(&server).await;
    let transport = http_transport(&server.uri());
    let body = JsonBody::new(&json!({"password": "pw"}));
    let result: Result<(Reserved, _)> =
        start_session(&transport, AgentId::from(60000u32), &SIGN_IN, Call { body: Some(body), ..Call::default() })
            .await;
    assert!(matches!(result, Err(Error::Validation(ref e)) if e.parameter == "agentid"), "{result:?}");
    server.verify().await;
}
