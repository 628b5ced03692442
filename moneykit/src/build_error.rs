//! [`BuildError`]: a client configuration refused by [`ClientBuilder::build`](crate::ClientBuilder::build),
//! before any request.

use std::fmt;

/// Error when building a [`crate::Client`]: the configuration was refused before any request.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// No credentials were given (nor found in the environment).
    MissingCredentials,
    /// A credential is blank, not ASCII, or not usable as an HTTP header value.
    InvalidCredentials(&'static str),
    /// A client id was given without its client secret (and no access token): see
    /// [`Credentials::from_sources`](crate::Credentials::from_sources).
    MissingClientSecret,
    /// A client secret was given without its client id (and no access token): see
    /// [`Credentials::from_sources`](crate::Credentials::from_sources).
    MissingClientId,
    /// The base URL did not parse, or is not an `http(s)` URL with a host and without a query.
    InvalidBaseUrl(String),
    /// The base URL is plain `http://` to a host that is not loopback, and
    /// [`allow_insecure_http`](crate::ClientBuilder::allow_insecure_http) was not set.
    InsecureBaseUrl(String),
    /// The API version is neither one this crate knows nor a date (`YYYY-MM-DD`) of a later one.
    InvalidApiVersion,
    /// A timeout or retry setting is out of range.
    InvalidSetting(&'static str),
    /// The HTTP client could not be built (for example no TLS backend).
    HttpClient(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingCredentials => f.write_str(
                "no MoneyKit credentials: give client credentials, an access token or the \
                 X-Client header pair (or set MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET, \
                 or MONEYKIT_ACCESS_TOKEN)",
            ),
            BuildError::InvalidCredentials(what) => {
                write!(f, "invalid MoneyKit credentials: {what}")
            }
            BuildError::MissingClientSecret => {
                f.write_str("a MoneyKit client id was given without its client secret")
            }
            BuildError::MissingClientId => {
                f.write_str("a MoneyKit client secret was given without its client id")
            }
            BuildError::InvalidBaseUrl(why) => write!(f, "invalid MoneyKit base URL: {why}"),
            BuildError::InsecureBaseUrl(host) => write!(
                f,
                "refusing plain http:// to non-loopback host `{host}`: use https:// or \
                 allow_insecure_http(true)"
            ),
            BuildError::InvalidApiVersion => f.write_str(
                "invalid moneykit-version: must be a known version or a date (YYYY-MM-DD)",
            ),
            BuildError::InvalidSetting(what) => {
                write!(f, "invalid MoneyKit client setting: {what}")
            }
            BuildError::HttpClient(why) => write!(f, "could not build the HTTP client: {why}"),
        }
    }
}

impl std::error::Error for BuildError {}
