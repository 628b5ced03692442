//! The per-attempt timeout and the call's deadline. A slow response needs a server that is really
//! slow, so these run on the real clock; they assert what happened (kinds, attempts), never how
//! long it took.

mod common;

use std::time::Duration;

use common::*;
use moneykit::{ClientBuilder, ErrorKind, RetryPolicy};
use wiremock::{MockServer, ResponseTemplate};

/// The error of a `get` whose link answers only after `delay`, from a token client that
/// `configure` gives its timeouts. The server may see fewer than `at_most` requests: on a busy
/// machine an attempt may time out before its request reaches it.
async fn slow_link_error(
    delay: Duration,
    at_most: u64,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> moneykit::Error {
    let server = MockServer::start().await;
    mount_link(&server, json(200, LINK).set_delay(delay), ..=at_most).await;
    let client = configure(builder(&server).access_token(ACCESS_TOKEN))
        .build()
        .unwrap();
    client.link(LINK_ID).get().await.unwrap_err()
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_is_retried() {
    let error = slow_link_error(Duration::from_millis(500), 3, |b| {
        b.attempt_timeout(Duration::from_millis(50))
    })
    .await;
    assert_eq!(*error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 3);
}

#[tokio::test]
async fn the_call_deadline_cuts_a_slow_attempt() {
    let error = slow_link_error(Duration::from_secs(5), 1, |b| {
        b.call_timeout(Duration::from_millis(100))
    })
    .await;
    assert_eq!(*error.kind(), ErrorKind::Timeout);
    assert_eq!(error.operation(), Some("get_link"));
    assert!(
        error.to_string().contains("did not finish within 100ms"),
        "{error}"
    );
}

#[tokio::test]
async fn the_call_deadline_cuts_a_retry_that_would_outlast_it() {
    // The first attempt ends by its own timeout, well before the deadline; the second, started
    // after it, would end by its own after the deadline, which ends it first (a call that
    // raced no attempt with its deadline would fail with the attempt's timeout instead).
    let error = slow_link_error(Duration::from_secs(5), 2, |b| {
        b.attempt_timeout(Duration::from_millis(100))
            .call_timeout(Duration::from_millis(190))
            .retry_policy(RetryPolicy::new().max_delay(Duration::from_millis(10)))
    })
    .await;
    assert_eq!(*error.kind(), ErrorKind::Timeout);
    assert!(
        error.to_string().contains("did not finish within 190ms"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_call_deadline_bounds_the_retries() {
    let server = MockServer::start().await;
    // On the paused clock the deadline may fire before the first request arrives.
    mount_link(&server, ResponseTemplate::new(503), 0..).await;
    let policy = RetryPolicy::new()
        .max_attempts(1000)
        .base_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(20));
    let client = paused_builder(&server.uri())
        .retry_policy(policy)
        .call_timeout(Duration::from_millis(150))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let (elapsed, error) = timed_link_error(&client).await;
    assert!(elapsed <= Duration::from_millis(150));
    // Either the deadline cut an attempt (Timeout; on the paused clock it may fire while a
    // response is on its way) or the next wait would have passed it.
    assert!(
        matches!(error.kind(), ErrorKind::Timeout | ErrorKind::Server),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_not_made() {
    let server = MockServer::start().await;
    mount_link(&server, rate_limited("30"), 1).await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().max_delay(Duration::from_secs(30)))
        .call_timeout(Duration::from_secs(5))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    // Had the client waited, the 5 s deadline would have ended the call as a Timeout.
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(error.attempts(), 1);
}
