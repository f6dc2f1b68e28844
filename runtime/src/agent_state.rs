//! The agent's state (idle, not ready, resting, wrap-up, in a call) as a
//! value an application can watch, kept current from the event stream.
//!
//! The gateway reports state changes as events (`AgentState_Ready`,
//! `AgentState_SetNotReady_Success` with a reason, ...). The generated `Event`
//! type says which of its variants change the state ([`StateEvent`]); a
//! session's event stream feeds each polled event to an [`AgentStateFeed`],
//! and any number of [`AgentStateView`]s read the result, e.g. a desktop's
//! status bar.

use tokio::sync::watch;

/// What the agent is doing, as far as the events seen so far tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AgentState {
    /// No state event has arrived yet.
    #[default]
    Unknown,
    /// Ready for calls (`AgentState_Ready` and the cancel events).
    Idle,
    /// Set busy: no calls are routed to the agent (`AgentState_SetNotReady_Success`).
    NotReady {
        /// The reason code as sent (`"0"` for none, `"200"` to `"250"` site-defined), when sent.
        reason: Option<String>,
    },
    /// Resting (`AgentState_SetRest_Success`).
    Rest {
        /// The rest reason as sent, when sent.
        reason: Option<String>,
    },
    /// After-call work, wrap-up (`AgentState_Work`, `AgentState_SetWork_Success`).
    Work,
    /// Handling a call (`AgentState_Busy`, the vendor's name for it).
    Busy,
    /// Signed out (`AgentOther_ShutdownService`).
    SignedOut,
}

impl AgentState {
    /// A short label for a status bar: `idle`, `not ready (200)`, `rest`, ...
    pub fn label(&self) -> String {
        let with = |name: &str, reason: &Option<String>| match reason.as_deref() {
            Some(r) if !r.is_empty() && r != "0" => format!("{name} ({r})"),
            _ => name.to_owned(),
        };
        match self {
            AgentState::Unknown => "unknown".to_owned(),
            AgentState::Idle => "idle".to_owned(),
            AgentState::NotReady { reason } => with("not ready", reason),
            AgentState::Rest { reason } => with("rest", reason),
            AgentState::Work => "wrap-up".to_owned(),
            AgentState::Busy => "in a call".to_owned(),
            AgentState::SignedOut => "signed out".to_owned(),
        }
    }
}

impl std::fmt::Display for AgentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// Implemented by the generated `Event` enum: the state an event puts the
/// agent in, or `None` for an event that does not change it.
pub trait StateEvent {
    /// The agent's state after this event, if the event sets one.
    fn agent_state(&self) -> Option<AgentState>;
}

/// The writing side: a session owns one and its event stream feeds it.
///
/// Cheap to clone; clones feed the same views.
#[derive(Debug, Clone)]
pub struct AgentStateFeed {
    tx: std::sync::Arc<watch::Sender<AgentState>>,
}

impl Default for AgentStateFeed {
    fn default() -> Self {
        Self::new()
    }
}

impl AgentStateFeed {
    /// A feed whose state is [`AgentState::Unknown`].
    pub fn new() -> Self {
        Self { tx: std::sync::Arc::new(watch::Sender::new(AgentState::Unknown)) }
    }

    /// Applies one event: views see the new state if the event sets one and it differs.
    pub fn observe<E: StateEvent>(&self, event: &E) {
        if let Some(state) = event.agent_state() {
            self.set(state);
        }
    }

    /// Sets the state directly, e.g. from a status query after a restart.
    pub fn set(&self, state: AgentState) {
        self.tx.send_if_modified(|current| {
            let changed = *current != state;
            *current = state;
            changed
        });
    }

    /// A new view of this feed.
    pub fn view(&self) -> AgentStateView {
        AgentStateView { rx: self.tx.subscribe() }
    }
}

/// A read-only, watchable view of the agent's state.
///
/// `current` reads it at any time; `changed` waits for the next change. An
/// agent desktop's status bar, redrawn on every change (a session's
/// `agent_state()` gives the view; here a feed stands in for the session):
///
/// ```
/// use agentgateway_runtime::{AgentState, AgentStateFeed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let feed = AgentStateFeed::new(); // a session owns this; its events feed it
/// let mut status = feed.view();
/// let mut shown = vec![status.current().label()]; // "unknown" until the first state event
/// let bar = tokio::spawn(async move {
///     while let Some(state) = status.changed().await {
///         shown.push(state.label()); // redraw the status bar
///     }
///     shown
/// });
/// feed.set(AgentState::NotReady { reason: Some("200".into()) });
/// feed.set(AgentState::Idle);
/// drop(feed); // the session ended
/// let shown = bar.await.unwrap();
/// assert_eq!(shown.first().map(String::as_str), Some("unknown"));
/// assert_eq!(shown.last().map(String::as_str), Some("idle"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AgentStateView {
    rx: watch::Receiver<AgentState>,
}

impl AgentStateView {
    /// The state now.
    pub fn current(&self) -> AgentState {
        self.rx.borrow().clone()
    }

    /// Waits until the state changes from what this view last saw, and returns
    /// the new state; `None` once the session (its feed) is gone.
    pub async fn changed(&mut self) -> Option<AgentState> {
        self.rx.changed().await.ok()?;
        Some(self.rx.borrow_and_update().clone())
    }

    /// Waits until `wanted` holds for the state (at once if it holds now);
    /// `None` if the feed goes away first.
    pub async fn wait_for(&mut self, mut wanted: impl FnMut(&AgentState) -> bool) -> Option<AgentState> {
        self.rx.wait_for(|s| wanted(s)).await.ok().map(|s| s.clone())
    }

    /// The underlying `tokio::sync::watch` receiver, to combine with other watches.
    pub fn into_receiver(self) -> watch::Receiver<AgentState> {
        self.rx
    }
}

#[cfg(test)]
mod tests {
    use super::{AgentState, AgentStateFeed, StateEvent};

    /// Stand-ins for generated events.
    enum Ev {
        Ready,
        SetBusy(&'static str),
        Unrelated,
    }

    impl StateEvent for Ev {
        fn agent_state(&self) -> Option<AgentState> {
            match self {
                Ev::Ready => Some(AgentState::Idle),
                Ev::SetBusy(r) => Some(AgentState::NotReady { reason: Some((*r).to_owned()) }),
                Ev::Unrelated => None,
            }
        }
    }

    #[tokio::test]
    async fn views_follow_state_events_and_ignore_others() {
        let feed = AgentStateFeed::new();
        let mut view = feed.view();
        assert_eq!(view.current(), AgentState::Unknown);
        feed.observe(&Ev::SetBusy("200"));
        assert_eq!(view.changed().await, Some(AgentState::NotReady { reason: Some("200".into()) }));
        feed.observe(&Ev::Unrelated);
        feed.observe(&Ev::Ready);
        assert_eq!(view.changed().await, Some(AgentState::Idle));
        assert_eq!(view.current().label(), "idle");
    }

    #[tokio::test]
    async fn wait_for_returns_at_once_when_the_state_already_holds() {
        let feed = AgentStateFeed::new();
        feed.observe(&Ev::Ready);
        let mut view = feed.view();
        assert_eq!(view.wait_for(|s| *s == AgentState::Idle).await, Some(AgentState::Idle));
    }

    #[tokio::test]
    async fn a_view_ends_when_the_feed_is_dropped() {
        let feed = AgentStateFeed::new();
        let mut view = feed.view();
        drop(feed);
        assert_eq!(view.changed().await, None);
    }

    #[test]
    fn labels_name_the_reason_only_when_there_is_one() {
        assert_eq!(AgentState::NotReady { reason: Some("200".into()) }.label(), "not ready (200)");
        assert_eq!(AgentState::NotReady { reason: Some("0".into()) }.label(), "not ready");
        assert_eq!(AgentState::Rest { reason: None }.to_string(), "rest");
    }
}
