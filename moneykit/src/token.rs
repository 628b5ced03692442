//! The access-token lifecycle of client credentials: the cached token, its renewal shortly before
//! it expires or after the API refused it as expired, and the single flight that makes any
//! number of concurrent callers cause at most one token request.
//!
//! A renewal runs in a task of its own, through the request the cache was built with (the call
//! path's `POST /auth/token` under the client's own settings): no caller's per-call options,
//! deadline or cancellation reach it. Each caller waits for it within its own deadline only.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use moneykit_api::errors::{CreateAccessTokenError, DocumentedError};
use moneykit_api::types::CreateAccessTokenResponse;
use reqwest::header::HeaderValue;
use secrecy::SecretString;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::{Error, ErrorKind};

/// Which token a call used: incremented on every renewal, so that a call that saw token `n`
/// refused renews only if nobody renewed since.
pub(crate) type Generation = u64;

/// How the cache requests a token: `POST /auth/token` with the client's own retries and deadline.
pub(crate) type RequestToken =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<IssuedToken, Error>> + Send>> + Send + Sync>;

/// A token the token endpoint issued, ready to be sent: its `Authorization` header, built once,
/// and its lifetime.
pub(crate) struct IssuedToken {
    /// `expires_in`, in seconds, as the token endpoint said.
    expires_in: i64,
    header: HeaderValue,
}

impl IssuedToken {
    /// The token of `response`, unless it cannot be a header value: then an error of the token
    /// request that took `attempts` attempts, so that the token is never cached.
    pub(crate) fn check(
        response: &CreateAccessTokenResponse,
        attempts: u32,
    ) -> Result<Self, Error> {
        // A masked token (`••••`) has nothing to reveal and is refused like any other.
        let header = (response.access_token.reveal())
            .and_then(|token| crate::auth::bearer(&SecretString::from(token.to_owned())).ok());
        match header {
            Some(header) => Ok(IssuedToken {
                expires_in: response.expires_in,
                header,
            }),
            None => Err(Error::new(ErrorKind::Decode)
                .with_operation(CreateAccessTokenError::OPERATION_ID)
                .with_attempts(attempts)
                .with_detail("the access token is not a valid header value".to_owned())),
        }
    }
}

/// How a renewal ended, for every caller that waited for it.
type Outcome = Result<Generation, Arc<Error>>;

/// After a failed renewal, while the cached token still works, no other renewal is started for
/// this long (or the token endpoint's `Retry-After`, if longer): a token endpoint that refuses at
/// once (wrong credentials) is then asked at most every few seconds, not on every call.
const RETRY_IN_WINDOW_AFTER: Duration = Duration::from_secs(5);

/// The longest token endpoint `Retry-After` the cache keeps to: longer ones (a proxy's header,
/// a server's mistake) would fail every call of the client for as long as they say.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The token cache of one client (shared by its clones).
pub(crate) struct TokenCache {
    renewal_margin: Duration,
    /// How long a call whose cached token still works waits for its renewal before using that
    /// token anyway (the client's attempt timeout); `None`: until the renewal ends.
    window_wait: Option<Duration>,
    request: RequestToken,
    /// Read synchronously by the request hook on every request.
    token: RwLock<Option<CachedToken>>,
    renewals: Mutex<Renewals>,
}

struct CachedToken {
    /// `Bearer <token>`, marked sensitive; built once per token, not per request. A token that
    /// cannot be a header value is never cached.
    header: HeaderValue,
    /// When to renew it: `expires_in` minus the renewal margin.
    renew_at: Instant,
    /// When it stops working: `expires_in` after it was received. Until then a failed renewal
    /// falls back to it.
    expires_at: Instant,
    generation: Generation,
}

/// The single flight. Lock order: `renewals`, then `token`.
#[derive(Default)]
struct Renewals {
    /// The renewal in flight: its outcome, once it has one.
    in_flight: Option<watch::Receiver<Option<Outcome>>>,
    /// How the last renewal failed, until a token is stored.
    last_failure: Option<LastFailure>,
}

struct LastFailure {
    error: Arc<Error>,
    at: Instant,
}

impl LastFailure {
    /// Until when the token endpoint asked not to be called again (`Retry-After`), if it did.
    fn retry_after_until(&self) -> Option<Instant> {
        Some(saturating_add(self.at, self.retry_after()?))
    }

    fn retry_after(&self) -> Option<Duration> {
        Some(self.error.retry_after()?.min(LONGEST_RETRY_AFTER))
    }

    /// Until when no renewal is started while the cached token still works.
    fn quiet_until(&self) -> Instant {
        let wait = self
            .retry_after()
            .unwrap_or_default()
            .max(RETRY_IN_WINDOW_AFTER);
        saturating_add(self.at, wait)
    }
}

/// What a caller does next about the token.
enum Next {
    /// Use the cached token of this generation.
    Use(Generation),
    /// Wait for this renewal.
    Wait(watch::Receiver<Option<Outcome>>),
    /// Fail with the last renewal's error: the token endpoint's `Retry-After` has not passed.
    Fail(Arc<Error>),
}

impl TokenCache {
    /// An empty cache that renews `renewal_margin` before a token expires (at most half the
    /// token's lifetime) with `request`; in that window a call waits at most `window_wait` for
    /// the renewal before it uses the token it has.
    pub(crate) fn new(
        renewal_margin: Duration,
        window_wait: Option<Duration>,
        request: RequestToken,
    ) -> Self {
        TokenCache {
            renewal_margin,
            window_wait,
            request,
            token: RwLock::new(None),
            renewals: Mutex::new(Renewals::default()),
        }
    }

    /// The `Authorization` header of the cached token, fresh or not.
    pub(crate) fn bearer_header(&self) -> Option<HeaderValue> {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|cached| cached.header.clone())
    }

    /// The generation of a token to send: the cached one while it is fresh; else the outcome of
    /// a renewal (started, or joined when one is in flight).
    ///
    /// In the renewal window (fresh no more, not expired yet) a call waits at most `window_wait`
    /// for the renewal, and uses the cached token when the renewal fails or takes longer. Once a
    /// renewal failed, calls in the window use the token without waiting and renew in the
    /// background, at most every [`RETRY_IN_WINDOW_AFTER`] (or the `Retry-After`). Once the token
    /// expired, a call waits for a renewal, but fails at once with the last renewal's error while
    /// its `Retry-After` has not passed.
    pub(crate) async fn current(self: &Arc<Self>) -> Result<Generation, Error> {
        let in_window = match self.state_now() {
            TokenState::Fresh(generation) => return Ok(generation),
            TokenState::Renewable(generation) => Some(generation),
            TokenState::Expired => None,
        };
        let renewal = match self.next(in_window) {
            Next::Use(generation) => return Ok(generation),
            Next::Fail(failure) => return Err(failure.shared_copy()),
            Next::Wait(renewal) => renewal,
        };
        let outcome = match (in_window, self.window_wait) {
            (Some(_), Some(limit)) => {
                match tokio::time::timeout(limit, self.wait(renewal.clone())).await {
                    Ok(outcome) => outcome,
                    // Waited long enough: the renewal goes on in the background.
                    Err(_) => match self.state_now() {
                        TokenState::Fresh(generation) | TokenState::Renewable(generation) => {
                            return Ok(generation);
                        }
                        TokenState::Expired => self.wait(renewal).await,
                    },
                }
            }
            _ => self.wait(renewal).await,
        };
        match outcome {
            Ok(generation) => Ok(generation),
            Err(failure) => match self.state_now() {
                // Any token that still works: the one the caller had, or one stored meanwhile.
                TokenState::Fresh(generation) | TokenState::Renewable(generation) => {
                    tracing::debug!(
                        operation = CreateAccessTokenError::OPERATION_ID,
                        error = %failure,
                        "renewing the access token failed; using the cached one until it expires"
                    );
                    Ok(generation)
                }
                TokenState::Expired => Err(failure.shared_copy()),
            },
        }
    }

    /// After the API refused token `seen` as expired: stops using it and renews, unless another
    /// call already did (or is doing so: then its outcome).
    pub(crate) async fn renew_after_expiry(
        self: &Arc<Self>,
        seen: Generation,
    ) -> Result<(), Error> {
        {
            let mut guard = self.token.write().unwrap_or_else(|e| e.into_inner());
            match guard.as_mut() {
                Some(cached) if cached.generation == seen => {
                    // The server says it is dead: neither fresh nor a fallback any more.
                    let now = Instant::now();
                    cached.renew_at = now;
                    cached.expires_at = now;
                }
                _ => return Ok(()),
            }
        }
        match self.next(None) {
            Next::Use(_) => Ok(()),
            Next::Fail(failure) => Err(failure.shared_copy()),
            Next::Wait(renewal) => self
                .wait(renewal)
                .await
                .map(drop)
                .map_err(|failure| failure.shared_copy()),
        }
    }

    /// Caches an issued token (from [`Client::authenticate`](crate::Client::authenticate) or a
    /// renewal); a failure of an earlier renewal no longer holds anything back.
    pub(crate) fn store(&self, issued: &IssuedToken) -> Generation {
        // A negative or zero `expires_in` is a token that is stale when it arrives: the callers
        // that waited for it use it once, and the next call renews.
        let lifetime = Duration::from_secs(u64::try_from(issued.expires_in).unwrap_or(0));
        let margin = self.renewal_margin.min(lifetime / 2);
        let now = Instant::now();
        let generation = {
            let mut guard = self.token.write().unwrap_or_else(|e| e.into_inner());
            let generation = guard.as_ref().map_or(1, |cached| cached.generation + 1);
            *guard = Some(CachedToken {
                header: issued.header.clone(),
                renew_at: saturating_add(now, lifetime - margin),
                expires_at: saturating_add(now, lifetime),
                generation,
            });
            generation
        };
        self.lock_renewals().last_failure = None;
        generation
    }

    fn state_now(&self) -> TokenState {
        let guard = self.token.read().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match guard.as_ref() {
            Some(cached) if now < cached.renew_at => TokenState::Fresh(cached.generation),
            Some(cached) if now < cached.expires_at => TokenState::Renewable(cached.generation),
            _ => TokenState::Expired,
        }
    }

    fn lock_renewals(&self) -> std::sync::MutexGuard<'_, Renewals> {
        self.renewals.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decides, under the single-flight lock, what a caller whose token is not fresh does:
    /// `in_window` is the generation of a cached token that still works, if there is one.
    fn next(self: &Arc<Self>, in_window: Option<Generation>) -> Next {
        let mut renewals = self.lock_renewals();
        // A renewal whose task ended without an outcome (its runtime shut down) is over.
        if let Some(in_flight) = renewals.in_flight.as_ref()
            && in_flight.has_changed().is_ok()
        {
            return match (in_window, &renewals.last_failure) {
                (Some(generation), Some(_)) => Next::Use(generation),
                _ => Next::Wait(in_flight.clone()),
            };
        }
        renewals.in_flight = None;
        // Read under the lock, so that a renewal that just finished is seen.
        if let TokenState::Fresh(generation) = self.state_now() {
            return Next::Use(generation);
        }
        let now = Instant::now();
        match (in_window, &renewals.last_failure) {
            (Some(generation), Some(failure)) => {
                if now >= failure.quiet_until() {
                    renewals.in_flight = Some(self.spawn_renewal());
                }
                Next::Use(generation)
            }
            (None, Some(failure)) if failure.retry_after_until().is_some_and(|at| now < at) => {
                Next::Fail(Arc::clone(&failure.error))
            }
            _ => {
                let renewal = self.spawn_renewal();
                renewals.in_flight = Some(renewal.clone());
                Next::Wait(renewal)
            }
        }
    }

    /// Starts a token request in a task of its own; its outcome is published to the receiver.
    fn spawn_renewal(self: &Arc<Self>) -> watch::Receiver<Option<Outcome>> {
        let (publish, outcome) = watch::channel(None);
        let cache = Arc::downgrade(self);
        let request = (self.request)();
        tokio::spawn(async move {
            let issued = request.await;
            if let Some(cache) = Weak::upgrade(&cache) {
                let finished = cache.finish(issued);
                // Nobody may be waiting any more; the token is cached all the same.
                let _ = publish.send(Some(finished));
            }
        });
        outcome
    }

    /// Caches a renewal's token, or records its failure; ends the single flight.
    fn finish(&self, issued: Result<IssuedToken, Error>) -> Outcome {
        let outcome = match issued {
            Ok(issued) => Ok(self.store(&issued)),
            Err(error) => Err(Arc::new(error)),
        };
        let mut renewals = self.lock_renewals();
        renewals.in_flight = None;
        if let Err(error) = &outcome {
            renewals.last_failure = Some(LastFailure {
                error: Arc::clone(error),
                at: Instant::now(),
            });
        }
        outcome
    }

    /// The outcome of `renewal`. A renewal whose task ended without one (its runtime shut down)
    /// is a failure, and no longer in flight.
    async fn wait(&self, mut renewal: watch::Receiver<Option<Outcome>>) -> Outcome {
        if let Ok(outcome) = renewal.wait_for(Option::is_some).await
            && let Some(outcome) = outcome.as_ref()
        {
            return outcome.clone();
        }
        let mut renewals = self.lock_renewals();
        if renewals
            .in_flight
            .as_ref()
            .is_some_and(|in_flight| in_flight.same_channel(&renewal))
        {
            renewals.in_flight = None;
        }
        Err(Arc::new(
            Error::new(ErrorKind::Connection)
                .with_operation(CreateAccessTokenError::OPERATION_ID)
                .with_detail("the token request was cancelled".to_owned()),
        ))
    }
}

enum TokenState {
    Fresh(Generation),
    /// Past its renewal time, not expired yet.
    Renewable(Generation),
    /// None cached, or expired.
    Expired,
}

/// `at + wait`, or a time so far ahead that it never comes when that overflows the clock.
pub(crate) fn saturating_add(at: Instant, wait: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    at.checked_add(wait)
        .or_else(|| at.checked_add(CENTURY))
        .unwrap_or(at)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    pub(crate) fn issued(token: &str, expires_in: i64) -> Result<IssuedToken, Error> {
        let body = CreateAccessTokenResponse {
            access_token: token.to_owned().into(),
            token_type: "bearer".into(),
            expires_in,
        };
        IssuedToken::check(&body, 1)
    }

    /// A cache whose token requests answer from `answers` in turn (the last one repeats), after
    /// `delay`; and how many it made.
    pub(crate) fn cache_answering(
        margin: Duration,
        delay: Duration,
        answers: Vec<fn() -> Result<IssuedToken, Error>>,
    ) -> (Arc<TokenCache>, Arc<AtomicUsize>) {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&made);
        let request: RequestToken = Arc::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let answer = answers[n.min(answers.len() - 1)];
            Box::pin(async move {
                tokio::time::sleep(delay).await;
                answer()
            })
        });
        (Arc::new(TokenCache::new(margin, None, request)), made)
    }

    fn requests(made: &AtomicUsize) -> usize {
        made.load(Ordering::SeqCst)
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn a_token_is_renewed_at_half_its_life_when_the_margin_is_longer() {
        let (cache, made) = cache_answering(
            MINUTE,
            Duration::ZERO,
            vec![|| issued("a", 10), || issued("b", 10)],
        );
        assert_eq!(cache.current().await.unwrap(), 1);
        tokio::time::sleep(Duration::from_millis(4999)).await;
        assert_eq!(cache.current().await.unwrap(), 1);
        assert_eq!(requests(&made), 1);
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(cache.current().await.unwrap(), 2);
        assert_eq!(cache.bearer_header().unwrap(), "Bearer b");
    }

    #[tokio::test]
    async fn an_expired_token_is_renewed_once_per_generation() {
        let (cache, made) = cache_answering(
            MINUTE,
            Duration::ZERO,
            vec![|| issued("a", 3600), || issued("b", 3600)],
        );
        let seen = cache.current().await.unwrap();
        cache.renew_after_expiry(seen).await.unwrap();
        // A second caller that saw the same token refused does not renew again.
        cache.renew_after_expiry(seen).await.unwrap();
        assert_eq!(requests(&made), 2);
        assert_eq!(cache.bearer_header().unwrap(), "Bearer b");
    }

    #[tokio::test]
    async fn a_failed_renewal_is_not_cached_as_a_token() {
        let (cache, made) = cache_answering(
            MINUTE,
            Duration::ZERO,
            vec![|| Err(Error::new(ErrorKind::Connection)), || {
                issued("a", 60)
            }],
        );
        let failed = cache.current().await;
        assert_eq!(*failed.unwrap_err().kind(), ErrorKind::Connection);
        assert!(cache.bearer_header().is_none());
        // The next caller tries again.
        assert_eq!(cache.current().await.unwrap(), 1);
        assert_eq!(requests(&made), 2);
    }

    #[tokio::test]
    async fn a_token_that_cannot_be_a_header_value_is_refused_and_not_cached() {
        let (cache, made) = cache_answering(
            MINUTE,
            Duration::ZERO,
            vec![|| issued("bad\ntoken", 3600), || issued("good", 3600)],
        );
        let error = cache.current().await.unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::Decode);
        assert_eq!(error.operation(), Some("create_access_token"));
        assert_eq!(error.attempts(), 1);
        assert!(!error.to_string().contains("bad"), "{error}");
        assert!(cache.bearer_header().is_none());
        assert_eq!(cache.current().await.unwrap(), 1);
        assert_eq!(cache.bearer_header().unwrap(), "Bearer good");
        assert_eq!(requests(&made), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_expires_in_saturates() {
        let (cache, _) = cache_answering(MINUTE, Duration::ZERO, vec![|| issued("a", i64::MAX)]);
        assert_eq!(cache.current().await.unwrap(), 1);
        tokio::time::sleep(Duration::from_secs(10 * 365 * 24 * 3600)).await;
        assert_eq!(cache.current().await.unwrap(), 1);
    }
}
