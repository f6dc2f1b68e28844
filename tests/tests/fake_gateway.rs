//! Checks of the fake gateway itself, with raw HTTP.

mod support;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use agentgateway_e2e::{Config, FakeGateway};
use serde_json::{Value, json};

const AGENT: &str = "205";
const PASSWORD: &str = "secret";

fn fast() -> Config {
    Config { poll_wait: Duration::from_millis(100), ..Config::default() }
}

async fn gateway(config: Config) -> FakeGateway {
    let gw = FakeGateway::start_with(config).await;
    gw.add_agent(AGENT, PASSWORD);
    gw.add_agent("206", PASSWORD);
    gw
}

thread_local! {
    // Building a client is slow (TLS set-up); each test runs on its own thread and runtime.
    static CLIENT: reqwest::Client = reqwest::Client::new();
}

struct Answer {
    status: u16,
    set_guid: Option<String>,
    set_cookie: Option<String>,
    body: Value,
}

impl Answer {
    fn retcode(&self) -> &str {
        self.body["retcode"].as_str().unwrap_or("<none>")
    }

    /// The token from `Set-GUID`, prefix removed.
    fn guid(&self) -> String {
        let raw = self.set_guid.as_deref().expect("Set-GUID header");
        raw.strip_prefix("JSESSIONID=").expect("JSESSIONID= prefix").to_owned()
    }

    fn event_type(&self) -> Option<&str> {
        self.body["event"]["eventType"].as_str()
    }
}

async fn call(gw: &FakeGateway, method: &str, path: &str, guid: Option<&str>, body: Option<&str>) -> Answer {
    let client = CLIENT.with(Clone::clone);
    let url = format!("{}/agentgateway/resource{path}", gw.url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method, url).header("content-type", "application/json; charset=UTF-8");
    if let Some(guid) = guid {
        request = request.header("Guid", guid);
    }
    if let Some(body) = body {
        request = request.body(body.to_owned());
    }
    let response = tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .expect("the fake answers in time")
        .expect("request reaches the fake");
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let set_guid = header("set-guid");
    let set_cookie = header("set-cookie");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, set_guid, set_cookie, body }
}

async fn login(gw: &FakeGateway, agent: &str, body: Value) -> Answer {
    call(gw, "PUT", &format!("/onlineagent/{agent}"), None, Some(&body.to_string())).await
}

/// Signs AGENT in and returns the Guid.
async fn signed_in(gw: &FakeGateway) -> String {
    let answer = login(gw, AGENT, json!({ "password": PASSWORD, "phonenum": "40038" })).await;
    assert_eq!(answer.retcode(), "0", "{:?}", answer.body);
    answer.guid()
}

async fn poll(gw: &FakeGateway, guid: &str) -> Answer {
    call(gw, "GET", &format!("/agentevent/{AGENT}"), Some(guid), None).await
}

/// Polls until an empty answer, returning the event types seen (and the Guid to use next).
async fn drain(gw: &FakeGateway, guid: &mut String) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..50 {
        let answer = poll(gw, guid).await;
        assert_eq!(answer.retcode(), "0", "{:?}", answer.body);
        if answer.set_guid.is_some() {
            *guid = answer.guid();
        }
        match answer.event_type() {
            Some(t) => seen.push(t.to_owned()),
            None => return seen,
        }
    }
    panic!("events never ran out: {seen:?}");
}

#[tokio::test]
async fn login_issues_guid_cookie_and_result() {
    let gw = gateway(fast()).await;
    let answer = login(&gw, AGENT, json!({ "password": PASSWORD, "phonenum": "40038" })).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.retcode(), "0");
    let guid = answer.guid();
    assert!(guid.ends_with(".AgentGateway1"), "{guid}");
    assert_eq!(guid.len(), 36 + ".AgentGateway1".len(), "{guid}");
    assert_eq!(gw.current_guid(AGENT).as_deref(), Some(guid.as_str()));
    assert!(gw.is_signed_in(AGENT));
    assert_eq!(answer.set_cookie.as_deref(), Some("route=r1; Path=/"));
    let result = &answer.body["result"];
    assert_eq!(result["workno"], AGENT);
    assert_eq!(result["vdnid"], 1);
    assert_eq!(result["mediatype"], "TTF");
    assert_eq!(result["serverName"], "AgentGateway");
    assert!(result["loginTime"].as_str().unwrap().parse::<u64>().is_ok());

    // Another agent gets another token.
    let other = login(&gw, "206", json!({ "password": PASSWORD, "phonenum": "1" })).await;
    assert_ne!(other.guid(), guid);
}

#[tokio::test]
async fn login_refusals() {
    let gw = gateway(fast()).await;
    let wrong = login(&gw, AGENT, json!({ "password": "nope", "phonenum": "1" })).await;
    assert_eq!(wrong.retcode(), "100-004");
    assert!(wrong.set_guid.is_none());
    let unknown = login(&gw, "999", json!({ "password": PASSWORD, "phonenum": "1" })).await;
    assert_eq!(unknown.retcode(), "100-004");
    assert!(!gw.is_signed_in(AGENT));

    let first = signed_in(&gw).await;
    let again = login(&gw, AGENT, json!({ "password": PASSWORD, "phonenum": "1" })).await;
    assert_eq!(again.retcode(), "100-002");
    assert_eq!(gw.current_guid(AGENT).as_deref(), Some(first.as_str()));

    // Forced sign-in replaces the session; the old token is gone.
    let forced = call(
        &gw,
        "PUT",
        &format!("/onlineagent/{AGENT}/forcelogin"),
        None,
        Some(&json!({ "password": PASSWORD, "phonenum": "1" }).to_string()),
    )
    .await;
    assert_eq!(forced.retcode(), "0");
    let second = forced.guid();
    assert_ne!(second, first);
    assert_eq!(poll(&gw, &first).await.retcode(), "000-003");
    assert_eq!(poll(&gw, &second).await.retcode(), "0");
}

#[tokio::test]
async fn guid_is_required() {
    let gw = gateway(fast()).await;
    // Not signed in: 100-006.
    assert_eq!(poll(&gw, "whatever").await.retcode(), "100-006");
    let guid = signed_in(&gw).await;
    // Signed in but wrong or missing token: 000-003.
    assert_eq!(poll(&gw, "whatever").await.retcode(), "000-003");
    let missing = call(&gw, "GET", &format!("/agentevent/{AGENT}"), None, None).await;
    assert_eq!(missing.retcode(), "000-003");
    let hs = call(&gw, "POST", &format!("/onlineagent/{AGENT}/handshake"), Some(&guid), None).await;
    assert_eq!(hs.retcode(), "0");
}

#[tokio::test]
async fn poll_returns_events_in_order_then_null_after_wait() {
    let gw = gateway(fast()).await;
    let guid = login(&gw, AGENT, json!({ "password": PASSWORD, "phonenum": "1", "status": 3 })).await.guid();
    gw.push_event(AGENT, "Some_Unknown_Event", json!({ "x": [1, 2] }));

    let first = poll(&gw, &guid).await;
    assert_eq!(first.body["message"], "");
    let event = &first.body["event"];
    assert_eq!(event["eventType"], "AgentOther_InService");
    assert_eq!(event["workNo"], AGENT);
    assert!(event["content"].is_null());
    assert!(event["eventGenTime"].as_u64().is_some());
    assert_eq!(poll(&gw, &guid).await.event_type(), Some("AgentState_Ready"));
    let busy = poll(&gw, &guid).await;
    assert_eq!(busy.event_type(), Some("AgentState_SetNotReady_Success"));
    // The catalog's shape, with its first known reason.
    assert_eq!(busy.body["event"]["content"], json!({ "reason": "0" }));
    let custom = poll(&gw, &guid).await;
    assert_eq!(custom.event_type(), Some("Some_Unknown_Event"));
    assert_eq!(custom.body["event"]["content"], json!({ "x": [1, 2] }));

    let started = Instant::now();
    let empty = poll(&gw, &guid).await;
    let waited = started.elapsed();
    assert_eq!(empty.retcode(), "0");
    assert!(empty.body["event"].is_null(), "{:?}", empty.body);
    assert!(waited >= Duration::from_millis(90), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
}

#[tokio::test]
async fn waiting_poll_wakes_up_for_a_pushed_event() {
    let gw = gateway(Config { poll_wait: Duration::from_secs(5), ..Config::default() }).await;
    let guid = signed_in(&gw).await;
    // Drain sign-in events without waiting 5 s.
    for _ in 0..2 {
        assert!(poll(&gw, &guid).await.event_type().is_some());
    }
    let started = Instant::now();
    let (answer, ()) = tokio::join!(poll(&gw, &guid), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        gw.push_event(AGENT, "AgentState_Busy", Value::Null);
    });
    assert_eq!(answer.event_type(), Some("AgentState_Busy"));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn dynamic_rotation_and_grace_period() {
    let gw = gateway(Config {
        dynamic_auth: true,
        rotate_every_polls: 3,
        poll_wait: Duration::from_millis(50),
        guid_timeout: Duration::from_millis(400),
        ..Config::default()
    })
    .await;
    let first = signed_in(&gw).await;
    assert!(poll(&gw, &first).await.set_guid.is_none());
    assert!(poll(&gw, &first).await.set_guid.is_none());
    let third = poll(&gw, &first).await;
    assert_eq!(third.retcode(), "0");
    let second = third.guid();
    assert_ne!(second, first);
    assert_eq!(gw.current_guid(AGENT).as_deref(), Some(second.as_str()));

    // The old token still works for a while, the new one too.
    let hs = format!("/onlineagent/{AGENT}/handshake");
    assert_eq!(call(&gw, "POST", &hs, Some(&first), None).await.retcode(), "0");
    assert_eq!(call(&gw, "POST", &hs, Some(&second), None).await.retcode(), "0");
    // ...but not after GUIDTIMEOUT.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(call(&gw, "POST", &hs, Some(&first), None).await.retcode(), "000-003");
    assert_eq!(call(&gw, "POST", &hs, Some(&second), None).await.retcode(), "0");

    // Forced rotation on the next poll.
    gw.rotate_guid(AGENT);
    let rotated = poll(&gw, &second).await;
    let third_guid = rotated.guid();
    assert_ne!(third_guid, second);
    assert_eq!(poll(&gw, &third_guid).await.retcode(), "0");
}

#[tokio::test]
async fn rotate_guid_works_in_static_mode() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    for _ in 0..6 {
        assert!(poll(&gw, &guid).await.set_guid.is_none());
    }
    gw.rotate_guid(AGENT);
    let answer = poll(&gw, &guid).await;
    assert_ne!(answer.guid(), guid);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let path = format!("/onlineagent/{AGENT}/logout");
    let answer = call(&gw, "DELETE", &path, Some(&guid), None).await;
    assert_eq!(answer.retcode(), "0");
    assert!(!gw.is_signed_in(AGENT));
    assert_eq!(poll(&gw, &guid).await.retcode(), "100-006");
    assert_eq!(call(&gw, "DELETE", &path, Some(&guid), None).await.retcode(), "100-006");
    // And the agent can sign in again.
    signed_in(&gw).await;
}

#[tokio::test]
async fn waiting_poll_gets_shutdown_event_when_session_dropped() {
    let gw = gateway(Config { poll_wait: Duration::from_secs(5), ..Config::default() }).await;
    let guid = signed_in(&gw).await;
    for _ in 0..2 {
        assert!(poll(&gw, &guid).await.event_type().is_some());
    }
    let (answer, ()) = tokio::join!(poll(&gw, &guid), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        gw.drop_session(AGENT);
    });
    assert_eq!(answer.event_type(), Some("AgentOther_ShutdownService"));
    assert!(answer.body["event"]["content"]["loginTime"].is_string());
    assert_eq!(poll(&gw, &guid).await.retcode(), "100-006");
}

#[tokio::test]
async fn drop_session_signs_out() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    gw.drop_session(AGENT);
    assert!(!gw.is_signed_in(AGENT));
    assert_eq!(gw.current_guid(AGENT), None);
    assert_eq!(poll(&gw, &guid).await.retcode(), "100-006");
    let release = call(&gw, "DELETE", &format!("/voicecall/{AGENT}/release"), Some(&guid), None).await;
    assert_eq!(release.retcode(), "100-006");
}

#[tokio::test]
async fn no_poll_timeout_signs_out() {
    let gw = gateway(Config {
        poll_wait: Duration::from_millis(50),
        no_poll_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let guid = signed_in(&gw).await;
    // Polling keeps the session alive.
    for _ in 0..8 {
        assert_eq!(poll(&gw, &guid).await.retcode(), "0");
    }
    assert!(gw.is_signed_in(AGENT));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!gw.is_signed_in(AGENT));
    assert_eq!(poll(&gw, &guid).await.retcode(), "100-006");
}

#[tokio::test]
async fn fail_next_forces_one_error() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let called = json!({ "called": "206" }).to_string();
    let out = call(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), Some(&called)).await;
    assert_eq!(out.retcode(), "0");

    gw.fail_next("/transfer", "200-099");
    let body = json!({ "devicetype": 2, "mode": 2, "address": "206" }).to_string();
    let path = format!("/voicecall/{AGENT}/transfer");
    let failed = call(&gw, "POST", &path, Some(&guid), Some(&body)).await;
    assert_eq!(failed.status, 200);
    assert_eq!(failed.retcode(), "200-099");
    // Only once.
    let ok = call(&gw, "POST", &path, Some(&guid), Some(&body)).await;
    assert_eq!(ok.retcode(), "0");
}

#[tokio::test]
async fn callinner_queues_talking_and_release_ends_it() {
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    drain(&gw, &mut guid).await;

    let body = json!({ "called": "206" }).to_string();
    let path = format!("/voicecall/{AGENT}/callinner");
    let answer = call(&gw, "PUT", &path, Some(&guid), Some(&body)).await;
    assert_eq!(answer.retcode(), "0");
    let call_id = answer.body["result"].as_str().unwrap().to_owned();
    assert!(call_id.contains('-'), "{call_id}");
    assert_eq!(gw.active_call(AGENT).as_deref(), Some(call_id.as_str()));

    let mut talking = None;
    let mut types = Vec::new();
    for _ in 0..10 {
        let polled = poll(&gw, &guid).await;
        let Some(t) = polled.event_type() else { break };
        types.push(t.to_owned());
        if t == "AgentEvent_Talking" {
            talking = Some(polled.body["event"]["content"].clone());
        }
    }
    assert_eq!(
        types,
        [
            "AgentOther_PhoneAlerting",
            "AgentOther_PhoneOffhook",
            "AgentState_Busy",
            "AgentEvent_Customer_Alerting",
            "AgentEvent_Talking"
        ]
    );
    let talking = talking.unwrap();
    assert_eq!(talking["callid"], call_id.as_str());
    assert_eq!(talking["called"], "206");
    assert_eq!(talking["caller"], AGENT);
    assert_eq!(talking["feature"], "6");

    // Bad number.
    let bad = json!({ "called": "12a" }).to_string();
    assert_eq!(call(&gw, "PUT", &path, Some(&guid), Some(&bad)).await.retcode(), "000-002");

    let release = format!("/voicecall/{AGENT}/release");
    assert_eq!(call(&gw, "DELETE", &release, Some(&guid), None).await.retcode(), "0");
    // The events release.yaml lists, in its order and with the catalog's shapes.
    let mut released = Vec::new();
    for _ in 0..10 {
        let polled = poll(&gw, &guid).await;
        let Some(t) = polled.event_type() else { break };
        released.push((t.to_owned(), polled.body["event"]["content"].clone()));
    }
    assert_eq!(
        released,
        [
            ("AgentEvent_Call_Release".to_owned(), json!(call_id)),
            ("AgentEvent_Customer_Release".to_owned(), json!({ "callid": call_id, "number": "206" })),
            ("AgentOther_PhoneRelease".to_owned(), json!({ "phoneState": 2 })),
            ("AgentState_Ready".to_owned(), Value::Null),
        ]
    );
    assert_eq!(call(&gw, "DELETE", &release, Some(&guid), None).await.retcode(), "200-017");
}

#[tokio::test]
async fn voice_transfer_outcomes_and_hold() {
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    let transfer = format!("/voicecall/{AGENT}/transfer");
    let success = json!({ "devicetype": 2, "mode": 2, "address": "206" }).to_string();
    let failing = json!({ "devicetype": 2, "mode": 2, "address": "0000" }).to_string();
    let callout = format!("/voicecall/{AGENT}/callout");
    let number = json!({ "called": "88880021" }).to_string();

    assert_eq!(call(&gw, "POST", &transfer, Some(&guid), Some(&success)).await.retcode(), "200-012");
    let call_id =
        call(&gw, "PUT", &callout, Some(&guid), Some(&number)).await.body["result"].as_str().unwrap().to_owned();
    drain(&gw, &mut guid).await;

    assert_eq!(call(&gw, "POST", &transfer, Some(&guid), Some(&failing)).await.retcode(), "0");
    let polled = poll(&gw, &guid).await;
    assert_eq!(polled.event_type(), Some("AgentEvent_Connect_Fail"));
    assert_eq!(polled.body["event"]["content"], call_id.as_str());

    // Only the failure events were queued.
    assert_eq!(poll(&gw, &guid).await.event_type(), None);

    assert_eq!(call(&gw, "POST", &transfer, Some(&guid), Some(&success)).await.retcode(), "0");
    // transfer.yaml's events without the failure, with those for mode 2, in spec order.
    let mut seen = Vec::new();
    for _ in 0..10 {
        let polled = poll(&gw, &guid).await;
        let Some(t) = polled.event_type() else { break };
        if t == "AgentEvent_SuccTransResult" {
            assert_eq!(polled.body["event"]["content"], json!({ "result": 0, "callId": call_id }));
        }
        seen.push(t.to_owned());
    }
    assert_eq!(
        seen,
        [
            "AgentEvent_Customer_Alerting",
            "AgentEvent_Talking",
            "AgentEvent_SuccTransResult",
            "AgentMediaEvent_StopRecordDone",
            "AgentEvent_Call_Release"
        ]
    );
    assert_eq!(gw.active_call(AGENT), None);

    let hold = format!("/voicecall/{AGENT}/hold");
    assert_eq!(call(&gw, "POST", &hold, Some(&guid), None).await.retcode(), "200-013");
    call(&gw, "PUT", &callout, Some(&guid), Some(&number)).await;
    drain(&gw, &mut guid).await;
    assert_eq!(call(&gw, "POST", &hold, Some(&guid), None).await.retcode(), "0");
    assert_eq!(poll(&gw, &guid).await.event_type(), Some("AgentEvent_Hold"));
    let gethold = format!("/voicecall/{AGENT}/gethold");
    assert_eq!(call(&gw, "POST", &gethold, Some(&guid), None).await.retcode(), "0");
    assert!(gw.active_call(AGENT).is_some());
}

#[tokio::test]
async fn other_interfaces_answer_success() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let a = AGENT;
    // mediacall/transfer documents no result member: none is sent.
    let media = json!({ "callid": "1-2", "devicetype": 2, "mode": 2, "address": "206" }).to_string();
    let answer = call(&gw, "POST", &format!("/mediacall/{a}/transfer"), Some(&guid), Some(&media)).await;
    assert_eq!(answer.retcode(), "0");
    assert!(answer.body.get("result").is_none(), "{}", answer.body);
    // Nothing rings: nothing to answer.
    assert_eq!(call(&gw, "PUT", &format!("/voicecall/{a}/answer"), Some(&guid), None).await.retcode(), "200-002");
    gw.inject_call(AGENT, "88880021").expect("signed in");
    let cases: &[(&str, String, Option<Value>)] = &[
        ("PUT", format!("/voicecall/{a}/answer"), None),
        ("POST", format!("/voicecall/{a}/connecthold/1-2"), None),
        ("POST", format!("/voicecall/{a}/confjoin"), Some(json!({ "callid": "1-2" }))),
        ("PUT", format!("/calldata/{a}/assignuserinqueue"), Some(json!({ "callid": "1-2", "skillid": 1 }))),
        ("POST", format!("/voicecall/{a}/requestcall/1-2/0?skillId=1"), None),
        ("POST", format!("/voicecall/{a}/thirdPartyConfTransmitNum"), None),
    ];
    for (method, path, body) in cases {
        let body = body.as_ref().map(Value::to_string);
        let answer = call(&gw, method, path, Some(&guid), body.as_deref()).await;
        assert_eq!(answer.retcode(), "0", "{method} {path}: {:?}", answer.body);
        assert_eq!(answer.body["result"], json!({}), "{method} {path}");
    }
}

#[tokio::test]
async fn malformed_body_and_unknown_path() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let bad = call(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), Some("{\"called\":")).await;
    assert_eq!(bad.status, 200);
    assert_eq!(bad.retcode(), "000-002");
    assert!(!bad.body["message"].as_str().unwrap().is_empty());
    let bad_login = login_raw(&gw, "{nope").await;
    assert_eq!(bad_login.retcode(), "000-002");

    let unknown = call(&gw, "GET", "/nothing/here", Some(&guid), None).await;
    assert_eq!(unknown.status, 404);
    let outside = reqwest::get(format!("{}/other", gw.url())).await.unwrap();
    assert_eq!(outside.status().as_u16(), 404);
}

async fn login_raw(gw: &FakeGateway, body: &str) -> Answer {
    call(gw, "PUT", &format!("/onlineagent/{AGENT}"), None, Some(body)).await
}

#[tokio::test]
async fn requests_are_recorded() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let body = json!({ "called": "206" }).to_string();
    call(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), Some(&body)).await;
    call(&gw, "GET", &format!("/agentevent/{AGENT}?calldata=x"), Some(&guid), None).await;

    let requests = gw.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[0].path, "/agentgateway/resource/onlineagent/205");
    assert_eq!(requests[0].guid, None);
    assert_eq!(requests[0].json().unwrap()["password"], PASSWORD);
    assert_eq!(requests[1].operation_path(), "/voicecall/205/callinner");
    assert_eq!(requests[1].guid.as_deref(), Some(guid.as_str()));
    assert_eq!(requests[1].header("GUID"), Some(guid.as_str()));
    assert_eq!(requests[1].json(), Some(json!({ "called": "206" })));
    assert_eq!(requests[2].method, "GET");
    assert_eq!(requests[2].query.as_deref(), Some("calldata=x"));
}

#[tokio::test]
async fn dropping_the_gateway_stops_it() {
    let gw = gateway(fast()).await;
    let url = format!("{}/agentgateway/resource/agentevent/{AGENT}", gw.url());
    drop(gw);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
    assert!(client.get(url).send().await.is_err());
}

#[tokio::test]
async fn binary_serves_https_with_the_ca_it_prints() {
    let ca_dir = tempfile::tempdir().expect("temp dir");
    let ca_file = ca_dir.path().join("ca.pem");
    let (mut child, lines) = support::start_binary(&[OsStr::new("--ca-file"), ca_file.as_os_str()], 2);
    let url = lines[0].strip_prefix("listening on ").unwrap_or_else(|| panic!("{:?}", lines[0])).to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(lines[1], format!("ca file: {}", ca_file.display()));
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&ca_file).expect("CA file")).expect("PEM");
    let client = reqwest::Client::builder().tls_certs_merge([ca]).build().unwrap();
    let answer = client
        .put(format!("{url}/agentgateway/resource/onlineagent/206"))
        .body(json!({ "password": "secret", "phonenum": "1" }).to_string())
        .send()
        .await;
    // A client that does not trust the CA is refused.
    let untrusting = reqwest::Client::new().get(format!("{url}/agentgateway/resource/agentevent/206")).send().await;
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer.unwrap();
    assert!(answer.headers().contains_key("set-guid"));
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["retcode"], "0");
    assert!(untrusting.is_err(), "{untrusting:?}");
}

#[tokio::test]
async fn binary_serves_plain_http_when_asked() {
    let (mut child, lines) = support::start_binary(&["--plain"], 1);
    let _ = child.kill();
    let _ = child.wait();
    assert!(lines[0].starts_with("listening on http://127.0.0.1:"), "{lines:?}");
}

/// An interface that exists only in a test spec tree.
const TEST_ONLY_SPEC: &str = r#"# A test-only interface: the fake serves it from this file alone.
operation: say_busy_for_test
title: Setting Busy (test tree)
log_name: sayBusy
summary: Sets the agent busy.
method: POST
path: /onlineagent/{agentid}/saybusyfortest
parameters:
  path:
    - name: agentid
      type: string
      required: true
      role: agent_id
      description: Work number of the agent.
      constraints:
        range: { min: 101, max: 999999 }
  query:
    - name: reason
      type: integer
      required: false
      description: Busy reason code.
      constraints:
        range: { min: 200, max: 250 }
response:
  result:
    kind: object
    description: What the gateway made of the request.
    fields:
      - { name: reason, type: string, description: "The reason code, as text." }
      - { name: busySince, type: integer, description: A number nothing fills in. }
      - name: level
        type: string
        description: A value with known values.
        values:
          - { value: "high", name: high, description: high }
          - { value: "low", name: low, description: low }
events:
  - AgentState_SetNotReady_Success
  - AgentEvent_Connect_Fail
  - event: AgentState_Work
    when: { param: reason, equals: 201 }
  - event: AgentState_Ready
    when: { param: reason, equals: 202 }
  - AgentEvent_Conference
errors:
  - "100-006"
"#;

#[tokio::test]
async fn a_spec_file_alone_gives_the_fake_a_new_interface() {
    let tree = tempfile::tempdir().expect("temp dir");
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    support::copy_tree(&spec, tree.path());
    std::fs::write(tree.path().join("onlineagent/saybusyfortest.yaml"), TEST_ONLY_SPEC).expect("write spec");
    let gw = gateway(Config { spec_dir: Some(tree.path().to_owned()), ..fast() }).await;
    let guid = signed_in(&gw).await;

    let path = format!("/onlineagent/{AGENT}/saybusyfortest");
    let mut guid = guid;
    drain(&gw, &mut guid).await;
    let answer = call(&gw, "POST", &format!("{path}?reason=201"), Some(&guid), None).await;
    assert_eq!(answer.retcode(), "0", "{}", answer.body);
    // The result has the shape the file describes: request values, then known values, then empty ones.
    assert_eq!(answer.body["result"], json!({ "reason": "201", "busySince": 0, "level": "high" }));
    let mut seen = Vec::new();
    for _ in 0..10 {
        let event = call(&gw, "GET", &format!("/agentevent/{AGENT}"), Some(&guid), None).await;
        match event.event_type() {
            Some(kind) => seen.push((kind.to_owned(), event.body["event"]["content"].clone())),
            None => break,
        }
    }
    // The file's events in its order: no failure event, only the condition that holds,
    // each content in its catalog shape.
    assert_eq!(
        seen,
        [
            ("AgentState_SetNotReady_Success".to_owned(), json!({ "reason": "201" })),
            ("AgentState_Work".to_owned(), Value::Null),
            ("AgentEvent_Conference".to_owned(), seen[2].1.clone()),
        ],
        "{seen:?}"
    );
    let conference = &seen[2].1;
    assert_eq!(conference["partner"], "", "{conference}");
    assert!(conference["callid"].as_str().is_some_and(|id| id.contains('-')), "{conference}");

    // Judged by its spec: a reason outside 200-250 is refused, and the log says why.
    let answer = call(&gw, "POST", &format!("{path}?reason=199"), Some(&guid), None).await;
    assert_eq!(answer.retcode(), "000-002");
    let refused = gw.requests().pop().and_then(|r| r.refused).expect("the refusal is logged");
    assert!(refused.contains("reason"), "{refused}");
    // Without the session's Guid it is refused as the gateway refuses it.
    let answer = call(&gw, "POST", &path, Some("stale"), None).await;
    assert_eq!(answer.retcode(), "000-003");
    // The same file is unknown to a fake judging by the repository's specs.
    let plain = gateway(fast()).await;
    let answer = call(&plain, "POST", &path, None, None).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.retcode(), "000-002");
}

#[tokio::test]
async fn requests_the_pages_forbid_are_refused_with_the_documented_code() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let path = format!("/voicecall/{AGENT}/callinner");
    for (body, rule) in [
        (json!({ "called": "12a" }), "called"),
        (json!({ "called": "206", "skillid": "3" }), "skillid"),
        (json!({ "called": "206", "skillid": 4_294_967_296_i64 }), "skillid"),
        (json!({ "called": "206", "caller": null }), "caller"),
        (json!({ "called": "206", "surprise": 1 }), "surprise"),
        (json!({}), "called"),
    ] {
        let answer = call(&gw, "PUT", &path, Some(&guid), Some(&body.to_string())).await;
        assert_eq!(answer.retcode(), "000-002", "{body}");
        let refused = gw.requests().pop().and_then(|r| r.refused).expect("logged");
        assert!(refused.contains(rule), "{body}: {refused}");
    }
    let answer = call(&gw, "GET", &path, Some(&guid), None).await;
    assert_eq!(answer.status, 405);
}

#[tokio::test]
async fn an_injected_inbound_call_rings_and_is_answered() {
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    drain(&gw, &mut guid).await;
    assert_eq!(gw.inject_call("999", "88880021"), None, "not an agent");
    let call_id = gw.inject_call(AGENT, "88880021").expect("signed in");
    let alerting = poll(&gw, &guid).await;
    assert_eq!(alerting.event_type(), Some("AgentOther_PhoneAlerting"));
    let ringing = poll(&gw, &guid).await;
    assert_eq!(ringing.event_type(), Some("AgentEvent_Ringing"));
    let content = &ringing.body["event"]["content"];
    assert_eq!(content["callid"], call_id.as_str());
    assert_eq!(content["caller"], "88880021");
    assert_eq!(content["called"], AGENT);
    assert_eq!(gw.active_call(AGENT), None, "ringing is not talking yet");

    let answer = call(&gw, "PUT", &format!("/voicecall/{AGENT}/answer"), Some(&guid), None).await;
    assert_eq!(answer.retcode(), "0");
    let talking = poll(&gw, &guid).await;
    assert_eq!(talking.event_type(), Some("AgentEvent_Talking"));
    assert_eq!(talking.body["event"]["content"]["callid"], call_id.as_str());
    assert_eq!(talking.body["event"]["content"]["caller"], "88880021");
    assert_eq!(gw.active_call(AGENT).as_deref(), Some(call_id.as_str()));
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_and_the_next_request_does() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let path = format!("/voicecall/{AGENT}/hold");
    gw.fault_next("/hold", agentgateway_e2e::Fault::DropConnection);
    let url = format!("{}/agentgateway/resource{path}", gw.url());
    let client = CLIENT.with(Clone::clone);
    let dropped = client.post(&url).header("Guid", &guid).send().await;
    let error = dropped.expect_err("no answer on a dropped connection");
    assert!(!error.is_timeout() && !error.is_status(), "{error:?}");
    // Only that one: the next request is answered (200-013: no call to hold).
    assert_eq!(call(&gw, "POST", &path, Some(&guid), None).await.retcode(), "200-013");
}

#[tokio::test]
async fn requests_without_the_sign_in_cookie_are_logged_with_a_warning() {
    let gw = gateway(fast()).await;
    let answer = login(&gw, AGENT, json!({ "password": PASSWORD, "phonenum": "40038" })).await;
    let cookie = answer.set_cookie.clone().expect("the sign-in sets a cookie");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let guid = answer.guid();
    let url = format!("{}/agentgateway/resource/agentevent/{AGENT}", gw.url());
    let client = CLIENT.with(Clone::clone);

    gw.clear_requests();
    let with = client.get(&url).header("Guid", &guid).header("Cookie", format!("other=1; {pair}")).send().await;
    assert_eq!(with.expect("answered").status(), 200);
    let without = poll(&gw, &guid).await;
    assert_eq!(without.retcode(), "0", "the gateway still answers");
    let log = gw.requests();
    assert_eq!(log.len(), 2);
    assert!(log[0].warnings.is_empty(), "{:?}", log[0].warnings);
    assert_eq!(log[1].warnings.len(), 1, "{:?}", log[1].warnings);
    assert!(log[1].warnings[0].contains("cookie"), "{:?}", log[1].warnings);
    // Sign-in itself needs no cookie.
    let other = login(&gw, "206", json!({ "password": PASSWORD, "phonenum": "1" })).await;
    assert_eq!(other.retcode(), "0");
    assert!(gw.requests().last().unwrap().warnings.is_empty());
}

#[tokio::test]
async fn say_free_queues_the_idle_state_events() {
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    drain(&gw, &mut guid).await;
    let answer = call(&gw, "POST", &format!("/onlineagent/{AGENT}/sayfree"), Some(&guid), None).await;
    assert_eq!(answer.retcode(), "0", "{}", answer.body);
    assert_eq!(drain(&gw, &mut guid).await, ["AgentState_CancelNotReady_Success", "AgentState_Ready"]);
}

#[tokio::test]
async fn disconnect_releases_the_call_to_the_number() {
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    let body = json!({ "called": "206" }).to_string();
    let answer = call(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), Some(&body)).await;
    assert_eq!(answer.retcode(), "0");
    drain(&gw, &mut guid).await;

    let disconnect = format!("/voicecall/{AGENT}/disconnect/206");
    assert_eq!(call(&gw, "POST", &disconnect, Some(&guid), None).await.retcode(), "0");
    assert_eq!(gw.active_call(AGENT), None);
    // The page lists no events for a disconnect, so the fake queues none.
    assert!(drain(&gw, &mut guid).await.is_empty());
    // Judged by its spec: the number is 1 to 24 digits.
    let bad = format!("/voicecall/{AGENT}/disconnect/20a");
    assert_eq!(call(&gw, "POST", &bad, Some(&guid), None).await.retcode(), "000-002");
}

#[tokio::test]
async fn force_logout_with_reason_ends_the_session_and_says_so() {
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    drain(&gw, &mut guid).await;
    let path = format!("/onlineagent/{AGENT}/forcelogoutwithreason/7");
    assert_eq!(call(&gw, "DELETE", &path, Some(&guid), None).await.retcode(), "0");
    assert!(!gw.is_signed_in(AGENT));
    assert_eq!(call(&gw, "DELETE", &path, Some(&guid), None).await.retcode(), "100-006");
}

#[tokio::test]
async fn waiting_calls_answer_with_the_spec_example_list() {
    let gw = gateway(fast()).await;
    let guid = signed_in(&gw).await;
    let answer = call(&gw, "GET", &format!("/calldata/{AGENT}/waitcallinfo/2"), Some(&guid), None).await;
    assert_eq!(answer.retcode(), "0", "{}", answer.body);
    let items = answer.body["result"].as_array().expect("a list result");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["callid"], "1663580465-1134");
}

/// Replaces `from` with `to` in the spec file `file` of the tree; fails when `from` is not there.
fn edit_spec(tree: &std::path::Path, file: &str, from: &str, to: &str) {
    let path = tree.join(file);
    let text = std::fs::read_to_string(&path).expect("read spec");
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write spec");
}

/// Polls until an event arrives or `within` has passed.
async fn next_event(gw: &FakeGateway, guid: &mut String, within: Duration) -> Option<(String, Value)> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let answer = poll(gw, guid).await;
        if answer.set_guid.is_some() {
            *guid = answer.guid();
        }
        if let Some(kind) = answer.event_type() {
            return Some((kind.to_owned(), answer.body["event"]["content"].clone()));
        }
    }
    None
}

#[tokio::test]
async fn desk_interfaces_send_the_events_their_spec_lists() {
    // The repository's specs: setting busy is confirmed by one event; muting lists none, so none comes.
    let gw = gateway(fast()).await;
    let mut guid = signed_in(&gw).await;
    drain(&gw, &mut guid).await;
    let busy = format!("/onlineagent/{AGENT}/saybusy");
    assert_eq!(call(&gw, "POST", &format!("{busy}?reason=201"), Some(&guid), None).await.retcode(), "0");
    assert_eq!(drain(&gw, &mut guid).await, ["AgentState_SetNotReady_Success"]);
    let body = json!({ "called": "206" }).to_string();
    assert_eq!(
        call(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), Some(&body)).await.retcode(),
        "0"
    );
    drain(&gw, &mut guid).await;
    let mute = format!("/voicecall/{AGENT}/beginmute");
    assert_eq!(call(&gw, "POST", &mute, Some(&guid), None).await.retcode(), "0");
    assert!(drain(&gw, &mut guid).await.is_empty());

    // A copy of the tree whose busy page lists one more event under a condition, and whose
    // mute page lists one: the same fake code sends what the copy says.
    let tree = tempfile::tempdir().expect("temp dir");
    support::copy_tree(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"), tree.path());
    edit_spec(
        tree.path(),
        "onlineagent/saybusy.yaml",
        "events:\n  - AgentState_SetNotReady_Success\n",
        "events:\n  - AgentState_SetNotReady_Success\n  - event: AgentState_Work\n    when: { param: reason, equals: 201 }\n",
    );
    edit_spec(
        tree.path(),
        "voicecall/beginmute.yaml",
        "errors:\n",
        "events:\n  - AgentEvent_linkagePhoneMute\nerrors:\n",
    );
    let edited = gateway(Config { spec_dir: Some(tree.path().to_owned()), ..fast() }).await;
    let mut guid = signed_in(&edited).await;
    drain(&edited, &mut guid).await;
    assert_eq!(call(&edited, "POST", &format!("{busy}?reason=201"), Some(&guid), None).await.retcode(), "0");
    assert_eq!(drain(&edited, &mut guid).await, ["AgentState_SetNotReady_Success", "AgentState_Work"]);
    assert_eq!(call(&edited, "POST", &format!("{busy}?reason=202"), Some(&guid), None).await.retcode(), "0");
    assert_eq!(drain(&edited, &mut guid).await, ["AgentState_SetNotReady_Success"], "the condition holds no more");
    let answer = call(&edited, "PUT", &format!("/voicecall/{AGENT}/callinner"), Some(&guid), Some(&body)).await;
    let call_id = answer.body["result"].as_str().expect("a call ID").to_owned();
    drain(&edited, &mut guid).await;
    assert_eq!(call(&edited, "POST", &mute, Some(&guid), None).await.retcode(), "0");
    let event = next_event(&edited, &mut guid, Duration::from_secs(2)).await;
    assert_eq!(event, Some(("AgentEvent_linkagePhoneMute".to_owned(), json!({ "callId": call_id }))));
    // The state model still judges preconditions: a second mute of the same call is refused.
    assert_eq!(call(&edited, "POST", &mute, Some(&guid), None).await.retcode(), "200-004");
}

#[tokio::test]
async fn the_end_of_a_rest_comes_when_its_time_is_over_and_not_after_a_cancel() {
    // The watchdog that ends the rest ticks every tenth of this.
    let gw = gateway(Config { no_poll_timeout: Duration::from_secs(3), ..fast() }).await;
    let mut guid = signed_in(&gw).await;
    drain(&gw, &mut guid).await;
    let rest = format!("/onlineagent/{AGENT}/rest/1/12");
    let started = Instant::now();
    assert_eq!(call(&gw, "POST", &rest, Some(&guid), None).await.retcode(), "0");
    let first = next_event(&gw, &mut guid, Duration::from_secs(1)).await;
    assert_eq!(first, Some(("AgentState_SetRest_Success".to_owned(), json!({ "reason": "12" }))));
    let over = next_event(&gw, &mut guid, Duration::from_secs(3)).await;
    assert_eq!(over.map(|(kind, _)| kind).as_deref(), Some("AgentState_Rest_Timeout"));
    assert!(started.elapsed() >= Duration::from_secs(1), "the rest's time is one second");
    assert!(drain(&gw, &mut guid).await.is_empty(), "once");

    // A rest cancelled before its time is over has no end to report.
    assert_eq!(call(&gw, "POST", &format!("/onlineagent/{AGENT}/cancelrest"), Some(&guid), None).await.retcode(), "0");
    assert_eq!(call(&gw, "POST", &rest, Some(&guid), None).await.retcode(), "0");
    let cancel = format!("/onlineagent/{AGENT}/cancelrest");
    assert_eq!(call(&gw, "POST", &cancel, Some(&guid), None).await.retcode(), "0");
    assert_eq!(
        drain(&gw, &mut guid).await,
        ["AgentState_CancelRest_Success", "AgentState_SetRest_Success", "AgentState_CancelRest_Success"]
    );
    assert_eq!(next_event(&gw, &mut guid, Duration::from_millis(1500)).await, None);
}
