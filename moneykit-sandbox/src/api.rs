//! The four endpoints, and the checks every request passes in the API's order: credentials,
//! `moneykit-version`, parameters, then the link (scenario, rate limit, state, products).
//! Every answer is a generated type serialized as JSON.
// A failed check returns the reply itself; it is built once per request, so its size is moot.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use moneykit_api::Sensitive;
use moneykit_api::types::{
    ApiErrorAuthExpiredAccessTokenResponse, ApiErrorAuthUnauthorizedResponse,
    ApiErrorRateLimitExceededResponse, BodyCreateAccessTokenAuthTokenPost,
    CreateAccessTokenResponse, GetAccountNumbersResponseLegacy20230218, GetAccountsResponse,
    HttpValidationError, LinkErrorBadStateResponse, LinkErrorDeletedResponse,
    LinkErrorForbiddenActionResponse, LinkErrorNotFoundResponse,
    LinkErrorUnauthorizedAccessResponse, Product, PublicLinkState, SupportedVersion,
    ValidationError, ValidationErrorLocationItem,
};
use serde::Serialize;

use crate::Config;
use crate::seed::{SEED, Scenario, SeedLink, scenario};

/// At most this many live tokens are kept; past it the ones closest to expiry are forgotten.
const MAX_TOKENS: usize = 10_000;
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// What the rate-limited scenario asks the client to wait, in seconds.
const SCENARIO_RETRY_AFTER_SECS: u64 = 1;

pub(crate) struct AppState {
    pub(crate) config: Config,
    tokens: Mutex<HashMap<String, Instant>>,
    windows: Mutex<HashMap<(String, Endpoint), Window>>,
    pub(crate) tokens_issued: AtomicU64,
}

impl AppState {
    pub(crate) fn new(config: Config) -> Arc<Self> {
        Arc::new(AppState {
            config,
            tokens: Mutex::new(HashMap::new()),
            windows: Mutex::new(HashMap::new()),
            tokens_issued: AtomicU64::new(0),
        })
    }
}

/// A lock that a panicking holder cannot make unusable (nothing here panics, but a sandbox must
/// never turn one bad request into a dead server).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Endpoint {
    Link,
    Accounts,
    Numbers,
}

impl Endpoint {
    /// The documented per-link limit per minute.
    fn limit(self) -> u32 {
        match self {
            Endpoint::Link => 15,
            Endpoint::Accounts => 4,
            Endpoint::Numbers => 3,
        }
    }
}

struct Window {
    started: Instant,
    count: u32,
}

// ---------------------------------------------------------------- responses

fn json(status: StatusCode, body: impl Serialize) -> Response {
    (status, Json(body)).into_response()
}

fn validation_failed(location: &[&str], message: &str, kind: &str) -> Response {
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

fn unauthorized(message: &str) -> Response {
    let body = ApiErrorAuthUnauthorizedResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: message.to_owned(),
    };
    json(StatusCode::UNAUTHORIZED, body)
}

fn expired_token() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        ApiErrorAuthExpiredAccessTokenResponse::default(),
    )
}

fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = json(
        StatusCode::TOO_MANY_REQUESTS,
        ApiErrorRateLimitExceededResponse::default(),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

fn forbidden(message: &str) -> Response {
    let body = LinkErrorForbiddenActionResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: message.to_owned(),
    };
    json(StatusCode::FORBIDDEN, body)
}

fn bad_state(link_error_code: &str) -> Response {
    let body = LinkErrorBadStateResponse {
        documentation_url: None,
        error_code: Default::default(),
        error_message: format!("The link cannot be used for this request ({link_error_code})."),
        link_error_code: link_error_code.to_owned(),
    };
    json(StatusCode::UNPROCESSABLE_ENTITY, body)
}

fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, LinkErrorNotFoundResponse::default())
}

fn deleted() -> Response {
    json(StatusCode::GONE, LinkErrorDeletedResponse::default())
}

fn scenario_response(scenario: Scenario) -> Response {
    match scenario {
        Scenario::ExpiredToken => expired_token(),
        Scenario::Unauthorized => unauthorized("Accounts access not permitted"),
        Scenario::LinkAccess => json(
            StatusCode::UNAUTHORIZED,
            LinkErrorUnauthorizedAccessResponse::default(),
        ),
        Scenario::Forbidden => forbidden("Accounts access not permitted"),
        Scenario::NotFound => not_found(),
        Scenario::Deleted => deleted(),
        Scenario::BadState => bad_state("auth_expired"),
        Scenario::RateLimited => rate_limited(SCENARIO_RETRY_AFTER_SECS),
    }
}

// ---------------------------------------------------------------- POST /auth/token

/// `POST /auth/token`: client credentials in the form body or as HTTP Basic; 201 with a new
/// token, 400 for a wrong `grant_type`, 401 for wrong credentials, 422 for an unsupported
/// `moneykit-version` or a malformed body. The 422s come first: the API (FastAPI) validates the
/// request before it looks at the credentials.
pub(crate) async fn create_access_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(response) = check_version(&headers) {
        return response;
    }
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|mime| mime.trim() == "application/x-www-form-urlencoded")
        });
    if !body.is_empty() && !is_form {
        return validation_failed(
            &["body"],
            "Expected an application/x-www-form-urlencoded body",
            "model_attributes_type",
        );
    }
    let form: BodyCreateAccessTokenAuthTokenPost = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(error) => return validation_failed(&["body"], &error.to_string(), "value_error"),
    };
    if form.grant_type.as_deref() != Some("client_credentials") {
        let body = ApiErrorAuthUnauthorizedResponse {
            documentation_url: None,
            error_code: Default::default(),
            error_message: "Invalid grant_type: only client_credentials is supported".to_owned(),
        };
        return json(StatusCode::BAD_REQUEST, body);
    }
    let basic = match basic_credentials(&headers) {
        Ok(basic) => basic,
        Err(response) => return response,
    };
    let (client_id, client_secret) = match (basic, form.client_id, form.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret.reveal().to_owned()),
        _ => return unauthorized("Missing client credentials"),
    };
    if !state.config.accepts(&client_id, &client_secret) {
        return unauthorized("Invalid client credentials");
    }
    let token = state.issue_token();
    let body = CreateAccessTokenResponse {
        access_token: Sensitive::from(token),
        expires_in: i64::try_from(state.config.token_lifetime.as_secs()).unwrap_or(i64::MAX),
        token_type: "bearer".to_owned(),
    };
    json(StatusCode::CREATED, body)
}

/// The credentials of an `Authorization` value in `scheme` (named case-insensitively, as HTTP
/// says).
fn credentials<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, credentials) = value.trim().split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credentials.trim())
}

/// `Authorization: Basic base64(id:secret)`, if present. Another scheme is left to the body.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, Response> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(encoded) = value
        .to_str()
        .ok()
        .and_then(|value| credentials(value, "Basic"))
    else {
        return Ok(None);
    };
    let malformed = || unauthorized("Malformed Basic credentials");
    let decoded = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(malformed)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}

impl AppState {
    fn issue_token(&self) -> String {
        let token: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(40)
            .collect();
        let token = format!("sbx_{token}");
        let now = Instant::now();
        let mut tokens = lock(&self.tokens);
        if tokens.len() >= MAX_TOKENS {
            tokens.retain(|_, expires| *expires > now);
        }
        if tokens.len() >= MAX_TOKENS
            && let Some(soonest) = tokens
                .iter()
                .min_by_key(|(_, expires)| **expires)
                .map(|(token, _)| token.clone())
        {
            tokens.remove(&soonest);
        }
        tokens.insert(token.clone(), now + self.config.token_lifetime);
        self.tokens_issued.fetch_add(1, Ordering::Relaxed);
        token
    }

    /// A Bearer token this sandbox issued and that has not expired, or the X-Client pair.
    fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        if let Some(value) = headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|value| credentials(value, "Bearer"))
                .ok_or_else(|| unauthorized("Authorization must be a Bearer token"))?;
            return match lock(&self.tokens).get(token) {
                Some(expires) if *expires > Instant::now() => Ok(()),
                Some(_) => Err(expired_token()),
                None => Err(unauthorized("Invalid access token")),
            };
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        match (header("x-client-id"), header("x-client-secret")) {
            (Some(id), Some(secret)) if self.config.accepts(id, secret) => Ok(()),
            (Some(_), Some(_)) => Err(unauthorized("Invalid client credentials")),
            (None, None) => Err(unauthorized(
                "Missing credentials: send a Bearer token or X-Client-Id and X-Client-Secret",
            )),
            _ => Err(unauthorized(
                "Send both X-Client-Id and X-Client-Secret, or a Bearer token",
            )),
        }
    }

    /// Counts one request against `key`'s window for `endpoint`, when limits are on.
    fn count(&self, key: &str, endpoint: Endpoint) -> Result<(), Response> {
        if !self.config.rate_limits {
            return Ok(());
        }
        let now = Instant::now();
        let mut windows = lock(&self.windows);
        let window = windows.entry((key.to_owned(), endpoint)).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= RATE_WINDOW {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= endpoint.limit() {
            let left = RATE_WINDOW.saturating_sub(now.duration_since(window.started));
            return Err(rate_limited(left.as_secs() + 1));
        }
        window.count += 1;
        Ok(())
    }
}

// ---------------------------------------------------------------- the link endpoints

fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    let Some(value) = headers.get("moneykit-version") else {
        return Ok(());
    };
    let supported = SupportedVersion::default();
    let version = value.to_str().ok().map(SupportedVersion::from);
    if version.as_ref() == Some(&supported) {
        return Ok(());
    }
    Err(validation_failed(
        &["header", "moneykit-version"],
        &format!("Input should be '{supported}'"),
        "enum",
    ))
}

fn link_id(path: Result<Path<String>, PathRejection>) -> Result<String, Response> {
    path.map(|Path(id)| id).map_err(|rejection| {
        validation_failed(&["path", "id"], &rejection.body_text(), "value_error")
    })
}

/// Everything before the link's own data: credentials, version, id, scenario, limit, state.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    path: Result<Path<String>, PathRejection>,
    endpoint: Endpoint,
) -> Result<&'static SeedLink, Response> {
    state.authorize(headers)?;
    check_version(headers)?;
    let id = link_id(path)?;
    if let Some(scenario) = scenario(&id) {
        return Err(scenario_response(scenario));
    }
    let seeded = SEED.link(&id).ok_or_else(not_found)?;
    state.count(&id, endpoint)?;
    if endpoint == Endpoint::Link {
        return Ok(seeded);
    }
    let link = &seeded.link;
    match &link.state {
        PublicLinkState::Connected => Ok(seeded),
        PublicLinkState::Deleted => Err(deleted()),
        _ => {
            let code = link
                .error_code
                .as_ref()
                .and_then(Option::as_ref)
                .map_or("incomplete", |code| code.as_str());
            Err(bad_state(code))
        }
    }
}

/// `GET /links/{id}`.
pub(crate) async fn get_link(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    match admit(&state, &headers, path, Endpoint::Link) {
        Ok(seeded) => json(StatusCode::OK, &seeded.link),
        Err(response) => response,
    }
}

/// `GET /links/{id}/accounts`, optionally filtered by repeated `account_ids` (unknown ids match
/// nothing, as a filter does).
pub(crate) async fn get_accounts(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let seeded = match admit(&state, &headers, path, Endpoint::Accounts) {
        Ok(seeded) => seeded,
        Err(response) => return response,
    };
    if seeded.link.products.get(&Product::Accounts).is_none() {
        return forbidden("Accounts access not permitted");
    }
    let pairs: Vec<(String, String)> =
        match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
            Ok(pairs) => pairs,
            Err(error) => return validation_failed(&["query"], &error.to_string(), "value_error"),
        };
    let wanted: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "account_ids")
        .map(|(_, value)| value.as_str())
        .collect();
    let accounts = seeded
        .accounts
        .iter()
        .map(|seed| &seed.account)
        .filter(|account| wanted.is_empty() || wanted.contains(&account.account_id.as_str()))
        .cloned()
        .collect();
    let body = GetAccountsResponse {
        accounts,
        link: seeded.link.clone(),
    };
    json(StatusCode::OK, body)
}

/// `GET /links/{id}/accounts/numbers`: the accounts that have numbers.
pub(crate) async fn get_account_numbers(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let seeded = match admit(&state, &headers, path, Endpoint::Numbers) {
        Ok(seeded) => seeded,
        Err(response) => return response,
    };
    if seeded.link.products.get(&Product::AccountNumbers).is_none() {
        return forbidden("Account numbers access not permitted");
    }
    let body = GetAccountNumbersResponseLegacy20230218 {
        accounts: seeded
            .accounts
            .iter()
            .filter_map(|seed| seed.with_numbers())
            .collect(),
        link: seeded.link.clone(),
    };
    json(StatusCode::OK, body)
}
