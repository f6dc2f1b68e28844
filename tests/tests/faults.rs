//! Transport faults on the event poll and on calls, against the fake gateway:
//! an answer cut mid-body, one slower than the client's timeout and a dropped
//! connection each give a typed error, the event stream goes on after them,
//! and every wait is bounded, so a hang shows as a failure.

use std::time::Duration;

use agentgateway::onlineagent::login;
use agentgateway::{AgentId, Client, Error, Event, EventStream, SecretString, Session};
use agentgateway_e2e::{Config, FakeGateway, Fault};
use serde_json::json;

const AGENT: &str = "205";
const PASSWORD: &str = "secret";
/// The longest a test waits for one item of the stream.
const WAIT: Duration = Duration::from_secs(5);

async fn signed_in(timeout: Duration) -> (FakeGateway, Session, EventStream) {
    let gw = FakeGateway::start_with(Config { poll_wait: Duration::from_millis(80), ..Config::default() }).await;
    gw.add_agent(AGENT, PASSWORD);
    let client = Client::builder(gw.url()).danger_allow_http().timeout(timeout).build().expect("a loopback client");
    let request = login::Request::new(SecretString::new(PASSWORD), login::PhoneNum::new("40038").expect("short"));
    let (session, _) = client.login(&AgentId::new(AGENT).expect("valid"), &request).await.expect("signed in");
    let mut events = session.events();
    for _ in 0..2 {
        let item = tokio::time::timeout(WAIT, events.next()).await.expect("the sign-in events come");
        assert!(matches!(item, Some(Ok(_))), "{item:?}");
    }
    (gw, session, events)
}

/// The stream's next item, within [`WAIT`].
async fn next(events: &mut EventStream) -> Result<Event, Error> {
    let item = tokio::time::timeout(WAIT, events.next()).await.expect("the stream yields within the wait");
    item.expect("the stream goes on").map(|received| received.event)
}

/// After a fault, a pushed event still arrives: the stream went on.
async fn still_flowing(gw: &FakeGateway, events: &mut EventStream) {
    gw.push_event(AGENT, "AgentEvent_Hold", json!("after-the-fault"));
    loop {
        match next(events).await {
            Ok(Event::AgentEventHold(id)) => return assert_eq!(id, "after-the-fault"),
            Ok(other) => panic!("unexpected event {other:?}"),
            // The fault's own error may come first, or again while the stream retries.
            Err(e) => {
                assert!(matches!(e, Error::Transport { .. } | Error::Decode { .. } | Error::Timeout { .. }), "{e:?}")
            }
        }
    }
}

#[tokio::test]
async fn a_poll_cut_mid_body_is_a_typed_error_and_the_stream_goes_on() {
    let (gw, _session, mut events) = signed_in(Duration::from_secs(5)).await;
    gw.fault_next(&format!("/agentevent/{AGENT}"), Fault::CutBody);
    let error = next(&mut events).await.expect_err("the cut answer is an error");
    assert!(matches!(error, Error::Transport { .. } | Error::Decode { .. }), "{error:?}");
    still_flowing(&gw, &mut events).await;
}

#[tokio::test]
async fn a_poll_slower_than_the_timeout_is_a_timeout_and_the_stream_goes_on() {
    let (gw, _session, mut events) = signed_in(Duration::from_millis(400)).await;
    gw.fault_next(&format!("/agentevent/{AGENT}"), Fault::Delay(Duration::from_secs(3)));
    let started = std::time::Instant::now();
    let error = next(&mut events).await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the timeout held: {:?}", started.elapsed());
    still_flowing(&gw, &mut events).await;
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_on_a_call_and_on_a_poll() {
    let (gw, session, mut events) = signed_in(Duration::from_secs(5)).await;
    gw.fault_next(&format!("/voicecall/{AGENT}/hold"), Fault::DropConnection);
    let error = tokio::time::timeout(WAIT, session.hold()).await.expect("no hang").expect_err("no answer");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    gw.fault_next(&format!("/agentevent/{AGENT}"), Fault::DropConnection);
    let error = next(&mut events).await.expect_err("no answer");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    still_flowing(&gw, &mut events).await;
}
