//! Every operation of `openapi.yaml` has a method on the ergonomic client. A new operation
//! regenerates and compiles by itself; this test then names it, because `moneykit` needs one
//! method for it (in `src/client.rs`) and a line here.

/// Each generated operation and the `moneykit` method that calls it.
const METHODS: [(&str, &str); 4] = [
    ("create_access_token", "Client::authenticate"),
    ("get_link", "Link::get"),
    ("get_accounts", "Link::accounts"),
    ("get_account_numbers", "Link::account_numbers"),
];

#[test]
fn every_operation_has_an_ergonomic_method() {
    // The methods listed exist (this does not compile otherwise).
    let _ = (
        moneykit::Client::authenticate,
        moneykit::Link::get,
        moneykit::Link::accounts,
        moneykit::Link::account_numbers,
    );
    let missing: Vec<String> = moneykit_api::PATH_TEMPLATES
        .iter()
        .filter(|(operation, _)| !METHODS.iter().any(|(known, _)| known == operation))
        .map(|(operation, path)| format!("{operation} ({path})"))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a method in moneykit (add one, and list it in tests/coverage.rs): \
         {missing:?}"
    );
}
