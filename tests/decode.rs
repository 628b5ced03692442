//! Every body in `tests/fixtures/<Schema>/` decodes into the generated type of that name, and
//! re-serializes without changing any value it kept (unknown enum values included).

mod common;

use std::path::Path;

use common::fixture;
use moneykit_api::{Revealed, Timestamp, types};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// The re-encoded body and the JSON Schema of the type it was decoded into.
type RoundTrip = fn(&[u8]) -> Result<(Value, Value), String>;

/// Decodes, re-encodes (sensitive values in full, through the `Revealed` opt-in) and decodes
/// again; both decodings must be equal.
fn round_trip<T>(body: &[u8]) -> Result<(Value, Value), String>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug + schemars::JsonSchema,
{
    let decoded: T = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let encoded = serde_json::to_value(Revealed(&decoded)).map_err(|e| e.to_string())?;
    let again: T = serde_json::from_value(encoded.clone()).map_err(|e| e.to_string())?;
    if decoded != again {
        return Err(format!("{decoded:?} became {again:?}"));
    }
    let schema = serde_json::to_value(schemars::schema_for!(T)).map_err(|e| e.to_string())?;
    Ok((encoded, schema))
}

/// The properties with a `default:` in openapi.yaml.
const DEFAULTED: [&str; 5] = [
    "error_code",
    "error_message",
    "required",
    "require_permission",
    "prefetch",
];

fn decoder(schema: &str) -> Option<RoundTrip> {
    Some(match schema {
        "LinkCommon" => round_trip::<types::LinkCommon>,
        "GetAccountsResponse" => round_trip::<types::GetAccountsResponse>,
        "GetAccountNumbersResponseLegacy20230218" => {
            round_trip::<types::GetAccountNumbersResponseLegacy20230218>
        }
        "CreateAccessTokenResponse" => round_trip::<types::CreateAccessTokenResponse>,
        "CreateLinkSessionResponse" => round_trip::<types::CreateLinkSessionResponse>,
        "ExchangeTokenResponse" => round_trip::<types::ExchangeTokenResponse>,
        "LinkSessionErrorForbiddenConfigResponse" => {
            round_trip::<types::LinkSessionErrorForbiddenConfigResponse>
        }
        "LinkSessionErrorInvalidTokenExchange" => {
            round_trip::<types::LinkSessionErrorInvalidTokenExchange>
        }
        "APIErrorAuthExpiredAccessTokenResponse" => {
            round_trip::<types::ApiErrorAuthExpiredAccessTokenResponse>
        }
        "APIErrorAuthUnauthorizedResponse" => round_trip::<types::ApiErrorAuthUnauthorizedResponse>,
        "APIErrorRateLimitExceededResponse" => {
            round_trip::<types::ApiErrorRateLimitExceededResponse>
        }
        "LinkErrorUnauthorizedAccessResponse" => {
            round_trip::<types::LinkErrorUnauthorizedAccessResponse>
        }
        "LinkErrorForbiddenActionResponse" => round_trip::<types::LinkErrorForbiddenActionResponse>,
        "LinkErrorNotFoundResponse" => round_trip::<types::LinkErrorNotFoundResponse>,
        "LinkErrorDeletedResponse" => round_trip::<types::LinkErrorDeletedResponse>,
        "LinkErrorBadStateResponse" => round_trip::<types::LinkErrorBadStateResponse>,
        "HTTPValidationError" => round_trip::<types::HttpValidationError>,
        "Response422LinkError" => round_trip::<types::Response422LinkError>,
        _ => return None,
    })
}

/// Compares a fixture with its re-encoding, following the type's JSON Schema to know which keys
/// the type declares.
struct Kept<'a> {
    /// The schema document (`$defs` are resolved against it).
    root: &'a Value,
    problems: Vec<String>,
}

impl<'a> Kept<'a> {
    /// The schemas `node` stands for: through `$ref`s into `$defs` and the members of
    /// `anyOf`/`oneOf`/`allOf`.
    fn members(&self, node: &'a Value) -> Vec<&'a Value> {
        if let Some(name) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            return self.root["$defs"]
                .get(name)
                .map(|s| self.members(s))
                .unwrap_or_default();
        }
        let mut all = vec![node];
        for key in ["anyOf", "oneOf", "allOf"] {
            for member in node
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                all.extend(self.members(member));
            }
        }
        all
    }

    /// The schema that describes `encoded`: of `node`'s members, the one that declares all its
    /// keys (for a union, the member the body decoded as).
    fn object_schema(
        &self,
        node: Option<&'a Value>,
        encoded: &serde_json::Map<String, Value>,
    ) -> Option<&'a Value> {
        let members = self.members(node?);
        members.into_iter().find(|m| {
            m.get("properties")
                .is_some_and(|declared| encoded.keys().all(|k| declared.get(k).is_some()))
        })
    }

    /// Every value the re-encoding holds must be the value the fixture held (timestamps
    /// compared as instants, since `+00:00` comes back as `Z`). Keys the fixture lacked may only
    /// be the properties that have a `default:` in openapi.yaml, which the generated types fill
    /// in. Every key the fixture had that the type declares stays, `null` and `[]` included;
    /// only keys the spec does not know may go.
    fn check(&mut self, original: &Value, encoded: &Value, at: &str, node: Option<&'a Value>) {
        match (original, encoded) {
            (Value::Object(o), Value::Object(e)) => {
                let schema = self.object_schema(node, e);
                let child = |key: &str| schema?.get("properties")?.get(key);
                for (key, value) in e {
                    match o.get(key) {
                        Some(orig) => {
                            self.check(orig, value, &format!("{at}.{key}"), child(key));
                        }
                        None if DEFAULTED.contains(&key.as_str()) => {}
                        None => self.problems.push(format!("{at}.{key}: invented {value}")),
                    }
                }
                for (key, value) in o {
                    if !e.contains_key(key) && child(key).is_some() {
                        self.problems
                            .push(format!("{at}.{key}: {value} was dropped"));
                    }
                }
            }
            (Value::Array(o), Value::Array(e)) if o.len() == e.len() => {
                let items = node.and_then(|n| {
                    let members = self.members(n);
                    members.into_iter().find_map(|m| m.get("items"))
                });
                for (i, (orig, value)) in o.iter().zip(e).enumerate() {
                    self.check(orig, value, &format!("{at}[{i}]"), items);
                }
            }
            (Value::String(o), Value::String(e)) if o != e => {
                let same_instant = matches!(
                    (o.parse::<Timestamp>(), e.parse::<Timestamp>()),
                    (Ok(a), Ok(b)) if a == b
                );
                if !same_instant {
                    self.problems.push(format!("{at}: {o:?} became {e:?}"));
                }
            }
            (Value::Number(o), Value::Number(e)) if o.as_f64() == e.as_f64() => {}
            (o, e) if o != e => self.problems.push(format!("{at}: {o} became {e}")),
            _ => {}
        }
    }
}

#[test]
fn every_fixture_decodes_and_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    let mut problems = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let schema = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let decode = decoder(&schema)
            .unwrap_or_else(|| panic!("tests/fixtures/{schema}: no generated type is mapped"));
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let name = format!("{schema}/{}", file.file_name().unwrap().to_string_lossy());
            let body = std::fs::read(&file).unwrap();
            let original: Value = serde_json::from_slice(&body).unwrap();
            match decode(&body) {
                Ok((encoded, schema)) => {
                    let mut kept = Kept {
                        root: &schema,
                        problems: Vec::new(),
                    };
                    kept.check(&original, &encoded, &name, Some(&schema));
                    problems.extend(kept.problems);
                }
                Err(e) => problems.push(format!("{name}: does not decode: {e}")),
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 100, "only {checked} fixtures found");
}

#[test]
fn unknown_enum_values_are_kept_and_known_ones_typed() {
    let link: types::LinkCommon = fixture("LinkCommon/unknown_state_paused.json");
    assert_eq!(link.state, types::PublicLinkState::Other("paused".into()));
    let link: types::LinkCommon = fixture("LinkCommon/unknown_provider_teller.json");
    assert_eq!(link.provider, Some(types::Provider::Other("teller".into())));
    let link: types::LinkCommon = fixture("LinkCommon/state_error_auth_expired.json");
    assert_eq!(link.state, types::PublicLinkState::Error);
    assert_eq!(
        link.error_code,
        Some(Some(types::PublicLinkError::AuthExpired))
    );
    assert_eq!(
        serde_json::to_value(types::Product::Other("payment_initiation".into())).unwrap(),
        "payment_initiation"
    );
    // `unknown` is a documented product error, not the catch-all.
    assert_eq!(
        types::LinkProductError::from("unknown"),
        types::LinkProductError::Unknown
    );
}

#[test]
fn legacy_link_without_later_fields_decodes_with_them_absent() {
    let link: types::LinkCommon =
        fixture("LinkCommon/legacy_2023_embedded_link_no_provider_no_avatar.json");
    assert_eq!(link.provider, None);
    assert_eq!(link.institution_avatar, None);
    assert_eq!(link.available_products, None);
}

#[test]
fn balance_date_may_be_a_bare_date() {
    let accounts: types::GetAccountsResponse =
        fixture("GetAccountsResponse/balance_date_bare_date.json");
    let date = accounts.accounts[0]
        .balances
        .balance_date
        .flatten()
        .unwrap();
    assert_eq!(date.to_string(), "2024-02-08");
    assert_eq!(date.to_utc().to_rfc3339(), "2024-02-08T00:00:00+00:00");
}

#[test]
fn required_fields_are_still_required() {
    let missing_link_id = serde_json::json!({
        "institution_id": "chase", "institution_name": "Chase", "state": "connected",
        "products": {}
    });
    let err = serde_json::from_value::<types::LinkCommon>(missing_link_id).unwrap_err();
    assert!(err.to_string().contains("link_id"), "{err}");
}

#[test]
fn full_numbers_are_masked_in_debug_and_json_of_whole_responses() {
    let numbers: types::GetAccountNumbersResponseLegacy20230218 =
        fixture("GetAccountNumbersResponseLegacy20230218/bacs_uk_and_international_iban_bic.json");
    let bacs = &numbers.accounts[0].numbers.bacs[0];
    let iban = numbers.accounts[0].numbers.international[0]
        .iban
        .reveal()
        .unwrap()
        .to_owned();
    let debug = format!("{numbers:?} {numbers:#?}");
    let serialized = serde_json::to_string(&numbers).unwrap();
    let fulls = [&bacs.account_number, &bacs.sort_code].map(|n| n.reveal().unwrap());
    for full in fulls.into_iter().chain([iban.as_str()]) {
        assert!(!debug.contains(full), "{full} leaked into Debug");
        assert!(!serialized.contains(full), "{full} leaked into JSON");
    }
    assert!(debug.contains(&iban[iban.len() - 4..]));
}

#[test]
fn documented_error_bodies_decode_by_status() {
    use moneykit_api::errors::{DocumentedError, GetAccountsError};
    let body = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/LinkErrorBadStateResponse/link_error_code_auth_expired.json"),
    )
    .unwrap();
    let decoded = GetAccountsError::decode(422, &body).unwrap().unwrap();
    let GetAccountsError::UnprocessableEntity(
        types::Response422LinkError::LinkErrorBadStateResponse(bad_state),
    ) = &decoded
    else {
        panic!("422 decoded as {decoded:?}");
    };
    assert_eq!(bad_state.link_error_code, "auth_expired");
    assert_eq!(decoded.status(), 422);
    assert!(GetAccountsError::decode(500, &body).is_none());

    let expired = br#"{"error_code":"api_error.auth.expired_access_token","error_message":"Access token expired"}"#;
    let link_access = br#"{"error_code":"link_error.unauthorized_access"}"#;
    assert!(matches!(
        GetAccountsError::decode(401, expired),
        Some(Ok(GetAccountsError::Unauthorized(
            types::Response401GetAccountsLinksIdAccountsGet::ApiErrorAuthExpiredAccessTokenResponse(
                _
            )
        )))
    ));
    assert!(matches!(
        GetAccountsError::decode(401, link_access),
        Some(Ok(GetAccountsError::Unauthorized(
            types::Response401GetAccountsLinksIdAccountsGet::LinkErrorUnauthorizedAccessResponse(_)
        )))
    ));
}

#[test]
fn presence_survives_a_round_trip_exactly() {
    // `[]` and `null` come back as `[]` and `null` …
    for case in [
        "LinkCommon/empty_products_and_lists.json",
        "LinkCommon/nullable_fields_explicit_null.json",
    ] {
        let original: Value = fixture(case);
        let link: types::LinkCommon = fixture(case);
        assert_eq!(serde_json::to_value(&link).unwrap(), original, "{case}");
    }
    // … and absent stays absent (only the `default:` booleans of `settings` are filled in).
    let original: Value = fixture("LinkCommon/optional_fields_absent.json");
    let link: types::LinkCommon = fixture("LinkCommon/optional_fields_absent.json");
    let encoded = serde_json::to_value(&link).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&encoded), keys(&original));
    assert_eq!(encoded["products"]["accounts"], serde_json::json!({}));
    assert_eq!(keys(&encoded["products"]), keys(&original["products"]));
}

#[test]
fn the_round_trip_check_catches_a_dropped_declared_key_but_not_an_unknown_one() {
    let schema = serde_json::to_value(schemars::schema_for!(types::LinkCommon)).unwrap();
    let original = serde_json::json!({
        "link_id": "mk_1", "webhook": null, "products": { "accounts": { "refreshed_at": null } },
        "not_in_the_spec": null
    });
    let encoded = serde_json::json!({ "link_id": "mk_1", "products": { "accounts": {} } });
    let mut kept = Kept {
        root: &schema,
        problems: Vec::new(),
    };
    kept.check(&original, &encoded, "link", Some(&schema));
    assert_eq!(
        kept.problems,
        [
            "link.products.accounts.refreshed_at: null was dropped",
            "link.webhook: null was dropped"
        ]
    );
}
