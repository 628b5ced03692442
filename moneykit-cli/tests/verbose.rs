//! `-v`/`-vv` (each attempt on stderr, never a secret), `--timeout`, `--retries` and
//! `moneykit completions`.

mod common;

use common::{Outcome, assert_success, moneykit, run, run_command, sandbox};
use moneykit_sandbox::links;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "cs_VerboseSecret_77c1a0";
const ISSUED_TOKEN: &str = "at_IssuedToVerbose_e4b2f9";
const NUMBERS: &str = include_str!(
    "../../tests/fixtures/GetAccountNumbersResponseLegacy20230218/legacy_sandbox_recording_2024_01_09.json"
);
const NUMBERS_PATH: &str = "/links/mk_1/accounts/numbers";

/// A wiremock server on 127.0.0.1 that lives while the binary runs against it.
struct Upstream {
    server: MockServer,
    runtime: tokio::runtime::Runtime,
}

impl Upstream {
    /// Issues [`ISSUED_TOKEN`]; the numbers endpoint answers `first` to the first `times`
    /// requests, then the fixture.
    fn start(first: ResponseTemplate, times: u64) -> Upstream {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            let token = serde_json::json!({
                "access_token": ISSUED_TOKEN, "token_type": "bearer", "expires_in": 3600
            });
            let routes = [
                (
                    "POST",
                    "/auth/token",
                    ResponseTemplate::new(201).set_body_json(token),
                    None,
                ),
                ("GET", NUMBERS_PATH, first, Some(times)),
                (
                    "GET",
                    NUMBERS_PATH,
                    ResponseTemplate::new(200).set_body_raw(NUMBERS, "application/json"),
                    None,
                ),
            ];
            for (verb, route, response, times) in routes {
                let mock = Mock::given(method(verb))
                    .and(path(route))
                    .respond_with(response);
                let mock = match times {
                    Some(times) => mock.up_to_n_times(times),
                    None => mock,
                };
                mock.mount(&server).await;
            }
            server
        });
        Upstream { server, runtime }
    }

    /// `moneykit --base-url … --client-id … --client-secret … <args>`, checked for secrets: the
    /// client secret, the issued token and every full number of the fixture.
    fn run(&self, args: &[&str]) -> Outcome {
        let mut command = moneykit();
        command
            .args(["--base-url", &self.server.uri(), "--client-id", "id_1"])
            .env("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET)
            .args(args);
        let numbers = ["235905558062", "111222333"];
        run_command(
            &mut command,
            &[&[CLIENT_SECRET, ISSUED_TOKEN], &numbers[..]].concat(),
        )
    }

    fn numbers_requests(&self) -> usize {
        let requests = self
            .runtime
            .block_on(self.server.received_requests())
            .unwrap();
        requests
            .iter()
            .filter(|r| r.url.path() == NUMBERS_PATH)
            .count()
    }
}

#[test]
fn v_prints_each_attempt_of_a_sandbox_call_on_stderr() {
    let outcome = sandbox(&["-v", "--output", "json", "link", "get", links::US]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.json()["link_id"], links::US);
    let lines: Vec<&str> = outcome.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", outcome.stderr);
    assert!(lines[0].starts_with("moneykit: attempt succeeded operation=\"create_access_token\" attempt=1 status=201 elapsed_ms="), "{}", lines[0]);
    assert!(
        lines[1].starts_with(
            "moneykit: attempt succeeded operation=\"get_link\" attempt=1 status=200 elapsed_ms="
        ),
        "{}",
        lines[1]
    );
    // Without -v, stderr stays empty.
    assert_success(&sandbox(&["--output", "json", "link", "get", links::US]));
}

#[test]
fn a_retried_call_shows_why_and_how_long_it_waited_and_no_secret() {
    let upstream = Upstream::start(ResponseTemplate::new(503), 1);
    let outcome = upstream.run(&["-v", "--output", "json", "accounts", "numbers", "mk_1"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let stderr = &outcome.stderr;
    for expected in [
        "attempt failed operation=\"get_account_numbers\" attempt=1 status=503",
        "retrying operation=\"get_account_numbers\" attempt=1 retry_reason=\"server_error\" delay_ms=",
        "attempt succeeded operation=\"get_account_numbers\" attempt=2 status=200",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected} missing from:\n{stderr}"
        );
    }
    assert_eq!(upstream.numbers_requests(), 2);
    // -vv adds each call's span as it opens and closes, with what it recorded.
    let upstream = Upstream::start(ResponseTemplate::new(503), 1);
    let outcome = upstream.run(&["-vv", "--output", "json", "accounts", "numbers", "mk_1"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let close = outcome.stderr.lines().rfind(|l| l.ends_with(": close"));
    let close = close.unwrap_or_else(|| panic!("no close line:\n{}", outcome.stderr));
    for field in [
        "operation=\"get_account_numbers\"",
        "link_id=\"mk_1\"",
        "duration_ms=",
    ] {
        assert!(close.contains(field), "{field} missing from {close}");
    }
}

#[test]
fn retries_sets_how_often_a_request_is_sent_again() {
    let upstream = Upstream::start(ResponseTemplate::new(503), 10);
    let outcome = upstream.run(&["--retries", "0", "accounts", "numbers", "mk_1"]);
    assert!(
        outcome
            .fails_with(7, "error: server")
            .contains("status 503")
    );
    assert_eq!(upstream.numbers_requests(), 1);
    let upstream = Upstream::start(ResponseTemplate::new(503), 10);
    let outcome = upstream.run(&["-v", "--retries", "3", "accounts", "numbers", "mk_1"]);
    assert_eq!(outcome.code, 7, "{}", outcome.stderr);
    assert_eq!(upstream.numbers_requests(), 4);
    for bad in ["-1", "11", "x"] {
        let outcome = run(&["--sandbox", "--retries", bad, "link", "get", links::US]);
        assert_eq!(outcome.code, 2, "{bad}: {}", outcome.stderr);
    }
}

#[test]
fn timeout_ends_the_call_with_its_one_line_and_exit_7() {
    let slow = ResponseTemplate::new(200)
        .set_body_raw(NUMBERS, "application/json")
        .set_delay(std::time::Duration::from_secs(10));
    let upstream = Upstream::start(slow, 1);
    let started = std::time::Instant::now();
    let outcome = upstream.run(&["--timeout", "0.3", "accounts", "numbers", "mk_1"]);
    assert!(outcome.fails_with(7, "error: timeout").contains("300ms"));
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    for bad in ["0", "-2", "soon"] {
        let outcome = run(&["--sandbox", "--timeout", bad, "link", "get", links::US]);
        assert_eq!(outcome.code, 2, "{bad}: {}", outcome.stderr);
    }
}

#[test]
fn completions_are_printed_for_each_shell_without_credentials() {
    for (shell, marker) in [
        ("bash", "complete -F _moneykit"),
        ("zsh", "#compdef moneykit"),
        ("fish", "complete -c moneykit"),
    ] {
        let outcome = run(&["completions", shell]);
        assert_success(&outcome);
        assert!(
            outcome.stdout.contains(marker),
            "{shell}: {}",
            outcome.stdout
        );
        for word in ["accounts", "numbers", "retries", "timeout", "sandbox"] {
            assert!(outcome.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let outcome = run(&["completions", "tcsh"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
}
