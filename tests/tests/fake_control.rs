//! The fake gateway's control API, through real HTTP: each hook scripted as
//! the `fake-gateway` binary serves it (the same router), then the binary
//! itself started and scripted.

mod support;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use agentgateway_e2e::fake::CONTROL_PATH;
use agentgateway_e2e::{Config, FakeGateway};
use serde_json::{Value, json};

const AGENT: &str = "205";
const PASSWORD: &str = "secret";

async fn gateway() -> FakeGateway {
    let gw = FakeGateway::start_with(Config { poll_wait: Duration::from_millis(100), ..Config::default() }).await;
    gw.add_agent(AGENT, PASSWORD);
    gw.add_agent("206", PASSWORD);
    gw
}

/// A control request: the HTTP status and the JSON answer.
async fn control(client: &reqwest::Client, base: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("{base}{CONTROL_PATH}{path}"));
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.expect("the control API answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

/// A gateway request: the answer's JSON body and its `Set-GUID` token, if any.
async fn gateway_call(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    guid: Option<&str>,
    body: Option<Value>,
) -> (Value, Option<String>) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("{base}/agentgateway/resource{path}"));
    if let Some(guid) = guid {
        request = request.header("Guid", guid).header("Cookie", "route=r1");
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.expect("the gateway answers");
    let set_guid = response.headers().get("set-guid").map(|v| v.to_str().expect("text").replace("JSESSIONID=", ""));
    (response.json().await.expect("a JSON answer"), set_guid)
}

async fn sign_in(client: &reqwest::Client, base: &str, agent: &str, password: &str) -> String {
    let body = json!({ "password": password, "phonenum": "40038" });
    let (answer, guid) = gateway_call(client, base, "PUT", &format!("/onlineagent/{agent}"), None, Some(body)).await;
    assert_eq!(answer["retcode"], "0", "{answer}");
    guid.expect("the sign-in hands out a Guid")
}

/// Polls until an event arrives (or two seconds pass); its type and content.
async fn next_event(client: &reqwest::Client, base: &str, agent: &str, guid: &str) -> Option<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        let (answer, _) = gateway_call(client, base, "GET", &format!("/agentevent/{agent}"), Some(guid), None).await;
        if let Some(kind) = answer["event"]["eventType"].as_str() {
            return Some((kind.to_owned(), answer["event"]["content"].clone()));
        }
    }
    None
}

/// Drains the agent's queued events.
async fn drain(client: &reqwest::Client, base: &str, agent: &str, guid: &str) {
    for _ in 0..20 {
        let (answer, _) = gateway_call(client, base, "GET", &format!("/agentevent/{agent}"), Some(guid), None).await;
        if answer["event"].is_null() {
            return;
        }
    }
}

#[tokio::test]
async fn agents_are_added_and_shown() {
    let (gw, client) = (gateway().await, reqwest::Client::new());
    let base = gw.url();
    let (status, answer) =
        control(&client, &base, "POST", "/agents", Some(json!({ "agent": "207", "password": "pw" }))).await;
    assert_eq!((status, answer), (200, json!({ "agent": "207" })));
    let (status, view) = control(&client, &base, "GET", "/agents/207", None).await;
    assert_eq!((status, &view["signedIn"]), (200, &json!(false)), "{view}");
    let guid = sign_in(&client, &base, "207", "pw").await;
    let (_, view) = control(&client, &base, "GET", "/agents/207", None).await;
    assert_eq!(
        view,
        json!({ "signedIn": true, "guid": guid, "activeCall": null, "pendingEvents": view["pendingEvents"] })
    );
    assert_eq!(control(&client, &base, "GET", "/agents/999", None).await.0, 404);
    // A misspelt member is refused, not half applied.
    let (status, answer) =
        control(&client, &base, "POST", "/agents", Some(json!({ "agent": "208", "pasword": "x" }))).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().is_some_and(|e| e.contains("pasword")), "{answer}");
    assert_eq!(control(&client, &base, "GET", "/agents/208", None).await.0, 404);
    assert_eq!(control(&client, &base, "POST", "/no-such-hook", None).await.0, 404);
}

#[tokio::test]
async fn events_of_any_name_are_injected() {
    let (gw, client) = (gateway().await, reqwest::Client::new());
    let base = gw.url();
    let guid = sign_in(&client, &base, AGENT, PASSWORD).await;
    drain(&client, &base, AGENT, &guid).await;
    let event = json!({ "eventType": "Vendor_Event_Nobody_Knows", "content": { "x": 1 } });
    let (status, _) = control(&client, &base, "POST", &format!("/agents/{AGENT}/events"), Some(event)).await;
    assert_eq!(status, 200);
    let seen = next_event(&client, &base, AGENT, &guid).await;
    assert_eq!(seen, Some(("Vendor_Event_Nobody_Knows".to_owned(), json!({ "x": 1 }))));
    let event = json!({ "eventType": "AgentState_Ready" });
    assert_eq!(control(&client, &base, "POST", "/agents/999/events", Some(event)).await.0, 404);
}

#[tokio::test]
async fn an_inbound_call_rings_and_is_answered() {
    let (gw, client) = (gateway().await, reqwest::Client::new());
    let base = gw.url();
    let guid = sign_in(&client, &base, AGENT, PASSWORD).await;
    drain(&client, &base, AGENT, &guid).await;
    let path = format!("/agents/{AGENT}/calls");
    let (status, answer) = control(&client, &base, "POST", &path, Some(json!({ "caller": "88880021" }))).await;
    assert_eq!(status, 200, "{answer}");
    let call_id = answer["callid"].as_str().expect("the call's ID").to_owned();
    assert_eq!(
        next_event(&client, &base, AGENT, &guid).await.map(|e| e.0).as_deref(),
        Some("AgentOther_PhoneAlerting")
    );
    let (kind, content) = next_event(&client, &base, AGENT, &guid).await.expect("ringing");
    assert_eq!(
        (kind.as_str(), &content["callid"], &content["caller"]),
        ("AgentEvent_Ringing", &json!(call_id), &json!("88880021"))
    );
    let (answer, _) =
        gateway_call(&client, &base, "PUT", &format!("/voicecall/{AGENT}/answer"), Some(&guid), None).await;
    assert_eq!(answer["retcode"], "0");
    let (_, view) = control(&client, &base, "GET", &format!("/agents/{AGENT}"), None).await;
    assert_eq!(view["activeCall"], json!(call_id));
    // Only a signed-in agent can be rung.
    let (status, answer) = control(&client, &base, "POST", "/agents/206/calls", Some(json!({ "caller": "1" }))).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(control(&client, &base, "POST", "/agents/999/calls", Some(json!({ "caller": "1" }))).await.0, 404);
}

#[tokio::test]
async fn a_rotated_guid_travels_on_the_next_poll_and_a_dropped_session_is_gone() {
    let (gw, client) = (gateway().await, reqwest::Client::new());
    let base = gw.url();
    let guid = sign_in(&client, &base, AGENT, PASSWORD).await;
    assert_eq!(control(&client, &base, "POST", &format!("/agents/{AGENT}/rotate-guid"), None).await.0, 200);
    let (_, rotated) = gateway_call(&client, &base, "GET", &format!("/agentevent/{AGENT}"), Some(&guid), None).await;
    let rotated = rotated.expect("the poll carries the new Guid");
    assert_ne!(rotated, guid);
    assert_eq!(control(&client, &base, "POST", "/agents/206/rotate-guid", None).await.0, 409);

    let session = format!("/agents/{AGENT}/session");
    assert_eq!(control(&client, &base, "DELETE", &session, None).await.0, 200);
    let (answer, _) =
        gateway_call(&client, &base, "POST", &format!("/voicecall/{AGENT}/hold"), Some(&rotated), None).await;
    assert_eq!(answer["retcode"], "100-006");
    assert_eq!(control(&client, &base, "DELETE", &session, None).await.0, 409, "no session left to drop");
}

#[tokio::test]
async fn forced_codes_faults_and_a_restart() {
    let (gw, client) = (gateway().await, reqwest::Client::new());
    let base = gw.url();
    let guid = sign_in(&client, &base, AGENT, PASSWORD).await;
    let inner = format!("/voicecall/{AGENT}/callinner");
    let body = || Some(json!({ "called": "206" }));
    let forced = json!({ "path": "/callinner", "retcode": "200-012" });
    assert_eq!(control(&client, &base, "POST", "/fail-next", Some(forced)).await.0, 200);
    assert_eq!(gateway_call(&client, &base, "PUT", &inner, Some(&guid), body()).await.0["retcode"], "200-012");
    assert_eq!(gateway_call(&client, &base, "PUT", &inner, Some(&guid), body()).await.0["retcode"], "0", "once");

    let url = format!("{base}/agentgateway/resource/voicecall/{AGENT}/hold");
    let fault = |fault: Value| async { control(&client, &base, "POST", "/fault-next", Some(fault)).await.0 };
    assert_eq!(fault(json!({ "path": "/hold", "fault": "delay", "ms": 400 })).await, 200);
    let started = Instant::now();
    let delayed = client.post(&url).header("Guid", &guid).send().await.expect("answered late");
    assert!(started.elapsed() >= Duration::from_millis(400) && delayed.status() == 200);
    assert_eq!(fault(json!({ "path": "/hold", "fault": "cut_body" })).await, 200);
    let cut = client.post(&url).header("Guid", &guid).send().await.expect("headers arrive");
    assert!(cut.bytes().await.is_err(), "the body is cut short");
    assert_eq!(fault(json!({ "path": "/hold", "fault": "html_page", "status": 502 })).await, 200);
    let page = client.post(&url).header("Guid", &guid).send().await.expect("a page");
    assert_eq!(page.status(), 502);
    assert!(page.text().await.expect("text").contains("<html>"));
    assert_eq!(fault(json!({ "path": "/hold", "fault": "drop_connection" })).await, 200);
    assert!(client.post(&url).header("Guid", &guid).send().await.is_err(), "no answer");
    // A fault the API does not know, or one missing its setting, is refused.
    assert_eq!(fault(json!({ "path": "/hold", "fault": "explode" })).await, 400);
    assert_eq!(fault(json!({ "path": "/hold", "fault": "delay" })).await, 400);

    assert_eq!(control(&client, &base, "POST", "/restart", None).await.0, 200);
    let (answer, _) = gateway_call(&client, &base, "GET", &format!("/agentevent/{AGENT}"), Some(&guid), None).await;
    assert_eq!(answer["retcode"], "100-006", "every Guid is invalid after a restart");
}

#[tokio::test]
async fn the_request_log_has_verdicts_and_no_control_traffic() {
    let (gw, client) = (gateway().await, reqwest::Client::new());
    let base = gw.url();
    let guid = sign_in(&client, &base, AGENT, PASSWORD).await;
    let bad = Some(json!({ "called": "12a" }));
    gateway_call(&client, &base, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), bad).await;
    // Without the sign-in cookie: answered, and logged with a warning.
    client
        .get(format!("{base}/agentgateway/resource/agentevent/{AGENT}"))
        .header("Guid", &guid)
        .send()
        .await
        .expect("answered");
    let (status, log) = control(&client, &base, "GET", "/requests", None).await;
    assert_eq!(status, 200);
    let log = log.as_array().expect("a list").clone();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log[0]["method"], "PUT");
    assert_eq!(log[0]["refused"], Value::Null);
    assert!(log[1]["refused"].as_str().is_some_and(|rule| rule.contains("called")), "{}", log[1]);
    assert_eq!(log[1]["body"], json!({ "called": "12a" }).to_string());
    assert!(log[2]["warnings"][0].as_str().is_some_and(|w| w.contains("cookie")), "{}", log[2]);
    assert_eq!(control(&client, &base, "DELETE", "/requests", None).await.0, 200);
    assert_eq!(control(&client, &base, "GET", "/requests", None).await.1, json!([]));
}

#[tokio::test]
async fn the_binary_is_scripted_while_it_runs() {
    let ca_dir = tempfile::tempdir().expect("temp dir");
    let ca_file = ca_dir.path().join("ca.pem");
    let (mut child, lines) = support::start_binary(&[OsStr::new("--ca-file"), ca_file.as_os_str()], 3);
    let url = lines[0].strip_prefix("listening on ").expect("the URL").to_owned();
    assert_eq!(lines[2], format!("control: {url}{CONTROL_PATH}"));
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&ca_file).expect("CA file")).expect("PEM");
    let client = reqwest::Client::builder().tls_certs_merge([ca]).build().expect("client");

    let scripted = async {
        let (status, _) =
            control(&client, &url, "POST", "/agents", Some(json!({ "agent": "300", "password": "pw" }))).await;
        assert_eq!(status, 200);
        let guid = sign_in(&client, &url, "300", "pw").await;
        drain(&client, &url, "300", &guid).await;
        let event = json!({ "eventType": "Scripted_Event", "content": null });
        control(&client, &url, "POST", "/agents/300/events", Some(event)).await;
        let seen = next_event(&client, &url, "300", &guid).await;
        let (_, log) = control(&client, &url, "GET", "/requests", None).await;
        (seen, log)
    };
    let (seen, log) = tokio::time::timeout(Duration::from_secs(30), scripted).await.expect("the binary answers");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen, Some(("Scripted_Event".to_owned(), Value::Null)));
    assert_eq!(log[0]["path"], "/agentgateway/resource/onlineagent/300", "{log}");
}
