//! The error of a call ([`Error`]) and what it says about a failure ([`ErrorKind`],
//! [`UnauthorizedReason`]). How a failure of the
//! generated client becomes an [`Error`] is `classify.rs`'s business.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use moneykit_api::errors::DocumentedError;
use moneykit_api::types::ValidationError;
use reqwest::header::HeaderMap;

use crate::text::one_line;

/// At most this many characters of a message or a non-MoneyKit body are kept.
pub(crate) const MAX_SNIPPET_CHARS: usize = 200;

/// What went wrong, for matching. New kinds may be added, so match with a `_` arm.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// HTTP 401: the credentials or token were refused, or the application may not reach the link.
    Unauthorized(UnauthorizedReason),
    /// HTTP 403 `link_error.forbidden_action`: the user did not grant this data when linking.
    Forbidden,
    /// HTTP 404 `link_error.not_found`: no such link.
    NotFound,
    /// HTTP 410 `link_error.deleted`: the link was deleted.
    Deleted,
    /// HTTP 422 `link_error.bad_state`: the link is not in a state that allows the request
    /// (for example it must be reconnected).
    BadState {
        /// The link's error (`auth_expired`, `incomplete`, …), as MoneyKit sent it.
        link_error_code: Option<String>,
    },
    /// HTTP 429: too many requests. Retried automatically (see [`crate::RetryPolicy`]); this is
    /// what is left when the retries ran out, or at once when the server's `Retry-After` asks
    /// for a longer wait than the policy's `max_delay` or the call's deadline allows.
    RateLimited {
        /// The server's `Retry-After` (seconds or HTTP-date), when it sent one.
        retry_after: Option<Duration>,
    },
    /// The request was refused as malformed (`api_error.request.validation_failed`, or a 400 or
    /// 422 that says nothing more specific).
    RequestValidation,
    /// HTTP 5xx. Retried automatically; this is what is left when the retries ran out.
    Server,
    /// Any other status (for example a 3xx, 408 or 418).
    UnexpectedStatus,
    /// A success response whose body did not decode as the documented type.
    Decode,
    /// The call did not finish in time: an attempt's timeout or the overall deadline.
    Timeout,
    /// The connection failed (refused, reset, TLS, DNS).
    Connection,
    /// The input was refused before any request was sent (an empty, `.`, `..` or over-long link
    /// id, a bad header value).
    InvalidInput,
    /// A response body was larger than the client's cap
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)). Found
    /// while the body streamed in (or from its `Content-Length`), so no more of it was read;
    /// never retried.
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
}

impl ErrorKind {
    /// A short, stable snake_case name of the kind, for logs, metrics and scripts (the CLI
    /// prints it, and the `error.type` field of the `moneykit.request` span records it).
    ///
    /// | kind | name |
    /// |---|---|
    /// | [`Unauthorized`](ErrorKind::Unauthorized) (any reason) | `unauthorized` |
    /// | [`Forbidden`](ErrorKind::Forbidden) | `forbidden` |
    /// | [`NotFound`](ErrorKind::NotFound) | `not_found` |
    /// | [`Deleted`](ErrorKind::Deleted) | `deleted` |
    /// | [`BadState`](ErrorKind::BadState) | `bad_state` |
    /// | [`RateLimited`](ErrorKind::RateLimited) | `rate_limited` |
    /// | [`RequestValidation`](ErrorKind::RequestValidation) | `request_validation` |
    /// | [`Server`](ErrorKind::Server) | `server` |
    /// | [`UnexpectedStatus`](ErrorKind::UnexpectedStatus) | `unexpected_status` |
    /// | [`Decode`](ErrorKind::Decode) | `decode` |
    /// | [`Timeout`](ErrorKind::Timeout) | `timeout` |
    /// | [`Connection`](ErrorKind::Connection) | `connection` |
    /// | [`InvalidInput`](ErrorKind::InvalidInput) | `invalid_input` |
    /// | [`ResponseTooLarge`](ErrorKind::ResponseTooLarge) | `response_too_large` |
    ///
    /// These names do not change; a kind added later gets a new name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Unauthorized(_) => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Deleted => "deleted",
            ErrorKind::BadState { .. } => "bad_state",
            ErrorKind::RateLimited { .. } => "rate_limited",
            ErrorKind::RequestValidation => "request_validation",
            ErrorKind::Server => "server",
            ErrorKind::UnexpectedStatus => "unexpected_status",
            ErrorKind::Decode => "decode",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "connection",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::ResponseTooLarge { .. } => "response_too_large",
        }
    }
}

/// What an application does next about a failed call: the [`ErrorKind`]s grouped by the action
/// they call for, so that every application does not write the same `match`. New kinds join an
/// existing group; a new group may be added, so match with a `_` arm.
///
/// | group | kinds | MoneyKit error codes and statuses |
/// |---|---|---|
/// | [`TryLater`](ErrorGroup::TryLater) | `rate_limited`, `server`, `timeout`, `connection` | `api_error.rate_limit_exceeded` (429), any 5xx, no answer |
/// | [`Reconnect`](ErrorGroup::Reconnect) | `bad_state`, `deleted` | `link_error.bad_state` (422, with its `link_error_code`), `link_error.deleted` (410) |
/// | [`NotPermitted`](ErrorGroup::NotPermitted) | `forbidden` | `link_error.forbidden_action` (403) |
/// | [`FixOnOurSide`](ErrorGroup::FixOnOurSide) | `unauthorized`, `not_found`, `request_validation`, `invalid_input`, `unexpected_status`, `decode`, `response_too_large` | `api_error.auth.unauthorized`, `api_error.auth.expired_access_token` (a token you supplied), `link_error.unauthorized_access` (401), `link_error.not_found` (404), `api_error.request.validation_failed` (400, 422), any other status |
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorGroup {
    /// Nothing is wrong with the request: MoneyKit or the network could not answer it now, and
    /// the client's retries ran out. Try again later (honour [`Error::retry_after`] when set).
    TryLater,
    /// The user must reconnect the bank through MoneyKit Connect (the link's login expired, it
    /// needs attention, or it was deleted). Repeating the call will not help.
    Reconnect,
    /// The user did not permit this data when linking (for example account numbers). Ask them
    /// to grant it, or go without it.
    NotPermitted,
    /// A bug or a configuration problem on the application's side: credentials, a token, a link
    /// id this application does not have, a malformed request, or an answer this client cannot
    /// read. Log it and fix it; repeating the call will not help.
    FixOnOurSide,
}

impl ErrorGroup {
    /// A short, stable snake_case name, for logs and metrics (`try_later`, `reconnect`,
    /// `not_permitted`, `fix_on_our_side`).
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorGroup::TryLater => "try_later",
            ErrorGroup::Reconnect => "reconnect",
            ErrorGroup::NotPermitted => "not_permitted",
            ErrorGroup::FixOnOurSide => "fix_on_our_side",
        }
    }
}

impl ErrorKind {
    /// What an application does next about an error of this kind ([`ErrorGroup`] lists them).
    pub fn group(&self) -> ErrorGroup {
        match self {
            ErrorKind::RateLimited { .. }
            | ErrorKind::Server
            | ErrorKind::Timeout
            | ErrorKind::Connection => ErrorGroup::TryLater,
            ErrorKind::BadState { .. } | ErrorKind::Deleted => ErrorGroup::Reconnect,
            ErrorKind::Forbidden => ErrorGroup::NotPermitted,
            ErrorKind::Unauthorized(_)
            | ErrorKind::NotFound
            | ErrorKind::RequestValidation
            | ErrorKind::UnexpectedStatus
            | ErrorKind::Decode
            | ErrorKind::InvalidInput
            | ErrorKind::ResponseTooLarge { .. } => ErrorGroup::FixOnOurSide,
        }
    }
}

/// What an error response's body said, as far as it could be read.
#[derive(Default)]
pub(crate) struct ResponseBody {
    pub(crate) error_code: Option<String>,
    pub(crate) error_message: Option<String>,
    pub(crate) documentation_url: Option<String>,
    /// The start of a body that is not MoneyKit JSON.
    pub(crate) snippet: Option<String>,
    /// The response's `Retry-After`, parsed.
    pub(crate) retry_after: Option<Duration>,
    /// What a request validation body said was wrong.
    pub(crate) validation_errors: Vec<ValidationError>,
    pub(crate) headers: HeaderMap,
    /// The body decoded as the operation's generated error type, when it decoded.
    pub(crate) documented: Option<Documented>,
}

/// A body decoded as an operation's generated error type (`errors::GetLinkError`, …), read back
/// with [`Error::documented`]. Shared, so that copies of a token failure keep it.
pub(crate) type Documented = Arc<dyn Any + Send + Sync>;

/// Why a 401 happened.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnauthorizedReason {
    /// `api_error.auth.expired_access_token`. With client credentials the client already renewed
    /// the token once and retried; with a caller-supplied token, supply a new one.
    ExpiredToken,
    /// `api_error.auth.unauthorized`: wrong client id or secret, or a token without the needed scope.
    InvalidCredentials,
    /// `link_error.unauthorized_access`: this application may not access the link.
    LinkAccess,
    /// A 401 without a known `error_code`.
    Other,
}

/// Every failure of a `moneykit` call.
///
/// `Display` is one line naming the operation, what happened and MoneyKit's own code and message;
/// it never contains a secret, a token or an account number, and whatever the server sent in it
/// is stripped of control characters and cut to 200 characters a piece (the accessors keep it
/// as sent). The fields MoneyKit sent are kept
/// ([`status`](Error::status), [`error_code`](Error::error_code), …); a body that is not MoneyKit
/// JSON (an HTML page from a proxy, plain text) is kept as a short [`body_snippet`](Error::body_snippet).
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    operation: Option<&'static str>,
    status: Option<u16>,
    error_code: Option<String>,
    error_message: Option<String>,
    documentation_url: Option<String>,
    body_snippet: Option<String>,
    detail: Option<String>,
    attempts: u32,
    retry_after: Option<Duration>,
    validation_errors: Vec<ValidationError>,
    /// Why the failed request may be sent again (`retry_reason` of the span), decided where the
    /// failure was classified (`classify.rs`); `None`: never retried.
    retry_reason: Option<&'static str>,
    headers: Option<HeaderMap>,
    documented: Option<Documented>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                operation: None,
                status: None,
                error_code: None,
                error_message: None,
                documentation_url: None,
                body_snippet: None,
                detail: None,
                attempts: 0,
                retry_after: None,
                validation_errors: Vec::new(),
                retry_reason: None,
                headers: None,
                documented: None,
                source: None,
            }),
        }
    }

    pub(crate) fn invalid_input(
        operation: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        let mut error = Error::new(ErrorKind::InvalidInput);
        error.inner.operation = operation;
        error.inner.detail = Some(detail.into());
        error
    }

    pub(crate) fn timeout(operation: &'static str, deadline: Duration) -> Self {
        let mut error = Error::new(ErrorKind::Timeout);
        error.inner.operation = Some(operation);
        error.inner.detail = Some(format!("the call did not finish within {deadline:?}"));
        error
    }

    /// If this is `operation`'s own deadline passing, says that the call was still waiting for
    /// an access token then (a failure of the token request itself names `create_access_token`).
    pub(crate) fn while_waiting_for_token(mut self, operation: &'static str) -> Self {
        if self.inner.kind == ErrorKind::Timeout && self.inner.operation == Some(operation) {
            let detail = self.inner.detail.take().unwrap_or_default();
            self.inner.detail = Some(format!(
                "{detail}, still waiting for an access token (POST /auth/token)"
            ));
        }
        self
    }

    /// An error response: its status and what its body said.
    pub(crate) fn response(kind: ErrorKind, status: u16, body: ResponseBody) -> Self {
        let mut error = Error::new(kind);
        error.inner.status = Some(status);
        error.inner.error_code = body.error_code;
        error.inner.error_message = body.error_message;
        error.inner.documentation_url = body.documentation_url;
        error.inner.body_snippet = body.snippet;
        error.inner.retry_after = body.retry_after;
        error.inner.validation_errors = body.validation_errors;
        error.inner.headers = Some(body.headers);
        error.inner.documented = body.documented;
        error
    }

    pub(crate) fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation = Some(operation);
        self
    }

    pub(crate) fn with_status(mut self, status: Option<u16>) -> Self {
        self.inner.status = status;
        self
    }

    /// The status and headers of the response whose body could not be read.
    pub(crate) fn with_response(mut self, status: u16, headers: HeaderMap) -> Self {
        self.inner.status = Some(status);
        self.inner.headers = Some(headers);
        self
    }

    /// Marks the failure as worth sending again, for `reason` (only `classify.rs` decides).
    pub(crate) fn with_retry_reason(mut self, reason: Option<&'static str>) -> Self {
        self.inner.retry_reason = reason;
        self
    }

    /// Why the failed request may be sent again, if it may; see [`RetryPolicy`](crate::RetryPolicy).
    pub(crate) fn retry_reason(&self) -> Option<&'static str> {
        self.inner.retry_reason
    }

    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        self.inner.detail = Some(detail);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// A copy for another caller (the source, which cannot be cloned, is described instead).
    pub(crate) fn shared_copy(&self) -> Error {
        let inner = &self.inner;
        let detail = match (&inner.detail, &inner.source) {
            (Some(detail), _) => Some(detail.clone()),
            (None, Some(source)) => Some(one_line(&source.to_string(), MAX_SNIPPET_CHARS)),
            (None, None) => None,
        };
        Error {
            inner: Box::new(Inner {
                kind: inner.kind.clone(),
                operation: inner.operation,
                status: inner.status,
                error_code: inner.error_code.clone(),
                error_message: inner.error_message.clone(),
                documentation_url: inner.documentation_url.clone(),
                body_snippet: inner.body_snippet.clone(),
                detail,
                attempts: inner.attempts,
                retry_after: inner.retry_after,
                validation_errors: inner.validation_errors.clone(),
                retry_reason: inner.retry_reason,
                headers: inner.headers.clone(),
                documented: inner.documented.clone(),
                source: None,
            }),
        }
    }

    /// The error body decoded as the spec documents it for this operation and status: `E` is
    /// the operation's generated error type, one variant per documented status
    /// (`error.documented::<moneykit::errors::GetLinkError>()`). `None` for another operation's
    /// type, for a failure without a response, and for a body that did not decode as
    /// documented (the fields of this error still tell what was sent).
    pub fn documented<E: DocumentedError>(&self) -> Option<&E> {
        self.inner.documented.as_ref()?.downcast_ref::<E>()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// What to do about it: [`ErrorKind::group`] of [`kind`](Self::kind).
    pub fn group(&self) -> ErrorGroup {
        self.inner.kind.group()
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// MoneyKit's `error_code` (`link_error.not_found`, …), when the body carried one.
    pub fn error_code(&self) -> Option<&str> {
        self.inner.error_code.as_deref()
    }

    /// MoneyKit's `error_message`, when the body carried one.
    pub fn error_message(&self) -> Option<&str> {
        self.inner.error_message.as_deref()
    }

    /// MoneyKit's `documentation_url`, when the body carried one.
    pub fn documentation_url(&self) -> Option<&str> {
        self.inner.documentation_url.as_deref()
    }

    /// The start (at most 200 characters, control characters removed) of an error body that was
    /// not MoneyKit JSON, such as a proxy's HTML page.
    pub fn body_snippet(&self) -> Option<&str> {
        self.inner.body_snippet.as_deref()
    }

    /// The operation that failed (`get_link`, `get_accounts`, `get_account_numbers`,
    /// `create_access_token`), when a request was attempted.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// How many HTTP attempts were made for the failing request (0 when none was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The server's `Retry-After` (seconds or HTTP-date, as a wait from when it was read), when
    /// the error response carried one: a 429's (also in [`ErrorKind::RateLimited`]), or a
    /// 503's. The client never retried sooner than a `Retry-After` it could read allowed. A value
    /// that is neither whole seconds nor an HTTP-date (`1.5`, `soon`) is treated as absent, as
    /// RFC 9110 §10.2.3 allows: it is `None` here and the retry waits the policy's own backoff.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.inner.kind {
            ErrorKind::RateLimited { retry_after } => retry_after,
            _ => self.inner.retry_after,
        }
    }

    /// What a request validation error body (`api_error.request.validation_failed`, HTTP 422
    /// or 400) said was wrong: each failure's location (for example `["header",
    /// "moneykit-version"]`), message and type. Empty for every other error. `Display` names the
    /// first of them.
    pub fn validation_errors(&self) -> &[ValidationError] {
        &self.inner.validation_errors
    }

    /// The error response's headers, all of them as received (a request id your deployment
    /// adds, `Retry-After`, …), when a response arrived. Not shown by `Display`; `Debug` shows
    /// their names only.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.inner.headers.as_ref()
    }

    fn describe_kind(&self) -> String {
        match &self.inner.kind {
            ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken) => {
                "unauthorized: the access token expired".into()
            }
            ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials) => {
                "unauthorized: the credentials were refused".into()
            }
            ErrorKind::Unauthorized(UnauthorizedReason::LinkAccess) => {
                "unauthorized: no access to this link".into()
            }
            ErrorKind::Unauthorized(_) => "unauthorized".into(),
            ErrorKind::Forbidden => "forbidden by the link owner".into(),
            ErrorKind::NotFound => "link not found".into(),
            ErrorKind::Deleted => "link deleted".into(),
            ErrorKind::BadState { link_error_code } => match link_error_code {
                Some(code) => format!("link in a bad state ({})", shown(code)),
                None => "link in a bad state".into(),
            },
            ErrorKind::RateLimited { retry_after } => match retry_after {
                Some(after) => format!("rate limited (retry after {}s)", after.as_secs()),
                None => "rate limited".into(),
            },
            ErrorKind::RequestValidation => "request refused as invalid".into(),
            ErrorKind::Server => "server error".into(),
            ErrorKind::UnexpectedStatus => match self.inner.status {
                Some(300..=399) => "unexpected response status (a redirect, not followed)".into(),
                _ => "unexpected response status".into(),
            },
            ErrorKind::Decode => "response body did not decode".into(),
            ErrorKind::Timeout => "timed out".into(),
            ErrorKind::Connection => "connection failed".into(),
            ErrorKind::InvalidInput => "invalid input".into(),
            ErrorKind::ResponseTooLarge { limit } => {
                format!("response body larger than the {limit}-byte cap")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MoneyKit ")?;
        if let Some(operation) = self.inner.operation {
            write!(f, "{operation} ")?;
        }
        write!(f, "failed: {}", self.describe_kind())?;
        // Everything but the operation and the numbers may come from the server (or a proxy):
        // each piece is put on one line and cut short, so no CR/LF or terminal escape reaches a
        // log or a terminal.
        match (self.inner.status, &self.inner.error_code) {
            (Some(status), Some(code)) => write!(f, " (HTTP {status}, {})", shown(code))?,
            (Some(status), None) => write!(f, " (HTTP {status})")?,
            (None, Some(code)) => write!(f, " ({})", shown(code))?,
            (None, None) => {}
        }
        if let Some(message) = &self.inner.error_message {
            write!(f, ": {}", shown(message))?;
        }
        if let Some((first, rest)) = self.inner.validation_errors.split_first() {
            write!(f, ": {}", describe_validation(first))?;
            if !rest.is_empty() {
                write!(f, " (and {} more)", rest.len())?;
            }
        }
        if let Some(detail) = &self.inner.detail {
            write!(f, ": {}", shown(detail))?;
        }
        if self.inner.attempts > 1 {
            write!(f, " after {} attempts", self.inner.attempts)?;
        }
        Ok(())
    }
}

/// Server-supplied text as `Display` shows it: one line, at most [`MAX_SNIPPET_CHARS`].
fn shown(text: &str) -> String {
    one_line(text, MAX_SNIPPET_CHARS)
}

/// `header moneykit-version: unsupported version`: where a validation failure is (its location's
/// keys and indexes, as sent) and what is wrong.
fn describe_validation(failure: &ValidationError) -> String {
    let location: Vec<String> = failure
        .location
        .iter()
        .map(|part| match serde_json::to_value(part) {
            Ok(serde_json::Value::String(key)) => key,
            Ok(other) => other.to_string(),
            Err(_) => "?".to_owned(),
        })
        .collect();
    shown(&format!("{}: {}", location.join(" "), failure.message))
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Error")
            .field("kind", &inner.kind)
            .field("operation", &inner.operation)
            .field("status", &inner.status)
            .field("error_code", &inner.error_code)
            .field("error_message", &inner.error_message)
            .field("documentation_url", &inner.documentation_url)
            .field("body_snippet", &inner.body_snippet)
            .field("detail", &inner.detail)
            .field("attempts", &inner.attempts)
            .field("retry_after", &inner.retry_after)
            .field("validation_errors", &inner.validation_errors)
            .field("retry_reason", &inner.retry_reason)
            .field("documented", &inner.documented.is_some())
            .field(
                "headers",
                &inner.headers.as_ref().map(|h| h.keys().collect::<Vec<_>>()),
            )
            .field("source", &inner.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind, its stable name and its group: the contract `as_str` and `group` document.
    #[test]
    fn kinds_have_stable_names_and_groups() {
        let table = [
            (
                ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken),
                "unauthorized",
                "fix_on_our_side",
            ),
            (
                ErrorKind::Unauthorized(UnauthorizedReason::Other),
                "unauthorized",
                "fix_on_our_side",
            ),
            (ErrorKind::Forbidden, "forbidden", "not_permitted"),
            (ErrorKind::NotFound, "not_found", "fix_on_our_side"),
            (ErrorKind::Deleted, "deleted", "reconnect"),
            (
                ErrorKind::BadState {
                    link_error_code: Some("auth_expired".into()),
                },
                "bad_state",
                "reconnect",
            ),
            (
                ErrorKind::RateLimited { retry_after: None },
                "rate_limited",
                "try_later",
            ),
            (
                ErrorKind::RequestValidation,
                "request_validation",
                "fix_on_our_side",
            ),
            (ErrorKind::Server, "server", "try_later"),
            (
                ErrorKind::UnexpectedStatus,
                "unexpected_status",
                "fix_on_our_side",
            ),
            (ErrorKind::Decode, "decode", "fix_on_our_side"),
            (ErrorKind::Timeout, "timeout", "try_later"),
            (ErrorKind::Connection, "connection", "try_later"),
            (ErrorKind::InvalidInput, "invalid_input", "fix_on_our_side"),
            (
                ErrorKind::ResponseTooLarge { limit: 1 },
                "response_too_large",
                "fix_on_our_side",
            ),
        ];
        for (kind, name, group) in table {
            assert_eq!((kind.as_str(), kind.group().as_str()), (name, group));
        }
    }
}
