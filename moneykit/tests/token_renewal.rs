//! Renewal of client-credentials tokens against a real HTTP server on 127.0.0.1: before expiry
//! (on a paused tokio clock, to the millisecond), after a 401 `expired_access_token`, and
//! single-flight under concurrency.

mod common;

use std::time::Duration;

use common::*;
use moneykit::{ClientBuilder, ErrorKind, UnauthorizedReason};
use tokio::time::Instant;
use wiremock::{MockServer, ResponseTemplate};

/// Issues `old`, which the link refuses as expired, then `new`, which it accepts; one each.
async fn old_token_expired_new_accepted() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, "old", 3600, 1).await;
    mount_token(&server, "new", 3600, 1).await;
    mount_link_for_token(&server, "old", json(401, EXPIRED)).await;
    mount_link_for_token(&server, "new", json(200, LINK)).await;
    server
}

#[tokio::test]
async fn a_401_expired_token_renews_exactly_once_then_succeeds() {
    let server = old_token_expired_new_accepted().await;
    let link = credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap();
    assert_eq!(link.link_id, LINK_ID);
    assert_eq!(bearers(&server).await, ["Bearer old", "Bearer new"]);
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

/// The token endpoint answers 503 once, then issues `tok-1`, which the link accepts.
async fn token_unavailable_once() -> MockServer {
    let server = MockServer::start().await;
    mount_token_response(&server, ResponseTemplate::new(503), 1).await;
    mount_token(&server, "tok-1", 3600, 1).await;
    mount_link_for_token(&server, "tok-1", json(200, LINK)).await;
    server
}

#[tokio::test]
async fn the_token_request_is_retried_on_503() {
    let server = token_unavailable_once().await;
    credentials_client(&server)
        .link(LINK_ID)
        .get()
        .await
        .unwrap();
}

/// A token living 1 s (then one living an hour), the link accepting both: asserts that the first
/// is still sent `used_for` after it was issued and replaced 1 ms later.
async fn assert_a_one_second_token_is_used_for(
    used_for: Duration,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) {
    let server = MockServer::start().await;
    mount_token(&server, "short", 1, 1).await;
    mount_token(&server, "next", 3600, 1).await;
    mount_link_for_token(&server, "short", json(200, LINK)).await;
    mount_link_for_token(&server, "next", json(200, LINK)).await;
    let client = configure(paused_credentials_builder(&server.uri()))
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(used_for).await;
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(
        bearers(&server).await,
        ["Bearer short", "Bearer short", "Bearer next"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_token_is_renewed_at_half_its_life() {
    // The 60 s margin is capped at half the 1 s lifetime.
    assert_a_one_second_token_is_used_for(Duration::from_millis(499), |b| b).await;
}

#[tokio::test(start_paused = true)]
async fn with_no_margin_a_token_is_used_for_its_whole_life() {
    assert_a_one_second_token_is_used_for(Duration::from_millis(999), |b| {
        b.token_renewal_margin(Duration::ZERO)
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_token_request_waits_its_backoff_too() {
    let server = token_unavailable_once().await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    let started = Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_with_an_expired_token_make_one_token_request() {
    let server = MockServer::start().await;
    // The first token is already stale when stored (expires_in 0).
    mount_token(&server, "stale", 0, 1).await;
    // Slow, so that the other calls arrive while it is in flight.
    let fresh = ResponseTemplate::new(201)
        .set_body_json(token_body("fresh", 3600))
        .set_delay(Duration::from_millis(50));
    mount_token_response(&server, fresh, 1).await;
    mount_link_for_token(&server, "stale", json(200, LINK)).await;
    mount_link_for_token(&server, "fresh", json(200, LINK)).await;
    let client = credentials_client(&server);
    client.link(LINK_ID).get().await.unwrap();

    for result in concurrent_gets(&client, 100).await {
        result.unwrap();
    }
    let fresh = bearers(&server).await;
    assert_eq!(fresh.iter().filter(|b| *b == "Bearer fresh").count(), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_401_expired_calls_renew_once() {
    let server = old_token_expired_new_accepted().await;
    for result in concurrent_gets(&credentials_client(&server), 100).await {
        result.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_queued_behind_a_failed_token_request_share_its_error() {
    let server = MockServer::start().await;
    // Slow, so that the other callers queue behind it.
    let refused = json(401, BAD_CREDENTIALS).set_delay(Duration::from_millis(100));
    mount_token_response(&server, refused, 1).await;
    mount_link(&server, json(200, LINK), 0).await;
    for result in concurrent_gets(&credentials_client(&server), 20).await {
        assert_refused_credentials(&result.unwrap_err());
    }
}
