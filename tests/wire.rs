//! What each operation puts on the wire, against a local server on 127.0.0.1: request line,
//! query string, headers and body, snapshotted with the port filtered out.

mod common;

use common::fixture;
use moneykit_api::{Client, Hooks, types};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LINK_ID: &str = "mk_eqkWN34UEoa2NxyALG8pcV";

/// A server answering every request with `status` and the body of `tests/fixtures/<path>`.
async fn server_answering(status: u16, path: &str) -> MockServer {
    let body: serde_json::Value = fixture(path);
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

/// The one request the server received, as text: request line, sorted headers, body.
async fn only_request(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    describe(&requests[0])
}

fn describe(request: &Request) -> String {
    let mut target = request.url.path().to_owned();
    if let Some(query) = request.url.query() {
        target = format!("{target}?{query}");
    }
    let mut headers: Vec<String> = request
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
        .collect();
    headers.sort();
    format!(
        "{} {target}\n{}\n\n{}",
        request.method,
        headers.join("\n"),
        String::from_utf8_lossy(&request.body)
    )
}

fn client(server: &MockServer) -> Client {
    Client::new_with_client(&server.uri(), reqwest::Client::new(), Hooks::default())
}

/// Checks that the one request `server` received contains each of `parts`, then compares it
/// with the snapshot `name`, the port filtered out.
async fn assert_sent(server: &MockServer, name: &str, parts: &[&str]) {
    let value = only_request(server).await;
    for part in parts {
        assert!(value.contains(part), "{part:?} missing from:\n{value}");
    }
    insta::with_settings!({ filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")] }, {
        insta::assert_snapshot!(name, value);
    });
}

#[tokio::test]
async fn get_link() {
    let server = server_answering(200, "LinkCommon/docs_example_2025.json").await;
    let link = client(&server).get_link(LINK_ID, None).await.unwrap();
    assert_eq!(link.link_id, LINK_ID);
    assert_sent(&server, "get_link", &[]).await;
}

#[tokio::test]
async fn get_accounts_with_repeated_account_ids() {
    let server = server_answering(200, "GetAccountsResponse/seed_docs_example_current.json").await;
    let ids = vec![
        "acc_6Tef269B6ZArSVpYrxtjBV".to_owned(),
        "acc 2,x&y".to_owned(),
    ];
    client(&server)
        .get_accounts(LINK_ID, Some(&ids), None)
        .await
        .unwrap();
    let query = "?account_ids=acc_6Tef269B6ZArSVpYrxtjBV&account_ids=acc+2%2Cx%26y";
    assert_sent(&server, "get_accounts_with_account_ids", &[query]).await;
}

#[tokio::test]
async fn get_accounts_without_filter_sends_no_query() {
    let server = server_answering(200, "GetAccountsResponse/empty_accounts.json").await;
    client(&server)
        .get_accounts(LINK_ID, None, None)
        .await
        .unwrap();
    assert_sent(&server, "get_accounts", &[]).await;
}

#[tokio::test]
async fn get_account_numbers_with_explicit_version() {
    let server = server_answering(
        200,
        "GetAccountNumbersResponseLegacy20230218/legacy_sandbox_recording_2024_01_09.json",
    )
    .await;
    let version = types::SupportedVersion::from("2099-01-01");
    client(&server)
        .get_account_numbers(LINK_ID, Some(&version))
        .await
        .unwrap();
    let header = "moneykit-version: 2099-01-01";
    assert_sent(&server, "get_account_numbers_with_version", &[header]).await;
}

#[tokio::test]
async fn create_access_token_is_a_form_post() {
    let server = server_answering(201, "CreateAccessTokenResponse/doc_example.json").await;
    let body = types::BodyCreateAccessTokenAuthTokenPost {
        grant_type: Some("client_credentials".into()),
        client_id: Some("live_5c739a369515e10fc9e0".into()),
        client_secret: Some("vzPznCv3kT7fHsAr6y3jk38d".into()),
        scope: None,
    };
    let token = client(&server)
        .create_access_token(None, &body)
        .await
        .unwrap();
    assert_eq!(token.status().as_u16(), 201);
    assert_eq!(token.token_type, "bearer");
    assert_sent(&server, "create_access_token", &[]).await;
}

#[tokio::test]
async fn documented_error_keeps_status_even_when_the_body_is_html() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_string("<html>slow down</html>"),
        )
        .mount(&server)
        .await;
    let err = client(&server).get_link(LINK_ID, None).await.unwrap_err();
    let moneykit_api::Error::ErrorResponse(response) = err else {
        panic!("expected ErrorResponse, got {err:?}");
    };
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
}

/// Link ids that must reach the server as exactly one path segment.
const HOSTILE_IDS: [&str; 9] = [
    "a/b",
    "../../auth/token",
    "id?x=1",
    "id#frag",
    "100%",
    "with space",
    "ünïcødé-🏦",
    "%2F",
    "%2e%2E",
];

#[tokio::test]
async fn hostile_link_ids_stay_one_path_segment() {
    let server = server_answering(200, "GetAccountsResponse/empty_accounts.json").await;
    let client = client(&server);
    for id in HOSTILE_IDS {
        client.get_accounts(id, None, None).await.unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), HOSTILE_IDS.len());
    for (id, request) in HOSTILE_IDS.iter().zip(&requests) {
        let segments: Vec<&str> = request.url.path_segments().unwrap().collect();
        assert_eq!(segments.len(), 3, "{id:?} → {}", request.url);
        assert_eq!(segments[0], "links");
        assert_eq!(segments[2], "accounts");
        let decoded = percent_encoding::percent_decode_str(segments[1])
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, *id, "{id:?} → {}", request.url);
        assert_eq!(request.url.query(), None, "{id:?} → {}", request.url);
    }
}

#[tokio::test]
async fn dot_segment_ids_are_refused_before_sending() {
    let server = server_answering(200, "GetAccountsResponse/empty_accounts.json").await;
    let client = client(&server);
    for id in [".", "..", ""] {
        let err = client.get_accounts(id, None, None).await.unwrap_err();
        assert!(
            matches!(&err, moneykit_api::Error::InvalidRequest(m) if m.contains("outside its path")),
            "{id:?}: {err:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
