//! The path every call takes ([`CallRunner::run`]): the call's options merged with the client's
//! settings once ([`CallSettings`]), input checks, the token, the attempts with their retries,
//! the call's deadline, and the `moneykit.request` tracing span.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use moneykit_api::errors::{CreateAccessTokenError, DocumentedError};
use moneykit_api::types::SupportedVersion;
use moneykit_api::{ClientInfo, ResponseValue, types};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;
use tracing::{Instrument, Span, field};

use crate::auth::Credentials;
use crate::classify::classify;
use crate::error::{Error, MAX_SNIPPET_CHARS};
use crate::observe::{AttemptEnd, AttemptObserver};
use crate::request::{ApiResult, CreateAccessToken, Operation, Sealed};
use crate::retry::{RetryPolicy, renews_token};
use crate::text::one_line;
use crate::token::{IssuedToken, RequestToken, TokenCache, saturating_add};

/// The longest path parameter (such as a link id) accepted, in bytes; longer ones are refused
/// without a request.
pub const MAX_LINK_ID_LEN: usize = 256;

/// A decoded response, boxed where the generated future hands it over: a link's response is over
/// a kilobyte, and every layer above (attempts, token renewal, deadline, span, request) would
/// otherwise copy it on its way up (profiled: 1.2 kB memcpys were ~1k instructions per call).
pub(crate) type BoxedResponse<T> = Box<ResponseValue<T>>;

/// Headers a caller (one call, or the `AttemptObserver`) may not set: the client sends the
/// credentials and the API version itself, the body's `Content-Type` and the `Accept` the
/// generated method's, and the framing headers are reqwest's. Extra headers are added, not
/// replaced, so one of these would be sent twice.
const RESERVED_HEADERS: [HeaderName; 9] = [
    header::AUTHORIZATION,
    HeaderName::from_static("x-client-id"),
    HeaderName::from_static("x-client-secret"),
    HeaderName::from_static("moneykit-version"),
    header::ACCEPT,
    header::CONTENT_TYPE,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
];

/// One call's options, as set on a [`Request`](crate::Request): each `None` keeps the client's
/// setting. [`CallRunner::resolve`] merges them with the client's settings, once per call.
#[derive(Clone, Default)]
pub(crate) struct CallOptions {
    /// The call's deadline instead of the client's; `Some(None)` sets none.
    pub(crate) call_timeout: Option<Option<Duration>>,
    /// Each attempt's timeout instead of the client's; `Some(None)` sets none.
    pub(crate) attempt_timeout: Option<Option<Duration>>,
    pub(crate) retry: Option<RetryPolicy>,
    /// Sent with the operation's own requests (not with a token request the call needs).
    pub(crate) headers: HeaderMap,
    /// Why a header the caller gave cannot be sent; the call fails with it before sending.
    pub(crate) refused_header: Option<String>,
}

impl CallOptions {
    /// Refuses what cannot be sent: a bad or reserved header, a zero timeout.
    fn check(&self, operation: &'static str) -> Result<(), Error> {
        let refuse = |why: String| Err(Error::invalid_input(Some(operation), why));
        if let Some(why) = &self.refused_header {
            return refuse(why.clone());
        }
        if let Some(name) = self
            .headers
            .keys()
            .find(|name| RESERVED_HEADERS.contains(name))
        {
            return refuse(format!(
                "the header `{name}` is set by the client, not per call"
            ));
        }
        if let Some(why) = self.retry.as_ref().and_then(RetryPolicy::refusal) {
            return refuse(why.to_owned());
        }
        let zero =
            |timeout: Option<Option<Duration>>| timeout.flatten().is_some_and(|t| t.is_zero());
        if zero(self.call_timeout) || zero(self.attempt_timeout) {
            return refuse("a timeout must be positive".to_owned());
        }
        Ok(())
    }
}

/// The client's settings for its calls, from [`ClientBuilder`](crate::ClientBuilder) (which
/// documents each and states the defaults).
pub(crate) struct ClientSettings {
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) renewal_margin: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) version: SupportedVersion,
    /// `version` as sent.
    pub(crate) version_header: HeaderValue,
    pub(crate) observer: Option<Arc<dyn AttemptObserver>>,
}

/// Runs the calls of one client (and its clones): the one executor every operation goes
/// through.
pub(crate) struct CallRunner {
    wire: Arc<Wire>,
    /// Present exactly for client credentials.
    tokens: Option<Arc<TokenCache>>,
    retry: RetryPolicy,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
}

/// What every request of one client goes through: the generated client (whose hooks add the
/// credentials and the client's attempt timeout) and what the token request sends.
struct Wire {
    api: moneykit_api::Client,
    credentials: Credentials,
    /// The `moneykit-version` the client sends (through its hooks, ready-made).
    version: SupportedVersion,
    /// The base URL's host, for the spans' `server.address`.
    server_address: String,
    /// The base URL's port, for the spans' `server.port`.
    server_port: Option<u16>,
    observer: Option<Arc<dyn AttemptObserver>>,
}

/// What one call runs under: the client's settings with the call's options merged, once, and
/// passed down as this value.
struct CallSettings<'a> {
    /// The generated client the call's own requests go through: the client's, or (when the call
    /// sets an attempt timeout or headers) a copy whose hooks carry them. A token request the
    /// call needs never goes through it: the token cache has the client's own.
    api: Cow<'a, moneykit_api::Client>,
    limits: Limits<'a>,
}

/// How long a call's attempts may take, and how they are repeated.
#[derive(Clone, Copy)]
struct Limits<'a> {
    deadline: Deadline,
    /// The timeout the generated client's hooks give each attempt (the call's own, or the
    /// client's): an attempt that must end before the deadline needs no timer of the deadline's.
    attempt_timeout: Option<Duration>,
    retry: &'a RetryPolicy,
}

impl CallRunner {
    /// The `moneykit-version` this client sends.
    pub(crate) fn version(&self) -> &SupportedVersion {
        &self.wire.version
    }

    /// The credentials' token request body, for [`Client::authenticate`](crate::Client::authenticate).
    pub(crate) fn token_body(&self) -> types::BodyCreateAccessTokenAuthTokenPost {
        self.wire.credentials.token_body()
    }

    pub(crate) fn new(
        base_url: &reqwest::Url,
        http: reqwest::Client,
        settings: ClientSettings,
    ) -> Self {
        let wire = |tokens: Option<Weak<TokenCache>>| {
            let hook = ClientHook {
                credentials: settings.credentials.clone(),
                tokens,
                observer: settings.observer.clone(),
            };
            let hooks = moneykit_api::Hooks::new(hook)
                .max_response_bytes(settings.max_response_bytes)
                .attempt_timeout(settings.attempt_timeout)
                .api_version(settings.version_header.clone());
            let base = base_url.as_str().trim_end_matches('/');
            Arc::new(Wire {
                api: moneykit_api::Client::new_with_client(base, http.clone(), hooks),
                credentials: settings.credentials.clone(),
                version: settings.version.clone(),
                server_address: base_url.host_str().unwrap_or_default().to_owned(),
                server_port: base_url.port_or_known_default(),
                observer: settings.observer.clone(),
            })
        };
        // The cache requests tokens through the wire, whose hook reads the cache: the hook holds
        // it weakly, so that dropping the client frees both.
        let mut built = None;
        let tokens = settings.credentials.uses_token_endpoint().then(|| {
            Arc::new_cyclic(|cache: &Weak<TokenCache>| {
                let wire = wire(Some(cache.clone()));
                built = Some(Arc::clone(&wire));
                let request = renewal_request(
                    wire,
                    settings.retry.clone(),
                    settings.attempt_timeout,
                    settings.call_timeout,
                );
                TokenCache::new(settings.renewal_margin, settings.attempt_timeout, request)
            })
        });
        CallRunner {
            wire: built.unwrap_or_else(|| wire(None)),
            tokens,
            retry: settings.retry,
            attempt_timeout: settings.attempt_timeout,
            call_timeout: settings.call_timeout,
        }
    }

    /// The client's settings with the call's `options` (if it sets any) merged: checked, and
    /// resolved once for the call. The options' headers move into the call's hooks.
    fn resolve<'a>(
        &'a self,
        operation: &'static str,
        mut options: Option<&'a mut CallOptions>,
    ) -> Result<CallSettings<'a>, Error> {
        let own = &self.wire.api;
        let mut api = Cow::Borrowed(own);
        if let Some(options) = options.as_deref_mut() {
            options.check(operation)?;
            if options.attempt_timeout.is_some() || !options.headers.is_empty() {
                // The client's hooks already hold its attempt timeout: only an override
                // replaces it.
                let headers = std::mem::take(&mut options.headers);
                let mut hooks = own.inner().clone().extra_headers(headers);
                if let Some(timeout) = options.attempt_timeout {
                    hooks = hooks.attempt_timeout(timeout);
                }
                api = Cow::Owned(moneykit_api::Client::new_with_client(
                    own.baseurl(),
                    own.client().clone(),
                    hooks,
                ));
            }
        }
        let options: Option<&'a CallOptions> = options.map(|options| &*options);
        Ok(CallSettings {
            api,
            limits: Limits {
                deadline: Deadline::start(
                    options
                        .and_then(|o| o.call_timeout)
                        .unwrap_or(self.call_timeout),
                ),
                attempt_timeout: options
                    .and_then(|o| o.attempt_timeout)
                    .unwrap_or(self.attempt_timeout),
                retry: options
                    .and_then(|o| o.retry.as_ref())
                    .unwrap_or(&self.retry),
            },
        })
    }

    /// One call of `operation` under its `options`, if it sets any: checks, token, attempts,
    /// deadline, span.
    pub(crate) async fn run<O: Operation>(
        &self,
        operation: &O,
        options: Option<&mut CallOptions>,
    ) -> Result<BoxedResponse<O::Output>, Error> {
        let id = O::Documented::OPERATION_ID;
        for (label, value) in operation.path_parameters() {
            check_path_parameter(id, label, value)?;
        }
        let link_id = operation.link_id();
        if let Some(why) = operation.refusal() {
            return Err(Error::invalid_input(Some(id), why));
        }
        let requests_token = <O as Sealed>::REQUESTS_TOKEN;
        if requests_token && self.tokens.is_none() {
            return Err(Error::invalid_input(
                Some(id),
                "only client credentials request access tokens",
            ));
        }
        let call = self.resolve(id, options)?;
        let span = self.wire.request_span::<O::Documented>(link_id);
        let started = Instant::now();
        let send = || operation.send(&call.api);
        let observer = self.wire.observer.as_deref();
        // Boxed here, once: every layer below (span, the operation's request) would otherwise
        // move the whole state machine by value (profiled: memcpy was a third of the client's
        // cost over plain reqwest). The deadline bounds each step that could outlast it (the
        // token wait, a renewal, an attempt that may end after it) rather than the whole work,
        // so that most calls arm no timer for it.
        let work = Box::pin(async {
            // The token endpoint itself needs no token; any other call does.
            let tokens = self.tokens.as_ref().filter(|_| !requests_token);
            let seen = match tokens {
                Some(tokens) => Some(
                    call.limits
                        .deadline
                        .bound(id, tokens.current())
                        .await
                        .map_err(|e| e.while_waiting_for_token(id))?,
                ),
                None => None,
            };
            let first = attempts::<_, O::Documented, _, _>(&send, call.limits, observer, 0).await;
            let (Some(tokens), Some(seen), Err(error)) = (tokens, seen, &first) else {
                return first;
            };
            let Some(reason) = renews_token(error) else {
                return first;
            };
            tracing::debug!(
                operation = id,
                retry_reason = reason,
                "renewing the access token and retrying once"
            );
            Span::current().record("retry_reason", reason);
            let earlier = error.attempts();
            call.limits
                .deadline
                .bound(id, tokens.renew_after_expiry(seen))
                .await?;
            attempts::<_, O::Documented, _, _>(&send, call.limits, observer, earlier).await
        });
        let result = work
            .instrument(span.clone())
            .await
            .and_then(|(response, attempts)| {
                // A token asked for explicitly is cached like a renewed one.
                if let (Some(token), Some(tokens)) = (O::issued_token(&response), &self.tokens) {
                    tokens.store(&IssuedToken::check(token, attempts)?);
                }
                Ok(response)
            });
        record_outcome(&span, started, &result);
        result
    }
}

impl Wire {
    /// The `moneykit.request` span of one call of `E`'s operation (or of a token renewal), its
    /// fields after OpenTelemetry's HTTP client conventions beside the operation and link.
    fn request_span<E: DocumentedError>(&self, link_id: Option<&str>) -> Span {
        tracing::info_span!(
            "moneykit.request",
            otel.kind = "client",
            operation = E::OPERATION_ID,
            link_id,
            http.request.method = E::METHOD,
            url.template = E::PATH_TEMPLATE,
            server.address = self.server_address.as_str(),
            server.port = self.server_port,
            http.request.resend_count = field::Empty,
            http.response.status_code = field::Empty,
            duration_ms = field::Empty,
            retry_reason = field::Empty,
            error.r#type = field::Empty,
        )
    }

    /// `POST /auth/token` under the client's own settings, with retries, in its own span; a
    /// token that cannot be sent is an error.
    async fn request_token(&self, limits: Limits<'_>) -> Result<IssuedToken, Error> {
        let span = self.request_span::<CreateAccessTokenError>(None);
        let started = Instant::now();
        let operation = CreateAccessToken {
            body: self.credentials.token_body(),
        };
        let send = || operation.send(&self.api);
        let observer = self.observer.as_deref();
        let result = attempts::<_, CreateAccessTokenError, _, _>(&send, limits, observer, 0)
            .instrument(span.clone())
            .await
            .and_then(|(response, attempts)| IssuedToken::check(&response, attempts));
        record_outcome(&span, started, &result);
        result
    }
}

/// How the token cache renews: `POST /auth/token` under the client's own retry policy and
/// timeouts, whichever call needed the token (the renewal runs in a task of its own, outside
/// every call's options).
fn renewal_request(
    wire: Arc<Wire>,
    retry: RetryPolicy,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
) -> RequestToken {
    let retry = Arc::new(retry);
    Arc::new(move || {
        let (wire, retry) = (Arc::clone(&wire), Arc::clone(&retry));
        Box::pin(async move {
            let limits = Limits {
                deadline: Deadline::start(call_timeout),
                attempt_timeout,
                retry: &retry,
            };
            wire.request_token(limits).await
        })
    })
}

/// Sends with retries as the policy allows, never running or waiting past the deadline; the
/// answer with the number of attempts it took.
async fn attempts<T, E, F, Fut>(
    send: &F,
    limits: Limits<'_>,
    observer: Option<&dyn AttemptObserver>,
    earlier: u32,
) -> Result<(BoxedResponse<T>, u32), Error>
where
    E: DocumentedError,
    F: Fn() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let span = Span::current();
    // In every event as well as in the span, so that each event reads on its own.
    let operation = E::OPERATION_ID;
    // `tries` counts against the retry policy; `attempt` numbers the attempt in the whole call
    // (after `earlier` ones, before a token renewal), for the span, events, observer and error.
    let mut tries = 0;
    loop {
        tries += 1;
        let attempt = earlier.saturating_add(tries);
        if attempt > 1 {
            span.record("http.request.resend_count", attempt - 1);
        }
        let sent = Instant::now();
        // Boxed for the same reason as the call's work: the generated method's future is the
        // largest state here. The response is boxed where it is made, so that only a pointer
        // moves up.
        let one_attempt = Box::pin(async {
            match send().await {
                Ok(response) => Ok(Box::new(response)),
                // Reading the error body is part of the attempt.
                Err(error) => Err(classify::<E>(error).await),
            }
        });
        let outcome = if limits.deadline.may_cut(sent, limits.attempt_timeout) {
            limits.deadline.race(operation, one_attempt).await?
        } else {
            one_attempt.await
        };
        let error = match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                span.record("http.response.status_code", status);
                let elapsed = sent.elapsed();
                if let Some(observer) = observer {
                    observer.after_attempt(&AttemptEnd {
                        operation,
                        attempt,
                        status: Some(status),
                        error: None,
                        elapsed,
                    });
                }
                let elapsed_ms = millis(elapsed);
                tracing::debug!(operation, attempt, status, elapsed_ms, "attempt succeeded");
                return Ok((response, attempt));
            }
            Err(error) => error.with_attempts(attempt),
        };
        if let Some(observer) = observer {
            observer.after_attempt(&AttemptEnd {
                operation,
                attempt,
                status: error.status(),
                error: Some(&error),
                elapsed: sent.elapsed(),
            });
        }
        if let Some(status) = error.status() {
            span.record("http.response.status_code", status);
        }
        tracing::debug!(
            operation,
            attempt,
            status = error.status(),
            // Server-supplied: one bounded line, like everything `Error`'s `Display` shows.
            error_code = error
                .error_code()
                .map(|code| one_line(code, MAX_SNIPPET_CHARS)),
            elapsed_ms = elapsed_ms(sent),
            "attempt failed"
        );
        let Some(retry) = limits.retry.after_failure(tries, &error) else {
            return Err(error);
        };
        if !limits.deadline.allows_wait(retry.delay) {
            tracing::debug!(
                operation,
                attempt,
                retry_reason = retry.reason,
                "not retrying: the wait would pass the deadline"
            );
            return Err(error);
        }
        span.record("retry_reason", retry.reason);
        tracing::debug!(
            operation,
            attempt,
            retry_reason = retry.reason,
            delay_ms = millis(retry.delay),
            "retrying"
        );
        tokio::time::sleep(retry.delay).await;
    }
}

impl fmt::Debug for CallRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallRunner")
            .field("credentials", &self.wire.credentials)
            .field("retry", &self.retry)
            .field("call_timeout", &self.call_timeout)
            .finish_non_exhaustive()
    }
}

/// How much later than an attempt's start its own timeout may be armed: reqwest starts it once
/// the request is built and the hooks ran, and timers round up to the millisecond. An attempt
/// that could end within this of the deadline is raced with it.
const ATTEMPT_TIMER_SLACK: Duration = Duration::from_millis(100);

/// When a whole call must be over: its start plus the call timeout, if any.
#[derive(Clone, Copy)]
struct Deadline {
    limit: Option<Duration>,
    at: Option<Instant>,
}

impl Deadline {
    /// A deadline `limit` from now; one too far for the clock (`Duration::MAX`) never comes.
    fn start(limit: Option<Duration>) -> Self {
        Deadline {
            limit,
            at: limit.map(|limit| saturating_add(Instant::now(), limit)),
        }
    }

    /// Whether waiting `delay` now still ends before the deadline.
    fn allows_wait(&self, delay: Duration) -> bool {
        self.at.is_none_or(|at| {
            Instant::now()
                .checked_add(delay)
                .is_some_and(|end| end < at)
        })
    }

    /// Whether an attempt started at `started` could still run when the deadline comes. One that
    /// cannot (its own timeout ends it first, the common case) needs no timer of the deadline's.
    /// Its timeout is counted from a little later ([`ATTEMPT_TIMER_SLACK`]), as reqwest arms it.
    fn may_cut(&self, started: Instant, attempt_timeout: Option<Duration>) -> bool {
        match (self.at, attempt_timeout) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(at), Some(timeout)) => started
                .checked_add(timeout)
                .and_then(|end| end.checked_add(ATTEMPT_TIMER_SLACK))
                .is_none_or(|end| end >= at),
        }
    }

    /// `work`, or a timeout error of `operation` when the deadline passes first.
    async fn bound<T>(
        self,
        operation: &'static str,
        work: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        self.race(operation, work).await?
    }

    /// `work`'s output, or a timeout error of `operation` when the deadline passes first.
    async fn race<T>(
        self,
        operation: &'static str,
        work: impl Future<Output = T>,
    ) -> Result<T, Error> {
        let (Some(at), Some(limit)) = (self.at, self.limit) else {
            return Ok(work.await);
        };
        tokio::time::timeout_at(at, work)
            .await
            .map_err(|_| Error::timeout(operation, limit))
    }
}

/// Adds the application's headers ([`AttemptObserver::before_send`]) and then the credentials
/// to every request the generated client sends.
struct ClientHook {
    credentials: Credentials,
    /// Weak: the cache holds the generated client, which holds this hook.
    tokens: Option<Weak<TokenCache>>,
    observer: Option<Arc<dyn AttemptObserver>>,
}

impl moneykit_api::RequestHook for ClientHook {
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        operation_id: &'static str,
    ) -> Result<(), String> {
        if let Some(observer) = &self.observer {
            // Its own map: the observer neither sees the request's headers nor sets one the
            // client owns.
            let mut added = HeaderMap::new();
            observer.before_send(operation_id, &mut added);
            let headers = request.headers_mut();
            let mut name = None;
            for (next, value) in added {
                name = next.or(name);
                if let Some(name) = name.as_ref().filter(|n| !RESERVED_HEADERS.contains(n)) {
                    headers.append(name.clone(), value);
                }
            }
        }
        let token_request = operation_id == CreateAccessTokenError::OPERATION_ID;
        let tokens = self.tokens.as_ref().and_then(Weak::upgrade);
        self.credentials
            .apply(request.headers_mut(), token_request, tokens.as_deref())
    }
}

fn record_outcome<T>(span: &Span, started: Instant, result: &Result<T, Error>) {
    span.record("duration_ms", elapsed_ms(started));
    if let Err(error) = result {
        span.record("error.type", error.kind().as_str());
        span.in_scope(
            || tracing::debug!(operation = error.operation(), error = %error, "call failed"),
        );
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    millis(since.elapsed())
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Refuses a path parameter that cannot be sent as one URL segment of its own (`label` names
/// it in the error: `link id`).
fn check_path_parameter(operation: &'static str, label: &str, id: &str) -> Result<(), Error> {
    let refused = match id {
        "" => format!("the {label} is empty"),
        "." | ".." => format!("the {label} cannot be `.` or `..`"),
        _ if id.len() > MAX_LINK_ID_LEN => {
            format!("the {label} is longer than {MAX_LINK_ID_LEN} bytes")
        }
        _ => return Ok(()),
    };
    Err(Error::invalid_input(Some(operation), refused))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn link_ids_are_checked() {
        for refused in ["", ".", "..", &"a".repeat(MAX_LINK_ID_LEN + 1)] {
            assert_eq!(
                *check_path_parameter("get_link", "link id", refused)
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidInput
            );
        }
        let long = "a".repeat(MAX_LINK_ID_LEN);
        assert!(check_path_parameter("get_link", "link id", &long).is_ok());
        assert!(check_path_parameter("get_link", "link id", "mk_eqkWN34UEoa2NxyALG8pcV").is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn only_an_attempt_that_may_end_after_the_deadline_is_raced_with_it() {
        let now = Instant::now();
        let second = Duration::from_secs(1);
        let deadline = Deadline::start(Some(5 * second));
        assert!(!deadline.may_cut(now, Some(4 * second)));
        assert!(deadline.may_cut(now, Some(5 * second)));
        // Within the slack of the deadline: raced.
        assert!(deadline.may_cut(now, Some(Duration::from_millis(4950))));
        assert!(deadline.may_cut(now + 2 * second, Some(4 * second)));
        assert!(deadline.may_cut(now, None));
        assert!(deadline.may_cut(now, Some(Duration::MAX)));
        assert!(!Deadline::start(None).may_cut(now, None));
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_refuses_waits_that_end_after_it() {
        let deadline = Deadline::start(Some(Duration::from_secs(5)));
        assert!(deadline.allows_wait(Duration::from_millis(4999)));
        assert!(!deadline.allows_wait(Duration::from_secs(5)));
        assert!(Deadline::start(None).allows_wait(Duration::MAX));
        let error = deadline
            .bound("get_link", async {
                tokio::time::sleep(Duration::from_secs(6)).await;
                Ok(())
            })
            .await
            .unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::Timeout);
    }
}
