//! The one credential rule (`Credentials::from_sources`) as `Client::from_env` applies it to the
//! real process environment: blank means unset, an access token wins over client credentials,
//! half a pair is a typed error.
//!
//! The environment is per process and setting it is unsafe while other tests run, so each case
//! runs this test binary again as a child with exactly the variables of the case: the child
//! (`from_env_child`) builds `Client::from_env()`, calls `GET /links/{id}` once against the
//! wiremock server named in `MONEYKIT_BASE_URL`, and prints the outcome.

mod common;

use std::process::Command;

use common::*;
use moneykit::{BuildError, Client};
use wiremock::MockServer;

/// Set only in the child processes.
const CHILD: &str = "MONEYKIT_TEST_FROM_ENV_CHILD";

#[tokio::test]
async fn from_env_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let outcome = match Client::from_env() {
        Ok(client) => match client.link(LINK_ID).get().await {
            Ok(_) => "ok".to_owned(),
            Err(error) => format!("call failed: {error}"),
        },
        Err(error) => format!("build failed: {error:?}"),
    };
    println!("outcome: {outcome}");
}

/// Runs `from_env_child` with these `MONEYKIT_*` variables (and no other) and returns what it
/// printed after `outcome: `.
fn from_env(vars: &[(&str, &str)]) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child.args([
        "--exact",
        "from_env_child",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MONEYKIT_") {
            child.env_remove(name);
        }
    }
    child.env(CHILD, "1").envs(vars.iter().copied());
    let output = child.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    for secret in [CLIENT_SECRET, ACCESS_TOKEN] {
        assert!(!stdout.contains(secret), "{secret} printed: {stdout}");
    }
    // The test harness prints `test from_env_child ... ` on the same line first.
    let (_, rest) = stdout
        .split_once("outcome: ")
        .unwrap_or_else(|| panic!("no outcome: {stdout}"));
    rest.lines().next().unwrap_or_default().to_owned()
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, "tok-from-pair", 3600, 0).await;
    mount_link_for_token(&server, ACCESS_TOKEN, json(200, LINK)).await;
    server
}

#[tokio::test]
async fn an_access_token_wins_over_client_credentials() {
    let server = server().await;
    let outcome = from_env(&[
        ("MONEYKIT_BASE_URL", &server.uri()),
        ("MONEYKIT_ACCESS_TOKEN", ACCESS_TOKEN),
        ("MONEYKIT_CLIENT_ID", CLIENT_ID),
        ("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET),
    ]);
    assert_eq!(outcome, "ok");
    assert_eq!(count(&server, "POST").await, 0, "no token was requested");
    assert_eq!(bearers(&server).await, [format!("Bearer {ACCESS_TOKEN}")]);
}

#[tokio::test]
async fn a_blank_token_is_unset_and_the_pair_is_used() {
    let server = MockServer::start().await;
    mount_token(&server, "tok-from-pair", 3600, 1).await;
    mount_link_for_token(&server, "tok-from-pair", json(200, LINK)).await;
    let outcome = from_env(&[
        ("MONEYKIT_BASE_URL", &server.uri()),
        ("MONEYKIT_ACCESS_TOKEN", " \t"),
        ("MONEYKIT_CLIENT_ID", CLIENT_ID),
        ("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET),
    ]);
    assert_eq!(outcome, "ok");
    assert_eq!(bearers(&server).await, ["Bearer tok-from-pair"]);
}

#[tokio::test]
async fn half_a_pair_is_a_typed_error_and_nothing_is_sent() {
    let server = server().await;
    let base_url = server.uri();
    let cases = [
        (
            [
                ("MONEYKIT_CLIENT_ID", CLIENT_ID),
                ("MONEYKIT_CLIENT_SECRET", ""),
            ],
            BuildError::MissingClientSecret,
        ),
        (
            [
                ("MONEYKIT_CLIENT_ID", " "),
                ("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET),
            ],
            BuildError::MissingClientId,
        ),
        (
            [("MONEYKIT_CLIENT_ID", ""), ("MONEYKIT_ACCESS_TOKEN", "  ")],
            BuildError::MissingCredentials,
        ),
    ];
    for (vars, error) in cases {
        let mut vars = vars.to_vec();
        vars.push(("MONEYKIT_BASE_URL", &base_url));
        assert_eq!(from_env(&vars), format!("build failed: {error:?}"));
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
