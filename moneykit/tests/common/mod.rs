//! Shared helpers of the integration tests: a wiremock server on 127.0.0.1, clients that retry
//! without waiting (or, under a paused clock, with exact waits), and the spec's JSON fixtures.
#![allow(dead_code)]

pub mod bad_input_cases;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use moneykit::types::LinkCommon;
use moneykit::{Client, ClientBuilder, ErrorKind, Jitter, RetryPolicy, UnauthorizedReason};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const LINK_ID: &str = "mk_eqkWN34UEoa2NxyALG8pcV";
pub const CLIENT_ID: &str = "client-id-1234";
pub const CLIENT_SECRET: &str = "cs_SuperSecretValue_9f8e7d";
pub const ACCESS_TOKEN: &str = "at_TopSecretToken_52ea3d1b";

pub const LINK: &str = include_str!("../../../tests/fixtures/LinkCommon/state_connected.json");
pub const ACCOUNTS: &str =
    include_str!("../../../tests/fixtures/GetAccountsResponse/seed_docs_example_current.json");
pub const NUMBERS: &str = include_str!(
    "../../../tests/fixtures/GetAccountNumbersResponseLegacy20230218/legacy_sandbox_recording_2024_01_09.json"
);
pub const BACS_NUMBERS: &str = include_str!(
    "../../../tests/fixtures/GetAccountNumbersResponseLegacy20230218/bacs_uk_and_international_iban_bic.json"
);
pub const EXPIRED: &str = include_str!(
    "../../../tests/fixtures/APIErrorAuthExpiredAccessTokenResponse/default_message.json"
);
pub const BAD_CREDENTIALS: &str = include_str!(
    "../../../tests/fixtures/APIErrorAuthUnauthorizedResponse/bad_client_credentials_401.json"
);
pub const RATE_LIMITED: &str =
    include_str!("../../../tests/fixtures/APIErrorRateLimitExceededResponse/default_message.json");

/// Retries without waiting: 3 attempts (a 429 whose `Retry-After` is above zero is not retried).
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy::new()
        .base_delay(Duration::ZERO)
        .max_delay(Duration::ZERO)
        .jitter(Jitter::Off)
}

pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(fast_policy())
}

/// For tests under a paused tokio clock (`#[tokio::test(start_paused = true)]`), which assert
/// exact waits. When the runtime idles while a response comes from the wiremock thread, the paused
/// clock jumps to the next pending timer: so no timer may be pending during an exchange except
/// the waits under test. The client gets no per-attempt timeout and no call deadline, and an HTTP
/// client without the pool's idle-connection timer; the policy has no jitter (500 ms, 1 s, …).
pub fn paused_builder(base_url: &str) -> ClientBuilder {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    Client::builder()
        .base_url(base_url)
        .http_client(http)
        .attempt_timeout(None)
        .call_timeout(None)
        .retry_policy(paused_policy())
}

/// The default policy without jitter, so that paused-clock tests can assert exact waits.
pub fn paused_policy() -> RetryPolicy {
    RetryPolicy::new().jitter(Jitter::Off)
}

/// A paused-clock client (see `paused_builder`) with client credentials.
pub fn paused_credentials_builder(base_url: &str) -> ClientBuilder {
    paused_builder(base_url).client_credentials(CLIENT_ID, CLIENT_SECRET)
}

/// A paused-clock client (see `paused_builder`) with a fixed access token and `policy`.
pub fn paused_token_client(base_url: &str, policy: RetryPolicy) -> Client {
    paused_builder(base_url)
        .retry_policy(policy)
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap()
}

/// Gets the link expecting a failure, and how long the call took (exact on a paused clock).
pub async fn timed_link_error(client: &Client) -> (Duration, moneykit::Error) {
    let started = tokio::time::Instant::now();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    (started.elapsed(), error)
}

/// Gets the link from `calls` tasks at once, so that they race for the token.
pub async fn concurrent_gets(
    client: &Client,
    calls: usize,
) -> Vec<Result<LinkCommon, moneykit::Error>> {
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.link(LINK_ID).get().await })
        })
        .collect();
    let mut results = Vec::with_capacity(calls);
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

/// The token endpoint refused the client credentials, and the error says it was that request.
pub fn assert_refused_credentials(error: &moneykit::Error) {
    assert_eq!(
        *error.kind(),
        ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials)
    );
    assert_eq!(error.operation(), Some("create_access_token"));
}

/// A client with a fixed access token.
pub fn token_client(server: &MockServer) -> Client {
    builder(server).access_token(ACCESS_TOKEN).build().unwrap()
}

/// A client with client credentials.
pub fn credentials_client(server: &MockServer) -> Client {
    builder(server)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap()
}

/// Mounts `POST /auth/token` issuing `token`, `times` times (then falls through to the next
/// mock); with `times` 0, it must not be requested at all.
pub async fn mount_token(server: &MockServer, token: &str, expires_in: i64, times: u64) {
    let issued = ResponseTemplate::new(201).set_body_json(token_body(token, expires_in));
    mount_token_response(server, issued, times).await;
}

/// Mounts `POST /auth/token` answering `response`, like `mount_token`.
pub async fn mount_token_response(server: &MockServer, response: ResponseTemplate, times: u64) {
    let mock = Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(response);
    let mock = if times > 0 {
        mock.up_to_n_times(times)
    } else {
        mock
    };
    mock.expect(times).mount(server).await;
}

/// Mounts `POST /auth/token` answering `response` to every request that reaches it, however many.
pub async fn mount_token_always(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Mounts `GET /links/{LINK_ID}` answering `response` to the first `times` requests only; later
/// ones fall through to the next mock.
pub async fn mount_link_first(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(response)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

/// Mounts `GET /links/{LINK_ID}` answering the link once, to a request bearing this header.
pub async fn mount_link_with_header(server: &MockServer, name: &str, value: &str) {
    Mock::given(method("GET"))
        .and(path(link_path()))
        .and(header(name, value))
        .respond_with(json(200, LINK))
        .expect(1)
        .mount(server)
        .await;
}

/// Mounts `GET {get_path}` answering `response` to requests bearing `token`.
pub async fn mount_get_for_token(
    server: &MockServer,
    get_path: &str,
    token: &str,
    response: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .and(path(get_path))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Mounts `GET /links/{LINK_ID}` answering `response` to requests bearing `token`.
pub async fn mount_link_for_token(server: &MockServer, token: &str, response: ResponseTemplate) {
    mount_get_for_token(server, &link_path(), token, response).await;
}

/// The requests the server received with this method.
pub async fn count(server: &MockServer, http_method: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == http_method)
        .count()
}

/// The `Authorization` header of each `GET` the server received, in order.
pub async fn bearers(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect()
}

pub fn token_body(token: &str, expires_in: i64) -> serde_json::Value {
    serde_json::json!({ "access_token": token, "token_type": "bearer", "expires_in": expires_in })
}

pub fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub fn link_path() -> String {
    format!("/links/{LINK_ID}")
}

pub fn numbers_path() -> String {
    format!("/links/{LINK_ID}/accounts/numbers")
}

/// Mounts `GET /links/{LINK_ID}/accounts/numbers` answering `response`, expected once.
pub async fn mount_numbers(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(numbers_path()))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

/// A 429 with MoneyKit's body and this `Retry-After`.
pub fn rate_limited(retry_after: &str) -> ResponseTemplate {
    json(429, RATE_LIMITED).insert_header("Retry-After", retry_after)
}

/// Mounts `GET /links/{LINK_ID}` answering `response`, expected exactly `times` times.
pub async fn mount_link(
    server: &MockServer,
    response: ResponseTemplate,
    times: impl Into<wiremock::Times>,
) {
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// A `tracing` subscriber at TRACE level writing into a shared buffer.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sets a TRACE subscriber for the current thread; events (and span fields) go to the returned
/// buffer until the guard is dropped.
pub fn capture_tracing() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}
