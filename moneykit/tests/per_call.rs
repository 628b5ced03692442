//! Raw responses (status and headers with the body, and on errors) and per-call options
//! (timeouts, retry policy, extra headers) against wiremock on 127.0.0.1.

mod common;

use std::time::Duration;

use common::*;
use moneykit::{ErrorKind, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_link(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_raw_response_has_the_status_every_header_and_the_body() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        json(200, LINK)
            .append_header("x-request-id", "req_1")
            .append_header("x-trace", "a")
            .append_header("x-trace", "b"),
    )
    .await;
    let client = token_client(&server);
    let response = client
        .link(LINK_ID)
        .get()
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "req_1");
    let traces: Vec<_> = response.headers().get_all("x-trace").iter().collect();
    assert_eq!(traces, ["a", "b"]);
    let debug = format!("{response:?}");
    assert!(
        debug.contains("x-request-id") && !debug.contains("req_1"),
        "{debug}"
    );
    let (status, headers, link) = response.into_parts();
    assert_eq!((status.as_u16(), headers.len() >= 3), (200, true));
    assert_eq!(link, client.link(LINK_ID).get().await.unwrap());
}

#[tokio::test]
async fn an_error_keeps_its_response_headers() {
    let server = MockServer::start().await;
    let not_found =
        include_str!("../../tests/fixtures/LinkErrorNotFoundResponse/default_message.json");
    mount_link(
        &server,
        json(404, not_found).append_header("x-request-id", "req_404"),
    )
    .await;
    let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::NotFound);
    assert_eq!(error.headers().unwrap()["x-request-id"], "req_404");
    assert!(!error.to_string().contains("req_404"));
    // A failure without a response has none.
    let refused = token_client(&server).link("..").get().await.unwrap_err();
    assert!(refused.headers().is_none());
}

#[tokio::test]
async fn extra_headers_go_with_the_operation_but_not_with_the_token_request() {
    let server = MockServer::start().await;
    mount_token(&server, "tok_1", 3600, 1).await;
    mount_link(&server, json(200, LINK)).await;
    let client = credentials_client(&server);
    client
        .link(LINK_ID)
        .get()
        .header("x-correlation-id", "c-1")
        .header("x-tag", "one")
        .header("x-tag", "two")
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let token = requests.iter().find(|r| r.url.path() == "/auth/token");
    assert!(!token.unwrap().headers.contains_key("x-correlation-id"));
    let get = requests
        .iter()
        .find(|r| r.url.path() == link_path())
        .unwrap();
    assert_eq!(get.headers["x-correlation-id"], "c-1");
    let tags: Vec<_> = get.headers.get_all("x-tag").iter().collect();
    assert_eq!(tags, ["one", "two"]);
    // Only on that call: the next one sends the client's headers alone.
    client.link(LINK_ID).get().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(
        !requests
            .last()
            .unwrap()
            .headers
            .contains_key("x-correlation-id")
    );
}

/// A call's options travel with that call as a value: calls in flight together on one client
/// each send their own headers and no other's, whichever task polls them.
#[tokio::test]
async fn concurrent_calls_each_send_only_their_own_headers() {
    const CALLS: usize = 16;
    let server = MockServer::start().await;
    mount_token(&server, "tok_1", 3600, 1).await;
    mount_link(&server, json(200, LINK)).await;
    let client = credentials_client(&server);
    // One task polls every call, interleaving them.
    let calls = (0..CALLS).map(|n| {
        let request = client.link(LINK_ID).get();
        let request = if n % 2 == 0 {
            request.header("x-call", n.to_string())
        } else {
            request
        };
        request.send()
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    let mut sent: Vec<Vec<&str>> = requests
        .iter()
        .filter(|r| r.url.path() == link_path())
        .map(|r| {
            let values = r.headers.get_all("x-call").iter();
            values.map(|v| v.to_str().unwrap()).collect()
        })
        .collect();
    sent.sort();
    let mut expected: Vec<Vec<String>> = (0..CALLS)
        .map(|n| {
            if n % 2 == 0 {
                vec![n.to_string()]
            } else {
                vec![]
            }
        })
        .collect();
    expected.sort();
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn headers_the_client_owns_or_invalid_ones_are_refused_before_sending() {
    let server = MockServer::start().await;
    mount_link(&server, json(200, LINK)).await;
    let link = token_client(&server).link(LINK_ID);
    let cases = [
        link.get().header("authorization", "Bearer stolen_value"),
        link.get().header("X-Client-Secret", "stolen_value"),
        link.get().header("moneykit-version", "2099-01-01"),
        link.get().header("x-ok", "line\nbreak stolen_value"),
        link.get().header("bad name", "v"),
        link.get().call_timeout(Duration::ZERO),
        link.get().attempt_timeout(Duration::ZERO),
        // Zero attempts is not read as one.
        link.get()
            .retry_policy(moneykit::RetryPolicy::new().max_attempts(0)),
    ];
    for request in cases {
        let error = request.await.unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::InvalidInput, "{error}");
        assert!(!error.to_string().contains("stolen_value"), "{error}");
    }
    assert_eq!(count(&server, "GET").await, 0);
}

#[tokio::test]
async fn the_retry_policy_can_change_for_one_call() {
    let server = MockServer::start().await;
    mount_link(&server, ResponseTemplate::new(503)).await;
    let client = token_client(&server);
    let once = client
        .link(LINK_ID)
        .get()
        .retry_policy(RetryPolicy::disabled());
    assert_eq!(once.await.unwrap_err().attempts(), 1);
    let five = client
        .link(LINK_ID)
        .accounts()
        .retry_policy(fast_policy().max_attempts(5));
    Mock::given(method("GET"))
        .and(path(format!("/links/{LINK_ID}/accounts")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    assert_eq!(five.await.unwrap_err().attempts(), 5);
    // The client's own policy (3 attempts) is untouched.
    assert_eq!(client.link(LINK_ID).get().await.unwrap_err().attempts(), 3);
}

#[tokio::test]
async fn the_timeouts_can_change_for_one_call() {
    let server = MockServer::start().await;
    let slow = json(200, LINK).set_delay(Duration::from_secs(5));
    mount_link(&server, slow).await;
    let client = token_client(&server);
    let started = std::time::Instant::now();
    let deadline = client
        .link(LINK_ID)
        .get()
        .call_timeout(Duration::from_millis(100));
    assert_eq!(*deadline.await.unwrap_err().kind(), ErrorKind::Timeout);
    let attempt = client
        .link(LINK_ID)
        .get()
        .attempt_timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::disabled());
    let error = attempt.await.unwrap_err();
    assert_eq!((error.kind(), error.attempts()), (&ErrorKind::Timeout, 1));
    // Both ended long before the 5 s answer (the client's own limits are 30 s and 60 s).
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn authenticate_has_a_raw_response_and_per_call_headers() {
    let server = MockServer::start().await;
    let response = ResponseTemplate::new(201)
        .set_body_json(token_body("tok_raw", 3600))
        .append_header("x-request-id", "req_tok");
    mount_token_response(&server, response, 1).await;
    let client = credentials_client(&server);
    let raw = client
        .authenticate()
        .header("x-correlation-id", "c-auth")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(raw.headers()["x-request-id"], "req_tok");
    assert_eq!(raw.body().expires_in, 3600);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers["x-correlation-id"], "c-auth");
}
