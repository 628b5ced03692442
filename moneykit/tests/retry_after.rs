//! `Retry-After` after a 429, in seconds and as an HTTP-date: waited for exactly, never cut
//! short (a wait above the policy's max delay or past the deadline ends the call at once with
//! the server's value), and reported when the retries run out; on a 503 too. On a paused tokio
//! clock.

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
async fn retry_after_as_an_http_date_is_waited_for_until_that_date() {
    let server = rate_limited_once(&http_date_in(Duration::from_secs(3))).await;
    let policy = RetryPolicy::new()
        .base_delay(Duration::from_millis(1))
        .jitter(Jitter::Off);
    let elapsed = elapsed_with(&server, policy).await;
    // HTTP-dates have whole seconds: the date written 3 s ahead is 2 to 3 s away when written,
    // a little less (real time passes during the exchange) when the 429 is read; the wait is
    // that, not the 1 ms backoff.
    assert!(
        elapsed > Duration::from_millis(1500) && elapsed <= Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert_eq!(count(&server, "GET").await, 2);
}

#[tokio::test(start_paused = true)]
async fn an_absurd_retry_after_ends_the_call_at_once_with_the_servers_value() {
    let server = MockServer::start().await;
    mount_link(&server, rate_limited("999999"), 1).await;
    let client = paused_token_client(&server.uri(), paused_policy());
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::ZERO);
    assert_eq!(
        *error.kind(),
        ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(999_999))
        }
    );
    assert_eq!(error.error_code(), Some("api_error.rate_limit_exceeded"));
    assert_eq!(error.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_date_beyond_the_max_delay_is_not_waited_for() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        rate_limited(&http_date_in(Duration::from_secs(3600))),
        1,
    )
    .await;
    let policy = paused_policy().max_delay(Duration::from_secs(30));
    let client = paused_token_client(&server.uri(), policy);
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::ZERO);
    let after = error.retry_after().unwrap();
    assert!(after > Duration::from_secs(3590), "{after:?}");
    assert_eq!(error.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_at_the_max_delay_is_waited_for_and_reported_when_retries_run_out() {
    let server = MockServer::start().await;
    mount_link(&server, rate_limited("2"), 3).await;
    let policy = paused_policy().max_delay(Duration::from_secs(2));
    let client = paused_token_client(&server.uri(), policy);
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::from_secs(4));
    assert_eq!(
        *error.kind(),
        ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(2))
        }
    );
    assert_eq!(error.attempts(), 3);
}

// A `Retry-After` past the call deadline: `deadlines.rs` (the deadline needs a real clock).

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

#[tokio::test(start_paused = true)]
async fn a_503s_retry_after_replaces_the_backoff() {
    let server = MockServer::start().await;
    let unavailable = wiremock::ResponseTemplate::new(503).insert_header("Retry-After", "2");
    mount_link_first(&server, unavailable, 1).await;
    mount_link(&server, json(200, LINK), 1).await;
    // Without Retry-After, the first backoff would be 500 ms.
    assert_eq!(
        elapsed_with(&server, paused_policy()).await,
        Duration::from_secs(2)
    );
}

#[tokio::test(start_paused = true)]
async fn an_absurd_retry_after_on_a_503_ends_the_call_at_once() {
    let server = MockServer::start().await;
    let unavailable = wiremock::ResponseTemplate::new(503).insert_header("Retry-After", "999999");
    mount_link(&server, unavailable, 1).await;
    let client = paused_token_client(&server.uri(), paused_policy());
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::ZERO);
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(999_999)));
    assert_eq!(error.attempts(), 1);
}
