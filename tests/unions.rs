//! A status that documents a union of bodies decodes each body into the right member: every
//! fixture in `tests/fixtures/Response422LinkError/` is named for the member it must become
//! (`bad_state_*` or `validation_*`), and each link operation's typed decode of a 422 agrees.

use std::path::Path;

use moneykit_api::errors::{
    DocumentedError, GetAccountNumbersError, GetAccountsError, GetLinkError,
};
use moneykit_api::types::Response422LinkError;

/// The member a fixture's name promises, as the variant's name.
fn expected_member(file: &str) -> &'static str {
    if file.starts_with("bad_state_") {
        "LinkErrorBadStateResponse"
    } else if file.starts_with("validation_") {
        "HttpValidationError"
    } else {
        panic!("{file}: name it bad_state_* or validation_*")
    }
}

fn member(body: &Response422LinkError) -> &'static str {
    match body {
        Response422LinkError::LinkErrorBadStateResponse(_) => "LinkErrorBadStateResponse",
        Response422LinkError::HttpValidationError(_) => "HttpValidationError",
    }
}

/// The 422 union of `E`'s decode, or why there is none.
fn decode_422<E: DocumentedError>(
    body: &[u8],
    union: fn(E) -> Option<Response422LinkError>,
) -> Result<Response422LinkError, String> {
    match E::decode(422, body) {
        Some(Ok(decoded)) => union(decoded).ok_or_else(|| "not the 422 variant".to_owned()),
        Some(Err(error)) => Err(error.to_string()),
        None => Err("422 is not documented".to_owned()),
    }
}

#[test]
fn each_422_body_decodes_into_the_member_its_error_code_names() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/Response422LinkError");
    let mut checked = 0;
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let body = std::fs::read(&path).unwrap();
        let want = expected_member(&name);
        let decoded = [
            decode_422::<GetLinkError>(&body, |e| match e {
                GetLinkError::UnprocessableEntity(u) => Some(u),
                _ => None,
            }),
            decode_422::<GetAccountsError>(&body, |e| match e {
                GetAccountsError::UnprocessableEntity(u) => Some(u),
                _ => None,
            }),
            decode_422::<GetAccountNumbersError>(&body, |e| match e {
                GetAccountNumbersError::UnprocessableEntity(u) => Some(u),
                _ => None,
            }),
        ];
        for result in decoded {
            let union = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(member(&union), want, "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} fixtures");
}

/// The members are told apart by their required fields and constant `error_code`s, not by the
/// order serde tries them in: neither member accepts the other's bodies.
#[test]
fn neither_member_accepts_the_other_members_bodies() {
    use moneykit_api::types::{HttpValidationError, LinkErrorBadStateResponse};
    let bad_state =
        br#"{"error_code":"link_error.bad_state","error_message":"m","link_error_code":"x"}"#;
    let validation = br#"{"error_code":"api_error.request.validation_failed","validation_errors":[],"link_error_code":"x"}"#;
    assert!(serde_json::from_slice::<HttpValidationError>(bad_state).is_err());
    assert!(serde_json::from_slice::<LinkErrorBadStateResponse>(validation).is_err());
    // A body that is neither is not forced into one.
    let neither = br#"{"error_code":"link_error.bad_state","error_message":"m"}"#;
    assert!(serde_json::from_slice::<Response422LinkError>(neither).is_err());
}
