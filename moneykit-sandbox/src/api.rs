//! The four endpoints, and the checks every request passes in the API's order: a programmed
//! fault, credentials, `moneykit-version`, parameters, then the link (scenario, rate limit,
//! state, products). Every answer is a generated type serialized as JSON; a link's unfiltered
//! bodies were serialized when it was stored.
// A failed check returns the reply itself; it is built once per request, so its size is moot.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use moneykit_api::Secret;
use moneykit_api::types::{
    BodyCreateAccessTokenAuthTokenPost, CreateAccessTokenResponse, Product, PublicLinkState,
    SupportedVersion,
};

use crate::Operation;
use crate::faults::{Delivery, Step};
use crate::replies::{
    bad_state, cached_json, deleted, forbidden, invalid_grant, json, not_found, unauthorized,
    validation_failed,
};
use crate::requests::Seq;
use crate::seed::scenario;
use crate::server::DropConnection;
use crate::state::{AppState, credentials};
use crate::store::ServedLink;
use crate::streams::{self, HUGE_LENGTH, Plan};

/// What a programmed fault makes of a call: `Err` an answer instead of the normal one, or `Ok`
/// to go on (after its delay, if it had one) with the normal answer, delivered as it says.
async fn fault(
    state: &AppState,
    operation: Operation,
    link: Option<&str>,
) -> Result<Delivery, Response> {
    let Some(action) = state.faults.take(operation, link) else {
        return Ok(Delivery::Whole);
    };
    if action.delay > Duration::ZERO {
        tokio::time::sleep(action.delay).await;
    }
    let streamed = |plan, status, length: Option<u64>| {
        let mut response = Response::new(streams::body(plan, state.stopping.subscribe()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(length) = length {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        response
    };
    Err(match action.step {
        Step::Normal => return Ok(action.delivery),
        Step::Reply(response) => deliver(state, action.delivery, response).await,
        Step::Drop => dropped(),
        Step::Silence => {
            let mut stopping = state.stopping.subscribe();
            let _ = stopping.wait_for(|stopping| *stopping).await;
            dropped()
        }
        Step::Endless(status) => streamed(Plan::Endless, status, None),
        Step::HugeLength(status) => streamed(Plan::HugeLength, status, Some(HUGE_LENGTH)),
    })
}

/// The answer that closes the connection instead (`server.rs`).
fn dropped() -> Response {
    Extension(DropConnection).into_response()
}

/// `response` with its body delivered as `delivery` says, its `Content-Length` the whole
/// body's. (Every answer of the sandbox is in memory, so reading it cannot fail; if it did, the
/// connection would be dropped rather than a wrong body sent.)
async fn deliver(state: &AppState, delivery: Delivery, response: Response) -> Response {
    if delivery == Delivery::Whole {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped();
    };
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = streams::body(Plan::Delivered(body, delivery), state.stopping.subscribe());
    Response::from_parts(parts, body)
}

// ---------------------------------------------------------------- POST /auth/token

/// `POST /auth/token`: client credentials in the form body or as HTTP Basic; 201 with a new
/// token, 400 for a wrong `grant_type`, 401 for wrong credentials, 422 for an unsupported
/// `moneykit-version` or a malformed body. The 422s come first: the API (FastAPI) validates the
/// request before it looks at the credentials.
pub(crate) async fn create_access_token(
    State(state): State<Arc<AppState>>,
    seq: Option<Extension<Seq>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(Extension(seq)) = seq {
        state.log.set_body(seq, &headers, &body);
    }
    let delivery = match fault(&state, Operation::CreateAccessToken, None).await {
        Ok(delivery) => delivery,
        Err(response) => return response,
    };
    match token_request(&state, &headers, &body) {
        Ok(response) | Err(response) => deliver(&state, delivery, response).await,
    }
}

fn token_request(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response, Response> {
    check_version(headers)?;
    if !body.is_empty() && !crate::requests::is_form(crate::requests::media_type(headers)) {
        return Err(validation_failed(
            &["body"],
            "Expected an application/x-www-form-urlencoded body",
            "model_attributes_type",
        ));
    }
    let form: BodyCreateAccessTokenAuthTokenPost = serde_urlencoded::from_bytes(body)
        .map_err(|error| validation_failed(&["body"], &error.to_string(), "value_error"))?;
    if form.grant_type.as_deref() != Some("client_credentials") {
        return Err(invalid_grant());
    }
    // A masked secret (`••••`) reveals nothing, so it is as good as none.
    let secret = form.client_secret.as_ref().and_then(Secret::reveal);
    let (client_id, client_secret) = match (basic_credentials(headers)?, form.client_id, secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret.to_owned()),
        _ => return Err(unauthorized("Missing client credentials")),
    };
    if !state.config.accepts(&client_id, &client_secret) {
        return Err(unauthorized("Invalid client credentials"));
    }
    let body = CreateAccessTokenResponse {
        access_token: state.issue_token().into(),
        // At most i64::MAX by construction; the fallback only keeps this free of a panic.
        expires_in: i64::try_from(state.config.token_lifetime_secs()).unwrap_or(i64::MAX),
        token_type: "bearer".to_owned(),
    };
    Ok(json(StatusCode::CREATED, body))
}

/// `Authorization: Basic base64(id:secret)`, if present. Another scheme is left to the body.
///
/// RFC 6749 §2.3.1 has the client form-encode (`application/x-www-form-urlencoded`) the id and
/// the secret before they are joined and base64-encoded, so that a `:` in the id or any byte
/// survives: each is form-decoded after the split on the first `:`. A part that does not decode
/// (a `%` without two hex digits after it, or bytes that are not UTF-8) cannot have been
/// encoded, so it is taken as sent, as it was before the sandbox decoded Basic credentials. A
/// part that decodes is read as encoded (`a+b` is `a b`): that is what the RFC says it is.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, Response> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(encoded) = value
        .to_str()
        .ok()
        .and_then(|value| credentials(value, "Basic"))
    else {
        return Ok(None);
    };
    let malformed = || unauthorized("Malformed Basic credentials");
    let decoded = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(malformed)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let decode = |part: &str| form_decode(part).unwrap_or_else(|| part.to_owned());
    Ok(Some((decode(id), decode(secret))))
}

/// One `application/x-www-form-urlencoded` component decoded: `+` is a space, `%XX` a byte.
/// `None` when a `%` is not followed by two hex digits or the bytes are not UTF-8 (strict,
/// unlike a lenient decoder that keeps a stray `%`: the caller then knows the part was not
/// encoded).
fn form_decode(part: &str) -> Option<String> {
    fn hex(digit: u8) -> Option<u8> {
        char::from(digit)
            .to_digit(16)
            .and_then(|value| u8::try_from(value).ok())
    }
    let mut bytes = part.bytes();
    let mut decoded = Vec::with_capacity(part.len());
    while let Some(byte) = bytes.next() {
        decoded.push(match byte {
            b'+' => b' ',
            b'%' => {
                let high = hex(bytes.next()?)?;
                let low = hex(bytes.next()?)?;
                high << 4 | low
            }
            other => other,
        });
    }
    String::from_utf8(decoded).ok()
}

// ---------------------------------------------------------------- the link endpoints

fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    let Some(value) = headers.get("moneykit-version") else {
        return Ok(());
    };
    let supported = SupportedVersion::default();
    let version = value.to_str().ok().map(SupportedVersion::from);
    if version.as_ref() == Some(&supported) {
        return Ok(());
    }
    Err(validation_failed(
        &["header", "moneykit-version"],
        &format!("Input should be '{supported}'"),
        "enum",
    ))
}

type LinkPath = Result<Path<String>, PathRejection>;

/// A link operation's answer: a programmed fault, then [`admit`], then `answer` from the link,
/// delivered as the fault said.
async fn link_call(
    state: &AppState,
    headers: &HeaderMap,
    path: LinkPath,
    operation: Operation,
    answer: impl FnOnce(Arc<ServedLink>) -> Response,
) -> Response {
    let given = path.as_ref().ok().map(|Path(id)| id.as_str());
    let delivery = match fault(state, operation, given).await {
        Ok(delivery) => delivery,
        Err(response) => return response,
    };
    let response = match admit(state, headers, path, operation) {
        Ok(served) => answer(served),
        Err(response) => response,
    };
    deliver(state, delivery, response).await
}

/// Everything before the link's own data: credentials, version, id, scenario, limit, state.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    path: LinkPath,
    operation: Operation,
) -> Result<Arc<ServedLink>, Response> {
    state.authorize(headers)?;
    check_version(headers)?;
    let Path(id) = path.map_err(|rejection| {
        validation_failed(&["path", "id"], &rejection.body_text(), "value_error")
    })?;
    if let Some(error) = scenario(&id) {
        return Err(error.reply(None));
    }
    let served = state.links.get(&id).ok_or_else(not_found)?;
    state.count(&id, operation)?;
    if operation == Operation::GetLink {
        return Ok(served);
    }
    let link = served.link();
    match &link.state {
        PublicLinkState::Connected => Ok(served),
        PublicLinkState::Deleted => Err(deleted()),
        _ => {
            let code = link
                .error_code
                .as_ref()
                .and_then(Option::as_ref)
                .map_or("incomplete", |code| code.as_str());
            Err(bad_state(code))
        }
    }
}

/// `GET /links/{id}`. (The link handlers take the whole request to read its headers in place:
/// the `HeaderMap` extractor would copy them.)
pub(crate) async fn get_link(
    State(state): State<Arc<AppState>>,
    path: LinkPath,
    request: Request,
) -> Response {
    link_call(
        &state,
        request.headers(),
        path,
        Operation::GetLink,
        |served| cached_json(served.link_body.clone()),
    )
    .await
}

/// `GET /links/{id}/accounts`, optionally filtered by repeated `account_ids` (unknown ids match
/// nothing, as a filter does).
pub(crate) async fn get_accounts(
    State(state): State<Arc<AppState>>,
    path: LinkPath,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    link_call(
        &state,
        request.headers(),
        path,
        Operation::GetAccounts,
        |served| accounts(&served, query),
    )
    .await
}

/// The accounts of `served`, filtered by the query's `account_ids`.
fn accounts(served: &ServedLink, query: Option<String>) -> Response {
    if served.link().products.get(&Product::Accounts).is_none() {
        return forbidden("Accounts access not permitted");
    }
    let Some(query) = query.filter(|query| !query.is_empty()) else {
        return cached_json(served.accounts_body.clone());
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(&query) {
        Ok(pairs) => pairs,
        Err(error) => return validation_failed(&["query"], &error.to_string(), "value_error"),
    };
    let wanted: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "account_ids")
        .map(|(_, value)| value.as_str())
        .collect();
    if wanted.is_empty() {
        return cached_json(served.accounts_body.clone());
    }
    let accounts = served
        .data
        .accounts
        .iter()
        .map(|(account, _)| account)
        .filter(|account| wanted.contains(&account.account_id.as_str()))
        .cloned()
        .collect();
    json(StatusCode::OK, served.data.accounts_response(accounts))
}

/// `GET /links/{id}/accounts/numbers`: the accounts that have numbers.
pub(crate) async fn get_account_numbers(
    State(state): State<Arc<AppState>>,
    path: LinkPath,
    request: Request,
) -> Response {
    link_call(
        &state,
        request.headers(),
        path,
        Operation::GetAccountNumbers,
        |served| {
            if served
                .link()
                .products
                .get(&Product::AccountNumbers)
                .is_none()
            {
                return forbidden("Account numbers access not permitted");
            }
            cached_json(served.numbers_body.clone())
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::form_decode;

    #[test]
    fn form_decoding_is_strict() {
        assert_eq!(form_decode("a+b%2B%C3%A9%3A").as_deref(), Some("a b+é:"));
        assert_eq!(form_decode("plain_id-1.x").as_deref(), Some("plain_id-1.x"));
        for undecodable in ["100%", "%4", "%zz", "%+1", "%C3", "%FF"] {
            assert_eq!(form_decode(undecodable), None, "{undecodable}");
        }
    }
}
