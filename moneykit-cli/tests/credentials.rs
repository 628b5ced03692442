//! Which credentials the `moneykit` binary uses, end to end against a sandbox served by this test
//! process: the library's rule (`moneykit::Credentials::from_sources`: blank is unset, an access
//! token wins, half a pair is an error), applied to each setting's flag, else its variable, with
//! an access token from the environment left out when a client id or secret is a flag.

mod common;

use common::{BAD_TOKEN, Local, moneykit, run_command};
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, links};

const WRONG_SECRET: &str = "cs_WrongSecret_0000";

/// `moneykit … link get mk_sandbox_us` against `local` with these environment variables (and no
/// other `MONEYKIT_*`) and flags: the exit code and the stderr line. No token or secret given
/// may be printed.
fn link_get(local: &Local, env: &[(&str, &str)], flags: &[&str]) -> (i32, String) {
    let secrets: Vec<&str> = env
        .iter()
        .filter(|(name, _)| name.ends_with("TOKEN") || name.ends_with("SECRET"))
        .map(|(_, value)| *value)
        .chain([WRONG_SECRET])
        .filter(|value| !value.trim().is_empty())
        .collect();
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", local.url())
            .envs(env.iter().copied())
            .args(flags)
            .args(["--output", "json", "link", "get", links::US]),
        &secrets,
    );
    (outcome.code, outcome.stderr.trim_end().to_owned())
}

#[test]
fn in_the_environment_an_access_token_wins_over_client_credentials() {
    let local = Local::start();
    let token = local.token();
    // The pair's secret is wrong: the run succeeds only if the token is used.
    let (code, stderr) = link_get(
        &local,
        &[
            ("MONEYKIT_ACCESS_TOKEN", &token),
            ("MONEYKIT_CLIENT_ID", CLIENT_ID),
            ("MONEYKIT_CLIENT_SECRET", WRONG_SECRET),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 1, "no token was requested");
}

#[test]
fn a_blank_access_token_is_unset() {
    let local = Local::start();
    let (code, stderr) = link_get(
        &local,
        &[
            ("MONEYKIT_ACCESS_TOKEN", "  "),
            ("MONEYKIT_CLIENT_ID", CLIENT_ID),
            ("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 1);
}

#[test]
fn as_flags_an_access_token_wins_over_client_credentials() {
    let local = Local::start();
    let (code, stderr) = link_get(
        &local,
        &[],
        &[
            "--access-token",
            BAD_TOKEN,
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.starts_with("error: unauthorized (status 401"),
        "{stderr}"
    );
    assert_eq!(local.sandbox.tokens_issued(), 0);
}

#[test]
fn credential_flags_beat_the_environment_setting_by_setting() {
    let local = Local::start();
    // A token in the environment does not override a pair given as flags …
    let (code, stderr) = link_get(
        &local,
        &[("MONEYKIT_ACCESS_TOKEN", BAD_TOKEN)],
        &["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
    );
    assert_eq!(code, 0, "{stderr}");
    // … an id flag pairs with the secret kept in the environment …
    let (code, stderr) = link_get(
        &local,
        &[("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)],
        &["--client-id", CLIENT_ID],
    );
    assert_eq!(code, 0, "{stderr}");
    // … and a flag's value replaces its variable's.
    let (code, stderr) = link_get(
        &local,
        &[
            ("MONEYKIT_CLIENT_ID", CLIENT_ID),
            ("MONEYKIT_CLIENT_SECRET", WRONG_SECRET),
        ],
        &["--client-secret", CLIENT_SECRET],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 3);
}

#[test]
fn half_a_pair_is_a_usage_error_at_either_level() {
    let local = Local::start();
    let (code, stderr) = link_get(&local, &[("MONEYKIT_CLIENT_ID", CLIENT_ID)], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: usage: a client id needs a client secret: give --client-secret or set \
             MONEYKIT_CLIENT_SECRET"
        ),
        "{stderr}"
    );
    let (code, stderr) = link_get(&local, &[], &["--client-id", CLIENT_ID]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("give --client-secret"), "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 0);
}
