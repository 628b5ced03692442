//! Every operation of `openapi.yaml` has a method on the ergonomic client: generated from its
//! `x-moneykit-call` (`moneykit::OPERATIONS` lists them), or written by hand for the one the
//! client sends itself. A stale `src/generated.rs` (the low-level client regenerated, the
//! surface not) fails here naming the operation.

/// Operations the client sends itself, each with the hand-written method that does.
const HAND_WRITTEN: [(&str, &str); 1] = [("create_access_token", "Client::authenticate")];

#[test]
fn every_operation_has_an_ergonomic_method() {
    // The hand-written methods exist (this does not compile otherwise).
    let _ = moneykit::Client::authenticate;
    let covered = |operation: &str| {
        moneykit::OPERATIONS.iter().any(|(op, _)| *op == operation)
            || HAND_WRITTEN.iter().any(|(op, _)| *op == operation)
    };
    let missing: Vec<String> = moneykit_api::PATH_TEMPLATES
        .iter()
        .filter(|(operation, _)| !covered(operation))
        .map(|(operation, path)| format!("{operation} ({path})"))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a method in moneykit (give them an `x-moneykit-call` in \
         openapi.yaml and run `cargo xtask regen`): {missing:?}"
    );
    let gone: Vec<&str> = (moneykit::OPERATIONS.iter().map(|(op, _)| *op))
        .chain(HAND_WRITTEN.iter().map(|(op, _)| *op))
        .filter(|known| {
            !moneykit_api::PATH_TEMPLATES
                .iter()
                .any(|(op, _)| op == known)
        })
        .collect();
    assert!(
        gone.is_empty(),
        "methods for operations not in openapi.yaml: {gone:?}"
    );
}
