//! Authentication against a real HTTP server on 127.0.0.1: what each of the three modes sends,
//! token caching, refused credentials and `Client::authenticate`. Renewal is in
//! `token_renewal.rs`, the choice of credentials from configured values in `credentials.rs`.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use moneykit::types::SupportedVersion;
use moneykit::{ErrorKind, TokenAuthMethod, UnauthorizedReason};
use wiremock::matchers::{body_string, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn client_credentials_fetch_one_token_as_a_form_and_reuse_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(
            format!("client_id={CLIENT_ID}").as_str(),
        ))
        .and(body_string_contains(
            format!("client_secret={CLIENT_SECRET}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body("tok-1", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(link_path()))
        .and(header("authorization", "Bearer tok-1"))
        .and(header(
            "moneykit-version",
            SupportedVersion::default().as_str(),
        ))
        .and(header("user-agent", moneykit::USER_AGENT))
        .respond_with(json(200, LINK))
        .expect(3)
        .mount(&server)
        .await;
    let client = credentials_client(&server);
    for _ in 0..3 {
        client.link(LINK_ID).get().await.unwrap();
    }
}

#[tokio::test]
async fn basic_token_auth_sends_the_pair_in_the_header_not_the_body() {
    let server = MockServer::start().await;
    let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    let basic = format!("Basic {}", STANDARD.encode(pair));
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(header("authorization", basic.as_str()))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body("tok-1", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    mount_link_for_token(&server, "tok-1", json(200, LINK)).await;
    let client = builder(&server)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_auth_method(TokenAuthMethod::Basic)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn access_token_mode_sends_the_bearer_and_never_asks_for_a_token() {
    let server = MockServer::start().await;
    mount_token_response(&server, ResponseTemplate::new(500), 0).await;
    mount_link_for_token(&server, ACCESS_TOKEN, json(200, LINK)).await;
    token_client(&server).link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn access_token_mode_reports_an_expired_token_without_renewing() {
    let server = MockServer::start().await;
    mount_token_response(&server, ResponseTemplate::new(500), 0).await;
    mount_link(&server, json(401, EXPIRED), 1).await;
    let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
    assert_eq!(
        *error.kind(),
        ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken)
    );
}

#[tokio::test]
async fn client_headers_mode_sends_the_pair_and_no_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(link_path()))
        .and(header("x-client-id", CLIENT_ID))
        .and(header("x-client-secret", CLIENT_SECRET))
        .respond_with(json(200, LINK))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .client_headers(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
}

#[tokio::test]
async fn bad_credentials_fail_the_token_request_with_its_own_kind() {
    let server = MockServer::start().await;
    mount_token_response(&server, json(401, BAD_CREDENTIALS), 1).await;
    mount_link(&server, json(200, LINK), 0).await;
    let error = credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap_err();
    assert_refused_credentials(&error);
    assert_eq!(error.status(), Some(401));
}

#[tokio::test]
async fn no_token_request_for_invalid_input() {
    let server = MockServer::start().await;
    let client = credentials_client(&server);
    for id in ["", ".", "..", &"x".repeat(257)] {
        let error = client.link(id).get().await.unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::InvalidInput, "{id:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn authenticate_requests_one_token_and_returns_its_lifetime() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body("tok-auth", 1800)))
        .expect(1)
        .mount(&server)
        .await;
    let response = credentials_client(&server).authenticate().await.unwrap();
    assert_eq!(response.expires_in, 1800);
    assert_eq!(response.token_type, "bearer");
    assert_eq!(response.access_token.reveal(), Some("tok-auth"));
    let debug = format!("{response:?}");
    assert!(!debug.contains("tok-auth"), "{debug}");
}

#[tokio::test]
async fn tokens_show_nothing_of_their_value() {
    let server = MockServer::start().await;
    mount_token(&server, ACCESS_TOKEN, 1800, 1).await;
    let response = credentials_client(&server).authenticate().await.unwrap();
    // Not even the last four characters, which an account number shows (before: "••••3d1b").
    let last_four = &ACCESS_TOKEN[ACCESS_TOKEN.len() - 4..];
    for shown in [
        format!("{response:?}"),
        format!("{:?}", response.access_token),
        response.access_token.to_string(),
        serde_json::to_string(&moneykit::Redact::redacted(&response)).unwrap(),
    ] {
        assert!(!shown.contains(last_four), "{shown}");
        assert!(shown.contains("••••"), "{shown}");
    }
}

#[tokio::test]
async fn calls_after_authenticate_reuse_its_token() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-auth", 3600, 1).await;
    mount_link_for_token(&server, "tok-auth", json(200, LINK)).await;
    let client = credentials_client(&server);
    client.authenticate().await.unwrap();
    client.link(LINK_ID).get().await.unwrap();
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(count(&server, "POST").await, 1);
    assert_eq!(
        bearers(&server).await,
        ["Bearer tok-auth", "Bearer tok-auth"]
    );
}

#[tokio::test]
async fn authenticate_always_requests_a_new_token() {
    let server = MockServer::start().await;
    mount_token(&server, "first", 3600, 1).await;
    mount_token(&server, "second", 3600, 1).await;
    mount_link_for_token(&server, "second", json(200, LINK)).await;
    let client = credentials_client(&server);
    let first = client.authenticate().await.unwrap();
    let second = client.authenticate().await.unwrap();
    assert_eq!(first.access_token.reveal(), Some("first"));
    assert_eq!(second.access_token.reveal(), Some("second"));
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn authenticate_reports_refused_credentials() {
    let server = MockServer::start().await;
    mount_token_response(&server, json(401, BAD_CREDENTIALS), 1).await;
    let error = credentials_client(&server)
        .authenticate()
        .await
        .unwrap_err();
    assert_refused_credentials(&error);
}

#[tokio::test]
async fn authenticate_without_client_credentials_is_invalid_input_and_sends_nothing() {
    let server = MockServer::start().await;
    let header_client = builder(&server)
        .client_headers(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    for client in [token_client(&server), header_client] {
        let error = client.authenticate().await.unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::InvalidInput);
        assert_eq!(error.status(), None);
        assert_eq!(error.attempts(), 0);
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
