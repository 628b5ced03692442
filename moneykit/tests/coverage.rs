//! Every operation of `openapi.yaml` has a method on the ergonomic client. A new operation
//! regenerates and compiles by itself; this test then names it, because `moneykit` needs one
//! method for it (in `src/client.rs`) and a line here.

/// The generated operations `moneykit` has a method for (in the order of the methods below).
const COVERED: [&str; 4] = [
    "create_access_token",
    "get_link",
    "get_accounts",
    "get_account_numbers",
];

#[test]
fn every_operation_has_an_ergonomic_method() {
    // The methods of `COVERED` exist (this does not compile otherwise).
    let _ = (
        moneykit::Client::authenticate,
        moneykit::Link::get,
        moneykit::Link::accounts,
        moneykit::Link::account_numbers,
    );
    let missing: Vec<String> = moneykit_api::PATH_TEMPLATES
        .iter()
        .filter(|(operation, _)| !COVERED.contains(operation))
        .map(|(operation, path)| format!("{operation} ({path})"))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a method in moneykit (add one, and list it in tests/coverage.rs): \
         {missing:?}"
    );
    let gone: Vec<&str> = COVERED
        .into_iter()
        .filter(|known| {
            !moneykit_api::PATH_TEMPLATES
                .iter()
                .any(|(op, _)| op == known)
        })
        .collect();
    assert!(gone.is_empty(), "listed but not in openapi.yaml: {gone:?}");
}
