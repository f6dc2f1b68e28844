//! The downstream crate against the fake gateway over HTTPS: its own reqwest
//! client, a tracing subscriber that sees the client's spans, and the
//! generated types printed, parsed, stored and replayed.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use agentgateway::voicecall::{callinner, callout};
use agentgateway::{Event, EventKind};
use agentgateway_e2e::fake::{Config, FakeGateway};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

const PASSWORD: &str = "pw-Downstream-77";

/// A span's name and its fields as text.
type SpanRecord = (String, BTreeMap<String, String>);

/// Every span's name and fields, as a log backend would receive them.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<BTreeMap<u64, SpanRecord>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().insert(id.into_u64(), (attributes.metadata().name().to_owned(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some((_, fields)) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
}

impl Capture {
    fn spans(&self) -> Vec<SpanRecord> {
        self.0.lock().unwrap().values().cloned().collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_signs_in_calls_and_signs_out_over_its_own_client_with_spans() {
    let capture = Capture::default();
    let subscriber =
        tracing_subscriber::registry().with(capture.clone()).with(tracing_subscriber::fmt::layer().with_test_writer());
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");

    let config = Config { https: true, poll_wait: Duration::from_millis(80), ..Config::default() };
    let gw = FakeGateway::start_with(config).await;
    gw.add_agent("205", PASSWORD);
    gw.add_agent("206", PASSWORD);
    let ca = gw.ca_pem().expect("an HTTPS fake has a CA").as_bytes().to_vec();
    let client = downstream::client(&gw.url(), &ca).expect("client over our own reqwest client");

    let desk = downstream::sign_in(&client, "205", PASSWORD, "40038").await.expect("signed in");
    // A stored sign-in replays equal (serde on results).
    let stored = serde_json::to_string(&desk.record).expect("serializes");
    let replayed: downstream::SignInRecord = serde_json::from_str(&stored).expect("replays");
    assert_eq!(replayed, desk.record);

    let mut events = desk.session.events();
    let called = callinner::Called::from_str("206").expect("digits");
    desk.session.call_inner(&callinner::Request::new(called)).await.expect("call placed");
    let outcome = events
        .wait_for(
            |e| matches!(e.event, Event::AgentEventTalking(_) | Event::AgentEventInsideCallFail(_)),
            Duration::from_secs(10),
        )
        .await
        .expect("the call's outcome");
    // Events are stored and replayed too.
    let event: Event =
        serde_json::from_str(&serde_json::to_string(&outcome.event).expect("serializes")).expect("replays");
    assert_eq!(event, outcome.event);
    assert!(matches!(event.kind(), Some(EventKind::AgentEventTalking | EventKind::AgentEventInsideCallFail)));
    desk.session.logout().await.expect("signed out");
    drop(events);

    let spans = capture.spans();
    let requests: Vec<&BTreeMap<String, String>> =
        spans.iter().filter(|(name, _)| name == "agentgateway.request").map(|(_, f)| f).collect();
    for operation in ["login", "call_inner", "logout"] {
        let span = requests.iter().find(|f| f.get("operation").map(String::as_str) == Some(operation));
        let span = span.unwrap_or_else(|| panic!("no span for {operation}: {requests:?}"));
        assert_eq!(span.get("agent_id").map(String::as_str), Some("205"), "{span:?}");
        assert_eq!(span.get("retcode").map(String::as_str), Some("0"), "{span:?}");
        assert_eq!(span.get("outcome").map(String::as_str), Some("ok"), "{span:?}");
    }
    assert!(requests.iter().any(|f| f.get("operation").map(String::as_str) == Some("poll_events")));
    assert!(spans.iter().any(|(name, _)| name == "agentgateway.events"), "the event stream has its span");
    let everything = format!("{spans:?}");
    assert!(!everything.contains(PASSWORD), "the password was recorded: {everything}");
    assert!(!everything.contains(desk.session.guid().expose()), "the Guid was recorded");
}

#[test]
fn enums_and_newtypes_print_parse_and_serialize_as_their_wire_values() {
    let media = callout::MediaAbility::from_str("1").expect("listed");
    assert_eq!(media.to_string(), "1");
    assert_eq!(serde_json::to_string(&media).expect("serializes"), "1");
    assert_eq!(serde_json::from_str::<callout::MediaAbility>("1").expect("listed"), media);
    let called: callinner::Called = "206".parse().expect("digits");
    assert_eq!(called.to_string(), "206");
    assert_eq!(serde_json::from_str::<callinner::Called>("\"206\"").expect("valid"), called);
    assert!(serde_json::from_str::<callinner::Called>("\"12a\"").is_err(), "deserializing validates");
    assert_eq!(EventKind::AgentEventTalking.to_string(), "AgentEvent_Talking");
}
