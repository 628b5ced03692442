//! Setup shared by the sandbox's integration tests: an in-process sandbox on 127.0.0.1, the
//! `moneykit` client pointed at it, and tokens fetched with plain HTTP.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use moneykit::{Client, ClientBuilder, RetryPolicy};
use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;

/// A sandbox on a free port of 127.0.0.1; it stops when dropped.
pub async fn start(config: Config) -> Sandbox {
    Sandbox::start(config).await.expect("start the sandbox")
}

/// A `moneykit` client builder with `sandbox`'s address and client credentials.
pub fn builder(sandbox: &Sandbox) -> ClientBuilder {
    Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
}

pub fn client(sandbox: &Sandbox, retry: RetryPolicy) -> Client {
    builder(sandbox)
        .retry_policy(retry)
        .build()
        .expect("build the client")
}

/// `POST /auth/token` with `sandbox`'s client credentials in the form body.
pub async fn request_token(http: &reqwest::Client, sandbox: &Sandbox) -> reqwest::Response {
    http.post(format!("{}/auth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id()),
            ("client_secret", sandbox.client_secret()),
        ])
        .send()
        .await
        .expect("token")
}

/// A fresh access token of `sandbox`.
pub async fn token(http: &reqwest::Client, sandbox: &Sandbox) -> String {
    let body: Value = request_token(http, sandbox)
        .await
        .json()
        .await
        .expect("token body");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The response's `Content-Type`, empty when there is none.
pub fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A plain HTTP client for tests on tokio's paused clock: no pool idle timer and no timeouts,
/// because tokio advances a paused clock to the next timer whenever no task is ready, even with
/// I/O in flight, and such a timer would move virtual time under the test.
pub fn paused_clock_http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .expect("an HTTP client")
}

/// `value` as an `application/x-www-form-urlencoded` component, written out here (not by the
/// code under test): ASCII alphanumerics and `*-._` as they are, space as `+`, every other
/// byte of its UTF-8 as `%XX`.
pub fn form_encode(value: &str) -> String {
    let mut encoded = String::new();
    for byte in value.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                encoded.push(char::from(byte));
            }
            b' ' => encoded.push('+'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}
