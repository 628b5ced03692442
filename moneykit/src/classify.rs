//! How every failure of the generated client becomes an [`Error`]: transport failures by their
//! cause, error responses by MoneyKit's `error_code` first and the HTTP status second, with the
//! fields read from the operation's typed error body (`moneykit_api::errors::<Op>Error`); and,
//! from the kind so decided, whether the request may be sent again ([`retry_reason`]), so that
//! what an error says and how it is retried cannot disagree.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use moneykit_api::errors::DocumentedError;
use moneykit_api::{BodyRefused, ByteStream, ErrorResponse};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::error::{
    Documented, Error, ErrorKind, MAX_SNIPPET_CHARS, ResponseBody, UnauthorizedReason,
};
use crate::text::one_line;

/// Turns a failure of a generated method into an [`Error`], reading (at most 64 KiB of) the body
/// of an error response. `E` is the operation's documented error enum.
pub(crate) async fn classify<E: DocumentedError>(error: moneykit_api::Error<ByteStream>) -> Error {
    use moneykit_api::Error as Api;
    let error = match ErrorResponse::read(error).await {
        Ok(ErrorResponse {
            status,
            headers,
            body,
        }) => {
            let out = match body {
                Ok(body) => from_response::<E>(status, headers, &body),
                Err(refusal) => unreadable(refusal, status, headers),
            };
            return finish::<E>(out, true);
        }
        Err(other) => other,
    };
    // A refused connection is the one transport failure that proves nothing was sent.
    let mut reached = true;
    let out = match error {
        // The body of a success response may hold account numbers, and serde_json's message
        // may quote the offending value: keep only where decoding failed.
        Api::InvalidResponsePayload(_body, json) => {
            Error::new(ErrorKind::Decode).with_detail(format!(
                "{:?} error at line {} column {}",
                json.classify(),
                json.line(),
                json.column()
            ))
        }
        Api::CommunicationError(source) | Api::ResponseBodyError(source) => {
            if let Some(refusal) = BodyRefused::find(&source) {
                // Never retried: the same answer would be refused again.
                return refused(refusal).with_operation(E::OPERATION_ID);
            }
            reached = !source.is_connect();
            let kind = if source.is_timeout() {
                ErrorKind::Timeout
            } else {
                ErrorKind::Connection
            };
            Error::new(kind).with_source(source)
        }
        Api::InvalidUpgrade(source) => Error::new(ErrorKind::UnexpectedStatus)
            .with_status(source.status().map(|s| s.as_u16()))
            .with_source(source),
        Api::InvalidRequest(why) | Api::Custom(why) => {
            Error::new(ErrorKind::InvalidInput).with_detail(one_line(&why, MAX_SNIPPET_CHARS))
        }
        // `ErrorResponse::read` took both above; it hands back every other failure.
        Api::ErrorResponse(_) | Api::UnexpectedResponse(_) => {
            Error::new(ErrorKind::UnexpectedStatus)
        }
    };
    finish::<E>(out, reached)
}

/// The operation's name on the error, and whether it may be retried (`reached`: whether the
/// request may have reached the server).
fn finish<E: DocumentedError>(error: Error, reached: bool) -> Error {
    let reason = retry_reason(&error, E::IDEMPOTENT, reached);
    error
        .with_operation(E::OPERATION_ID)
        .with_retry_reason(reason)
}

/// Why a failure may be sent again: a 429 (by its status or MoneyKit's
/// `api_error.rate_limit_exceeded`), a server error, or a transport failure. Nothing else, and
/// nothing whose body was too large to read. Decided from the kind, so that the error a caller
/// matches on and the retry it got always agree.
///
/// An operation that is not idempotent (`DocumentedError::IDEMPOTENT`, from the spec) may have
/// acted on a request that failed after sending it (a timeout, a 5xx, a reset): it is sent again
/// only when it provably did not reach the server (a refused connection) or when the server
/// asked for it again with `Retry-After` (a 429 or a 5xx).
pub(crate) fn retry_reason(error: &Error, idempotent: bool, reached: bool) -> Option<&'static str> {
    let reason = match error.kind() {
        ErrorKind::RateLimited { .. } => "rate_limited",
        ErrorKind::Server => "server_error",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Connection => "connection",
        _ => return None,
    };
    let asked_again = matches!(
        error.kind(),
        ErrorKind::RateLimited { .. } | ErrorKind::Server
    ) && error.retry_after().is_some();
    (idempotent || !reached || asked_again).then_some(reason)
}

fn from_response<E: DocumentedError>(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Error {
    // What the server sent, as any JSON object, and the same body decoded as the schema
    // documented for the status. The typed decode fills in the schema's defaults (such as the
    // documented `error_message`), so the fields are read from it first. `error_code` is read
    // only from what was sent: its schema default would be a guess when a status documents
    // several bodies (401), and an unknown code does not decode at all.
    let sent = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(serde_json::Value::is_object);
    let decoded = E::decode(status.as_u16(), body).and_then(Result::ok);
    let sent_text =
        |key: &str| -> Option<String> { Some(sent.as_ref()?.get(key)?.as_str()?.to_owned()) };
    // `ErrorFields` is generated from the body schemas: whichever body (or 401 union member)
    // was decoded answers, and a body the spec adds later is read the same way.
    let typed = |read: fn(&E) -> Option<&String>| decoded.as_ref().and_then(read).cloned();
    let error_code = sent_text("error_code");
    let link_error_code = typed(|d| d.link_error_code()).or_else(|| sent_text("link_error_code"));
    let error_message = typed(|d| d.error_message()).or_else(|| sent_text("error_message"));
    let documentation_url =
        typed(|d| d.documentation_url()).or_else(|| sent_text("documentation_url"));
    let validation_errors = decoded
        .as_ref()
        .and_then(|d| d.validation_errors())
        .cloned()
        .unwrap_or_default();
    let snippet = (sent.is_none() && !body.is_empty())
        .then(|| one_line(&String::from_utf8_lossy(body), MAX_SNIPPET_CHARS));
    let wait = retry_after(&headers, SystemTime::now());
    let kind = kind_of(status, error_code.as_deref(), link_error_code, wait);
    Error::response(
        kind,
        status.as_u16(),
        ResponseBody {
            error_code,
            error_message,
            documentation_url,
            snippet,
            retry_after: wait,
            validation_errors,
            headers,
            documented: decoded.map(|decoded| Arc::new(decoded) as Documented),
        },
    )
}

fn kind_of(
    status: StatusCode,
    error_code: Option<&str>,
    link_error_code: Option<String>,
    retry_after: Option<Duration>,
) -> ErrorKind {
    let rate_limited = || ErrorKind::RateLimited { retry_after };
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
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A body the client refused to read: too large, or from a redirect the HTTP client followed.
fn refused(refusal: BodyRefused) -> Error {
    match refusal {
        BodyRefused::TooLarge(too_large) => Error::new(ErrorKind::ResponseTooLarge {
            limit: too_large.limit,
        }),
        BodyRefused::Redirected(redirect) => {
            Error::new(ErrorKind::UnexpectedStatus).with_detail(redirect.to_string())
        }
        _ => Error::new(ErrorKind::UnexpectedStatus),
    }
}

/// An error response whose body the client refused to read; its status and headers are kept.
fn unreadable(refusal: BodyRefused, status: StatusCode, headers: HeaderMap) -> Error {
    refused(refusal).with_response(status.as_u16(), headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use moneykit_api::errors::{GetAccountsError, GetLinkError};
    use reqwest::header::HeaderValue;

    #[test]
    fn a_request_that_is_not_idempotent_is_retried_only_when_it_provably_did_not_act() {
        let response = |kind: ErrorKind, retry_after: Option<Duration>| {
            let body = ResponseBody {
                retry_after,
                ..Default::default()
            };
            Error::response(kind, 503, body)
        };
        let server = response(ErrorKind::Server, None);
        let asked = response(ErrorKind::Server, Some(Duration::from_secs(1)));
        let limited = response(ErrorKind::RateLimited { retry_after: None }, None);
        let timeout = Error::new(ErrorKind::Timeout);
        let connection = Error::new(ErrorKind::Connection);
        for (error, reached, idempotent, not_idempotent) in [
            (&server, true, Some("server_error"), None),
            (&asked, true, Some("server_error"), Some("server_error")),
            (&limited, true, Some("rate_limited"), None),
            (&timeout, true, Some("timeout"), None),
            (&connection, true, Some("connection"), None),
            (&connection, false, Some("connection"), Some("connection")),
        ] {
            assert_eq!(retry_reason(error, true, reached), idempotent, "{error:?}");
            assert_eq!(
                retry_reason(error, false, reached),
                not_idempotent,
                "{error:?}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(120)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn fields_come_from_the_typed_body() {
        let body = br#"{"error_code":"link_error.bad_state","error_message":"Reconnect.","link_error_code":"auth_expired"}"#;
        let error =
            from_response::<GetLinkError>(StatusCode::UNPROCESSABLE_ENTITY, HeaderMap::new(), body);
        assert_eq!(
            *error.kind(),
            ErrorKind::BadState {
                link_error_code: Some("auth_expired".into())
            }
        );
        assert_eq!(error.error_message(), Some("Reconnect."));
        // The schema's documented default message fills in a body without one.
        let error = from_response::<GetAccountsError>(
            StatusCode::TOO_MANY_REQUESTS,
            HeaderMap::new(),
            br#"{"error_code":"api_error.rate_limit_exceeded"}"#,
        );
        assert!(error.error_message().is_some_and(|m| !m.is_empty()));
    }
}
