//! Building a [`Client`]: [`ClientBuilder`], its defaults, the environment variables of
//! [`Client::from_env`], and the checks on the base URL.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use moneykit_api::types::SupportedVersion;
use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::auth::{Credentials, TokenAuthMethod};
use crate::build_error::BuildError;
use crate::call::{CallRunner, ClientSettings};
use crate::client::Client;
use crate::observe::AttemptObserver;
use crate::retry::RetryPolicy;

/// `https://api.moneykit.com`: sandbox and live share it; the credentials pick the environment.
pub const DEFAULT_BASE_URL: &str = "https://api.moneykit.com";
/// The `User-Agent` of the HTTP client this crate builds.
pub const USER_AGENT: &str = concat!("moneykit-rs/", env!("CARGO_PKG_VERSION"));

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default deadline of a whole call (token renewal, attempts and waits): 60 s.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_RENEWAL_MARGIN: Duration = Duration::from_secs(60);

/// The default cap on a response body: 10 MiB (10,485,760 bytes).
///
/// The largest realistic response is a link's account numbers. Serialized by this crate's own
/// types, a `GetAccountNumbersResponseLegacy20230218` with 10,000 accounts, each with every
/// field and an ACH number (the fixture `current_2025_every_account_field.json`, repeated), is
/// 4,810,553 bytes (4.6 MiB) compact and 7,400,739 bytes (7.1 MiB) pretty-printed with
/// two-space indentation; the cap is a few MiB above both (`tests/limits.rs` measures it). A body that size is held twice at
/// most while it decodes, so a capped call stays within tens of MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// Configures and builds a [`Client`]. Start with [`Client::builder`] or
/// [`ClientBuilder::from_env`].
///
/// | setting | default |
/// |---|---|
/// | base URL | `https://api.moneykit.com` (plain `http://` only to loopback, unless allowed) |
/// | `moneykit-version` | the spec's default, [`SupportedVersion::default`] |
/// | connect timeout | 10 s |
/// | timeout of one attempt | 30 s |
/// | deadline of a whole call (retries, token renewal and waits included) | [`DEFAULT_CALL_TIMEOUT`], 60 s |
/// | retries | [`RetryPolicy::default`]: 3 attempts in total |
/// | token renewal | 60 s before `expires_in` runs out (at most half the token's lifetime) |
/// | largest response body | [`DEFAULT_MAX_RESPONSE_BYTES`], 10 MiB |
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    /// Why the environment's credentials were refused, reported by `build`.
    env_error: Option<BuildError>,
    base_url: String,
    allow_insecure_http: bool,
    api_version: SupportedVersion,
    connect_timeout: Duration,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    retry: RetryPolicy,
    renewal_margin: Duration,
    max_response_bytes: u64,
    http_client: Option<reqwest::Client>,
    observer: Option<Arc<dyn AttemptObserver>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            env_error: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            allow_insecure_http: false,
            api_version: SupportedVersion::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
            call_timeout: Some(DEFAULT_CALL_TIMEOUT),
            retry: RetryPolicy::default(),
            renewal_margin: DEFAULT_RENEWAL_MARGIN,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http_client: None,
            observer: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("env_error", &self.env_error)
            .field("base_url", &shown_base_url(&self.base_url))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("api_version", &self.api_version.as_str())
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry", &self.retry)
            .field("renewal_margin", &self.renewal_margin)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("attempt_observer", &self.observer.as_ref().map(|_| ".."))
            .field("http_client", &self.http_client.as_ref().map(|_| ".."))
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with the defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder configured from the environment, as [`Client::from_env`] describes:
    /// credentials from `MONEYKIT_ACCESS_TOKEN`, `MONEYKIT_CLIENT_ID` and
    /// `MONEYKIT_CLIENT_SECRET` by the rule of [`Credentials::from_sources`] (an access token
    /// wins), and `MONEYKIT_BASE_URL` and `MONEYKIT_VERSION` when set and not blank.
    ///
    /// Nothing fails here: missing or half-given credentials are reported by
    /// [`build`](Self::build) (unless credentials are set on the builder afterwards).
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let mut builder = Self::default();
        let (token, id, secret) = (
            var("MONEYKIT_ACCESS_TOKEN"),
            var("MONEYKIT_CLIENT_ID"),
            var("MONEYKIT_CLIENT_SECRET"),
        );
        match Credentials::from_sources(token.as_deref(), id.as_deref(), secret.as_deref()) {
            Ok(credentials) => builder.credentials = credentials,
            Err(error) => builder.env_error = Some(error),
        }
        if let Some(url) = var("MONEYKIT_BASE_URL") {
            builder.base_url = url;
        }
        if let Some(version) = var("MONEYKIT_VERSION") {
            builder.api_version = SupportedVersion::from(version);
        }
        builder
    }

    /// Authenticate with any [`Credentials`].
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self.env_error = None;
        self
    }

    /// Authenticate with client credentials (see [`Credentials::client_credentials`]).
    pub fn client_credentials(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credentials(Credentials::client_credentials(client_id, client_secret))
    }

    /// Authenticate with a fixed access token (see [`Credentials::access_token`]).
    pub fn access_token(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::access_token(token))
    }

    /// Authenticate with the `X-Client-Id` / `X-Client-Secret` pair (see
    /// [`Credentials::client_headers`]).
    pub fn client_headers(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credentials(Credentials::client_headers(client_id, client_secret))
    }

    /// For client credentials: send them to `POST /auth/token` as form fields (default) or as HTTP
    /// Basic.
    pub fn token_auth_method(mut self, method: TokenAuthMethod) -> Self {
        self.credentials = self.credentials.map(|c| c.token_auth_method(method));
        self
    }

    /// The API's base URL, with scheme and host and optionally a path prefix.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Allow a plain `http://` base URL to a host that is not loopback. Credentials then cross the
    /// network unencrypted: only for test setups.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The `moneykit-version` header of every request (default: the spec's,
    /// [`SupportedVersion::default`]).
    ///
    /// A version this crate knows is a variant of [`SupportedVersion`]. A newer one (MoneyKit
    /// dates its versions) can still be sent on purpose, as a string or
    /// `SupportedVersion::Other`: it must be a real date, `YYYY-MM-DD`, or
    /// [`build`](Self::build) fails with [`BuildError::InvalidApiVersion`], so that a typo such
    /// as `2023-02-81` is caught here rather than by a 422 on every call.
    pub fn api_version(mut self, version: impl Into<SupportedVersion>) -> Self {
        self.api_version = version.into();
        self
    }

    /// How long establishing a connection may take (default 10 s). Only for the HTTP client this
    /// crate builds; a client given with [`http_client`](Self::http_client) keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt (one HTTP request and its response) may take (default 30 s). Applies
    /// to every request, also with a client given with [`http_client`](Self::http_client).
    ///
    /// `None` sets no limit: only the call's deadline, if any, bounds an attempt. With a paused
    /// tokio clock (`tokio::time::pause`), a timer that is pending while a response is awaited
    /// from another thread fires early (the clock jumps to it when the runtime is idle), so tests
    /// that pause time against a real server turn both timeouts off.
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = timeout.into();
        self
    }

    /// How long a whole call may take: token renewal, every attempt and the waits between them
    /// (default 60 s). When it passes, the call fails with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout).
    /// `None` sets no deadline (see [`attempt_timeout`](Self::attempt_timeout) for why tests may want that).
    ///
    /// The token renewal of client credentials, shared by every call, runs under these client
    /// settings (never a call's own): with neither this deadline nor an attempt timeout, a token
    /// endpoint that never answers holds the renewal, and every call that needs a new token
    /// waits for it until its own deadline, if it has one.
    pub fn call_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.call_timeout = timeout.into();
        self
    }

    /// How failed requests are repeated (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long before `expires_in` runs out a client-credentials token is renewed (default 60 s;
    /// never more than half the token's lifetime). In that window a call waits for the renewal
    /// at most one attempt's [`attempt_timeout`](Self::attempt_timeout), and uses the token it has when the
    /// renewal fails or takes longer; once one failed, calls use the token without waiting and
    /// renew in the background, at most every 5 s (or the token endpoint's `Retry-After`).
    pub fn token_renewal_margin(mut self, margin: Duration) -> Self {
        self.renewal_margin = margin;
        self
    }

    /// The largest response body accepted, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`],
    /// 10 MiB). It holds for success and error bodies and for `POST /auth/token`, and is
    /// enforced while the body streams in: a body that declares a larger `Content-Length` is
    /// not read at all, and a chunked one fails as soon as it passes the cap. The call then
    /// fails at once with [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge),
    /// without a retry. Must be positive.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Send requests through this `reqwest::Client` (proxies, TLS roots, connection pool). Its own
    /// user agent and connect timeout are kept. Start from [`tls::client_builder`](crate::tls::client_builder),
    /// which turns redirects off: the client must not follow them, because reqwest strips only
    /// `Authorization` and cookies when it does, and would send `X-Client-Secret` or the token
    /// request's `client_secret` wherever a `Location` points. A response reached through a
    /// redirect the client followed anyway is refused
    /// ([`ErrorKind::UnexpectedStatus`](crate::ErrorKind::UnexpectedStatus)), but by then the
    /// request has been sent there.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sees every attempt of every call (token requests included) and may add headers to each
    /// request, such as `traceparent` or client-wide defaults; never the credentials. See
    /// [`AttemptObserver`]. None by default.
    pub fn attempt_observer(mut self, observer: impl AttemptObserver) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Checks the configuration and builds the client. No request is sent.
    pub fn build(self) -> Result<Client, BuildError> {
        if let Some(error) = self.env_error {
            return Err(error);
        }
        let credentials = self.credentials.ok_or(BuildError::MissingCredentials)?;
        credentials.validate()?;
        let base_url = validate_base_url(&self.base_url, self.allow_insecure_http)?;
        let version_header = HeaderValue::from_str(self.api_version.as_str())
            .ok()
            .filter(|_| is_valid_version(&self.api_version))
            .ok_or(BuildError::InvalidApiVersion)?;
        for (timeout, what) in [
            (
                Some(self.connect_timeout),
                "the connect timeout must be positive",
            ),
            (self.attempt_timeout, "the attempt timeout must be positive"),
            (self.call_timeout, "the call timeout must be positive"),
        ] {
            if timeout.is_some_and(|timeout| timeout.is_zero()) {
                return Err(BuildError::InvalidSetting(what));
            }
        }
        if let Some(why) = self.retry.refusal() {
            return Err(BuildError::InvalidSetting(why));
        }
        if self.max_response_bytes == 0 {
            return Err(BuildError::InvalidSetting(
                "the maximum response size must be positive",
            ));
        }
        let http = match self.http_client {
            Some(client) => client,
            None => moneykit_api::tls::client_builder()
                .user_agent(USER_AGENT)
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| BuildError::HttpClient(e.to_string()))?,
        };
        let settings = ClientSettings {
            credentials,
            retry: self.retry,
            attempt_timeout: self.attempt_timeout,
            call_timeout: self.call_timeout,
            renewal_margin: self.renewal_margin,
            max_response_bytes: self.max_response_bytes,
            version: self.api_version,
            version_header,
            observer: self.observer,
        };
        let runner = CallRunner::new(&base_url, http, settings);
        Ok(Client::new(runner, base_url))
    }
}

/// Whether `value` can be sent as a credential header as given: not blank, ASCII
/// (a non-ASCII byte is opaque `obs-text` to HTTP, and most likely a pasting mistake), and
/// without control characters (which would end or split the header).
pub(crate) fn is_header_safe(value: &str) -> bool {
    !value.trim().is_empty() && value.is_ascii() && HeaderValue::from_str(value).is_ok()
}

/// A known version, or a later one named by its date (`YYYY-MM-DD`, a real calendar day).
fn is_valid_version(version: &SupportedVersion) -> bool {
    match version {
        SupportedVersion::Other(date) => {
            // chrono's parser skips spaces and takes a sign: the shape is checked first.
            let shaped = date.len() == 10
                && date.bytes().enumerate().all(|(i, byte)| match i {
                    4 | 7 => byte == b'-',
                    _ => byte.is_ascii_digit(),
                });
            shaped && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
        }
        _ => true,
    }
}

/// The base URL as `Debug` may show it: `build` refuses credentials in it, but until then they
/// must not print.
fn shown_base_url(text: &str) -> String {
    match Url::parse(text.trim()) {
        Ok(url) if url.username().is_empty() && url.password().is_none() => text.to_owned(),
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

fn validate_base_url(text: &str, allow_insecure_http: bool) -> Result<Url, BuildError> {
    // URL parsing silently drops tabs and newlines anywhere in the text: refuse them instead.
    if text.trim().chars().any(char::is_control) {
        return Err(BuildError::InvalidBaseUrl(
            "control characters are not allowed".into(),
        ));
    }
    let url = Url::parse(text.trim()).map_err(|e| BuildError::InvalidBaseUrl(e.to_string()))?;
    let host = url
        .host_str()
        .ok_or_else(|| BuildError::InvalidBaseUrl("no host".into()))?
        .to_owned();
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BuildError::InvalidBaseUrl(
            "a query or fragment is not allowed".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BuildError::InvalidBaseUrl(
            "credentials in the URL are not allowed".into(),
        ));
    }
    match url.scheme() {
        "https" if moneykit_api::tls::HTTPS => Ok(url),
        "https" => Err(BuildError::HttpClient(moneykit_api::tls::NO_BACKEND.into())),
        "http" if allow_insecure_http || is_loopback(&host) => Ok(url),
        "http" => Err(BuildError::InsecureBaseUrl(host)),
        other => Err(BuildError::InvalidBaseUrl(format!(
            "scheme `{other}` is not http(s)"
        ))),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_credentials_in_the_base_url() {
        let builder = ClientBuilder::new().base_url("https://user:pw-s3cret@api.example.com/v1");
        let shown = format!("{builder:?}");
        assert!(
            !shown.contains("pw-s3cret") && !shown.contains("user"),
            "{shown}"
        );
        assert!(shown.contains("https://api.example.com/v1"), "{shown}");
        let shown = format!("{:?}", ClientBuilder::new().base_url("not a url pw-s3cret"));
        assert!(!shown.contains("pw-s3cret"), "{shown}");
    }

    #[test]
    fn base_urls() {
        assert!(validate_base_url("https://api.moneykit.com", false).is_ok());
        assert!(validate_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(validate_base_url("http://127.1.2.3", false).is_ok());
        assert!(validate_base_url("http://[::1]:9000/prefix", false).is_ok());
        assert!(validate_base_url("http://localhost:3000", false).is_ok());
        assert_eq!(
            validate_base_url("http://api.moneykit.com", false).unwrap_err(),
            BuildError::InsecureBaseUrl("api.moneykit.com".into())
        );
        assert!(matches!(
            validate_base_url("http://localhost.evil.com", false),
            Err(BuildError::InsecureBaseUrl(_))
        ));
        assert!(matches!(
            validate_base_url("http://10.0.0.1", false),
            Err(BuildError::InsecureBaseUrl(_))
        ));
        assert!(validate_base_url("http://sandbox.internal", true).is_ok());
        assert!(matches!(
            validate_base_url("ftp://x.com", false),
            Err(BuildError::InvalidBaseUrl(_))
        ));
        assert!(matches!(
            validate_base_url("not a url", false),
            Err(BuildError::InvalidBaseUrl(_))
        ));
        assert!(matches!(
            validate_base_url("https://api.moneykit.com/?x=1", false),
            Err(BuildError::InvalidBaseUrl(_))
        ));
        assert!(matches!(
            validate_base_url("https://user:pw@api.moneykit.com", false),
            Err(BuildError::InvalidBaseUrl(_))
        ));
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn env_follows_the_credential_rule_and_reads_overrides() {
        let builder = ClientBuilder::from_lookup(env(&[
            ("MONEYKIT_CLIENT_ID", "id-1"),
            ("MONEYKIT_CLIENT_SECRET", "secret-1"),
            ("MONEYKIT_ACCESS_TOKEN", "token-1"),
            ("MONEYKIT_BASE_URL", "http://127.0.0.1:1"),
            ("MONEYKIT_VERSION", "2099-01-01"),
        ]));
        let debug = format!("{builder:?}");
        assert!(debug.contains("AccessToken"), "{debug}");
        assert!(
            !debug.contains("secret-1") && !debug.contains("token-1"),
            "{debug}"
        );
        assert_eq!(builder.base_url, "http://127.0.0.1:1");
        assert_eq!(builder.api_version.as_str(), "2099-01-01");
        assert!(builder.build().is_ok());

        let builder = ClientBuilder::from_lookup(env(&[
            ("MONEYKIT_ACCESS_TOKEN", " "),
            ("MONEYKIT_CLIENT_ID", "id-1"),
            ("MONEYKIT_CLIENT_SECRET", "secret-1"),
        ]));
        assert!(format!("{builder:?}").contains("ClientCredentials"));
        assert_eq!(builder.base_url, DEFAULT_BASE_URL);
        assert_eq!(builder.api_version, SupportedVersion::default());

        let builder = ClientBuilder::from_lookup(env(&[("MONEYKIT_ACCESS_TOKEN", "  ")]));
        assert_eq!(builder.build().unwrap_err(), BuildError::MissingCredentials);
    }

    #[test]
    fn half_a_pair_in_the_env_fails_the_build_unless_credentials_are_given() {
        let half = || ClientBuilder::from_lookup(env(&[("MONEYKIT_CLIENT_ID", "id-1")]));
        assert_eq!(half().build().unwrap_err(), BuildError::MissingClientSecret);
        assert!(half().access_token("t").build().is_ok());
    }

    #[test]
    fn settings_are_checked() {
        let ok = || ClientBuilder::new().access_token("t");
        assert!(ok().build().is_ok());
        assert_eq!(
            ok().api_version("").build().unwrap_err(),
            BuildError::InvalidApiVersion
        );
        assert_eq!(
            ok().api_version("a\nb").build().unwrap_err(),
            BuildError::InvalidApiVersion
        );
        for typo in [
            "2023-02-81",
            "2023-2-18",
            "+2023-02-18",
            "2023-02-18 ",
            "2023-02- 8",
            " 2023-2-18",
            "+002-02-18",
            "2023-02-\n8",
        ] {
            assert_eq!(
                ok().api_version(typo).build().unwrap_err(),
                BuildError::InvalidApiVersion,
                "{typo}"
            );
        }
        // A later version, named by its date, is sent on purpose.
        assert!(ok().api_version("2099-01-01").build().is_ok());
        assert!(
            ok().api_version(SupportedVersion::default())
                .build()
                .is_ok()
        );
        assert!(matches!(
            ok().call_timeout(Duration::ZERO).build(),
            Err(BuildError::InvalidSetting(_))
        ));
        assert!(
            ok().attempt_timeout(None)
                .call_timeout(None)
                .build()
                .is_ok()
        );
        assert_eq!(
            ok().retry_policy(RetryPolicy::new().max_attempts(0))
                .build()
                .unwrap_err(),
            BuildError::InvalidSetting("a retry policy needs at least one attempt")
        );
    }
}
