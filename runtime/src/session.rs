//! The state of one signed-in agent: who it is, its session token, and the
//! cookies the gateway asked it to send back.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use reqwest::header::HeaderValue;
use tokio::sync::watch;

use crate::error::ValidationError;
use crate::events::Phase;
use crate::secret::Guid;

/// Most digits in an agent work number.
const MAX_AGENT_ID_DIGITS: usize = 10;

/// Cookies kept per session; the gateway sets one or two, and the cap stops
/// a misbehaving server from growing every later request without bound.
const MAX_COOKIES: usize = 32;

/// An agent's work number: the canonical decimal form of a number with at
/// most 10 digits (ASCII digits only, no leading zero).
///
/// Per-operation ranges (101–59999 on some pages, 101–999999 on others) are
/// checked by generated code, so `0` is accepted here as the canonical form
/// of zero (which makes `From<u32>` total) and rejected there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentId(String);

impl AgentId {
    /// Validates a work number; errors name the parameter `agentid`.
    pub fn new(value: impl Into<String>) -> Result<AgentId, ValidationError> {
        let value = value.into();
        let problem = if value.is_empty() {
            Some("is empty".to_owned())
        } else if !value.bytes().all(|b| b.is_ascii_digit()) {
            Some("contains a character that is not a decimal digit".to_owned())
        } else if value.len() > MAX_AGENT_ID_DIGITS {
            Some(format!("has {} digits", value.len()))
        } else if value.len() > 1 && value.starts_with('0') {
            Some("has a leading zero".to_owned())
        } else {
            None
        };
        match problem {
            Some(problem) => {
                Err(ValidationError::new("agentid", problem, "1–10 decimal digits without a leading zero"))
            }
            None => Ok(AgentId(value)),
        }
    }

    /// The work number as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<u32> for AgentId {
    fn from(value: u32) -> Self {
        // u32::MAX has 10 digits and to_string never pads, so this is
        // always canonical.
        AgentId(value.to_string())
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AgentId {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AgentId::new(s)
    }
}

impl AsRef<str> for AgentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for AgentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AgentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = AgentId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an agent work number (a string of 1 to 10 digits)")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AgentId, E> {
                AgentId::new(v).map_err(E::custom)
            }

            // Some result payloads carry the work number as a JSON number.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AgentId, E> {
                AgentId::new(v.to_string()).map_err(E::custom)
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AgentId, E> {
                AgentId::new(v.to_string()).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

/// Shared state of one signed-in agent; clones share it.
///
/// Every request updates it: a `Set-GUID` header replaces the token, and
/// `Set-Cookie` headers are remembered and replayed.
#[derive(Clone)]
pub struct SessionState {
    inner: Arc<Inner>,
}

struct Inner {
    agent_id: AgentId,
    mutable: Mutex<Mutable>,
    /// Watched by the session's event stream, which must not poll while the
    /// agent signs out.
    phase: watch::Sender<Phase>,
}

struct Mutable {
    guid: Guid,
    cookies: Vec<(String, String)>,
    /// The `Cookie` header for `cookies`, built when they change rather than
    /// on every request; `Err` when a cookie holds characters a header cannot.
    cookie_header: Result<Option<HeaderValue>, InvalidCookie>,
}

/// A stored cookie holds characters not allowed in a header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InvalidCookie;

/// What a request takes from the session: the token it carries (so an answer
/// can tell a rotation apart) and the cookies, ready to send.
pub(crate) struct Outgoing {
    pub(crate) guid: Guid,
    pub(crate) cookie_header: Result<Option<HeaderValue>, InvalidCookie>,
}

impl SessionState {
    /// State for an agent that has just signed in with `guid`.
    pub fn new(agent_id: AgentId, guid: Guid) -> Self {
        SessionState {
            inner: Arc::new(Inner {
                agent_id,
                mutable: Mutex::new(Mutable { guid, cookies: Vec::new(), cookie_header: Ok(None) }),
                phase: watch::Sender::new(Phase::Open),
            }),
        }
    }

    /// Which agent this session belongs to.
    pub fn agent_id(&self) -> &AgentId {
        &self.inner.agent_id
    }

    /// The current session token.
    pub fn guid(&self) -> Guid {
        self.lock().guid.clone()
    }

    /// Replaces the session token (the gateway may rotate it).
    pub fn set_guid(&self, guid: Guid) {
        self.lock().guid = guid;
    }

    /// Replaces the session token only if it is still `sent`: an answer to a
    /// request sent with an older token must not undo a rotation that a later
    /// answer already brought. Returns whether it replaced it.
    pub fn rotate_guid(&self, sent: &Guid, new: Guid) -> bool {
        let mut state = self.lock();
        if state.guid == *sent {
            state.guid = new;
            true
        } else {
            false
        }
    }

    /// The cookies to replay, as `(name, value)` pairs in the order first
    /// received.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.lock().cookies.clone()
    }

    /// Remembers a cookie, replacing one with the same name. Beyond 32
    /// distinct names new cookies are dropped.
    pub fn set_cookie(&self, name: impl Into<String>, value: impl Into<String>) {
        let (name, value) = (name.into(), value.into());
        let mut state = self.lock();
        if let Some(slot) = state.cookies.iter_mut().find(|(n, _)| *n == name) {
            if slot.1 == value {
                return;
            }
            slot.1 = value;
        } else if state.cookies.len() < MAX_COOKIES {
            state.cookies.push((name, value));
        }
        state.cookie_header = cookie_header(&state.cookies);
    }

    /// Forgets a cookie (the server deleted it).
    pub fn remove_cookie(&self, name: &str) {
        let mut state = self.lock();
        state.cookies.retain(|(n, _)| n != name);
        state.cookie_header = cookie_header(&state.cookies);
    }

    /// The token and cookies a request sends, read under one lock.
    pub(crate) fn outgoing(&self) -> Outgoing {
        let state = self.lock();
        Outgoing { guid: state.guid.clone(), cookie_header: state.cookie_header.clone() }
    }

    /// Marks the session as signed out; later requests on it fail with
    /// [`crate::Error::SessionEnded`] without touching the network.
    pub fn end(&self) {
        self.inner.phase.send_replace(Phase::Ended);
    }

    /// Whether [`SessionState::end`] was called.
    pub fn is_ended(&self) -> bool {
        *self.inner.phase.borrow() == Phase::Ended
    }

    /// Starts signing out: the session's event stream starts no poll until
    /// the returned guard is dropped, which reopens the session, or
    /// [`SignOut::finish`]ed, which ends it (and abandons a poll in flight).
    pub fn begin_sign_out(&self) -> SignOut<'_> {
        self.inner.phase.send_if_modified(|phase| {
            let open = *phase == Phase::Open;
            if open {
                *phase = Phase::Closing;
            }
            open
        });
        SignOut { session: self, finished: false }
    }

    pub(crate) fn phase(&self) -> watch::Receiver<Phase> {
        self.inner.phase.subscribe()
    }

    /// Whether two handles share the same session.
    pub fn same_session(&self, other: &SessionState) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Every mutation is a single assignment or push, so a panic elsewhere
    /// cannot leave the state half-written and a poisoned lock is safe to
    /// reuse.
    fn lock(&self) -> MutexGuard<'_, Mutable> {
        self.inner.mutable.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `name=value; …`, marked sensitive so the http crate's own `Debug` hides
/// it; `None` without cookies.
fn cookie_header(cookies: &[(String, String)]) -> Result<Option<HeaderValue>, InvalidCookie> {
    if cookies.is_empty() {
        return Ok(None);
    }
    let joined = cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ");
    let mut header = HeaderValue::from_str(&joined).map_err(|_| InvalidCookie)?;
    header.set_sensitive(true);
    Ok(Some(header))
}

/// A sign-out in progress; see [`SessionState::begin_sign_out`].
#[derive(Debug)]
#[must_use = "dropping the guard at once reopens the session"]
pub struct SignOut<'a> {
    session: &'a SessionState,
    finished: bool,
}

impl SignOut<'_> {
    /// The gateway confirmed the sign-out: the session has ended.
    pub fn finish(mut self) {
        self.finished = true;
        self.session.end();
    }
}

impl Drop for SignOut<'_> {
    /// A sign-out that failed leaves the session as it was.
    fn drop(&mut self) {
        if !self.finished {
            self.session.inner.phase.send_if_modified(|phase| {
                let closing = *phase == Phase::Closing;
                if closing {
                    *phase = Phase::Open;
                }
                closing
            });
        }
    }
}

impl fmt::Debug for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionState")
            .field("agent_id", &self.inner.agent_id.as_str())
            .field("ended", &self.is_ended())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_id_accepts_canonical_numbers() {
        for ok in ["0", "1", "101", "59999", "999999", "9999999999"] {
            assert_eq!(AgentId::new(ok).map(|a| a.to_string()).ok().as_deref(), Some(ok));
        }
        assert_eq!(AgentId::from(4_294_967_295u32).as_str(), "4294967295");
        assert_eq!(AgentId::from(0u32).as_str(), "0");
        assert_eq!("123".parse::<AgentId>().ok().map(|a| a.to_string()).as_deref(), Some("123"));
    }

    #[test]
    fn agent_id_rejects_non_canonical_numbers() {
        let cases = [
            ("", "is empty"),
            ("01", "has a leading zero"),
            ("00", "has a leading zero"),
            ("12345678901", "has 11 digits"),
            ("12a", "contains a character that is not a decimal digit"),
            ("-1", "contains a character that is not a decimal digit"),
            ("+1", "contains a character that is not a decimal digit"),
            (" 1", "contains a character that is not a decimal digit"),
            ("١٢٣", "contains a character that is not a decimal digit"),
        ];
        for (input, problem) in cases {
            let e = AgentId::new(input).expect_err(input);
            assert_eq!(e.parameter, "agentid");
            assert_eq!(e.problem, problem, "input {input:?}");
        }
    }

    #[test]
    fn agent_id_serde_is_a_string() {
        let id = AgentId::from(1001u32);
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("\"1001\""));
        let back: AgentId = serde_json::from_str("\"1001\"").expect("valid");
        assert_eq!(back, id);
        let from_number: AgentId = serde_json::from_str("1001").expect("valid");
        assert_eq!(from_number, id);
        assert!(serde_json::from_str::<AgentId>("\"01\"").is_err());
        assert!(serde_json::from_str::<AgentId>("-5").is_err());
        assert!(serde_json::from_str::<AgentId>("null").is_err());
    }

    #[test]
    fn session_shares_state_between_clones() {
        let a = SessionState::new(AgentId::from(101u32), Guid::new("g1"));
        let b = a.clone();
        b.set_guid(Guid::new("g2"));
        assert_eq!(a.guid().expose(), "g2");
        a.set_cookie("JSESSIONID", "x");
        a.set_cookie("route", "r1");
        b.set_cookie("JSESSIONID", "y");
        assert_eq!(a.cookies(), vec![("JSESSIONID".to_owned(), "y".to_owned()), ("route".to_owned(), "r1".to_owned())]);
        assert!(!a.is_ended());
        b.end();
        assert!(a.is_ended());
        assert!(a.same_session(&b));
        let other = SessionState::new(AgentId::from(101u32), Guid::new("g1"));
        assert!(!a.same_session(&other));
    }

    #[test]
    fn cookie_count_is_capped() {
        let s = SessionState::new(AgentId::from(101u32), Guid::new("g"));
        for i in 0..100 {
            s.set_cookie(format!("c{i}"), "v");
        }
        assert_eq!(s.cookies().len(), MAX_COOKIES);
        s.set_cookie("c0", "replaced");
        assert_eq!(s.cookies()[0].1, "replaced");
        s.remove_cookie("c0");
        assert_eq!(s.cookies().len(), MAX_COOKIES - 1);
        assert!(s.cookies().iter().all(|(n, _)| n != "c0"));
    }

    #[test]
    fn session_debug_redacts_guid_and_cookies() {
        let s = SessionState::new(AgentId::from(4242u32), Guid::new("SECRET-GUID-777"));
        s.set_cookie("JSESSIONID", "SECRET-COOKIE-888");
        let shown = format!("{s:?} {s:#?}");
        assert!(shown.contains("4242"));
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
