//! Events: the polled envelope, and a stream that keeps polling.
//!
//! The gateway signs an agent out after two minutes without a poll, so the
//! stream polls from its own task, independently of how fast the consumer
//! reads; events wait in the stream until taken. Dropping the stream stops
//! the task.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use tokio::sync::{mpsc, watch};
use tracing::Instrument;

use crate::error::{Error, RetCode};
use crate::session::SessionState;

/// Implemented by the generated `Event` enum: turns a wire event into a typed one.
pub trait DecodeEvent: Sized + Send + 'static {
    /// Decodes `content` for `event_type`, never failing: an unknown type
    /// gives a fallback value holding the content; a known type whose content
    /// does not fit its payload gives that type with nothing filled in, and
    /// hands the content back as the second value.
    fn decode(event_type: &str, content: serde_json::Value) -> (Self, Option<serde_json::Value>);
}

/// One event as delivered, with the envelope's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<E> {
    /// The typed event.
    pub event: E,
    /// The agent it concerns (`workNo`), when sent.
    pub work_no: Option<String>,
    /// When the gateway generated it (`eventGenTime`, epoch milliseconds); newer gateways only.
    pub generated_at: Option<i64>,
    /// The content as sent, when the event's kind is known but its content
    /// could not be read as that kind's payload; the payload then has
    /// nothing filled in. `None` when the payload was read.
    pub unreadable: Option<serde_json::Value>,
}

impl<'de, E: DecodeEvent> Deserialize<'de> for Received<E> {
    /// Never fails on a JSON value: an event that is not an object, or has no
    /// readable `eventType`, is decoded with an empty type name, keeping the
    /// whole value as its content. A poll answer must not lose an event.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let serde_json::Value::Object(mut members) = value else {
            let (event, unreadable) = E::decode("", value);
            return Ok(Received { event, work_no: None, generated_at: None, unreadable });
        };
        let Some(serde_json::Value::String(event_type)) = members.remove("eventType") else {
            let (event, unreadable) = E::decode("", serde_json::Value::Object(members));
            return Ok(Received { event, work_no: None, generated_at: None, unreadable });
        };
        let member = |members: &mut serde_json::Map<String, serde_json::Value>, name: &str| {
            members.remove(name).unwrap_or(serde_json::Value::Null)
        };
        let work_no = crate::lenient::opt_string(member(&mut members, "workNo")).unwrap_or(None);
        // A malformed timestamp is metadata, not a reason to lose the event.
        let generated_at = crate::lenient::opt_i64(member(&mut members, "eventGenTime")).unwrap_or(None);
        let (event, unreadable) = E::decode(&event_type, member(&mut members, "content"));
        Ok(Received { event, work_no, generated_at, unreadable })
    }
}

/// How an [`EventStream`] polls and when it gives up.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Pause after an empty answer (the gateway long-polls, so this is short).
    pub idle_interval: Duration,
    /// First pause after an error; doubles up to `max_retry_delay`.
    pub retry_delay: Duration,
    /// Longest pause between retries.
    pub max_retry_delay: Duration,
    /// Codes retried quietly a few times (the vendor: `000-003`, authentication lag).
    pub retry_codes: &'static [&'static str],
    /// How many times in a row a retry code is retried before it ends the stream.
    pub max_quiet_retries: u32,
    /// Codes that end the stream (the vendor: `100-006`, the agent is signed out).
    pub end_codes: &'static [&'static str],
    /// Events and errors held until read. When it is full, polling pauses
    /// until the reader catches up: a reader that stops for longer than the
    /// gateway's idle limit (two minutes) lets the agent be signed out, and
    /// learns it from the next item.
    pub buffer: usize,
    /// Events [`EventStream::wait_for`] read past, kept for
    /// [`EventStream::next`]; beyond this many the oldest is dropped and
    /// counted in [`EventStream::dropped`].
    pub max_read_past: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            idle_interval: Duration::from_millis(200),
            retry_delay: Duration::from_millis(500),
            max_retry_delay: Duration::from_secs(8),
            retry_codes: &["000-003"],
            max_quiet_retries: 5,
            end_codes: &["100-006"],
            buffer: 256,
            max_read_past: 1024,
        }
    }
}

/// Why [`EventStream::wait_for`] returned without the event.
#[derive(Debug, thiserror::Error)]
pub enum WaitError<C: RetCode> {
    /// No matching event before the deadline. Polling errors the stream
    /// recovered from do not end a wait; the last one seen is kept here.
    #[error("no matching event within {waited:?}{}", last_error.as_ref().map(|e| format!(" (last polling error: {e})")).unwrap_or_default())]
    Timeout {
        /// How long the wait lasted.
        waited: Duration,
        /// The last polling error seen during the wait, if any.
        last_error: Option<Error<C>>,
    },
    /// The stream ended (the session was signed out by this client) before a
    /// matching event arrived.
    #[error("the event stream ended before a matching event arrived")]
    Ended,
    /// Polling failed with an error that ends the stream (the agent was
    /// signed out by the gateway, or a retry code persisted).
    #[error(transparent)]
    Poll(#[from] Error<C>),
}

/// What the polling task hands the reader.
enum Item<E, C: RetCode> {
    Event(E),
    /// A polling error; `ends` when it is the last item of the stream.
    Error {
        error: Error<C>,
        ends: bool,
    },
}

/// Where a session stands, as the event stream sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Open,
    /// Signing out: no poll may start; one in flight runs on, and its event
    /// is delivered, until the sign-out is decided.
    Closing,
    Ended,
}

/// A stream of polled events (`futures_core::Stream`), polling in the background.
///
/// Errors that polling recovers from are yielded as `Err` items and polling
/// goes on; an error that ends the session is yielded last. Unread items are
/// bounded by [`StreamConfig::buffer`]: polling pauses while it is full.
pub struct EventStream<E, C: RetCode> {
    rx: mpsc::Receiver<Item<E, C>>,
    /// Events read past by [`EventStream::wait_for`], handed out first.
    read_past: VecDeque<E>,
    max_read_past: usize,
    dropped: u64,
    task: tokio::task::AbortHandle,
}

impl<E, C: RetCode> std::fmt::Debug for EventStream<E, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("read_past", &self.read_past.len())
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}

impl<E, C: RetCode> Drop for EventStream<E, C> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<E: Send + 'static, C: RetCode> EventStream<E, C> {
    /// Starts polling with `poll` on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    pub fn spawn<F, Fut>(poll: F, config: StreamConfig) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<E>, Error<C>>> + Send + 'static,
    {
        Self::start(poll, config, None, tracing::info_span!("agentgateway.events", agent_id = tracing::field::Empty))
    }

    /// Like [`EventStream::spawn`], for the events of `session`: no poll
    /// starts while the session is signing out (a poll in flight runs on and
    /// delivers its event), polling resumes if the sign-out fails, and the
    /// stream ends quietly once the session has ended (a poll in flight is
    /// then abandoned).
    pub fn spawn_for<F, Fut>(session: &SessionState, poll: F, config: StreamConfig) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<E>, Error<C>>> + Send + 'static,
    {
        let span = tracing::info_span!("agentgateway.events", agent_id = session.agent_id().as_str());
        Self::start(poll, config, Some(session.phase()), span)
    }

    fn start<F, Fut>(poll: F, config: StreamConfig, phase: Option<watch::Receiver<Phase>>, span: tracing::Span) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<E>, Error<C>>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(config.buffer.max(1));
        let max_read_past = config.max_read_past;
        let task = tokio::spawn(run(poll, config, phase, tx).instrument(span)).abort_handle();
        Self { rx, read_past: VecDeque::new(), max_read_past, dropped: 0, task }
    }

    /// The next event or error; `None` once the stream has ended. Events an
    /// earlier [`EventStream::wait_for`] read past come first, in order.
    pub async fn next(&mut self) -> Option<Result<E, Error<C>>> {
        if let Some(event) = self.read_past.pop_front() {
            return Some(Ok(event));
        }
        self.rx.recv().await.map(Item::into_result)
    }

    /// Waits up to `timeout` for the first new event that `matches`, e.g. the
    /// outcome of a transfer.
    ///
    /// Only events that arrive from the stream during this wait are
    /// considered: events an earlier wait read past never match a later one
    /// by surprise. Events read past stay available to
    /// [`EventStream::next`], in order, up to [`StreamConfig::max_read_past`];
    /// beyond that the oldest are dropped and counted by
    /// [`EventStream::dropped`]. Polling errors the stream recovers from (a
    /// gateway hiccup) do not end the wait; the deadline still holds.
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] (with the last polling error seen, if any),
    /// [`WaitError::Ended`], or [`WaitError::Poll`] with the error that
    /// ended the stream.
    pub async fn wait_for(
        &mut self,
        mut matches: impl FnMut(&E) -> bool,
        timeout: Duration,
    ) -> Result<E, WaitError<C>> {
        // A huge timeout (Duration::MAX means "forever") must not overflow.
        let now = tokio::time::Instant::now();
        let deadline = now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        let mut last_error = None;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => return Err(WaitError::Timeout { waited: timeout, last_error }),
                Ok(None) => return Err(WaitError::Ended),
                Ok(Some(Item::Error { error, ends: true })) => return Err(WaitError::Poll(error)),
                Ok(Some(Item::Error { error, ends: false })) => last_error = Some(error),
                Ok(Some(Item::Event(event))) if matches(&event) => return Ok(event),
                Ok(Some(Item::Event(event))) => self.keep_read_past(event),
            }
        }
    }

    /// How many events read past by [`EventStream::wait_for`] were dropped
    /// because more than [`StreamConfig::max_read_past`] were waiting.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn keep_read_past(&mut self, event: E) {
        if self.max_read_past == 0 {
            self.dropped += 1;
            return;
        }
        if self.read_past.len() >= self.max_read_past {
            self.read_past.pop_front();
            self.dropped += 1;
        }
        self.read_past.push_back(event);
    }
}

impl<E, C: RetCode> Item<E, C> {
    fn into_result(self) -> Result<E, Error<C>> {
        match self {
            Item::Event(event) => Ok(event),
            Item::Error { error, .. } => Err(error),
        }
    }
}

/// The polling loop of one stream.
async fn run<E, C, F, Fut>(
    mut poll: F,
    config: StreamConfig,
    mut phase: Option<watch::Receiver<Phase>>,
    tx: mpsc::Sender<Item<E, C>>,
) where
    C: RetCode,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<E>, Error<C>>>,
{
    let mut quiet = 0;
    let mut delay = config.retry_delay;
    loop {
        if !wait_until_open(&mut phase).await {
            return;
        }
        let answer = tokio::select! {
            answer = poll() => answer,
            // Signed out: the poll under way is abandoned. While a sign-out
            // is only under way the poll runs on: the gateway may have handed
            // it an event, which a refused sign-out must not lose.
            () = until(&mut phase, |p| *p == Phase::Ended) => return,
        };
        if !is_open(&phase) && !matches!(answer, Ok(Some(_))) {
            // Nothing to deliver, or an error of a session being signed
            // out: look again once the sign-out is decided.
            continue;
        }
        let pause = match answer {
            Ok(Some(event)) => {
                tracing::debug!(outcome = "event", "poll");
                quiet = 0;
                delay = config.retry_delay;
                if tx.send(Item::Event(event)).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(None) => {
                tracing::debug!(outcome = "none", "poll");
                quiet = 0;
                delay = config.retry_delay;
                if tx.is_closed() {
                    return;
                }
                config.idle_interval
            }
            // Signed out by the client itself: the stream just ends.
            Err(Error::SessionEnded { .. }) => {
                tracing::debug!("the session ended; the stream ends");
                return;
            }
            Err(error) => {
                let code = error.api_code().map(|c| c.code().to_owned());
                let quiet_code = code.as_deref().is_some_and(|c| config.retry_codes.contains(&c));
                if quiet_code && quiet < config.max_quiet_retries {
                    quiet += 1;
                    let pause = jittered(config.retry_delay);
                    tracing::debug!(error = %error, quiet_retry = quiet, delay_ms = millis(pause), "poll failed; retrying");
                    pause
                } else {
                    // Errors no retry can mend end the stream, reported; so
                    // does a retry code that persisted past its quiet retries.
                    let ends = matches!(error, Error::Config(_) | Error::Validation(_))
                        || code.as_deref().is_some_and(|c| config.end_codes.contains(&c))
                        || quiet_code;
                    if ends {
                        tracing::warn!(error = %error, "poll failed; the stream ends");
                    }
                    let shown = (!ends).then(|| error.to_string());
                    if tx.send(Item::Error { error, ends }).await.is_err() || ends {
                        return;
                    }
                    quiet = 0;
                    let pause = jittered(delay);
                    tracing::debug!(error = shown, delay_ms = millis(pause), "poll failed; retrying");
                    delay = delay.saturating_mul(2).min(config.max_retry_delay);
                    pause
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = until(&mut phase, |p| *p != Phase::Open) => {}
        }
    }
}

/// A pause between `delay / 2` and `delay`, drawn anew each time ("equal
/// jitter"): desktops that lost the gateway together must not come back in
/// lockstep, and none retries sooner than half the configured pause.
fn jittered(delay: Duration) -> Duration {
    let half = delay / 2;
    let nanos = u64::try_from((delay - half).as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(fastrand::u64(0..=nanos))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Waits while the session is signing out; false once it has ended.
async fn wait_until_open(phase: &mut Option<watch::Receiver<Phase>>) -> bool {
    let Some(phase) = phase else { return true };
    match phase.wait_for(|p| *p != Phase::Closing).await {
        Ok(p) => *p == Phase::Open,
        Err(_) => false,
    }
}

/// Whether polling may go on: always without a session.
fn is_open(phase: &Option<watch::Receiver<Phase>>) -> bool {
    phase.as_ref().is_none_or(|phase| *phase.borrow() == Phase::Open)
}

/// Resolves once the session's phase is one `reached` accepts; never
/// without a session.
async fn until(phase: &mut Option<watch::Receiver<Phase>>, reached: impl FnMut(&Phase) -> bool) {
    match phase {
        Some(phase) => {
            let _ = phase.wait_for(reached).await;
        }
        None => std::future::pending().await,
    }
}

impl<E, C: RetCode> futures_core::Stream for EventStream<E, C> {
    type Item = Result<E, Error<C>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(event) = self.read_past.pop_front() {
            return Poll::Ready(Some(Ok(event)));
        }
        self.rx.poll_recv(cx).map(|item| item.map(Item::into_result))
    }
}

impl<E, C: RetCode> Unpin for EventStream<E, C> {}

#[cfg(test)]
mod jitter_tests {
    use super::jittered;
    use std::time::Duration;

    #[test]
    fn pauses_stay_within_half_and_whole_and_spread() {
        let delay = Duration::from_secs(8);
        let pauses: Vec<Duration> = (0..64).map(|_| jittered(delay)).collect();
        assert!(pauses.iter().all(|p| *p >= delay / 2 && *p <= delay), "{pauses:?}");
        assert!(pauses.windows(2).any(|w| w[0] != w[1]), "pauses must differ: {pauses:?}");
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
