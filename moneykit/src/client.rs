//! The [`Client`] and its request builders ([`Link`], [`AccountsRequest`]): what each operation
//! sends. How it is sent (token, retries, deadline, tracing) is `call.rs`'s business.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use moneykit_api::errors::{
    DocumentedError, GetAccountNumbersError, GetAccountsError, GetLinkError,
};
use moneykit_api::types;
use reqwest::Url;

use crate::call::Caller;
use crate::config::ClientBuilder;
use crate::error::{BuildError, Error};

/// A MoneyKit API client. Cheap to clone: clones share the connection pool and the token cache.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]; then start from
/// [`link`](Client::link). `Debug` shows the configuration, never a secret or token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    caller: Caller,
    base_url: Url,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url.as_str())
            .field("api_version", &inner.caller.version().as_str())
            .field("caller", &inner.caller)
            .finish()
    }
}

impl Client {
    pub(crate) fn new(caller: Caller, base_url: Url) -> Self {
        Client {
            inner: Arc::new(Inner { caller, base_url }),
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

    /// The link with this id. Nothing is sent until a method of [`Link`] is awaited.
    pub fn link(&self, id: impl Into<String>) -> Link {
        Link {
            client: self.clone(),
            id: id.into(),
        }
    }

    /// Requests a new access token now (`POST /auth/token`) and returns the response: the token
    /// (a [`Sensitive`](crate::Sensitive), masked in `Debug`/`Display`), its `token_type` and its
    /// `expires_in`.
    ///
    /// The token is cached like any token the client fetches, so the calls that follow use it
    /// instead of requesting another. A token is requested even when a fresh one is cached; use
    /// this to check the credentials up front or to learn the token's lifetime. The request goes
    /// through the same path as automatic renewal: retries, the call's deadline, the
    /// `moneykit.request` span, and the single-flight lock (a renewal in flight finishes first).
    ///
    /// Only client credentials use the token endpoint: with an access token or the X-Client
    /// header pair this fails with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// and nothing is sent.
    pub async fn authenticate(&self) -> Result<types::CreateAccessTokenResponse, Error> {
        self.inner.caller.authenticate().await
    }
}

/// One link: `client.link(id)`. Its id is sent as one percent-encoded path segment, so `/`, `?`
/// or `#` in it cannot reach another path. An empty id, `.`, `..` or an id longer than
/// [`MAX_LINK_ID_LEN`](crate::MAX_LINK_ID_LEN) bytes fails with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
/// without any request.
#[derive(Clone, Debug)]
pub struct Link {
    client: Client,
    id: String,
}

impl Link {
    /// The link's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `GET /links/{id}`: the link, its state and its products (see
    /// [`LinkFreshness`](crate::LinkFreshness) for `refreshed_at`).
    pub async fn get(&self) -> Result<types::LinkCommon, Error> {
        let inner = &self.client.inner;
        let version = Some(inner.caller.version());
        inner
            .caller
            .call::<_, GetLinkError, _, _>(&self.id, |api| api.get_link(&self.id, version))
            .await
    }

    /// `GET /links/{id}/accounts`: all accounts, or only some with [`AccountsRequest::ids`].
    /// Send it with [`send`](AccountsRequest::send) or by awaiting it.
    pub fn accounts(&self) -> AccountsRequest {
        AccountsRequest {
            link: self.clone(),
            account_ids: None,
        }
    }

    /// `GET /links/{id}/accounts/numbers`: the accounts with their full account and routing
    /// numbers, held as [`Sensitive`](crate::Sensitive) (masked in `Debug`/`Display`; read them
    /// with `.reveal()`). These are the numbers MoneyKit already fetched: compare
    /// `link.products.account_numbers.refreshed_at` with an earlier value to know whether they
    /// changed ([`LinkFreshness`](crate::LinkFreshness)).
    pub async fn account_numbers(
        &self,
    ) -> Result<types::GetAccountNumbersResponseLegacy20230218, Error> {
        let inner = &self.client.inner;
        let version = Some(inner.caller.version());
        inner
            .caller
            .call::<_, GetAccountNumbersError, _, _>(&self.id, |api| {
                api.get_account_numbers(&self.id, version)
            })
            .await
    }
}

/// `GET /links/{id}/accounts`, from [`Link::accounts`].
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until `.send()` or `.await`"]
pub struct AccountsRequest {
    link: Link,
    account_ids: Option<Vec<String>>,
}

impl AccountsRequest {
    /// Only these accounts (sent as repeated `account_ids` query parameters).
    pub fn ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.account_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<types::GetAccountsResponse, Error> {
        let inner = &self.link.client.inner;
        let ids = self.account_ids.as_ref();
        if ids.is_some_and(|ids| ids.iter().any(String::is_empty)) {
            return Err(Error::invalid_input(
                Some(GetAccountsError::OPERATION_ID),
                "an account id is empty",
            ));
        }
        let version = Some(inner.caller.version());
        inner
            .caller
            .call::<_, GetAccountsError, _, _>(&self.link.id, |api| {
                api.get_accounts(&self.link.id, ids, version)
            })
            .await
    }
}

impl IntoFuture for AccountsRequest {
    type Output = Result<types::GetAccountsResponse, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_futures_are_send() {
        fn send_sync<T: Send + Sync + 'static>() {}
        fn send<T: Send>(_: &T) {}
        send_sync::<Client>();
        send_sync::<Error>();
        let client = Client::builder().access_token("t").build().unwrap();
        let link = client.link("mk_1");
        send(&link.get());
        send(&link.account_numbers());
        send(&link.accounts().ids(["a"]).send());
    }
}
