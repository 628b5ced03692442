//! Programmed faults: what the next calls answer instead of (or before) their normal answer.
//! [`Fault`] is what a test writes; `FaultQueue` keeps them in the order they were programmed
//! and costs one atomic load per request while it is empty.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
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
/// ```
/// use std::time::Duration;
/// use moneykit_sandbox::{ApiError, Fault, Operation};
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
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    answer: Answer,
    delay: Duration,
    times: u32,
    operation: Option<Operation>,
    link: Option<String>,
    retry_after: Option<Duration>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// The call's normal answer (after the delay).
    Normal,
    /// A documented status (its first body for the operation) or a 5xx.
    Status(u16),
    Error(ApiError),
    Drop,
}

impl Fault {
    fn new(answer: Answer) -> Self {
        Fault {
            answer,
            delay: Duration::ZERO,
            times: 1,
            operation: None,
            link: None,
            retry_after: None,
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
        Fault::new(Answer::Status(status))
    }

    /// Answer with one documented error body, on the operations that document it.
    pub fn error(error: ApiError) -> Self {
        Fault::new(Answer::Error(error))
    }

    /// Give the normal answer, `delay` late (on tokio's clock, so a paused clock skips it).
    pub fn delay(delay: Duration) -> Self {
        Fault::new(Answer::Normal).after(delay)
    }

    /// Close the connection without answering, as a crashed server or a cut network would.
    pub fn drop_connection() -> Self {
        Fault::new(Answer::Drop)
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

    /// The `Retry-After` of a 429 (default 1 s, as the spec says it is always sent) or of a 5xx
    /// (default none; HTTP allows it on a 503). Sent in whole seconds, rounded up.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// The status the fault answers with on `operation`, `None` for a normal answer or a drop.
    fn status_on(&self, operation: Operation) -> Option<u16> {
        match self.answer {
            Answer::Status(status) => Some(status),
            Answer::Error(error) => Some(error.status()),
            Answer::Normal | Answer::Drop => None,
        }
        .filter(|_| self.takes(operation))
    }

    /// Whether the fault can answer a call to `operation` at all.
    fn takes(&self, operation: Operation) -> bool {
        let documented = match self.answer {
            Answer::Normal | Answer::Drop => true,
            Answer::Status(status) if is_server_error(status) => true,
            Answer::Status(status) => ApiError::for_status(status, operation).is_some(),
            Answer::Error(error) => error.is_documented_for(operation),
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

    /// Refuses a fault that could never answer, or that asks for something the spec does not.
    pub(crate) fn validate(&self) -> Result<(), FaultError> {
        if self.times == 0 {
            return Err(FaultError::ZeroTimes);
        }
        if !Operation::ALL.iter().any(|&op| self.takes(op)) {
            let status = match self.answer {
                Answer::Status(status) => status,
                Answer::Error(error) => error.status(),
                Answer::Normal | Answer::Drop => 0,
            };
            return Err(FaultError::Undocumented {
                status,
                operation: self.operation,
            });
        }
        let status = Operation::ALL.iter().find_map(|&op| self.status_on(op));
        if self.retry_after.is_some()
            && !status.is_some_and(|status| status == 429 || is_server_error(status))
        {
            return Err(FaultError::RetryAfterNotAllowed { status });
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
        /// The status asked for (0 for a delay or a dropped connection).
        status: u16,
        /// The operation given with [`Fault::on`], if any.
        operation: Option<Operation>,
    },
    /// [`Fault::retry_after`] on an answer that is neither a 429 nor a 5xx.
    RetryAfterNotAllowed {
        /// The fault's status, `None` for a delay or a dropped connection.
        status: Option<u16>,
    },
    /// [`Fault::times`] was 0: the fault would never answer.
    ZeroTimes,
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
                "Retry-After is sent with a 429 or a 5xx only, not with {}",
                status.map_or("a normal answer".to_owned(), |s| s.to_string())
            ),
            FaultError::ZeroTimes => f.write_str("a fault must answer at least one call"),
        }
    }
}

impl std::error::Error for FaultError {}

/// What a handler does with a call a fault took.
pub(crate) enum Action {
    /// Wait, then answer normally.
    Delay(Duration),
    /// Wait, then send this instead.
    Reply(Duration, Response),
    /// Wait, then close the connection.
    Drop(Duration),
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
        let (answer, delay, retry_after) = (fault.answer, fault.delay, fault.retry_after);
        if fault.times == 0 {
            faults.remove(index);
            self.queued.store(faults.len(), Ordering::Release);
        }
        drop(faults);
        Some(match answer {
            Answer::Normal => Action::Delay(delay),
            Answer::Drop => Action::Drop(delay),
            Answer::Status(status) if is_server_error(status) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Action::Reply(delay, replies::server_error(status, retry_after))
            }
            Answer::Status(status) => {
                // `matches` checked that the operation documents it.
                let error = ApiError::for_status(status, operation).unwrap_or(ApiError::NotFound);
                Action::Reply(delay, error.reply(retry_after))
            }
            Answer::Error(error) => Action::Reply(delay, error.reply(retry_after)),
        })
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
