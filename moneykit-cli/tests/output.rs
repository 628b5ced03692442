//! What the successful commands print: JSON with the API's field names when stdout is not a
//! terminal, and aligned tables with `--output table`.

mod common;

use common::{Outcome, assert_success, sandbox};
use moneykit_sandbox::links;
use serde_json::Value;

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
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>().join(" "),
        "ACCOUNT_ID NAME TYPE MASK CURRENCY AVAILABLE CURRENT CLOSED"
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
fn a_link_session_is_opened_and_its_token_stays_masked() {
    let body = r#"{"customer_user": {"id": "MyUser1234"}, "redirect_uri": "https://yourdomain.com/oauth.html"}"#;
    for reveal in [&[][..], &["--reveal"][..]] {
        let mut args = vec!["link-session", "create", "--body", body];
        args.extend(reveal);
        let outcome = sandbox(&args);
        assert_success(&outcome);
        // Tokens are never printed, `--reveal` or not: the CLI is not where one is handed over.
        assert_eq!(
            outcome.json(),
            serde_json::json!({"link_session_token": "••••"})
        );
    }
}

#[test]
fn an_unknown_exchangeable_token_is_the_documented_400() {
    let body = r#"{"exchangeable_token": "ext_never_issued"}"#;
    let outcome = sandbox(&["link-session", "exchange-token", "--body", body]);
    assert_ne!(outcome.code, 0);
    let line = outcome.error_line();
    assert!(line.contains("(status 400"), "{line}");
    assert!(line.contains("invalid_token_exchange"), "{line}");
}
