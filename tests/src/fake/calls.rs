//! The hand-written call state: who is talking, which call is held, which call
//! rings. It judges an operation's preconditions (the documented codes when
//! there is no call to act on), changes the state and supplies the facts the
//! events and results carry; the events and results themselves come from the
//! specs ([`crate::behaviour`]). The agent's desk has a model of its own ([`super::desk`]).

use std::time::Duration;

use axum::response::Response;

use ccgen::ir::{Interface, ResultShape, SessionEffect};

use super::{Agent, Call, Shared, desk, err, next_call};
use crate::behaviour::{Facts, Outcome};

/// What the state model made of an operation.
pub(super) struct Effect {
    pub(super) outcome: Outcome,
    /// Events the state change implies beyond those the spec lists (a resumed call is
    /// talked on again); their content still has the catalog's shape.
    pub(super) also: &'static [&'static str],
    /// Some of the events the spec lists come this long after the operation, not at once
    /// (a rest's end: the state model says which).
    pub(super) later: Option<Duration>,
}

pub(super) const SUCCEEDED: Effect = Effect { outcome: Outcome::Succeeded, also: &[], later: None };
const FAILED: Effect = Effect { outcome: Outcome::Failed, also: &[], later: None };

/// The hand-written state model: who is talking, which call is held, which call rings.
/// Fills in the facts the events carry, or refuses with the documented precondition code.
/// Interfaces it does not know succeed, carrying the agent's call if there is one.
#[allow(clippy::result_large_err)] // the error is the ready-made answer
pub(super) fn model(
    shared: &Shared,
    it: &Interface,
    agent_id: &str,
    agent: &mut Agent,
    facts: &mut Facts,
) -> Result<Effect, Response> {
    if it.session == SessionEffect::Ends {
        let session = agent.session.take().ok_or_else(|| err("100-006"))?;
        facts.set("loginTime", session.login_time.to_string());
        return Ok(SUCCEEDED);
    }
    // `authenticate` guaranteed a session.
    let session = agent.session.as_mut().ok_or_else(|| err("100-006"))?;
    let operation = it.operation.wire.as_str();
    // The agent-desktop interfaces (busy, rest, work, mute, DTMF, status) have a state of their own.
    if let Some(effect) = desk::model(operation, session, facts) {
        return effect;
    }
    let new_call = || next_call(shared);
    match operation {
        "call_inner" | "call_out" => {
            let called = facts.text("called").unwrap_or_default();
            let id = new_call();
            let inner = operation == "call_inner";
            facts
                .set("callid", id.as_str())
                .set("caller", agent_id)
                .set("feature", if inner { "6" } else { "7" })
                .set("otherPhone", called.as_str())
                .set("otherPhoneWorkno", if inner { called.as_str() } else { "" });
            session.active_call = Some(Call { id, other: called });
        }
        "answer" => {
            let call = match session.ringing.take() {
                Some(call) => {
                    if let Some(previous) = session.active_call.replace(call.clone()) {
                        session.held_calls.push(previous);
                    }
                    call
                }
                None => session.active_call.clone().ok_or_else(|| err("200-002"))?,
            };
            facts.set("callid", call.id).set("caller", call.other).set("called", agent_id).set("feature", "0");
        }
        // Disconnecting the one other party ends a two-party call like release.
        "release" | "disconnect" => {
            let call = session.active_call.take().ok_or_else(|| err("200-017"))?;
            facts.set("callid", call.id).set("number", call.other);
        }
        "hold" => {
            let call = session.active_call.take().ok_or_else(|| err("200-013"))?;
            facts.set("callid", call.id.as_str());
            session.held_calls.push(call);
        }
        "get_hold" => {
            let index = match facts.text("callid") {
                Some(id) => session.held_calls.iter().position(|c| c.id == id),
                None => session.held_calls.len().checked_sub(1),
            };
            let call = session.held_calls.remove(index.ok_or_else(|| err("200-015"))?);
            facts.set("callid", call.id.as_str()).set("caller", agent_id).set("called", call.other.as_str());
            if let Some(previous) = session.active_call.replace(call) {
                session.held_calls.push(previous);
            }
            return Ok(Effect { also: &["AgentEvent_Talking"], ..SUCCEEDED });
        }
        "connect_hold" => {
            let held = facts.text("callid").unwrap_or_default();
            if let Some(i) = session.held_calls.iter().position(|c| c.id == held) {
                session.held_calls.remove(i);
                // The agent leaves the two other parties talking: its own call is released.
                if let Some(call) = session.active_call.take() {
                    facts.set("callid", call.id).set("number", call.other);
                }
            }
        }
        "transfer_call" => {
            let call = session.active_call.clone().ok_or_else(|| err("200-012"))?;
            let address = facts.text("address").unwrap_or_default();
            facts.set("callid", call.id).set("caller", agent_id).set("called", address.as_str());
            if address == FAILING_ADDRESS {
                return Ok(FAILED);
            }
            facts.set("otherPhone", address.as_str()).set("partner", address.as_str());
            session.active_call = None;
        }
        "transfer_media_call" => {
            if facts.text("address").as_deref() == Some(FAILING_ADDRESS) {
                return Ok(FAILED);
            }
        }
        "request_call" => {
            // The queued call named in the path comes to this agent, who talks on it.
            let id = facts.text("callid").unwrap_or_default();
            facts.set("caller", "").set("called", agent_id).set("feature", "0");
            if let Some(previous) = session.active_call.replace(Call { id, other: String::new() }) {
                session.held_calls.push(previous);
            }
        }
        _ => {
            if facts.get("callid").is_none() {
                let id = session.active_call.as_ref().map_or_else(new_call, |c| c.id.clone());
                facts.set("callid", id);
            }
            if matches!(it.result, ResultShape::CallId { .. }) {
                facts.set("callid", new_call());
            }
        }
    }
    Ok(SUCCEEDED)
}

/// A transfer to this address fails (a convention of the fake).
const FAILING_ADDRESS: &str = "0000";
