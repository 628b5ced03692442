//! `POST /auth/token` credentials as RFC 6749 §2.3.1 sends them: in the form body, or with HTTP
//! Basic after each of the id and the secret was `application/x-www-form-urlencoded`. The
//! requests are written by hand here, so the test does not share the encoder it checks.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{form_encode, start};
use moneykit_sandbox::{Config, Sandbox};
use reqwest::StatusCode;

/// Every character RFC 6749's encoding changes: space, `&`, `=`, `+`, `/`, `%`, `:`, non-ASCII.
const ID: &str = "kit:id é+%";
const SECRET: &str = "s p&=+/%é:x";

async fn token_status(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    authorization: Option<String>,
    body: String,
) -> StatusCode {
    let mut request = http
        .post(format!("{}/auth/token", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    request.send().await.expect("an answer").status()
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// Finding: the sandbox compared the Basic id and secret as sent, so a client that
/// form-encodes them first (RFC 6749 §2.3.1) was refused whenever they held a reserved
/// character. They are form-decoded after the base64 and the split on the first `:`.
#[tokio::test]
async fn basic_credentials_are_form_decoded_as_rfc_6749_says() {
    let sandbox = start(Config::new().credentials(ID, SECRET)).await;
    let http = reqwest::Client::new();
    let grant = "grant_type=client_credentials".to_owned();

    let in_body = format!(
        "{grant}&client_id={}&client_secret={}",
        form_encode(ID),
        form_encode(SECRET)
    );
    let status = token_status(&http, &sandbox, None, in_body).await;
    assert_eq!(status, StatusCode::CREATED, "form body");

    let rfc = basic(&form_encode(ID), &form_encode(SECRET));
    let status = token_status(&http, &sandbox, Some(rfc), grant.clone()).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "Basic, form-encoded per RFC 6749"
    );

    // Decoded, they must still be the configured ones.
    let wrong = basic(&form_encode(ID), &form_encode("s p&=+/%é:y"));
    let status = token_status(&http, &sandbox, Some(wrong), grant).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// What was accepted before stays accepted where it cannot be read two ways: a Basic value
/// sent without form-encoding, when decoding would not change it (`:` in the secret) or could
/// not decode it (`%` not followed by two hex digits).
#[tokio::test]
async fn unencoded_basic_credentials_are_still_accepted_when_unambiguous() {
    let http = reqwest::Client::new();
    let grant = || "grant_type=client_credentials".to_owned();
    for (id, secret) in [
        ("sandbox_client_id", "sandbox_client_secret"),
        ("legacy", "pa:ss"),
        ("legacy", "100%"),
        ("legacy%zz", "%4"),
    ] {
        let sandbox = start(Config::new().credentials(id, secret)).await;
        let status = token_status(&http, &sandbox, Some(basic(id, secret)), grant()).await;
        assert_eq!(status, StatusCode::CREATED, "{id}:{secret}");
    }
}
