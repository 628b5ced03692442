//! The [`Client`] and its request builders ([`Link`], [`AccountsRequest`]), and the path every call
//! takes: input checks, token, attempts with retries, the overall deadline, and its tracing span.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use moneykit_api::errors::{
    CreateAccessTokenError, DocumentedError, GetAccountNumbersError, GetAccountsError, GetLinkError,
};
use moneykit_api::types::{self, SupportedVersion};
use moneykit_api::{ByteStream, ResponseValue};
use reqwest::Url;
use secrecy::SecretString;
use tokio::time::Instant;
use tracing::{Instrument, Span, field};

use crate::auth::AuthState;
use crate::config::ClientBuilder;
use crate::error::{BuildError, Error, ErrorKind, UnauthorizedReason, classify};
use crate::retry::RetryPolicy;

/// The longest link id accepted; longer ones are refused without a request.
pub const MAX_LINK_ID_LEN: usize = 256;

/// A MoneyKit API client. Cheap to clone: clones share the connection pool and the token cache.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]; then start from
/// [`link`](Client::link). `Debug` shows the configuration, never a secret or token.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) api: moneykit_api::Client,
    pub(crate) auth: Arc<AuthState>,
    pub(crate) version: SupportedVersion,
    pub(crate) retry: RetryPolicy,
    pub(crate) call_timeout: Duration,
    pub(crate) base_url: Url,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url.as_str())
            .field("api_version", &inner.version.as_str())
            .field("credentials", &inner.auth.credentials)
            .field("retry", &inner.retry)
            .field("call_timeout", &inner.call_timeout)
            .finish_non_exhaustive()
    }
}

type ApiResult<T> = Result<ResponseValue<T>, moneykit_api::Error<ByteStream>>;

impl Client {
    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `MONEYKIT_CLIENT_ID` + `MONEYKIT_CLIENT_SECRET` (or
    /// `MONEYKIT_ACCESS_TOKEN`), `MONEYKIT_BASE_URL` and `MONEYKIT_VERSION`; see
    /// [`ClientBuilder::from_env`] to change more settings.
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
    /// header pair this fails with [`ErrorKind::InvalidInput`] and nothing is sent.
    pub async fn authenticate(&self) -> Result<types::CreateAccessTokenResponse, Error> {
        let operation = CreateAccessTokenError::OPERATION_ID;
        let auth = &self.inner.auth;
        if !auth.uses_token_endpoint() {
            return Err(Error::invalid_input(
                Some(operation),
                "only client credentials request access tokens",
            ));
        }
        let timeout = self.inner.call_timeout;
        let deadline = Instant::now() + timeout;
        let work = async {
            let mut renewal = auth.renewal.lock().await;
            self.fetch_token(&mut renewal, deadline)
                .await
                .map(|(_, response)| response)
        };
        match tokio::time::timeout_at(deadline, work).await {
            Ok(result) => result,
            Err(_) => Err(Error::timeout(operation, timeout)),
        }
    }

    /// The whole path of one call: checks, token, attempts, deadline, span.
    async fn call<T, E, F, Fut>(
        &self,
        operation: &'static str,
        link_id: &str,
        send: F,
    ) -> Result<T, Error>
    where
        E: DocumentedError,
        F: Fn() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        check_link_id(operation, link_id)?;
        let span = request_span(operation, Some(link_id));
        let started = Instant::now();
        let timeout = self.inner.call_timeout;
        let deadline = started + timeout;
        let work = async {
            let generation = self.ensure_token(deadline).await?;
            match self.attempts::<T, E, _, _>(&send, deadline).await {
                Err(error)
                    if *error.kind()
                        == ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken)
                        && self.inner.auth.uses_token_endpoint() =>
                {
                    tracing::debug!(
                        retry_reason = "expired_token",
                        "renewing the access token and retrying once"
                    );
                    Span::current().record("retry_reason", "expired_token");
                    self.renew_after_expiry(generation, deadline).await?;
                    self.attempts::<T, E, _, _>(&send, deadline).await
                }
                other => other,
            }
        };
        let result = match tokio::time::timeout_at(deadline, work.instrument(span.clone())).await {
            Ok(result) => result,
            Err(_) => Err(Error::timeout(operation, timeout)),
        };
        record_outcome(&span, started, &result);
        result
    }

    /// Sends with retries as the policy allows, never waiting past `deadline`.
    async fn attempts<T, E, F, Fut>(&self, send: &F, deadline: Instant) -> Result<T, Error>
    where
        E: DocumentedError,
        F: Fn() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let span = Span::current();
        let policy = &self.inner.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let sent = Instant::now();
            let error = match send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    span.record("status", status);
                    tracing::debug!(
                        attempt,
                        status,
                        elapsed_ms = elapsed_ms(sent),
                        "attempt succeeded"
                    );
                    return Ok(response.into_inner());
                }
                Err(error) => classify::<E>(error).await.with_attempts(attempt),
            };
            if let Some(status) = error.status() {
                span.record("status", status);
            }
            let reason = retry_reason(&error);
            tracing::debug!(
                attempt,
                status = error.status(),
                error_code = error.error_code(),
                elapsed_ms = elapsed_ms(sent),
                "attempt failed"
            );
            let Some(reason) = reason else {
                return Err(error);
            };
            if attempt >= policy.attempts() {
                return Err(error);
            }
            let delay = policy.delay(attempt, error.retry_after());
            if Instant::now() + delay >= deadline {
                tracing::debug!(
                    attempt,
                    retry_reason = reason,
                    "not retrying: the wait would pass the deadline"
                );
                return Err(error);
            }
            span.record("retry_reason", reason);
            tracing::debug!(
                attempt,
                retry_reason = reason,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// For client credentials: a fresh token is cached when this returns, and its generation is
    /// returned. Any number of concurrent callers cause at most one token request; when it fails,
    /// the callers that waited for it get its error rather than sending their own.
    async fn ensure_token(&self, deadline: Instant) -> Result<Option<u64>, Error> {
        let auth = &self.inner.auth;
        if !auth.uses_token_endpoint() {
            return Ok(None);
        }
        if let Some(generation) = auth.fresh_generation() {
            return Ok(Some(generation));
        }
        let fetches = auth.fetches.load(Ordering::Acquire);
        let mut renewal = auth.renewal.lock().await;
        if let Some(generation) = auth.fresh_generation() {
            return Ok(Some(generation));
        }
        if let Some(failure) = failure_while_queued(auth, fetches, &renewal) {
            return Err(failure);
        }
        self.fetch_token(&mut renewal, deadline)
            .await
            .map(|(generation, _)| Some(generation))
    }

    /// After a 401 `api_error.auth.expired_access_token` on token `seen`: renews unless another
    /// call already did (or tried and failed, whose error is returned).
    async fn renew_after_expiry(&self, seen: Option<u64>, deadline: Instant) -> Result<(), Error> {
        let auth = &self.inner.auth;
        let fetches = auth.fetches.load(Ordering::Acquire);
        let mut renewal = auth.renewal.lock().await;
        if auth.current_generation() != seen {
            return Ok(());
        }
        if let Some(failure) = failure_while_queued(auth, fetches, &renewal) {
            return Err(failure);
        }
        self.fetch_token(&mut renewal, deadline).await.map(|_| ())
    }

    /// `POST /auth/token`, with retries; stores the token and returns its generation and the
    /// response. `last_failure` is the guarded state of `auth.renewal`, so only one call runs at
    /// a time.
    async fn fetch_token(
        &self,
        last_failure: &mut Option<Error>,
        deadline: Instant,
    ) -> Result<(u64, types::CreateAccessTokenResponse), Error> {
        let auth = &self.inner.auth;
        let span = request_span(CreateAccessTokenError::OPERATION_ID, None);
        let started = Instant::now();
        let body = auth.token_body();
        let send = || self.inner.api.create_access_token(&body);
        let result = self
            .attempts::<_, CreateAccessTokenError, _, _>(&send, deadline)
            .instrument(span.clone())
            .await;
        drop(body);
        record_outcome(&span, started, &result);
        let outcome = match result {
            Ok(response) => {
                let token = SecretString::from(response.access_token.reveal().to_owned());
                *last_failure = None;
                Ok((auth.store(token, response.expires_in), response))
            }
            Err(error) => {
                *last_failure = Some(error.shared_copy());
                Err(error)
            }
        };
        auth.fetches.fetch_add(1, Ordering::Release);
        outcome
    }
}

/// The error of a token request that completed while this caller waited for the lock, if it
/// failed.
fn failure_while_queued(
    auth: &AuthState,
    fetches_before: u64,
    last_failure: &Option<Error>,
) -> Option<Error> {
    if auth.fetches.load(Ordering::Acquire) == fetches_before {
        return None;
    }
    last_failure.as_ref().map(Error::shared_copy)
}

fn request_span(operation: &'static str, link_id: Option<&str>) -> Span {
    tracing::info_span!(
        "moneykit.request",
        operation,
        link_id,
        attempt = field::Empty,
        status = field::Empty,
        duration_ms = field::Empty,
        retry_reason = field::Empty,
        error_kind = field::Empty,
    )
}

fn record_outcome<T>(span: &Span, started: Instant, result: &Result<T, Error>) {
    span.record("duration_ms", elapsed_ms(started));
    if let Err(error) = result {
        span.record("error_kind", field::debug(error.kind()));
        span.in_scope(|| tracing::debug!(error = %error, "call failed"));
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Why `error` may be retried: 429, 5xx, or a transport failure. Nothing else.
fn retry_reason(error: &Error) -> Option<&'static str> {
    match error.status() {
        Some(429) => Some("rate_limited"),
        Some(500..=599) => Some("server_error"),
        Some(_) => None,
        None => match error.kind() {
            ErrorKind::Timeout => Some("timeout"),
            ErrorKind::Connection => Some("connection"),
            _ => None,
        },
    }
}

fn check_link_id(operation: &'static str, id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::invalid_input(
            Some(operation),
            "the link id is empty",
        ));
    }
    if id == "." || id == ".." {
        return Err(Error::invalid_input(
            Some(operation),
            "the link id cannot be `.` or `..`",
        ));
    }
    if id.len() > MAX_LINK_ID_LEN {
        return Err(Error::invalid_input(
            Some(operation),
            format!("the link id is longer than {MAX_LINK_ID_LEN} bytes"),
        ));
    }
    Ok(())
}

/// One link: `client.link(id)`. Its id is sent as one percent-encoded path segment, so `/`, `?`
/// or `#` in it cannot reach another path. An empty id, `.`, `..` or an id longer than
/// [`MAX_LINK_ID_LEN`] bytes fails with [`ErrorKind::InvalidInput`] without any request.
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
        self.client
            .call::<_, GetLinkError, _, _>(GetLinkError::OPERATION_ID, &self.id, || {
                inner.api.get_link(&self.id, Some(&inner.version))
            })
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
        self.client
            .call::<_, GetAccountNumbersError, _, _>(
                GetAccountNumbersError::OPERATION_ID,
                &self.id,
                || {
                    inner
                        .api
                        .get_account_numbers(&self.id, Some(&inner.version))
                },
            )
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
        let client = &self.link.client;
        let inner = &client.inner;
        let ids = self.account_ids.as_ref();
        if ids.is_some_and(|ids| ids.iter().any(String::is_empty)) {
            return Err(Error::invalid_input(
                Some(GetAccountsError::OPERATION_ID),
                "an account id is empty",
            ));
        }
        client
            .call::<_, GetAccountsError, _, _>(
                GetAccountsError::OPERATION_ID,
                &self.link.id,
                || {
                    inner
                        .api
                        .get_accounts(&self.link.id, ids, Some(&inner.version))
                },
            )
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
    fn link_ids_are_checked() {
        assert_eq!(
            *check_link_id("get_link", "").unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let long = "a".repeat(MAX_LINK_ID_LEN + 1);
        assert_eq!(
            *check_link_id("get_link", &long).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert!(check_link_id("get_link", &"a".repeat(MAX_LINK_ID_LEN)).is_ok());
        assert_eq!(
            *check_link_id("get_link", "..").unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert!(check_link_id("get_link", "mk_eqkWN34UEoa2NxyALG8pcV").is_ok());
    }

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
