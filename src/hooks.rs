//! The seam through which the ergonomic `moneykit` crate reaches every request the generated
//! client sends. progenitor's `ClientHooks` must be implemented in the crate that includes the
//! generated code (orphan rule), so this crate implements it once and delegates to [`Hooks`].

use std::fmt;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue};

use crate::types::SupportedVersion;
use crate::{Client, PATH_TEMPLATES};

/// The header MoneyKit reads the API version from.
const MONEYKIT_VERSION: HeaderName = HeaderName::from_static("moneykit-version");
/// The header progenitor adds to every request; MoneyKit does not define it.
const PROGENITOR_API_VERSION: &str = "api-version";

/// Something that adjusts each request just before it is sent, such as adding credentials.
pub trait RequestHook: Send + Sync + 'static {
    /// Called once per request, after `moneykit-version` is set. `operation_id` is the spec's
    /// (`get_link`, …). An `Err` stops the call as `Error::Custom` with that message, so it
    /// must not contain a secret.
    fn before_send(
        &self,
        request: &mut reqwest::Request,
        operation_id: &'static str,
    ) -> Result<(), String>;
}

/// The per-client state the generated `Client` carries (`Client::new(url, hooks)`).
///
/// `Hooks::default()` adds nothing beyond the standard headers.
#[derive(Clone, Default)]
pub struct Hooks {
    before_send: Option<Arc<dyn RequestHook>>,
}

impl Hooks {
    /// Runs `hook` on every request.
    pub fn new(hook: impl RequestHook) -> Self {
        Self {
            before_send: Some(Arc::new(hook)),
        }
    }
}

impl fmt::Debug for Hooks {
    // The hook may hold credentials: say only whether there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("before_send", &self.before_send.as_ref().map(|_| ".."))
            .finish()
    }
}

impl ClientHooks<Hooks> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if !reaches_its_path(self.baseurl(), request.url(), info.operation_id) {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "`{}` would be sent to {}, outside its path: a path parameter such as `.` or \
                 `..` cannot be sent as one URL segment",
                info.operation_id,
                request.url().path()
            )));
        }
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION);
        if !headers.contains_key(&MONEYKIT_VERSION) {
            let default = HeaderValue::from_str(SupportedVersion::default().as_str())
                .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
            headers.insert(MONEYKIT_VERSION, default);
        }
        if let Some(hook) = &self.inner.before_send {
            hook.before_send(request, info.operation_id)
                .map_err(progenitor_client::Error::Custom)?;
        }
        Ok(())
    }
}

/// Whether `url` is the base URL's path followed by the operation's path template, each
/// `{param}` standing for exactly one segment. URL parsing resolves `.` and `..` segments (even
/// percent-encoded ones), so a link id `..` would otherwise silently reach another endpoint.
fn reaches_its_path(base_url: &str, url: &reqwest::Url, operation_id: &str) -> bool {
    let Some((_, template)) = PATH_TEMPLATES.iter().find(|(id, _)| *id == operation_id) else {
        return true;
    };
    let base_path = reqwest::Url::parse(base_url)
        .map(|base| base.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let Some(rest) = url.path().strip_prefix(&base_path) else {
        return false;
    };
    let actual: Vec<&str> = rest.split('/').collect();
    let expected: Vec<&str> = template.split('/').collect();
    actual.len() == expected.len()
        && actual.iter().zip(&expected).all(|(actual, expected)| {
            if expected.starts_with('{') {
                !actual.is_empty()
            } else {
                actual == expected
            }
        })
}
