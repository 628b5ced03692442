//! Secret hygiene, end to end: no client secret, access token or full account, routing,
//! sort-code, EFT or IBAN value reaches the CLI's stdout or stderr (except the numbers of
//! `accounts numbers --reveal`), nor the `Debug`/`Display` of anything the library hands out
//! (builders, credentials, clients, responses, every error and its sources), nor its tracing at
//! TRACE level: for every command in both output formats and every error path (each sandbox
//! scenario, a 5xx, an undecodable body holding numbers, a refused connection, bad credentials).
//!
//! The sensitive values are not named: they are the strings that `redacted()` changes in the
//! responses the sandbox gives (and in the numbers fixture the broken upstream serves), plus the
//! credentials the test hands out. The CLI installs no tracing subscriber (`src/main.rs`), so its
//! runs get `RUST_LOG=trace` only so that a subscriber added later is covered too.

mod common;

use std::collections::BTreeSet;
use std::error::Error as _;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{
    Local, Outcome, assert_success, moneykit, revealed_numbers, run_command, sensitive_values,
};
use moneykit::types::GetAccountNumbersResponseLegacy20230218 as Numbers;
use moneykit::{Client, ClientBuilder, Credentials, Jitter, RetryPolicy};
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, links, scenario_links};
use serde_json::Value;
use tracing_subscriber::util::SubscriberInitExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WRONG_SECRET: &str = "cs_WrongSecret_7c1d2e3f4a";
/// The access token given for the broken upstream.
const UPSTREAM_TOKEN: &str = "at_UpstreamToken_9b8a7c6d5e";
const NUMBERS_FIXTURE: &str = include_str!(
    "../../tests/fixtures/GetAccountNumbersResponseLegacy20230218/bacs_uk_and_international_iban_bic.json"
);
/// Upstream links: every endpoint answers 503; numbers cut off mid-body; numbers sent as JSON
/// numbers (a decoder's message could quote them).
const SERVER_ERROR: &str = "mk_upstream_503";
const TRUNCATED: &str = "mk_upstream_truncated";
const NUMBERS_AS_NUMBERS: &str = "mk_upstream_numeric";
const SEEDED: [&str; 3] = [links::US, links::CA, links::UK];

/// What must not be printed, and the numbers `--reveal` prints for each seeded link.
#[derive(Default)]
struct Secrets {
    all: Vec<String>,
    revealed: Vec<(&'static str, Vec<String>)>,
}

impl Secrets {
    /// The values of `text` that are secret, except `allowed`.
    fn leaks(&self, text: &str, allowed: &[String]) -> Vec<String> {
        let mut leaks: Vec<String> = self
            .all
            .iter()
            .filter(|value| !allowed.contains(value) && appears(text, value))
            .cloned()
            .collect();
        // Tokens a CLI run obtained itself cannot be known here: the sandbox's have this shape.
        if let Some(at) = text.find("sbx_") {
            leaks.push(text[at..].chars().take(12).collect());
        }
        leaks
    }

    fn assert_clean(&self, what: &str, text: &str, allowed: &[String]) {
        let leaks = self.leaks(text, allowed);
        assert!(leaks.is_empty(), "{what} shows {leaks:?}:\n{text}");
    }
}

/// A value of 8 characters or more (masked to its last four) must not appear anywhere; a
/// shorter one (an EFT institution number `010`) not as a whole word, so that a port `40103`
/// does not count.
fn appears(text: &str, value: &str) -> bool {
    if value.chars().count() >= 8 {
        return text.contains(value);
    }
    text.match_indices(value).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + value.len()..].chars().next();
        !before.into_iter().chain(after).any(char::is_alphanumeric)
    })
}

/// Retries without waiting, so the in-process error paths are quick.
fn fast(builder: ClientBuilder) -> ClientBuilder {
    builder.retry_policy(
        RetryPolicy::new()
            .base_delay(Duration::ZERO)
            .max_delay(Duration::ZERO)
            .jitter(Jitter::Off),
    )
}

/// The credentials and tokens in play, and every sensitive value of the seeded links' responses
/// and of the upstream's numbers.
fn collect_secrets(local: &Local, token: &str, runtime: &tokio::runtime::Runtime) -> Secrets {
    let mut secrets = Secrets::default();
    let given = [
        CLIENT_SECRET,
        WRONG_SECRET,
        common::BAD_TOKEN,
        UPSTREAM_TOKEN,
        token,
    ];
    secrets.all.extend(given.map(str::to_owned));
    let client = fast(Client::builder().base_url(local.url()))
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    runtime.block_on(async {
        let issued = client.authenticate().await.unwrap();
        secrets.all.extend(sensitive_values(&issued));
        for link in SEEDED {
            let handle = client.link(link);
            let (link_details, accounts) = (handle.get().await, handle.accounts().send().await);
            secrets.all.extend(sensitive_values(&link_details.unwrap()));
            secrets.all.extend(sensitive_values(&accounts.unwrap()));
            let response = handle.account_numbers().await.unwrap();
            secrets.all.extend(sensitive_values(&response));
            let numbers = revealed_numbers(&response);
            assert!(!numbers.is_empty(), "{link} has no numbers");
            secrets.revealed.push((link, numbers));
        }
    });
    let upstream: Numbers = serde_json::from_str(NUMBERS_FIXTURE).unwrap();
    secrets.all.extend(sensitive_values(&upstream));
    secrets.all.sort();
    secrets.all.dedup();
    // Tokens, secrets, and numbers of every kind (ACH, wire, EFT, BACS, IBAN).
    assert!(secrets.all.len() >= 15, "{:?}", secrets.all);
    secrets
}

/// The numbers fixture with every sensitive all-digit string sent as a JSON number.
fn numbers_as_numbers() -> String {
    fn convert(value: &mut Value, sensitive: &[String]) {
        match value {
            Value::String(s) if sensitive.contains(s) && s.bytes().all(|b| b.is_ascii_digit()) => {
                *value = serde_json::from_str(s).unwrap();
            }
            Value::Array(items) => items.iter_mut().for_each(|v| convert(v, sensitive)),
            Value::Object(map) => map.values_mut().for_each(|v| convert(v, sensitive)),
            _ => {}
        }
    }
    let sensitive = sensitive_values(&serde_json::from_str::<Numbers>(NUMBERS_FIXTURE).unwrap());
    let mut body: Value = serde_json::from_str(NUMBERS_FIXTURE).unwrap();
    convert(&mut body, &sensitive);
    let body = body.to_string();
    assert_ne!(body, NUMBERS_FIXTURE, "no number converted");
    body
}

/// A server that fails in the ways the sandbox never does.
async fn upstream() -> MockServer {
    let server = MockServer::start().await;
    let numbers = |link: &str| format!("/links/{link}/accounts/numbers");
    let cut = NUMBERS_FIXTURE[..NUMBERS_FIXTURE.len() * 3 / 4].to_owned();
    let answers = [
        (format!("/links/{SERVER_ERROR}"), 503, "down".to_owned()),
        (format!("/links/{SERVER_ERROR}/accounts"), 503, "".into()),
        (numbers(SERVER_ERROR), 502, "".into()),
        (numbers(TRUNCATED), 200, cut),
        (numbers(NUMBERS_AS_NUMBERS), 200, numbers_as_numbers()),
    ];
    for (at, status, body) in answers {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    server
}

/// A local address that refuses connections.
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// One CLI run, with its credentials as environment variables, and what it must end with
/// (`None`: success; else a text of its error line).
struct Case {
    env: Vec<(&'static str, String)>,
    args: Vec<String>,
    expect: Option<String>,
}

/// The CLI runs, each in both output formats.
#[derive(Default)]
struct Plan(Vec<Case>);

impl Plan {
    /// `moneykit --output FORMAT --base-url URL ARGS…` with `env`.
    fn add(&mut self, url: &str, env: &[(&'static str, String)], args: &str, expect: Option<&str>) {
        for format in ["json", "table"] {
            let mut all = vec!["--output", format, "--base-url", url];
            all.extend(args.split(' '));
            self.0.push(Case {
                env: env.to_vec(),
                args: all.into_iter().map(str::to_owned).collect(),
                expect: expect.map(str::to_owned),
            });
        }
    }
}

/// Every command with client credentials and with an access token, and every error path.
fn cli_cases(local: &Local, upstream: &str, token: &str) -> Vec<Case> {
    let pair = |secret: &str| {
        vec![
            ("MONEYKIT_CLIENT_ID", CLIENT_ID.to_owned()),
            ("MONEYKIT_CLIENT_SECRET", secret.to_owned()),
        ]
    };
    let bearer = |token: &str| vec![("MONEYKIT_ACCESS_TOKEN", token.to_owned())];
    let (good, upstream_token) = (pair(CLIENT_SECRET), bearer(UPSTREAM_TOKEN));
    let (here, us, mut plan) = (local.url(), links::US, Plan::default());
    for env in [&good, &bearer(token)] {
        plan.add(here, env, &format!("link get {us}"), None);
        plan.add(here, env, &format!("accounts list {us}"), None);
        for link in SEEDED {
            plan.add(here, env, &format!("accounts numbers {link}"), None);
            let reveal = format!("accounts numbers {link} --reveal");
            plan.add(here, env, &reveal, None);
        }
    }
    plan.add(here, &good, "token", None);
    let status = |code: &str| format!("(status {code}");
    for scenario in scenario_links() {
        let args = format!("accounts numbers {}", scenario.id);
        let code = status(&scenario.description[..3]);
        plan.add(here, &good, &args, Some(&code));
    }
    let (s401, us) = (status("401"), format!("link get {us}"));
    let forbidden = format!("accounts numbers {}", links::ACCOUNTS_ONLY);
    plan.add(here, &good, &forbidden, Some(&status("403")));
    plan.add(here, &pair(WRONG_SECRET), "token", Some(&s401));
    plan.add(here, &bearer(common::BAD_TOKEN), &us, Some(&s401));
    let refused = refused_url();
    plan.add(&refused, &bearer(token), &us, Some("error: connection"));
    let server_error = Some(status("503"));
    for command in ["link get", "accounts list"] {
        let args = format!("{command} {SERVER_ERROR}");
        plan.add(upstream, &upstream_token, &args, server_error.as_deref());
    }
    for args in [TRUNCATED, &format!("{NUMBERS_AS_NUMBERS} --reveal")] {
        let args = format!("accounts numbers {args}");
        plan.add(upstream, &upstream_token, &args, Some("error: decode"));
    }
    plan.0
}

fn run_case(case: &Case, secrets: &Secrets) -> Outcome {
    let mut command = moneykit();
    command
        .env("RUST_LOG", "trace")
        .envs(case.env.iter().map(|(k, v)| (k, v)))
        .args(&case.args);
    // The helper checks the secret or token of every run, revealed or not (a client id is not
    // a secret).
    let credentials = case.env.iter().filter(|(name, _)| !name.ends_with("_ID"));
    let credentials: Vec<&str> = credentials.map(|(_, value)| value.as_str()).collect();
    let outcome = run_command(&mut command, &credentials);
    let what = format!("moneykit {}", case.args.join(" "));
    match &case.expect {
        None => assert_success(&outcome),
        Some(text) => {
            assert_ne!(outcome.code, 0, "{what}");
            let line = outcome.error_line();
            assert!(line.contains(text.as_str()), "{what}: {line}");
        }
    }
    secrets.assert_clean(&format!("{what}: stderr"), &outcome.stderr, &[]);
    let reveal = case.args.last().is_some_and(|a| a == "--reveal");
    let revealed: &[String] = (secrets.revealed.iter())
        .find(|(link, _)| reveal && case.args.iter().any(|a| a == link))
        .map_or(&[], |(_, numbers)| numbers);
    secrets.assert_clean(&format!("{what}: stdout"), &outcome.stdout, revealed);
    for number in revealed {
        assert!(
            appears(&outcome.stdout, number),
            "{what}: {number} not revealed:\n{}",
            outcome.stdout
        );
    }
    outcome
}

/// The servers, a token of the sandbox, and the secrets to look for.
struct World {
    local: Local,
    token: String,
    runtime: tokio::runtime::Runtime,
    upstream: MockServer,
    secrets: Secrets,
}

impl World {
    fn start() -> World {
        let local = Local::start();
        let token = local.token();
        let mut runtime = tokio::runtime::Builder::new_current_thread();
        let runtime = runtime.enable_all().build().unwrap();
        let upstream = runtime.block_on(upstream());
        let secrets = collect_secrets(&local, &token, &runtime);
        World {
            local,
            token,
            runtime,
            upstream,
            secrets,
        }
    }
}

/// The two tests run one after the other: a tracing callsite first hit on another thread while
/// the library test's scoped subscriber is being installed can miss it (the trace then lacks a
/// call that did happen).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn the_cli_prints_no_secret_and_no_number_unless_revealed() {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let world = World::start();
    let (secrets, upstream) = (&world.secrets, world.upstream.uri());
    let cases = cli_cases(&world.local, &upstream, &world.token);
    let started = Instant::now();
    // Four at a time: the error paths that retry wait for real in the child process.
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    run_case(case, secrets);
                }
            });
        }
    });
    assert!(cases.len() >= 60, "{}", cases.len());
    eprintln!("{} CLI runs in {:?}", cases.len(), started.elapsed());
}

/// The `Debug` (and `Display`) of everything the library handed out, and the kinds of the
/// errors among it.
#[derive(Default)]
struct Shown {
    text: String,
    kinds: BTreeSet<&'static str>,
}

impl Shown {
    fn debug(&mut self, value: &dyn std::fmt::Debug) {
        writeln!(self.text, "{value:?}\n{value:#?}").unwrap();
    }

    /// A call's outcome; an error's `Display` and sources too.
    fn outcome<T: std::fmt::Debug>(&mut self, result: Result<T, moneykit::Error>) {
        match result {
            Ok(value) => self.debug(&value),
            Err(error) => {
                self.kinds.insert(error.kind().as_str());
                writeln!(self.text, "{error}").unwrap();
                self.debug(&error);
                let mut source = error.source();
                while let Some(cause) = source {
                    writeln!(self.text, "{cause}\n{cause:?}").unwrap();
                    source = cause.source();
                }
            }
        }
    }

    /// Every operation with `builder`'s client on each of `link_ids`.
    async fn exercise(&mut self, builder: ClientBuilder, link_ids: &[&str]) {
        self.debug(&builder);
        let client = builder.build().unwrap();
        self.debug(&client);
        self.outcome(client.authenticate().await);
        for id in link_ids {
            let link = client.link(*id);
            let accounts = link.accounts().account_ids(["acc_1", "acc_2"]);
            self.debug(&(&link, &accounts));
            self.outcome(link.get().await);
            self.outcome(accounts.send().await);
            self.outcome(link.account_numbers().await);
        }
    }
}

/// The library's side of every path the CLI takes: client credentials, the header pair and an
/// access token on the seeded links and every scenario, bad credentials, the broken upstream and
/// a refused connection; plus the credentials and a refused configuration.
async fn library_paths(local: &Local, upstream: &str, token: &str) -> Shown {
    let mut shown = Shown::default();
    let mut good = SEEDED.to_vec();
    good.extend([links::ACCOUNTS_ONLY, links::DELETED, links::ERROR]);
    good.extend(scenario_links().iter().map(|s| s.id));
    let at = |url: &str| fast(Client::builder().base_url(url));
    let local = || at(local.url());
    let broken = [SERVER_ERROR, TRUNCATED, NUMBERS_AS_NUMBERS];
    let (id, us) = (CLIENT_ID, &[links::US][..]);
    let paths = [
        (local().client_credentials(id, CLIENT_SECRET), &good[..]),
        (local().client_headers(id, CLIENT_SECRET), &good),
        (local().access_token(token), &good),
        (local().client_credentials(id, WRONG_SECRET), us),
        (local().access_token(common::BAD_TOKEN), us),
        (at(upstream).access_token(UPSTREAM_TOKEN), &broken),
        (at(&refused_url()).access_token(token), us),
    ];
    for (builder, link_ids) in paths {
        shown.exercise(builder, link_ids).await;
    }
    for credentials in [
        Credentials::client_credentials(CLIENT_ID, CLIENT_SECRET),
        Credentials::client_headers(CLIENT_ID, CLIENT_SECRET),
        Credentials::access_token(token),
        Credentials::from_sources(Some(token), Some(CLIENT_ID), Some(CLIENT_SECRET))
            .unwrap()
            .unwrap(),
    ] {
        shown.debug(&credentials);
    }
    let insecure = Client::builder()
        .access_token(token)
        .base_url("http://example.com");
    let refused = insecure.build().unwrap_err();
    writeln!(shown.text, "{refused}").unwrap();
    shown.debug(&refused);
    shown
}

#[test]
fn the_library_formats_and_traces_no_secret() {
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let world = World::start();
    let (secrets, upstream) = (&world.secrets, world.upstream.uri());

    let log = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("secret_hygiene_trace.log");
    let file = std::fs::File::create(&log).unwrap();
    let guard = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(Arc::new(file))
        .finish()
        .set_default();
    let paths = library_paths(&world.local, &upstream, &world.token);
    let shown = world.runtime.block_on(paths);
    drop(guard);
    let trace = std::fs::read_to_string(&log).unwrap();

    secrets.assert_clean("Debug/Display", &shown.text, &[]);
    secrets.assert_clean("TRACE output", &trace, &[]);
    // Every path was taken, and the trace really holds the calls.
    assert!(shown.kinds.contains("invalid_input"), "{:?}", shown.kinds);
    let kinds = "unauthorized forbidden not_found deleted bad_state rate_limited server decode";
    for kind in kinds.split(' ').chain(["connection"]) {
        assert!(shown.kinds.contains(kind), "{kind}: {:?}", shown.kinds);
        assert!(trace.contains(&format!("error.type=\"{kind}\"")), "{kind}");
    }
    for operation in ["get_account_numbers", "create_access_token"] {
        assert!(trace.contains(&format!("operation=\"{operation}\"")));
    }
    assert!(shown.text.contains("••••"), "nothing masked");
}
