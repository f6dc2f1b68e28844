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
use tokio::sync::mpsc;

use crate::error::{Error, RetCode};

/// Implemented by the generated `Event` enum: turns a wire event into a typed one.
pub trait DecodeEvent: Sized + Send + 'static {
    /// Decodes `content` for `event_type`; unknown types and undecodable
    /// content must give a fallback value, never an error.
    fn decode(event_type: &str, content: serde_json::Value) -> Self;
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
}

impl<'de, E: DecodeEvent> Deserialize<'de> for Received<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(rename = "eventType")]
            event_type: String,
            #[serde(rename = "workNo", default, deserialize_with = "crate::lenient::opt_string")]
            work_no: Option<String>,
            // A malformed timestamp is metadata, not a reason to lose the event.
            #[serde(rename = "eventGenTime", default, deserialize_with = "crate::lenient::opt_i64")]
            generated_at: Option<i64>,
            #[serde(default)]
            content: serde_json::Value,
        }
        let raw = Raw::deserialize(deserializer)?;
        Ok(Received {
            event: E::decode(&raw.event_type, raw.content),
            work_no: raw.work_no,
            generated_at: raw.generated_at,
        })
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
        }
    }
}

/// Why [`EventStream::wait_for`] returned without the event.
#[derive(Debug, thiserror::Error)]
pub enum WaitError<C: RetCode> {
    /// No matching event within the timeout.
    #[error("no matching event within {0:?}")]
    Timeout(Duration),
    /// The stream ended (session over) before a matching event arrived.
    #[error("the event stream ended before a matching event arrived")]
    Ended,
    /// Polling failed.
    #[error(transparent)]
    Poll(#[from] Error<C>),
}

/// A stream of polled events (`futures_core::Stream`), polling in the background.
///
/// Errors that polling recovers from are yielded as `Err` items and polling
/// goes on; an error that ends the session is yielded last.
pub struct EventStream<E, C: RetCode> {
    rx: mpsc::UnboundedReceiver<Result<E, Error<C>>>,
    /// Events read past by [`EventStream::wait_for`], handed out first.
    pending: VecDeque<E>,
    task: tokio::task::AbortHandle,
}

impl<E, C: RetCode> std::fmt::Debug for EventStream<E, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").field("pending", &self.pending.len()).finish_non_exhaustive()
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
    pub fn spawn<F, Fut>(mut poll: F, config: StreamConfig) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<E>, Error<C>>> + Send + 'static,
    {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut quiet = 0;
            let mut delay = config.retry_delay;
            loop {
                match poll().await {
                    Ok(Some(event)) => {
                        quiet = 0;
                        delay = config.retry_delay;
                        if tx.send(Ok(event)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => {
                        quiet = 0;
                        delay = config.retry_delay;
                        if tx.is_closed() {
                            return;
                        }
                        tokio::time::sleep(config.idle_interval).await;
                    }
                    // Signed out by the client itself: the stream just ends.
                    Err(Error::SessionEnded { .. }) => return,
                    Err(error) => {
                        let code = error.api_code().map(|c| c.code().to_owned());
                        // Errors no retry can mend end the stream, reported.
                        let ends = matches!(error, Error::Config(_) | Error::Validation(_))
                            || code.as_deref().is_some_and(|c| config.end_codes.contains(&c));
                        if ends {
                            let _ = tx.send(Err(error));
                            return;
                        }
                        let quiet_code = code.as_deref().is_some_and(|c| config.retry_codes.contains(&c));
                        if quiet_code && quiet < config.max_quiet_retries {
                            quiet += 1;
                            tokio::time::sleep(config.retry_delay).await;
                            continue;
                        }
                        if tx.send(Err(error)).is_err() {
                            return;
                        }
                        if quiet_code {
                            // The retry code persisted past its quiet retries.
                            return;
                        }
                        quiet = 0;
                        tokio::time::sleep(delay).await;
                        delay = delay.saturating_mul(2).min(config.max_retry_delay);
                    }
                }
            }
        })
        .abort_handle();
        Self { rx, pending: VecDeque::new(), task }
    }

    /// The next event or error; `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<E, Error<C>>> {
        if let Some(event) = self.pending.pop_front() {
            return Some(Ok(event));
        }
        self.rx.recv().await
    }

    /// Waits up to `timeout` for the first event that `matches`, e.g. the
    /// outcome of a transfer. Events read past stay in the stream, in order.
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`], [`WaitError::Ended`], or the polling error
    /// that stopped the wait.
    pub async fn wait_for(
        &mut self,
        mut matches: impl FnMut(&E) -> bool,
        timeout: Duration,
    ) -> Result<E, WaitError<C>> {
        if let Some(i) = self.pending.iter().position(&mut matches) {
            return Ok(self.pending.remove(i).expect("index from position"));
        }
        // A huge timeout (Duration::MAX means "forever") must not overflow.
        let now = tokio::time::Instant::now();
        let deadline = now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => return Err(WaitError::Timeout(timeout)),
                Ok(None) => return Err(WaitError::Ended),
                Ok(Some(Err(e))) => return Err(WaitError::Poll(e)),
                Ok(Some(Ok(event))) if matches(&event) => return Ok(event),
                Ok(Some(Ok(event))) => self.pending.push_back(event),
            }
        }
    }
}

impl<E, C: RetCode> futures_core::Stream for EventStream<E, C> {
    type Item = Result<E, Error<C>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(event) = self.pending.pop_front() {
            return Poll::Ready(Some(Ok(event)));
        }
        self.rx.poll_recv(cx)
    }
}

impl<E, C: RetCode> Unpin for EventStream<E, C> {}
