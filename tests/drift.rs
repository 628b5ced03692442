//! Drift guards: the reviewable copy of the generated client and the JSON Schema of every
//! response type. `cargo xtask regen` updates both after a change to `openapi.yaml`.

use std::path::Path;

use moneykit_api::types;

#[test]
fn generated_client_source() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml");
    let source = moneykit_gen::generate_from_path(&spec).unwrap();
    // The build script ran the same function on the same spec: the compiled code is this code.
    assert_eq!(
        source,
        include_str!(concat!(env!("OUT_DIR"), "/moneykit_api.rs")),
        "build.rs and moneykit-gen disagree; rebuild"
    );
    insta::assert_snapshot!("generated_client", source);
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
