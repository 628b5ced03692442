//! No redirect is followed: a 3xx is an error that keeps its status and `Location`, and nothing
//! (no `X-Client-Secret`, no token request's form body with `client_secret`) reaches the origin
//! it points to. Two servers on 127.0.0.1: the API, and "elsewhere", reached by another host name
//! (`localhost`), which counts what it receives.

mod common;

use common::*;
use moneykit::{Client, ClientBuilder, ErrorKind};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The API answering every request with a redirect to `elsewhere`, and `elsewhere` itself.
async fn redirecting(status: u16) -> (MockServer, MockServer) {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, LINK))
        .mount(&elsewhere)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body("stolen", 3600)))
        .mount(&elsewhere)
        .await;
    let target = format!("http://localhost:{}/captured", elsewhere.address().port());
    let api = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).insert_header("Location", target.as_str()))
        .mount(&api)
        .await;
    (api, elsewhere)
}

/// Every way the client sends a secret, against the API.
fn clients(api: &MockServer) -> Vec<(&'static str, ClientBuilder)> {
    vec![
        (
            "X-Client pair",
            builder(api).client_headers(CLIENT_ID, CLIENT_SECRET),
        ),
        (
            "client credentials",
            builder(api).client_credentials(CLIENT_ID, CLIENT_SECRET),
        ),
        (
            "client credentials, HTTP Basic",
            builder(api)
                .client_credentials(CLIENT_ID, CLIENT_SECRET)
                .token_auth_method(moneykit::TokenAuthMethod::Basic),
        ),
        ("access token", builder(api).access_token(ACCESS_TOKEN)),
    ]
}

#[tokio::test]
async fn redirects_are_not_followed_and_carry_no_secret_elsewhere() {
    for status in [301, 302, 303, 307, 308] {
        let (api, elsewhere) = redirecting(status).await;
        for (how, client) in clients(&api) {
            let client = client.build().unwrap();
            let error = client.link(LINK_ID).get().await.unwrap_err();
            assert_eq!(*error.kind(), ErrorKind::UnexpectedStatus, "{status} {how}");
            assert_eq!(error.status(), Some(status), "{how}");
            assert_eq!(error.attempts(), 1, "{how}: a redirect is not retried");
            let location = error.headers().unwrap()["location"].to_str().unwrap();
            assert!(location.ends_with("/captured"), "{how}: {location}");
            assert!(error.to_string().contains("not followed"), "{error}");
        }
        let reached = elsewhere.received_requests().await.unwrap();
        assert!(
            reached.is_empty(),
            "{status}: {} requests went elsewhere",
            reached.len()
        );
    }
}

#[tokio::test]
async fn a_supplied_http_client_that_follows_redirects_gets_no_data_from_them() {
    let (api, elsewhere) = redirecting(307).await;
    // reqwest's default follows up to 10 redirects; the documented start, tls::client_builder,
    // follows none.
    let follows = reqwest::Client::new();
    let client = Client::builder()
        .base_url(api.uri())
        .http_client(follows)
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::UnexpectedStatus);
    assert!(error.to_string().contains("followed a redirect"), "{error}");
    // It did reach the other origin (the client's own doing): the answer from there is refused.
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 1);

    let own = moneykit::tls::client_builder().build().unwrap();
    let client = Client::builder()
        .base_url(api.uri())
        .http_client(own)
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(error.status(), Some(307));
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 1);
}
