//! Session flows of the generated `agentgateway` client against the fake gateway
//! ([`agentgateway_e2e::FakeGateway`]): sign-in, event polling (also across Guid rotation),
//! calls and transfers with their events, sign-out, and the error paths around them.
//!
//! Every test starts its own fake with a short long-poll wait, so a test takes well under a
//! second; every wait on the client has a timeout, so a bug shows as a failure, not a hang.

use std::collections::HashSet;
use std::time::Duration;

use agentgateway::events::{AgentEventSuccTransResultPayload, AgentEventTalkingPayload};
use agentgateway::onlineagent::{forcelogin, handshake, login};
use agentgateway::voicecall::transfer::{Address, DeviceType, Mode};
use agentgateway::voicecall::{callinner, transfer};
use agentgateway::{
    AgentId, Client, Error, ErrorCode, Event, EventKind, EventStream, ReceivedEvent, SecretString, Session, WaitError,
};
use agentgateway_e2e::{Config, FakeGateway, Fault, RecordedRequest};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const AGENT: &str = "205";
const OTHER_AGENT: &str = "206";
const PASSWORD: &str = "secret";
const PHONE: &str = "40038";

/// How long a test waits for one event before failing. Events normally arrive within one
/// long-poll cycle (`POLL_WAIT` plus the stream's 200 ms idle pause).
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The fake's long-poll wait.
const POLL_WAIT: Duration = Duration::from_millis(80);

fn fast() -> Config {
    Config { poll_wait: POLL_WAIT, ..Config::default() }
}

async fn gateway(config: Config) -> FakeGateway {
    let gw = FakeGateway::start_with(config).await;
    gw.add_agent(AGENT, PASSWORD);
    gw.add_agent(OTHER_AGENT, PASSWORD);
    gw
}

fn client(gw: &FakeGateway) -> Client {
    Client::builder(gw.url()).danger_allow_http().build().expect("a loopback http client builds")
}

fn login_request(password: &str) -> login::Request {
    login::Request::new(SecretString::new(password), login::PhoneNum::new(PHONE).expect("a short phone number"))
}

/// Signs agent 205 in with the right password.
async fn sign_in(gw: &FakeGateway) -> (Session, login::Response) {
    client(gw)
        .login(&AgentId::new(AGENT).expect("a valid agent id"), &login_request(PASSWORD))
        .await
        .expect("sign-in succeeds")
}

/// The next event of the stream; fails the test on an error, the end of the stream or a
/// timeout.
async fn next_event(events: &mut EventStream) -> ReceivedEvent {
    match tokio::time::timeout(EVENT_TIMEOUT, events.next()).await {
        Err(_) => panic!("no event within {EVENT_TIMEOUT:?}"),
        Ok(None) => panic!("the event stream ended unexpectedly"),
        Ok(Some(Err(e))) => panic!("the event stream yielded an error: {e}"),
        Ok(Some(Ok(event))) => event,
    }
}

/// Reads the two events every sign-in queues.
async fn expect_sign_in_events(events: &mut EventStream) {
    let first = next_event(events).await;
    assert_eq!(first.event, Event::AgentOtherInService, "{first:?}");
    let second = next_event(events).await;
    assert_eq!(second.event, Event::AgentStateReady, "{second:?}");
}

/// Everything the stream yields until it ends, with an overall timeout (a stream that never
/// ends fails the test).
async fn drain_to_end(events: &mut EventStream) -> Vec<Result<ReceivedEvent, Error>> {
    let mut items = Vec::new();
    let result = tokio::time::timeout(EVENT_TIMEOUT, async {
        while let Some(item) = events.next().await {
            items.push(item);
        }
    })
    .await;
    assert!(result.is_ok(), "the event stream did not end within {EVENT_TIMEOUT:?}; items so far: {items:?}");
    items
}

fn is_poll(request: &RecordedRequest) -> bool {
    request.method == "GET" && request.operation_path() == format!("/agentevent/{AGENT}")
}

fn poll_requests(gw: &FakeGateway) -> Vec<RecordedRequest> {
    gw.requests().into_iter().filter(is_poll).collect()
}

/// The last recorded request for `operation_path` (below the base path).
fn last_request(gw: &FakeGateway, method: &str, operation_path: &str) -> RecordedRequest {
    gw.requests()
        .into_iter()
        .rev()
        .find(|r| r.method == method && r.operation_path() == operation_path)
        .unwrap_or_else(|| panic!("no {method} {operation_path} reached the fake"))
}

fn api_code(error: &Error) -> Option<&ErrorCode> {
    match error {
        Error::Api { code, .. } => Some(code),
        _ => None,
    }
}

/// Places an internal call to agent 206 and waits for its `AgentEvent_Talking`.
async fn talk_to_206(session: &Session, events: &mut EventStream) -> String {
    let call_id = session
        .call_inner(&callinner::Request::new(callinner::Called::new(OTHER_AGENT).expect("digits")))
        .await
        .expect("the internal call is placed")
        .expect("the fake gateway sends a call ID");
    let id = call_id.clone();
    events
        .wait_for(
            move |e| matches!(&e.event, Event::AgentEventTalking(p) if p.callid.as_deref() == Some(id.as_str())),
            EVENT_TIMEOUT,
        )
        .await
        .expect("AgentEvent_Talking for the new call");
    call_id
}

fn is_transfer_outcome(e: &ReceivedEvent) -> bool {
    matches!(e.event, Event::AgentEventSuccTransResult(_) | Event::AgentEventConnectFail(_))
}

// ------------------------------------------------------------------ 1. sign-in

#[tokio::test]
async fn sign_in_starts_a_session_with_the_set_guid_token_and_typed_events() -> TestResult {
    let gw = gateway(fast()).await;
    let client = client(&gw);
    let (session, response) = client
        .login(&AgentId::new(AGENT)?, &login::Request::new(SecretString::new(PASSWORD), login::PhoneNum::new(PHONE)?))
        .await?;

    // The sign-in request itself: no Guid yet, the documented body.
    let sign_in = last_request(&gw, "PUT", &format!("/onlineagent/{AGENT}"));
    assert_eq!(sign_in.guid, None);
    assert_eq!(sign_in.json(), Some(json!({ "password": PASSWORD, "phonenum": PHONE })));

    // The session.
    assert_eq!(session.agent_id().as_str(), AGENT);
    assert!(!session.is_ended());
    assert!(gw.is_signed_in(AGENT));

    // The decoded sign-in result.
    assert_eq!(response.server_name.as_deref(), Some("AgentGateway"));
    assert_eq!(response.workno.as_deref(), Some(AGENT));
    assert_eq!(response.vdnid, Some(1));
    assert_eq!(response.mediatype.as_deref(), Some("TTF"));
    assert_eq!(response.is_force_change.as_deref(), Some("false"));
    assert_eq!(response.time_remaining.as_deref(), Some("9"));
    let login_time: u64 = response.login_time.as_deref().expect("loginTime is sent").parse()?;
    assert!(login_time > 1_600_000_000_000, "epoch ms: {login_time}");

    // The events of the sign-in, typed.
    let mut events = session.events();
    let first = next_event(&mut events).await;
    assert_eq!(first.event, Event::AgentOtherInService);
    assert_eq!(first.event.kind(), Some(EventKind::AgentOtherInService));
    assert_eq!(first.event.name(), "AgentOther_InService");
    assert_eq!(first.work_no.as_deref(), Some(AGENT));
    let second = next_event(&mut events).await;
    assert_eq!(second.event, Event::AgentStateReady);

    // A non-poll request as well, then check what the fake saw after the sign-in.
    session.handshake(&handshake::Request::new()).await?;
    drop(events);
    let guid = gw.current_guid(AGENT).expect("signed in");
    let requests = gw.requests();
    let later: Vec<_> = requests
        .iter()
        .skip_while(|r| r.method != "PUT" || r.operation_path() != format!("/onlineagent/{AGENT}"))
        .skip(1)
        .collect();
    assert!(later.iter().filter(|r| is_poll(r)).count() >= 2);
    assert!(later.iter().any(|r| r.operation_path().ends_with("/handshake")));
    for request in &later {
        assert_eq!(
            request.guid.as_deref(),
            Some(guid.as_str()),
            "{} {} carried the wrong Guid",
            request.method,
            request.path
        );
        // An unset optional query parameter (poll's `calldata`) is left out.
        assert_eq!(request.query, None, "{}", request.path);
        // The cookie from the sign-in answer is replayed.
        assert_eq!(request.header("cookie"), Some("route=r1"), "{}", request.path);
    }
    Ok(())
}

// --------------------------------------------------------- 2. Guid rotation

#[tokio::test]
async fn polling_follows_guid_rotation_without_losing_or_reordering_events() -> TestResult {
    let gw = gateway(Config { dynamic_auth: true, rotate_every_polls: 2, ..fast() }).await;
    let (session, _) = sign_in(&gw).await;
    let login_guid = gw.current_guid(AGENT).expect("signed in");
    for i in 1..=6 {
        gw.push_event(AGENT, "AgentEvent_Hold", json!(format!("call-{i}")));
    }

    let mut events = session.events();
    expect_sign_in_events(&mut events).await;
    for i in 1..=6 {
        let received = next_event(&mut events).await;
        assert_eq!(received.event, Event::AgentEventHold(format!("call-{i}")), "event {i} out of order");
    }
    // Nothing else, and in particular no error, while polling goes on (and keeps rotating).
    let quiet = tokio::time::timeout(Duration::from_millis(400), events.next()).await;
    assert!(quiet.is_err(), "unexpected item: {quiet:?}");

    // A call through the same session uses the token the polls picked up.
    session.handshake(&handshake::Request::new()).await?;
    drop(events);

    let polls = poll_requests(&gw);
    let guids: Vec<String> = polls.iter().map(|r| r.guid.clone().expect("every poll sends a Guid")).collect();
    // Group consecutive polls by Guid.
    let mut runs: Vec<(String, usize)> = Vec::new();
    for guid in &guids {
        match runs.last_mut() {
            Some((g, n)) if g == guid => *n += 1,
            _ => runs.push((guid.clone(), 1)),
        }
    }
    assert_eq!(runs[0].0, login_guid, "the first poll uses the sign-in Guid");
    // 8 polls with an event rotate 4 times, so at least 4 tokens were used.
    assert!(runs.len() >= 4, "too few rotations seen: {runs:?}");
    let distinct: HashSet<&String> = runs.iter().map(|(g, _)| g).collect();
    assert_eq!(distinct.len(), runs.len(), "an old Guid was sent again: {runs:?}");
    // The fake rotates after every 2nd answered poll and the client sends the new token from
    // the very next poll on (the last run may still be incomplete).
    for (guid, n) in &runs[..runs.len() - 1] {
        assert_eq!(*n, 2, "Guid {guid} used {n} times: {runs:?}");
    }
    let handshake = last_request(&gw, "POST", &format!("/onlineagent/{AGENT}/handshake"));
    assert_ne!(handshake.guid.as_deref(), Some(login_guid.as_str()));
    Ok(())
}

#[tokio::test]
async fn a_guid_rotated_on_a_poll_is_used_by_the_next_call() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let old = gw.current_guid(AGENT).expect("signed in");
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;

    gw.rotate_guid(AGENT);
    gw.push_event(AGENT, "AgentEvent_Hold", json!("after-rotation"));
    let received = next_event(&mut events).await;
    assert_eq!(received.event, Event::AgentEventHold("after-rotation".into()));
    let new = gw.current_guid(AGENT).expect("signed in");
    assert_ne!(new, old, "the poll answer rotated the Guid");

    let call_id = session.call_inner(&callinner::Request::new(callinner::Called::new(OTHER_AGENT)?)).await?;
    assert!(call_id.is_some_and(|id| !id.is_empty()));
    let call = last_request(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"));
    assert_eq!(call.guid.as_deref(), Some(new.as_str()));
    Ok(())
}

// ------------------------------------------------------------ 3. internal call

#[tokio::test]
async fn internal_call_returns_a_call_id_and_a_typed_talking_event() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();

    let call_id = session.call_inner(&callinner::Request::new(callinner::Called::new(OTHER_AGENT)?)).await?;
    let call_id = call_id.expect("the fake gateway sends a call ID");
    assert!(!call_id.is_empty());
    assert_eq!(gw.active_call(AGENT).as_deref(), Some(call_id.as_str()));
    let request = last_request(&gw, "PUT", &format!("/voicecall/{AGENT}/callinner"));
    assert_eq!(request.json(), Some(json!({ "called": OTHER_AGENT })));

    let talking = events.wait_for(|e| matches!(e.event, Event::AgentEventTalking(_)), EVENT_TIMEOUT).await?;
    let Event::AgentEventTalking(p) = &talking.event else { unreachable!("matched above") };
    assert_eq!(p.callid, Some(call_id.clone()));
    assert_eq!(p.caller.as_deref(), Some(AGENT));
    assert_eq!(p.called.as_deref(), Some(OTHER_AGENT));
    assert_eq!(p.feature.as_deref(), Some("6"), "6 = internal call");
    assert_eq!(p.media_ability.as_deref(), Some("1"));
    assert!(talking.generated_at.is_some());

    // The events read past by wait_for are still there, in order.
    let mut seen = Vec::new();
    for _ in 0..6 {
        seen.push(next_event(&mut events).await.event.kind());
    }
    assert_eq!(
        seen,
        [
            Some(EventKind::AgentOtherInService),
            Some(EventKind::AgentStateReady),
            Some(EventKind::AgentOtherPhoneAlerting),
            Some(EventKind::AgentOtherPhoneOffhook),
            Some(EventKind::AgentStateBusy),
            Some(EventKind::AgentEventCustomerAlerting),
        ]
    );
    Ok(())
}

// ------------------------------------------------------------------ 4. transfer

#[tokio::test]
async fn success_transfer_reports_its_result_event() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    let call_id = talk_to_206(&session, &mut events).await;

    session
        .transfer_call(&transfer::Request::new(DeviceType::Agent, Address::new(OTHER_AGENT)?, Mode::Success))
        .await?;
    let request = last_request(&gw, "POST", &format!("/voicecall/{AGENT}/transfer"));
    assert_eq!(request.json(), Some(json!({ "devicetype": 2, "address": OTHER_AGENT, "mode": 2 })));

    let outcome = events.wait_for(is_transfer_outcome, EVENT_TIMEOUT).await?;
    match &outcome.event {
        Event::AgentEventSuccTransResult(p) => {
            assert_eq!(p.result, Some(0));
            assert_eq!(p.call_id, Some(call_id.clone()));
        }
        other => panic!("expected AgentEvent_SuccTransResult, got {other:?}"),
    }
    // Events read past by the waits stay queued in front, so wait for the release too.
    let release = events.wait_for(|e| matches!(e.event, Event::AgentEventCallRelease(_)), EVENT_TIMEOUT).await?;
    assert_eq!(release.event, Event::AgentEventCallRelease(call_id));
    assert_eq!(gw.active_call(AGENT), None);
    Ok(())
}

#[tokio::test]
async fn failed_transfer_reports_connect_fail_and_keeps_the_call() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    let call_id = talk_to_206(&session, &mut events).await;

    session.transfer_call(&transfer::Request::new(DeviceType::Agent, Address::new("0000")?, Mode::Success)).await?;
    let outcome = events.wait_for(is_transfer_outcome, EVENT_TIMEOUT).await?;
    assert_eq!(outcome.event, Event::AgentEventConnectFail(call_id.clone()));
    assert_eq!(gw.active_call(AGENT), Some(call_id));
    Ok(())
}

#[tokio::test]
async fn waiting_for_a_transfer_outcome_that_never_comes_times_out() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    let timeout = Duration::from_millis(400);
    let waited = events.wait_for(is_transfer_outcome, timeout).await;
    assert!(matches!(waited, Err(WaitError::Timeout { waited, last_error: None }) if waited == timeout), "{waited:?}");
    // The events read while waiting are kept.
    expect_sign_in_events(&mut events).await;
    Ok(())
}

// ------------------------------------------------------------------ 5. sign-out

#[tokio::test]
async fn sign_out_ends_the_session_the_stream_and_all_later_calls() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;

    session.logout().await?;
    assert!(session.is_ended());
    assert!(!gw.is_signed_in(AGENT));
    let logout = last_request(&gw, "DELETE", &format!("/onlineagent/{AGENT}/logout"));
    assert!(logout.guid.is_some());

    // The stream ends (it does not hang). Signing out is not an error of the stream: it may
    // deliver the sign-out event, and a poll already in flight may report 100-006, then None.
    let items = drain_to_end(&mut events).await;
    for (i, item) in items.iter().enumerate() {
        match item {
            Ok(e) if matches!(e.event, Event::AgentOtherShutdownService(_)) => {}
            Err(e) if i + 1 == items.len() && api_code(e) == Some(&ErrorCode::NotSignedIn) => {}
            other => panic!("unexpected item at the end of the stream: {other:?}"),
        }
    }
    assert!(events.next().await.is_none(), "an ended stream stays ended");

    // A later call fails without reaching the network.
    let before = gw.requests().len();
    let error = session
        .call_inner(&callinner::Request::new(callinner::Called::new(OTHER_AGENT)?))
        .await
        .expect_err("the session is over");
    assert!(matches!(error, Error::SessionEnded { .. }), "{error:?}");
    let error = session.logout().await.expect_err("the session is over");
    assert!(matches!(error, Error::SessionEnded { .. }), "{error:?}");
    // A clone shares the ended state.
    assert!(session.clone().is_ended());
    // A new stream on the ended session ends at once without a request.
    let mut late = session.events();
    let late_items = drain_to_end(&mut late).await;
    assert!(late_items.is_empty(), "{late_items:?}");
    assert_eq!(gw.requests().len(), before, "no request after sign-out");
    Ok(())
}

// ------------------------------------------------------------- 6./7. sign-in errors

#[tokio::test]
async fn wrong_password_is_reported_as_100_004() -> TestResult {
    let gw = gateway(fast()).await;
    let error = client(&gw)
        .login(&AgentId::new(AGENT)?, &login_request("not-the-password"))
        .await
        .expect_err("a wrong password is refused");
    match &error {
        Error::Api { code: ErrorCode::WrongUserNameOrPassword, operation, .. } => assert_eq!(*operation, "login"),
        other => panic!("expected 100-004, got {other:?}"),
    }
    assert_eq!(api_code(&error).map(ErrorCode::code), Some("100-004"));
    assert!(error.to_string().contains("100-004"), "{error}");
    assert!(!gw.is_signed_in(AGENT));
    Ok(())
}

#[tokio::test]
async fn signing_in_twice_is_reported_as_100_002() -> TestResult {
    let gw = gateway(fast()).await;
    let (first, _) = sign_in(&gw).await;
    let guid = gw.current_guid(AGENT);
    let error = client(&gw)
        .login(&AgentId::new(AGENT)?, &login_request(PASSWORD))
        .await
        .expect_err("the agent is signed in already");
    assert!(matches!(error, Error::Api { code: ErrorCode::AlreadySignedIn, .. }), "{error:?}");
    // The first session is untouched and still works.
    assert_eq!(gw.current_guid(AGENT), guid);
    assert!(!first.is_ended());
    first.handshake(&handshake::Request::new()).await?;
    Ok(())
}

// ------------------------------------------------------- 8. session dropped by the server

#[tokio::test]
async fn a_session_dropped_by_the_server_ends_the_stream_with_100_006() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;

    gw.drop_session(AGENT);
    let items = drain_to_end(&mut events).await;
    let (last, before) = items.split_last().expect("the stream reports why it ended");
    // A poll already waiting receives the sign-out event first.
    for item in before {
        assert!(
            matches!(item, Ok(e) if matches!(e.event, Event::AgentOtherShutdownService(_))),
            "unexpected item before the end: {item:?}"
        );
    }
    match last {
        Err(e @ Error::Api { code: ErrorCode::NotSignedIn, operation, .. }) => {
            assert_eq!(*operation, "poll_events");
            assert!(e.to_string().contains("100-006"), "{e}");
        }
        other => panic!("expected 100-006 last, got {other:?}"),
    }
    assert!(events.next().await.is_none(), "an ended stream stays ended");

    // Polling stopped with the stream.
    let polls = poll_requests(&gw).len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(poll_requests(&gw).len(), polls);
    Ok(())
}

#[tokio::test]
async fn a_forced_sign_in_elsewhere_ends_the_old_stream_and_the_new_session_works() -> TestResult {
    let gw = gateway(fast()).await;
    let (old_session, _) = sign_in(&gw).await;
    let old_guid = gw.current_guid(AGENT).expect("signed in");
    let mut old_events = old_session.events();
    expect_sign_in_events(&mut old_events).await;
    // Sign in elsewhere right after a poll of the old stream arrived, so that poll is most
    // likely still waiting on the fake (then it ends with 100-006 at once).
    let polls = poll_requests(&gw).len();
    tokio::time::timeout(EVENT_TIMEOUT, async {
        while poll_requests(&gw).len() == polls {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await?;

    let (new_session, _) = client(&gw)
        .force_login(
            &AgentId::new(AGENT)?,
            &forcelogin::Request::new(SecretString::new(PASSWORD), forcelogin::PhoneNum::new(PHONE)?),
        )
        .await?;
    let new_guid = gw.current_guid(AGENT).expect("signed in again");
    assert_ne!(new_guid, old_guid);

    // The old stream ends, with nothing but the error (the old session's events are gone).
    // A poll waiting at the forced sign-in gets 100-006; a poll sent after it is refused with
    // 000-003 (the old Guid), which the stream retries quietly a few times before giving up.
    let items = drain_to_end(&mut old_events).await;
    let ends_right = match items.as_slice() {
        [Err(e)] => matches!(api_code(e), Some(ErrorCode::NotSignedIn | ErrorCode::NoPermission)),
        _ => false,
    };
    assert!(ends_right, "{items:?}");
    // The fake refuses the old token with 000-003, as the session now has another one.
    let error = old_session.handshake(&handshake::Request::new()).await.expect_err("the old Guid is void");
    assert_eq!(api_code(&error), Some(&ErrorCode::NoPermission), "{error:?}");

    // The new session has its own sign-in events and token.
    let mut new_events = new_session.events();
    expect_sign_in_events(&mut new_events).await;
    new_session.handshake(&handshake::Request::new()).await?;
    let handshake = last_request(&gw, "POST", &format!("/onlineagent/{AGENT}/handshake"));
    assert_eq!(handshake.guid.as_deref(), Some(new_guid.as_str()));
    Ok(())
}

// ------------------------------------------------------------- 9. unknown events

#[tokio::test]
async fn an_unknown_event_arrives_as_unknown_and_the_stream_goes_on() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;

    gw.push_event(AGENT, "AgentEvent_Brand_New", json!({ "x": 1 }));
    // A known type whose content is not the documented object keeps its kind,
    // marked unreadable, so a `matches!` on the kind still sees it...
    gw.push_event(AGENT, "AgentEvent_Talking", json!("not an object"));
    // ...while one member in an odd form only reads as absent.
    gw.push_event(AGENT, "AgentEvent_Talking", json!({ "callid": { "nested": true }, "caller": "205" }));
    gw.push_event(AGENT, "AgentEvent_Hold", json!("call-after"));

    let unknown = next_event(&mut events).await;
    match &unknown.event {
        Event::Unknown { event_type, content } => {
            assert_eq!(event_type, "AgentEvent_Brand_New");
            assert_eq!(content, &json!({ "x": 1 }));
        }
        other => panic!("expected Event::Unknown, got {other:?}"),
    }
    assert_eq!(unknown.event.kind(), None);
    assert_eq!(unknown.event.name(), "AgentEvent_Brand_New");
    assert_eq!(unknown.work_no.as_deref(), Some(AGENT));

    let misshapen = next_event(&mut events).await;
    assert!(matches!(misshapen.event, Event::AgentEventTalking(_)), "{misshapen:?}");
    assert_eq!(misshapen.event, Event::AgentEventTalking(Default::default()));
    assert_eq!(misshapen.unreadable, Some(json!("not an object")));
    assert_eq!(misshapen.event.name(), "AgentEvent_Talking");

    let odd_member = next_event(&mut events).await;
    match &odd_member.event {
        Event::AgentEventTalking(p) => {
            assert_eq!(p.callid, None);
            assert_eq!(p.caller.as_deref(), Some("205"));
            assert_eq!(odd_member.unreadable, None, "the payload was read");
        }
        other => panic!("expected a typed AgentEvent_Talking, got {other:?}"),
    }

    let known = next_event(&mut events).await;
    assert_eq!(known.event, Event::AgentEventHold("call-after".into()));
    Ok(())
}

// ----------------------------------------------------------- 10. payload leniency

#[tokio::test]
async fn payloads_accept_numbers_as_text_text_as_numbers_and_missing_fields() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;

    let pushed_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    // Text fields sent as numbers; called, type and mediaAbility left out.
    gw.push_event(AGENT, "AgentEvent_Talking", json!({ "caller": 205, "callid": 1_552_524_689, "feature": 6 }));
    // A numeric field sent as text.
    gw.push_event(AGENT, "AgentEvent_SuccTransResult", json!({ "result": "0", "callId": "1552524689-16797284" }));
    // Empty text for a number, an unlisted extra field.
    gw.push_event(AGENT, "AgentEvent_SuccTransResult", json!({ "result": "", "extra": [1, 2] }));
    // A call ID sent as a number where the payload is plain text.
    gw.push_event(AGENT, "AgentEvent_Call_Release", json!(42));
    // No content at all.
    gw.push_event(AGENT, "AgentEvent_Talking", json!(null));

    let talking = next_event(&mut events).await;
    let Event::AgentEventTalking(p) = &talking.event else {
        panic!("expected AgentEvent_Talking, got {talking:?}");
    };
    let expected = {
        let mut p = AgentEventTalkingPayload::default();
        p.caller = Some("205".into());
        p.callid = Some("1552524689".into());
        p.feature = Some("6".into());
        p
    };
    assert_eq!(p, &expected);
    let generated_at = talking.generated_at.expect("eventGenTime is sent");
    assert!(
        (pushed_at - 1_000..pushed_at + 60_000).contains(&generated_at),
        "generated_at {generated_at} vs pushed at {pushed_at}"
    );

    let result = next_event(&mut events).await;
    let Event::AgentEventSuccTransResult(p) = &result.event else {
        panic!("expected AgentEvent_SuccTransResult, got {result:?}");
    };
    assert_eq!(p.result, Some(0));
    assert_eq!(p.call_id.as_deref(), Some("1552524689-16797284"));
    assert!(result.generated_at.is_some());

    let sparse = next_event(&mut events).await;
    assert_eq!(sparse.event, Event::AgentEventSuccTransResult(AgentEventSuccTransResultPayload::default()));

    let release = next_event(&mut events).await;
    assert_eq!(release.event, Event::AgentEventCallRelease("42".into()));

    let empty = next_event(&mut events).await;
    // The generated code keeps a payload event without content as `Event::Unknown` (null does
    // not fit a struct); an all-`None` payload would be fine too. Either way the stream goes on.
    assert!(
        matches!(&empty.event, Event::AgentEventTalking(p) if *p == AgentEventTalkingPayload::default())
            || matches!(&empty.event, Event::Unknown { event_type, content } if event_type == "AgentEvent_Talking" && content.is_null()),
        "{empty:?}"
    );
    gw.push_event(AGENT, "AgentState_Busy", json!(null));
    assert_eq!(next_event(&mut events).await.event, Event::AgentStateBusy);
    Ok(())
}

// ------------------------------------------------------- polling errors mid-stream

#[tokio::test]
async fn an_authentication_lag_on_a_poll_is_retried_quietly() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    // The stream's very first poll is refused with 000-003 (the vendor: authentication lag).
    gw.fail_next(&format!("/agentevent/{AGENT}"), "000-003");
    let mut events = session.events();

    // No error item: the refused poll is retried, then the events arrive as usual.
    expect_sign_in_events(&mut events).await;
    let polls = poll_requests(&gw);
    assert!(polls.len() >= 3, "the refused poll was retried: {}", polls.len());
    let guid = gw.current_guid(AGENT).expect("still signed in");
    assert_eq!(polls[0].guid.as_deref(), Some(guid.as_str()));
    assert_eq!(polls[1].guid.as_deref(), Some(guid.as_str()));
    Ok(())
}

#[tokio::test]
async fn a_passing_poll_error_is_yielded_and_polling_goes_on() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;

    gw.fail_next(&format!("/agentevent/{AGENT}"), "100-007");
    let item = tokio::time::timeout(EVENT_TIMEOUT, events.next()).await?.expect("the stream goes on");
    let error = item.expect_err("the failed poll is reported");
    assert_eq!(api_code(&error), Some(&ErrorCode::InternalError), "{error:?}");

    gw.push_event(AGENT, "AgentEvent_Hold", json!("after-error"));
    let received = next_event(&mut events).await;
    assert_eq!(received.event, Event::AgentEventHold("after-error".into()));
    Ok(())
}

#[tokio::test]
async fn an_unread_stream_keeps_the_session_alive() -> TestResult {
    // The fake signs an agent out after 500 ms without a poll.
    let gw = gateway(Config { no_poll_timeout: Duration::from_millis(500), ..fast() }).await;
    let (session, _) = sign_in(&gw).await;
    let events = session.events();
    // Never read: polling goes on in the background anyway.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(gw.is_signed_in(AGENT), "signed out although the stream polls");
    drop(events);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(!gw.is_signed_in(AGENT), "the fake's no-poll timeout works");
    Ok(())
}

// ------------------------------------------------------- 11. dropping the stream

#[tokio::test]
async fn dropping_the_stream_stops_polling() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let events = session.events();

    // While the stream lives it keeps polling, read or not (events wait in the stream).
    tokio::time::sleep(Duration::from_millis(700)).await;
    let while_alive = poll_requests(&gw).len();
    assert!(while_alive >= 2, "only {while_alive} polls in 700 ms");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(poll_requests(&gw).len() > while_alive, "polling goes on");

    drop(events);
    // A poll in flight at the drop may still be recorded; after that, nothing.
    tokio::time::sleep(POLL_WAIT + Duration::from_millis(50)).await;
    let after_drop = poll_requests(&gw).len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(poll_requests(&gw).len(), after_drop, "polled after the drop");

    // The session itself is still usable, and events were not consumed by anyone.
    assert!(!session.is_ended());
    session.handshake(&handshake::Request::new()).await?;
    Ok(())
}

// ------------------------------------------------------------------ 12. secrets

#[tokio::test]
async fn debug_output_never_shows_the_password_or_the_guid() -> TestResult {
    const DISTINCT_PASSWORD: &str = "Pw-7f3c91d2-never-log-me";
    let gw = gateway(fast()).await;
    gw.add_agent(AGENT, DISTINCT_PASSWORD);
    let request = login_request(DISTINCT_PASSWORD);
    let (session, response) = client(&gw).login(&AgentId::new(AGENT)?, &request).await?;
    let guid = gw.current_guid(AGENT).expect("signed in");
    let events = session.events();

    let shown = [
        format!("{request:?}"),
        format!("{request:#?}"),
        format!("{session:?}"),
        format!("{session:#?}"),
        format!("{:?}", session.client()),
        format!("{response:?}"),
        format!("{events:?}"),
    ];
    for text in &shown {
        assert!(!text.contains(DISTINCT_PASSWORD), "password shown: {text}");
        assert!(!text.contains(&guid), "Guid shown: {text}");
        let token = guid.split('.').next().unwrap_or(&guid);
        assert!(!text.contains(token), "Guid shown: {text}");
    }
    assert!(shown[2].contains(AGENT), "the agent ID is fine to show: {}", shown[2]);

    // Errors from a signed-in session do not carry it either.
    let error = session
        .transfer_call(&transfer::Request::new(DeviceType::Agent, Address::new(OTHER_AGENT)?, Mode::Success))
        .await
        .expect_err("no call to transfer");
    assert_eq!(api_code(&error), Some(&ErrorCode::TransferNoCall));
    for text in [format!("{error:?}"), error.to_string()] {
        assert!(!text.contains(&guid), "Guid shown: {text}");
    }
    // ... and neither does a wrong-password error.
    session.logout().await?;
    let error =
        client(&gw).login(&AgentId::new(AGENT)?, &login_request("Wrong-pw-5a1e")).await.expect_err("wrong password");
    for text in [format!("{error:?}"), error.to_string()] {
        assert!(!text.contains("Wrong-pw-5a1e"), "password shown: {text}");
    }
    Ok(())
}

// ------------------------------------------------------- trust under hiccups

/// The README's flow, with one failed poll while it waits: the wait goes on.
#[tokio::test]
async fn the_readme_flow_survives_a_failed_poll() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    gw.fail_next(&format!("/agentevent/{AGENT}"), "100-007");
    let call_id = session.call_inner(&callinner::Request::new(callinner::Called::new(OTHER_AGENT)?)).await?;
    let outcome = events
        .wait_for(
            |e| matches!(e.event, Event::AgentEventTalking(_) | Event::AgentEventInsideCallFail(_)),
            EVENT_TIMEOUT,
        )
        .await?;
    assert!(matches!(outcome.event, Event::AgentEventTalking(_)), "{outcome:?}");
    assert!(call_id.is_some());
    Ok(())
}

#[tokio::test]
async fn no_request_follows_the_sign_out() -> TestResult {
    for _ in 0..5 {
        let gw = gateway(fast()).await;
        let (session, _) = sign_in(&gw).await;
        let _events = session.events();
        tokio::time::sleep(Duration::from_millis(30)).await;
        session.logout().await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let requests = gw.requests();
        let logout = requests.iter().rposition(|r| r.method == "DELETE").expect("the sign-out was sent");
        let after: Vec<_> = requests[logout + 1..].iter().map(|r| (&r.method, &r.path)).collect();
        assert!(after.is_empty(), "requests after the sign-out: {after:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_resumed_session_sends_the_sign_in_cookie() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let cookies = session.cookies();
    assert_eq!(cookies, vec![("route".to_owned(), "r1".to_owned())]);
    let resumed = client(&gw).session_with_cookies(session.agent_id().clone(), session.guid(), cookies);
    resumed.hold().await.ok();
    let request = gw.requests().pop().expect("sent");
    assert_eq!(request.header("cookie"), Some("route=r1"), "{}", request.path);
    Ok(())
}

#[tokio::test]
async fn a_whole_session_over_https_with_the_fakes_private_ca() -> TestResult {
    let gw = gateway(Config { https: true, dynamic_auth: true, rotate_every_polls: 2, ..fast() }).await;
    let ca = gw.ca_pem().expect("an HTTPS fake has a CA");
    assert!(gw.url().starts_with("https://"));
    // Without the CA the client refuses the gateway, naming why.
    let untrusting = Client::builder(gw.url()).build()?;
    let refused =
        untrusting.login(&AgentId::new(AGENT)?, &login_request(PASSWORD)).await.expect_err("an unknown CA is refused");
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");
    assert!(refused.to_string().contains("certificate"), "{refused}");

    let client = Client::builder(gw.url()).add_root_certificate_pem(ca.as_bytes()).build()?;
    let (session, _) = client.login(&AgentId::new(AGENT)?, &login_request(PASSWORD)).await?;
    let mut events = session.events();
    let call_id = session.call_inner(&callinner::Request::new(callinner::Called::new(OTHER_AGENT)?)).await?;
    let talking = events.wait_for(|e| matches!(e.event, Event::AgentEventTalking(_)), EVENT_TIMEOUT).await?;
    let Event::AgentEventTalking(p) = &talking.event else { unreachable!("matched above") };
    assert_eq!(p.callid, call_id);
    session.logout().await?;
    assert!(!gw.is_signed_in(AGENT));
    Ok(())
}

// ------------------------------------------------------------------ faults

#[tokio::test]
async fn a_body_cut_short_is_a_typed_error_and_the_next_call_works() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    gw.fault_next(&format!("/voicecall/{AGENT}/callinner"), Fault::CutBody);
    let request = callinner::Request::new(callinner::Called::new(OTHER_AGENT)?);
    let error = session.call_inner(&request).await.expect_err("the answer was cut");
    assert!(matches!(error, Error::Transport { .. } | Error::Decode { .. }), "{error:?}");
    assert!(session.call_inner(&request).await?.is_some(), "the next call goes through");
    Ok(())
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_a_timeout_error() -> TestResult {
    let gw = gateway(fast()).await;
    let client = Client::builder(gw.url()).danger_allow_http().timeout(Duration::from_millis(300)).build()?;
    let (session, _) = client.login(&AgentId::new(AGENT)?, &login_request(PASSWORD)).await?;
    gw.fault_next(&format!("/voicecall/{AGENT}/hold"), Fault::Delay(Duration::from_secs(3)));
    let started = std::time::Instant::now();
    let error = session.hold().await.expect_err("too slow");
    assert!(matches!(&error, Error::Timeout { operation: "hold", .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the timeout held");
    Ok(())
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_clients_for_that_call_only() -> TestResult {
    let gw = gateway(fast()).await;
    let client = Client::builder(gw.url()).danger_allow_http().timeout(Duration::from_secs(30)).build()?;
    let (session, _) = client.login(&AgentId::new(AGENT)?, &login_request(PASSWORD)).await?;
    gw.fault_next(&format!("/voicecall/{AGENT}/hold"), Fault::Delay(Duration::from_secs(3)));
    let started = std::time::Instant::now();
    let error = session.with_timeout(Duration::from_millis(300)).hold().await.expect_err("too slow for this call");
    assert!(matches!(&error, Error::Timeout { operation: "hold", .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the per-call timeout held, not the client's 30 s");
    // The session it came from shares the state and keeps the client's timeout.
    session.poll_events(&Default::default()).await?;
    Ok(())
}

#[tokio::test]
async fn an_html_error_page_is_a_status_error_and_the_stream_goes_on() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;
    gw.fault_next(&format!("/voicecall/{AGENT}/hold"), Fault::HtmlPage(502));
    let error = session.hold().await.expect_err("a proxy error page");
    assert!(matches!(error, Error::Status { status: 502, .. }), "{error:?}");

    gw.fault_next(&format!("/agentevent/{AGENT}"), Fault::HtmlPage(502));
    let item = tokio::time::timeout(EVENT_TIMEOUT, events.next()).await?.expect("the stream goes on");
    assert!(matches!(item, Err(Error::Status { status: 502, .. })), "{item:?}");
    gw.push_event(AGENT, "AgentEvent_Hold", json!("after-502"));
    assert_eq!(next_event(&mut events).await.event, Event::AgentEventHold("after-502".into()));
    Ok(())
}

#[tokio::test]
async fn a_restarted_gateway_ends_the_stream_and_refuses_calls_with_a_code() -> TestResult {
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    expect_sign_in_events(&mut events).await;
    gw.restart();
    let items = drain_to_end(&mut events).await;
    let last = items.last().expect("the stream says why it ended");
    assert!(matches!(last, Err(e) if api_code(e) == Some(&ErrorCode::NotSignedIn)), "{items:?}");
    let error = session.hold().await.expect_err("the session is gone");
    assert_eq!(api_code(&error), Some(&ErrorCode::NotSignedIn), "{error:?}");
    Ok(())
}

#[tokio::test]
async fn a_requested_call_is_talked_on_and_can_be_transferred() -> TestResult {
    use agentgateway::voicecall::requestcall::{self, SkillType};
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    session.request_call(&requestcall::Request::new("1456401416-9", SkillType::PublicQueue, 1)).await?;
    let talking = events.wait_for(|e| matches!(e.event, Event::AgentEventTalking(_)), EVENT_TIMEOUT).await?;
    let Event::AgentEventTalking(p) = &talking.event else { unreachable!("matched above") };
    assert_eq!(p.callid.as_deref(), Some("1456401416-9"));
    // The requested call is the agent's call now: a voice transfer finds it.
    session.transfer_call(&transfer::Request::new(DeviceType::Agent, Address::new("206")?, Mode::Success)).await?;
    Ok(())
}

#[tokio::test]
async fn a_resumed_held_call_is_talked_on_again() -> TestResult {
    use agentgateway::voicecall::gethold;
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    let call_id = talk_to_206(&session, &mut events).await;
    session.hold().await?;
    events.wait_for(|e| matches!(e.event, Event::AgentEventHold(_)), EVENT_TIMEOUT).await?;
    session.get_hold(&gethold::Request::new()).await?;
    let talking = events.wait_for(|e| matches!(e.event, Event::AgentEventTalking(_)), EVENT_TIMEOUT).await?;
    let Event::AgentEventTalking(p) = &talking.event else { unreachable!("matched above") };
    assert_eq!(p.callid.as_deref(), Some(call_id.as_str()));
    Ok(())
}

#[tokio::test]
async fn a_media_transfer_that_succeeds_releases_the_session() -> TestResult {
    use agentgateway::mediacall::transfer as media;
    let gw = gateway(fast()).await;
    let (session, _) = sign_in(&gw).await;
    let mut events = session.events();
    let request =
        media::Request::new("web-1", media::DeviceType::Agent, media::Mode::Blind, media::Address::new("206")?);
    session.transfer_media_call(&request).await?;
    let released = events.wait_for(|e| matches!(e.event, Event::AgentEventCallRelease(_)), EVENT_TIMEOUT).await?;
    assert_eq!(released.event, Event::AgentEventCallRelease("web-1".into()));
    Ok(())
}
