//! The seam through which the ergonomic `moneykit` crate reaches every request the generated
//! client sends. progenitor's `ClientHooks` must be implemented in the crate that includes the
//! generated code (orphan rule), so this crate implements it once and delegates to [`Hooks`].

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http_body_util::{BodyExt, LengthLimitError, Limited};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::ResponseBuilderExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::types::SupportedVersion;
use crate::{Client, PATH_TEMPLATES};

/// The header MoneyKit reads the API version from.
const MONEYKIT_VERSION: HeaderName = HeaderName::from_static("moneykit-version");

/// Something that adjusts each request just before it is sent, such as adding credentials.
pub trait RequestHook: Send + Sync + 'static {
    /// Called once per request, after `moneykit-version` and the [extra
    /// headers](Hooks::extra_headers) are set. `operation_id` is the spec's
    /// (`get_link`, …). An `Err` stops the call as `Error::Custom` with that message, so it
    /// must not contain a secret.
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        operation_id: &'static str,
    ) -> Result<(), String>;
}

/// The state the generated `Client` carries (`Client::new(url, hooks)`): what every request it
/// sends gets. A client for one call is a clone of the generated client with other hooks
/// (`Client::new_with_client(client.baseurl(), client.client().clone(), hooks)`), so that a
/// call's own attempt timeout and headers reach its requests as a value, and no other's.
///
/// `Hooks::default()` adds nothing beyond the standard headers and sets no timeout.
///
/// Both constructors call [`tls::init`](crate::tls::init): a `Hooks` is built before the
/// `Client::new` that builds the `reqwest::Client`, so the TLS backend is ready by then.
#[derive(Clone)]
pub struct Hooks {
    before_send: Option<Arc<dyn RequestHook>>,
    max_response_bytes: Option<u64>,
    attempt_timeout: Option<Duration>,
    /// Ready-made, so that no request formats it; `None`: the spec's default.
    api_version: Option<HeaderValue>,
    extra_headers: HeaderMap,
    /// The client's base URL and its path, parsed once (the path check runs on every request),
    /// and shared with the clones that per-call clients get.
    base_path: Arc<OnceLock<(String, String)>>,
}

impl Default for Hooks {
    fn default() -> Self {
        crate::tls::init();
        Self {
            before_send: None,
            max_response_bytes: None,
            attempt_timeout: None,
            api_version: None,
            extra_headers: HeaderMap::new(),
            base_path: Arc::default(),
        }
    }
}

impl Hooks {
    /// Runs `hook` on every request.
    pub fn new(hook: impl RequestHook) -> Self {
        Self {
            before_send: Some(Arc::new(hook)),
            ..Self::default()
        }
    }

    /// Caps every response body at `limit` bytes, success and error bodies alike, while it
    /// streams: a body that declares a larger `Content-Length` fails before any of it is read,
    /// and one that grows past the cap fails as soon as the chunk that crosses it arrives (that
    /// chunk is not kept). Either way reading the body fails with an error whose
    /// [`source`](std::error::Error::source) chain holds [`ResponseTooLarge`]; the connection
    /// is dropped, not drained. Without a cap (the default) bodies are read whole.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// How long each request may take, from sending it to the end of its body (reqwest's
    /// per-request timeout, so it holds whatever `reqwest::Client` the generated client uses);
    /// `None` (the default) sets none.
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The `moneykit-version` of every request whose method is given none (by default the
    /// spec's, [`SupportedVersion::default`]).
    pub fn api_version(mut self, version: HeaderValue) -> Self {
        self.api_version = Some(version);
        self
    }

    /// Headers added to every request, after `moneykit-version` and before the
    /// [`RequestHook`]; a name already set is added again, not replaced.
    pub fn extra_headers(mut self, headers: HeaderMap) -> Self {
        self.extra_headers = headers;
        self
    }

    /// The path of `base_url`, without its trailing `/`: parsed once, on the first request, and
    /// shared by every clone of these hooks. A clone given to a client with another base URL
    /// parses its own on every request.
    fn base_path(&self, base_url: &str) -> Cow<'_, str> {
        let parse = || {
            let path = reqwest::Url::parse(base_url)
                .map(|base| base.path().trim_end_matches('/').to_owned())
                .unwrap_or_default();
            (base_url.to_owned(), path)
        };
        match self.base_path.get_or_init(parse) {
            (url, path) if url == base_url => Cow::Borrowed(path),
            _ => Cow::Owned(parse().1),
        }
    }
}

/// A response body was larger than the cap set with [`Hooks::max_response_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseTooLarge {
    /// The cap, in bytes.
    pub limit: u64,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response body is larger than {} bytes", self.limit)
    }
}

impl std::error::Error for ResponseTooLarge {}

impl ResponseTooLarge {
    /// The cap that `error` (or an error in its source chain) reports, if it is this one.
    pub fn find(error: &(dyn std::error::Error + 'static)) -> Option<ResponseTooLarge> {
        find_in_chain(error)
    }
}

/// The HTTP client followed a redirect, so the response came from elsewhere than the request was
/// sent to. Only a `reqwest::Client` built without [`tls::client_builder`](crate::tls::client_builder)
/// (which turns redirects off) can do that; its response body is refused with this error, in
/// the [`source`](std::error::Error::source) chain of the error reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowedRedirect;

impl fmt::Display for FollowedRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the HTTP client followed a redirect, which may have sent credentials elsewhere; \
             build it with redirects off (tls::client_builder does)",
        )
    }
}

impl std::error::Error for FollowedRedirect {}

impl FollowedRedirect {
    /// Whether `error` (or an error in its source chain) is this one.
    pub fn find(error: &(dyn std::error::Error + 'static)) -> Option<FollowedRedirect> {
        find_in_chain(error)
    }
}

/// The first error of type `T` in `error`'s source chain.
fn find_in_chain<T: std::error::Error + Copy + 'static>(
    error: &(dyn std::error::Error + 'static),
) -> Option<T> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(*found);
        }
        next = error.source();
    }
    None
}

impl fmt::Debug for Hooks {
    // The hook may hold credentials: say only whether there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("before_send", &self.before_send.as_ref().map(|_| ".."))
            .field("max_response_bytes", &self.max_response_bytes)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("api_version", &self.api_version)
            // Names only: a header may carry a caller's secret.
            .field(
                "extra_headers",
                &self.extra_headers.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ClientHooks<Hooks> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let base_path = self.inner.base_path(self.baseurl());
        if !reaches_its_path(&base_path, request.url(), info.operation_id) {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "`{}` would be sent to {}, outside its path: a path parameter such as `.` or \
                 `..` cannot be sent as one URL segment",
                info.operation_id,
                request.url().path()
            )));
        }
        let headers = request.headers_mut();
        if !headers.contains_key(&MONEYKIT_VERSION) {
            let version = match &self.inner.api_version {
                Some(version) => version.clone(),
                None => HeaderValue::from_str(SupportedVersion::default().as_str())
                    .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?,
            };
            headers.insert(MONEYKIT_VERSION, version);
        }
        for (name, value) in &self.inner.extra_headers {
            headers.append(name.clone(), value.clone());
        }
        *request.timeout_mut() = self.inner.attempt_timeout;
        if let Some(hook) = &self.inner.before_send {
            hook.before_send(request, info.operation_id)
                .map_err(progenitor_client::Error::Custom)?;
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let sent_to = request.url().clone();
        let response = self.client().execute(request).await?;
        if *response.url() != sent_to {
            return Ok(refused(response, FollowedRedirect));
        }
        Ok(match self.inner.max_response_bytes {
            // A declared length within the cap is enforced by hyper itself (it reads that many
            // bytes and no more), so only a chunked or oversized body needs the wrapper.
            Some(limit)
                if response
                    .content_length()
                    .is_none_or(|length| length > limit) =>
            {
                capped(response, limit)
            }
            _ => response,
        })
    }
}

/// `response` with its body capped at `limit` bytes. progenitor reads a success body whole
/// (`ResponseValue::from_response`), so the cap has to sit in the body itself, below it.
fn capped(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let too_large = ResponseTooLarge { limit };
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return refused(response, too_large);
    }
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    with_body(response, |body| {
        let limited = Limited::new(body, limit_usize).map_err(move |error| {
            if error.is::<LengthLimitError>() {
                Box::new(too_large)
            } else {
                error
            }
        });
        reqwest::Body::wrap(limited)
    })
}

/// `response` with a body that fails with `why` at once. Dropping the original body closes the
/// connection without reading it.
fn refused<E>(response: reqwest::Response, why: E) -> reqwest::Response
where
    E: std::error::Error + Send + Sync + 'static,
{
    with_body(response, |_original| {
        let refused = http_body_util::Empty::<&'static [u8]>::new()
            .map_err(|never| match never {})
            .with_trailers(async move { Some(Err(why)) });
        reqwest::Body::wrap(refused)
    })
}

/// `response` with its body replaced by `replace(body)`, status, headers and URL kept.
fn with_body(
    response: reqwest::Response,
    replace: impl FnOnce(reqwest::Body) -> reqwest::Body,
) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = replace(body);
    // `From<reqwest::Response>` leaves the URL behind; the builder's extension carries it back.
    let (url_parts, ()) = http::Response::builder()
        .url(url)
        .body(())
        .map(http::Response::into_parts)
        .unwrap_or_else(|_| http::Response::new(()).into_parts());
    parts.extensions.extend(url_parts.extensions);
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Whether `url` is the base URL's path (`base_path`) followed by the operation's path template, each
/// `{param}` standing for exactly one segment. URL parsing resolves `.` and `..` segments (even
/// percent-encoded ones), so a link id `..` would otherwise silently reach another endpoint.
fn reaches_its_path(base_path: &str, url: &reqwest::Url, operation_id: &str) -> bool {
    let Some((_, template)) = PATH_TEMPLATES.iter().find(|(id, _)| *id == operation_id) else {
        return true;
    };
    url.path()
        .strip_prefix(base_path)
        .is_some_and(|path| fills(path.as_bytes(), template.as_bytes()))
}

/// Whether `path` is `template` with each `{param}` replaced by one non-empty segment. Bytes,
/// not `split('/')`: it runs on every request.
fn fills(mut path: &[u8], mut template: &[u8]) -> bool {
    loop {
        let Some(open) = template.iter().position(|&b| b == b'{') else {
            return path == template;
        };
        let Some(segment) = path.strip_prefix(&template[..open]) else {
            return false;
        };
        let Some(close) = template[open..].iter().position(|&b| b == b'}') else {
            return false;
        };
        let length = segment
            .iter()
            .position(|&b| b == b'/')
            .unwrap_or(segment.len());
        if length == 0 {
            return false;
        }
        path = &segment[length..];
        template = &template[open + close + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::fills;

    #[test]
    fn a_path_fills_its_template_with_one_non_empty_segment_per_parameter() {
        struct Row {
            path: &'static str,
            template: &'static str,
            fills: bool,
        }
        let rows = [
            Row {
                path: "/links/mk_1",
                template: "/links/{id}",
                fills: true,
            },
            Row {
                path: "/links/mk_1/accounts",
                template: "/links/{id}/accounts",
                fills: true,
            },
            Row {
                path: "/links/a/b/c",
                template: "/links/{id}/b/{x}",
                fills: true,
            },
            Row {
                path: "/auth/token",
                template: "/auth/token",
                fills: true,
            },
            Row {
                path: "/links/",
                template: "/links/{id}",
                fills: false,
            },
            Row {
                path: "/links//accounts",
                template: "/links/{id}/accounts",
                fills: false,
            },
            Row {
                path: "/links/a/b",
                template: "/links/{id}",
                fills: false,
            },
            Row {
                path: "/links/accounts",
                template: "/links/{id}/accounts",
                fills: false,
            },
            Row {
                path: "/links/mk_1/numbers",
                template: "/links/{id}/accounts",
                fills: false,
            },
            Row {
                path: "/link/mk_1",
                template: "/links/{id}",
                fills: false,
            },
            Row {
                path: "/auth/token/",
                template: "/auth/token",
                fills: false,
            },
            Row {
                path: "/links/mk_1",
                template: "/links/{id",
                fills: false,
            },
        ];
        for row in rows {
            assert_eq!(
                fills(row.path.as_bytes(), row.template.as_bytes()),
                row.fills,
                "{} in {}",
                row.path,
                row.template
            );
        }
    }
}
