//! The thirteen interfaces beyond the seed five: sign-in and sign-out, event
//! polling, the heartbeat and the voice-call controls. Each one's exact
//! request on the wire and every kind of answer, then what is special about
//! it: the session a sign-in starts, the one a sign-out ends, an empty poll,
//! and the rules checked before anything is sent.

use std::fmt::Debug;

use agentgateway::agentevent::poll;
use agentgateway::onlineagent::{forcelogin, handshake, login};
use agentgateway::voicecall::callout::{self, MediaAbility, UserVideoDirection};
use agentgateway::voicecall::transfer::{self, DeviceType, Mode};
use agentgateway::voicecall::{answer, confjoin, connecthold, gethold};
use agentgateway::{AgentId, Error, ErrorCode, Event, ReceivedEvent, SecretString, Session};
use agentgateway_runtime::Received;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{
    AGENT, GUID, assert_redacted, envelope, failure, gateway, header, html, only_request, requests, session,
    silent_gateway, success, truncated_json, validation,
};
use crate::wire::{PASSWORD, ROOT, Wire, assert_no_secret, exercise};

/// The token a successful sign-in hands out, as `Set-GUID: JSESSIONID=<g>`.
const NEW_GUID: &str = "GUID-FROM-SIGN-IN";
const CALL_ID: &str = "1456401416-3";
/// Every character that could split a path segment or start a query or
/// fragment, a `%`, and non-ASCII.
const RESERVED: &str = "a/b c?d#e%f-é.~_";
const RESERVED_IN_PATH: &str = "a%2Fb%20c%3Fd%23e%25f-%C3%A9.~_";

// ------------------------------------------------------------------ helpers

/// An envelope with `retcode` 0 carrying `value` in `member` (`event` for
/// polling) instead of `result`; `None` leaves the member out.
fn answer_in(member: &str, value: Option<Value>) -> ResponseTemplate {
    let mut body = envelope("0", "", None);
    if let Some(value) = value {
        body[member] = value;
    }
    ResponseTemplate::new(200).set_body_json(body)
}

/// A successful sign-in answer: the page's example result and a `Set-GUID`.
fn signed_in() -> ResponseTemplate {
    success(Some(json!({
        "vdnid": 1,
        "workno": "205",
        "mediatype": "TTF",
        "loginTime": "1471585949806",
        "isForceChange": "false",
        "serverName": "AgentGateway",
        "timeRemaining": "9",
    })))
    .insert_header("Set-GUID", format!("JSESSIONID={NEW_GUID}").as_str())
}

fn agent() -> AgentId {
    AgentId::new(AGENT).expect("a well-formed agent id")
}

fn login_request() -> login::Request {
    login::Request::new(SecretString::new(PASSWORD), login::PhoneNum::new("40038").expect("short"))
}

fn force_login_request() -> forcelogin::Request {
    forcelogin::Request::new(SecretString::new(PASSWORD), forcelogin::PhoneNum::new("40038").expect("short"))
}

pub(crate) fn call_out_request() -> callout::Request {
    callout::Request::new(callout::Called::new("88880021").expect("digits"))
}

fn transfer_request(devicetype: DeviceType, mode: Mode) -> transfer::Request {
    transfer::Request::new(devicetype, transfer::Address::new("49998").expect("short"), mode)
}

fn conf_join_request() -> confjoin::Request {
    confjoin::Request::new(confjoin::CallId::new(CALL_ID).expect("not blank"))
}

/// The fields of a sign-in answer; `login::Response` and
/// `forcelogin::Response` are twins without a common type.
macro_rules! facts {
    ($response:expr) => {{
        let r = $response;
        (r.vdnid, r.workno, r.mediatype, r.login_time, r.is_force_change, r.server_name, r.time_remaining)
    }};
}

type Facts =
    (Option<i64>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);

fn example_facts() -> Facts {
    let some = |s: &str| Some(s.to_owned());
    (Some(1), some("205"), some("TTF"), some("1471585949806"), some("false"), some("AgentGateway"), some("9"))
}

/// The thirteen interfaces, each called with a valid minimal request, for
/// tests that care only about what happens before or around the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Iface {
    Login,
    ForceLogin,
    Logout,
    PollEvents,
    Handshake,
    CallOut,
    Answer,
    Release,
    Hold,
    GetHold,
    ConnectHold,
    TransferCall,
    ConfJoin,
}

impl Iface {
    const ALL: [Iface; 13] = [
        Iface::Login,
        Iface::ForceLogin,
        Iface::Logout,
        Iface::PollEvents,
        Iface::Handshake,
        Iface::CallOut,
        Iface::Answer,
        Iface::Release,
        Iface::Hold,
        Iface::GetHold,
        Iface::ConnectHold,
        Iface::TransferCall,
        Iface::ConfJoin,
    ];

    /// The methods on `Session`, which send the Guid.
    fn on_session(self) -> bool {
        !matches!(self, Iface::Login | Iface::ForceLogin)
    }

    fn name(self) -> &'static str {
        match self {
            Iface::Login => "login",
            Iface::ForceLogin => "force_login",
            Iface::Logout => "logout",
            Iface::PollEvents => "poll_events",
            Iface::Handshake => "handshake",
            Iface::CallOut => "call_out",
            Iface::Answer => "answer",
            Iface::Release => "release",
            Iface::Hold => "hold",
            Iface::GetHold => "get_hold",
            Iface::ConnectHold => "connect_hold",
            Iface::TransferCall => "transfer_call",
            Iface::ConfJoin => "conf_join",
        }
    }

    /// Calls the interface; a sign-in signs in `session`'s agent on its client.
    async fn invoke(self, session: &Session) -> Result<(), Error> {
        let (client, agent) = (session.client(), session.agent_id());
        match self {
            Iface::Login => client.login(agent, &login_request()).await.map(drop),
            Iface::ForceLogin => client.force_login(agent, &force_login_request()).await.map(drop),
            Iface::Logout => session.logout().await,
            Iface::PollEvents => session.poll_events(&poll::Request::new()).await.map(drop),
            Iface::Handshake => session.handshake(&handshake::Request::new()).await,
            Iface::CallOut => session.call_out(&call_out_request()).await.map(drop),
            Iface::Answer => session.answer(&answer::Request::new()).await,
            Iface::Release => session.release().await,
            Iface::Hold => session.hold().await,
            Iface::GetHold => session.get_hold(&gethold::Request::new()).await,
            Iface::ConnectHold => session.connect_hold(&connecthold::Request::new(CALL_ID)).await,
            Iface::TransferCall => session.transfer_call(&transfer_request(DeviceType::Agent, Mode::Release)).await,
            Iface::ConfJoin => session.conf_join(&conf_join_request()).await,
        }
    }

    /// A success answer that fits the interface.
    fn success(self) -> ResponseTemplate {
        match self {
            Iface::Login | Iface::ForceLogin => signed_in(),
            Iface::CallOut => success(Some(json!(CALL_ID))),
            _ => success(Some(json!({}))),
        }
    }
}

/// Calls `call` on a gateway answering `response` and returns the one
/// request it sent.
async fn sent<T: Debug, F>(response: ResponseTemplate, call: F) -> Request
where
    F: AsyncFnOnce(&Session) -> Result<T, Error>,
{
    let server = gateway(response, 1).await;
    let outcome = call(&session(&server, AGENT)).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    only_request(&server).await
}

/// Calls `call` on a gateway that must stay silent and returns the
/// validation error it fails with.
async fn refused<T: Debug, F>(call: F) -> agentgateway::ValidationError
where
    F: AsyncFnOnce(&Session) -> Result<T, Error>,
{
    let server = silent_gateway().await;
    let result = call(&session(&server, AGENT)).await;
    if let Err(e) = &result {
        assert_no_secret(e);
    }
    let error = validation(result);
    server.verify().await;
    error
}

// --------------------------------------------------- one test per interface

#[tokio::test]
async fn login() {
    let request = login_request()
        .with_autoanswer(false)
        .with_autoenteridle(false)
        .with_releasephone(false)
        .with_agenttype(login::AgentType::PcAndPhoneVideo)
        .with_status(login::Status::Busy)
        .with_ip(login::Ip::new("10.0.0.7").expect("short"))
        .with_entry_ip("10.0.0.1")
        .with_phonelinkage(true)
        .with_check_in_webm(false)
        .with_check_in_mailm(true)
        .with_vc_phone_number(login::VcPhoneNumber::new("7001").expect("short"))
        .with_listen_status(true)
        .with_call_back_uri(login::CallBackUri::new("https://desk.example/cb").expect("short"))
        .with_service_token(SecretString::new("svcToken1"));
    let wire = Wire {
        guid: None,
        body: Some(json!({
            "password": PASSWORD,
            "phonenum": "40038",
            "autoanswer": false,
            "autoenteridle": false,
            "releasephone": false,
            "agenttype": 11,
            "status": 3,
            "ip": "10.0.0.7",
            "entryIp": "10.0.0.1",
            "phonelinkage": true,
            "checkInWebm": false,
            "checkInMailm": true,
            "vcPhoneNumber": "7001",
            "listenStatus": true,
            "callBackUri": "https://desk.example/cb",
            "serviceToken": "svcToken1",
        })),
        ..Wire::bare("login", "PUT", "/onlineagent/205")
    };
    let shown = format!("{request:?}");
    assert!(!shown.contains(PASSWORD) && !shown.contains("svcToken1"), "{shown}");
    exercise(
        wire,
        signed_in(),
        (AGENT.to_owned(), example_facts()),
        ("100-002", ErrorCode::AlreadySignedIn),
        async |s: &Session| {
            let (session, response) = s.client().login(&agent(), &request).await?;
            Ok((session.agent_id().to_string(), facts!(response)))
        },
    )
    .await;
}

#[tokio::test]
async fn force_login() {
    let request = force_login_request();
    let wire = Wire {
        guid: None,
        body: Some(json!({ "password": PASSWORD, "phonenum": "40038" })),
        ..Wire::bare("force_login", "PUT", "/onlineagent/205/forcelogin")
    };
    exercise(
        wire,
        signed_in(),
        (AGENT.to_owned(), example_facts()),
        ("100-015", ErrorCode::CannotForceSignIn),
        async |s: &Session| {
            let (session, response) = s.client().force_login(&agent(), &request).await?;
            Ok((session.agent_id().to_string(), facts!(response)))
        },
    )
    .await;
}

#[tokio::test]
async fn logout() {
    exercise(
        Wire::bare("logout", "DELETE", "/onlineagent/205/logout"),
        success(Some(json!({}))),
        true,
        ("100-008", ErrorCode::AlreadySignedOut),
        async |s: &Session| s.logout().await.map(|()| s.is_ended()),
    )
    .await;
}

#[tokio::test]
async fn poll_events() {
    let request = poll::Request::new().with_calldata("bar");
    let wire = Wire { query: Some("calldata=bar"), ..Wire::bare("poll_events", "GET", "/agentevent/205") };
    exercise(
        wire,
        answer_in(
            "event",
            Some(json!({
                "eventType": "AgentOther_InService",
                "workNo": "205",
                "eventGenTime": 1_700_000_000_000_i64,
                "content": null,
            })),
        ),
        Some(Received {
            event: Event::AgentOtherInService,
            work_no: Some(AGENT.to_owned()),
            generated_at: Some(1_700_000_000_000),
            unreadable: None,
        }),
        ("000-001", ErrorCode::WrongEventMethod),
        async |s: &Session| s.poll_events(&request).await,
    )
    .await;
}

#[tokio::test]
async fn handshake() {
    let request = handshake::Request::new().with_service_token(SecretString::new("svcToken2"));
    let wire = Wire {
        headers: vec![("service_token", Some("svcToken2"))],
        ..Wire::bare("handshake", "POST", "/onlineagent/205/handshake")
    };
    exercise(wire, success(None), (), ("100-001", ErrorCode::SignInParameterEmptyOrInvalid), async |s: &Session| {
        s.handshake(&request).await
    })
    .await;
}

#[tokio::test]
async fn call_out() {
    let request = call_out_request()
        .with_caller(callout::Caller::new("40040").expect("digits"))
        .with_skillid(12)
        .with_callappdata(callout::CallAppData::new("note").expect("short"))
        .with_mediaability(MediaAbility::Video)
        .with_user_video_direction(UserVideoDirection::SendAndReceive);
    let wire = Wire {
        body: Some(json!({
            "caller": "40040",
            "called": "88880021",
            "skillid": 12,
            "callappdata": "note",
            "mediaability": 1,
            "userVideoDirection": 3,
        })),
        ..Wire::bare("call_out", "PUT", "/voicecall/205/callout")
    };
    exercise(
        wire,
        success(Some(json!(CALL_ID))),
        Some(CALL_ID.to_owned()),
        ("200-001", ErrorCode::CalloutNumberError),
        async |s: &Session| s.call_out(&request).await,
    )
    .await;
}

#[tokio::test]
async fn answer() {
    let request = answer::Request::new().with_callid(CALL_ID);
    let wire = Wire { query: Some("callid=1456401416-3"), ..Wire::bare("answer", "PUT", "/voicecall/205/answer") };
    exercise(wire, success(Some(json!({}))), (), ("200-002", ErrorCode::AnswerNoCall), async |s: &Session| {
        s.answer(&request).await
    })
    .await;
}

#[tokio::test]
async fn release() {
    exercise(
        Wire::bare("release", "DELETE", "/voicecall/205/release"),
        success(Some(json!({}))),
        (),
        ("200-017", ErrorCode::ReleaseNoCall),
        async |s: &Session| s.release().await,
    )
    .await;
}

#[tokio::test]
async fn hold() {
    exercise(
        Wire::bare("hold", "POST", "/voicecall/205/hold"),
        success(Some(json!({}))),
        (),
        ("200-013", ErrorCode::HoldNoCall),
        async |s: &Session| s.hold().await,
    )
    .await;
}

#[tokio::test]
async fn get_hold() {
    let request = gethold::Request::new().with_callid(CALL_ID);
    let wire = Wire { query: Some("callid=1456401416-3"), ..Wire::bare("get_hold", "POST", "/voicecall/205/gethold") };
    exercise(wire, success(Some(json!({}))), (), ("200-015", ErrorCode::GetHoldNoHeldCall), async |s: &Session| {
        s.get_hold(&request).await
    })
    .await;
}

#[tokio::test]
async fn connect_hold_with_reserved_characters_in_the_call_id() {
    let request = connecthold::Request::new(RESERVED);
    let path = format!("/voicecall/205/connecthold/{RESERVED_IN_PATH}");
    exercise(
        Wire::bare("connect_hold", "POST", &path),
        success(Some(json!({}))),
        (),
        ("200-014", ErrorCode::HoldStateError),
        async |s: &Session| s.connect_hold(&request).await,
    )
    .await;
}

#[tokio::test]
async fn connect_hold_refuses_call_ids_that_would_change_the_path() {
    for callid in ["", ".", ".."] {
        let request = connecthold::Request::new(callid);
        let error = refused(async |s: &Session| s.connect_hold(&request).await).await;
        assert_eq!(error.parameter, "callid", "{callid:?}");
        assert!(error.to_string().contains(&error.rule), "{error}");
    }
}

#[tokio::test]
async fn transfer_call() {
    let request = transfer_request(DeviceType::Agent, Mode::TalkOrSpecified)
        .with_callappdata(transfer::CallAppData::new("").expect("may be empty"))
        .with_caller(transfer::Caller::new("40040").expect("digits"))
        .with_mediaability(transfer::MediaAbility::Audio)
        .with_holdflag(false)
        .with_skill_id(7);
    let wire = Wire {
        body: Some(json!({
            "devicetype": 2,
            "address": "49998",
            "mode": 3,
            "callappdata": "",
            "caller": "40040",
            "mediaability": 0,
            "holdflag": false,
            "skillId": 7,
        })),
        ..Wire::bare("transfer_call", "POST", "/voicecall/205/transfer")
    };
    exercise(wire, success(Some(json!({}))), (), ("200-012", ErrorCode::TransferNoCall), async |s: &Session| {
        s.transfer_call(&request).await
    })
    .await;
}

#[tokio::test]
async fn conf_join() {
    let request = conf_join_request().with_callappdata(confjoin::CallAppData::new("é data").expect("short"));
    let wire = Wire {
        body: Some(json!({ "callid": CALL_ID, "callappdata": "é data" })),
        ..Wire::bare("conf_join", "POST", "/voicecall/205/confjoin")
    };
    exercise(wire, success(Some(json!({}))), (), ("200-011", ErrorCode::ThreePartyNoHeldCall), async |s: &Session| {
        s.conf_join(&request).await
    })
    .await;
}

// -------------------------------------------- optional parameters left out

#[tokio::test]
async fn unset_query_parameters_and_headers_are_left_out() {
    let ok = || success(Some(json!({})));
    let checks = [
        ("answer", sent(ok(), async |s: &Session| s.answer(&answer::Request::new()).await).await),
        ("get_hold", sent(ok(), async |s: &Session| s.get_hold(&gethold::Request::new()).await).await),
        ("poll_events", sent(ok(), async |s: &Session| s.poll_events(&poll::Request::new()).await).await),
        ("handshake", sent(ok(), async |s: &Session| s.handshake(&handshake::Request::new()).await).await),
    ];
    for (op, request) in checks {
        assert_eq!(request.url.query(), None, "{op}: {}", request.url);
        assert_eq!(header(&request, "service_token"), None, "{op}");
        assert_eq!(header(&request, "guid"), Some(GUID), "{op}");
        assert!(request.body.is_empty(), "{op}");
    }
}

#[tokio::test]
async fn query_values_with_reserved_characters_arrive_intact() {
    // Whatever the escaping, the server must read back exactly one
    // parameter holding exactly the value given.
    let ok = || success(Some(json!({})));
    let value = || format!("{RESERVED}&x=1+2");
    let checks = [
        ("callid", sent(ok(), async |s: &Session| s.answer(&answer::Request::new().with_callid(value())).await).await),
        (
            "callid",
            sent(ok(), async |s: &Session| s.get_hold(&gethold::Request::new().with_callid(value())).await).await,
        ),
        (
            "calldata",
            sent(ok(), async |s: &Session| s.poll_events(&poll::Request::new().with_calldata(value())).await).await,
        ),
    ];
    for (name, request) in checks {
        let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        assert_eq!(pairs, [(name.to_owned(), value())], "{}", request.url);
        assert!(request.url.fragment().is_none(), "{}", request.url);
    }
}

#[tokio::test]
async fn unset_optional_body_fields_are_left_out() {
    let ok = || success(Some(json!({})));
    let bodies = [
        (
            sent(signed_in(), async |s: &Session| s.client().login(&agent(), &login_request()).await).await,
            json!({ "password": PASSWORD, "phonenum": "40038" }),
        ),
        (
            sent(success(Some(json!(CALL_ID))), async |s: &Session| s.call_out(&call_out_request()).await).await,
            json!({ "called": "88880021" }),
        ),
        (
            sent(ok(), async |s: &Session| {
                s.transfer_call(&transfer_request(DeviceType::Ivr, Mode::SuspendOrRelease)).await
            })
            .await,
            json!({ "devicetype": 3, "address": "49998", "mode": 1 }),
        ),
        (sent(ok(), async |s: &Session| s.conf_join(&conf_join_request()).await).await, json!({ "callid": CALL_ID })),
    ];
    for (request, expected) in bodies {
        let body: Value = request.body_json().expect("a JSON body");
        assert_eq!(body, expected, "{}", request.url);
    }
}

// ------------------------------------------------------- sign-in sessions

#[tokio::test]
async fn a_sign_in_starts_a_session_that_sends_the_new_guid() {
    for iface in [Iface::Login, Iface::ForceLogin] {
        let server = MockServer::start().await;
        let sign_in_path = match iface {
            Iface::Login => format!("{ROOT}/onlineagent/59999"),
            _ => format!("{ROOT}/onlineagent/59999/forcelogin"),
        };
        Mock::given(method("PUT")).and(path(sign_in_path)).respond_with(signed_in()).expect(1).mount(&server).await;
        Mock::given(method("POST"))
            .and(path(format!("{ROOT}/voicecall/59999/hold")))
            .respond_with(success(Some(json!({}))))
            .expect(1)
            .mount(&server)
            .await;
        let client = crate::support::client(&server);
        let agent = AgentId::new("59999").expect("valid");
        let session = match iface {
            Iface::Login => client.login(&agent, &login_request()).await.map(|r| r.0),
            _ => client.force_login(&agent, &force_login_request()).await.map(|r| r.0),
        }
        .expect("signed in");
        assert_eq!(session.agent_id(), &agent, "{iface:?}");
        assert!(!session.is_ended(), "{iface:?}");
        let shown = format!("{session:?}");
        assert!(!shown.contains(NEW_GUID), "{iface:?}: {shown}");
        session.hold().await.expect("held");
        let sent = requests(&server).await;
        assert_eq!(header(&sent[0], "guid"), None, "{iface:?}: sign-in");
        assert_eq!(header(&sent[1], "guid"), Some(NEW_GUID), "{iface:?}: hold");
        server.verify().await;
    }
}

#[tokio::test]
async fn a_sign_in_without_a_usable_set_guid_is_missing_guid() {
    let ok = || success(Some(json!({ "workno": "205" })));
    for iface in [Iface::Login, Iface::ForceLogin] {
        for response in [ok(), ok().insert_header("Set-GUID", "JSESSIONID="), ok().insert_header("Set-GUID", "   ")] {
            let server = gateway(response, 1).await;
            let error = iface.invoke(&session(&server, AGENT)).await.expect_err("no token");
            assert!(
                matches!(error, Error::MissingGuid { operation } if operation == iface.name()),
                "{iface:?}: {error:?}"
            );
            assert_no_secret(&error);
            server.verify().await;
        }
    }
}

#[tokio::test]
async fn login_vdnid_is_read_from_a_number_or_a_string() {
    for (vdnid, expected) in [
        (Some(json!(7)), Some(7)),
        (Some(json!("7")), Some(7)),
        (Some(json!(" 42 ")), Some(42)),
        (Some(json!("")), None),
        (Some(Value::Null), None),
        (None, None),
    ] {
        let mut result = json!({ "workno": "205" });
        if let Some(vdnid) = &vdnid {
            result["vdnid"] = vdnid.clone();
        }
        let server = gateway(success(Some(result)).insert_header("Set-GUID", "JSESSIONID=g"), 1).await;
        let client = crate::support::client(&server);
        let (_, response) = client.login(&agent(), &login_request()).await.expect("signed in");
        assert_eq!(response.vdnid, expected, "vdnid {vdnid:?}");
        assert_eq!(response.workno.as_deref(), Some("205"));
        assert_eq!(response.mediatype, None);
    }

    // A member in an unexpected form reads as absent: the sign-in, and its Guid, are kept.
    for vdnid in [json!("abc"), json!(1.5), json!([1])] {
        let server = gateway(
            success(Some(json!({ "vdnid": vdnid, "workno": "205" }))).insert_header("Set-GUID", "JSESSIONID=g"),
            1,
        )
        .await;
        let client = crate::support::client(&server);
        let (session, response) = client.login(&agent(), &login_request()).await.expect("still signed in");
        assert_eq!(response.vdnid, None, "vdnid {vdnid}");
        assert_eq!(response.workno.as_deref(), Some("205"));
        assert!(!session.is_ended());
    }

    // A null result still starts the session.
    let server = gateway(success(Some(Value::Null)).insert_header("Set-GUID", "JSESSIONID=g"), 1).await;
    let client = crate::support::client(&server);
    let (_, response) = client.login(&agent(), &login_request()).await.expect("null result");
    assert_eq!(response.workno, None);
}

// ------------------------------------------------------- sign-out

#[tokio::test]
async fn after_logout_every_session_call_fails_without_a_request() {
    for iface in Iface::ALL.into_iter().filter(|i| i.on_session()) {
        let server = gateway(success(Some(json!({}))), 1).await;
        let session = session(&server, AGENT);
        let clone = session.clone();
        session.logout().await.expect("signed out");
        assert!(session.is_ended() && clone.is_ended(), "{iface:?}");
        let error = iface.invoke(&clone).await.expect_err("ended");
        assert!(
            matches!(error, Error::SessionEnded { operation } if operation == iface.name()),
            "{iface:?}: {error:?}"
        );
        assert_redacted(&error);
        // Only the logout itself reached the gateway.
        server.verify().await;
    }
}

#[tokio::test]
async fn a_failed_logout_keeps_the_session() {
    for response in [failure("100-010"), html(500), truncated_json()] {
        let server = gateway(response, 2).await;
        let session = session(&server, AGENT);
        session.logout().await.expect_err("refused");
        assert!(!session.is_ended());
        session.logout().await.expect_err("sent again");
        server.verify().await;
    }
}

// ------------------------------------------------------- event polling

#[tokio::test]
async fn a_poll_without_an_event_is_none() {
    for response in [
        answer_in("event", Some(Value::Null)),
        answer_in("event", None),
        // A `result` member is not where events are read from.
        answer_in("result", Some(json!({ "eventType": "AgentState_Ready", "workNo": "205" }))),
    ] {
        let server = gateway(response, 1).await;
        let event = session(&server, AGENT).poll_events(&poll::Request::new()).await;
        assert_eq!(event.expect("an empty poll"), None);
    }
}

#[tokio::test]
async fn a_polled_event_of_an_unknown_type_is_kept() {
    let content = json!({ "x": [1, "two"] });
    let server = gateway(
        answer_in("event", Some(json!({ "eventType": "Agent_Brand_New", "workNo": 205, "content": content }))),
        1,
    )
    .await;
    let event: Option<ReceivedEvent> =
        session(&server, AGENT).poll_events(&poll::Request::new()).await.expect("decoded");
    let event = event.expect("an event");
    assert_eq!(event.event, Event::Unknown { event_type: "Agent_Brand_New".into(), content });
    assert_eq!(event.work_no.as_deref(), Some(AGENT));
    assert_eq!(event.generated_at, None);
}

#[tokio::test]
async fn set_guid_on_any_session_interface_rotates_the_guid() {
    let rotating = Iface::ALL.into_iter().filter(|i| i.on_session() && *i != Iface::Logout);
    for iface in rotating {
        let server = gateway(iface.success().insert_header("Set-GUID", "JSESSIONID=rotated"), 2).await;
        let session = session(&server, AGENT);
        iface.invoke(&session).await.expect("first call");
        iface.invoke(&session).await.expect("second call");
        let sent = requests(&server).await;
        assert_eq!(header(&sent[0], "guid"), Some(GUID), "{iface:?}");
        assert_eq!(header(&sent[1], "guid"), Some("rotated"), "{iface:?}");
        server.verify().await;
    }
}

// ---------------------------------------------- rules checked before sending

#[tokio::test]
async fn agent_id_outside_101_to_999999_is_refused_at_sign_in() {
    for iface in Iface::ALL {
        // A session's agent ID was accepted at sign-in: only sign-in checks it.
        for agent in ["100", "1000000"].into_iter().filter(|_| !iface.on_session()) {
            let server = silent_gateway().await;
            let error = validation(iface.invoke(&session(&server, agent)).await);
            assert_eq!(error.parameter, "agentid", "{iface:?}");
            assert_eq!(error.rule, "101–999999", "{iface:?}");
            server.verify().await;
        }
        // The 2025 pages allow agents above 59999; the client must not refuse them.
        for agent in ["101", "60000", "999999"] {
            let server = gateway(iface.success(), 1).await;
            let outcome = iface.invoke(&session(&server, agent)).await;
            assert!(outcome.is_ok(), "{iface:?} as {agent}: {outcome:?}");
            let request = only_request(&server).await;
            let segment = format!("/{agent}");
            assert!(request.url.path().contains(&segment), "{}", request.url);
            let guid = header(&request, "guid");
            assert_eq!(guid.is_some(), iface.on_session(), "{iface:?}");
        }
    }
}

#[tokio::test]
async fn call_out_user_video_direction_needs_a_video_call() {
    for mediaability in [None, Some(MediaAbility::Audio), Some(MediaAbility::Negotiated)] {
        let mut request = call_out_request().with_user_video_direction(UserVideoDirection::ReceiveOnly);
        request.mediaability = mediaability;
        let error = refused(async |s: &Session| s.call_out(&request).await).await;
        assert_eq!(error.parameter, "userVideoDirection", "{mediaability:?}");
        assert!(error.to_string().contains("`userVideoDirection`"), "{error}");
        assert!(error.to_string().contains(&error.rule), "{error}");
    }

    for direction in [
        UserVideoDirection::ReceiveOnly,
        UserVideoDirection::SendOnly,
        UserVideoDirection::SendAndReceive,
        UserVideoDirection::NotSet,
    ] {
        let request = call_out_request().with_mediaability(MediaAbility::Video).with_user_video_direction(direction);
        let request = sent(success(Some(json!(CALL_ID))), async |s: &Session| s.call_out(&request).await).await;
        let body: Value = request.body_json().expect("JSON");
        assert_eq!(body["mediaability"], 1);
        assert_eq!(body["userVideoDirection"], direction.value());
    }
}

#[tokio::test]
async fn transfer_call_mode_must_fit_the_devicetype() {
    use DeviceType::*;
    use Mode::*;
    // The page's table: which modes each kind of destination allows.
    let allowed = [
        (SkillQueue, &[Release, Success][..]),
        (Agent, &[Release, Success, TalkOrSpecified]),
        (Ivr, &[Release, SuspendOrRelease]),
        (SystemAccessCode, &[Release, Success]),
        (OutboundNumber, &[SuspendOrRelease, Success, TalkOrSpecified, ThreeParty]),
    ];
    for (devicetype, modes) in allowed {
        for mode in [Release, SuspendOrRelease, Success, TalkOrSpecified, ThreeParty] {
            let request = transfer_request(devicetype, mode);
            if modes.contains(&mode) {
                let request = sent(success(Some(json!({}))), async |s: &Session| s.transfer_call(&request).await).await;
                let body: Value = request.body_json().expect("JSON");
                assert_eq!(body["devicetype"], devicetype.value());
                assert_eq!(body["mode"], mode.value());
            } else {
                let error = refused(async |s: &Session| s.transfer_call(&request).await).await;
                assert_eq!(error.parameter, "mode", "{devicetype:?}/{mode:?}");
                assert!(error.to_string().contains("`mode`"), "{error}");
                assert!(error.to_string().contains(&error.rule), "{error}");
            }
        }
    }
}

#[tokio::test]
async fn transfer_call_skill_id_only_to_an_agent() {
    let request = transfer_request(DeviceType::SkillQueue, Mode::Release).with_skill_id(9);
    let error = refused(async |s: &Session| s.transfer_call(&request).await).await;
    assert_eq!(error.parameter, "skillId");
}

#[tokio::test]
async fn sign_in_password_over_32_characters_is_refused_unseen() {
    let long = format!("{PASSWORD}{}", "x".repeat(33 - PASSWORD.len()));
    assert_eq!(long.chars().count(), 33);
    let mut login = login_request();
    login.password = SecretString::new(long.as_str());
    let mut force = force_login_request();
    force.password = SecretString::new(long.as_str());
    let errors = [
        refused(async |s: &Session| s.client().login(&agent(), &login).await).await,
        refused(async |s: &Session| s.client().force_login(&agent(), &force).await).await,
    ];
    for error in errors {
        assert_eq!(error.parameter, "password");
        assert_eq!(error.problem, "has 33 characters");
        assert_eq!(error.rule, "at most 32 characters");
        let shown = format!("{error}\n{error:?}");
        assert!(shown.contains("`password`"), "{shown}");
        assert!(!shown.contains(PASSWORD), "the password leaked: {shown}");
    }

    // 32 characters of two bytes each are within the limit.
    let at_limit = "é".repeat(32);
    let mut login = login_request();
    login.password = SecretString::new(at_limit.as_str());
    let request = sent(signed_in(), async |s: &Session| s.client().login(&agent(), &login).await).await;
    let body: Value = request.body_json().expect("JSON");
    assert_eq!(body["password"], at_limit.as_str());
}

#[tokio::test]
async fn handshake_service_token_is_checked_and_never_shown() {
    for (token, problem) in [
        ("T".repeat(51), "has 51 characters"),
        ("TOKEN\r\nX-Injected: 1".to_owned(), "does not match the required format"),
        // The page allows "no special characters".
        ("svc-token".to_owned(), "does not match the required format"),
    ] {
        let request = handshake::Request::new().with_service_token(SecretString::new(token.as_str()));
        let error = refused(async |s: &Session| s.handshake(&request).await).await;
        assert_eq!(error.parameter, "service_token");
        assert_eq!(error.problem, problem);
        let shown = format!("{error}\n{error:?}");
        assert!(!shown.contains(&token), "the token leaked: {shown}");
    }

    let request = handshake::Request::new().with_service_token(SecretString::new("T".repeat(50)));
    let request = sent(success(None), async |s: &Session| s.handshake(&request).await).await;
    assert_eq!(header(&request, "service_token"), Some("T".repeat(50).as_str()));
}
