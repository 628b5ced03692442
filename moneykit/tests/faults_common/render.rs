//! The fault table as markdown, for RELIABILITY.md: every cell is derived from the [`Case`]
//! the driver runs, so the document cannot say what the tests do not check.

use std::time::Duration;

use moneykit_sandbox::Operation;

use super::replies::{Reply, RetryAfter, Script, success_status};
use super::{Auth, Call, Case, Clock, Outcome, Policy, Server};

/// The markdown table of `cases`, one row each.
pub fn table(cases: &[Case]) -> String {
    let mut out = String::from(
        "| fault | the server does | client | outcome | attempts | time bound |\n\
         |---|---|---|---|---|---|\n",
    );
    for case in cases {
        let name = match case.call {
            Call::GetLink => case.name.to_owned(),
            call => format!("`{}`: {}", call.route(), case.name),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            name,
            server(&case.server, case.call),
            client(case),
            outcome(case),
            attempts(case),
            within(case),
        ));
    }
    out
}

fn server(server: &Server, call: Call) -> String {
    let api_status = success_status(call.operation());
    let token_status = success_status(Operation::CreateAccessToken);
    match server {
        Server::Refused => "nothing listens: connection refused".into(),
        Server::Sandbox { token: [], api } => script(api, api_status),
        Server::Sandbox { token, api: [] } => format!("token: {}", script(token, token_status)),
        Server::Sandbox { token, api } => format!(
            "token: {}; link: {}",
            script(token, token_status),
            script(api, api_status)
        ),
    }
}

/// The replies in order; the last one answers every later request. `success` is the status a
/// cut-short answer starts with.
fn script(replies: Script, success: u16) -> String {
    let described: Vec<String> = replies.iter().map(|r| reply(r, success)).collect();
    described.join(", then ")
}

fn reply(reply: &Reply, success: u16) -> String {
    match reply {
        Reply::Reset => "reset before the status line".into(),
        Reply::ResetAfterHeaders => format!("{success} headers, then reset"),
        Reply::ResetMidBody => format!("{success} and half the body, then reset"),
        Reply::Silent => "accepts, never answers".into(),
        Reply::Trickle { every_ms } => format!("{success}, the body 1 byte per {every_ms} ms"),
        Reply::Endless => "200 `application/json`, a chunked body without end (the client must hang up before 64 MiB)".into(),
        Reply::HugeLength => "200 `application/json`, `Content-Length` 1 GiB (the client must hang up before 64 MiB)".into(),
        Reply::Respond(response) => {
            let mut text = format!("{} `{}`", response.status, response.content_type);
            if !response.what.is_empty() {
                text.push_str(&format!(" ({})", response.what));
            }
            match response.retry_after {
                Some(RetryAfter::Raw(value)) => {
                    text.push_str(&format!(", `Retry-After: {value}`"));
                }
                Some(RetryAfter::DateIn(seconds)) => {
                    text.push_str(&format!(", `Retry-After:` an HTTP-date {seconds} s ahead"));
                }
                None => {}
            }
            text
        }
    }
}

fn client(case: &Case) -> String {
    let auth = match case.auth {
        Auth::AccessToken => "access token",
        Auth::ClientCredentials => "client credentials",
    };
    match case.clock {
        Clock::Virtual | Clock::VirtualToTheSecond => {
            format!("{auth}; virtual clock, no timeouts")
        }
        Clock::Real {
            attempt_ms,
            call_ms,
            policy,
        } => {
            let timeout = |what: &str, value: Option<u64>| match value {
                Some(ms) => format!("{what} {ms} ms"),
                None => format!("no {what}"),
            };
            let waits = match policy {
                Policy::Default => "default waits",
                Policy::NoWaits => "no waits",
            };
            format!(
                "{auth}; real clock, {}, {}, {waits}",
                timeout("attempt timeout", attempt_ms),
                timeout("deadline", call_ms)
            )
        }
    }
}

fn outcome(case: &Case) -> String {
    let Outcome::Fails(failure) = &case.expect else {
        return case.call.answer().into();
    };
    let mut text = format!("`{}`", failure.kind);
    if let Some(status) = failure.status {
        text.push_str(&format!(" (HTTP {status})"));
    }
    if failure.operation != "get_link" {
        text.push_str(&format!(" from `{}`", failure.operation));
    }
    if let Some(seconds) = failure.retry_after_secs {
        text.push_str(&format!(", `retry_after` {seconds} s"));
    }
    if let Some(reported) = failure.reported_attempts {
        text.push_str(&format!(" (`attempts()` says {reported})"));
    }
    text
}

fn attempts(case: &Case) -> String {
    let count = case.attempts;
    let mut text = match count.token {
        0 => count.api.to_string(),
        token => format!("{} + {token} token", count.api),
    };
    if matches!(case.server, Server::Refused) {
        text.push_str(" (the error's count)");
    }
    text
}

fn within(case: &Case) -> String {
    let bound = duration(case.max_elapsed);
    match case.clock {
        _ if case.max_elapsed.is_zero() && case.clock.is_virtual() => "at once (virtual)".into(),
        _ if case.max_elapsed.is_zero() => "at once (real)".into(),
        Clock::Virtual => format!("= {bound} virtual"),
        Clock::VirtualToTheSecond => format!("≤ {bound} virtual, to the second"),
        Clock::Real { .. } => format!("≤ {bound} real"),
    }
}

fn duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 || !ms.is_multiple_of(100) {
        format!("{ms} ms")
    } else {
        format!("{} s", duration.as_secs_f64())
    }
}

/// Checks that the section of the markdown file at `path` between `<!-- {marker}:begin -->` and
/// `<!-- {marker}:end -->` is `generated`; with `UPDATE_RELIABILITY=1`, rewrites it instead
/// (like insta's snapshots, the test is the source and the document follows).
pub fn check_section(path: &str, marker: &str, generated: &str) {
    // The sections share one file and the tests run in parallel: without this, one test's
    // rewrite can read the file while another's `fs::write` has it truncated.
    static FILE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _only_one = FILE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let begin = format!("<!-- {marker}:begin -->\n");
    let end = format!("<!-- {marker}:end -->");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("{path} has no `{begin}`"))
        + begin.len();
    let stop = start
        + text[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("{path} has no `{end}`"));
    if text[start..stop] == *generated {
        return;
    }
    if std::env::var("UPDATE_RELIABILITY").is_ok_and(|v| v == "1") {
        let updated = format!("{}{generated}{}", &text[..start], &text[stop..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    panic!(
        "the `{marker}` table of {path} is not the tests' table; rerun with \
         UPDATE_RELIABILITY=1 to rewrite it. Expected:\n{generated}"
    );
}
