//! The access-token lifecycle of client credentials: the cached token, its renewal shortly before
//! it expires or after the API refused it as expired, and the single-flight lock that makes any
//! number of concurrent callers cause at most one token request.
//!
//! The cache does not know how a token is requested: every method that may need one takes the
//! request as a closure (the call path's `POST /auth/token`, with its retries and deadline).

use std::future::Future;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moneykit_api::ResponseValue;
use moneykit_api::types::CreateAccessTokenResponse;
use reqwest::header::HeaderValue;
use secrecy::SecretString;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::Error;

/// A token endpoint response with its status and headers (for
/// [`Client::authenticate`](crate::Client::authenticate)'s raw response).
pub(crate) type TokenResponse = ResponseValue<CreateAccessTokenResponse>;

/// Which token a call used: incremented on every renewal, so that a call that saw token `n`
/// refused renews only if nobody renewed since.
pub(crate) type Generation = u64;

/// The token cache of one client (shared by its clones).
pub(crate) struct TokenCache {
    renewal_margin: Duration,
    /// Read synchronously by the request hook; written only while `renewal` is held.
    token: RwLock<Option<CachedToken>>,
    /// Held while a token request is in flight (the single-flight lock); records how the last
    /// one ended.
    renewal: Mutex<LastRenewal>,
    /// Token requests finished, successfully or not: a caller that waited for `renewal` compares
    /// it with the count it saw before waiting to know whether one finished meanwhile.
    renewals_finished: AtomicU64,
}

struct CachedToken {
    /// `Bearer <token>`, marked sensitive; built once per token, not per request. `Err` (why,
    /// without the token) when the token cannot be a header value.
    header: Result<HeaderValue, String>,
    /// When to stop using it: `expires_in` minus the renewal margin.
    renew_at: Instant,
    generation: Generation,
}

/// How the last token request ended.
#[derive(Default)]
struct LastRenewal {
    /// Its error, given to the callers that queued behind it instead of a request of their own.
    failure: Option<Error>,
}

impl TokenCache {
    /// An empty cache that renews `renewal_margin` before a token expires (at most half the
    /// token's lifetime).
    pub(crate) fn new(renewal_margin: Duration) -> Self {
        TokenCache {
            renewal_margin,
            token: RwLock::new(None),
            renewal: Mutex::new(LastRenewal::default()),
            renewals_finished: AtomicU64::new(0),
        }
    }

    /// The `Authorization` header of the cached token, fresh or not: `Some(Err(why))` when the
    /// token is not a valid header value.
    pub(crate) fn bearer_header(&self) -> Option<Result<HeaderValue, String>> {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|cached| cached.header.clone())
    }

    /// The generation of a fresh token: the cached one, or one obtained with `request`. When a
    /// token request fails, the callers that waited for it get its error rather than sending
    /// their own.
    pub(crate) async fn current<F, Fut>(&self, request: F) -> Result<Generation, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, Error>>,
    {
        if let Some(generation) = self.fresh_generation() {
            return Ok(generation);
        }
        let finished_before = self.renewals_finished.load(Ordering::Acquire);
        let mut last = self.renewal.lock().await;
        if let Some(generation) = self.fresh_generation() {
            return Ok(generation);
        }
        if let Some(failure) = self.failure_while_queued(finished_before, &last) {
            return Err(failure);
        }
        self.renew(&mut last, request)
            .await
            .map(|(generation, _)| generation)
    }

    /// After the API refused token `seen` as expired: renews with `request` unless another call
    /// already did (or tried and failed, whose error is returned).
    pub(crate) async fn renew_after_expiry<F, Fut>(
        &self,
        seen: Generation,
        request: F,
    ) -> Result<(), Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, Error>>,
    {
        let finished_before = self.renewals_finished.load(Ordering::Acquire);
        let mut last = self.renewal.lock().await;
        if self.generation() != Some(seen) {
            return Ok(());
        }
        if let Some(failure) = self.failure_while_queued(finished_before, &last) {
            return Err(failure);
        }
        self.renew(&mut last, request).await.map(|_| ())
    }

    /// Requests a token with `request` whatever is cached (after a renewal in flight finishes),
    /// caches it and returns the response.
    pub(crate) async fn renew_now<F, Fut>(&self, request: F) -> Result<TokenResponse, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, Error>>,
    {
        let mut last = self.renewal.lock().await;
        self.renew(&mut last, request)
            .await
            .map(|(_, response)| response)
    }

    /// Runs one token request while the single-flight lock is held (`last` is its guarded
    /// state) and caches its token.
    async fn renew<F, Fut>(
        &self,
        last: &mut LastRenewal,
        request: F,
    ) -> Result<(Generation, TokenResponse), Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, Error>>,
    {
        let outcome = match request().await {
            Ok(response) => {
                last.failure = None;
                let token = SecretString::from(response.access_token.reveal().to_owned());
                Ok((self.store(token, response.expires_in), response))
            }
            Err(error) => {
                last.failure = Some(error.shared_copy());
                Err(error)
            }
        };
        self.renewals_finished.fetch_add(1, Ordering::Release);
        outcome
    }

    /// The error of a token request that finished while this caller waited for the lock, if it
    /// failed.
    fn failure_while_queued(&self, finished_before: u64, last: &LastRenewal) -> Option<Error> {
        if self.renewals_finished.load(Ordering::Acquire) == finished_before {
            return None;
        }
        last.failure.as_ref().map(Error::shared_copy)
    }

    fn fresh_generation(&self) -> Option<Generation> {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|cached| Instant::now() < cached.renew_at)
            .map(|cached| cached.generation)
    }

    fn generation(&self) -> Option<Generation> {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|cached| cached.generation)
    }

    /// Caches a token valid for `expires_in` seconds. The margin is at most half the lifetime,
    /// so that a short-lived token is still used for a while.
    fn store(&self, token: SecretString, expires_in: i64) -> Generation {
        let lifetime = Duration::from_secs(u64::try_from(expires_in).unwrap_or(0));
        let margin = self.renewal_margin.min(lifetime / 2);
        let mut guard = self.token.write().unwrap_or_else(|e| e.into_inner());
        let generation = guard.as_ref().map_or(1, |cached| cached.generation + 1);
        let header = crate::auth::bearer(&token);
        *guard = Some(CachedToken {
            header,
            renew_at: Instant::now() + (lifetime - margin),
            generation,
        });
        generation
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ErrorKind;

    pub(crate) fn issued(token: &str, expires_in: i64) -> Result<TokenResponse, Error> {
        let body = CreateAccessTokenResponse {
            access_token: token.to_owned().into(),
            token_type: "bearer".into(),
            expires_in,
        };
        Ok(ResponseValue::new(
            body,
            reqwest::StatusCode::OK,
            reqwest::header::HeaderMap::new(),
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_is_renewed_at_half_its_life_when_the_margin_is_longer() {
        let cache = TokenCache::new(Duration::from_secs(60));
        assert_eq!(
            cache.current(|| async { issued("a", 10) }).await.unwrap(),
            1
        );
        tokio::time::sleep(Duration::from_millis(4999)).await;
        assert_eq!(
            cache
                .current(|| async { panic!("still fresh") })
                .await
                .unwrap(),
            1
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(
            cache.current(|| async { issued("b", 10) }).await.unwrap(),
            2
        );
        assert_eq!(cache.bearer_header().unwrap().unwrap(), "Bearer b");
    }

    #[tokio::test]
    async fn an_expired_token_is_renewed_once_per_generation() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let seen = cache.current(|| async { issued("a", 3600) }).await.unwrap();
        cache
            .renew_after_expiry(seen, || async { issued("b", 3600) })
            .await
            .unwrap();
        // A second caller that saw the same token refused does not renew again.
        cache
            .renew_after_expiry(seen, || async { panic!("renewed twice") })
            .await
            .unwrap();
        assert_eq!(cache.bearer_header().unwrap().unwrap(), "Bearer b");
    }

    #[tokio::test]
    async fn a_failed_renewal_is_not_cached_as_a_token() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let failed = cache
            .current(|| async { Err(Error::new(ErrorKind::Connection)) })
            .await;
        assert_eq!(*failed.unwrap_err().kind(), ErrorKind::Connection);
        assert!(cache.bearer_header().is_none());
        // Nobody was queued behind the failure: the next caller tries again.
        assert_eq!(
            cache.current(|| async { issued("a", 60) }).await.unwrap(),
            1
        );
    }
}
