//! Credentials: the three ways to authenticate, the one rule that picks them from configured
//! values ([`Credentials::from_sources`]), and the headers each request carries for them.

use std::fmt;

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::build_error::BuildError;
use crate::token::TokenCache;

const X_CLIENT_ID: HeaderName = HeaderName::from_static("x-client-id");
const X_CLIENT_SECRET: HeaderName = HeaderName::from_static("x-client-secret");

/// How the client authenticates. `Debug` never shows a secret or token.
#[derive(Clone)]
pub struct Credentials(Mode);

#[derive(Clone)]
enum Mode {
    /// `POST /auth/token` with the client id and secret; the token is cached and renewed.
    ClientCredentials {
        client_id: String,
        client_secret: SecretString,
        method: TokenAuthMethod,
        scope: Option<String>,
    },
    /// A bearer token the caller obtained; never renewed.
    AccessToken(SecretString),
    /// The `X-Client-Id` / `X-Client-Secret` header pair on every request.
    ClientHeaders {
        client_id: String,
        client_secret: SecretString,
    },
}

/// How `POST /auth/token` carries the client id and secret.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenAuthMethod {
    /// As `client_id` / `client_secret` form fields (the default, as MoneyKit's own SDKs do).
    #[default]
    FormBody,
    /// As an HTTP Basic `Authorization` header.
    Basic,
}

impl Credentials {
    /// Client credentials: the client obtains an access token with `POST /auth/token`, caches it,
    /// renews it shortly before it expires, and renews it once more when a call is refused with
    /// `api_error.auth.expired_access_token`.
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Credentials(Mode::ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            method: TokenAuthMethod::FormBody,
            scope: None,
        })
    }

    /// An access token obtained elsewhere, sent as `Authorization: Bearer`. It is never renewed:
    /// when it expires, calls fail with [`UnauthorizedReason::ExpiredToken`](crate::UnauthorizedReason::ExpiredToken).
    pub fn access_token(token: impl Into<String>) -> Self {
        Credentials(Mode::AccessToken(SecretString::from(token.into())))
    }

    /// The `X-Client-Id` / `X-Client-Secret` header pair on every request, with no token.
    pub fn client_headers(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Credentials(Mode::ClientHeaders {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        })
    }

    /// The one rule that turns configured values into credentials, used by
    /// [`Client::from_env`](crate::Client::from_env) (with `MONEYKIT_ACCESS_TOKEN`,
    /// `MONEYKIT_CLIENT_ID` and `MONEYKIT_CLIENT_SECRET`) and by the `moneykit` command line.
    ///
    /// A value that is absent, empty or only whitespace counts as unset. Then:
    /// 1. an access token, if set, wins: it is used as is ([`Credentials::access_token`]) and the
    ///    client id and secret are not read. It is the more specific credential: whoever sets a
    ///    token means that token, while client credentials are often configured for everything;
    /// 2. otherwise a client id with its client secret are client credentials
    ///    ([`Credentials::client_credentials`]);
    /// 3. only one of the two is an error ([`BuildError::MissingClientSecret`] or
    ///    [`BuildError::MissingClientId`]) rather than a silent fallback;
    /// 4. nothing set is `Ok(None)`.
    ///
    /// ```
    /// use moneykit::{BuildError, Credentials};
    ///
    /// let both = Credentials::from_sources(Some("at_1"), Some("id"), Some("secret"));
    /// assert!(format!("{:?}", both.unwrap().unwrap()).starts_with("AccessToken"));
    /// let pair = Credentials::from_sources(Some(" "), Some("id"), Some("secret"));
    /// assert!(format!("{:?}", pair.unwrap().unwrap()).starts_with("ClientCredentials"));
    /// let half = Credentials::from_sources(None, Some("id"), Some(""));
    /// assert_eq!(half.unwrap_err(), BuildError::MissingClientSecret);
    /// assert!(Credentials::from_sources(None, None, None).unwrap().is_none());
    /// ```
    pub fn from_sources(
        access_token: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<&str>,
    ) -> Result<Option<Credentials>, BuildError> {
        fn set(value: Option<&str>) -> Option<&str> {
            value.filter(|value| !value.trim().is_empty())
        }
        if let Some(token) = set(access_token) {
            return Ok(Some(Credentials::access_token(token)));
        }
        match (set(client_id), set(client_secret)) {
            (Some(id), Some(secret)) => Ok(Some(Credentials::client_credentials(id, secret))),
            (Some(_), None) => Err(BuildError::MissingClientSecret),
            (None, Some(_)) => Err(BuildError::MissingClientId),
            (None, None) => Ok(None),
        }
    }

    /// For client credentials: how the token request carries them (form fields by default).
    /// No effect on the other modes.
    pub fn token_auth_method(mut self, method: TokenAuthMethod) -> Self {
        if let Mode::ClientCredentials { method: m, .. } = &mut self.0 {
            *m = method;
        }
        self
    }

    /// For client credentials: the `scope` of the token request (space-separated actions).
    /// Without it, the token gets every action the application is allowed. No effect on the other
    /// modes.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        if let Mode::ClientCredentials { scope: s, .. } = &mut self.0 {
            *s = Some(scope.into());
        }
        self
    }

    /// Refuses credentials that cannot be sent. Client credentials travel form-encoded (in the
    /// token request's body, or inside HTTP Basic, RFC 6749 §2.3.1), so any character is fine
    /// there and only a blank value is refused; a token and the `X-Client` pair are sent as
    /// header values, so they must be visible ASCII.
    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        let header_safe = crate::config::is_header_safe;
        let blank = |value: &str| value.trim().is_empty();
        match &self.0 {
            Mode::ClientCredentials {
                client_id,
                client_secret,
                ..
            } => {
                if blank(client_id) {
                    return Err(BuildError::InvalidCredentials("the client id is blank"));
                }
                if blank(client_secret.expose_secret()) {
                    return Err(BuildError::InvalidCredentials("the client secret is blank"));
                }
            }
            Mode::ClientHeaders {
                client_id,
                client_secret,
            } => {
                if !header_safe(client_id) {
                    return Err(BuildError::InvalidCredentials(
                        "the client id is blank or not a valid header value (visible ASCII)",
                    ));
                }
                if !header_safe(client_secret.expose_secret()) {
                    return Err(BuildError::InvalidCredentials(
                        "the client secret is blank or not a valid header value (visible ASCII)",
                    ));
                }
            }
            Mode::AccessToken(token) => {
                if !header_safe(token.expose_secret()) {
                    return Err(BuildError::InvalidCredentials(
                        "the access token is blank or not a valid header value (visible ASCII)",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Mode::ClientCredentials {
                client_id,
                method,
                scope,
                ..
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &"[REDACTED]")
                .field("token_auth_method", method)
                .field("scope", scope)
                .finish(),
            Mode::AccessToken(_) => f
                .debug_struct("AccessToken")
                .field("token", &"[REDACTED]")
                .finish(),
            Mode::ClientHeaders { client_id, .. } => f
                .debug_struct("ClientHeaders")
                .field("client_id", client_id)
                .field("client_secret", &"[REDACTED]")
                .finish(),
        }
    }
}

/// `Bearer <token>`, marked sensitive (hidden from `Debug` and HTTP/2 header compression).
pub(crate) fn bearer(token: &SecretString) -> Result<HeaderValue, String> {
    sensitive(&format!("Bearer {}", token.expose_secret()))
}

/// `Basic <base64(id:secret)>` for the token request, each of the two form-encoded first as
/// RFC 6749 §2.3.1 requires, so that a `:` `%` `+` or any non-ASCII character in either arrives
/// as it was given.
fn basic(client_id: &str, client_secret: &SecretString) -> Result<HeaderValue, String> {
    let encode =
        |value: &str| form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
    let pair = format!(
        "{}:{}",
        encode(client_id),
        encode(client_secret.expose_secret())
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    sensitive(&format!("Basic {encoded}"))
}

fn sensitive(value: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| "credential is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

impl Credentials {
    /// Whether these credentials get their token from `POST /auth/token` (client credentials);
    /// only then can [`Client::authenticate`](crate::Client::authenticate) request one.
    pub fn uses_token_endpoint(&self) -> bool {
        matches!(self.0, Mode::ClientCredentials { .. })
    }

    /// The token request's form body.
    pub(crate) fn token_body(&self) -> moneykit_api::types::BodyCreateAccessTokenAuthTokenPost {
        let mut body = moneykit_api::types::BodyCreateAccessTokenAuthTokenPost {
            grant_type: Some("client_credentials".to_owned()),
            ..Default::default()
        };
        if let Mode::ClientCredentials {
            client_id,
            client_secret,
            method,
            scope,
        } = &self.0
        {
            body.scope = scope.clone();
            if *method == TokenAuthMethod::FormBody {
                body.client_id = Some(client_id.clone());
                body.client_secret = Some(client_secret.expose_secret().into());
            }
        }
        body
    }

    /// Puts the credential headers on a request: the cached token from `tokens` for client
    /// credentials (or, on the token request itself, HTTP Basic when asked), else the token or
    /// the X-Client pair. Every secret header is marked sensitive.
    pub(crate) fn apply(
        &self,
        headers: &mut HeaderMap,
        token_request: bool,
        tokens: Option<&TokenCache>,
    ) -> Result<(), String> {
        match &self.0 {
            Mode::ClientCredentials {
                client_id,
                client_secret,
                method,
                ..
            } => {
                if token_request {
                    if *method == TokenAuthMethod::Basic {
                        headers.insert(AUTHORIZATION, basic(client_id, client_secret)?);
                    }
                    return Ok(());
                }
                let value = tokens
                    .and_then(TokenCache::bearer_header)
                    .ok_or_else(|| "no access token available".to_owned())?;
                headers.insert(AUTHORIZATION, value);
            }
            Mode::AccessToken(token) => {
                headers.insert(AUTHORIZATION, bearer(token)?);
            }
            Mode::ClientHeaders {
                client_id,
                client_secret,
            } => {
                headers.insert(
                    X_CLIENT_ID,
                    HeaderValue::from_str(client_id).map_err(|e| e.to_string())?,
                );
                headers.insert(X_CLIENT_SECRET, sensitive(client_secret.expose_secret())?);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        for credentials in [
            Credentials::client_credentials("client-id-1", "s3cr3t-value").scope("accounts"),
            Credentials::access_token("s3cr3t-value"),
            Credentials::client_headers("client-id-1", "s3cr3t-value"),
        ] {
            let debug = format!("{credentials:?} {credentials:#?}");
            assert!(!debug.contains("s3cr3t"), "{debug}");
            assert!(debug.contains("REDACTED"), "{debug}");
        }
    }

    #[test]
    fn empty_or_unprintable_credentials_are_refused() {
        assert!(Credentials::access_token("").validate().is_err());
        assert!(Credentials::access_token("bad\ntoken").validate().is_err());
        assert!(
            Credentials::client_headers("id", "bad\nsecret")
                .validate()
                .is_err()
        );
        assert!(
            Credentials::client_credentials(" ", "secret")
                .validate()
                .is_err()
        );
        assert!(
            Credentials::client_credentials("id", "\t")
                .validate()
                .is_err()
        );
        assert!(
            Credentials::client_headers("", "secret")
                .validate()
                .is_err()
        );
        assert!(
            Credentials::client_credentials("id", "secret")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn token_body_follows_the_method() {
        let body = Credentials::client_credentials("id", "secret").token_body();
        assert_eq!(body.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(body.client_id.as_deref(), Some("id"));
        assert_eq!(
            body.client_secret.as_ref().and_then(|s| s.reveal()),
            Some("secret")
        );
        let body = Credentials::client_credentials("id", "secret")
            .token_auth_method(TokenAuthMethod::Basic)
            .token_body();
        assert_eq!(body.client_id, None);
        assert_eq!(body.client_secret, None);
    }

    async fn headers(credentials: Credentials, token_request: bool, token: bool) -> HeaderMap {
        let (tokens, _) = crate::token::tests::cache_answering(
            std::time::Duration::from_secs(60),
            std::time::Duration::ZERO,
            vec![|| crate::token::tests::issued("tok", 3600)],
        );
        if token {
            tokens.current().await.unwrap();
        }
        let mut headers = HeaderMap::new();
        credentials
            .apply(&mut headers, token_request, Some(&tokens))
            .unwrap();
        headers
    }

    #[tokio::test]
    async fn credential_headers_are_marked_sensitive() {
        let pair = || Credentials::client_credentials("id", "secret");
        let sent = headers(pair(), false, true).await;
        assert_eq!(sent[AUTHORIZATION], "Bearer tok");
        assert!(sent[AUTHORIZATION].is_sensitive());

        let basic = pair().token_auth_method(TokenAuthMethod::Basic);
        let sent = headers(basic, true, false).await;
        assert_eq!(sent[AUTHORIZATION], "Basic aWQ6c2VjcmV0");
        assert!(sent[AUTHORIZATION].is_sensitive());

        // RFC 6749 §2.3.1: form-encoded, then base64 (`a:b%` → `a%3Ab%25`, `s p+é` → `s+p%2B%C3%A9`).
        let odd = Credentials::client_credentials("a:b%", "s p+é")
            .token_auth_method(TokenAuthMethod::Basic);
        let sent = headers(odd, true, false).await;
        let encoded = base64::engine::general_purpose::STANDARD.encode("a%3Ab%25:s+p%2B%C3%A9");
        assert_eq!(sent[AUTHORIZATION], format!("Basic {encoded}").as_str());

        assert!(
            headers(pair(), true, false)
                .await
                .get(AUTHORIZATION)
                .is_none()
        );

        let sent = headers(Credentials::access_token("tok"), false, false).await;
        assert!(sent[AUTHORIZATION].is_sensitive());

        let sent = headers(
            Credentials::client_headers("id", "s3cr3t-value"),
            false,
            false,
        )
        .await;
        assert_eq!(sent[X_CLIENT_ID], "id");
        assert_eq!(sent[X_CLIENT_SECRET], "s3cr3t-value");
        assert!(sent[X_CLIENT_SECRET].is_sensitive());
        assert!(sent.get(AUTHORIZATION).is_none());
        assert!(!format!("{sent:?}").contains("s3cr3t"));
    }

    #[test]
    fn the_credential_rule() {
        let kind = |result: Result<Option<Credentials>, BuildError>| match result {
            Ok(Some(credentials)) => format!("{credentials:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_owned(),
            Ok(None) => "none".to_owned(),
            Err(error) => format!("{error:?}"),
        };
        let from = |t, i, s| kind(Credentials::from_sources(t, i, s));
        assert_eq!(from(Some("t"), Some("i"), Some("s")), "AccessToken");
        assert_eq!(from(Some("t"), Some("i"), None), "AccessToken");
        assert_eq!(from(Some("\t "), Some("i"), Some("s")), "ClientCredentials");
        assert_eq!(from(None, Some("i"), Some("s")), "ClientCredentials");
        assert_eq!(from(None, Some("i"), Some(" ")), "MissingClientSecret");
        assert_eq!(from(Some(""), None, Some("s")), "MissingClientId");
        assert_eq!(from(Some(""), Some(""), Some("")), "none");
        assert_eq!(from(None, None, None), "none");
    }
}
