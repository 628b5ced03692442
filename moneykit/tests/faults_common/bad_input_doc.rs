//! The bad-input tables of RELIABILITY.md, rendered from the values `tests/bad_input.rs` runs
//! (`common/bad_input_cases.rs`); each outcome is what that test asserts for the row.

use crate::common::bad_input_cases::{
    Expect, INSECURE_BASE_URLS, INVALID_BASE_URLS, UNSAFE, hostile_ids,
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
         | id (Rust `Debug` form) | as a link id (each of the 3 GETs) | as an account id (`accounts().ids(…)`) |\n\
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
         | value | as an access token, client id or secret, or `X-Client` header pair | as the version |\n\
         |---|---|---|\n",
    );
    for value in UNSAFE {
        out.push_str(&format!(
            "| `{value:?}` | `BuildError::InvalidCredentials`, quoting no credential | \
             `BuildError::InvalidApiVersion` |\n"
        ));
    }
    out
}
