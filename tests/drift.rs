//! Drift guard: the JSON Schema of every response type. `cargo xtask regen` updates it after a
//! change to `openapi.yaml`; the generated source itself is checked in (`src/generated.rs`) and
//! compared by the build script and `cargo xtask check`.

use moneykit_api::types;

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
