//! The format extensions the agent-desktop interfaces needed: query defaults,
//! path parameters after fixed segments, a result read as an object or a list
//! of one, and events that set the agent's state.

use std::path::Path;
use std::sync::OnceLock;

use crate::ir::{AgentStateKind, Api, Interface, Location, ResultShape, Segment, Type, Value};
use crate::load::RawFile;

fn spec() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec"));
        crate::pipeline::validate(dir).unwrap_or_else(|d| panic!("spec/ must validate:\n{}", d.render()))
    })
}

fn interface(operation: &str) -> &'static Interface {
    spec().interfaces.iter().find(|i| i.operation.wire == operation).unwrap_or_else(|| panic!("no `{operation}`"))
}

#[test]
fn say_busy_documents_prolong_default_and_keeps_both_query_parameters_optional() {
    let it = interface("say_busy");
    let query: Vec<_> = it.params_at(Location::Query).map(|(_, p)| p).collect();
    assert_eq!(query.iter().map(|p| p.name.wire.as_str()).collect::<Vec<_>>(), ["reason", "prolong"]);
    assert!(query.iter().all(|p| !p.required));
    assert_eq!(query[1].ty, Type::Boolean);
    assert_eq!(query[1].default, Some(Value::Bool(false)));
    assert_eq!(query[0].constraints.range, Some((200, 250)));
}

#[test]
fn rest_takes_two_path_parameters_after_fixed_segments() {
    let it = interface("rest");
    let lit = |s: &str| Segment::Literal(s.to_owned());
    assert_eq!(
        it.segments,
        [lit("/onlineagent/"), Segment::Param(0), lit("/rest/"), Segment::Param(1), lit("/"), Segment::Param(2)]
    );
    let names: Vec<_> = it.params_at(Location::Path).map(|(_, p)| (p.name.wire.as_str(), p.ty.clone())).collect();
    assert_eq!(names, [("agentid", Type::String), ("time", Type::Integer), ("restcause", Type::Integer)]);
    assert_eq!(it.params[1].constraints.range, Some((1, 86399)));
    assert_eq!(it.params[2].constraints.range, Some((0, 255)));
}

#[test]
fn agent_status_reads_an_object_or_a_list_of_one() {
    let it = interface("agent_status");
    assert!(matches!(&it.result, ResultShape::Object { one_or_list: true, vendor_type: Some(v), .. } if v == "array"));
    // Every other object result keeps its plain reading.
    let others = spec().interfaces.iter().filter(|i| i.operation.wire != "agent_status");
    assert!(others.into_iter().all(|i| !matches!(i.result, ResultShape::Object { one_or_list: true, .. })));
}

#[test]
fn state_events_say_which_state_they_set() {
    let api = spec();
    let state = |name: &str| api.event(name).and_then(|e| e.agent_state.clone());
    let busy = state("AgentState_SetNotReady_Success").expect("set busy changes the state");
    assert_eq!(busy.becomes, AgentStateKind::NotReady);
    assert_eq!(busy.reason.map(|r| r.rust), Some("reason".to_owned()));
    assert_eq!(state("AgentState_Ready").map(|s| s.becomes), Some(AgentStateKind::Idle));
    assert_eq!(state("AgentState_SetRest_Success").map(|s| s.becomes), Some(AgentStateKind::Rest));
    assert_eq!(state("AgentState_Work").map(|s| s.becomes), Some(AgentStateKind::Work));
    assert_eq!(state("AgentState_Busy").map(|s| s.becomes), Some(AgentStateKind::Busy));
    assert!(state("AgentState_Rest_Timeout").is_none(), "a rest reminder leaves the agent resting");
    assert!(state("AgentEvent_Talking").is_none());
}

const API: &str = include_str!("../../tests/broken/base/api.yaml");
const ERRORS: &str = include_str!("../../tests/broken/base/errors.yaml");
const EVENTS: &str = include_str!("../../tests/broken/base/events.yaml");

/// A GET interface whose object result may be a list, with one example answering `result`.
fn status_spec(result: &str) -> String {
    format!(
        "operation: status\ntitle: T\nlog_name: l\nsummary: S\nmethod: GET\npath: /x/status\nresponse:\n  result:\n    kind: object\n    one_or_list: true\n    fields:\n      - {{ name: state, type: integer, description: d }}\nexamples:\n  - name: e\n    response: {{ \"message\": \"\", \"retcode\": \"0\", \"result\": {result} }}\n"
    )
}

fn check(result: &str) -> Result<Api, Vec<String>> {
    let raw = [
        ("api.yaml", API.to_owned()),
        ("errors.yaml", ERRORS.to_owned()),
        ("events.yaml", EVENTS.to_owned()),
        ("x/status.yaml", status_spec(result)),
    ]
    .into_iter()
    .map(|(r, t)| RawFile { rel_path: r.into(), bytes: t.into_bytes() })
    .collect::<Vec<_>>();
    let loaded =
        crate::load::load("spec", &raw).map_err(|d| d.0.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    super::check(&loaded).map_err(|d| d.0.iter().map(ToString::to_string).collect())
}

#[test]
fn a_one_or_list_example_may_show_either_form_but_not_two_objects() {
    assert!(check("{ \"state\": 4 }").is_ok());
    assert!(check("[{ \"state\": 4 }]").is_ok());
    let two = check("[{ \"state\": 4 }, { \"state\": 3 }]").err().unwrap_or_default();
    assert!(two.iter().any(|m| m.contains("list of 2 items")), "{two:?}");
    let wrong = check("[{ \"state\": \"x\" }]").err().unwrap_or_default();
    assert!(wrong.iter().any(|m| m.contains("item 0")), "{wrong:?}");
}
