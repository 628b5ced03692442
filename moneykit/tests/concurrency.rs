//! One client (and its clones) under load, against the sandbox on 127.0.0.1: 500 concurrent
//! calls while the access token expires mid-run all succeed with exactly one renewal, and clones
//! share one token cache.

use std::time::Duration;

use moneykit::Client;
use moneykit_sandbox::{Config, Sandbox, links};
use tokio::time::Instant;

const CALLS: u32 = 500;

async fn sandbox(token_lifetime: Duration) -> Sandbox {
    Sandbox::start(Config::new().token_lifetime(token_lifetime))
        .await
        .unwrap()
}

/// A client of `sandbox` that keeps a token for its whole lifetime (no early renewal), so that
/// the token does expire mid-run.
fn client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .token_renewal_margin(Duration::ZERO)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_calls_across_a_token_expiry_renew_once() {
    // The sandbox's tokens live 2 s (real time: this test does not pause tokio's clock). Half the calls start
    // at once and race for the first token; the other half start 1 ms apart from 1.9 s to
    // 2.15 s, around the moment the token expires (for the sandbox, and a little later for
    // the client), so they race for its renewal. The second token outlives the run.
    let sandbox = sandbox(Duration::from_secs(2)).await;
    let client = client(&sandbox);
    let started = Instant::now();
    let run = async {
        let tasks: Vec<_> = (0..CALLS)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(start_of(i)).await;
                    client.link(links::US).get().await
                })
            })
            .collect();
        let mut failures = Vec::new();
        for task in tasks {
            if let Err(error) = task.await.unwrap() {
                failures.push(error.to_string());
            }
        }
        failures
    };
    let failures = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("no deadlock: 500 calls finish within 30 s");
    assert!(
        failures.is_empty(),
        "{} failed: {failures:?}",
        failures.len()
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert_eq!(
        sandbox.tokens_issued(),
        2,
        "the first token, then exactly one renewal"
    );
}

/// When call `i` starts, relative to the first.
fn start_of(i: u32) -> Duration {
    match i.checked_sub(CALLS / 2) {
        None => Duration::ZERO,
        Some(later) => Duration::from_millis(1900) + Duration::from_millis(later.into()),
    }
}

#[test]
fn the_client_is_clone_send_sync_and_one_pointer() {
    fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    clone_send_sync::<Client>();
    // A clone is a reference-count increment: the client is one pointer to its shared state.
    assert_eq!(std::mem::size_of::<Client>(), std::mem::size_of::<usize>());
}

#[tokio::test]
async fn clones_share_the_token() {
    let sandbox = sandbox(Duration::from_secs(3600)).await;
    let first = client(&sandbox);
    let made_before = first.clone();
    first.link(links::US).get().await.unwrap();
    let made_after = first.clone();
    made_before.link(links::US).get().await.unwrap();
    made_after.link(links::CA).get().await.unwrap();
    // Moved to another task (Send), the clone still uses the same token.
    let elsewhere = first.clone();
    tokio::spawn(async move { elsewhere.link(links::UK).get().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sandbox.tokens_issued(), 1);
}
