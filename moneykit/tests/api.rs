//! The request surface against a real HTTP server on 127.0.0.1: paths (and their safety), query,
//! headers, version override, own HTTP client, response types, the freshness helper, and
//! configuration errors.

mod common;

use common::*;
use moneykit::types::{LinkCommon, Product, PublicLinkState, SupportedVersion};
use moneykit::{BuildError, Client, ErrorKind, LinkFreshness, Timestamp};
use wiremock::matchers::{header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn the_three_gets_reach_their_paths_with_the_default_headers() {
    let server = MockServer::start().await;
    for (p, body) in [
        (link_path(), LINK),
        (format!("{}/accounts", link_path()), ACCOUNTS),
        (format!("{}/accounts/numbers", link_path()), NUMBERS),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .and(header(
                "authorization",
                format!("Bearer {ACCESS_TOKEN}").as_str(),
            ))
            .and(header(
                "moneykit-version",
                SupportedVersion::default().as_str(),
            ))
            .and(header("accept", "application/json"))
            .respond_with(json(200, body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let link = token_client(&server).link(LINK_ID);
    let details = link.get().await.unwrap();
    assert_eq!(details.state, PublicLinkState::Connected);
    let accounts = link.accounts().send().await.unwrap();
    assert_eq!(
        accounts.accounts[0].account_id,
        "acc_6Tef269B6ZArSVpYrxtjBV"
    );
    let numbers = link.account_numbers().await.unwrap();
    assert_eq!(numbers.accounts.len(), 2);
    for request in server.received_requests().await.unwrap() {
        assert!(!request.headers.contains_key("api-version"));
        assert!(request.url.query().is_none());
    }
}

#[tokio::test]
async fn account_ids_are_sent_as_repeated_query_parameters_and_await_works() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{}/accounts", link_path())))
        .and(query_param("account_ids", "acc_1"))
        .respond_with(json(200, ACCOUNTS))
        .expect(1)
        .mount(&server)
        .await;
    let client = token_client(&server);
    client
        .link(LINK_ID)
        .accounts()
        .account_ids(["acc_1", "acc 2&x"])
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("account_ids=acc_1&account_ids=acc+2%26x")
    );

    let error = client
        .link(LINK_ID)
        .accounts()
        .account_ids([""])
        .send()
        .await
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn link_ids_with_reserved_characters_stay_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("/accounts$"))
        .respond_with(json(200, ACCOUNTS))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json(200, LINK))
        .mount(&server)
        .await;
    let client = token_client(&server);
    let ids = [
        "a/b",
        "a?b=c",
        "a#frag",
        "../../auth/token",
        "..%2Fx",
        "%2e%2e",
        "a b",
        "mk_ü",
    ];
    for id in ids {
        client.link(id).get().await.unwrap();
        client.link(id).accounts().send().await.unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), ids.len() * 2);
    for (pair, id) in requests.chunks(2).zip(ids) {
        for (request, tail) in pair.iter().zip([&[][..], &["accounts"][..]]) {
            let segments: Vec<&str> = request.url.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 2 + tail.len(), "{id}: {}", request.url);
            assert_eq!(segments[0], "links");
            let decoded = percent_encoding::percent_decode_str(segments[1]).decode_utf8();
            assert_eq!(decoded.unwrap(), id, "{}", request.url);
            assert_eq!(&segments[2..], tail);
            assert!(request.url.query().is_none() && request.url.fragment().is_none());
        }
    }
}

#[tokio::test]
async fn the_version_can_be_overridden() {
    let server = MockServer::start().await;
    mount_link_with_header(&server, "moneykit-version", "2024-04-30").await;
    let client = builder(&server)
        .api_version("2024-04-30")
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn a_caller_supplied_http_client_is_used() {
    let server = MockServer::start().await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-from-my-client", "yes".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    mount_link_with_header(&server, "x-from-my-client", "yes").await;
    let client = builder(&server)
        .http_client(http)
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/proxy/moneykit{}", link_path())))
        .respond_with(json(200, LINK))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/proxy/moneykit/", server.uri()))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
}

#[test]
fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
    let refused = Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url("http://api.moneykit.com")
        .build()
        .unwrap_err();
    assert_eq!(
        refused,
        BuildError::InsecureBaseUrl("api.moneykit.com".into())
    );
    assert!(refused.to_string().contains("allow_insecure_http"));
    Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url("http://api.moneykit.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    for loopback in ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"] {
        Client::builder()
            .access_token(ACCESS_TOKEN)
            .base_url(loopback)
            .build()
            .unwrap();
    }
    assert_eq!(
        Client::builder().build().unwrap_err(),
        BuildError::MissingCredentials
    );
}

#[test]
fn the_default_client_targets_production_over_https() {
    let client = Client::builder()
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    assert!(debug.contains("https://api.moneykit.com/"), "{debug}");
    assert!(
        debug.contains(SupportedVersion::default().as_str()),
        "{debug}"
    );
    assert_eq!(
        moneykit::USER_AGENT,
        concat!("moneykit-rs/", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn freshness_compares_refreshed_at_as_instants() {
    let link: LinkCommon = serde_json::from_str(LINK).unwrap();
    let refreshed = link.refreshed_at(&Product::Accounts).unwrap();
    assert_eq!(
        refreshed,
        "2025-03-14T16:42:07.318245Z".parse::<Timestamp>().unwrap()
    );
    // Never seen: new data. Seen the same instant (in another form): nothing new.
    assert!(link.has_new_data(&Product::Accounts, None));
    let same: Timestamp = "2025-03-14T11:42:07.318245-05:00".parse().unwrap();
    assert!(!link.has_new_data(&Product::Accounts, Some(&same)));
    let earlier: Timestamp = "2025-03-14T16:42:07".parse().unwrap();
    assert!(link.has_new_data(&Product::Accounts, Some(&earlier)));
    let later: Timestamp = "2025-03-15".parse().unwrap();
    assert!(!link.has_new_data(&Product::Accounts, Some(&later)));
    // A product that is not granted, or unknown, never has new data.
    assert_eq!(link.refreshed_at(&Product::AccountNumbers), None);
    assert!(!link.has_new_data(&Product::AccountNumbers, None));
    assert!(!link.has_new_data(&Product::Other("payments".into()), None));
    // Products of the embedded link work the same.
    assert!(
        link.products
            .has_new_data(&Product::Accounts, Some(&earlier))
    );
}

#[tokio::test]
async fn freshness_of_the_numbers_response() {
    let server = MockServer::start().await;
    mount_numbers(&server, json(200, NUMBERS)).await;
    let numbers = token_client(&server)
        .link(LINK_ID)
        .account_numbers()
        .await
        .unwrap();
    let seen = numbers.link.refreshed_at(&Product::AccountNumbers);
    assert!(
        !numbers
            .link
            .has_new_data(&Product::AccountNumbers, seen.as_ref())
    );
}

#[tokio::test]
async fn the_token_request_carries_the_version_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(header("moneykit-version", "2024-04-30"))
        .respond_with(wiremock::ResponseTemplate::new(201).set_body_json(token_body("tok", 3600)))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .api_version("2024-04-30")
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    client.authenticate().await.unwrap();
}
