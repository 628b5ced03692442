//! Whether to repeat a failed request and how long to wait first: [`RetryPolicy`], its backoff
//! and its [`Jitter`].

use std::time::Duration;

use crate::error::{Error, ErrorKind, UnauthorizedReason};

/// How failed requests are repeated.
///
/// An operation that is not idempotent (the spec says which: `x-moneykit-idempotent`, else
/// only a `GET` is) is sent again only when it provably did not reach the server (a refused
/// connection) or when the server asked for it again with `Retry-After`; never after a timeout,
/// a 5xx without `Retry-After` or a reset, when it may already have acted (RELIABILITY.md's
/// `POST /link-session` rows). Whether a failure is retried follows from its
/// [`ErrorKind`], decided once when the failure is classified, so the kind a caller sees and
/// the retry it got always agree (a 503 whose body says `api_error.rate_limit_exceeded` is
/// rate limited; a 429 whose body says `link_error.not_found` is not found, and not retried).
/// A request is repeated after:
/// - [`ErrorKind::RateLimited`] (HTTP 429), waiting exactly as long as `Retry-After` asks (seconds, or until its HTTP-date),
///   or the backoff below when there is none. A request is never sent before `Retry-After`
///   allows: when its wait is longer than [`max_delay`](RetryPolicy::max_delay) (or would
///   pass the call's deadline), the call fails at once with
///   [`ErrorKind::RateLimited`] carrying the server's value, without a further attempt;
/// - [`ErrorKind::Server`] (HTTP 5xx), a connection failure or an attempt's timeout, waiting a random time between zero
///   and `min(max_delay, base_delay × 2^(attempt − 1))` ("full jitter"); a 5xx (such as a 503)
///   that carries `Retry-After` is waited for by the same rule as a 429, and a too-long one
///   ends the call with [`ErrorKind::Server`] at once.
///
/// Nothing else is retried (nor a response whose body was over the size cap, whatever its
/// status). A wait that would pass the call's overall deadline is not made:
/// the last error is returned instead.
///
/// The default is 3 attempts in total, a 500 ms base delay, a 30 s maximum delay and
/// [`Jitter::Full`]. For tests that check the waits exactly, use [`Jitter::Off`] (and
/// `tokio::time::pause`: every wait is a `tokio::time::sleep`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Jitter,
}

/// How the backoff before a retry is picked below its ceiling,
/// `min(max_delay, base_delay × 2^(attempt − 1))`. A `Retry-After` is never jittered.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Jitter {
    /// A uniformly random wait between zero and the ceiling ("full jitter"), so that many clients
    /// failing together do not retry together. The default.
    #[default]
    Full,
    /// Exactly the ceiling: the waits are deterministic (500 ms, 1 s, 2 s, … with the defaults).
    /// For tests, or a single client that wants predictable timing.
    Off,
}

impl Jitter {
    fn apply(self, ceiling: Duration) -> Duration {
        match self {
            Jitter::Full => {
                let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(fastrand::u64(0..=nanos))
            }
            Jitter::Off => ceiling,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            jitter: Jitter::Full,
        }
    }
}

/// A decision to send a failed request again.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Retry {
    /// Why, for the span's `retry_reason`.
    pub(crate) reason: &'static str,
    /// How long to wait first.
    pub(crate) delay: Duration,
}

impl RetryPolicy {
    /// The default policy (3 attempts, 500 ms base delay, 30 s maximum delay).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every request is sent once.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in total, including the first. It must be at least 1: a policy of 0 attempts is
    /// refused ([`BuildError::InvalidSetting`](crate::BuildError::InvalidSetting) on the
    /// client, [`ErrorKind::InvalidInput`] on one call) rather than read as 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The backoff before the first retry; doubled for each further retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait before a retry. A `Retry-After` longer than this is not waited for (nor
    /// cut short): the call fails at once instead, with [`ErrorKind::RateLimited`] after a 429.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How the backoff is picked below its ceiling (default [`Jitter::Full`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Attempts in total.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Why this policy cannot be used, if it cannot.
    pub(crate) fn refusal(&self) -> Option<&'static str> {
        (self.max_attempts == 0).then_some("a retry policy needs at least one attempt")
    }

    /// Whether to send the request again after attempt `attempt` (1-based) failed with `error`,
    /// and after how long. The call's deadline is the caller's to check.
    pub(crate) fn after_failure(&self, attempt: u32, error: &Error) -> Option<Retry> {
        let reason = error.retry_reason()?;
        if attempt >= self.max_attempts {
            return None;
        }
        Some(Retry {
            reason,
            delay: self.delay(attempt, error.retry_after())?,
        })
    }

    /// The wait after attempt `attempt` failed with a retryable error that carried
    /// `retry_after`; `None` when the server asks for a longer wait than the policy makes.
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            // Waiting less would retry before the server allows it.
            Some(after) => (after <= self.max_delay).then_some(after),
            None => Some(self.backoff(attempt)),
        }
    }

    /// The backoff after attempt `attempt`, below its exponential ceiling.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        self.jitter.apply(ceiling)
    }
}

/// Whether a call refused with `error` is sent once more after renewing a client-credentials
/// token (`api_error.auth.expired_access_token`); the `retry_reason` it records.
pub(crate) fn renews_token(error: &Error) -> Option<&'static str> {
    (*error.kind() == ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken))
        .then_some("expired_token")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::retry_reason;

    /// An error response of `kind`, as `classify` leaves it.
    fn classified(status: u16, kind: ErrorKind) -> Error {
        let error = Error::response(kind, status, Default::default());
        let reason = retry_reason(&error, true, true);
        error.with_retry_reason(reason)
    }

    /// A transport failure of `kind`, as `classify` leaves it.
    fn transport(kind: ErrorKind) -> Error {
        let error = Error::new(kind);
        let reason = retry_reason(&error, true, true);
        error.with_retry_reason(reason)
    }

    #[test]
    fn backoff_is_bounded_by_the_exponential_ceiling() {
        let policy = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(2) <= Duration::from_millis(200));
            assert!(policy.backoff(3) <= Duration::from_millis(350));
            assert!(policy.backoff(40) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn retry_after_is_honoured_exactly_or_not_waited_for() {
        let policy = RetryPolicy::new().max_delay(Duration::from_secs(30));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(30))),
            Some(Duration::from_secs(30))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(31))), None);
        let limited = |after| {
            classified(
                429,
                ErrorKind::RateLimited {
                    retry_after: Some(after),
                },
            )
        };
        assert_eq!(
            policy.after_failure(1, &limited(Duration::from_secs(999_999))),
            None
        );
    }

    #[test]
    fn without_jitter_the_backoff_is_its_ceiling() {
        let policy = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350))
            .jitter(Jitter::Off);
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(2), Duration::from_millis(200));
        assert_eq!(policy.backoff(3), Duration::from_millis(350));
    }

    #[test]
    fn only_429_5xx_and_transport_failures_are_retried_while_attempts_remain() {
        let policy = RetryPolicy::new().jitter(Jitter::Off);
        let response = classified;
        let server = response(503, ErrorKind::Server);
        assert_eq!(
            policy.after_failure(1, &server),
            Some(Retry {
                reason: "server_error",
                delay: Duration::from_millis(500)
            })
        );
        assert_eq!(policy.after_failure(3, &server), None);
        let limited = response(429, ErrorKind::RateLimited { retry_after: None });
        assert_eq!(
            policy.after_failure(2, &limited).map(|r| r.reason),
            Some("rate_limited")
        );
        for status in [400, 401, 403, 404, 410, 422] {
            assert_eq!(
                policy.after_failure(1, &response(status, ErrorKind::UnexpectedStatus)),
                None
            );
        }
        for (kind, reason) in [
            (ErrorKind::Timeout, "timeout"),
            (ErrorKind::Connection, "connection"),
        ] {
            let retry = policy.after_failure(1, &transport(kind)).unwrap();
            assert_eq!(retry.reason, reason);
        }
        for kind in [ErrorKind::Decode, ErrorKind::ResponseTooLarge { limit: 1 }] {
            assert_eq!(policy.after_failure(1, &transport(kind)), None);
        }
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert_eq!(RetryPolicy::disabled().attempts(), 1);
        assert!(RetryPolicy::new().max_attempts(0).refusal().is_some());
        assert!(RetryPolicy::new().max_attempts(1).refusal().is_none());
        assert_eq!(RetryPolicy::default().attempts(), 3);
    }
}
