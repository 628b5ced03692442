//! `MONEYKIT_*` variables configure the client, flags win over them, and `--sandbox` ignores
//! them; checked against a sandbox started in this process.

mod common;

use common::{BAD_TOKEN, Local, assert_success, moneykit, run_command, sandbox};
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, links};

const LINK_GET: [&str; 3] = ["link", "get", links::US];

#[test]
fn the_environment_configures_the_client() {
    let local = Local::start();
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", local.url())
            .env("MONEYKIT_CLIENT_ID", CLIENT_ID)
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .env("MONEYKIT_VERSION", "2023-02-18")
            .args(LINK_GET),
        &[],
    );
    assert_success(&outcome);
    assert_eq!(outcome.json()["link_id"], links::US);

    let token = local.token();
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", local.url())
            .env("MONEYKIT_ACCESS_TOKEN", &token)
            .args(["accounts", "list", links::US]),
        &[&token],
    );
    assert_success(&outcome);
}

#[test]
fn each_run_requests_one_token() {
    let local = Local::start();
    let credentials = [
        "--base-url",
        local.url(),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
    ];
    let outcome = run_command(moneykit().args(credentials).arg("token"), &[]);
    assert_success(&outcome);
    assert_eq!(local.sandbox.tokens_issued(), 1);
    let outcome = run_command(
        moneykit()
            .args(credentials)
            .args(["accounts", "list", links::US]),
        &[],
    );
    assert_success(&outcome);
    assert_eq!(local.sandbox.tokens_issued(), 2);
}

#[test]
fn flags_win_over_the_environment() {
    let local = Local::start();
    // The base URL flag wins over a dead one in the environment.
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", "http://127.0.0.1:1")
            .env("MONEYKIT_CLIENT_ID", CLIENT_ID)
            .env("MONEYKIT_CLIENT_SECRET", "wrong-secret")
            .args(["--base-url", local.url()])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(LINK_GET),
        &["wrong-secret"],
    );
    assert_success(&outcome);

    // Client credentials given as flags win over an access token in the environment.
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_ACCESS_TOKEN", BAD_TOKEN)
            .args(["--base-url", local.url()])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["token"]),
        &[],
    );
    assert_success(&outcome);
    assert_eq!(outcome.json()["token_type"], "bearer");

    // An access token flag wins over client credentials in the environment: here a bad one.
    run_command(
        moneykit()
            .env("MONEYKIT_CLIENT_ID", CLIENT_ID)
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .args(["--base-url", local.url(), "--access-token", BAD_TOKEN])
            .args(LINK_GET),
        &[],
    )
    .fails_with(3, "error: unauthorized (status 401");

    // The sandbox flag ignores every connection setting of the environment.
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", "http://127.0.0.1:1")
            .env("MONEYKIT_ACCESS_TOKEN", BAD_TOKEN)
            .arg("--sandbox")
            .args(LINK_GET),
        &[],
    );
    assert_success(&outcome);
}

#[test]
fn the_api_version_is_sent_and_its_flag_wins() {
    sandbox(&["--api-version", "2099-01-01", "link", "get", links::US])
        .fails_with(5, "error: request_validation (status 422, ");
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_VERSION", "2099-01-01")
            .args(["--sandbox", "--api-version", "2023-02-18"])
            .args(LINK_GET),
        &[],
    );
    assert_success(&outcome);
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_VERSION", "2099-01-01")
            .arg("--sandbox")
            .args(LINK_GET),
        &[],
    );
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
}
