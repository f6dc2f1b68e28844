//! The agent-desktop interfaces' behaviour: the agent's state (busy, rest,
//! after-call work, idle) with its state events, the mute of the current call,
//! DTMF digits sent on it, and the status query answered from that state.
//!
//! These interfaces have no route of their own in the parent's state model:
//! they are found by the spec's operation name, after the judge accepted the
//! request, so their parameters are already known to be well-formed.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use ccgen::ir::Interface;

use super::{Agent, FakeGateway, Shared, authenticate, err, ok, push};

/// The state codes of the vendor's status query.
const NOT_READY: i64 = 3;
const IDLE: i64 = 4;
const WORK: i64 = 5;
const TALKING: i64 = 7;
const REST: i64 = 8;

/// A signed-in agent's desk: what the state interfaces change.
#[derive(Debug, Clone)]
pub(super) struct Desk {
    /// The status code: idle, not ready, work or rest.
    state: i64,
    /// The call that is muted; a mute ends with its call.
    muted_call: Option<String>,
    /// DTMF digits sent, in order.
    dtmf: Vec<String>,
}

impl Desk {
    /// The desk after sign-in with the login's `status` (3 busy, 4 idle, 5 work).
    pub(super) fn after_login(status: i64) -> Desk {
        Desk { state: status, muted_call: None, dtmf: Vec::new() }
    }
}

const OPERATIONS: &[&str] = &[
    "say_busy",
    "cancel_busy",
    "rest",
    "cancel_rest",
    "enter_work",
    "cancel_work",
    "agent_status",
    "begin_mute",
    "end_mute",
    "send_dtmf",
];

/// Serves `it` if it is one of the desk interfaces; `None` leaves it to the generic handler.
pub(super) fn serve(shared: &Shared, it: &Interface, headers: &HeaderMap, uri: &Uri, rest: &str) -> Option<Response> {
    let op = it.operation.wire.as_str();
    if !OPERATIONS.contains(&op) {
        return None;
    }
    let route = shared.judge.route(it.method.as_str(), rest).ok()?;
    let path: HashMap<String, String> =
        route.path.into_iter().map(|(index, value)| (it.params[index].name.wire.clone(), value)).collect();
    let agent_id = path.get("agentid")?.clone();
    let query: HashMap<String, String> = Query::try_from_uri(uri).map(|Query(q)| q).unwrap_or_default();
    let guid = headers.get("guid").and_then(|v| v.to_str().ok());
    let response = {
        let mut state = shared.lock();
        match authenticate(&shared.config, &mut state, &agent_id, guid) {
            Ok(agent) => act(op, agent, &query, &path),
            Err(response) => return Some(response),
        }
    };
    shared.wake(&agent_id);
    Some(response)
}

fn act(op: &str, agent: &mut Agent, query: &HashMap<String, String>, path: &HashMap<String, String>) -> Response {
    let Some(session) = agent.session.as_mut() else {
        return err("100-006");
    };
    let call = session.active_call.as_ref().map(|c| c.id.clone());
    let desk = &mut session.desk;
    let muted = call.is_some() && desk.muted_call == call;
    let mut events: Vec<(&str, Value)> = Vec::new();
    // Leaving a state the agent is not in fails as the gateway's "failed to set the state".
    let leaving = match op {
        "cancel_busy" => Some((NOT_READY, "AgentState_CancelNotReady_Success")),
        "cancel_rest" => Some((REST, "AgentState_CancelRest_Success")),
        "cancel_work" => Some((WORK, "AgentState_CancelWork_Success")),
        _ => None,
    };
    if let Some((from, event)) = leaving {
        if desk.state != from {
            return err("100-009");
        }
        desk.state = IDLE;
        events.push((event, Value::Null));
    }
    match op {
        "say_busy" => {
            desk.state = NOT_READY;
            let reason = query.get("reason").cloned().unwrap_or_else(|| "0".to_owned());
            events.push(("AgentState_SetNotReady_Success", json!({ "reason": reason })));
        }
        "rest" => {
            desk.state = REST;
            let cause = path.get("restcause").cloned().unwrap_or_default();
            events.push(("AgentState_SetRest_Success", json!({ "reason": cause })));
        }
        "enter_work" => {
            desk.state = WORK;
            events.push(("AgentState_SetWork_Success", Value::Null));
            events.push(("AgentState_Work", Value::Null));
        }
        "agent_status" => {
            let state = if call.is_some() { TALKING } else { desk.state };
            return ok(json!({ "agentState": state, "isWorking": call.is_some() }));
        }
        "begin_mute" if call.is_none() => return err("200-003"),
        "begin_mute" if muted => return err("200-004"),
        "begin_mute" => desk.muted_call = call,
        "end_mute" if call.is_none() => return err("200-007"),
        "end_mute" if !muted => return err("200-008"),
        "end_mute" => desk.muted_call = None,
        // Digits need a call to be played into.
        "send_dtmf" if call.is_none() => return err("100-007"),
        "send_dtmf" => desk.dtmf.push(query.get("number").cloned().unwrap_or_default()),
        _ => {}
    }
    for (event_type, content) in events {
        push(agent, event_type, content);
    }
    ok(json!({}))
}

impl FakeGateway {
    /// The DTMF digits the agent's session has sent, in order.
    pub fn dtmf_sent(&self, agent_id: &str) -> Vec<String> {
        let state = self.shared.lock();
        state.agents.get(agent_id).and_then(|a| a.session.as_ref()).map(|s| s.desk.dtmf.clone()).unwrap_or_default()
    }

    /// Whether the agent's current call is muted.
    pub fn is_muted(&self, agent_id: &str) -> bool {
        let state = self.shared.lock();
        state.agents.get(agent_id).and_then(|a| a.session.as_ref()).is_some_and(|s| {
            s.active_call.as_ref().is_some_and(|c| s.desk.muted_call.as_deref() == Some(c.id.as_str()))
        })
    }
}
