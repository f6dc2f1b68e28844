//! The standard traits a user of the generated crate relies on, used the way
//! an application would: parse from configuration, print, store and replay.

use std::collections::HashSet;
use std::str::FromStr;

use agentgateway::onlineagent::login;
use agentgateway::voicecall::{callinner, callout};
use agentgateway::{Event, EventKind, SecretString};

#[test]
fn value_enums_convert_to_and_from_their_wire_values() {
    use callout::MediaAbility;
    let video = MediaAbility::Video;
    let copy = video; // Copy: still usable below
    assert_eq!(video.to_string(), "1");
    assert_eq!(MediaAbility::from_str("2").expect("listed"), MediaAbility::Negotiated);
    assert_eq!(MediaAbility::try_from("0").expect("listed"), MediaAbility::Audio);
    assert_eq!(MediaAbility::try_from(1_i64).expect("listed"), copy);
    assert_eq!(serde_json::to_string(&video).expect("serializes"), "1");
    assert_eq!(serde_json::from_str::<MediaAbility>("2").expect("listed"), MediaAbility::Negotiated);
    let set: HashSet<MediaAbility> = [video, copy, MediaAbility::Audio].into_iter().collect();
    assert_eq!(set.len(), 2);
}

#[test]
fn value_enums_refuse_unlisted_values_naming_the_parameter() {
    use callout::MediaAbility;
    let e = MediaAbility::try_from(7_i64).expect_err("not listed");
    assert_eq!(e.parameter, "mediaability");
    assert_eq!(e.rule, "one of: 0, 1, 2");
    // Text must be the wire text exactly: no sign, padding or spaces.
    for text in ["7", "01", "+1", " 1", "video", ""] {
        assert!(MediaAbility::from_str(text).is_err(), "{text:?}");
    }
    let e = serde_json::from_str::<MediaAbility>("7").expect_err("not listed");
    assert!(e.to_string().contains("mediaability"), "{e}");
    assert!(serde_json::from_str::<MediaAbility>("\"1\"").is_err(), "wire value is a number");
}

#[test]
fn constrained_values_parse_print_and_validate_on_every_path() {
    use callinner::Called;
    let called = Called::from_str("206").expect("digits");
    assert_eq!(called.to_string(), "206");
    assert_eq!(AsRef::<str>::as_ref(&called), "206");
    assert_eq!(Called::try_from("206").expect("digits"), called);
    assert_eq!(Called::try_from(String::from("206")).expect("digits"), called);
    assert_eq!(serde_json::to_string(&called).expect("serializes"), "\"206\"");
    assert_eq!(serde_json::from_str::<Called>("\"206\"").expect("digits"), called);

    let e = Called::try_from("12a").expect_err("letters");
    assert_eq!(e.parameter, "called");
    assert!(Called::try_from(String::from("12a")).is_err());
    assert!(Called::from_str("").is_err());
    let e = serde_json::from_str::<Called>("\"12a\"").expect_err("deserializing validates");
    assert!(e.to_string().contains("called"), "{e}");
}

fn talking() -> Event {
    serde_json::from_value(serde_json::json!({
        "eventType": "AgentEvent_Talking",
        "content": { "caller": "40038", "callid": "1700000000-42", "called": "206" },
    }))
    .expect("event decodes")
}

#[test]
fn events_serialize_in_the_gateways_shape_and_replay_equal() {
    let event = talking();
    assert_eq!(event.kind(), Some(EventKind::AgentEventTalking));
    let Event::AgentEventTalking(payload) = &event else { panic!("typed: {event:?}") };
    assert_eq!(payload.callid.as_deref(), Some("1700000000-42"));

    let stored = serde_json::to_string(&event).expect("serializes");
    let replayed: Event = serde_json::from_str(&stored).expect("replays");
    assert_eq!(replayed, event);
    let wire: serde_json::Value = serde_json::from_str(&stored).expect("JSON");
    assert_eq!(wire["eventType"], "AgentEvent_Talking");
    assert_eq!(wire["content"]["called"], "206");

    // A plain-text payload, a payload-less event and an unknown one round-trip too.
    for json in [
        serde_json::json!({ "eventType": "AgentEvent_Call_Release", "content": "1700000000-42" }),
        serde_json::json!({ "eventType": "AgentEvent_Agent_Occupyed", "content": null }),
        serde_json::json!({ "eventType": "AgentEvent_FromTheFuture", "content": { "x": [1, 2] } }),
    ] {
        let event: Event = serde_json::from_value(json.clone()).expect("decodes");
        let back: Event = serde_json::from_str(&serde_json::to_string(&event).expect("serializes")).expect("replays");
        assert_eq!(back, event, "{json}");
        assert_eq!(back.clone(), event);
    }
    let unknown: Event =
        serde_json::from_value(serde_json::json!({ "eventType": "New_Event", "content": 5 })).expect("tolerant");
    assert!(matches!(&unknown, Event::Unknown { event_type, content } if event_type == "New_Event" && *content == 5));
}

#[test]
fn results_serialize_and_deserialize_to_the_same_value() {
    let result: login::Response = serde_json::from_value(serde_json::json!({
        "vdnid": "12", "workno": 205, "mediatype": "TTF", "loginTime": "1700000000000",
    }))
    .expect("lenient result decodes");
    assert_eq!(result.vdnid, Some(12));
    assert_eq!(result.workno.as_deref(), Some("205"));
    let stored = serde_json::to_value(&result).expect("serializes");
    assert_eq!(stored["workno"], "205", "wire names, values as decoded");
    let replayed: login::Response = serde_json::from_value(stored).expect("replays");
    assert_eq!(replayed, result.clone());
}

#[test]
fn secrets_come_from_secrecy_and_stay_redacted() {
    let from_secrecy = secrecy::SecretString::from("hunter2");
    let ours = SecretString::from(&from_secrecy);
    assert_eq!(ours.expose(), "hunter2");
    assert_eq!(SecretString::from(from_secrecy), ours);
    assert_eq!(format!("{ours:?}"), "SecretString(<redacted>)");
    let request = login::Request::new(ours, login::PhoneNum::new("40038").expect("valid phone"));
    assert!(!format!("{request:?}").contains("hunter2"));
}

/// Event payload types read what the gateway sends leniently (numbers as text and back, odd
/// members as absent, unknown members ignored) and store and replay in their wire names. Their
/// `Deserialize` goes through the runtime's `lenient::Fields` rather than a derive, which kept
/// the event catalog cheap to compile; this pins that nothing was lost on the way.
#[test]
fn event_payloads_read_leniently_and_round_trip_in_wire_names() {
    use agentgateway::events::{
        AgentEventLinkagePhoneCallOutPayload, AgentEventSuccTransResultPayload, AgentEventTalkingPayload,
    };
    let read: AgentEventSuccTransResultPayload =
        serde_json::from_str(r#"{"result":"3","callId":1552524689,"extra":[1]}"#).expect("lenient");
    assert_eq!((read.result, read.call_id.as_deref()), (Some(3), Some("1552524689")));
    let odd: AgentEventSuccTransResultPayload =
        serde_json::from_str(r#"{"result":"x","callId":{"a":1}}"#).expect("odd members read as absent");
    assert_eq!(odd, AgentEventSuccTransResultPayload::default());
    assert!(serde_json::from_str::<AgentEventSuccTransResultPayload>(r#""text""#).is_err(), "not an object");

    let kept: AgentEventLinkagePhoneCallOutPayload =
        serde_json::from_str(r#"{"addrCalled":{"number":"205"},"addrCaller":null}"#).expect("object member");
    assert_eq!(kept.addr_called, Some(serde_json::json!({"number": "205"})));
    assert_eq!(kept.addr_caller, None);

    let mut talking = AgentEventTalkingPayload::default();
    talking.r#type = Some("1".into());
    talking.media_ability = Some("2".into());
    let stored = serde_json::to_value(&talking).expect("serializes");
    assert_eq!(stored["type"], "1");
    assert_eq!(stored["mediaAbility"], "2");
    assert_eq!(serde_json::from_value::<AgentEventTalkingPayload>(stored).expect("replays"), talking);
}
