//! An agent desktop's day against the fake gateway: she goes busy with a reason,
//! back to idle, rests, does after-call work, asks her status, and on a call
//! mutes and sends DTMF digits; the session's state view follows every change
//! from the event stream, as a status bar would show it.

use std::time::Duration;

use agentgateway::onlineagent::{login, rest, saybusy};
use agentgateway::voicecall::{callinner, seconddialex};
use agentgateway::{AgentId, AgentState, AgentStateView, Client, Error, ErrorCode, Event, SecretString, Session};
use agentgateway_e2e::{Config, FakeGateway};

const AGENT: &str = "205";
const PASSWORD: &str = "secret";
/// How long a test waits for the state view to change before failing.
const TIMEOUT: Duration = Duration::from_secs(5);

async fn signed_in() -> (FakeGateway, Session) {
    let gw = FakeGateway::start_with(Config { poll_wait: Duration::from_millis(80), ..Config::default() }).await;
    gw.add_agent(AGENT, PASSWORD);
    let client = Client::builder(gw.url()).danger_allow_http().build().expect("a loopback client builds");
    let request = login::Request::new(SecretString::new(PASSWORD), login::PhoneNum::new("40038").expect("short"));
    let (session, _) = client.login(&AgentId::new(AGENT).expect("valid"), &request).await.expect("signed in");
    (gw, session)
}

/// Waits until the view shows `wanted`; fails the test after [`TIMEOUT`].
async fn shows(view: &mut AgentStateView, wanted: AgentState) {
    let seen = tokio::time::timeout(TIMEOUT, view.wait_for(|s| *s == wanted)).await;
    assert_eq!(
        seen.ok().flatten(),
        Some(wanted.clone()),
        "the view never showed {wanted}; it shows {}",
        view.current()
    );
}

fn api_code<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_state_view_follows_busy_idle_rest_and_work() {
    let (_gw, session) = signed_in().await;
    let mut view = session.agent_state();
    assert_eq!(view.current(), AgentState::Unknown, "no event seen before polling starts");
    let _events = session.events();
    shows(&mut view, AgentState::Idle).await;

    let busy = saybusy::Request::new().with_reason(saybusy::BusyReason::new(200).expect("in range"));
    session.say_busy(&busy).await.expect("set busy");
    shows(&mut view, AgentState::NotReady { reason: Some("200".into()) }).await;
    assert_eq!(view.current().label(), "not ready (200)");
    assert_eq!(session.agent_status().await.expect("status").agent_state, Some(3));

    session.cancel_busy().await.expect("busy cancelled");
    shows(&mut view, AgentState::Idle).await;
    // Cancelling a busy state the agent is not in fails, and changes nothing.
    assert_eq!(api_code(session.cancel_busy().await), ErrorCode::SetStateFailed);

    let rest = rest::Request::new(rest::RestSeconds::new(600).expect("ok"), rest::RestCause::new(12).expect("ok"));
    session.rest(&rest).await.expect("rest requested");
    shows(&mut view, AgentState::Rest { reason: Some("12".into()) }).await;
    assert_eq!(session.agent_status().await.expect("status").agent_state, Some(8));
    session.cancel_rest().await.expect("rest cancelled");
    shows(&mut view, AgentState::Idle).await;

    session.enter_work().await.expect("work state");
    shows(&mut view, AgentState::Work).await;
    session.cancel_work().await.expect("work state left");
    shows(&mut view, AgentState::Idle).await;
    let status = session.agent_status().await.expect("status");
    assert_eq!((status.agent_state, status.is_working), (Some(4), Some(false)));
}

#[tokio::test]
async fn on_a_call_the_agent_mutes_and_sends_digits() {
    let (gw, session) = signed_in().await;
    let mut view = session.agent_state();
    let mut events = session.events();
    // No call yet: muting and digits are refused.
    assert_eq!(api_code(session.begin_mute().await), ErrorCode::BeginMuteNoCall);
    let digits = seconddialex::Request::new(seconddialex::Digits::new("123#").expect("digits"));
    assert_eq!(api_code(session.send_dtmf(&digits).await), ErrorCode::InternalError);

    gw.add_agent("206", PASSWORD);
    session.call_inner(&callinner::Request::new(callinner::Called::new("206").expect("digits"))).await.expect("placed");
    events.wait_for(|e| matches!(e.event, Event::AgentEventTalking(_)), TIMEOUT).await.expect("talking");
    shows(&mut view, AgentState::Busy).await;
    let status = session.agent_status().await.expect("status");
    assert_eq!((status.agent_state, status.is_working), (Some(7), Some(true)));

    session.begin_mute().await.expect("muted");
    assert!(gw.is_muted(AGENT));
    assert_eq!(api_code(session.begin_mute().await), ErrorCode::BeginMuteStateError);
    session.end_mute().await.expect("unmuted");
    assert!(!gw.is_muted(AGENT));
    assert_eq!(api_code(session.end_mute().await), ErrorCode::EndMuteStateError);

    session.send_dtmf(&digits).await.expect("digits sent");
    assert_eq!(gw.dtmf_sent(AGENT), ["123#"], "the # arrived, not cut off as a fragment");
}

#[tokio::test]
async fn a_forced_sign_out_ends_the_session() {
    let (gw, session) = signed_in().await;
    session.force_logout().await.expect("signed out");
    assert!(session.is_ended());
    assert!(!gw.is_signed_in(AGENT));
}
