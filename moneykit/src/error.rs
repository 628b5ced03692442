//! The one error type of the crate ([`Error`]) and what it is made from: the classification of
//! every failure of the generated client into an [`ErrorKind`] users can match on.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use moneykit_api::errors::DocumentedError;
use moneykit_api::{ByteStream, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// At most this many bytes of an error body are read.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// At most this many characters of a non-MoneyKit body are kept.
const MAX_SNIPPET_CHARS: usize = 200;

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
    /// what is left when the retries ran out.
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
}

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
/// it never contains a secret, a token or an account number. The fields MoneyKit sent are kept
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
                source: None,
            }),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
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

    /// For [`ErrorKind::RateLimited`], the server's `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.inner.kind {
            ErrorKind::RateLimited { retry_after } => retry_after,
            _ => None,
        }
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
                Some(code) => format!("link in a bad state ({code})"),
                None => "link in a bad state".into(),
            },
            ErrorKind::RateLimited { retry_after } => match retry_after {
                Some(after) => format!("rate limited (retry after {}s)", after.as_secs()),
                None => "rate limited".into(),
            },
            ErrorKind::RequestValidation => "request refused as invalid".into(),
            ErrorKind::Server => "server error".into(),
            ErrorKind::UnexpectedStatus => "unexpected response status".into(),
            ErrorKind::Decode => "response body did not decode".into(),
            ErrorKind::Timeout => "timed out".into(),
            ErrorKind::Connection => "connection failed".into(),
            ErrorKind::InvalidInput => "invalid input".into(),
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
        match (self.inner.status, &self.inner.error_code) {
            (Some(status), Some(code)) => write!(f, " (HTTP {status}, {code})")?,
            (Some(status), None) => write!(f, " (HTTP {status})")?,
            (None, Some(code)) => write!(f, " ({code})")?,
            (None, None) => {}
        }
        if let Some(message) = &self.inner.error_message {
            write!(f, ": {}", one_line(message, MAX_SNIPPET_CHARS))?;
        }
        if let Some(detail) = &self.inner.detail {
            write!(f, ": {detail}")?;
        }
        if self.inner.attempts > 1 {
            write!(f, " after {} attempts", self.inner.attempts)?;
        }
        Ok(())
    }
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

/// Error when building a [`crate::Client`]: the configuration was refused before any request.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// No credentials were given (nor found in the environment).
    MissingCredentials,
    /// A credential is empty or not usable as an HTTP header value.
    InvalidCredentials(&'static str),
    /// The base URL did not parse, or is not an `http(s)` URL with a host and without a query.
    InvalidBaseUrl(String),
    /// The base URL is plain `http://` to a host that is not loopback, and
    /// [`allow_insecure_http`](crate::ClientBuilder::allow_insecure_http) was not set.
    InsecureBaseUrl(String),
    /// The API version is empty or not usable as an HTTP header value.
    InvalidApiVersion,
    /// A timeout or retry setting is out of range.
    InvalidSetting(&'static str),
    /// The HTTP client could not be built (for example no TLS backend).
    HttpClient(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingCredentials => f.write_str(
                "no MoneyKit credentials: give client credentials, an access token or the \
                 X-Client header pair (or set MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET, \
                 or MONEYKIT_ACCESS_TOKEN)",
            ),
            BuildError::InvalidCredentials(what) => {
                write!(f, "invalid MoneyKit credentials: {what}")
            }
            BuildError::InvalidBaseUrl(why) => write!(f, "invalid MoneyKit base URL: {why}"),
            BuildError::InsecureBaseUrl(host) => write!(
                f,
                "refusing plain http:// to non-loopback host `{host}`: use https:// or \
                 allow_insecure_http(true)"
            ),
            BuildError::InvalidApiVersion => {
                f.write_str("invalid moneykit-version: must be a non-empty header value")
            }
            BuildError::InvalidSetting(what) => {
                write!(f, "invalid MoneyKit client setting: {what}")
            }
            BuildError::HttpClient(why) => write!(f, "could not build the HTTP client: {why}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Turns a failure of a generated method into an [`Error`], reading (at most 64 KiB of) the body
/// of an error response. `E` is the operation's documented error enum.
pub(crate) async fn classify<E: DocumentedError>(error: moneykit_api::Error<ByteStream>) -> Error {
    use moneykit_api::Error as Api;
    let operation = E::OPERATION_ID;
    let mut out = match error {
        Api::ErrorResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = read_stream(response).await;
            from_response::<E>(status, &headers, &body)
        }
        Api::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = read_response(response).await;
            from_response::<E>(status, &headers, &body)
        }
        Api::InvalidResponsePayload(_body, json) => {
            // The body of a success response may hold account numbers, and serde_json's message
            // may quote the offending value: keep only where decoding failed.
            let mut out = Error::new(ErrorKind::Decode);
            out.inner.detail = Some(format!(
                "{:?} error at line {} column {}",
                json.classify(),
                json.line(),
                json.column()
            ));
            out
        }
        Api::CommunicationError(source) | Api::ResponseBodyError(source) => from_transport(source),
        Api::InvalidUpgrade(source) => {
            let mut out = Error::new(ErrorKind::UnexpectedStatus);
            out.inner.status = source.status().map(|s| s.as_u16());
            out.inner.source = Some(Box::new(source));
            out
        }
        Api::InvalidRequest(why) | Api::Custom(why) => {
            let mut out = Error::new(ErrorKind::InvalidInput);
            out.inner.detail = Some(one_line(&why, MAX_SNIPPET_CHARS));
            out
        }
    };
    out.inner.operation = Some(operation);
    out
}

pub(crate) fn from_transport(source: reqwest::Error) -> Error {
    let kind = if source.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connection
    };
    let mut out = Error::new(kind);
    out.inner.source = Some(Box::new(source));
    out
}

fn from_response<E: DocumentedError>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Error {
    let status_code = status.as_u16();
    // Any JSON object the server sent, and the same body decoded as the schema documented for
    // the status. The decoded form fills in the schema's defaults (such as the documented
    // `error_message`), so the fields are read from it first. `error_code` is read only from what
    // was sent: its schema default would be a guess when a status documents several bodies.
    let raw = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(|value| value.is_object());
    let decoded = match E::decode(status_code, body) {
        Some(Ok(decoded)) => serde_json::to_value(&decoded).ok(),
        _ => None,
    };
    let text_in = |value: &Option<serde_json::Value>, key: &str| -> Option<String> {
        value
            .as_ref()
            .and_then(|value| value.get(key))
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let text = |key: &str| text_in(&decoded, key).or_else(|| text_in(&raw, key));
    let error_code = text_in(&raw, "error_code");
    let link_error_code = text("link_error_code");
    let kind = kind_of(status, error_code.as_deref(), link_error_code, headers);
    let mut out = Error::new(kind);
    out.inner.status = Some(status_code);
    out.inner.error_message = text("error_message");
    out.inner.documentation_url = text("documentation_url");
    out.inner.error_code = error_code;
    if raw.is_none() && !body.is_empty() {
        out.inner.body_snippet = Some(one_line(&String::from_utf8_lossy(body), MAX_SNIPPET_CHARS));
    }
    out
}

fn kind_of(
    status: StatusCode,
    error_code: Option<&str>,
    link_error_code: Option<String>,
    headers: &HeaderMap,
) -> ErrorKind {
    let rate_limited = || ErrorKind::RateLimited {
        retry_after: retry_after(headers, SystemTime::now()),
    };
    match error_code {
        Some("api_error.auth.expired_access_token") => {
            return ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken);
        }
        Some("api_error.auth.unauthorized") => {
            return ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials);
        }
        Some("link_error.unauthorized_access") => {
            return ErrorKind::Unauthorized(UnauthorizedReason::LinkAccess);
        }
        Some("link_error.forbidden_action") => return ErrorKind::Forbidden,
        Some("link_error.not_found") => return ErrorKind::NotFound,
        Some("link_error.deleted") => return ErrorKind::Deleted,
        Some("link_error.bad_state") => return ErrorKind::BadState { link_error_code },
        Some("api_error.rate_limit_exceeded") => return rate_limited(),
        Some("api_error.request.validation_failed") => return ErrorKind::RequestValidation,
        _ => {}
    }
    match status.as_u16() {
        401 => ErrorKind::Unauthorized(UnauthorizedReason::Other),
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        410 => ErrorKind::Deleted,
        422 if link_error_code.is_some() => ErrorKind::BadState { link_error_code },
        429 => rate_limited(),
        400 | 422 => ErrorKind::RequestValidation,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::UnexpectedStatus,
    }
}

/// `Retry-After` as a duration: delta-seconds, or an HTTP-date (a date in the past is zero).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

async fn read_stream(response: ResponseValue<ByteStream>) -> Vec<u8> {
    let mut stream = response.into_inner().into_inner();
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match stream.next().await {
            Some(Ok(chunk)) => append_bounded(&mut body, &chunk),
            _ => break,
        }
    }
    body
}

async fn read_response(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => append_bounded(&mut body, &chunk),
            _ => break,
        }
    }
    body
}

fn append_bounded(body: &mut Vec<u8>, chunk: &Bytes) {
    let room = MAX_ERROR_BODY - body.len();
    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
}

/// At most `max` characters of `text` on one line: control characters become spaces and runs of
/// whitespace collapse.
fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = true;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        if count == max {
            out.push('…');
            break;
        }
        out.push(c);
        count += 1;
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::now();
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let after = retry_after(&headers, now).unwrap();
        assert!(
            after > Duration::from_secs(118) && after <= Duration::from_secs(120),
            "{after:?}"
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn one_line_strips_controls_and_truncates() {
        assert_eq!(
            one_line("<html>\n\t<body>Bad\r\ngateway</body>", 200),
            "<html> <body>Bad gateway</body>"
        );
        assert_eq!(one_line(&"x".repeat(300), 200).chars().count(), 201);
        assert_eq!(one_line("a\u{7}b", 10), "a b");
    }
}
