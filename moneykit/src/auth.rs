//! Credentials and the access-token cache: which headers each request carries, and the
//! single-flight renewal of client-credentials tokens.

use moneykit_api::errors::{CreateAccessTokenError, DocumentedError};
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::error::{BuildError, Error};

const X_CLIENT_ID: HeaderName = HeaderName::from_static("x-client-id");
const X_CLIENT_SECRET: HeaderName = HeaderName::from_static("x-client-secret");

/// How the client authenticates. `Debug` never shows a secret or token.
#[derive(Clone)]
pub struct Credentials(pub(crate) Mode);

#[derive(Clone)]
pub(crate) enum Mode {
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

    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        let header_safe = |value: &str| !value.is_empty() && HeaderValue::from_str(value).is_ok();
        match &self.0 {
            Mode::ClientCredentials {
                client_id,
                client_secret,
                ..
            }
            | Mode::ClientHeaders {
                client_id,
                client_secret,
            } => {
                if !header_safe(client_id) {
                    return Err(BuildError::InvalidCredentials(
                        "the client id is empty or not a valid header value",
                    ));
                }
                if !header_safe(client_secret.expose_secret()) {
                    return Err(BuildError::InvalidCredentials(
                        "the client secret is empty or not a valid header value",
                    ));
                }
            }
            Mode::AccessToken(token) => {
                if !header_safe(token.expose_secret()) {
                    return Err(BuildError::InvalidCredentials(
                        "the access token is empty or not a valid header value",
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

/// A token from `POST /auth/token`.
pub(crate) struct CachedToken {
    pub(crate) token: SecretString,
    /// When to stop using it: `expires_in` minus the renewal margin.
    pub(crate) renew_at: Instant,
    /// Incremented on every renewal, so that a call that saw token `n` expire renews only if
    /// nobody renewed since.
    pub(crate) generation: u64,
}

/// The shared authentication state of one client (and its clones).
pub(crate) struct AuthState {
    pub(crate) credentials: Credentials,
    /// Read synchronously by the request hook; written only while `renewal` is held.
    pub(crate) token: RwLock<Option<CachedToken>>,
    /// Held while a token request is in flight: the single-flight lock. It holds the error of
    /// the last token request if that failed, which the callers queued behind it receive.
    pub(crate) renewal: tokio::sync::Mutex<Option<Error>>,
    /// Token requests completed (successfully or not), so that a caller that waited for the lock
    /// knows whether one completed meanwhile.
    pub(crate) fetches: AtomicU64,
    pub(crate) renewal_margin: Duration,
}

impl AuthState {
    pub(crate) fn new(credentials: Credentials, renewal_margin: Duration) -> Self {
        AuthState {
            credentials,
            token: RwLock::new(None),
            renewal: tokio::sync::Mutex::new(None),
            fetches: AtomicU64::new(0),
            renewal_margin,
        }
    }

    pub(crate) fn uses_token_endpoint(&self) -> bool {
        matches!(self.credentials.0, Mode::ClientCredentials { .. })
    }

    /// The generation of the cached token if it is still fresh.
    pub(crate) fn fresh_generation(&self) -> Option<u64> {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|cached| Instant::now() < cached.renew_at)
            .map(|cached| cached.generation)
    }

    pub(crate) fn current_generation(&self) -> Option<u64> {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|cached| cached.generation)
    }

    /// Stores a new token valid for `expires_in` seconds and returns its generation. The margin
    /// is at most half the lifetime, so a short-lived token is still used for a while.
    pub(crate) fn store(&self, token: SecretString, expires_in: i64) -> u64 {
        let lifetime = Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
        let margin = self.renewal_margin.min(lifetime / 2);
        let mut guard = self.token.write().unwrap_or_else(|e| e.into_inner());
        let generation = guard.as_ref().map_or(1, |cached| cached.generation + 1);
        *guard = Some(CachedToken {
            token,
            renew_at: Instant::now() + (lifetime - margin),
            generation,
        });
        generation
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
        } = &self.credentials.0
        {
            body.scope = scope.clone();
            if *method == TokenAuthMethod::FormBody {
                body.client_id = Some(client_id.clone());
                body.client_secret = Some(client_secret.expose_secret().into());
            }
        }
        body
    }
}

/// Puts the credentials on each request the generated client sends (and the per-attempt timeout).
pub(crate) struct AuthHook {
    pub(crate) state: Arc<AuthState>,
    pub(crate) attempt_timeout: Option<Duration>,
}

fn sensitive(value: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| "credential is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

impl moneykit_api::RequestHook for AuthHook {
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        operation_id: &'static str,
    ) -> Result<(), String> {
        if let Some(timeout) = self.attempt_timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let headers = request.headers_mut();
        match &self.state.credentials.0 {
            Mode::ClientCredentials {
                client_id,
                client_secret,
                method,
                ..
            } => {
                if operation_id == CreateAccessTokenError::OPERATION_ID {
                    if *method == TokenAuthMethod::Basic {
                        let pair = format!("{client_id}:{}", client_secret.expose_secret());
                        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                        headers.insert(AUTHORIZATION, sensitive(&format!("Basic {encoded}"))?);
                    }
                    return Ok(());
                }
                let guard = self.state.token.read().unwrap_or_else(|e| e.into_inner());
                let cached = guard
                    .as_ref()
                    .ok_or_else(|| "no access token available".to_owned())?;
                let value = sensitive(&format!("Bearer {}", cached.token.expose_secret()))?;
                headers.insert(AUTHORIZATION, value);
            }
            Mode::AccessToken(token) => {
                headers.insert(
                    AUTHORIZATION,
                    sensitive(&format!("Bearer {}", token.expose_secret()))?,
                );
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
        assert!(
            Credentials::client_credentials("id", "bad\nsecret")
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
        let form = AuthState::new(
            Credentials::client_credentials("id", "secret"),
            Duration::from_secs(60),
        );
        let body = form.token_body();
        assert_eq!(body.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(body.client_id.as_deref(), Some("id"));
        assert_eq!(
            body.client_secret.as_ref().map(|s| s.reveal()),
            Some("secret")
        );
        let basic = AuthState::new(
            Credentials::client_credentials("id", "secret")
                .token_auth_method(TokenAuthMethod::Basic),
            Duration::from_secs(60),
        );
        let body = basic.token_body();
        assert_eq!(body.client_id, None);
        assert_eq!(body.client_secret, None);
    }

    fn hooked(
        credentials: Credentials,
        operation: &'static str,
        token: Option<&str>,
    ) -> reqwest::Request {
        use moneykit_api::RequestHook as _;
        let state = Arc::new(AuthState::new(credentials, Duration::from_secs(60)));
        if let Some(token) = token {
            state.store(SecretString::from(token), 3600);
        }
        let hook = AuthHook {
            state,
            attempt_timeout: Some(Duration::from_secs(7)),
        };
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            "https://api.moneykit.com/links/x".parse().unwrap(),
        );
        hook.before_send(&mut request, operation).unwrap();
        assert_eq!(request.timeout(), Some(&Duration::from_secs(7)));
        request
    }

    #[test]
    fn credential_headers_are_marked_sensitive() {
        let request = hooked(
            Credentials::client_credentials("id", "secret"),
            "get_link",
            Some("tok"),
        );
        let auth = &request.headers()[AUTHORIZATION];
        assert_eq!(auth, "Bearer tok");
        assert!(auth.is_sensitive());

        let request = hooked(
            Credentials::client_credentials("id", "secret")
                .token_auth_method(TokenAuthMethod::Basic),
            "create_access_token",
            None,
        );
        let auth = &request.headers()[AUTHORIZATION];
        assert_eq!(auth, "Basic aWQ6c2VjcmV0");
        assert!(auth.is_sensitive());

        let request = hooked(
            Credentials::client_credentials("id", "secret"),
            "create_access_token",
            None,
        );
        assert!(request.headers().get(AUTHORIZATION).is_none());

        let request = hooked(Credentials::access_token("tok"), "get_link", None);
        assert!(request.headers()[AUTHORIZATION].is_sensitive());

        let request = hooked(
            Credentials::client_headers("id", "s3cr3t-value"),
            "get_link",
            None,
        );
        assert_eq!(request.headers()[X_CLIENT_ID], "id");
        assert_eq!(request.headers()[X_CLIENT_SECRET], "s3cr3t-value");
        assert!(request.headers()[X_CLIENT_SECRET].is_sensitive());
        assert!(request.headers().get(AUTHORIZATION).is_none());
        assert!(!format!("{:?}", request.headers()).contains("s3cr3t"));
    }

    #[tokio::test]
    async fn renewal_margin_is_at_most_half_the_lifetime() {
        let state = AuthState::new(
            Credentials::client_credentials("id", "secret"),
            Duration::from_secs(60),
        );
        assert_eq!(state.store(SecretString::from("a"), 3600), 1);
        assert_eq!(state.fresh_generation(), Some(1));
        assert_eq!(state.store(SecretString::from("b"), 0), 2);
        assert_eq!(state.fresh_generation(), None);
        assert_eq!(state.current_generation(), Some(2));
    }
}
