//! The bad-input tables of RELIABILITY.md, rendered from the values `tests/bad_input.rs` runs
//! (`common/bad_input_cases.rs`); each outcome is what that test asserts for the row.

use crate::common::bad_input_cases::{
    CREDENTIAL_VALUES, Expect, HUGE_DURATIONS, INSECURE_BASE_URLS, INVALID_BASE_URLS, hostile_ids,
};

/// What `bad_input.rs` asserts for an id by its expectation; `sent` says how the id must arrive.
fn id_outcome(expect: Expect, sent: &str) -> String {
    match expect {
        Expect::Refused => "`invalid_input`, 0 requests".into(),
        Expect::Sent => format!("1 request, {sent}"),
    }
}

/// The three bad-input tables, as markdown.
pub fn tables() -> String {
    let mut out = String::from(
        "### Link and account ids\n\n\
         | id (Rust `Debug` form) | as a link id (each of the 3 GETs) | as an account id (`accounts().account_ids(…)`) |\n\
         |---|---|---|\n",
    );
    for id in hostile_ids() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            id.written,
            id_outcome(id.as_link, "the id intact as one path segment, no query"),
            id_outcome(id.as_account, "the id intact as one `account_ids` value"),
        ));
    }
    out.push_str("\n### Base URLs\n\n| base URL | outcome |\n|---|---|\n");
    for url in INVALID_BASE_URLS {
        out.push_str(&format!("| `{url:?}` | `BuildError::InvalidBaseUrl` |\n"));
    }
    for url in INSECURE_BASE_URLS {
        out.push_str(&format!("| `{url:?}` | `BuildError::InsecureBaseUrl` |\n"));
    }
    out.push_str(
        "\n### Credentials and `moneykit-version`\n\n\
         | value (Rust `Debug` form) | as an access token or `X-Client` header pair | as a client id or secret (client credentials) | as the version |\n\
         |---|---|---|---|\n",
    );
    let outcome = |expect: Expect, refused: &str, sent: &str| match expect {
        Expect::Refused => refused.to_owned(),
        Expect::Sent => sent.to_owned(),
    };
    let refused_credential = "`BuildError::InvalidCredentials`, quoting no credential";
    for row in CREDENTIAL_VALUES {
        out.push_str(&format!(
            "| `{:?}` | {} | {} | {} |\n",
            row.value,
            outcome(row.as_header, refused_credential, "sent as is"),
            outcome(
                row.as_client_credentials,
                refused_credential,
                "arrives intact, in the form body and in HTTP Basic (form-encoded, RFC 6749 §2.3.1)",
            ),
            outcome(row.as_version, "`BuildError::InvalidApiVersion`", "sent as is"),
        ));
    }
    out.push_str(
        "\n### Durations\n\n\
         With client credentials, a token that never expires (`expires_in` of `i64::MAX`), and:\n\n\
         | setting | outcome |\n|---|---|\n",
    );
    for row in HUGE_DURATIONS {
        out.push_str(&format!(
            "| {} | the call succeeds: no panic, no overflow (a deadline past the clock's range is none) |\n",
            row.setting
        ));
    }
    out
}
