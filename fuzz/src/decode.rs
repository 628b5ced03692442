//! One body through every response decoder of `moneykit-api`: each operation's success type and
//! each status its `errors::<Op>Error` documents. Shared, by `#[path]`, by the fuzz target
//! (`fuzz/fuzz_targets/decode.rs`) and the stable tests (`tests/fuzz_corpus.rs`,
//! `tests/decode_never_panics.rs`), so the corpus smoke on stable runs exactly what libFuzzer
//! runs.
//!
//! Decoding may fail, with a typed error; nothing may panic. What decodes is then used the way
//! a caller would use it (`Debug`, `redacted()`, the `ErrorFields`, serializing it again), and
//! that must hold too: a decoded value serializes, and decodes back to an equal value.

use std::fmt::Debug;

use moneykit_api::errors::{
    CreateAccessTokenError, CreateLinkSessionError, DocumentedError, ExchangeTokenError,
    GetAccountNumbersError, GetAccountsError, GetLinkError,
};
use moneykit_api::{Redact, Revealed, types};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A decoder, named by the schema or `operation status` it reads.
type Decoder = (&'static str, fn(&[u8]) -> bool);

/// The operations whose error enums are listed below (checked against `PATH_TEMPLATES` by
/// [`unlisted_operations`]).
const OPERATIONS: [&str; 6] = [
    CreateAccessTokenError::OPERATION_ID,
    CreateLinkSessionError::OPERATION_ID,
    ExchangeTokenError::OPERATION_ID,
    GetLinkError::OPERATION_ID,
    GetAccountsError::OPERATION_ID,
    GetAccountNumbersError::OPERATION_ID,
];

/// Every success type, plus the error bodies that are fixtures' schemas of their own
/// (`HTTPValidationError` is documented by the spec but by no operation's status).
const BODIES: [Decoder; 7] = [
    (
        "CreateAccessTokenResponse",
        body::<types::CreateAccessTokenResponse>,
    ),
    (
        "CreateLinkSessionResponse",
        body::<types::CreateLinkSessionResponse>,
    ),
    (
        "ExchangeTokenResponse",
        body::<types::ExchangeTokenResponse>,
    ),
    ("LinkCommon", body::<types::LinkCommon>),
    ("GetAccountsResponse", body::<types::GetAccountsResponse>),
    (
        "GetAccountNumbersResponseLegacy20230218",
        body::<types::GetAccountNumbersResponseLegacy20230218>,
    ),
    ("HTTPValidationError", body::<types::HttpValidationError>),
];

/// The names of the decoders that accepted `bytes` (schema names for bodies, `operation status`
/// for documented errors). Panics only where a decoded value misbehaves (see the module docs).
pub fn decode(bytes: &[u8]) -> Vec<String> {
    let mut accepted: Vec<String> = BODIES
        .iter()
        .filter(|(_, decode)| decode(bytes))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    documented::<CreateAccessTokenError>(bytes, &mut accepted);
    documented::<CreateLinkSessionError>(bytes, &mut accepted);
    documented::<ExchangeTokenError>(bytes, &mut accepted);
    documented::<GetLinkError>(bytes, &mut accepted);
    documented::<GetAccountsError>(bytes, &mut accepted);
    documented::<GetAccountNumbersError>(bytes, &mut accepted);
    accepted
}

/// The schema names [`decode`] can accept a body as, success and error bodies alike (every
/// documented status's body schema is named by the decoded value's type, not listed here).
pub fn body_schemas() -> impl Iterator<Item = &'static str> {
    BODIES.iter().map(|(name, _)| *name)
}

/// Operations of the generated client that [`decode`] does not cover: a new operation must be
/// added to it.
pub fn unlisted_operations() -> Vec<&'static str> {
    moneykit_api::PATH_TEMPLATES
        .iter()
        .map(|(operation, _)| *operation)
        .filter(|operation| !OPERATIONS.contains(operation))
        .collect()
}

fn body<T: DeserializeOwned + Serialize + Redact + PartialEq + Debug>(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<T>(bytes) {
        Ok(value) => {
            let _ = format!("{value:?} {:?}", value.redacted());
            round_trip(&value);
            round_trip(&value.redacted());
            true
        }
        Err(error) => {
            let _ = error.to_string();
            false
        }
    }
}

/// Decodes `bytes` as each status `E` documents, and as one it does not.
fn documented<E: DocumentedError + PartialEq>(bytes: &[u8], accepted: &mut Vec<String>) {
    for &status in E::STATUSES {
        match E::decode(status, bytes) {
            Some(Ok(error)) => {
                assert_eq!(error.status(), status, "{}", E::OPERATION_ID);
                let _ = (
                    error.documentation_url(),
                    error.error_message(),
                    error.link_error_code(),
                );
                let _ = format!("{error:?}");
                let encoded =
                    serde_json::to_vec(&Revealed(&error)).expect("a decoded error serializes");
                let again = E::decode(status, &encoded)
                    .expect("the same status")
                    .expect("a serialized error decodes");
                assert_eq!(again, error, "{} {status}", E::OPERATION_ID);
                accepted.push(format!("{} {status}", E::OPERATION_ID));
            }
            Some(Err(error)) => {
                let _ = error.to_string();
            }
            None => panic!(
                "{} documents {status} but does not decode it",
                E::OPERATION_ID
            ),
        }
    }
    assert!(E::decode(599, bytes).is_none(), "{}", E::OPERATION_ID);
}

/// A decoded value serializes (with its sensitive values, through the `Revealed` opt-in), and
/// decodes back to an equal value.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(value: &T) {
    let encoded = serde_json::to_vec(&Revealed(value)).expect("a decoded value serializes");
    let again: T = serde_json::from_slice(&encoded).expect("a serialized value decodes");
    assert_eq!(&again, value);
}
