//! Programmed faults: what the next calls answer instead of (or before) their normal answer.
//! [`Fault`] is what a test writes; `FaultQueue` keeps them in the order they were programmed
//! and costs one atomic load per request while it is empty.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::replies::{self, ApiError};
use crate::{Operation, lock};

/// What the next matching calls answer, programmed with [`Sandbox::fail`](crate::Sandbox::fail).
///
/// A fault answers one call by default ([`times`](Fault::times) for more), on any operation and
/// link unless [`on`](Fault::on) / [`on_link`](Fault::on_link) narrow it. It is checked before
/// anything else (credentials included), as a failing gateway or server would answer. Faults
/// are used in the order they were programmed: the first one that matches a call answers it.
///
/// Besides documented errors, a 5xx, a delay and a dropped connection, a fault can misbehave at
/// the level of the connection, as a proxy, a crashed server or a cut network would: answer
/// nothing at all ([`silence`](Fault::silence)), reset the connection after the headers or in
/// the middle of the body, send the body a byte at a time ([`Delivery`]), send a body without
/// end ([`endless_body`](Fault::endless_body)) or announce a huge one
/// ([`huge_length`](Fault::huge_length)); and it can answer any well-formed response the test
/// writes ([`respond`](Fault::respond)), documented or not. Every one of them is bounded: a
/// streamed body stops at 64 MiB, and stopping the sandbox ends every connection a fault holds.
///
/// ```
/// use std::time::Duration;
/// use moneykit_sandbox::{ApiError, Delivery, Fault, Operation};
///
/// // The next two calls to GET /links/{id}/accounts answer 503 (a text body, no JSON).
/// let unavailable = Fault::status(503).times(2).on(Operation::GetAccounts);
/// // The next token request answers only after 2 s.
/// let slow = Fault::delay(Duration::from_secs(2)).on(Operation::CreateAccessToken);
/// // The next call for this link: its connection is closed without an answer.
/// let dropped = Fault::drop_connection().on_link("mk_sandbox_us");
/// // The next call to a link operation (the token endpoint documents no such body) answers
/// // 401 `api_error.auth.expired_access_token`.
/// let expired = Fault::error(ApiError::ExpiredToken);
/// // A gateway's HTML page, with a `Retry-After` no client can read.
/// let gateway = Fault::respond(502, "text/html", "<html>Bad Gateway</html>")
///     .retry_after_raw("soon");
/// // The normal answer, its body one byte every 50 ms.
/// let slow_body = Fault::trickle(Duration::from_millis(50)).on(Operation::GetLink);
/// // A 200 whose connection is reset halfway through its body.
/// let cut = Fault::respond(200, "application/json", r#"{"link_id":"mk_1"}"#)
///     .delivered(Delivery::ResetMidBody);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    answer: FaultKind,
    delay: Duration,
    times: u32,
    operation: Option<Operation>,
    link: Option<String>,
    retry_after: Option<RetryAfter>,
    delivery: Delivery,
}

/// How an answer's body reaches the client: whole (the default), or cut or slowed down on the
/// way. Given with [`Fault::delivered`], or by the constructors [`Fault::reset_after_headers`],
/// [`Fault::reset_mid_body`] and [`Fault::trickle`] for the call's normal answer.
///
/// Whatever the body, the headers announce its whole length (`Content-Length`), so a client
/// can tell a cut body from a short one.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// The whole answer at once.
    #[default]
    Whole,
    /// The status line and headers, then the connection is reset before a byte of the body.
    ResetAfterHeaders,
    /// The status line, headers and the first half of the body, then the connection is reset.
    ResetMidBody,
    /// The status line and headers at once, then the body one byte every this long (on tokio's
    /// clock), to its end.
    Trickle(Duration),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum FaultKind {
    /// The call's normal answer (after the delay).
    Normal,
    /// A documented status (its first body for the operation) or a 5xx.
    Status(u16),
    Error(ApiError),
    Drop,
    /// A response the test wrote.
    Respond {
        status: u16,
        content_type: String,
        body: Bytes,
    },
    /// Never answers (until the sandbox stops).
    Silence,
    /// A chunked JSON body without end.
    Endless,
    /// A `Content-Length` of 1 GiB, streamed.
    HugeLength,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum RetryAfter {
    /// Whole seconds, rounded up.
    Wait(Duration),
    /// Sent as written.
    Raw(String),
}

impl Fault {
    fn new(answer: FaultKind) -> Self {
        Fault {
            answer,
            delay: Duration::ZERO,
            times: 1,
            operation: None,
            link: None,
            retry_after: None,
            delivery: Delivery::Whole,
        }
    }

    /// Answer with `status`: a status the spec documents for the operation, with its documented
    /// body (`400` invalid grant, `401` `api_error.auth.unauthorized`, `403`, `404`, `410`,
    /// `422` `link_error.bad_state` — request validation on `POST /auth/token` —, `429` with
    /// `Retry-After: 1`), or any 5xx. MoneyKit documents no 5xx body, so a 5xx carries its
    /// reason phrase as `text/plain` (e.g. `Service Unavailable`), as FastAPI and gateways
    /// do. A call to an operation that does not document `status` is not answered by the fault
    /// (nor counted); [`Sandbox::fail`](crate::Sandbox::fail) refuses one no operation takes.
    pub fn status(status: u16) -> Self {
        Fault::new(FaultKind::Status(status))
    }

    /// Answer with one documented error body, on the operations that document it.
    pub fn error(error: ApiError) -> Self {
        Fault::new(FaultKind::Error(error))
    }

    /// Give the normal answer, `delay` late (on tokio's clock, so a paused clock skips it).
    pub fn delay(delay: Duration) -> Self {
        Fault::new(FaultKind::Normal).after(delay)
    }

    /// Close the connection without answering, as a crashed server or a cut network would:
    /// the client sees the connection end before a status line.
    pub fn drop_connection() -> Self {
        Fault::new(FaultKind::Drop)
    }

    /// Answer exactly this, on any operation: `status` (200 to 599), `Content-Type:
    /// content_type` and `body`, with its `Content-Length`. Unlike every other answer of the
    /// sandbox, nothing checks it against the spec: it is what a proxy, a gateway or a broken
    /// server could send (an HTML page, truncated JSON, a 200 where the spec says 201, a body
    /// of the wrong shape). [`retry_after`](Fault::retry_after) and
    /// [`retry_after_raw`](Fault::retry_after_raw) add a `Retry-After` to any status.
    pub fn respond(status: u16, content_type: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Fault::new(FaultKind::Respond {
            status,
            content_type: content_type.into(),
            body: body.into(),
        })
    }

    /// Accept the request and never answer, as a hung server would: the connection stays
    /// open, without a byte, until the client gives up or the sandbox stops (which closes it).
    pub fn silence() -> Self {
        Fault::new(FaultKind::Silence)
    }

    /// The normal answer's status line and headers, then a reset connection instead of its
    /// body ([`Delivery::ResetAfterHeaders`]).
    pub fn reset_after_headers() -> Self {
        Fault::new(FaultKind::Normal).delivered(Delivery::ResetAfterHeaders)
    }

    /// The normal answer's headers and the first half of its body, then a reset connection
    /// ([`Delivery::ResetMidBody`]).
    pub fn reset_mid_body() -> Self {
        Fault::new(FaultKind::Normal).delivered(Delivery::ResetMidBody)
    }

    /// The normal answer's headers at once, then its body one byte every `every`
    /// ([`Delivery::Trickle`]): a client's timeouts, not the sandbox, must end the call.
    pub fn trickle(every: Duration) -> Self {
        Fault::new(FaultKind::Normal).delivered(Delivery::Trickle(every))
    }

    /// The operation's success status (201 for `POST /auth/token`, else 200),
    /// `application/json`, and a chunked body that does not end: `[0,0,0,…` for as long as the
    /// client reads, up to 64 MiB (then it is closed as `…,0]`). A client must cap what it
    /// reads.
    pub fn endless_body() -> Self {
        Fault::new(FaultKind::Endless)
    }

    /// The operation's success status, `application/json` and a `Content-Length` of 1 GiB,
    /// then spaces for as long as the client reads, up to 64 MiB (then the connection is
    /// reset, short of the length announced). A client must refuse or cap the body.
    pub fn huge_length() -> Self {
        Fault::new(FaultKind::HugeLength)
    }

    /// Wait `delay` before answering (or dropping the connection).
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = self.delay.saturating_add(delay);
        self
    }

    /// Answer this many matching calls (default 1); then the fault is gone.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    /// Only calls to `operation`.
    pub fn on(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Only calls for the link `link_id` (so never `POST /auth/token`).
    pub fn on_link(mut self, link_id: impl Into<String>) -> Self {
        self.link = Some(link_id.into());
        self
    }

    /// The `Retry-After` of a 429 (default 1 s, as the spec says it is always sent), of a 5xx
    /// (default none; HTTP allows it on a 503) or of a [`respond`](Fault::respond) fault (any
    /// status). Sent in whole seconds, rounded up.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(RetryAfter::Wait(wait));
        self
    }

    /// A `Retry-After` sent exactly as written, where [`retry_after`](Fault::retry_after) is
    /// allowed: an HTTP-date, a fraction, garbage (`soon`), as a misbehaving server sends.
    /// [`Sandbox::fail`](crate::Sandbox::fail) refuses a value that cannot be a header value.
    pub fn retry_after_raw(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(RetryAfter::Raw(value.into()));
        self
    }

    /// Deliver the answer's body this way ([`Delivery`]): the normal answer, a status, an error
    /// or a [`respond`](Fault::respond) fault. (A dropped connection, silence, an endless body
    /// and a huge length have their own.)
    pub fn delivered(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// The status the fault answers with on `operation`, `None` for a normal answer or one
    /// without a status of its own.
    fn status_on(&self, operation: Operation) -> Option<u16> {
        match self.answer {
            FaultKind::Status(status) => Some(status),
            FaultKind::Error(error) => Some(error.status()),
            FaultKind::Respond { status, .. } => Some(status),
            FaultKind::Normal
            | FaultKind::Drop
            | FaultKind::Silence
            | FaultKind::Endless
            | FaultKind::HugeLength => None,
        }
        .filter(|_| self.takes(operation))
    }

    /// Whether the fault can answer a call to `operation` at all.
    fn takes(&self, operation: Operation) -> bool {
        let documented = match self.answer {
            FaultKind::Status(status) if is_server_error(status) => true,
            FaultKind::Status(status) => ApiError::for_status(status, operation).is_some(),
            FaultKind::Error(error) => error.is_documented_for(operation),
            FaultKind::Normal
            | FaultKind::Drop
            | FaultKind::Respond { .. }
            | FaultKind::Silence
            | FaultKind::Endless
            | FaultKind::HugeLength => true,
        };
        documented
            && self.operation.is_none_or(|wanted| wanted == operation)
            && (self.link.is_none() || operation.takes_link())
    }

    fn matches(&self, operation: Operation, link: Option<&str>) -> bool {
        self.takes(operation)
            && self
                .link
                .as_deref()
                .is_none_or(|wanted| link == Some(wanted))
    }

    /// Refuses a fault that could never answer, or that asks for something the spec does not
    /// (or that HTTP cannot carry).
    pub(crate) fn validate(&self) -> Result<(), FaultError> {
        if self.times == 0 {
            return Err(FaultError::ZeroTimes);
        }
        if !Operation::ALL.iter().any(|&op| self.takes(op)) {
            let status = match self.answer {
                FaultKind::Status(status) => status,
                FaultKind::Error(error) => error.status(),
                _ => 0,
            };
            return Err(FaultError::Undocumented {
                status,
                operation: self.operation,
            });
        }
        if let FaultKind::Respond {
            status,
            content_type,
            ..
        } = &self.answer
        {
            if !(200..=599).contains(status) {
                return Err(FaultError::InvalidStatus { status: *status });
            }
            if HeaderValue::from_str(content_type).is_err() {
                return Err(FaultError::InvalidHeader {
                    header: "content-type",
                });
            }
        }
        let status = Operation::ALL.iter().find_map(|&op| self.status_on(op));
        if let Some(retry_after) = &self.retry_after {
            let allowed = matches!(self.answer, FaultKind::Respond { .. })
                || status.is_some_and(|status| status == 429 || is_server_error(status));
            if !allowed {
                return Err(FaultError::RetryAfterNotAllowed { status });
            }
            if let RetryAfter::Raw(value) = retry_after
                && HeaderValue::from_str(value).is_err()
            {
                return Err(FaultError::InvalidHeader {
                    header: "retry-after",
                });
            }
        }
        if self.delivery != Delivery::Whole
            && matches!(
                self.answer,
                FaultKind::Drop | FaultKind::Silence | FaultKind::Endless | FaultKind::HugeLength
            )
        {
            return Err(FaultError::DeliveryNotAllowed);
        }
        Ok(())
    }
}

fn is_server_error(status: u16) -> bool {
    (500..=599).contains(&status)
}

/// Why [`Sandbox::fail`](crate::Sandbox::fail) refused a fault.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// No operation (or not the one given with [`Fault::on`]) documents this status or body,
    /// and it is not a 5xx; or [`Fault::on_link`] was combined with `POST /auth/token`.
    Undocumented {
        /// The status asked for (0 for an answer without a status of its own: a delay, a
        /// dropped connection, …).
        status: u16,
        /// The operation given with [`Fault::on`], if any.
        operation: Option<Operation>,
    },
    /// [`Fault::retry_after`] or [`Fault::retry_after_raw`] on an answer that is neither a 429,
    /// a 5xx nor a [`Fault::respond`].
    RetryAfterNotAllowed {
        /// The fault's status, `None` for an answer without a status of its own.
        status: Option<u16>,
    },
    /// [`Fault::times`] was 0: the fault would never answer.
    ZeroTimes,
    /// [`Fault::respond`] with a status outside 200 to 599.
    InvalidStatus {
        /// The status asked for.
        status: u16,
    },
    /// A [`Fault::respond`] content type or a [`Fault::retry_after_raw`] value that cannot be
    /// an HTTP header value (a control character, a line break).
    InvalidHeader {
        /// The header: `content-type` or `retry-after`.
        header: &'static str,
    },
    /// [`Fault::delivered`] on an answer that has no body to deliver that way (a dropped
    /// connection, silence, an endless body, a huge length).
    DeliveryNotAllowed,
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::Undocumented {
                status,
                operation: Some(operation),
            } => write!(
                f,
                "openapi.yaml documents no {status} for {operation} (a fault may answer \
                 a documented status, a 5xx, a delay or a dropped connection)"
            ),
            FaultError::Undocumented { status, .. } => {
                write!(f, "no operation of openapi.yaml documents a {status} here")
            }
            FaultError::RetryAfterNotAllowed { status } => write!(
                f,
                "Retry-After is sent with a 429, a 5xx or a written response only, not with {}",
                status.map_or("a normal answer".to_owned(), |s| s.to_string())
            ),
            FaultError::ZeroTimes => f.write_str("a fault must answer at least one call"),
            FaultError::InvalidStatus { status } => {
                write!(
                    f,
                    "a written response has a status of 200 to 599, not {status}"
                )
            }
            FaultError::InvalidHeader { header } => {
                write!(f, "the {header} given cannot be an HTTP header value")
            }
            FaultError::DeliveryNotAllowed => f.write_str(
                "a dropped connection, silence, an endless body or a huge length has no body \
                 to deliver another way",
            ),
        }
    }
}

impl std::error::Error for FaultError {}

/// What a handler does with a call a fault took: wait `delay`, then `step`, the body delivered
/// as `delivery`.
pub(crate) struct Action {
    pub(crate) delay: Duration,
    pub(crate) step: Step,
    pub(crate) delivery: Delivery,
}

pub(crate) enum Step {
    /// Answer normally.
    Normal,
    /// Send this instead.
    Reply(Response),
    /// Close the connection.
    Drop,
    /// Answer nothing until the sandbox stops.
    Silence,
    /// The operation's success status and a body without end.
    Endless(StatusCode),
    /// The operation's success status, 1 GiB announced.
    HugeLength(StatusCode),
}

/// The programmed faults, in order.
#[derive(Default)]
pub(crate) struct FaultQueue {
    /// How many faults are queued: the only thing a call reads while there are none.
    queued: AtomicUsize,
    faults: Mutex<Vec<Fault>>,
}

impl FaultQueue {
    pub(crate) fn push(&self, fault: Fault) {
        let mut faults = lock(&self.faults);
        faults.push(fault);
        self.queued.store(faults.len(), Ordering::Release);
    }

    pub(crate) fn clear(&self) {
        let mut faults = lock(&self.faults);
        faults.clear();
        self.queued.store(0, Ordering::Release);
    }

    /// Calls the queued faults will still answer.
    pub(crate) fn pending(&self) -> usize {
        lock(&self.faults).iter().map(|f| f.times as usize).sum()
    }

    /// The first fault that matches a call, used once.
    pub(crate) fn take(&self, operation: Operation, link: Option<&str>) -> Option<Action> {
        if self.queued.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = lock(&self.faults);
        let index = faults.iter().position(|f| f.matches(operation, link))?;
        let fault = &mut faults[index];
        fault.times -= 1;
        let taken = if fault.times == 0 {
            let taken = faults.remove(index);
            self.queued.store(faults.len(), Ordering::Release);
            taken
        } else {
            fault.clone()
        };
        drop(faults);
        let success = StatusCode::from_u16(operation.spec().success).unwrap_or(StatusCode::OK);
        let step = match taken.answer {
            FaultKind::Normal => Step::Normal,
            FaultKind::Drop => Step::Drop,
            FaultKind::Silence => Step::Silence,
            FaultKind::Endless => Step::Endless(success),
            FaultKind::HugeLength => Step::HugeLength(success),
            FaultKind::Status(status) if is_server_error(status) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Step::Reply(replies::server_error(status, seconds(&taken.retry_after)))
            }
            FaultKind::Status(status) => {
                // `matches` checked that the operation documents it.
                let error = ApiError::for_status(status, operation).unwrap_or(ApiError::NotFound);
                Step::Reply(error.reply(seconds(&taken.retry_after)))
            }
            FaultKind::Error(error) => Step::Reply(error.reply(seconds(&taken.retry_after))),
            FaultKind::Respond {
                status,
                content_type,
                body,
            } => Step::Reply(written(status, &content_type, body, &taken.retry_after)),
        };
        let step = match (step, &taken.retry_after) {
            (Step::Reply(mut response), Some(RetryAfter::Raw(value))) => {
                // `validate` checked that it is a header value.
                if let Ok(value) = HeaderValue::from_str(value) {
                    response.headers_mut().insert(RETRY_AFTER, value);
                }
                Step::Reply(response)
            }
            (step, _) => step,
        };
        Some(Action {
            delay: taken.delay,
            step,
            delivery: taken.delivery,
        })
    }
}

/// A `Retry-After` in seconds, for the replies that send one.
fn seconds(retry_after: &Option<RetryAfter>) -> Option<Duration> {
    match retry_after {
        Some(RetryAfter::Wait(wait)) => Some(*wait),
        Some(RetryAfter::Raw(_)) | None => None,
    }
}

/// A [`Fault::respond`] answer (`validate` checked its status and content type; the fallbacks
/// only keep this free of a panic).
fn written(
    status: u16,
    content_type: &str,
    body: Bytes,
    retry_after: &Option<RetryAfter>,
) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    match seconds(retry_after) {
        Some(wait) => replies::with_retry_after(response, wait),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_the_spec_does_not_allow_are_refused() {
        assert_eq!(Fault::status(503).validate(), Ok(()));
        assert_eq!(Fault::status(400).validate(), Ok(()));
        assert_eq!(
            Fault::status(404)
                .on(Operation::CreateAccessToken)
                .validate(),
            Err(FaultError::Undocumented {
                status: 404,
                operation: Some(Operation::CreateAccessToken)
            })
        );
        assert!(matches!(
            Fault::status(418).validate(),
            Err(FaultError::Undocumented { status: 418, .. })
        ));
        assert!(
            Fault::error(ApiError::InvalidGrant)
                .on_link("mk_1")
                .validate()
                .is_err()
        );
        assert_eq!(
            Fault::status(503).times(0).validate(),
            Err(FaultError::ZeroTimes)
        );
        assert_eq!(
            Fault::status(404)
                .retry_after(Duration::from_secs(1))
                .validate(),
            Err(FaultError::RetryAfterNotAllowed { status: Some(404) })
        );
        assert!(
            Fault::status(429)
                .retry_after(Duration::ZERO)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn a_fault_answers_only_where_it_matches_and_as_often_as_asked() {
        let queue = FaultQueue::default();
        assert!(queue.take(Operation::GetLink, Some("a")).is_none());
        queue.push(Fault::status(404).times(2).on_link("a"));
        assert_eq!(queue.pending(), 2);
        assert!(queue.take(Operation::GetLink, Some("b")).is_none());
        assert!(queue.take(Operation::CreateAccessToken, None).is_none());
        assert!(queue.take(Operation::GetLink, Some("a")).is_some());
        assert!(queue.take(Operation::GetAccounts, Some("a")).is_some());
        assert!(queue.take(Operation::GetLink, Some("a")).is_none());
        assert_eq!(queue.pending(), 0);
    }
}
