//! The test hooks, on the fake's shared state: [`super::FakeGateway`]'s
//! methods and the control API ([`super::control`]) both call these, so a
//! hook scripted over HTTP is the very code a Rust test calls.

use serde::Serialize;
use serde_json::Value;

use super::{Call, Shared, end_session, next_call, push};
use crate::behaviour::{self, Facts};

/// What the control API shows of one agent.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AgentView {
    pub(super) signed_in: bool,
    /// The current Guid, without the `JSESSIONID=` prefix.
    pub(super) guid: Option<String>,
    pub(super) active_call: Option<String>,
    /// Events queued and not yet polled.
    pub(super) pending_events: usize,
}

impl Shared {
    pub(super) fn add_agent(&self, agent_id: &str, password: &str) {
        let mut state = self.lock();
        state.agents.entry(agent_id.to_owned()).or_default().password = password.to_owned();
    }

    /// Queues an event of any name; false for an agent never added.
    pub(super) fn push_event(&self, agent_id: &str, event_type: &str, content: Value) -> bool {
        let mut state = self.lock();
        let Some(agent) = state.agents.get_mut(agent_id) else { return false };
        push(agent, event_type, content);
        drop(state);
        self.wake(agent_id);
        true
    }

    /// Marks the agent's Guid for rotation at the next poll; false when not signed in.
    pub(super) fn rotate_guid(&self, agent_id: &str) -> bool {
        let mut state = self.lock();
        let Some(session) = state.agents.get_mut(agent_id).and_then(|a| a.session.as_mut()) else { return false };
        session.rotate_pending = true;
        true
    }

    /// Ends the agent's session; false when there was none.
    pub(super) fn drop_session(&self, agent_id: &str) -> bool {
        let mut state = self.lock();
        let ended = state.agents.get_mut(agent_id).is_some_and(|agent| end_session(self.judge.api(), agent));
        drop(state);
        self.wake(agent_id);
        ended
    }

    /// Rings an inbound call for the signed-in agent; its ID, or `None` when not signed in.
    pub(super) fn inject_call(&self, agent_id: &str, caller: &str) -> Option<String> {
        let api = self.judge.api();
        let id = next_call(self);
        let mut state = self.lock();
        let agent = state.agents.get_mut(agent_id)?;
        let session = agent.session.as_mut()?;
        session.ringing = Some(Call { id: id.clone(), other: caller.to_owned() });
        let mut facts = Facts::default();
        facts.set("callid", id.as_str()).set("caller", caller).set("called", agent_id).set("type", "main");
        for name in ["AgentOther_PhoneAlerting", "AgentEvent_Ringing"] {
            push(agent, name, behaviour::content(api, name, &facts));
        }
        drop(state);
        self.wake(agent_id);
        Some(id)
    }

    /// Every session gone without a sign-out event: every Guid is invalid.
    pub(super) fn restart(&self) {
        let mut state = self.lock();
        for agent in state.agents.values_mut() {
            agent.session = None;
            agent.events.clear();
        }
        drop(state);
        self.wake_all();
    }

    pub(super) fn clear_requests(&self) {
        let mut state = self.lock();
        state.forgotten += state.requests.len();
        state.requests.clear();
    }

    /// The agent as the control API shows it; `None` for an agent never added.
    pub(super) fn agent_view(&self, agent_id: &str) -> Option<AgentView> {
        let state = self.lock();
        let agent = state.agents.get(agent_id)?;
        let session = agent.session.as_ref();
        Some(AgentView {
            signed_in: session.is_some(),
            guid: session.map(|s| s.guid.clone()),
            active_call: session.and_then(|s| s.active_call.as_ref()).map(|c| c.id.clone()),
            pending_events: agent.events.len(),
        })
    }
}
