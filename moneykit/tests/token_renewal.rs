//! Renewal of client-credentials tokens against a real HTTP server on 127.0.0.1: before expiry
//! (on a paused tokio clock, to the millisecond), after a 401 `expired_access_token`, and
//! single-flight under concurrency.

mod common;

use std::time::Duration;

use common::*;
use moneykit::{ErrorKind, UnauthorizedReason};
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

#[tokio::test(start_paused = true)]
async fn a_token_is_renewed_at_half_its_life() {
    let server = MockServer::start().await;
    // Lives 1 s; renewed after 500 ms (the 60 s margin is capped at half the lifetime).
    mount_token(&server, "short", 1, 1).await;
    mount_token(&server, "next", 3600, 1).await;
    mount_link_for_token(&server, "short", json(200, LINK)).await;
    mount_link_for_token(&server, "next", json(200, LINK)).await;
    let client = paused_builder(&server.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(499)).await;
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(
        bearers(&server).await,
        ["Bearer short", "Bearer short", "Bearer next"]
    );
}

#[tokio::test(start_paused = true)]
async fn with_no_margin_a_token_is_used_for_its_whole_life() {
    let server = MockServer::start().await;
    mount_token(&server, "short", 1, 1).await;
    mount_token(&server, "next", 3600, 1).await;
    mount_link_for_token(&server, "short", json(200, LINK)).await;
    mount_link_for_token(&server, "next", json(200, LINK)).await;
    let client = paused_builder(&server.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_renewal_margin(Duration::ZERO)
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(999)).await;
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(
        bearers(&server).await,
        ["Bearer short", "Bearer short", "Bearer next"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_token_request_waits_its_backoff_too() {
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
    let client = paused_builder(&server.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let started = Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(500));
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
    let fresh = bearers(&server).await;
    assert_eq!(fresh.iter().filter(|b| *b == "Bearer fresh").count(), 100);
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
