//! The spans a request and an event stream leave with a subscriber
//! installed: the fields asked for, and no secret. A binary of its own, so
//! that no other test's callsites share its subscriber's interest cache.

#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use agentgateway_runtime::{
    AgentId, AgentIdParam, Call, EventStream, JsonBody, Method, Operation, Reserved, StreamConfig, execute,
    start_session,
};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::{Code, Result, SECRET_GUID, http_transport};

/// A span's name and its fields as text.
type SpanRecord = (String, BTreeMap<String, String>);

/// Spans by name with their fields as text, and events' text: what a log
/// subscriber would see.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<BTreeMap<u64, SpanRecord>>>,
    events: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        self.spans.lock().unwrap().insert(id, (attributes.metadata().name().to_owned(), fields));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some((_, fields)) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(format!("{fields:?}"));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

impl Capture {
    fn spans_named(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        self.spans.lock().unwrap().values().filter(|(n, _)| n == name).map(|(_, f)| f.clone()).collect()
    }

    fn everything(&self) -> String {
        format!("{:?}\n{:?}", self.spans.lock().unwrap(), self.events.lock().unwrap())
    }
}

static SIGN_IN: Operation = Operation {
    name: "login",
    method: Method::Put,
    path: "/onlineagent/{agentid}",
    sends_guid: false,
    result: "result",
    agent_id: Some(AgentIdParam { name: "agentid", constraints: &[] }),
};

static POLL: Operation = Operation {
    name: "poll_events",
    method: Method::Get,
    path: "/agentevent/{agentid}",
    sends_guid: true,
    result: "event",
    agent_id: Some(AgentIdParam { name: "agentid", constraints: &[] }),
};

const PASSWORD: &str = "PASSWORD-never-logged";
const ROTATED: &str = "ROTATED-GUID-never-logged";

#[tokio::test]
async fn requests_and_streams_leave_spans_with_their_fields_and_no_secret() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "success", "retcode": "0"}))
                .insert_header("Set-GUID", format!("JSESSIONID={SECRET_GUID}"))
                .insert_header("Set-Cookie", "JSESSIONID=COOKIE-never-logged; Path=/"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "busy", "retcode": "100-007"}))
                .insert_header("Set-GUID", format!("JSESSIONID={ROTATED}")),
        )
        .mount(&server)
        .await;
    let transport = http_transport(&server.uri());
    let body = JsonBody::new(&json!({"password": PASSWORD}));
    let signed_in: Result<(Reserved, _)> =
        start_session(&transport, AgentId::from(1001u32), &SIGN_IN, Call { body: Some(body), ..Call::default() }).await;
    let (_, session) = signed_in.expect("signed in");
    let polled: Result<Option<serde_json::Value>> = execute(&transport, Some(&session), &POLL, Call::default()).await;
    assert!(polled.is_err());
    assert_eq!(session.guid().expose(), ROTATED);

    let requests = capture.spans_named("agentgateway.request");
    assert_eq!(requests.len(), 2, "{}", capture.everything());
    let login = &requests[0];
    for (field, value) in
        [("operation", "login"), ("method", "PUT"), ("agent_id", "1001"), ("status", "200"), ("retcode", "0")]
    {
        assert_eq!(login.get(field).map(String::as_str), Some(value), "{field}: {login:?}");
    }
    assert_eq!(login.get("outcome").map(String::as_str), Some("ok"));
    assert!(login.get("latency_ms").is_some_and(|ms| ms.parse::<u64>().is_ok()), "{login:?}");
    let poll = &requests[1];
    assert_eq!(poll.get("retcode").map(String::as_str), Some("100-007"), "{poll:?}");
    assert!(poll.get("outcome").is_some_and(|o| o.contains("100-007")), "{poll:?}");
    let events = capture.events.lock().unwrap().join("\n");
    assert!(events.contains("rotated the session's Guid"), "{events}");

    // The event stream: its own span, and a debug event per poll.
    let mut stream: EventStream<serde_json::Value, Code> = EventStream::spawn_for(
        &session,
        {
            let (transport, session) = (transport.clone(), session.clone());
            move || {
                let (transport, session) = (transport.clone(), session.clone());
                async move { execute(&transport, Some(&session), &POLL, Call::default()).await }
            }
        },
        StreamConfig { retry_delay: Duration::from_millis(10), ..StreamConfig::default() },
    );
    let first = stream.next().await;
    assert!(matches!(first, Some(Err(_))), "{first:?}");
    drop(stream);
    let streams = capture.spans_named("agentgateway.events");
    assert_eq!(streams.len(), 1, "{streams:?}");
    assert_eq!(streams[0].get("agent_id").map(String::as_str), Some("1001"));

    let everything = capture.everything();
    for secret in [PASSWORD, SECRET_GUID, ROTATED, "COOKIE-never-logged"] {
        assert!(!everything.contains(secret), "{secret} was recorded: {everything}");
    }
}
