//! The generator's contract: deterministic output, and a clear message (never a panic) for a
//! spec it cannot turn into a client.

use std::path::Path;

use moneykit_gen::{GenError, generate};

fn spec() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml")).unwrap()
}

/// Generating from `spec` fails with a message that contains each of `expected`.
fn assert_refused(spec: &str, expected: &[&str]) {
    let message = match generate(spec) {
        Ok(_) => panic!("a broken spec generated code"),
        Err(e) => e.to_string(),
    };
    for part in expected {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
}

#[test]
fn output_is_deterministic() {
    let spec = spec();
    assert_eq!(generate(&spec).unwrap(), generate(&spec).unwrap());
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    assert_refused(
        "openapi: 3.0.3\npaths: [\n",
        &["not a valid OpenAPI 3.0 document", "line"],
    );
}

#[test]
fn openapi_3_1_is_refused() {
    assert_refused(
        &spec().replacen("openapi: 3.0.3", "openapi: 3.1.0", 1),
        &["only OpenAPI 3.0.x"],
    );
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
    assert_refused(
        &broken,
        &[
            "LinkCommonn` points at nothing",
            "GET /links/{id}/accounts: missing operationId",
            "LinkErrorBadStateResponse/properties/link_error_code: inline enum",
        ],
    );
}

#[test]
fn two_success_bodies_are_refused_instead_of_panicking() {
    let broken = spec().replacen(
        "        '401':\n",
        "        '203':\n          description: other\n          content:\n            application/json:\n              schema:\n                type: string\n        '401':\n",
        1,
    );
    assert_refused(&broken, &["success responses have 2 different bodies"]);
}

#[test]
fn missing_file_is_a_read_error() {
    let err = moneykit_gen::generate_from_path(Path::new("/nonexistent/openapi.yaml")).unwrap_err();
    assert!(matches!(err, GenError::Read { .. }), "{err:?}");
}

#[test]
fn an_unknown_sensitivity_mark_is_refused() {
    let broken = spec().replacen(
        "x-moneykit-sensitive: true",
        "x-moneykit-sensitive: sekret",
        1,
    );
    assert_refused(&broken, &["`x-moneykit-sensitive: \"sekret\"`", "`secret`"]);
}

#[test]
fn secrets_and_numbers_get_their_own_types() {
    let code = generate(&spec()).unwrap();
    assert!(
        code.contains("pub access_token: crate::Secret"),
        "access_token"
    );
    assert!(
        code.contains("pub account_number: crate::Sensitive"),
        "account_number"
    );
}

#[test]
fn amounts_are_decimals_and_every_number_must_say_whether_it_is_one() {
    let code = generate(&spec()).unwrap();
    assert!(
        code.contains("pub current: ::std::option::Option<::std::option::Option<crate::Amount>>"),
        "current"
    );
    // A number that is not money keeps typify's `f64`.
    let count = spec().replacen("x-moneykit-amount: true", "x-moneykit-amount: false", 1);
    let code = generate(&count).unwrap();
    assert!(
        code.contains("pub available: ::std::option::Option<::std::option::Option<f64>>"),
        "available"
    );

    let forgotten = spec().replacen("          x-moneykit-amount: true\n", "", 1);
    assert_refused(
        &forgotten,
        &[
            "AccountBalances/properties/available",
            "`x-moneykit-amount: true`",
        ],
    );
    let misplaced = spec().replacen(
        "x-moneykit-sensitive: true",
        "x-moneykit-sensitive: true\n          x-moneykit-amount: true",
        1,
    );
    assert_refused(&misplaced, &["belongs on a `type: number` schema only"]);
    let unknown = spec().replacen("x-moneykit-amount: true", "x-moneykit-amount: money", 1);
    assert_refused(&unknown, &["`x-moneykit-amount: \"money\"`"]);
}

#[test]
fn a_constrained_sensitive_string_is_still_masked() {
    for constraint in ["minLength: 4", "maxLength: 30", "pattern: '^[0-9]+$'"] {
        let constrained = spec().replacen(
            "x-moneykit-sensitive: secret",
            &format!("x-moneykit-sensitive: secret\n          {constraint}"),
            1,
        );
        let code = generate(&constrained).unwrap();
        // The first secret of the spec is a link's webhook.
        assert!(
            code.contains(
                "pub webhook: ::std::option::Option<::std::option::Option<crate::Secret>>"
            ),
            "{constraint}: the webhook is no longer a Secret"
        );
    }
}

#[test]
fn a_parameter_cannot_be_sensitive_or_an_amount() {
    let sensitive = spec().replacen(
        "      schema:\n        type: string\n      example: mk_eqkWN34UEoa2NxyALG8pcV",
        "      schema:\n        type: string\n        x-moneykit-sensitive: true\n      example: mk_eqkWN34UEoa2NxyALG8pcV",
        1,
    );
    assert_refused(
        &sensitive,
        &[
            "#/components/parameters/LinkId/schema",
            "would be sent masked",
        ],
    );
    let amount = spec().replacen(
        "      schema:\n        type: string\n      example: mk_eqkWN34UEoa2NxyALG8pcV",
        "      schema:\n        type: number\n        x-moneykit-amount: true\n      example: mk_eqkWN34UEoa2NxyALG8pcV",
        1,
    );
    assert_refused(&amount, &["cannot mark a parameter"]);
}

#[test]
fn an_amount_in_an_array_is_a_decimal_too() {
    let listed = spec().replacen(
        "        available:\n          type: number\n",
        "        holds:\n          type: array\n          items:\n            type: number\n            \
         x-moneykit-amount: true\n        available:\n          type: number\n",
        1,
    );
    let code = generate(&listed).unwrap();
    let holds = code.lines().find(|line| line.contains("pub holds:"));
    assert!(
        holds.is_some_and(|line| line.contains("Vec<crate::Amount>")),
        "{holds:?}"
    );
}

#[test]
fn request_bodies_are_serialized_in_full() {
    let code = generate(&spec()).unwrap();
    assert!(
        code.contains(".form_urlencoded(&crate::Revealed(&body))"),
        "the token form is not revealed"
    );
    for unwrapped in [".json(&body)", ".form_urlencoded(&body)"] {
        assert!(!code.contains(unwrapped), "{unwrapped} is sent masked");
    }
}
