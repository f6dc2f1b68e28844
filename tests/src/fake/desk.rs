//! The agent-desktop interfaces' state model: the agent's state (busy, rest,
//! after-call work, idle), the mute of the current call and the DTMF digits
//! sent on it.
//!
//! Only the state is hand-written here: whether an operation may happen in
//! the agent's state (or fails with the documented precondition code), the
//! state it leaves behind, and the facts its events and result carry (the
//! reason, the state code). The events themselves and the result's shape come
//! from the specs, as for every other interface ([`crate::behaviour`]): an
//! interface whose spec lists no events (muting, DTMF) queues none.

use std::time::{Duration, Instant};

use axum::response::Response;
use serde_json::Value;

use super::calls::{Effect, SUCCEEDED};
use super::{FakeGateway, Session, err};
use crate::behaviour::Facts;

/// The state codes of the vendor's status query.
const NOT_READY: i64 = 3;
const IDLE: i64 = 4;
const WORK: i64 = 5;
const TALKING: i64 = 7;
const REST: i64 = 8;

/// Events that report the end of a rest's requested time: when the rest's spec
/// lists them, they are queued once that time is over, if the agent still rests.
const REST_OVER: &[&str] = &["AgentState_Rest_Timeout"];

/// A signed-in agent's desk: what the state interfaces change.
#[derive(Debug, Clone)]
pub(super) struct Desk {
    /// The status code: idle, not ready, work or rest.
    state: i64,
    /// The call that is muted; a mute ends with its call.
    muted_call: Option<String>,
    /// DTMF digits sent, in order.
    dtmf: Vec<String>,
    /// When the current rest's requested time is over, with the events (and
    /// their content) its spec lists for that moment.
    rest_over: Option<(Instant, Vec<(String, Value)>)>,
}

impl Desk {
    /// The desk after sign-in with the login's `status` (3 busy, 4 idle, 5 work).
    pub(super) fn after_login(status: i64) -> Desk {
        Desk { state: status, muted_call: None, dtmf: Vec::new(), rest_over: None }
    }

    /// Keeps the events of a rest's end for when its time is over; returns the
    /// events to queue now.
    pub(super) fn hold_back(&mut self, effect: &Effect, events: Vec<(String, Value)>) -> Vec<(String, Value)> {
        let Some(after) = effect.later else { return events };
        let (later, now): (Vec<_>, Vec<_>) =
            events.into_iter().partition(|(name, _)| REST_OVER.contains(&name.as_str()));
        self.rest_over = (!later.is_empty()).then(|| (Instant::now() + after, later));
        now
    }

    /// The events of a rest whose time is over by now, once.
    pub(super) fn due(&mut self, now: Instant) -> Vec<(String, Value)> {
        match self.rest_over.take() {
            Some((at, events)) if at <= now && self.state == REST => events,
            Some(pending) if self.state == REST => {
                self.rest_over = Some(pending);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

/// The state model of the desk interface `operation`, or `None` when it is not one.
///
/// On success, the state has changed and `facts` hold what the events and the
/// result carry; a refusal is the gateway's precondition code.
#[allow(clippy::result_large_err)] // the error is the ready-made answer
pub(super) fn model(operation: &str, session: &mut Session, facts: &mut Facts) -> Option<Result<Effect, Response>> {
    let call = session.active_call.as_ref().map(|c| c.id.clone());
    if let Some(id) = call.as_deref().filter(|_| facts.get("callid").is_none()) {
        facts.set("callid", id);
    }
    let desk = &mut session.desk;
    let muted = call.is_some() && desk.muted_call == call;
    // Leaving a state the agent is not in fails as the gateway's "failed to set the state".
    let leave = |desk: &mut Desk, from: i64| {
        if desk.state != from {
            return Err(err("100-009"));
        }
        desk.state = IDLE;
        desk.rest_over = None;
        Ok(SUCCEEDED)
    };
    let effect = match operation {
        "cancel_busy" => leave(desk, NOT_READY),
        "cancel_rest" => leave(desk, REST),
        "cancel_work" => leave(desk, WORK),
        "say_busy" => Ok(enter(desk, NOT_READY)),
        "enter_work" => Ok(enter(desk, WORK)),
        "rest" => {
            // The event carries the rest cause as its reason.
            if let Some(cause) = facts.text("restcause") {
                facts.set("reason", cause);
            }
            let seconds = facts.get("time").and_then(Value::as_u64).unwrap_or(0);
            Ok(Effect { later: Some(Duration::from_secs(seconds)), ..enter(desk, REST) })
        }
        "agent_status" => {
            facts.set("agentState", if call.is_some() { TALKING } else { desk.state }).set("isWorking", call.is_some());
            Ok(SUCCEEDED)
        }
        "begin_mute" if call.is_none() => Err(err("200-003")),
        "begin_mute" if muted => Err(err("200-004")),
        "begin_mute" => {
            desk.muted_call = call;
            Ok(SUCCEEDED)
        }
        "end_mute" if call.is_none() => Err(err("200-007")),
        "end_mute" if !muted => Err(err("200-008")),
        "end_mute" => {
            desk.muted_call = None;
            Ok(SUCCEEDED)
        }
        // Digits need a call to be played into.
        "send_dtmf" if call.is_none() => Err(err("100-007")),
        "send_dtmf" => {
            desk.dtmf.push(facts.text("number").unwrap_or_default());
            Ok(SUCCEEDED)
        }
        _ => return None,
    };
    Some(effect)
}

/// Enters a state; a rest's pending end is forgotten.
fn enter(desk: &mut Desk, state: i64) -> Effect {
    desk.state = state;
    desk.rest_over = None;
    SUCCEEDED
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
