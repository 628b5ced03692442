//! Failures: one error line on stderr and an exit code per class (2 usage or invalid input,
//! 3 401, 4 404/410, 5 403/422, 6 429 after retries, 7 connection).

mod common;

use common::{BAD_TOKEN, Outcome, moneykit, run, run_command, sandbox};
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, links, scenarios};

const LINK_GET: [&str; 3] = ["link", "get", links::US];

/// `args` against `base_url` with a made-up access token.
fn with_token_at(base_url: &str, args: &[&str]) -> Outcome {
    run_command(
        moneykit()
            .args(["--base-url", base_url, "--access-token", BAD_TOKEN])
            .args(args),
        &[],
    )
}

#[test]
fn exit_2_without_credentials() {
    let outcome = run(&LINK_GET);
    let line = outcome.fails_with(2, "error: usage: no MoneyKit credentials");
    assert!(line.contains("--sandbox"), "{line}");

    // Blank variables count as unset.
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_ACCESS_TOKEN", "")
            .env("MONEYKIT_CLIENT_ID", " ")
            .args(LINK_GET),
        &[],
    );
    assert!(
        outcome
            .fails_with(2, "error: ")
            .contains("no MoneyKit credentials")
    );
}

#[test]
fn exit_2_with_half_a_client_credential_pair() {
    let outcome = run(&["--client-id", CLIENT_ID, "link", "get", links::US]);
    let line = outcome.fails_with(2, "error: ");
    assert!(line.contains("--client-secret"), "{line}");

    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .args(LINK_GET),
        &[],
    );
    let line = outcome.fails_with(2, "error: ");
    assert!(line.contains("--client-id"), "{line}");
}

#[test]
fn exit_2_on_clap_usage_errors() {
    for args in [
        &["--sandbox"][..],
        &["--sandbox", "link"],
        &["--sandbox", "link", "get"],
        &["--sandbox", "--output", "xml", "link", "get", links::US],
        &["--sandbox", "accounts", "frobnicate", links::US],
        &["--sandbox", "link", "get", links::US, "--no-such-flag"],
    ] {
        let outcome = run(args);
        assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
        assert!(outcome.stdout.is_empty(), "{}", outcome.stdout);
        assert!(!outcome.stderr.is_empty());
    }
}

#[test]
fn exit_2_on_invalid_input() {
    sandbox(&["link", "get", ".."]).fails_with(2, "error: invalid_input: ");
    let long = "x".repeat(300);
    assert_eq!(sandbox(&["accounts", "list", &long]).code, 2);
    assert_eq!(
        sandbox(&["accounts", "list", links::US, "--account-id", ""]).code,
        2
    );

    // `token` needs client credentials.
    let outcome = with_token_at("http://127.0.0.1:1", &["token"]);
    let line = outcome.fails_with(2, "error: ");
    assert!(line.contains("client credentials"), "{line}");
}

#[test]
fn exit_2_on_a_configuration_the_client_refuses() {
    with_token_at("http://example.com", &LINK_GET).fails_with(2, "error: configuration: ");
    let outcome = sandbox(&[
        "--api-version",
        "2023-02-18\nX-Injected: 1",
        "link",
        "get",
        links::US,
    ]);
    let line = outcome.fails_with(2, "error: ");
    assert!(line.contains("moneykit-version"), "{line}");
    assert_eq!(with_token_at("not a url", &LINK_GET).code, 2);
}

#[test]
fn exit_3_on_401() {
    for scenario in [
        scenarios::UNAUTHORIZED,
        scenarios::EXPIRED_TOKEN,
        scenarios::LINK_ACCESS,
    ] {
        sandbox(&["link", "get", scenario]).fails_with(3, "error: unauthorized (status 401, ");
    }
}

#[test]
fn exit_4_on_404_and_410() {
    sandbox(&["link", "get", "mk_no_such_link"])
        .fails_with(4, "error: not_found (status 404, link_error.not_found): ");
    sandbox(&["accounts", "list", links::DELETED])
        .fails_with(4, "error: deleted (status 410, link_error.deleted)");
    assert_eq!(sandbox(&["accounts", "numbers", links::DELETED]).code, 4);
    assert_eq!(sandbox(&["link", "get", scenarios::NOT_FOUND]).code, 4);
    assert_eq!(sandbox(&["link", "get", scenarios::DELETED]).code, 4);
}

#[test]
fn exit_5_on_403_and_422() {
    sandbox(&["accounts", "numbers", links::ACCOUNTS_ONLY]).fails_with(
        5,
        "error: forbidden (status 403, link_error.forbidden_action)",
    );
    sandbox(&["accounts", "list", links::ERROR]).fails_with(
        5,
        "error: bad_state (status 422, link_error.bad_state, auth_expired)",
    );
    assert_eq!(sandbox(&["link", "get", scenarios::FORBIDDEN]).code, 5);
    assert_eq!(sandbox(&["link", "get", scenarios::BAD_STATE]).code, 5);
}

// The two tests below wait for real: the retries happen in the child process, whose clock a
// test cannot pause.

#[test]
fn exit_6_when_still_rate_limited_after_the_retries() {
    let outcome = sandbox(&["link", "get", scenarios::RATE_LIMITED]);
    let line = outcome.fails_with(6, "error: rate_limited (status 429");
    assert!(line.contains("3 attempts"), "{line}");
}

#[test]
fn exit_7_when_the_connection_is_refused() {
    let outcome = with_token_at("http://127.0.0.1:1", &LINK_GET);
    let line = outcome.fails_with(7, "error: connection: ");
    assert!(line.contains("after 3 attempts"), "{line}");
}

#[test]
fn the_error_line_ends_with_what_to_do_next() {
    let cases = [
        (
            vec!["link", "get", "mk_no_such_link"],
            "[next: fix_on_our_side]",
        ),
        (
            vec!["accounts", "list", links::DELETED],
            "[next: reconnect]",
        ),
        (vec!["accounts", "list", links::ERROR], "[next: reconnect]"),
        (
            vec!["accounts", "numbers", links::ACCOUNTS_ONLY],
            "[next: not_permitted]",
        ),
    ];
    for (args, next) in cases {
        let run = sandbox(&args);
        assert!(
            run.stderr.trim_end().ends_with(next),
            "{args:?}: {}",
            run.stderr
        );
    }
}
