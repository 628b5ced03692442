//! [`Request`]: one call of an operation before it is sent, with the options that change it for
//! this call only (timeouts, retries, extra headers), and [`Response`]: the decoded body with the
//! HTTP status and headers, for callers who want them. What each operation sends is here; how
//! it is sent is `call.rs`'s business.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use moneykit_api::errors::{CreateAccessTokenError, DocumentedError};
use moneykit_api::types;
use moneykit_api::{ByteStream, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::call::CallOptions;
use crate::client::Client;
use crate::error::Error;
use crate::retry::RetryPolicy;

/// One call of an operation, not sent yet: from a method of a resource handle (such as
/// [`Link::get`](crate::Link::get)) or [`Client::authenticate`].
///
/// Await it (or call [`send`](Request::send)) for the decoded body, or
/// [`send_with_response`](Request::send_with_response) for the body with the HTTP status and
/// headers. Before that, the client's defaults can be changed for this call only: the
/// [`attempt_timeout`](Request::attempt_timeout) of each attempt, the whole call's
/// [`call_timeout`](Request::call_timeout), the [`retry_policy`](Request::retry_policy), and
/// extra [`header`](Request::header)s.
///
/// ```no_run
/// # async fn run(client: moneykit::Client) -> Result<(), moneykit::Error> {
/// use std::time::Duration;
/// use moneykit::RetryPolicy;
///
/// let accounts = client
///     .link("mk_eqkWN34UEoa2NxyALG8pcV")
///     .accounts()
///     .call_timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::disabled())
///     .header("x-correlation-id", "checkout-42")
///     .await?;
/// # let _ = accounts; Ok(()) }
/// ```
#[must_use = "nothing is sent until `.send()` or `.await`"]
pub struct Request<O: Operation> {
    client: Client,
    operation: O,
    /// `None` until an option is set: most calls set none, and the request moves through
    /// several builders and futures, so it stays small.
    options: Option<Box<CallOptions>>,
}

/// An API operation: what one [`Request`] sends, as data (its path, query and body parameters).
/// Implemented by this crate only: generated from `openapi.yaml` for every operation (such as
/// [`GetLink`](crate::GetLink)), and [`CreateAccessToken`]. Every operation is sent by the same
/// code (the client's call runner), which asks the operation only for what differs.
pub trait Operation: sealed::Sealed + Send + Sync + 'static {
    /// The decoded body of a success response.
    type Output: Send + 'static;
}

pub(crate) use sealed::Sealed;

mod sealed {
    use super::*;

    /// What the call runner asks of an operation. Private, so only this crate implements
    /// [`Operation`]; its methods take only public types, so the runner needs no adapter.
    pub trait Sealed {
        /// The operation's documented error bodies, with its id, method and path template
        /// (generated from `openapi.yaml`).
        type Documented: DocumentedError;

        /// Whether this is the token request: sent without a token, and its token cached.
        const REQUESTS_TOKEN: bool = false;

        /// The link the call is for, if any: the span's `link_id`.
        fn link_id(&self) -> Option<&str> {
            None
        }

        /// Each path parameter with how an error names it (`link id`): checked before sending
        /// to be one URL segment.
        fn path_parameters(&self) -> impl Iterator<Item = (&'static str, &str)> {
            std::iter::empty()
        }

        /// Why the parameters cannot be sent, if they cannot.
        fn refusal(&self) -> Option<&'static str> {
            None
        }

        /// One attempt, through the generated method (whose hooks add the client's
        /// `moneykit-version`).
        fn send<'a>(
            &'a self,
            api: &'a moneykit_api::Client,
        ) -> impl Future<Output = ApiResult<<Self as Operation>::Output>> + Send + 'a
        where
            Self: Operation;

        /// The token in a success response of the token request, to be cached.
        fn issued_token(
            _response: &<Self as Operation>::Output,
        ) -> Option<&types::CreateAccessTokenResponse>
        where
            Self: Operation,
        {
            None
        }
    }
}

/// What one attempt of an operation gives back from the generated client.
pub(crate) type ApiResult<T> = Result<ResponseValue<T>, moneykit_api::Error<ByteStream>>;

/// `POST /auth/token`: [`Client::authenticate`].
#[derive(Clone)]
pub struct CreateAccessToken {
    /// The credentials' form body (the call runner refuses the request unless they are client
    /// credentials).
    pub(crate) body: types::BodyCreateAccessTokenAuthTokenPost,
}

impl fmt::Debug for CreateAccessToken {
    // The body holds the client secret (masked) and id: neither is this type's to show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateAccessToken").finish_non_exhaustive()
    }
}

impl Operation for CreateAccessToken {
    type Output = types::CreateAccessTokenResponse;
}

impl sealed::Sealed for CreateAccessToken {
    type Documented = CreateAccessTokenError;

    const REQUESTS_TOKEN: bool = true;

    fn send<'a>(
        &'a self,
        api: &'a moneykit_api::Client,
    ) -> impl Future<Output = ApiResult<<Self as Operation>::Output>> + Send + 'a {
        api.create_access_token(None, &self.body)
    }

    fn issued_token(
        response: &<Self as Operation>::Output,
    ) -> Option<&types::CreateAccessTokenResponse> {
        Some(response)
    }
}

impl<O: Operation> Request<O> {
    pub(crate) fn new(client: Client, operation: O) -> Self {
        Request {
            client,
            operation,
            options: None,
        }
    }

    /// The operation's parameters, for the generated setters.
    pub(crate) fn operation_mut(&mut self) -> &mut O {
        &mut self.operation
    }

    fn options_mut(&mut self) -> &mut CallOptions {
        self.options.get_or_insert_default()
    }

    /// How long each attempt (one HTTP request and its response) may take, for this call only
    /// (the client's is [`ClientBuilder::attempt_timeout`](crate::ClientBuilder::attempt_timeout)). `None` sets
    /// no limit; zero fails the call with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.options_mut().attempt_timeout = Some(timeout.into());
        self
    }

    /// How long this whole call may take: token renewal, attempts and the waits between them
    /// (the client's is [`ClientBuilder::call_timeout`](crate::ClientBuilder::call_timeout)).
    /// `None` sets no deadline; zero fails the call with
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn call_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.options_mut().call_timeout = Some(timeout.into());
        self
    }

    /// How this call's failed requests are repeated, instead of the client's
    /// [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy). A token renewal the
    /// call waits for does not: it runs under the client's settings, shared by every call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options_mut().retry = Some(policy);
        self
    }

    /// Sends this header with the operation's request (every attempt of it), after the ones the
    /// client sets; repeated names are all sent. Not sent with a token request the call needs.
    ///
    /// The call fails with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), before
    /// any request, when the name or value is not valid HTTP, or when the name is one the client
    /// owns: `Authorization`, `X-Client-Id`, `X-Client-Secret`, `moneykit-version` (set them on
    /// the client), `Host`, `Content-Length` or `Transfer-Encoding`. The value is never shown in
    /// an error.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        let Ok(name) = HeaderName::try_from(name) else {
            self.options_mut().refused_header =
                Some("an extra header's name is not valid".to_owned());
            return self;
        };
        match HeaderValue::try_from(value) {
            Ok(value) => {
                self.options_mut().headers.append(name, value);
            }
            Err(_) => {
                self.options_mut().refused_header =
                    Some(format!("the value of the header `{name}` is not valid"));
            }
        }
        self
    }

    /// Sends the request; the decoded body.
    pub async fn send(mut self) -> Result<O::Output, Error> {
        let runner = self.client.runner();
        let response = runner
            .run(&self.operation, self.options.as_deref_mut())
            .await?;
        Ok(response.into_inner())
    }

    /// Sends the request; the decoded body with the response's status and headers (all of them:
    /// MoneyKit documents no request-id header, so read whichever one your deployment adds).
    /// Errors keep their response's headers too ([`Error::headers`]).
    pub async fn send_with_response(mut self) -> Result<Response<O::Output>, Error> {
        let runner = self.client.runner();
        let response = runner
            .run(&self.operation, self.options.as_deref_mut())
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        Ok(Response {
            status,
            headers,
            body: response.into_inner(),
        })
    }
}

impl<O: Operation> IntoFuture for Request<O> {
    type Output = Result<O::Output, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<O: Operation + fmt::Debug> fmt::Debug for Request<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let options = self.options.as_deref();
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("attempt_timeout", &options.and_then(|o| o.attempt_timeout))
            .field("call_timeout", &options.and_then(|o| o.call_timeout))
            .field("retry_policy", &options.and_then(|o| o.retry.as_ref()))
            // Names only: a header may carry a caller's secret.
            .field(
                "headers",
                &options.map_or_else(Vec::new, |o| o.headers.keys().collect()),
            )
            .finish()
    }
}

/// A decoded body with the HTTP status and headers it came with, from
/// [`Request::send_with_response`].
///
/// ```no_run
/// # async fn run(client: moneykit::Client) -> Result<(), moneykit::Error> {
/// let response = client.link("mk_eqkWN34UEoa2NxyALG8pcV").get().send_with_response().await?;
/// assert_eq!(response.status(), 200);
/// let request_id = response.headers().get("x-request-id").cloned();
/// let link = response.into_body();
/// # let _ = (request_id, link); Ok(()) }
/// ```
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    /// The HTTP status (a 2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Every response header, as received.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, without the status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The status, the headers and the body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            // Names only: a header such as `Set-Cookie` may be a secret.
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body)
            .finish()
    }
}
