//! The response size cap (`ClientBuilder::max_response_bytes`) over real HTTP on 127.0.0.1:
//! success and error bodies and the token endpoint, one attempt, no retry, exactly the cap
//! accepted, and the default measured against the largest realistic response. Bodies that
//! never end (chunked) or declare 1 GiB, and that the client hangs up on them, are cases of the
//! fault table (`faults.rs`); the CLI's memory under a 256 MiB body is `moneykit-cli`'s
//! `tests/limits.rs`.

mod common;

use common::*;
use moneykit::types::GetAccountNumbersResponseLegacy20230218;
use moneykit::{DEFAULT_MAX_RESPONSE_BYTES, ErrorKind};
use wiremock::MockServer;

const CAP: u64 = 4096;
const MIB: u64 = 1024 * 1024;

/// A `GetAccountNumbersResponseLegacy20230218` with 10,000 accounts, each the fixture's account
/// with every field and an ACH number, under its own id; decoded into the generated type.
fn ten_thousand_accounts() -> GetAccountNumbersResponseLegacy20230218 {
    let fixture = include_str!(
        "../../tests/fixtures/GetAccountNumbersResponseLegacy20230218/current_2025_every_account_field.json"
    );
    let mut body: serde_json::Value = serde_json::from_str(fixture).unwrap();
    let account = body["accounts"][0].clone();
    let accounts: Vec<serde_json::Value> = (0..10_000)
        .map(|i| {
            let mut account = account.clone();
            account["account_id"] = format!("acc_{i:022}").into();
            account
        })
        .collect();
    body["accounts"] = accounts.into();
    serde_json::from_value(body).unwrap()
}

#[test]
fn the_default_cap_is_a_few_mib_above_a_ten_thousand_account_numbers_body() {
    let body = ten_thousand_accounts();
    let compact = serde_json::to_vec(&body).unwrap().len() as u64;
    let pretty = serde_json::to_vec_pretty(&body).unwrap().len() as u64;
    println!("10,000 accounts with numbers: {compact} bytes compact, {pretty} bytes pretty");
    assert!(compact > 4 * MIB, "{compact}");
    // A few MiB of headroom over even the indented form, and not an order of magnitude more.
    assert!(DEFAULT_MAX_RESPONSE_BYTES >= pretty + 2 * MIB, "{pretty}");
    assert!(DEFAULT_MAX_RESPONSE_BYTES <= compact * 3, "{compact}");
}

#[tokio::test]
async fn a_ten_thousand_account_numbers_body_passes_the_default_cap() {
    let server = MockServer::start().await;
    let body = serde_json::to_string_pretty(&ten_thousand_accounts()).unwrap();
    mount_numbers(&server, json(200, &body)).await;
    let numbers = token_client(&server)
        .link(LINK_ID)
        .account_numbers()
        .await
        .unwrap();
    assert_eq!(numbers.accounts.len(), 10_000);
}

/// Gets the link through a client capped at [`CAP`] bytes, expecting the cap's error.
async fn assert_too_large(base_url: &str) -> moneykit::Error {
    let client = paused_builder(base_url)
        .retry_policy(fast_policy())
        .max_response_bytes(CAP)
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::ResponseTooLarge { limit: CAP });
    assert_eq!(error.kind().as_str(), "response_too_large");
    assert_eq!(error.attempts(), 1, "not retried: {error}");
    assert!(error.to_string().contains("4096-byte cap"), "{error}");
    error
}

#[tokio::test]
async fn a_success_body_over_the_cap_with_a_content_length_is_not_read() {
    let server = MockServer::start().await;
    mount_link(&server, json(200, &" ".repeat(CAP as usize + 1)), 1).await;
    assert_too_large(&server.uri()).await;
}

#[tokio::test]
async fn a_body_of_one_byte_over_the_cap_is_refused_and_one_of_the_cap_accepted() {
    let server = MockServer::start().await;
    mount_link(&server, json(200, LINK), 2).await;
    let capped_at = |limit: usize| {
        builder(&server)
            .max_response_bytes(limit as u64)
            .access_token(ACCESS_TOKEN)
            .build()
            .unwrap()
    };
    let error = capped_at(LINK.len() - 1)
        .link(LINK_ID)
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::ResponseTooLarge { .. }),
        "{error}"
    );
    capped_at(LINK.len()).link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn an_error_body_over_the_cap_is_the_caps_error_and_is_not_retried() {
    let server = MockServer::start().await;
    let page = format!("<html>{}</html>", "x".repeat(CAP as usize));
    mount_link(
        &server,
        wiremock::ResponseTemplate::new(503).set_body_string(page),
        1,
    )
    .await;
    let error = assert_too_large(&server.uri()).await;
    // The status and headers of the refused body are kept (before, a 503 lost its status).
    assert_eq!(error.status(), Some(503));
    assert!(error.headers().is_some());
}

#[tokio::test]
async fn the_token_response_is_capped_too() {
    let server = MockServer::start().await;
    let token = format!("at_{}", "x".repeat(CAP as usize));
    mount_token(&server, &token, 3600, 1).await;
    mount_link(&server, json(200, LINK), 0).await;
    let client = builder(&server)
        .max_response_bytes(CAP)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::ResponseTooLarge { limit: CAP });
    assert_eq!(error.operation(), Some("create_access_token"));
    assert_eq!(count(&server, "POST").await, 1);
}

#[test]
fn a_zero_cap_is_refused() {
    let error = moneykit::Client::builder()
        .access_token(ACCESS_TOKEN)
        .max_response_bytes(0)
        .build()
        .unwrap_err();
    assert!(
        matches!(error, moneykit::BuildError::InvalidSetting(_)),
        "{error}"
    );
}
