//! Shared helpers of the integration tests: a wiremock server on 127.0.0.1, clients with
//! millisecond retry delays, and the spec's JSON fixtures.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use moneykit::{Client, ClientBuilder, RetryPolicy};
use wiremock::matchers::{method, path};
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

/// Fast retries: 3 attempts, 1–5 ms waits.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy::new()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(fast_policy())
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

pub fn token_body(token: &str, expires_in: i64) -> serde_json::Value {
    serde_json::json!({ "access_token": token, "token_type": "bearer", "expires_in": expires_in })
}

pub fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

pub fn link_path() -> String {
    format!("/links/{LINK_ID}")
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
