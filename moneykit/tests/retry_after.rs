//! `Retry-After` after a 429, in seconds and as an HTTP-date: waited for exactly, capped at the
//! policy's max delay, and reported when the retries run out. On a paused tokio clock.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use moneykit::{ErrorKind, Jitter, RetryPolicy};
use tokio::time::Instant;
use wiremock::MockServer;

/// `GET /links/{LINK_ID}` answers a 429 with this `Retry-After` once, then the link.
async fn rate_limited_once(retry_after: &str) -> MockServer {
    let server = MockServer::start().await;
    mount_link_first(&server, rate_limited(retry_after), 1).await;
    mount_link(&server, json(200, LINK), 1).await;
    server
}

/// How long a successful `get` took on the paused clock, with this policy.
async fn elapsed_with(server: &MockServer, policy: RetryPolicy) -> Duration {
    let client = paused_token_client(&server.uri(), policy);
    let started = Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    started.elapsed()
}

fn http_date_in(delta: Duration) -> String {
    httpdate::fmt_http_date(SystemTime::now() + delta)
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_waited_for_exactly() {
    let server = rate_limited_once("1").await;
    let policy = RetryPolicy::new().jitter(Jitter::Off);
    assert_eq!(elapsed_with(&server, policy).await, Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn retry_after_zero_replaces_the_backoff() {
    let server = rate_limited_once("0").await;
    // Without Retry-After, the backoff would be 10 s.
    let policy = RetryPolicy::new()
        .base_delay(Duration::from_secs(10))
        .jitter(Jitter::Off);
    assert_eq!(elapsed_with(&server, policy).await, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured_and_capped() {
    let server = rate_limited_once(&http_date_in(Duration::from_secs(3600))).await;
    // The date is an hour away: the wait is the cap, not the 1 ms backoff.
    let policy = RetryPolicy::new()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(300))
        .jitter(Jitter::Off);
    assert_eq!(
        elapsed_with(&server, policy).await,
        Duration::from_millis(300)
    );
}

#[tokio::test(start_paused = true)]
async fn a_long_retry_after_is_capped_and_reported_when_retries_run_out() {
    let server = MockServer::start().await;
    mount_link(&server, rate_limited("120"), 3).await;
    let policy = RetryPolicy::new().max_delay(Duration::from_secs(2));
    let client = paused_token_client(&server.uri(), policy);
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::from_secs(4));
    assert_eq!(
        *error.kind(),
        ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(error.error_code(), Some("api_error.rate_limit_exceeded"));
    assert_eq!(error.attempts(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_parsed_http_date_is_what_the_error_reports() {
    let server = MockServer::start().await;
    let in_an_hour = http_date_in(Duration::from_secs(3600));
    mount_link(&server, rate_limited(&in_an_hour), 1).await;
    let client = paused_token_client(&server.uri(), RetryPolicy::disabled());
    let error = client.link(LINK_ID).get().await.unwrap_err();
    let after = error.retry_after().unwrap();
    // HTTP-dates have whole seconds, and the wall clock moved on since the date was written.
    assert!(
        after > Duration::from_secs(3590) && after <= Duration::from_secs(3600),
        "{after:?}"
    );
}
