//! Drift guards: the JSON Schema of every response type (a snapshot), and the four checked-in
//! generated sources (`moneykit_gen::GENERATED_PATHS`: `src/generated.rs`, which the build
//! script also compares, and `generated.rs` of `moneykit`, the CLI and the sandbox).
//! `cargo xtask regen` updates them after a change to `openapi.yaml`.

use moneykit_api::types;

#[test]
fn the_checked_in_generated_sources_are_what_the_spec_gives() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("openapi.yaml")).unwrap();
    for (path, source) in moneykit_gen::generate_all(&spec).unwrap() {
        let checked_in = std::fs::read_to_string(root.join(path)).ok();
        if let Some(problem) = moneykit_gen::stale(path, &source, checked_in.as_deref()) {
            panic!("{problem}");
        }
    }
}

#[test]
fn response_json_schemas() {
    let schemas = serde_json::json!({
        "LinkCommon": schemars::schema_for!(types::LinkCommon),
        "GetAccountsResponse": schemars::schema_for!(types::GetAccountsResponse),
        "GetAccountNumbersResponseLegacy20230218":
            schemars::schema_for!(types::GetAccountNumbersResponseLegacy20230218),
        "CreateAccessTokenResponse": schemars::schema_for!(types::CreateAccessTokenResponse),
        "Response401GetLinkLinksIdGet": schemars::schema_for!(types::Response401GetLinkLinksIdGet),
        "Response401GetAccountsLinksIdAccountsGet":
            schemars::schema_for!(types::Response401GetAccountsLinksIdAccountsGet),
        "Response401GetAccountNumbers": schemars::schema_for!(types::Response401GetAccountNumbers),
        "APIErrorAuthUnauthorizedResponse":
            schemars::schema_for!(types::ApiErrorAuthUnauthorizedResponse),
        "LinkErrorForbiddenActionResponse":
            schemars::schema_for!(types::LinkErrorForbiddenActionResponse),
        "LinkErrorNotFoundResponse": schemars::schema_for!(types::LinkErrorNotFoundResponse),
        "LinkErrorDeletedResponse": schemars::schema_for!(types::LinkErrorDeletedResponse),
        "LinkErrorBadStateResponse": schemars::schema_for!(types::LinkErrorBadStateResponse),
        "APIErrorRateLimitExceededResponse":
            schemars::schema_for!(types::ApiErrorRateLimitExceededResponse),
        "HTTPValidationError": schemars::schema_for!(types::HttpValidationError),
    });
    insta::assert_json_snapshot!("response_json_schemas", schemas);
}
