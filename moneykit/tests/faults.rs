//! The fault-injection suite: one table of sandboxes on 127.0.0.1 programmed to misbehave
//! (`moneykit_sandbox::Fault`), each with the outcome, the exact number of requests the sandbox
//! saw, and a bound on the call's time.
//! One driver runs every case (`faults_common::run`); the same table, rendered, is the fault
//! table of RELIABILITY.md, which a test keeps in step (`UPDATE_RELIABILITY=1` rewrites it).
//!
//! Cases that can run on a paused clock do (their bounds are virtual time, so exact); the ones
//! that need the client's own timeouts (a server that never answers or trickles) run on the real
//! clock with small timeouts and loose bounds.

mod common;
mod faults_common;

use faults_common::replies::{Reply, RetryAfter};
use faults_common::*;

const JSON: &str = "application/json";
const TEXT: &str = "text/plain";
const HTML: &str = "text/html";

const LINK: Reply = described(respond(200, JSON, common::LINK), "the link");
const TOKEN: Reply = described(
    respond(
        201,
        JSON,
        r#"{"access_token":"tok-1","token_type":"bearer","expires_in":3600}"#,
    ),
    "a token",
);
const EXPIRED: Reply = described(respond(401, JSON, common::EXPIRED), "expired_access_token");
const ERROR_JSON: &str = r#"{"error_code":"api_error.internal","error_message":"Internal error"}"#;
const ERROR_TEXT: &str = "upstream connect error or disconnect/reset before headers";
const ERROR_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><h1>Bad Gateway</h1></body>\r\n</html>\r\n";
const TRUNCATED: &str =
    r#"{"link_id":"mk_eqkWN34UEoa2NxyALG8pcV","institution_id":"chase","state":"conn"#;

const fn server_error(status: u16, content_type: &'static str, body: &'static str) -> Reply {
    let what = match body.as_bytes()[0] {
        b'{' => "JSON error",
        b'<' => "HTML page",
        _ => "plain text",
    };
    described(respond(status, content_type, body), what)
}

/// `get_link` fails as `rate_limited` with the server's `Retry-After`.
const fn rate_limited_after(seconds: u64) -> Outcome {
    Outcome::Fails(Failure {
        kind: "rate_limited",
        status: Some(429),
        operation: "get_link",
        retry_after_secs: Some(seconds),
        reported_attempts: None,
    })
}

/// The token request fails this way (the link is never requested).
const fn token_fails(kind: &'static str, status: Option<u16>) -> Outcome {
    Outcome::Fails(Failure {
        kind,
        status,
        operation: "create_access_token",
        retry_after_secs: None,
        reported_attempts: None,
    })
}

const NOT_FOUND: &str =
    include_str!("../../tests/fixtures/LinkErrorNotFoundResponse/default_message.json");

/// A response of `status` with MoneyKit's rate-limit body, and this `Retry-After`.
const fn rate_limit_body(status: u16, retry_after: &'static str) -> Reply {
    Reply::Respond(faults_common::replies::Response {
        status,
        content_type: JSON,
        body: common::RATE_LIMITED,
        what: "`api_error.rate_limit_exceeded`",
        retry_after: Some(RetryAfter::Raw(retry_after)),
    })
}

/// The size cap's `ErrorKind::as_str` (the kind is added with the response size cap).
const TOO_LARGE: &str = "response_too_large";

/// With an access token on the virtual clock: the default policy without jitter (3 attempts,
/// waiting 500 ms then 1 s), no timeouts.
/// `get_link` answered with a 5xx every time: retried to the three attempts, then `server`.
const fn server_error_case(name: &'static str, api: &'static [Reply], status: u16) -> Case {
    token_case(name, api, fails("server", Some(status)), 3, 1500)
}

const fn token_case(
    name: &'static str,
    api: &'static [Reply],
    expect: Outcome,
    requests: usize,
    max_elapsed_ms: u64,
) -> Case {
    Case {
        name,
        call: Call::GetLink,
        server: Server::Sandbox { token: &[], api },
        clock: Clock::Virtual,
        auth: Auth::AccessToken,
        expect,
        attempts: api_requests(requests),
        max_elapsed: ms(max_elapsed_ms),
    }
}

/// With client credentials on the virtual clock.
const fn credentials_case(
    name: &'static str,
    server: Server,
    expect: Outcome,
    attempts: Attempts,
    max_elapsed_ms: u64,
) -> Case {
    Case {
        name,
        call: Call::GetLink,
        server,
        clock: Clock::Virtual,
        auth: Auth::ClientCredentials,
        expect,
        attempts,
        max_elapsed: ms(max_elapsed_ms),
    }
}

/// With an access token on the real clock.
const fn real_case(
    name: &'static str,
    api: &'static [Reply],
    clock: Clock,
    expect: Outcome,
    requests: usize,
    max_elapsed_ms: u64,
) -> Case {
    Case {
        name,
        call: Call::GetLink,
        server: Server::Sandbox { token: &[], api },
        clock,
        auth: Auth::AccessToken,
        expect,
        attempts: api_requests(requests),
        max_elapsed: ms(max_elapsed_ms),
    }
}

const CONNECTION: Outcome = fails("connection", None);

/// `create_link_session` fails this way.
const fn session_fails(kind: &'static str, status: Option<u16>) -> Outcome {
    Outcome::Fails(Failure {
        kind,
        status,
        operation: "create_link_session",
        retry_after_secs: None,
        reported_attempts: None,
    })
}

const SESSION: Reply = described(
    respond(201, JSON, faults_common::replies::SESSION_BODY),
    "a session",
);

/// A 503 with a JSON error body that asks to be sent again after a second.
const RETRY_LATER: Reply = Reply::Respond(faults_common::replies::Response {
    status: 503,
    content_type: JSON,
    body: ERROR_JSON,
    what: "JSON error",
    retry_after: Some(RetryAfter::Raw("1")),
});

/// `POST /link-session`, which is not idempotent, on the virtual clock with an access token.
const fn session_case(
    name: &'static str,
    api: &'static [Reply],
    expect: Outcome,
    requests: usize,
    max_elapsed_ms: u64,
) -> Case {
    Case {
        call: Call::CreateLinkSession,
        ..token_case(name, api, expect, requests, max_elapsed_ms)
    }
}

/// Every fault, in the order of RELIABILITY.md.
const CASES: &[Case] = &[
    Case {
        name: "connection refused",
        call: Call::GetLink,
        server: Server::Refused,
        clock: Clock::Virtual,
        auth: Auth::AccessToken,
        expect: CONNECTION,
        attempts: api_requests(3),
        max_elapsed: ms(1500),
    },
    token_case(
        "reset before the status line",
        &[Reply::Reset],
        CONNECTION,
        3,
        1500,
    ),
    token_case(
        "reset after the headers",
        &[Reply::ResetAfterHeaders],
        CONNECTION,
        3,
        1500,
    ),
    token_case(
        "reset mid-body",
        &[Reply::ResetMidBody],
        CONNECTION,
        3,
        1500,
    ),
    token_case(
        "one reset, then the link",
        &[Reply::Reset, LINK],
        Outcome::Answers,
        2,
        500,
    ),
    token_case(
        "truncated JSON (complete HTTP)",
        &[described(
            respond(200, JSON, TRUNCATED),
            "the link cut short",
        )],
        fails("decode", None),
        1,
        0,
    ),
    server_error_case(
        "500, JSON body",
        &[server_error(500, JSON, ERROR_JSON)],
        500,
    ),
    server_error_case(
        "500, text body",
        &[server_error(500, TEXT, ERROR_TEXT)],
        500,
    ),
    server_error_case(
        "500, HTML body",
        &[server_error(500, HTML, ERROR_HTML)],
        500,
    ),
    server_error_case(
        "502, JSON body",
        &[server_error(502, JSON, ERROR_JSON)],
        502,
    ),
    server_error_case(
        "502, text body",
        &[server_error(502, TEXT, ERROR_TEXT)],
        502,
    ),
    server_error_case(
        "502, HTML body",
        &[server_error(502, HTML, ERROR_HTML)],
        502,
    ),
    server_error_case(
        "503, JSON body",
        &[server_error(503, JSON, ERROR_JSON)],
        503,
    ),
    server_error_case(
        "503, text body",
        &[server_error(503, TEXT, ERROR_TEXT)],
        503,
    ),
    server_error_case(
        "503, HTML body",
        &[server_error(503, HTML, ERROR_HTML)],
        503,
    ),
    token_case(
        "one 503, then the link",
        &[server_error(503, HTML, ERROR_HTML), LINK],
        Outcome::Answers,
        2,
        500,
    ),
    token_case(
        "429, `Retry-After` in seconds",
        &[rate_limited(Some(RetryAfter::Raw("2"))), LINK],
        Outcome::Answers,
        2,
        2000,
    ),
    Case {
        clock: Clock::VirtualToTheSecond,
        ..token_case(
            "429, `Retry-After` as an HTTP-date",
            &[rate_limited(Some(RetryAfter::DateIn(3))), LINK],
            Outcome::Answers,
            2,
            3000,
        )
    },
    token_case(
        "429, no `Retry-After`",
        &[rate_limited(None)],
        fails("rate_limited", Some(429)),
        3,
        1500,
    ),
    token_case(
        "429, garbage `Retry-After` (the backoff applies)",
        &[rate_limited(Some(RetryAfter::Raw("soon"))), LINK],
        Outcome::Answers,
        2,
        500,
    ),
    token_case(
        "429, `Retry-After: 1.5` (not whole seconds: treated as absent, the backoff applies)",
        &[rate_limited(Some(RetryAfter::Raw("1.5"))), LINK],
        Outcome::Answers,
        2,
        500,
    ),
    token_case(
        "503 whose body says `api_error.rate_limit_exceeded` (rate limited: its `Retry-After` is waited for)",
        &[rate_limit_body(503, "2"), LINK],
        Outcome::Answers,
        2,
        2000,
    ),
    token_case(
        "503 whose body says `api_error.rate_limit_exceeded`, every time",
        &[rate_limit_body(503, "1")],
        Outcome::Fails(Failure {
            kind: "rate_limited",
            status: Some(503),
            operation: "get_link",
            retry_after_secs: Some(1),
            reported_attempts: None,
        }),
        3,
        2000,
    ),
    token_case(
        "429 whose body says `link_error.not_found` (not found: not retried)",
        &[described(
            respond(429, JSON, NOT_FOUND),
            "`link_error.not_found`",
        )],
        fails("not_found", Some(429)),
        1,
        0,
    ),
    token_case(
        "429, absurdly large `Retry-After`",
        &[rate_limited(Some(RetryAfter::Raw("999999")))],
        rate_limited_after(999_999),
        1,
        0,
    ),
    credentials_case(
        "401 expired token, then success",
        Server::Sandbox {
            token: &[TOKEN],
            api: &[EXPIRED, LINK],
        },
        Outcome::Answers,
        Attempts { api: 2, token: 2 },
        0,
    ),
    credentials_case(
        "token endpoint down",
        Server::Refused,
        token_fails("connection", None),
        Attempts { api: 0, token: 3 },
        1500,
    ),
    credentials_case(
        "token endpoint answers 503",
        Server::Sandbox {
            token: &[server_error(503, JSON, ERROR_JSON)],
            api: &[],
        },
        token_fails("server", Some(503)),
        Attempts { api: 0, token: 3 },
        1500,
    ),
    credentials_case(
        "token endpoint answers 200 (undocumented) with HTML",
        Server::Sandbox {
            token: &[server_error(200, HTML, ERROR_HTML)],
            api: &[],
        },
        token_fails("unexpected_status", Some(200)),
        Attempts { api: 0, token: 1 },
        0,
    ),
    credentials_case(
        "token endpoint issues a token that cannot be a header value (not cached)",
        Server::Sandbox {
            token: &[described(
                respond(
                    201,
                    JSON,
                    r#"{"access_token":"tok\u0001en","token_type":"bearer","expires_in":3600}"#,
                ),
                "a token with a control character",
            )],
            api: &[],
        },
        token_fails("decode", None),
        Attempts { api: 0, token: 1 },
        0,
    ),
    credentials_case(
        "token endpoint answers 201 with HTML",
        Server::Sandbox {
            token: &[server_error(201, HTML, ERROR_HTML)],
            api: &[],
        },
        token_fails("decode", None),
        Attempts { api: 0, token: 1 },
        0,
    ),
    token_case(
        "wrong `Content-Type` on a good body (ignored)",
        &[described(respond(200, TEXT, common::LINK), "the link")],
        Outcome::Answers,
        1,
        0,
    ),
    token_case(
        "a 200 that is not JSON",
        &[server_error(200, HTML, ERROR_HTML)],
        fails("decode", None),
        1,
        0,
    ),
    token_case(
        "oversized body, streamed",
        &[Reply::Endless],
        fails(TOO_LARGE, None),
        1,
        0,
    ),
    token_case(
        "oversized body, declared",
        &[Reply::HugeLength],
        fails(TOO_LARGE, None),
        1,
        0,
    ),
    real_case(
        "accept and never answer",
        &[Reply::Silent],
        Clock::Real {
            attempt_ms: Some(200),
            call_ms: None,
            policy: Policy::NoWaits,
        },
        fails("timeout", None),
        3,
        3000,
    ),
    real_case(
        "a body trickling past the attempt timeout",
        &[Reply::Trickle { every_ms: 50 }],
        Clock::Real {
            attempt_ms: Some(200),
            call_ms: None,
            policy: Policy::NoWaits,
        },
        fails("timeout", None),
        3,
        3000,
    ),
    real_case(
        "a body trickling past the call's deadline",
        &[Reply::Trickle { every_ms: 50 }],
        Clock::Real {
            attempt_ms: None,
            call_ms: Some(300),
            policy: Policy::Default,
        },
        Outcome::Fails(Failure {
            kind: "timeout",
            status: None,
            operation: "get_link",
            retry_after_secs: None,
            // The deadline ends the call, not an attempt: no attempt is reported finished.
            reported_attempts: Some(0),
        }),
        1,
        1000,
    ),
    real_case(
        "429, `Retry-After` past the call's deadline",
        &[rate_limited(Some(RetryAfter::Raw("5")))],
        Clock::Real {
            attempt_ms: None,
            call_ms: Some(1000),
            policy: Policy::Default,
        },
        rate_limited_after(5),
        1,
        900,
    ),
    // A request that is not idempotent is sent once more only when it provably did not reach
    // the server, or when the server asked with `Retry-After`.
    Case {
        name: "connection refused",
        call: Call::CreateLinkSession,
        server: Server::Refused,
        clock: Clock::Virtual,
        auth: Auth::AccessToken,
        expect: session_fails("connection", None),
        attempts: api_requests(3),
        max_elapsed: ms(1500),
    },
    session_case(
        "503, JSON error",
        &[server_error(503, JSON, ERROR_JSON)],
        session_fails("server", Some(503)),
        1,
        0,
    ),
    session_case(
        "reset before the status line",
        &[Reply::Reset],
        session_fails("connection", None),
        1,
        0,
    ),
    session_case(
        "reset after the headers",
        &[Reply::ResetAfterHeaders],
        session_fails("connection", None),
        1,
        0,
    ),
    Case {
        name: "accept and never answer",
        call: Call::CreateLinkSession,
        server: Server::Sandbox {
            token: &[],
            api: &[Reply::Silent],
        },
        clock: Clock::Real {
            attempt_ms: Some(200),
            call_ms: None,
            policy: Policy::NoWaits,
        },
        auth: Auth::AccessToken,
        expect: session_fails("timeout", None),
        attempts: api_requests(1),
        max_elapsed: ms(1000),
    },
    session_case(
        "429 with `Retry-After: 1`, then the session",
        &[rate_limit_body(429, "1"), SESSION],
        Outcome::Answers,
        2,
        1000,
    ),
    session_case(
        "503 with `Retry-After: 1`, then the session",
        &[RETRY_LATER, SESSION],
        Outcome::Answers,
        2,
        1000,
    ),
];

/// Runs the cases `pick` selects and reports every one that differs from the table.
fn run_cases(pick: impl Fn(&Case) -> bool) {
    let failures: Vec<String> = CASES
        .iter()
        .filter(|case| pick(case))
        .filter_map(|case| run(case).err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn faults_on_the_virtual_clock() {
    run_cases(|case| case.clock.is_virtual());
}

#[test]
fn faults_on_the_real_clock() {
    run_cases(|case| matches!(case.clock, Clock::Real { .. }));
}

#[test]
fn reliability_md_lists_the_fault_table() {
    render::check_section(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../RELIABILITY.md"),
        "faults",
        &render::table(CASES),
    );
}

#[test]
fn reliability_md_lists_the_bad_input_tables() {
    render::check_section(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../RELIABILITY.md"),
        "bad-input",
        &bad_input_doc::tables(),
    );
}
