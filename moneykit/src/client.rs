//! The [`Client`] and [`Link`]: the entry points that start a [`Request`] of each operation.
//! What a request sends is `request.rs`'s business; how (token, retries, deadline, tracing),
//! `call.rs`'s.

use std::fmt;
use std::sync::Arc;

use reqwest::Url;

use crate::build_error::BuildError;
use crate::call::CallRunner;
use crate::config::ClientBuilder;
use crate::request::{CreateAccessToken, Request};

/// A MoneyKit API client. Cheap to clone: clones share the connection pool and the token cache.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]; then start from
/// [`link`](Client::link). `Debug` shows the configuration, never a secret or token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    runner: CallRunner,
    base_url: Url,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url.as_str())
            .field("api_version", &inner.runner.version().as_str())
            .field("runner", &inner.runner)
            .finish()
    }
}

impl Client {
    pub(crate) fn runner(&self) -> &CallRunner {
        &self.inner.runner
    }

    pub(crate) fn new(runner: CallRunner, base_url: Url) -> Self {
        Client {
            inner: Arc::new(Inner { runner, base_url }),
        }
    }

    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`] to change more
    /// settings):
    /// - credentials from `MONEYKIT_ACCESS_TOKEN`, `MONEYKIT_CLIENT_ID` and
    ///   `MONEYKIT_CLIENT_SECRET` by the rule of [`Credentials::from_sources`](crate::Credentials::from_sources):
    ///   blank means unset, an access token wins over client credentials, a client id without
    ///   its secret (or the reverse) is [`BuildError::MissingClientSecret`]
    ///   ([`BuildError::MissingClientId`]), and nothing set is [`BuildError::MissingCredentials`];
    /// - `MONEYKIT_BASE_URL` and `MONEYKIT_VERSION`, when set and not blank, replace the defaults.
    pub fn from_env() -> Result<Client, BuildError> {
        ClientBuilder::from_env().build()
    }

    /// Requests a new access token now (`POST /auth/token`); awaited, the response: the token
    /// (a [`Sensitive`](crate::Sensitive), masked in `Debug`/`Display`), its `token_type` and its
    /// `expires_in`.
    ///
    /// The token is cached like any token the client fetches, so the calls that follow use it
    /// instead of requesting another. A token is requested even when a fresh one is cached; use
    /// this to check the credentials up front or to learn the token's lifetime. Unlike automatic
    /// renewal, which runs under the client's settings, this request follows this call's own
    /// options (timeouts, retry policy), like any other operation.
    ///
    /// Only client credentials use the token endpoint: with an access token or the X-Client
    /// header pair this fails with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// and nothing is sent. Extra [`header`](Request::header)s of this request are sent with
    /// it.
    pub fn authenticate(&self) -> Request<CreateAccessToken> {
        let body = self.runner().token_body();
        Request::new(self.clone(), CreateAccessToken { body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use std::future::IntoFuture;

    #[test]
    fn client_is_send_sync_and_futures_are_send() {
        fn send_sync<T: Send + Sync + 'static>() {}
        fn send<T: Send>(_: &T) {}
        send_sync::<Client>();
        send_sync::<Error>();
        let client = Client::builder().access_token("t").build().unwrap();
        let link = client.link("mk_1");
        send(&link.get().send());
        send(&link.account_numbers().send_with_response());
        send(&link.accounts().account_ids(["a"]).send());
        send(&client.authenticate().into_future());
    }
}
