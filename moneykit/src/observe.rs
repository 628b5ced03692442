//! [`AttemptObserver`]: the client-level hook through which an application sees every request
//! the client sends (for metrics) and adds its own headers to all of them (trace propagation
//! such as `traceparent`, client-wide defaults), without seeing or changing the credentials.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::Error;

/// Observes every attempt of every call of one client, token requests included; set with
/// [`ClientBuilder::attempt_observer`](crate::ClientBuilder::attempt_observer).
///
/// Both methods run on the task that sends the request, inside the call's `moneykit.request`
/// span (so `tracing::Span::current()` is the call's span, for trace propagation; a token
/// renewal runs in a task of its own, inside its own span), and must return quickly: the
/// request waits for them.
///
/// ```
/// use moneykit::{AttemptEnd, AttemptObserver, Client};
/// use moneykit::header::{HeaderMap, HeaderValue};
///
/// struct Tracing;
///
/// impl AttemptObserver for Tracing {
///     fn before_send(&self, _operation: &'static str, headers: &mut HeaderMap) {
///         // From your tracing context; a constant here.
///         let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
///         headers.insert("traceparent", HeaderValue::from_static(parent));
///     }
///
///     fn after_attempt(&self, end: &AttemptEnd<'_>) {
///         println!("{} attempt {}: {:?}", end.operation, end.attempt, end.status);
///     }
/// }
///
/// let client = Client::builder()
///     .access_token("token")
///     .attempt_observer(Tracing)
///     .build()?;
/// # let _ = client; Ok::<(), moneykit::BuildError>(())
/// ```
pub trait AttemptObserver: Send + Sync + 'static {
    /// Before each request is sent: `headers` starts empty, and what is added to it is sent
    /// with the request (after a call's own [`header`](crate::Request::header)s). A header the
    /// client owns (`Authorization`, `X-Client-Id`, `X-Client-Secret`, `moneykit-version`,
    /// `Host`, `Content-Length`, `Transfer-Encoding`) is dropped, never sent. `operation` is
    /// the spec's operation id (`get_link`, `create_access_token`).
    fn before_send(&self, operation: &'static str, headers: &mut HeaderMap) {
        let _ = (operation, headers);
    }

    /// After each attempt, before the client decides whether to retry.
    fn after_attempt(&self, end: &AttemptEnd<'_>) {
        let _ = end;
    }
}

/// How one attempt ended, for [`AttemptObserver::after_attempt`].
#[non_exhaustive]
pub struct AttemptEnd<'a> {
    /// The spec's operation id (`get_link`).
    pub operation: &'static str,
    /// The attempt's number in its call, from 1 (counting on after a token renewal).
    pub attempt: u32,
    /// The response's status, if one arrived.
    pub status: Option<u16>,
    /// The failure, if the attempt failed (a response status is on it too).
    pub error: Option<&'a Error>,
    /// How long the attempt took.
    pub elapsed: Duration,
}

impl fmt::Debug for AttemptEnd<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptEnd")
            .field("operation", &self.operation)
            .field("attempt", &self.attempt)
            .field("status", &self.status)
            .field("error", &self.error.map(|error| error.kind()))
            .field("elapsed", &self.elapsed)
            .finish()
    }
}
