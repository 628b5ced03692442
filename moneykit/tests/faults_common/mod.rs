//! The fault table's types, the one driver that runs a [`Case`], and its rendering as the
//! markdown table of RELIABILITY.md.

pub mod bad_input_doc;
pub mod render;
pub mod replies;

use std::time::Duration;

use moneykit::{Client, ClientBuilder, RetryPolicy};
use moneykit_sandbox::{Config, Operation, Sandbox};
use replies::{Reply, Response, RetryAfter, Script};
use tokio::time::Instant;

use crate::common::{
    ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, LINK_ID, fast_policy, paused_builder, paused_policy,
};

/// One fault: what the server does, how the client is set up, and what must come of it.
pub struct Case {
    pub name: &'static str,
    /// The call the client makes, and so the route the faults are programmed on.
    pub call: Call,
    pub server: Server,
    pub clock: Clock,
    pub auth: Auth,
    pub expect: Outcome,
    /// Requests the server must have received (for a refused connection: the error's count).
    pub attempts: Attempts,
    /// The call must end within this (virtual time on the paused clock).
    pub max_elapsed: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `GET /links/{id}`: idempotent, sent again after any retryable failure.
    GetLink,
    /// `POST /link-session`: not idempotent (`x-moneykit-idempotent: false`), sent again only
    /// when it provably did not reach the server or the server asked with `Retry-After`.
    CreateLinkSession,
}

impl Call {
    pub fn operation(self) -> Operation {
        match self {
            Call::GetLink => Operation::GetLink,
            Call::CreateLinkSession => Operation::CreateLinkSession,
        }
    }

    /// The call's method and path, for the table.
    pub fn route(self) -> &'static str {
        match self {
            Call::GetLink => "GET /links/{id}",
            Call::CreateLinkSession => "POST /link-session",
        }
    }

    /// What a successful call returns, for the table.
    pub fn answer(self) -> &'static str {
        match self {
            Call::GetLink => "the link",
            Call::CreateLinkSession => "the session",
        }
    }
}

pub enum Server {
    /// Nothing listens on the port.
    Refused,
    /// The sandbox, with faults programmed: `POST /auth/token` from `token`, `GET /links/{id}`
    /// from `api`.
    Sandbox { token: Script, api: Script },
}

/// The client's clock and timeouts.
pub enum Clock {
    /// A paused tokio clock, the client without timeouts (`paused_builder`), the default policy
    /// without jitter: 3 attempts, waiting 500 ms then 1 s.
    Virtual,
    /// As `Virtual`, for a wait the server gives as an HTTP-date: whole seconds, so the call
    /// ends within the second before the bound.
    VirtualToTheSecond,
    /// The real clock with these timeouts (ms), and `policy`.
    Real {
        attempt_ms: Option<u64>,
        call_ms: Option<u64>,
        policy: Policy,
    },
}

#[derive(Clone, Copy)]
pub enum Policy {
    /// 3 attempts, 500 ms then 1 s, `Retry-After` capped at 30 s, no jitter.
    Default,
    /// 3 attempts without waiting (`fast_policy`: the cap on any wait is zero).
    NoWaits,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    AccessToken,
    ClientCredentials,
}

pub enum Outcome {
    /// The call returns its answer: the link, or the session.
    Answers,
    Fails(Failure),
}

pub struct Failure {
    /// `ErrorKind::as_str`: names compare even for a kind this suite cannot name in Rust.
    pub kind: &'static str,
    pub status: Option<u16>,
    pub operation: &'static str,
    pub retry_after_secs: Option<u64>,
    /// What `Error::attempts` says, when it is not the server's count.
    pub reported_attempts: Option<u32>,
}

/// A failure of `get_link` of this kind.
pub const fn fails(kind: &'static str, status: Option<u16>) -> Outcome {
    Outcome::Fails(Failure {
        kind,
        status,
        operation: "get_link",
        retry_after_secs: None,
        reported_attempts: None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Attempts {
    pub api: usize,
    pub token: usize,
}

/// `n` requests to the API and none for a token.
pub const fn api_requests(n: usize) -> Attempts {
    Attempts { api: n, token: 0 }
}

pub const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A complete response.
pub const fn respond(status: u16, content_type: &'static str, body: &'static str) -> Reply {
    Reply::Respond(Response {
        status,
        content_type,
        body,
        what: "",
        retry_after: None,
    })
}

/// A complete response whose body is described as `what` in the table.
pub const fn described(reply: Reply, what: &'static str) -> Reply {
    match reply {
        Reply::Respond(response) => Reply::Respond(Response { what, ..response }),
        other => other,
    }
}

/// MoneyKit's 429 with this `Retry-After`.
pub const fn rate_limited(retry_after: Option<RetryAfter>) -> Reply {
    Reply::Respond(Response {
        status: 429,
        content_type: "application/json",
        body: crate::common::RATE_LIMITED,
        what: "MoneyKit's body",
        retry_after,
    })
}

impl Clock {
    /// Whether the case runs on tokio's paused clock.
    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual | Clock::VirtualToTheSecond)
    }
}

/// Runs the case in a runtime of its own and says what differed from the table.
pub fn run(case: &Case) -> Result<(), String> {
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_all();
    if case.clock.is_virtual() {
        runtime.start_paused(true);
    }
    runtime.build().unwrap().block_on(run_in_runtime(case))
}

async fn run_in_runtime(case: &Case) -> Result<(), String> {
    let (sandbox, url) = match case.server {
        Server::Refused => (None, refused_url()),
        Server::Sandbox { token, api } => {
            let sandbox = Sandbox::start(Config::new()).await.unwrap();
            program(
                &sandbox,
                Operation::CreateAccessToken,
                token,
                case.attempts.token,
            );
            program(&sandbox, case.call.operation(), api, case.attempts.api);
            let url = sandbox.base_url().to_owned();
            (Some(sandbox), url)
        }
    };
    let client = client(case, &url);
    let started = Instant::now();
    let result =
        match case.call {
            Call::GetLink => (client.link(LINK_ID).get().await)
                .map(|link| (link.link_id == LINK_ID).then_some(()).ok_or(link.link_id)),
            Call::CreateLinkSession => (client.link_sessions().create(session_request()).await)
                .map(|session| match session.link_session_token.reveal() {
                    Some(token) if !token.is_empty() => Ok(()),
                    _ => Err("a session without a token".to_owned()),
                }),
        };
    let elapsed = started.elapsed();
    let expected = (case.attempts.api, case.attempts.token);
    let seen = match &sandbox {
        Some(sandbox) => Some(settled_requests(sandbox, expected).await),
        None => None,
    };
    drop(sandbox);
    let mut problems = Vec::new();
    // (Had the client read a never-ending body to the sandbox's 64 MiB bound, the endless body
    // would have ended as a complete JSON array, a `decode` failure, and the huge one short of
    // its length, a `connection` failure: the outcome shows that it hung up first.)

    // On the paused clock the waits are the policy's and the server's exactly, so the bound is
    // the elapsed virtual time itself (to the second for an HTTP-date); a real clock only gets an
    // upper bound.
    let at_least = match case.clock {
        Clock::Virtual => case.max_elapsed,
        Clock::VirtualToTheSecond => case.max_elapsed.saturating_sub(Duration::from_secs(1)),
        Clock::Real { .. } => Duration::ZERO,
    };
    if elapsed > case.max_elapsed || elapsed < at_least {
        problems.push(format!(
            "took {elapsed:?}, not within {at_least:?}..={:?}",
            case.max_elapsed
        ));
    }
    if let Some((api, token)) = seen {
        let seen = Attempts { api, token };
        if seen != case.attempts {
            problems.push(format!("sandbox saw {seen:?}, not {:?}", case.attempts));
        }
    }
    match (&case.expect, result) {
        (Outcome::Answers, Ok(Ok(()))) => {}
        (Outcome::Answers, other) => {
            problems.push(format!("expected {}, got {other:?}", case.call.answer()))
        }
        (Outcome::Fails(_), Ok(answer)) => {
            problems.push(format!("expected an error, got {answer:?}"))
        }
        (Outcome::Fails(failure), Err(error)) => {
            check_failure(failure, case.attempts, &error, &mut problems)
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("; ")),
    }
}

fn check_failure(
    failure: &Failure,
    attempts: Attempts,
    error: &moneykit::Error,
    problems: &mut Vec<String>,
) {
    let mut differs = |what: &str, got: String, expected: String| {
        if got != expected {
            problems.push(format!("{what} {got}, not {expected} ({error:?})"));
        }
    };
    differs("kind", error.kind().as_str().into(), failure.kind.into());
    differs(
        "status",
        format!("{:?}", error.status()),
        format!("{:?}", failure.status),
    );
    differs(
        "operation",
        format!("{:?}", error.operation()),
        format!("{:?}", Some(failure.operation)),
    );
    differs(
        "retry_after",
        format!("{:?}", error.retry_after().map(|d| d.as_secs())),
        format!("{:?}", failure.retry_after_secs),
    );
    let counted = match failure.operation {
        "create_access_token" => attempts.token,
        _ => attempts.api,
    };
    let reported = failure
        .reported_attempts
        .unwrap_or(u32::try_from(counted).unwrap());
    differs(
        "reported attempts",
        error.attempts().to_string(),
        reported.to_string(),
    );
}

/// Programs `script` on `operation`: each reply answers one request, the last one every request
/// left of the `expected` (so that "the last one repeats" holds for every request the case
/// expects; one more would get the sandbox's own answer, and the count would tell).
fn program(sandbox: &Sandbox, operation: Operation, script: Script, expected: usize) {
    let Some((last, first)) = script.split_last() else {
        return;
    };
    let repeats = expected.saturating_sub(first.len()).max(1);
    let repeats = u32::try_from(repeats).unwrap();
    for (reply, times) in first.iter().map(|r| (r, 1)).chain([(last, repeats)]) {
        let fault = replies::fault(*reply, operation).on(operation).times(times);
        sandbox.fail(fault).unwrap();
    }
}

/// The requests the sandbox received, (link requests, token requests), once they are
/// `expected` or after a second: on a busy machine the sandbox may read a request after the
/// client gave up on it. (Async: the sandbox runs on this runtime.)
async fn settled_requests(sandbox: &Sandbox, expected: (usize, usize)) -> (usize, usize) {
    let count = || {
        let requests = sandbox.requests();
        let token = requests
            .iter()
            .filter(|r| r.operation == Some(Operation::CreateAccessToken))
            .count();
        (requests.len() - token, token)
    };
    for _ in 0..100 {
        if count() == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    count()
}

/// A valid `POST /link-session` body.
fn session_request() -> moneykit_api::types::CreateLinkSessionRequest {
    serde_json::from_value(serde_json::json!({
        "customer_user": {"id": "MyUser1234"},
        "redirect_uri": "https://yourdomain.com/oauth.html",
    }))
    .unwrap()
}

/// A port that was just free: nothing listens there.
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn client(case: &Case, url: &str) -> Client {
    let builder = match case.clock {
        Clock::Virtual | Clock::VirtualToTheSecond => {
            paused_builder(url).retry_policy(paused_policy())
        }
        Clock::Real {
            attempt_ms,
            call_ms,
            policy,
        } => Client::builder()
            .base_url(url)
            .attempt_timeout(attempt_ms.map(Duration::from_millis))
            .call_timeout(call_ms.map(Duration::from_millis))
            .retry_policy(real_policy(policy)),
    };
    authenticated(builder, case.auth).build().unwrap()
}

fn real_policy(policy: Policy) -> RetryPolicy {
    match policy {
        Policy::Default => paused_policy(),
        Policy::NoWaits => fast_policy(),
    }
}

fn authenticated(builder: ClientBuilder, auth: Auth) -> ClientBuilder {
    match auth {
        Auth::AccessToken => builder.access_token(ACCESS_TOKEN),
        Auth::ClientCredentials => builder.client_credentials(CLIENT_ID, CLIENT_SECRET),
    }
}
