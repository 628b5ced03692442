//! Tokens and secrets never reach stdout or stderr: not in output, errors or `--help`.
//! ([`common::run_command`] checks the client secret and the made-up token on every run.)

mod common;

use common::{BAD_TOKEN, Local, assert_success, moneykit, run, run_command};
use moneykit_sandbox::{CLIENT_SECRET, links, scenarios};

#[test]
fn an_access_token_is_never_printed() {
    let local = Local::start();
    let token = local.token();
    for args in [
        &["link", "get", links::US][..],
        &["--output", "table", "accounts", "numbers", links::US],
        &["link", "get", scenarios::FORBIDDEN],
        &["link", "get", "mk_no_such_link"],
    ] {
        run_command(
            moneykit()
                .args(["--base-url", local.url(), "--access-token", &token])
                .args(args),
            &[&token],
        );
    }
}

#[test]
fn help_never_shows_secret_environment_values() {
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .env("MONEYKIT_ACCESS_TOKEN", BAD_TOKEN)
            .env("MONEYKIT_CLIENT_ID", "visible-client-id")
            .arg("--help"),
        &[],
    );
    assert_success(&outcome);
    for expected in [
        "MONEYKIT_CLIENT_SECRET",
        "MONEYKIT_ACCESS_TOKEN",
        "--sandbox",
        "--output",
        "--api-version",
        "token",
        "link",
        "accounts",
    ] {
        assert!(
            outcome.stdout.contains(expected),
            "{expected}:\n{}",
            outcome.stdout
        );
    }
    let outcome = run(&["accounts", "numbers", "--help"]);
    assert_success(&outcome);
    assert!(outcome.stdout.contains("--reveal"));
}
