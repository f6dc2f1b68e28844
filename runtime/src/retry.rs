//! An optional retry policy for reads, with full jitter so that many
//! desktops reconnecting after an outage do not retry in lockstep.

use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, RetCode};

/// When and how often a failed read (a `GET`, e.g. event polling) is sent
/// again. Off unless set with
/// [`TransportBuilder::retry`](crate::TransportBuilder::retry).
///
/// Only failures that bring no answer are retried: a transport error, a
/// timeout, or HTTP 502/503/504. An answer with a `retcode` is never
/// retried, and neither is an operation that acts (`POST`, `PUT`,
/// `DELETE`), so a call cannot be placed twice. A poll is not a pure read:
/// the gateway takes the event it answers with off the queue, so an event
/// handed to a poll whose answer never arrived is lost whether or not the
/// poll is retried.
///
/// Retry `n` (from 0) waits a random time between zero and
/// `min(max_delay, base_delay × 2ⁿ)` ("full jitter").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl RetryPolicy {
    /// At most `max_attempts` sends in all (the first included; `1` means
    /// no retry), 200 ms base delay, 5 s longest delay.
    pub fn new(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }

    /// The cap of the first retry's delay; doubles at each further retry.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay between two sends.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sends at most, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before retry `retry` (0 for the first retry).
    fn delay(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let cap = self.base_delay.saturating_mul(1u32 << retry.min(20)).min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.u64(0..=nanos))
    }
}

/// A policy with its own random source, one per transport.
#[derive(Debug)]
pub(crate) struct Retrier {
    policy: RetryPolicy,
    rng: Mutex<fastrand::Rng>,
}

impl Retrier {
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        // Seeded from the thread's random generator, itself seeded from the
        // OS, so two transports (two desktops) draw different delays.
        Retrier { policy, rng: Mutex::new(fastrand::Rng::with_seed(fastrand::u64(..))) }
    }

    /// The pause before sending again after `sends` sends, or `None` when
    /// the attempts are used up.
    pub(crate) fn next_delay(&self, sends: u32) -> Option<Duration> {
        if sends >= self.policy.max_attempts {
            return None;
        }
        let mut rng = self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(self.policy.delay(sends.saturating_sub(1), &mut rng))
    }
}

/// Failures after which the gateway cannot have answered the request.
pub(crate) fn is_retryable<C: RetCode>(error: &Error<C>) -> bool {
    match error {
        Error::Transport { .. } | Error::Timeout { .. } => true,
        Error::Status { status, .. } => matches!(status, 502..=504),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(retrier: &Retrier) -> Vec<Duration> {
        (1..).map_while(|sends| retrier.next_delay(sends)).collect()
    }

    #[test]
    fn attempts_and_delays_are_bounded() {
        let policy = RetryPolicy::new(6).base_delay(Duration::from_millis(100)).max_delay(Duration::from_millis(300));
        let retrier = Retrier::new(policy);
        let delays = schedule(&retrier);
        assert_eq!(delays.len(), 5, "six sends are five retries");
        for (n, delay) in delays.iter().enumerate() {
            let cap = Duration::from_millis(100 * (1 << n)).min(Duration::from_millis(300));
            assert!(*delay <= cap, "retry {n}: {delay:?} > {cap:?}");
        }
        assert!(schedule(&Retrier::new(RetryPolicy::new(1))).is_empty());
        assert!(schedule(&Retrier::new(RetryPolicy::new(0))).is_empty(), "0 attempts is taken as 1");
    }

    #[test]
    fn two_transports_draw_different_schedules() {
        let policy = RetryPolicy::new(8).base_delay(Duration::from_secs(1)).max_delay(Duration::from_secs(60));
        let (a, b) = (schedule(&Retrier::new(policy)), schedule(&Retrier::new(policy)));
        assert_eq!(a.len(), 7);
        assert_ne!(a, b, "jitter must make two clients' schedules differ");
        // Not a constant fraction of the cap either: the delays spread.
        assert!(a.iter().zip(&b).any(|(x, y)| x != y));
    }

    #[test]
    fn only_unanswered_failures_are_retryable() {
        use crate::test_code::Code;
        let status = |status| Error::<Code>::Status { operation: "x", status, body_snippet: String::new() };
        assert!(is_retryable(&status(503)));
        assert!(!is_retryable(&status(500)));
        assert!(!is_retryable(&status(404)));
        let api = Error::<Code>::Api {
            operation: "x",
            code: Code::from_code("100-006"),
            message: String::new(),
            status: 200,
        };
        assert!(!is_retryable(&api));
        assert!(!is_retryable(&Error::<Code>::Config("x".into())));
        // A 503 whose answer says "done" may have been done: never sent again.
        let contradictory = Error::<Code>::Contradictory { operation: "x", status: 503, body_snippet: String::new() };
        assert!(!is_retryable(&contradictory));
    }
}
