//! The bad-input tables of RELIABILITY.md, read from the tables of `tests/bad_input.rs` (its
//! own test binary, so its tables are read from its source rather than shared as values): the
//! inputs are the test's literals as written there, and each outcome is what that test asserts
//! for the row's expectation. When the test's tables change, the document must be regenerated.

/// The source of the bad-input tests; compiled in, so that a change there rebuilds this check.
const SOURCE: &str = include_str!("../bad_input.rs");

/// The lines strictly between the first line containing `start` and the next line that is
/// exactly `end` once trimmed.
fn block(start: &str, end: &str) -> Vec<&'static str> {
    let mut lines = SOURCE.lines().skip_while(|line| !line.contains(start));
    assert!(
        lines.next().is_some(),
        "tests/bad_input.rs has no `{start}`: update faults_common/bad_input_doc.rs"
    );
    let rows: Vec<&str> = lines.take_while(|line| line.trim() != end).collect();
    assert!(
        !rows.is_empty(),
        "tests/bad_input.rs: nothing between `{start}` and `{end}`"
    );
    rows
}

/// `(id, as a link id, as an account id)` from `hostile_ids()`: its `("…", Sent, Refused),`
/// rows and its `ids.push((…, Sent, Sent));` lines.
fn hostile_ids() -> Vec<(&'static str, &'static str, &'static str)> {
    let rows: Vec<_> = block("fn hostile_ids()", "}")
        .into_iter()
        .filter_map(|line| {
            let line = line.trim().trim_end_matches([',', ';']);
            let line = match line.strip_prefix("ids.push(") {
                Some(pushed) => pushed.strip_suffix(')')?,
                None => line,
            };
            let tuple = line.strip_prefix('(')?.strip_suffix(')')?;
            let mut parts = tuple.rsplitn(3, ", ");
            let (account, link, id) = (parts.next()?, parts.next()?, parts.next()?);
            let expectation = |e: &str| e == "Sent" || e == "Refused";
            (expectation(link) && expectation(account)).then_some((id, link, account))
        })
        .collect();
    assert!(
        rows.len() >= 10,
        "tests/bad_input.rs: {} hostile ids read",
        rows.len()
    );
    rows
}

/// The string literals of a `[…]` list, one per line.
fn literals(start: &str) -> Vec<&'static str> {
    block(start, "];")
        .into_iter()
        .map(|line| line.trim().trim_end_matches(','))
        .filter(|line| line.starts_with('"'))
        .collect()
}

/// What `bad_input.rs` asserts for an id by its expectation (see its `Expect`).
fn id_outcome(expect: &str, sent: &str) -> String {
    match expect {
        "Refused" => "`invalid_input`, 0 requests".into(),
        _ => format!("1 request, {sent}"),
    }
}

/// The three bad-input tables, as markdown.
pub fn tables() -> String {
    let mut out = String::from(
        "### Link and account ids\n\n\
         | id (as written in the test) | as a link id (each of the 3 GETs) | as an account id (`accounts().ids(…)`) |\n\
         |---|---|---|\n",
    );
    for (id, link, account) in hostile_ids() {
        out.push_str(&format!(
            "| `{id}` | {} | {} |\n",
            id_outcome(link, "the id intact as one path segment, no query"),
            id_outcome(account, "the id intact as one `account_ids` value"),
        ));
    }
    out.push_str("\n### Base URLs\n\n| base URL | outcome |\n|---|---|\n");
    for url in literals("let invalid = [") {
        out.push_str(&format!("| `{url}` | `BuildError::InvalidBaseUrl` |\n"));
    }
    let insecure = "base_url(\"http://api.moneykit.com\")";
    if SOURCE.contains(insecure) && SOURCE.contains("BuildError::InsecureBaseUrl") {
        out.push_str("| `\"http://api.moneykit.com\"` | `BuildError::InsecureBaseUrl` |\n");
    }
    out.push_str(
        "\n### Credentials and `moneykit-version`\n\n\
         | value | as an access token, client id or secret, or `X-Client` header pair | as the version |\n\
         |---|---|---|\n",
    );
    for value in literals("const UNSAFE") {
        out.push_str(&format!(
            "| `{value}` | `BuildError::InvalidCredentials`, quoting no credential | \
             `BuildError::InvalidApiVersion` |\n"
        ));
    }
    out
}
