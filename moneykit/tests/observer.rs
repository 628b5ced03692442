//! The client-level [`AttemptObserver`] against the sandbox on 127.0.0.1: it adds headers to
//! every request (token requests included) but never the credentials or another header the
//! client owns, and it is told how every attempt ended, retries included.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use moneykit::header::{HeaderMap, HeaderValue};
use moneykit::{AttemptEnd, AttemptObserver, Client, Jitter, RetryPolicy};
use moneykit_sandbox::{Config, Fault, Operation, Sandbox, links};

/// What the observer saw: one line per attempt.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl AttemptObserver for Seen {
    fn before_send(&self, operation: &'static str, headers: &mut HeaderMap) {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        headers.insert("traceparent", HeaderValue::from_static(parent));
        headers.insert("x-observed", HeaderValue::from_static(operation));
        // The client owns these: dropped, whatever the observer says.
        headers.insert("authorization", HeaderValue::from_static("Bearer stolen"));
        headers.insert("moneykit-version", HeaderValue::from_static("1999-01-01"));
    }

    fn after_attempt(&self, end: &AttemptEnd<'_>) {
        let kind = end.error.map(|error| error.kind().as_str());
        let line = format!(
            "{} #{} {:?} {:?}",
            end.operation, end.attempt, end.status, kind
        );
        self.0.lock().unwrap().push(line);
    }
}

#[tokio::test]
async fn the_observer_adds_headers_sees_every_attempt_and_never_the_credentials() {
    let sandbox = Sandbox::start(Config::new()).await.unwrap();
    let seen = Seen::default();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .retry_policy(
            RetryPolicy::new()
                .base_delay(Duration::from_millis(1))
                .jitter(Jitter::Off),
        )
        .attempt_observer(seen.clone())
        .build()
        .unwrap();
    sandbox
        .fail(Fault::status(503).on(Operation::GetLink))
        .unwrap();

    client.link(links::US).get().await.unwrap();

    let attempts = seen.0.lock().unwrap().clone();
    assert_eq!(
        attempts,
        [
            "create_access_token #1 Some(201) None",
            "get_link #1 Some(503) Some(\"server\")",
            "get_link #2 Some(200) None",
        ]
    );
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert!(
            request
                .header("traceparent")
                .is_some_and(|v| v.starts_with("00-"))
        );
        // The client's own `Authorization` (none on the form-body token request) and
        // `moneykit-version`, once each: the observer's were dropped, not added.
        let count = |name: &str| request.headers.iter().filter(|(n, _)| n == name).count();
        let is_token_request = request.path == "/auth/token";
        assert_eq!(
            count("authorization"),
            usize::from(!is_token_request),
            "{request:?}"
        );
        assert_eq!(count("moneykit-version"), 1, "{request:?}");
    }
    let operations: Vec<_> = requests
        .iter()
        .filter_map(|r| r.header("x-observed"))
        .collect();
    assert_eq!(operations, ["create_access_token", "get_link", "get_link"]);
    drop(sandbox);
}
