//! The `moneykit` binary end to end, over real HTTP on 127.0.0.1: mostly with `--sandbox` (each
//! run starts its own embedded sandbox on a random port), and against a sandbox started in this
//! process where the test needs to know its address (flags against the environment).
//!
//! Every run goes through [`run`], which removes the developer's `MONEYKIT_*` variables and
//! checks that neither stdout nor stderr contains the sandbox's client secret or any token or
//! secret the test handed in.

use std::process::Output;

use assert_cmd::Command;
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, links, scenarios};
use serde_json::Value;

/// A made-up token: it must never be printed either.
const BAD_TOKEN: &str = "at_NotARealToken_5f0c9e1d";

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The failure's single stderr line.
    fn error_line(&self) -> &str {
        assert!(self.stdout.is_empty(), "stdout: {}", self.stdout);
        assert!(self.stderr.ends_with('\n'), "stderr: {:?}", self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "stderr: {}", self.stderr);
        self.stderr.trim_end()
    }
}

/// `moneykit` with no `MONEYKIT_*` variable from the developer's environment.
fn moneykit() -> Command {
    let mut command = Command::cargo_bin("moneykit").unwrap();
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MONEYKIT_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `command`, checking that no secret in `secrets` (nor the sandbox's client secret)
/// appears in its output.
fn run_command(command: &mut Command, secrets: &[&str]) -> Outcome {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let outcome = Outcome {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    for secret in secrets.iter().chain([&CLIENT_SECRET, &BAD_TOKEN]) {
        assert!(
            !outcome.stdout.contains(secret) && !outcome.stderr.contains(secret),
            "{secret} printed:\n{}\n{}",
            outcome.stdout,
            outcome.stderr
        );
    }
    outcome
}

fn run(args: &[&str]) -> Outcome {
    run_command(moneykit().args(args), &[])
}

fn sandbox(args: &[&str]) -> Outcome {
    let mut command = moneykit();
    command.arg("--sandbox").args(args);
    run_command(&mut command, &[])
}

fn assert_success(outcome: &Outcome) {
    assert_eq!(
        outcome.code, 0,
        "stdout: {}\nstderr: {}",
        outcome.stdout, outcome.stderr
    );
    assert!(outcome.stderr.is_empty(), "stderr: {}", outcome.stderr);
}

// ---------------------------------------------------------------------------------------------
// Successful commands

#[test]
fn token_prints_only_the_type_and_lifetime() {
    let outcome = sandbox(&["token"]);
    assert_success(&outcome);
    assert_eq!(
        outcome.json(),
        serde_json::json!({"token_type": "bearer", "expires_in": 3600})
    );

    let outcome = sandbox(&["--output", "table", "token"]);
    assert_success(&outcome);
    assert_eq!(outcome.stdout, "token_type  bearer\nexpires_in  3600\n");
}

#[test]
fn json_is_the_default_when_stdout_is_not_a_terminal() {
    let outcome = sandbox(&["link", "get", links::US]);
    assert_success(&outcome);
    let link = outcome.json();
    assert_eq!(link["link_id"], links::US);
    assert_eq!(link["state"], "connected");
    assert!(link["products"].is_object(), "{link}");
    assert!(outcome.stdout.contains("\n  \""), "pretty-printed");
}

#[test]
fn link_get_as_a_table() {
    let outcome = sandbox(&["--output", "table", "link", "get", links::US]);
    assert_success(&outcome);
    let text = &outcome.stdout;
    for expected in [
        "link_id",
        links::US,
        "institution",
        "provider",
        "state",
        "connected",
        "error_code",
        "PRODUCT",
        "REFRESHED_AT",
        "LAST_ATTEMPTED_AT",
        "ERROR",
        "accounts",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("state") && l.ends_with("connected"))
    );
    assert!(serde_json::from_str::<Value>(text).is_err());
}

#[test]
fn link_get_of_a_deleted_link_shows_its_state() {
    let outcome = sandbox(&["link", "get", links::DELETED]);
    assert_success(&outcome);
    assert_eq!(outcome.json()["state"], "deleted");
}

fn account_ids(outcome: &Outcome) -> Vec<String> {
    outcome.json()["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["account_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn accounts_list_all_and_filtered() {
    let outcome = sandbox(&["accounts", "list", links::US]);
    assert_success(&outcome);
    let all = account_ids(&outcome);
    for id in [
        "acc_us_checking",
        "acc_us_savings",
        "acc_us_credit_card",
        "acc_us_closed_savings",
    ] {
        assert!(all.iter().any(|a| a == id), "{id} missing from {all:?}");
    }
    assert_eq!(outcome.json()["link"]["link_id"], links::US);

    let outcome = sandbox(&[
        "accounts",
        "list",
        links::US,
        "--account-id",
        "acc_us_checking",
        "--account-id",
        "acc_us_credit_card",
    ]);
    assert_success(&outcome);
    let mut some = account_ids(&outcome);
    some.sort();
    assert_eq!(some, ["acc_us_checking", "acc_us_credit_card"]);
}

#[test]
fn accounts_list_as_a_table() {
    let outcome = sandbox(&["--output", "table", "accounts", "list", links::US]);
    assert_success(&outcome);
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    let header = lines[0];
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        [
            "ACCOUNT_ID",
            "NAME",
            "TYPE",
            "MASK",
            "CURRENCY",
            "AVAILABLE",
            "CURRENT",
            "CLOSED"
        ]
    );
    assert_eq!(lines.len(), 5, "{}", outcome.stdout);
    // Aligned: each column starts at the same offset on every line.
    let closed_at = header.find("CLOSED").unwrap();
    let checking = lines
        .iter()
        .find(|l| l.starts_with("acc_us_checking"))
        .unwrap();
    assert!(checking.contains("depository.checking"), "{checking}");
    assert!(checking.contains("8062"), "{checking}");
    assert_eq!(checking.get(closed_at..), Some("no"), "{}", outcome.stdout);
    let closed = lines
        .iter()
        .find(|l| l.starts_with("acc_us_closed_savings"))
        .unwrap();
    assert_eq!(closed.get(closed_at..), Some("yes"), "{}", outcome.stdout);
}

#[test]
fn account_numbers_are_masked_by_default() {
    let outcome = sandbox(&["accounts", "numbers", links::US]);
    assert_success(&outcome);
    let text = &outcome.stdout;
    for full in ["235905558062", "111222333", "021000021"] {
        assert!(!text.contains(full), "{full} printed:\n{text}");
    }
    assert!(text.contains("••••8062"), "{text}");
    let json = outcome.json();
    let checking = json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == "acc_us_checking")
        .unwrap();
    assert_eq!(checking["numbers"]["ach"][0]["account_number"], "••••8062");
    assert_eq!(checking["numbers"]["ach"][0]["routing_number"], "••••2333");
    assert_eq!(
        checking["numbers"]["ach"][0]["wire_routing_number"],
        "••••0021"
    );

    let outcome = sandbox(&["--output", "table", "accounts", "numbers", links::US]);
    assert_success(&outcome);
    let text = &outcome.stdout;
    assert!(!text.contains("235905558062"), "{text}");
    assert!(!text.contains("111222333"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("acc_us_checking"))
        .unwrap();
    assert!(row.contains("ach") && row.contains("••••8062"), "{row}");
    // The credit card has no numbers: it is not listed, or listed without any.
    if let Some(card) = text.lines().find(|l| l.starts_with("acc_us_credit_card")) {
        assert!(card.contains("no numbers"), "{card}");
    }
}

#[test]
fn account_numbers_in_full_with_reveal() {
    let outcome = sandbox(&["accounts", "numbers", links::US, "--reveal"]);
    assert_success(&outcome);
    let json = outcome.json();
    let checking = json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == "acc_us_checking")
        .unwrap();
    let ach = &checking["numbers"]["ach"][0];
    assert_eq!(ach["account_number"], "235905558062");
    assert_eq!(ach["routing_number"], "111222333");
    assert_eq!(ach["wire_routing_number"], "021000021");

    let outcome = sandbox(&[
        "--output",
        "table",
        "accounts",
        "numbers",
        links::US,
        "--reveal",
    ]);
    assert_success(&outcome);
    assert!(
        outcome.stdout.contains("235905558062"),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stdout.contains('•'), "{}", outcome.stdout);
}

#[test]
fn other_seeded_links_mask_their_numbers() {
    for link in [links::CA, links::UK] {
        let outcome = sandbox(&["accounts", "numbers", link]);
        assert_success(&outcome);
        let masked = outcome.json();
        let revealed = sandbox(&["accounts", "numbers", link, "--reveal"]).json();
        assert_eq!(
            masked["accounts"].as_array().map(Vec::len),
            revealed["accounts"].as_array().map(Vec::len)
        );
        // Every string that differs between the two is a number, masked.
        let (mut a, mut b) = (Vec::new(), Vec::new());
        strings(&masked, &mut a);
        strings(&revealed, &mut b);
        assert_eq!(a.len(), b.len());
        let differing: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
        assert!(!differing.is_empty(), "{link}: nothing masked");
        for (masked, full) in differing {
            assert!(masked.starts_with("••••"), "{link}: {masked}");
            assert!(
                !outcome.stdout.contains(full.as_str()),
                "{link}: {full} printed"
            );
        }
    }
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Exit codes and the error line

#[test]
fn exit_2_without_credentials() {
    let outcome = run(&["link", "get", links::US]);
    assert_eq!(outcome.code, 2);
    let line = outcome.error_line();
    assert!(
        line.starts_with("error: usage: no MoneyKit credentials"),
        "{line}"
    );
    assert!(line.contains("--sandbox"), "{line}");

    // Blank variables count as unset.
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_ACCESS_TOKEN", "")
            .env("MONEYKIT_CLIENT_ID", " ")
            .args(["link", "get", links::US]),
        &[],
    );
    assert_eq!(outcome.code, 2);
    assert!(outcome.error_line().contains("no MoneyKit credentials"));
}

#[test]
fn exit_2_with_half_a_client_credential_pair() {
    let outcome = run(&["--client-id", CLIENT_ID, "link", "get", links::US]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error_line().contains("--client-secret"),
        "{}",
        outcome.stderr
    );

    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .args(["link", "get", links::US]),
        &[],
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error_line().contains("--client-id"),
        "{}",
        outcome.stderr
    );
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
    let outcome = sandbox(&["link", "get", ".."]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error_line().starts_with("error: invalid_input: "),
        "{}",
        outcome.stderr
    );
    let long = "x".repeat(300);
    assert_eq!(sandbox(&["accounts", "list", &long]).code, 2);
    assert_eq!(
        sandbox(&["accounts", "list", links::US, "--account-id", ""]).code,
        2
    );

    // `token` needs client credentials.
    let outcome = run(&[
        "--base-url",
        "http://127.0.0.1:1",
        "--access-token",
        BAD_TOKEN,
        "token",
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error_line().contains("client credentials"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn exit_2_on_a_configuration_the_client_refuses() {
    let outcome = run(&[
        "--base-url",
        "http://example.com",
        "--access-token",
        BAD_TOKEN,
        "link",
        "get",
        links::US,
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error_line().starts_with("error: configuration: "),
        "{}",
        outcome.stderr
    );
    let outcome = run(&[
        "--sandbox",
        "--api-version",
        "2023-02-18\nX-Injected: 1",
        "link",
        "get",
        links::US,
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.error_line().contains("moneykit-version"),
        "{}",
        outcome.stderr
    );
    let outcome = run(&[
        "--base-url",
        "not a url",
        "--access-token",
        BAD_TOKEN,
        "link",
        "get",
        links::US,
    ]);
    assert_eq!(outcome.code, 2);
}

#[test]
fn exit_3_on_401() {
    for scenario in [
        scenarios::UNAUTHORIZED,
        scenarios::EXPIRED_TOKEN,
        scenarios::LINK_ACCESS,
    ] {
        let outcome = sandbox(&["link", "get", scenario]);
        assert_eq!(outcome.code, 3, "{scenario}: {}", outcome.stderr);
        let line = outcome.error_line();
        assert!(
            line.starts_with("error: unauthorized (status 401, "),
            "{line}"
        );
    }
}

#[test]
fn exit_4_on_404_and_410() {
    let outcome = sandbox(&["link", "get", "mk_no_such_link"]);
    assert_eq!(outcome.code, 4);
    let line = outcome.error_line();
    assert!(
        line.starts_with("error: not_found (status 404, link_error.not_found): "),
        "{line}"
    );

    let outcome = sandbox(&["accounts", "list", links::DELETED]);
    assert_eq!(outcome.code, 4);
    let line = outcome.error_line();
    assert!(
        line.starts_with("error: deleted (status 410, link_error.deleted)"),
        "{line}"
    );
    assert_eq!(sandbox(&["accounts", "numbers", links::DELETED]).code, 4);
    assert_eq!(sandbox(&["link", "get", scenarios::NOT_FOUND]).code, 4);
    assert_eq!(sandbox(&["link", "get", scenarios::DELETED]).code, 4);
}

#[test]
fn exit_5_on_403_and_422() {
    let outcome = sandbox(&["accounts", "numbers", links::ACCOUNTS_ONLY]);
    assert_eq!(outcome.code, 5);
    let line = outcome.error_line();
    assert!(
        line.starts_with("error: forbidden (status 403, link_error.forbidden_action)"),
        "{line}"
    );

    let outcome = sandbox(&["accounts", "list", links::ERROR]);
    assert_eq!(outcome.code, 5);
    let line = outcome.error_line();
    assert!(
        line.starts_with("error: bad_state (status 422, link_error.bad_state, auth_expired)"),
        "{line}"
    );
    assert_eq!(sandbox(&["link", "get", scenarios::FORBIDDEN]).code, 5);
    assert_eq!(sandbox(&["link", "get", scenarios::BAD_STATE]).code, 5);
}

#[test]
fn exit_6_when_still_rate_limited_after_the_retries() {
    let outcome = sandbox(&["link", "get", scenarios::RATE_LIMITED]);
    assert_eq!(outcome.code, 6, "{}", outcome.stderr);
    let line = outcome.error_line();
    assert!(
        line.starts_with("error: rate_limited (status 429"),
        "{line}"
    );
    assert!(line.contains("3 attempts"), "{line}");
}

#[test]
fn exit_7_when_the_connection_is_refused() {
    let outcome = run(&[
        "--base-url",
        "http://127.0.0.1:1",
        "--access-token",
        BAD_TOKEN,
        "link",
        "get",
        links::US,
    ]);
    assert_eq!(outcome.code, 7, "{}", outcome.stderr);
    let line = outcome.error_line();
    assert!(line.starts_with("error: connection: "), "{line}");
    assert!(line.contains("after 3 attempts"), "{line}");
}

// ---------------------------------------------------------------------------------------------
// Flags, environment and secrets, against a sandbox started in this process

/// A sandbox served by this test process's runtime while the binary runs.
struct Local {
    sandbox: moneykit_sandbox::Sandbox,
    runtime: tokio::runtime::Runtime,
}

impl Local {
    fn start() -> Local {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime
            .block_on(moneykit_sandbox::Sandbox::start(
                moneykit_sandbox::Config::new(),
            ))
            .unwrap();
        Local { sandbox, runtime }
    }

    fn url(&self) -> &str {
        self.sandbox.base_url()
    }

    /// A real token of this sandbox.
    fn token(&self) -> String {
        self.runtime.block_on(async {
            let client = moneykit::Client::builder()
                .base_url(self.url())
                .client_credentials(CLIENT_ID, CLIENT_SECRET)
                .build()
                .unwrap();
            client
                .authenticate()
                .await
                .unwrap()
                .access_token
                .reveal()
                .to_owned()
        })
    }
}

#[test]
fn the_environment_configures_the_client() {
    let local = Local::start();
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", local.url())
            .env("MONEYKIT_CLIENT_ID", CLIENT_ID)
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .env("MONEYKIT_VERSION", "2023-02-18")
            .args(["link", "get", links::US]),
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
            .args(["link", "get", links::US]),
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
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_CLIENT_ID", CLIENT_ID)
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .args(["--base-url", local.url(), "--access-token", BAD_TOKEN])
            .args(["link", "get", links::US]),
        &[],
    );
    assert_eq!(outcome.code, 3, "{}", outcome.stderr);
    assert!(
        outcome
            .error_line()
            .starts_with("error: unauthorized (status 401")
    );

    // The sandbox flag ignores every connection setting of the environment.
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_BASE_URL", "http://127.0.0.1:1")
            .env("MONEYKIT_ACCESS_TOKEN", BAD_TOKEN)
            .args(["--sandbox", "link", "get", links::US]),
        &[],
    );
    assert_success(&outcome);
}

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

#[test]
fn the_api_version_is_sent_and_its_flag_wins() {
    let outcome = sandbox(&["--api-version", "2099-01-01", "link", "get", links::US]);
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
    assert!(
        outcome
            .error_line()
            .starts_with("error: request_validation (status 422, "),
        "{}",
        outcome.stderr
    );
    let outcome = run_command(
        moneykit()
            .env("MONEYKIT_VERSION", "2099-01-01")
            .args(["--sandbox", "--api-version", "2023-02-18"])
            .args(["link", "get", links::US]),
        &[],
    );
    assert_success(&outcome);
    let outcome = run_command(
        moneykit().env("MONEYKIT_VERSION", "2099-01-01").args([
            "--sandbox",
            "link",
            "get",
            links::US,
        ]),
        &[],
    );
    assert_eq!(outcome.code, 5, "{}", outcome.stderr);
}
