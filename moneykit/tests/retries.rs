//! Retries against a real HTTP server on 127.0.0.1: exact request counts for each case.

mod common;

use std::time::{Duration, Instant};

use common::*;
use moneykit::{ErrorKind, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RATE_LIMITED: &str =
    include_str!("../../tests/fixtures/APIErrorRateLimitExceededResponse/default_message.json");

#[tokio::test]
async fn two_503s_then_200_is_three_requests_and_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    mount_link(&server, json(200, LINK), 1).await;
    let link = token_client(&server).link(LINK_ID).get().await.unwrap();
    assert_eq!(link.link_id, LINK_ID);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn three_500s_are_three_requests_then_a_server_error() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        ResponseTemplate::new(500).set_body_string("Internal Server Error"),
        3,
    )
    .await;
    let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.body_snippet(), Some("Internal Server Error"));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn max_attempts_is_configurable_and_disabled_sends_once() {
    let server = MockServer::start().await;
    mount_link(&server, ResponseTemplate::new(502), 5).await;
    let client = builder(&server)
        .retry_policy(fast_policy().max_attempts(5))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    assert_eq!(client.link(LINK_ID).get().await.unwrap_err().attempts(), 5);
    server.verify().await;
    server.reset().await;

    mount_link(&server, ResponseTemplate::new(502), 1).await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::disabled())
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn retry_after_zero_replaces_the_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(json(429, RATE_LIMITED).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_link(&server, json(200, LINK), 1).await;
    // A backoff of up to 10 s would be used without Retry-After.
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::new()
                .base_delay(Duration::from_secs(10))
                .max_delay(Duration::from_secs(10)),
        )
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let started = Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_seconds_is_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(json(429, RATE_LIMITED).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_link(&server, json(200, LINK), 1).await;
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::new()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_secs(5)),
        )
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let started = Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(990), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_is_capped_at_the_max_delay_and_reported_when_retries_run_out() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        json(429, RATE_LIMITED).insert_header("Retry-After", "120"),
        3,
    )
    .await;
    let started = Instant::now();
    let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
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

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured_and_capped() {
    let server = MockServer::start().await;
    let in_an_hour = httpdate_in(Duration::from_secs(3600));
    Mock::given(method("GET"))
        .and(path(link_path()))
        .respond_with(json(429, RATE_LIMITED).insert_header("Retry-After", in_an_hour.as_str()))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_link(&server, json(200, LINK), 1).await;
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::new()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(300)),
        )
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let started = Instant::now();
    client.link(LINK_ID).get().await.unwrap();
    let elapsed = started.elapsed();
    // The date is an hour away: the wait is the cap (300 ms), not the 1 ms backoff.
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");

    // And the parsed date is what the error reports when the retries run out.
    server.reset().await;
    mount_link(
        &server,
        json(429, RATE_LIMITED).insert_header("Retry-After", in_an_hour.as_str()),
        1,
    )
    .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::disabled())
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let after = client
        .link(LINK_ID)
        .get()
        .await
        .unwrap_err()
        .retry_after()
        .unwrap();
    assert!(
        after > Duration::from_secs(3500) && after <= Duration::from_secs(3600),
        "{after:?}"
    );
}

fn httpdate_in(delta: Duration) -> String {
    // RFC 7231 IMF-fixdate, computed by hand to keep httpdate out of the test's own code path.
    let when = std::time::SystemTime::now() + delta;
    let secs = when
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday}, {day:02} {month_name} {year} {h:02}:{m:02}:{s:02} GMT")
}

#[tokio::test]
async fn no_retry_on_other_4xx() {
    for status in [400u16, 401, 403, 404, 410, 422] {
        let server = MockServer::start().await;
        mount_link(&server, ResponseTemplate::new(status), 1).await;
        let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.attempts(), 1, "{status}");
        server.verify().await;
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_connection_error() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = moneykit::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast_policy())
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Connection);
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.status(), None);
}

#[tokio::test]
async fn dropped_connections_are_retried_exactly_max_attempts_times() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    let client = moneykit::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast_policy())
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Connection);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_is_retried() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        json(200, LINK).set_delay(Duration::from_millis(500)),
        3,
    )
    .await;
    let client = builder(&server)
        .timeout(Duration::from_millis(50))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Timeout);
    assert_eq!(error.attempts(), 3);
}

#[tokio::test]
async fn the_call_deadline_bounds_everything() {
    let server = MockServer::start().await;
    mount_link(&server, ResponseTemplate::new(503), 1..).await;
    let client = builder(&server)
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(1000)
                .base_delay(Duration::from_millis(20))
                .max_delay(Duration::from_millis(20)),
        )
        .call_timeout(Duration::from_millis(150))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Either the deadline cut an attempt (Timeout) or the next wait would have passed it.
    assert!(
        matches!(error.kind(), ErrorKind::Timeout | ErrorKind::Server),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_wait_past_the_deadline_returns_the_rate_limit_at_once() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        json(429, RATE_LIMITED).insert_header("Retry-After", "30"),
        1,
    )
    .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().max_delay(Duration::from_secs(30)))
        .call_timeout(Duration::from_secs(5))
        .access_token(ACCESS_TOKEN)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(error.attempts(), 1);
}
