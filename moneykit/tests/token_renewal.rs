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

/// A call with `options` starts the token renewal (the endpoint answers `token` after `delay`); a
/// call without options, started while it is in flight, must get the link all the same.
async fn renewal_started_by(
    token: ResponseTemplate,
    options: impl FnOnce(moneykit::Request<moneykit::GetLink>) -> moneykit::Request<moneykit::GetLink>,
) -> (
    Result<(), moneykit::Error>,
    Result<(), moneykit::Error>,
    MockServer,
) {
    let server = MockServer::start().await;
    mount_token_always(&server, token).await;
    mount_link(&server, json(200, LINK), ..).await;
    let client = credentials_client(&server);
    let first = options(client.link(LINK_ID).get());
    let starter = tokio::spawn(async move { first.await.map(drop) });
    // The other call queues behind the renewal in flight.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let waiter = client.link(LINK_ID).get().await.map(drop);
    (starter.await.unwrap(), waiter, server)
}

#[tokio::test]
async fn a_renewal_started_by_a_call_with_a_short_timeout_serves_the_others() {
    let slow = ResponseTemplate::new(201)
        .set_body_json(token_body("tok", 3600))
        .set_delay(Duration::from_millis(300));
    let (starter, waiter, server) =
        renewal_started_by(slow, |call| call.attempt_timeout(Duration::from_millis(50))).await;
    // The starter's 50 ms attempt timeout does not reach the token request: both calls get the
    // link (before, the waiter failed with the starter's timeout).
    starter.unwrap();
    waiter.unwrap();
    assert_eq!(count(&server, "POST").await, 1);
}

#[tokio::test]
async fn a_renewal_started_by_a_call_with_a_short_call_timeout_serves_the_others() {
    let slow = ResponseTemplate::new(201)
        .set_body_json(token_body("tok", 3600))
        .set_delay(Duration::from_millis(300));
    let (starter, waiter, server) =
        renewal_started_by(slow, |call| call.call_timeout(Duration::from_millis(100))).await;
    // The starter gives up at its own deadline; the renewal goes on for the others (before, it
    // was cancelled with the starter, and the waiter sent a token request of its own).
    let error = starter.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Timeout);
    // The call's own deadline, and what it was waiting for then.
    assert_eq!(error.operation(), Some("get_link"));
    assert!(
        error
            .to_string()
            .contains("still waiting for an access token"),
        "{error}"
    );
    waiter.unwrap();
    assert_eq!(count(&server, "POST").await, 1);
}

#[tokio::test]
async fn a_renewal_started_by_a_call_without_retries_retries_as_the_client_does() {
    let server = MockServer::start().await;
    let unavailable = ResponseTemplate::new(503).set_delay(Duration::from_millis(100));
    mount_token_response(&server, unavailable, 1).await;
    mount_token(&server, "tok", 3600, 1).await;
    mount_link(&server, json(200, LINK), 2).await;
    let client = credentials_client(&server);
    let first = client
        .link(LINK_ID)
        .get()
        .retry_policy(moneykit::RetryPolicy::disabled());
    let starter = tokio::spawn(async move { first.await.map(drop) });
    tokio::time::sleep(Duration::from_millis(20)).await;
    let waiter = client.link(LINK_ID).get().await;
    // The token request follows the client's policy (3 attempts), not the starter's (1).
    starter.await.unwrap().unwrap();
    waiter.unwrap();
    assert_eq!(count(&server, "POST").await, 2);
}

/// A token living `lifetime` s (renewed 60 s before it expires), then a token endpoint that
/// answers `failing`, then one that issues `next`.
async fn token_then_failing_endpoint(
    lifetime: i64,
    failing: ResponseTemplate,
    failures: u64,
) -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, "first", lifetime, 1).await;
    mount_token_response(&server, failing, failures).await;
    let next = ResponseTemplate::new(201).set_body_json(token_body("next", 3600));
    mount_token_always(&server, next).await;
    mount_link(&server, json(200, LINK), ..).await;
    server
}

#[tokio::test(start_paused = true)]
async fn a_failed_early_renewal_keeps_the_cached_token_until_it_expires() {
    // Three 503s: one early renewal with its three attempts.
    let server = token_then_failing_endpoint(120, ResponseTemplate::new(503), 3).await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    client.link(LINK_ID).get().await.unwrap();
    // In the renewal window (60 s before expiry) the renewal fails: the call still succeeds
    // with the token, which works for another minute (before, the call failed with the 503).
    tokio::time::sleep(Duration::from_secs(61)).await;
    client.link(LINK_ID).get().await.unwrap();
    // The next call uses the valid token without waiting (the renewal is retried in the
    // background, at most every few seconds).
    client.link(LINK_ID).get().await.unwrap();
    // Once the token expired, a call waits for that renewal (or a new one): the new token.
    tokio::time::sleep(Duration::from_secs(60)).await;
    client.link(LINK_ID).get().await.unwrap();
    let sent = bearers(&server).await;
    assert_eq!(sent[..2], ["Bearer first", "Bearer first"]);
    assert_eq!(sent.last().unwrap(), "Bearer next");
    assert_eq!(count(&server, "POST").await, 5);
}

#[tokio::test(start_paused = true)]
async fn after_its_expiry_a_failed_renewal_fails_the_call_and_the_next_call_tries_again() {
    let server = token_then_failing_endpoint(120, ResponseTemplate::new(503), 6).await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    // Expired: the renewal (3 more 503s) fails the call.
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.operation(), Some("create_access_token"));
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(bearers(&server).await.last().unwrap(), "Bearer next");
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_early_renewal_is_not_repeated_before_its_retry_after() {
    // The token endpoint asks for 40 s: more than the policy's 30 s, so the renewal fails at once.
    let server = token_then_failing_endpoint(120, rate_limited("40"), 1).await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_secs(61)).await;
    for _ in 0..5 {
        client.link(LINK_ID).get().await.unwrap();
    }
    assert_eq!(
        count(&server, "POST").await,
        2,
        "renewed again before Retry-After"
    );
    tokio::time::sleep(Duration::from_secs(40)).await;
    client.link(LINK_ID).get().await.unwrap();
    // That call renewed in the background; once the token expired, calls use the new one.
    tokio::time::sleep(Duration::from_secs(20)).await;
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(bearers(&server).await.last().unwrap(), "Bearer next");
}

/// `expires_in` of zero or less: the token is stale on arrival.
async fn concurrent_calls_with_a_token_stale_on_arrival(expires_in: i64) {
    let server = MockServer::start().await;
    // Slow, so that all twenty calls arrive while it is in flight, even on a busy machine.
    let stale = ResponseTemplate::new(201)
        .set_body_json(token_body("stale", expires_in))
        .set_delay(Duration::from_millis(500));
    mount_token_always(&server, stale).await;
    mount_link(&server, json(200, LINK), 20).await;
    for result in concurrent_gets(&credentials_client(&server), 20).await {
        result.unwrap();
    }
    assert_eq!(count(&server, "POST").await, 1, "expires_in {expires_in}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expires_in_zero_or_less_keeps_the_renewal_single_flight() {
    concurrent_calls_with_a_token_stale_on_arrival(0).await;
    concurrent_calls_with_a_token_stale_on_arrival(-30).await;
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_value_is_not_cached() {
    let server = MockServer::start().await;
    let unusable = ResponseTemplate::new(201).set_body_json(token_body("tok\u{1}en", 3600));
    mount_token_response(&server, unusable, 1).await;
    mount_token(&server, "good", 3600, 1).await;
    mount_link(&server, json(200, LINK), 1).await;
    let client = credentials_client(&server);
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Decode);
    assert_eq!(error.operation(), Some("create_access_token"));
    // Not cached: the next call asks for a new token at once (before, every call failed
    // `invalid_input` for the token's whole lifetime).
    client.link(LINK_ID).get().await.unwrap();
    assert_eq!(bearers(&server).await, ["Bearer good"]);
}

#[tokio::test(start_paused = true)]
async fn a_huge_expires_in_panics_nothing() {
    let server = MockServer::start().await;
    mount_token(&server, "forever", i64::MAX, 1).await;
    mount_link(&server, json(200, LINK), 2).await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_secs(365 * 24 * 3600)).await;
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn after_its_expiry_calls_fail_at_once_until_the_token_endpoints_retry_after() {
    let server = MockServer::start().await;
    // 40 s: more than the policy's 30 s, so the token request fails at once.
    mount_token_response(&server, rate_limited("40"), 1).await;
    mount_token(&server, "tok", 3600, 1).await;
    mount_link(&server, json(200, LINK), 1).await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    for _ in 0..3 {
        let error = client.link(LINK_ID).get().await.unwrap_err();
        assert_eq!(error.operation(), Some("create_access_token"));
        assert!(
            matches!(error.kind(), ErrorKind::RateLimited { .. }),
            "{error}"
        );
    }
    // One token request: the others were not sent before its `Retry-After`.
    assert_eq!(count(&server, "POST").await, 1);
    tokio::time::sleep(Duration::from_secs(40)).await;
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoints_retry_after_is_kept_to_for_a_minute_at_most() {
    let server = MockServer::start().await;
    // A year: a client that kept to it would fail every call for as long.
    mount_token_response(&server, rate_limited("31536000"), 1).await;
    mount_token(&server, "tok", 3600, 1).await;
    mount_link(&server, json(200, LINK), 1).await;
    let client = paused_credentials_builder(&server.uri()).build().unwrap();
    client.link(LINK_ID).get().await.unwrap_err();
    tokio::time::sleep(Duration::from_secs(59)).await;
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::RateLimited { .. }),
        "{error}"
    );
    assert_eq!(count(&server, "POST").await, 1);
    tokio::time::sleep(Duration::from_secs(1)).await;
    client.link(LINK_ID).get().await.unwrap();
}

#[tokio::test]
async fn in_the_renewal_window_a_slow_renewal_does_not_hold_the_call() {
    let server = MockServer::start().await;
    // Two seconds: renewed from 1 s on (the margin is capped at half the lifetime).
    mount_token(&server, "first", 2, 1).await;
    let slow = ResponseTemplate::new(201)
        .set_body_json(token_body("next", 3600))
        .set_delay(Duration::from_secs(5));
    mount_token_always(&server, slow).await;
    mount_link(&server, json(200, LINK), 2).await;
    let client = builder(&server)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The token still works for most of a second: after waiting an attempt's timeout (200 ms)
    // for the renewal, the call uses it. Waiting for the renewal instead takes at least its
    // three timed-out attempts and their backoff (600 ms and more; the delayed answer itself is
    // never served within the 200 ms attempt timeout).
    let started = tokio::time::Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(bearers(&server).await, ["Bearer first", "Bearer first"]);
}
