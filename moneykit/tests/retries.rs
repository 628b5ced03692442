//! What is retried, how often, and after exactly how long, against a real HTTP server on
//! 127.0.0.1. The waits run on a paused tokio clock, so they are asserted exactly and take no
//! real time (see `paused_builder` for what that requires of the client).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use moneykit::{ErrorKind, Jitter, RetryPolicy};
use tokio::time::Instant;
use wiremock::{MockServer, ResponseTemplate};

#[tokio::test(start_paused = true)]
async fn two_503s_then_200_is_three_requests_waiting_500_ms_then_1_s() {
    let server = MockServer::start().await;
    mount_link_first(&server, ResponseTemplate::new(503), 2).await;
    mount_link(&server, json(200, LINK), 1).await;
    let client = paused_token_client(&server.uri(), paused_policy());
    let started = Instant::now();
    let link = client.link(LINK_ID).get().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(1500));
    assert_eq!(link.link_id, LINK_ID);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_backoff_doubles_up_to_the_max_delay() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        ResponseTemplate::new(500).set_body_string("Internal Server Error"),
        5,
    )
    .await;
    let policy = RetryPolicy::new()
        .max_attempts(5)
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(300))
        .jitter(Jitter::Off);
    let client = paused_token_client(&server.uri(), policy);
    let (elapsed, error) = timed_link_error(&client).await;
    // 100 + 200 + 300 + 300 ms.
    assert_eq!(elapsed, Duration::from_millis(900));
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.attempts(), 5);
    assert_eq!(error.body_snippet(), Some("Internal Server Error"));
}

#[tokio::test(start_paused = true)]
async fn full_jitter_waits_at_most_the_ceiling() {
    let server = MockServer::start().await;
    mount_link(&server, ResponseTemplate::new(503), 3).await;
    let policy = RetryPolicy::new().base_delay(Duration::from_secs(1));
    let client = paused_token_client(&server.uri(), policy);
    let (elapsed, _) = timed_link_error(&client).await;
    assert!(elapsed <= Duration::from_secs(3), "1 s + 2 s at most");
}

#[tokio::test(start_paused = true)]
async fn max_attempts_is_configurable_and_disabled_sends_once() {
    let server = MockServer::start().await;
    mount_link(&server, ResponseTemplate::new(502), 5).await;
    let client = paused_token_client(&server.uri(), paused_policy().max_attempts(5));
    assert_eq!(client.link(LINK_ID).get().await.unwrap_err().attempts(), 5);
    server.verify().await;
    server.reset().await;

    mount_link(&server, ResponseTemplate::new(502), 1).await;
    let client = paused_token_client(&server.uri(), RetryPolicy::disabled());
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::ZERO);
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn no_retry_on_other_4xx() {
    for status in [400u16, 401, 403, 404, 410, 422] {
        let server = MockServer::start().await;
        mount_link(&server, ResponseTemplate::new(status), 1).await;
        let client = paused_token_client(&server.uri(), paused_policy());
        let (elapsed, error) = timed_link_error(&client).await;
        assert_eq!(elapsed, Duration::ZERO, "{status}");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.attempts(), 1, "{status}");
        server.verify().await;
    }
}

#[tokio::test(start_paused = true)]
async fn connection_refused_is_retried_then_a_connection_error() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = paused_token_client(&format!("http://127.0.0.1:{port}"), paused_policy());
    let (elapsed, error) = timed_link_error(&client).await;
    assert_eq!(elapsed, Duration::from_millis(1500));
    assert_eq!(*error.kind(), ErrorKind::Connection);
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.status(), None);
}

#[tokio::test(start_paused = true)]
async fn dropped_connections_are_retried_exactly_max_attempts_times() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    // A plain thread, so that the paused runtime sees the connections only as I/O.
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let client = paused_token_client(&format!("http://127.0.0.1:{port}"), paused_policy());
    let error = client.link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Connection);
    assert_eq!(error.attempts(), 3);
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}
