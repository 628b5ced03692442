//! Account and routing numbers are masked (`••••8062`) unless `--reveal` is given, in JSON and
//! in tables, for every seeded link that has numbers.

mod common;

use common::{assert_success, sandbox, strings};
use moneykit_sandbox::links;
use serde_json::Value;

/// The numbers of `acc_us_checking` in `accounts numbers` JSON output.
fn checking_ach(numbers: &Value) -> &Value {
    let checking = numbers["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == "acc_us_checking")
        .unwrap();
    &checking["numbers"]["ach"][0]
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
    let ach = checking_ach(&json);
    assert_eq!(ach["account_number"], "••••8062");
    assert_eq!(ach["routing_number"], "••••2333");
    assert_eq!(ach["wire_routing_number"], "••••0021");

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
    let ach = checking_ach(&json);
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
