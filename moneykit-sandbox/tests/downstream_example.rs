//! An example to copy: testing the retry and error handling of your own code built on
//! `moneykit` against the sandbox's test kit — programmed faults ([`Fault`]), a link of the
//! test's own ([`TestLink`], [`TestAccount`]) and the requests the sandbox received
//! ([`Sandbox::requests`]).
//!
//! The code under test is `app::available_balance`, what an application might write. The tests
//! run on tokio's paused clock where they can: the client's retry waits and the sandbox's
//! delays then take no real time and are asserted exactly. One test needs a client timeout,
//! and that runs on the real clock (see `a_slow_answer_times_out_and_the_retry_succeeds`).

use std::time::Duration;

use moneykit::types::PublicLinkState;
use moneykit::{Client, ErrorKind, Jitter, RetryPolicy};
use moneykit_sandbox::{Config, Fault, Operation, Outcome, Sandbox, TestAccount, TestLink, links};
use rust_decimal_macros::dec;
use tokio::time::Instant;

/// The code under test.
mod app {
    use moneykit::rust_decimal::Decimal;
    use moneykit::{Client, ErrorGroup};

    /// What the application shows its user.
    #[derive(Debug, PartialEq)]
    pub enum Balance {
        /// The sum of the accounts' available balances, exact.
        Available(Decimal),
        /// The bank must be reconnected: the link is in a bad state or was deleted.
        Reconnect,
        /// MoneyKit cannot answer now (after the client's retries): try again later.
        TryLater,
    }

    /// The available balance of a link's accounts, or what to tell the user instead.
    pub async fn available_balance(
        client: &Client,
        link_id: &str,
    ) -> Result<Balance, moneykit::Error> {
        let error = match client.link(link_id).accounts().send().await {
            Ok(response) => {
                let balances = response.accounts.iter();
                let sum = balances
                    .filter_map(|a| a.balances.available())
                    .map(|amount| amount.decimal())
                    .sum();
                return Ok(Balance::Available(sum));
            }
            Err(error) => error,
        };
        // The client's error groups say what to do: no list of kinds to keep up to date.
        match error.group() {
            ErrorGroup::Reconnect => Ok(Balance::Reconnect),
            ErrorGroup::TryLater => Ok(Balance::TryLater),
            _ => Err(error),
        }
    }
}

use app::{Balance, available_balance};

/// A client for `sandbox` that authenticates with the X-Client headers (no token requests, so
/// the sandbox records only the calls under test), retries with exact waits (no jitter), and
/// has no timeouts: on a paused clock a pending timeout would fire while an answer is still on
/// its way (tokio advances the clock whenever no task is ready, even with I/O in flight).
fn paused_clock_client(sandbox: &Sandbox, attempts: u32) -> Client {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .expect("an HTTP client");
    Client::builder()
        .base_url(sandbox.base_url())
        .client_headers(sandbox.client_id(), sandbox.client_secret())
        .http_client(http)
        .attempt_timeout(None)
        .call_timeout(None)
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(attempts)
                .jitter(Jitter::Off),
        )
        .build()
        .expect("a client")
}

/// The statuses the sandbox answered, in order (`None`: no answer).
fn answers(sandbox: &Sandbox) -> Vec<Option<u16>> {
    sandbox.requests().iter().map(|r| r.status()).collect()
}

#[tokio::test(start_paused = true)]
async fn two_503s_then_success_takes_three_requests() {
    let sandbox = Sandbox::start(Config::new()).await.unwrap();
    let client = paused_clock_client(&sandbox, 3);
    let fault = Fault::status(503).times(2).on(Operation::GetAccounts);
    sandbox.fail(fault).unwrap();

    let started = Instant::now();
    let balance = available_balance(&client, links::US).await.unwrap();

    assert!(matches!(balance, Balance::Available(_)), "{balance:?}");
    assert_eq!(answers(&sandbox), [Some(503), Some(503), Some(200)]);
    let requests = sandbox.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.operation == Some(Operation::GetAccounts))
    );
    // The client's backoff without jitter: 500 ms, then 1 s.
    assert_eq!(started.elapsed(), Duration::from_millis(1500));
}

#[tokio::test(start_paused = true)]
async fn a_503_that_persists_is_a_server_error_and_its_retry_after_is_honoured() {
    let sandbox = Sandbox::start(Config::new()).await.unwrap();
    let client = paused_clock_client(&sandbox, 3);
    let retry_after = Duration::from_secs(2);
    let fault = Fault::status(503).times(3).retry_after(retry_after);
    sandbox.fail(fault).unwrap();

    let started = Instant::now();
    let error = client.link(links::US).accounts().send().await.unwrap_err();

    // The sandbox's 5xx is plain text, as a gateway's would be: the client keeps its start.
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.body_snippet(), Some("Service Unavailable"));
    assert_eq!(error.attempts(), 3);
    assert_eq!(started.elapsed(), retry_after * 2);
    assert_eq!(answers(&sandbox), [Some(503); 3]);

    sandbox.fail(Fault::status(503).times(3)).unwrap();
    let balance = available_balance(&client, links::US).await.unwrap();
    assert_eq!(balance, Balance::TryLater);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_retried_and_one_that_persists_is_try_later() {
    let sandbox = Sandbox::start(Config::new()).await.unwrap();
    let client = paused_clock_client(&sandbox, 3);
    sandbox.fail(Fault::drop_connection()).unwrap();

    let balance = available_balance(&client, links::CA).await.unwrap();

    assert!(matches!(balance, Balance::Available(_)), "{balance:?}");
    let outcomes: Vec<Outcome> = sandbox.requests().iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::Dropped, Outcome::Answered(200)]);

    sandbox.clear_requests();
    // One call without retries, then the application's three attempts.
    sandbox.fail(Fault::drop_connection().times(4)).unwrap();
    let once = paused_clock_client(&sandbox, 1);
    let error = once.link(links::CA).accounts().send().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Connection);
    let balance = available_balance(&client, links::CA).await.unwrap();
    assert_eq!(balance, Balance::TryLater);
    assert_eq!(answers(&sandbox), [None; 4]);
}

/// A client timeout against a slow answer runs on the real clock: on the paused one, tokio
/// would advance the clock to the timeout while the retried (prompt) answer is still on its way
/// over the socket, and the retry would time out too. So the timeout is short (200 ms) and the
/// delay long (a minute, never waited for: the client gives up first).
#[tokio::test]
async fn a_slow_answer_times_out_and_the_retry_succeeds() {
    let sandbox = Sandbox::start(Config::new()).await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_headers(sandbox.client_id(), sandbox.client_secret())
        .attempt_timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(10)))
        .build()
        .unwrap();
    let slow = Fault::delay(Duration::from_secs(60)).on(Operation::GetAccounts);
    sandbox.fail(slow).unwrap();

    let started = std::time::Instant::now();
    let balance = available_balance(&client, links::UK).await.unwrap();

    assert!(matches!(balance, Balance::Available(_)), "{balance:?}");
    assert!(started.elapsed() >= Duration::from_millis(200));
    // The slow request is still being answered when the retry is.
    assert_eq!(answers(&sandbox), [None, Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn a_link_of_the_tests_own() {
    let sandbox = Sandbox::start(Config::new()).await.unwrap();
    let client = paused_clock_client(&sandbox, 3);
    // Typed builders: a misspelt field or state does not compile. Everything not set is a
    // plausible default (a connected link at Juniper Bank, accounts in USD).
    let budget = TestLink::new("mk_app_budget")
        .account(TestAccount::checking("acc_rent").available(dec!(1200.25)))
        .account(TestAccount::savings("acc_fun").available(dec!(80.5)))
        // A bank that does not report an available balance: left out of the sum.
        .account(TestAccount::checking("acc_joint").available_unreported());
    sandbox.add_link(budget).unwrap();
    let deleted = TestLink::new("mk_app_deleted").state(PublicLinkState::Deleted);
    sandbox.add_link(deleted).unwrap();

    let balance = available_balance(&client, "mk_app_budget").await.unwrap();
    assert_eq!(balance, Balance::Available(dec!(1280.75)));
    let gone = available_balance(&client, "mk_app_deleted").await.unwrap();
    assert_eq!(gone, Balance::Reconnect);
    let paths: Vec<String> = sandbox.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/links/mk_app_budget/accounts",
            "/links/mk_app_deleted/accounts"
        ]
    );
}
