//! What the sandbox does for each operation, once the generated server side
//! (`generated.rs`, through `handling.rs`) has routed the request and checked its credentials,
//! `moneykit-version`, parameters and body: [`Behaviour`], one method per operation of
//! `openapi.yaml`. The link operations check the link (scenario, rate limit, state, products)
//! and answer from it. Every answer is a generated type serialized as JSON; a link's unfiltered
//! bodies were serialized when it was stored.
// A failed check returns the reply itself; it is built once per request, so its size is moot.
#![allow(clippy::result_large_err)]

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::RangeInclusive;
use std::sync::Arc;

use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use moneykit_api::Secret;
use moneykit_api::types::{
    BodyCreateAccessTokenAuthTokenPost, Country, CreateAccessTokenResponse,
    CreateLinkSessionRequest, CreateLinkSessionResponse, ExchangeTokenRequest,
    ExchangeTokenResponse, Product, Provider, PublicLinkState,
};

use crate::Operation;
use crate::generated::Behaviour;
use crate::handling::{Admitted, Answer};
use crate::replies::{
    bad_state, cached_json, deleted, forbidden, forbidden_config, invalid_grant,
    invalid_token_exchange, json, not_found, unauthorized, validation_failed,
};
use crate::seed::scenario;
use crate::state::{AppState, credentials};
use crate::store::ServedLink;

impl Behaviour for AppState {
    /// `POST /auth/token`: client credentials in the form body or as HTTP Basic; 201 with a new
    /// token, 400 for a wrong `grant_type`, 401 for wrong credentials. (The 422s of an
    /// unsupported `moneykit-version` or a malformed body came first, as the API (FastAPI)
    /// validates the request before it looks at the credentials.)
    fn create_access_token(
        &self,
        request: &Admitted,
        form: BodyCreateAccessTokenAuthTokenPost,
    ) -> Answer {
        if form.grant_type.as_deref() != Some("client_credentials") {
            return Err(invalid_grant());
        }
        // A masked secret (`••••`) reveals nothing, so it is as good as none.
        let secret = form.client_secret.as_ref().and_then(Secret::reveal);
        let basic = basic_credentials(request.headers())?;
        let (client_id, client_secret) = match (basic, form.client_id, secret) {
            (Some(pair), _, _) => pair,
            (None, Some(id), Some(secret)) => (id, secret.to_owned()),
            _ => return Err(unauthorized("Missing client credentials")),
        };
        if !self.config.accepts(&client_id, &client_secret) {
            return Err(unauthorized("Invalid client credentials"));
        }
        let body = CreateAccessTokenResponse {
            access_token: self.issue_token().into(),
            // At most i64::MAX by construction; the fallback only keeps this free of a panic.
            expires_in: i64::try_from(self.config.token_lifetime_secs()).unwrap_or(i64::MAX),
            token_type: "bearer".to_owned(),
        };
        Ok(json(StatusCode::CREATED, body))
    }

    /// `POST /link-session`: a new session, 201 with its token, once the request passes what
    /// MoneyKit validates ([`session_request_refusal`]). The sandbox's application may not use
    /// Money ID: `connect_features.enable_money_id` answers 403 `forbidden_config` (MoneyKit
    /// documents the status, not which settings give it). Rate limited per end user.
    fn create_link_session(&self, _: &Admitted, body: CreateLinkSessionRequest) -> Answer {
        if let Some(refusal) = session_request_refusal(&body) {
            return Err(refusal);
        }
        let user = body.customer_user.id.reveal().unwrap_or_default();
        if body
            .connect_features
            .as_ref()
            .is_some_and(|features| features.enable_money_id)
        {
            return Err(forbidden_config(
                "Forbidden use of a MoneyLink feature: this application may not use Money ID.",
            ));
        }
        // Keyed by a digest: the sandbox keeps no end user's id.
        let mut digest = DefaultHasher::new();
        user.hash(&mut digest);
        let key = format!("user:{:016x}", digest.finish());
        self.count(&key, Operation::CreateLinkSession)?;
        let token = self.sessions.open(body);
        let body = CreateLinkSessionResponse {
            link_session_token: token.into(),
        };
        Ok(json(StatusCode::CREATED, body))
    }

    /// `POST /link-session/exchange-token`: the link a completed session made, once, now
    /// `connected` and served; 400 `invalid_token_exchange` for a token unknown or used.
    fn exchange_token(&self, _: &Admitted, body: ExchangeTokenRequest) -> Answer {
        let token = body.exchangeable_token.reveal().unwrap_or_default();
        let mut link = self
            .sessions
            .exchange(token)
            .ok_or_else(invalid_token_exchange)?;
        link.link.state = PublicLinkState::Connected;
        let common = link.link.clone();
        self.links.add(link).map_err(|_| invalid_token_exchange())?;
        if let Some(oldest) = self.sessions.served(common.link_id.clone()) {
            // Already gone if the test kit removed it: either way it is no longer served.
            let _ = self.links.remove(&oldest);
        }
        let body = ExchangeTokenResponse {
            link_id: common.link_id.clone(),
            link: common,
        };
        Ok(json(StatusCode::CREATED, body))
    }

    /// `GET /links/{id}`: the link in any state.
    fn get_link(&self, _: &Admitted, id: String) -> Answer {
        let served = self.served_link(&id, Operation::GetLink)?;
        Ok(cached_json(served.link_body.clone()))
    }

    /// `GET /links/{id}/accounts`, optionally filtered by `account_ids` (unknown ids match
    /// nothing, as a filter does).
    fn get_accounts(&self, _: &Admitted, id: String, account_ids: Option<Vec<String>>) -> Answer {
        let served = self.connected_link(&id, Operation::GetAccounts)?;
        if served.link().products.get(&Product::Accounts).is_none() {
            return Err(forbidden("Accounts access not permitted"));
        }
        let Some(wanted) = account_ids else {
            return Ok(cached_json(served.accounts_body.clone()));
        };
        let accounts = served
            .data
            .accounts
            .iter()
            .map(|(account, _)| account)
            .filter(|account| wanted.contains(&account.account_id))
            .cloned()
            .collect();
        Ok(json(
            StatusCode::OK,
            served.data.accounts_response(accounts),
        ))
    }

    /// `GET /links/{id}/accounts/numbers`: the accounts that have numbers.
    fn get_account_numbers(&self, _: &Admitted, id: String) -> Answer {
        let served = self.connected_link(&id, Operation::GetAccountNumbers)?;
        if served
            .link()
            .products
            .get(&Product::AccountNumbers)
            .is_none()
        {
            return Err(forbidden("Account numbers access not permitted"));
        }
        Ok(cached_json(served.numbers_body.clone()))
    }
}

impl AppState {
    /// The link `id` in any state, after its scenario and the rate limit.
    fn served_link(&self, id: &str, operation: Operation) -> Result<Arc<ServedLink>, Response> {
        if let Some(error) = scenario(id) {
            return Err(error.reply(None));
        }
        let served = self.links.get(id).ok_or_else(not_found)?;
        self.count(id, operation)?;
        Ok(served)
    }

    /// The link `id`, which must be connected to have data.
    fn connected_link(&self, id: &str, operation: Operation) -> Result<Arc<ServedLink>, Response> {
        let served = self.served_link(id, operation)?;
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
}

/// The 422 of what MoneyKit validates in a link session request and its generated type does
/// not hold: the lengths of its secrets (a `Secret` keeps none) and the values of its open enums
/// (which take any value, to read responses MoneyKit extends).
fn session_request_refusal(body: &CreateLinkSessionRequest) -> Option<Response> {
    let user = &body.customer_user;
    let lengths: [(&[&str], Option<&Secret>, RangeInclusive<usize>); 3] = [
        (&["body", "customer_user", "id"], Some(&user.id), 4..=150),
        (
            &["body", "customer_user", "email", "address"],
            user.email.as_ref().map(|email| &email.address),
            4..=254,
        ),
        (
            &["body", "customer_user", "phone", "number"],
            user.phone.as_ref().map(|phone| &phone.number),
            4..=30,
        ),
    ];
    for (location, value, range) in lengths {
        let length = value.map(|value| value.reveal().unwrap_or_default().chars().count());
        if length.is_some_and(|length| !range.contains(&length)) {
            let message = format!(
                "ensure this value has {} to {} characters",
                range.start(),
                range.end()
            );
            return Some(validation_failed(
                location,
                &message,
                "value_error.any_str.length",
            ));
        }
    }
    let settings = body.settings.as_ref();
    let phone_country = user.phone.as_ref().and_then(|phone| phone.country.as_ref());
    let countries = settings.and_then(|s| s.countries.as_ref());
    let providers = settings.and_then(|s| s.providers.as_ref());
    let unknown_country = |country: &&Country| !Country::KNOWN.contains(&country.as_str());
    let unknown_provider = |provider: &&Provider| !Provider::KNOWN.contains(&provider.as_str());
    let unknown: [(&[&str], Option<&str>); 3] = [
        (
            &["body", "customer_user", "phone", "country"],
            phone_country.filter(unknown_country).map(Country::as_str),
        ),
        (
            &["body", "settings", "countries"],
            (countries.into_iter().flatten())
                .find(unknown_country)
                .map(Country::as_str),
        ),
        (
            &["body", "settings", "providers"],
            (providers.into_iter().flatten())
                .find(unknown_provider)
                .map(Provider::as_str),
        ),
    ];
    let (location, value) = unknown
        .into_iter()
        .find_map(|(location, value)| Some((location, value?)))?;
    Some(validation_failed(
        location,
        &format!("value is not a valid enumeration member: `{value}`"),
        "type_error.enum",
    ))
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
