//! Every answer the sandbox sends that is not a link's data: the one place that builds each
//! documented error body (used by the checks, the scenario links and programmed faults alike),
//! the body of an injected 5xx, and the JSON responses themselves.

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use moneykit_api::Revealed;
use moneykit_api::types::{
    ApiErrorAuthExpiredAccessTokenResponse, ApiErrorAuthUnauthorizedResponse,
    ApiErrorRateLimitExceededResponse, HttpValidationError, LinkErrorBadStateResponse,
    LinkErrorDeletedResponse, LinkErrorForbiddenActionResponse, LinkErrorNotFoundResponse,
    LinkErrorUnauthorizedAccessResponse, LinkSessionErrorForbiddenConfigResponse,
    LinkSessionErrorInvalidTokenExchange, ValidationError, ValidationErrorLocationItem,
};
use serde::Serialize;

use crate::Operation;

/// What the rate-limited scenario, and a programmed 429 by default, ask the client to wait.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A documented error body, each as `openapi.yaml` describes it: what a scenario link answers
/// and what [`Fault::error`](crate::Fault::error) programs. New bodies may be added, so match
/// with a `_` arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiError {
    /// 401 `api_error.auth.expired_access_token` (every operation that takes credentials).
    ExpiredToken,
    /// 401 `api_error.auth.unauthorized` (every operation).
    Unauthorized,
    /// 401 `link_error.unauthorized_access` (the link operations).
    LinkAccess,
    /// 403 `link_error.forbidden_action` (the link operations).
    Forbidden,
    /// 404 `link_error.not_found` (the link operations).
    NotFound,
    /// 410 `link_error.deleted` (the link operations).
    Deleted,
    /// 422 `link_error.bad_state` with `link_error_code: auth_expired` (the link operations).
    BadState,
    /// 422 `api_error.request.validation_failed` (every operation).
    RequestValidation,
    /// 429 `api_error.rate_limit_exceeded` with `Retry-After` (every operation that documents
    /// a 429).
    RateLimited,
    /// 400 for a `grant_type` other than `client_credentials` (`POST /auth/token` only).
    InvalidGrant,
    /// 403 `link_session_error.forbidden_config` (`POST /link-session` only).
    ForbiddenConfig,
    /// 400 `link_session_error.invalid_token_exchange` (`POST /link-session/exchange-token`
    /// only).
    InvalidTokenExchange,
}

impl ApiError {
    /// Every body, in the order above.
    pub const ALL: &'static [ApiError] = &[
        ApiError::ExpiredToken,
        ApiError::Unauthorized,
        ApiError::LinkAccess,
        ApiError::Forbidden,
        ApiError::NotFound,
        ApiError::Deleted,
        ApiError::BadState,
        ApiError::RequestValidation,
        ApiError::RateLimited,
        ApiError::InvalidGrant,
        ApiError::ForbiddenConfig,
        ApiError::InvalidTokenExchange,
    ];

    /// The HTTP status the body is documented for.
    pub fn status(self) -> u16 {
        match self {
            ApiError::ExpiredToken | ApiError::Unauthorized | ApiError::LinkAccess => 401,
            ApiError::Forbidden | ApiError::ForbiddenConfig => 403,
            ApiError::NotFound => 404,
            ApiError::Deleted => 410,
            ApiError::BadState | ApiError::RequestValidation => 422,
            ApiError::RateLimited => 429,
            ApiError::InvalidGrant | ApiError::InvalidTokenExchange => 400,
        }
    }

    /// Whether `openapi.yaml` documents this body for `operation`: its status, and a body the
    /// operation can give (the link errors for a link's operations, each operation's own).
    pub fn is_documented_for(self, operation: Operation) -> bool {
        let body_fits = match self {
            ApiError::Unauthorized | ApiError::RequestValidation | ApiError::RateLimited => true,
            ApiError::ExpiredToken => operation.spec().authenticated,
            ApiError::InvalidGrant => operation == Operation::CreateAccessToken,
            ApiError::ForbiddenConfig => operation == Operation::CreateLinkSession,
            ApiError::InvalidTokenExchange => operation == Operation::ExchangeToken,
            ApiError::LinkAccess
            | ApiError::Forbidden
            | ApiError::NotFound
            | ApiError::Deleted
            | ApiError::BadState => operation.takes_link(),
        };
        body_fits && operation.documented_statuses().contains(&self.status())
    }

    /// The body a bare status stands for on `operation` (the first listed above for it), if
    /// the spec documents the status there.
    pub(crate) fn for_status(status: u16, operation: Operation) -> Option<ApiError> {
        let candidates: &[ApiError] = match status {
            400 => &[ApiError::InvalidGrant, ApiError::InvalidTokenExchange],
            401 => &[ApiError::Unauthorized],
            403 => &[ApiError::Forbidden, ApiError::ForbiddenConfig],
            404 => &[ApiError::NotFound],
            410 => &[ApiError::Deleted],
            422 => &[ApiError::BadState, ApiError::RequestValidation],
            429 => &[ApiError::RateLimited],
            _ => &[],
        };
        candidates
            .iter()
            .copied()
            .find(|error| error.is_documented_for(operation))
    }

    /// The response: the body, and `Retry-After` (whole seconds, rounded up) for a 429.
    pub(crate) fn reply(self, retry_after: Option<Duration>) -> Response {
        match self {
            ApiError::ExpiredToken => json(
                StatusCode::UNAUTHORIZED,
                ApiErrorAuthExpiredAccessTokenResponse::default(),
            ),
            ApiError::Unauthorized => unauthorized("Accounts access not permitted"),
            ApiError::LinkAccess => json(
                StatusCode::UNAUTHORIZED,
                LinkErrorUnauthorizedAccessResponse::default(),
            ),
            ApiError::Forbidden => forbidden("Accounts access not permitted"),
            ApiError::NotFound => not_found(),
            ApiError::Deleted => deleted(),
            ApiError::BadState => bad_state("auth_expired"),
            ApiError::RequestValidation => validation_failed(
                &["query"],
                "The request did not pass validation",
                "value_error",
            ),
            ApiError::RateLimited => with_retry_after(
                json(
                    StatusCode::TOO_MANY_REQUESTS,
                    ApiErrorRateLimitExceededResponse::default(),
                ),
                retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            ),
            ApiError::InvalidGrant => invalid_grant(),
            ApiError::ForbiddenConfig => forbidden_config("Forbidden use of a MoneyLink feature."),
            ApiError::InvalidTokenExchange => invalid_token_exchange(),
        }
    }
}

/// The sandbox plays MoneyKit, so what it sends carries sensitive values in full.
pub(crate) fn json(status: StatusCode, body: impl Serialize) -> Response {
    (status, Json(Revealed(&body))).into_response()
}

/// A body serialized earlier (a link's cached data).
pub(crate) fn cached_json(body: Bytes) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

pub(crate) fn with_retry_after(mut response: Response, wait: Duration) -> Response {
    // Saturating: a configured wait near `Duration::MAX` must not overflow the rounding.
    let seconds = wait
        .as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0));
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// An injected 5xx. MoneyKit documents no 5xx body; its framework (FastAPI) answers an
/// unhandled error with `text/plain` "Internal Server Error" and gateways in front of an API
/// send text or HTML too, so the sandbox sends the status's reason phrase as `text/plain`:
/// a client must cope with a body that is not MoneyKit JSON.
pub(crate) fn server_error(status: StatusCode, retry_after: Option<Duration>) -> Response {
    let reason = status.canonical_reason().unwrap_or("Server Error");
    let response = (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        reason,
    )
        .into_response();
    match retry_after {
        Some(wait) => with_retry_after(response, wait),
        None => response,
    }
}

pub(crate) fn validation_failed(location: &[&str], message: &str, kind: &str) -> Response {
    let body = HttpValidationError {
        documentation_url: None,
        error_code: Default::default(),
        error_message: "Request validation error".to_owned(),
        validation_errors: vec![ValidationError {
            location: location
                .iter()
                .map(|part| ValidationErrorLocationItem::String((*part).to_owned()))
                .collect(),
            message: message.to_owned(),
            type_: kind.to_owned(),
        }],
    };
    json(StatusCode::UNPROCESSABLE_ENTITY, body)
}

pub(crate) fn unauthorized(message: &str) -> Response {
    json(StatusCode::UNAUTHORIZED, unauthorized_body(message))
}

/// The body of a 401, which `POST /auth/token` also answers a bad grant with (as a 400).
fn unauthorized_body(message: &str) -> ApiErrorAuthUnauthorizedResponse {
    ApiErrorAuthUnauthorizedResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: message.to_owned(),
    }
}

pub(crate) fn expired_token() -> Response {
    ApiError::ExpiredToken.reply(None)
}

pub(crate) fn rate_limited(retry_after: Duration) -> Response {
    ApiError::RateLimited.reply(Some(retry_after))
}

pub(crate) fn invalid_grant() -> Response {
    let message = "Invalid grant_type: only client_credentials is supported";
    json(StatusCode::BAD_REQUEST, unauthorized_body(message))
}

pub(crate) fn forbidden(message: &str) -> Response {
    let body = LinkErrorForbiddenActionResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: message.to_owned(),
    };
    json(StatusCode::FORBIDDEN, body)
}

pub(crate) fn forbidden_config(message: &str) -> Response {
    let body = LinkSessionErrorForbiddenConfigResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: message.to_owned(),
    };
    json(StatusCode::FORBIDDEN, body)
}

pub(crate) fn invalid_token_exchange() -> Response {
    json(
        StatusCode::BAD_REQUEST,
        LinkSessionErrorInvalidTokenExchange::default(),
    )
}

pub(crate) fn bad_state(link_error_code: &str) -> Response {
    let body = LinkErrorBadStateResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: format!("The link cannot be used for this request ({link_error_code})."),
        link_error_code: link_error_code.to_owned(),
    };
    json(StatusCode::UNPROCESSABLE_ENTITY, body)
}

pub(crate) fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, LinkErrorNotFoundResponse::default())
}

pub(crate) fn deleted() -> Response {
    json(StatusCode::GONE, LinkErrorDeletedResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-kept table above agrees with the statuses the spec documents per operation.
    #[test]
    fn every_body_is_documented_where_it_says_and_every_status_has_one() {
        for &operation in Operation::ALL {
            let statuses = operation.documented_statuses();
            for &error in ApiError::ALL {
                if error.is_documented_for(operation) {
                    assert!(statuses.contains(&error.status()), "{error:?} {operation}");
                }
            }
            for status in statuses {
                let error = ApiError::for_status(*status, operation)
                    .unwrap_or_else(|| panic!("no ApiError for {status} on {operation}: add one"));
                assert_eq!(error.status(), *status);
            }
        }
    }

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        let response = with_retry_after(().into_response(), Duration::from_millis(1500));
        assert_eq!(response.headers()[RETRY_AFTER], "2");
        let response = with_retry_after(().into_response(), Duration::ZERO);
        assert_eq!(response.headers()[RETRY_AFTER], "0");
    }

    /// Finding A (durations saturate, nothing panics on any configured value), for
    /// `Fault::retry_after(Duration::MAX)`: its rounding overflowed.
    #[test]
    fn a_huge_retry_after_saturates_instead_of_panicking() {
        let response = with_retry_after(().into_response(), Duration::MAX);
        assert_eq!(
            response.headers()[RETRY_AFTER],
            u64::MAX.to_string().as_str()
        );
    }
}
