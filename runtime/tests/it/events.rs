//! The event stream: keeps polling, retries what the vendor says to retry,
//! ends on sign-out, and hands events out in order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use agentgateway_runtime::{DecodeEvent, Error, EventStream, Received, StreamConfig, WaitError};

use crate::support::Code;

type Poll = Result<Option<u32>, Error<Code>>;

fn api(code: &str) -> Error<Code> {
    Error::Api {
        operation: "poll_events",
        code: <Code as agentgateway_runtime::RetCode>::from_code(code),
        message: String::new(),
        status: 200,
    }
}

fn fast() -> StreamConfig {
    StreamConfig {
        idle_interval: Duration::from_millis(1),
        retry_delay: Duration::from_millis(1),
        max_retry_delay: Duration::from_millis(4),
        ..StreamConfig::default()
    }
}

/// A stream whose n-th poll answers `script[n]`, then empty answers forever.
fn scripted(script: Vec<Poll>) -> (EventStream<u32, Code>, Arc<AtomicUsize>) {
    let script = Arc::new(std::sync::Mutex::new(script.into_iter()));
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let stream = EventStream::spawn(
        move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let next = script.lock().expect("lock").next();
            async move { next.unwrap_or(Ok(None)) }
        },
        fast(),
    );
    (stream, polls)
}

#[tokio::test]
async fn events_arrive_in_order_and_empty_answers_are_skipped() {
    let (mut s, _) = scripted(vec![Ok(Some(1)), Ok(None), Ok(Some(2)), Ok(Some(3))]);
    for want in [1, 2, 3] {
        assert_eq!(s.next().await.expect("item").expect("event"), want);
    }
}

#[tokio::test]
async fn signed_out_ends_the_stream_after_yielding_the_error() {
    let (mut s, _) = scripted(vec![Ok(Some(1)), Err(api("100-006")), Ok(Some(2))]);
    assert_eq!(s.next().await.expect("item").expect("event"), 1);
    let err = s.next().await.expect("item").expect_err("sign-out");
    assert_eq!(err.api_code().map(|c| agentgateway_runtime::RetCode::code(c).to_owned()).as_deref(), Some("100-006"));
    assert!(s.next().await.is_none(), "stream ended");
}

#[tokio::test]
async fn auth_lag_is_retried_quietly_a_few_times() {
    let (mut s, _) = scripted(vec![Err(api("000-003")), Err(api("000-003")), Ok(Some(7))]);
    assert_eq!(s.next().await.expect("item").expect("event, no error in between"), 7);
}

#[tokio::test]
async fn persistent_auth_failure_ends_the_stream() {
    let (mut s, _) = scripted((0..10).map(|_| Err(api("000-003"))).collect());
    let err = s.next().await.expect("item").expect_err("gives up");
    assert!(matches!(err, Error::Api { .. }));
    assert!(s.next().await.is_none());
}

#[tokio::test]
async fn other_errors_are_reported_and_polling_goes_on() {
    let (mut s, _) = scripted(vec![Err(api("100-007")), Ok(Some(5))]);
    assert!(s.next().await.expect("item").is_err());
    assert_eq!(s.next().await.expect("item").expect("event"), 5);
}

#[tokio::test]
async fn an_ended_session_ends_the_stream_quietly() {
    let (mut s, _) = scripted(vec![Ok(Some(1)), Err(Error::SessionEnded { operation: "poll_events" })]);
    assert_eq!(s.next().await.expect("item").expect("event"), 1);
    assert!(s.next().await.is_none(), "signing out is not an error of the stream");
    let (mut s, _) = scripted(vec![Err(Error::SessionEnded { operation: "poll_events" })]);
    assert!(matches!(s.wait_for(|_| true, Duration::from_secs(2)).await, Err(WaitError::Ended)));
}

#[tokio::test]
async fn errors_no_retry_can_mend_end_the_stream() {
    let invalid = Error::Validation(agentgateway_runtime::ValidationError::new("agentid", "is 5", "101–59999"));
    let (mut s, polls) = scripted(vec![Err(invalid), Ok(Some(1))]);
    assert!(matches!(s.next().await, Some(Err(Error::Validation(_)))));
    assert!(s.next().await.is_none());
    assert_eq!(polls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_passing_error_after_quiet_retries_does_not_end_the_stream() {
    let mut script: Vec<Poll> = (0..5).map(|_| Err(api("000-003"))).collect();
    script.push(Ok(Some(1)));
    script.push(Err(api("100-007")));
    script.push(Ok(Some(2)));
    let (mut s, _) = scripted(script);
    assert_eq!(s.next().await.expect("item").expect("event"), 1);
    assert!(s.next().await.expect("item").is_err());
    assert_eq!(s.next().await.expect("item").expect("still polling"), 2);
}

#[tokio::test]
async fn waiting_forever_is_allowed() {
    let (mut s, _) = scripted(vec![Ok(Some(4))]);
    assert_eq!(s.wait_for(|e| *e == 4, Duration::MAX).await.expect("found"), 4);
}

#[tokio::test]
async fn polling_continues_while_nobody_reads() {
    let (s, polls) = scripted(vec![]);
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(polls.load(Ordering::SeqCst) > 5, "kept polling without a reader");
    drop(s);
}

#[tokio::test]
async fn dropping_the_stream_stops_polling() {
    let (s, polls) = scripted(vec![]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(s);
    tokio::time::sleep(Duration::from_millis(10)).await;
    let after_drop = polls.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(polls.load(Ordering::SeqCst), after_drop);
}

#[tokio::test]
async fn wait_for_keeps_what_it_reads_past() {
    let (mut s, _) = scripted(vec![Ok(Some(1)), Ok(Some(2)), Ok(Some(3)), Ok(Some(4))]);
    assert_eq!(s.wait_for(|e| *e == 3, Duration::from_secs(2)).await.expect("found"), 3);
    assert_eq!(s.next().await.expect("item").expect("event"), 1);
    assert_eq!(s.next().await.expect("item").expect("event"), 2);
    assert_eq!(s.next().await.expect("item").expect("event"), 4);
}

#[tokio::test]
async fn wait_for_times_out() {
    let (mut s, _) = scripted(vec![Ok(Some(1))]);
    let err = s.wait_for(|e| *e == 9, Duration::from_millis(30)).await.expect_err("times out");
    assert!(matches!(err, WaitError::Timeout { .. }));
    assert_eq!(s.next().await.expect("item").expect("kept"), 1);
}

#[tokio::test]
async fn wait_for_reports_the_end_of_the_session() {
    let (mut s, _) = scripted(vec![Err(api("100-006"))]);
    assert!(matches!(s.wait_for(|_| true, Duration::from_secs(2)).await, Err(WaitError::Poll(_))));
    assert!(matches!(s.wait_for(|_| true, Duration::from_secs(2)).await, Err(WaitError::Ended)));
}

#[derive(Debug, PartialEq)]
enum Ev {
    Talking(serde_json::Value),
    Unknown(String),
}

impl DecodeEvent for Ev {
    fn decode(event_type: &str, content: serde_json::Value) -> (Self, Option<serde_json::Value>) {
        match event_type {
            "AgentEvent_Talking" => (Ev::Talking(content), None),
            other => (Ev::Unknown(other.to_owned()), None),
        }
    }
}

#[test]
fn received_events_decode_with_metadata_in_any_spelling() {
    let r: Received<Ev> = serde_json::from_str(
        r#"{"eventType":"AgentEvent_Talking","workNo":291,"eventGenTime":"1700000000000","content":{"callid":"1-2"}}"#,
    )
    .expect("decodes");
    assert_eq!(r.event, Ev::Talking(serde_json::json!({"callid": "1-2"})));
    assert_eq!(r.work_no.as_deref(), Some("291"));
    assert_eq!(r.generated_at, Some(1_700_000_000_000));
    let r: Received<Ev> =
        serde_json::from_str(r#"{"eventType":"Brand_New","content":null,"eventGenTime":"soon"}"#).expect("decodes");
    assert_eq!(r.event, Ev::Unknown("Brand_New".into()));
    assert_eq!(r.generated_at, None);
}

fn hiccup() -> Error<Code> {
    Error::Status { operation: "poll_events", status: 502, body_snippet: "<html>bad gateway</html>".into() }
}

#[tokio::test]
async fn one_gateway_hiccup_does_not_end_a_wait() {
    let (mut s, _) = scripted(vec![Err(hiccup()), Ok(Some(1)), Err(hiccup()), Err(api("100-007")), Ok(Some(2))]);
    assert_eq!(s.wait_for(|e| *e == 2, Duration::from_secs(2)).await.expect("the stream recovered"), 2);
    // The event read past is still there; the errors the wait absorbed are not.
    assert_eq!(s.next().await.expect("item").expect("event"), 1);
}

#[tokio::test]
async fn a_wait_that_times_out_tells_the_last_polling_error() {
    let (mut s, _) = scripted((0..1000).map(|_| Err(hiccup())).collect());
    let err = s.wait_for(|_| true, Duration::from_millis(50)).await.expect_err("nothing arrives");
    match err {
        WaitError::Timeout { waited, last_error: Some(Error::Status { status: 502, .. }) } => {
            assert_eq!(waited, Duration::from_millis(50));
        }
        other => panic!("expected a timeout with the 502, got {other:?}"),
    }
}

#[tokio::test]
async fn events_an_earlier_wait_read_past_never_match_a_later_one() {
    let (mut s, _) = scripted(vec![Ok(Some(1)), Ok(Some(2))]);
    assert_eq!(s.wait_for(|e| *e == 2, Duration::from_secs(2)).await.expect("found"), 2);
    // 1 was read past: a later wait for it does not see it by surprise...
    let err = s.wait_for(|e| *e == 1, Duration::from_millis(30)).await.expect_err("only new events");
    assert!(matches!(err, WaitError::Timeout { .. }), "{err:?}");
    // ...but `next` still hands it out.
    assert_eq!(s.next().await.expect("item").expect("event"), 1);
}

#[tokio::test]
async fn events_read_past_are_bounded_and_the_dropped_ones_counted() {
    let (tx, rx) = std::sync::mpsc::channel::<u32>();
    for i in 0..10 {
        tx.send(i).expect("queued");
    }
    drop(tx);
    let rx = std::sync::Mutex::new(rx);
    let config = StreamConfig { max_read_past: 3, ..fast() };
    let mut s: EventStream<u32, Code> = EventStream::spawn(
        move || {
            let next = rx.lock().expect("lock").try_recv().ok();
            async move { Ok(next) }
        },
        config,
    );
    assert_eq!(s.wait_for(|e| *e == 9, Duration::from_secs(2)).await.expect("found"), 9);
    assert_eq!(s.dropped(), 6, "0..=5 dropped, the newest three kept");
    for want in [6, 7, 8] {
        assert_eq!(s.next().await.expect("item").expect("event"), want);
    }
}

#[tokio::test]
async fn an_unread_stream_stops_polling_when_its_buffer_is_full() {
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let config = StreamConfig { buffer: 4, ..fast() };
    let mut s: EventStream<u32, Code> = EventStream::spawn(
        move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(Some(7)) }
        },
        config,
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    let while_unread = polls.load(Ordering::SeqCst);
    assert!(while_unread <= 6, "{while_unread} polls with nobody reading: no backpressure");
    // Reading makes room, and polling goes on.
    for _ in 0..8 {
        assert_eq!(s.next().await.expect("item").expect("event"), 7);
    }
    assert!(polls.load(Ordering::SeqCst) > while_unread);
}

fn session_state() -> agentgateway_runtime::SessionState {
    agentgateway_runtime::SessionState::new(
        agentgateway_runtime::AgentId::from(205u32),
        agentgateway_runtime::Guid::new("g"),
    )
}

/// A stream for `state` whose polls are counted and take `poll_time` each.
fn session_stream(
    state: &agentgateway_runtime::SessionState,
    poll_time: Duration,
) -> (EventStream<u32, Code>, Arc<AtomicUsize>) {
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let stream = EventStream::spawn_for(
        state,
        move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(poll_time).await;
                Ok(None)
            }
        },
        fast(),
    );
    (stream, polls)
}

#[tokio::test]
async fn no_poll_starts_while_the_agent_signs_out() {
    let state = session_state();
    let (mut s, polls) = session_stream(&state, Duration::from_millis(5));
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(polls.load(Ordering::SeqCst) > 0, "polling");

    let signing_out = state.begin_sign_out();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let at_sign_out = polls.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(polls.load(Ordering::SeqCst), at_sign_out, "a poll went out during the sign-out");

    signing_out.finish();
    assert!(state.is_ended());
    assert!(s.next().await.is_none(), "the stream ends quietly with the session");
    assert_eq!(polls.load(Ordering::SeqCst), at_sign_out, "no poll after the sign-out");
}

#[tokio::test]
async fn a_failed_sign_out_resumes_polling() {
    let state = session_state();
    let (_s, polls) = session_stream(&state, Duration::from_millis(1));
    let signing_out = state.begin_sign_out();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let paused = polls.load(Ordering::SeqCst);
    drop(signing_out);
    assert!(!state.is_ended());
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert!(polls.load(Ordering::SeqCst) > paused, "polling resumed");
}

/// The gateway hands the poll in flight an event while the agent signs out,
/// and the sign-out is refused (she is in a call): the event still arrives,
/// and so does an error the poll met meanwhile only if the session is open.
#[tokio::test]
async fn a_refused_sign_out_does_not_lose_the_event_of_the_poll_in_flight() {
    let state = session_state();
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&polls);
    let mut stream: EventStream<u32, Code> = EventStream::spawn_for(
        &state,
        move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                match n {
                    // A long poll the gateway answers with an event after 100 ms.
                    0 => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Ok(Some(42))
                    }
                    // One answered, while the next sign-out is under way, with
                    // the error a signed-out session gets.
                    1 => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Err(api("100-006"))
                    }
                    _ => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        Ok(None)
                    }
                }
            }
        },
        fast(),
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let signing_out = state.begin_sign_out();
    tokio::time::sleep(Duration::from_millis(150)).await;
    drop(signing_out);
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
    assert!(matches!(first, Ok(Some(Ok(42)))), "{first:?}");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let signing_out = state.begin_sign_out();
    tokio::time::sleep(Duration::from_millis(150)).await;
    drop(signing_out);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(polls.load(Ordering::SeqCst) > 2, "polling resumed after both refusals");
    assert!(!state.is_ended());
    let next = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
    assert!(next.is_err(), "no error from the poll that met the sign-out: {next:?}");
}

#[tokio::test]
async fn a_long_poll_in_flight_is_abandoned_when_the_sign_out_succeeds() {
    let state = session_state();
    // Each poll hangs for a minute, as a long poll with no event would.
    let (_s, polls) = session_stream(&state, Duration::from_secs(60));
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    let started = tokio::time::Instant::now();
    let signing_out = state.begin_sign_out();
    signing_out.finish();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_event_that_is_not_an_object_still_arrives() {
    for raw in [r#""just text""#, "[1,2]", r#"{"content":{"a":1}}"#, r#"{"eventType":5}"#] {
        let r: Received<Ev> = serde_json::from_str(raw).expect("an event is never lost to its shape");
        assert_eq!(r.event, Ev::Unknown(String::new()), "{raw}");
    }
}
