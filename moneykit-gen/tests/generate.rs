//! The generator's contract: deterministic output, and a clear message (never a panic) for a
//! spec it cannot turn into a client.

use std::path::Path;

use moneykit_gen::{GenError, generate};

fn spec() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml")).unwrap()
}

fn problems(spec: &str) -> String {
    match generate(spec) {
        Ok(_) => panic!("a broken spec generated code"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn output_is_deterministic() {
    let spec = spec();
    assert_eq!(generate(&spec).unwrap(), generate(&spec).unwrap());
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let message = problems("openapi: 3.0.3\npaths: [\n");
    assert!(
        message.contains("not a valid OpenAPI 3.0 document"),
        "{message}"
    );
    assert!(message.contains("line"), "{message}");
}

#[test]
fn openapi_3_1_is_refused() {
    let message = problems(&spec().replacen("openapi: 3.0.3", "openapi: 3.1.0", 1));
    assert!(message.contains("only OpenAPI 3.0.x"), "{message}");
}

#[test]
fn dangling_refs_missing_operation_ids_and_inline_enums_are_all_reported() {
    let broken = spec()
        .replacen(
            "$ref: '#/components/schemas/LinkCommon'",
            "$ref: '#/components/schemas/LinkCommonn'",
            1,
        )
        .replacen(
            "operationId: get_accounts",
            "x-was-operation-id: get_accounts",
            1,
        )
        .replacen(
            "        link_error_code:\n",
            "        link_error_code:\n          enum: [a, b]\n",
            1,
        );
    let message = problems(&broken);
    assert!(
        message.contains("LinkCommonn` points at nothing"),
        "{message}"
    );
    assert!(
        message.contains("GET /links/{id}/accounts: missing operationId"),
        "{message}"
    );
    assert!(
        message.contains("LinkErrorBadStateResponse/properties/link_error_code: inline enum"),
        "{message}"
    );
}

#[test]
fn two_success_bodies_are_refused_instead_of_panicking() {
    let broken = spec().replacen(
        "        '401':\n",
        "        '203':\n          description: other\n          content:\n            application/json:\n              schema:\n                type: string\n        '401':\n",
        1,
    );
    let message = problems(&broken);
    assert!(
        message.contains("success responses have 2 different bodies"),
        "{message}"
    );
}

#[test]
fn missing_file_is_a_read_error() {
    let err = moneykit_gen::generate_from_path(Path::new("/nonexistent/openapi.yaml")).unwrap_err();
    assert!(matches!(err, GenError::Read { .. }), "{err:?}");
}
