//! Authentication against a real HTTP server on 127.0.0.1: the three modes, token caching,
//! renewal before expiry, renewal after a 401 expired token, and single-flight renewal.

mod common;

use std::time::Duration;

use common::*;
use moneykit::{ErrorKind, TokenAuthMethod, UnauthorizedReason};
use wiremock::matchers::{body_string, body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EXPIRED: &str = include_str!(
    "../../tests/fixtures/APIErrorAuthExpiredAccessTokenResponse/default_message.json"
);
const BAD_CREDENTIALS: &str = include_str!(
    "../../tests/fixtures/APIErrorAuthUnauthorizedResponse/bad_client_credentials_401.json"
);

async fn mount_token(server: &MockServer, token: &str, expires_in: i64, times: u64) {
    let mock = Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body(token, expires_in)));
    let mock = if times > 0 {
        mock.up_to_n_times(times)
    } else {
        mock
    };
    mock.expect(times).mount(server).await;
}

async fn mount_link_for_token(server: &MockServer, token: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(link_path()))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(response)
        .mount(server)
        .await;
}

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
        .and(header("moneykit-version", "2023-02-18"))
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
    let basic = format!(
        "Basic {}",
        base64_encode(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes())
    );
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

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn access_token_mode_sends_the_bearer_and_never_asks_for_a_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    mount_link_for_token(&server, ACCESS_TOKEN, json(200, LINK)).await;
    token_client(&server).link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn access_token_mode_reports_an_expired_token_without_renewing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
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
async fn a_401_expired_token_renews_exactly_once_then_succeeds() {
    let server = MockServer::start().await;
    mount_token(&server, "old", 3600, 1).await;
    mount_token(&server, "new", 3600, 1).await;
    mount_link_for_token(&server, "old", json(401, EXPIRED)).await;
    mount_link_for_token(&server, "new", json(200, LINK)).await;
    let link = credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap();
    assert_eq!(link.link_id, LINK_ID);
    let gets = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(gets, 2);
}

#[tokio::test]
async fn a_token_that_stays_expired_is_renewed_only_once() {
    let server = MockServer::start().await;
    mount_token(&server, "old", 3600, 1).await;
    mount_token(&server, "still-bad", 3600, 1).await;
    mount_link(&server, json(401, EXPIRED), 2).await;
    let error = credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        *error.kind(),
        ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken)
    );
}

#[tokio::test]
async fn bad_credentials_fail_the_token_request_with_its_own_kind() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(json(401, BAD_CREDENTIALS))
        .expect(1)
        .mount(&server)
        .await;
    mount_link(&server, json(200, LINK), 0).await;
    let error = credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        *error.kind(),
        ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials)
    );
    assert_eq!(error.operation(), Some("create_access_token"));
    assert_eq!(error.status(), Some(401));
}

#[tokio::test]
async fn the_token_request_is_retried_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_token(&server, "tok-1", 3600, 1).await;
    mount_link_for_token(&server, "tok-1", json(200, LINK)).await;
    credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    // Lives 1 s; renewed at half its life (the 60 s margin is capped at half the lifetime).
    mount_token(&server, "short", 1, 1).await;
    mount_token(&server, "next", 3600, 1).await;
    mount_link_for_token(&server, "short", json(200, LINK)).await;
    mount_link_for_token(&server, "next", json(200, LINK)).await;
    let client = credentials_client(&server);
    client.link(LINK_ID).get().await.unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.link(LINK_ID).get().await.unwrap();
    let auth: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .map(|r| r.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(auth, ["Bearer short", "Bearer short", "Bearer next"]);
}

#[tokio::test]
async fn the_renewal_margin_is_configurable() {
    let server = MockServer::start().await;
    // With no margin a 1 s token is used for its whole life (the default would renew it after
    // 0.5 s, as the test above shows).
    mount_token(&server, "short", 1, 1).await;
    mount_token(&server, "next", 3600, 0).await;
    mount_link_for_token(&server, "short", json(200, LINK)).await;
    let client = builder(&server)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_renewal_margin(Duration::ZERO)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_with_an_expired_token_make_one_token_request() {
    let server = MockServer::start().await;
    // The first token is already stale when stored (expires_in 0).
    mount_token(&server, "stale", 0, 1).await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(token_body("fresh", 3600))
                .set_delay(Duration::from_millis(50)),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_link_for_token(&server, "stale", json(200, LINK)).await;
    mount_link_for_token(&server, "fresh", json(200, LINK)).await;
    let client = credentials_client(&server);
    client.link(LINK_ID).get().await.unwrap();

    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.link(LINK_ID).get().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let fresh = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| {
            r.headers
                .get("authorization")
                .is_some_and(|v| v == "Bearer fresh")
        })
        .count();
    assert_eq!(fresh, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_401_expired_calls_renew_once() {
    let server = MockServer::start().await;
    mount_token(&server, "old", 3600, 1).await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body("new", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    mount_link_for_token(&server, "old", json(401, EXPIRED)).await;
    mount_link_for_token(&server, "new", json(200, LINK)).await;
    let client = credentials_client(&server);
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.link(LINK_ID).get().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_queued_behind_a_failed_token_request_share_its_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(json(401, BAD_CREDENTIALS).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    mount_link(&server, json(200, LINK), 0).await;
    let client = credentials_client(&server);
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.link(LINK_ID).get().await })
        })
        .collect();
    for call in calls {
        let error = call.await.unwrap().unwrap_err();
        assert_eq!(
            *error.kind(),
            ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials)
        );
        assert_eq!(error.operation(), Some("create_access_token"));
    }
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
    assert_eq!(response.access_token.reveal(), "tok-auth");
    let debug = format!("{response:?}");
    assert!(!debug.contains("tok-auth"), "{debug}");
}

#[tokio::test]
async fn calls_after_authenticate_reuse_its_token() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-auth", 3600, 1).await;
    Mock::given(method("GET"))
        .and(path(link_path()))
        .and(header("authorization", "Bearer tok-auth"))
        .respond_with(json(200, LINK))
        .expect(2)
        .mount(&server)
        .await;
    let client = credentials_client(&server);
    client.authenticate().await.unwrap();
    client.link(LINK_ID).get().await.unwrap();
    client.link(LINK_ID).get().await.unwrap();
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 1);
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
    assert_eq!(first.access_token.reveal(), "first");
    assert_eq!(second.access_token.reveal(), "second");
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn authenticate_reports_refused_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(json(401, BAD_CREDENTIALS))
        .expect(1)
        .mount(&server)
        .await;
    let error = credentials_client(&server)
        .authenticate()
        .await
        .unwrap_err();
    assert_eq!(
        *error.kind(),
        ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials)
    );
    assert_eq!(error.operation(), Some("create_access_token"));
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
