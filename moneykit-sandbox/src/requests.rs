//! The requests a sandbox received, for a test's assertions: the last N, secrets masked before
//! they are stored.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Request};

use crate::{Operation, lock};

/// What replaces a secret in a recorded request (the mask of `moneykit_api::Sensitive`).
pub const MASK: &str = "••••";

/// One request the sandbox received ([`Sandbox::requests`](crate::Sandbox::requests)).
///
/// Secrets are masked before the request is stored: the credentials of an `Authorization`
/// header (its scheme is kept: `Bearer ••••`, `Basic ••••`), and the value of any header, query
/// or form field whose name contains `secret`, `token`, `password`, `cookie`, `apikey`,
/// `accesskey`, `privatekey`, `auth`, `credential` or `session` anywhere, in any case
/// (`X-Client-Secret`, `client_secret`, `x-accesstoken`, `X-Authorization`, `clientSecret`), or
/// has the word `key` on its own or as a camel-case tail (`X-Api-Key`, `privateKey`; not
/// `x-keyboard`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as received (percent-encoded), e.g. `/links/mk_sandbox_us/accounts`.
    pub path: String,
    /// The query string as received, without the `?`.
    pub query: Option<String>,
    /// The headers in the order received, names in lowercase, values masked as above (a value
    /// that is not UTF-8 is converted lossily).
    pub headers: Vec<(String, String)>,
    /// The form body of `POST /auth/token`, masked as above; a body of another content type is
    /// described, not kept (`<N bytes of application/json>`). `None` for other requests.
    pub body: Option<String>,
    /// The operation the request was routed to, `None` when no route matched.
    pub operation: Option<Operation>,
    /// What the sandbox did with it.
    pub outcome: Outcome,
}

impl RecordedRequest {
    /// The first value of the header `name` (case-insensitive), masked as recorded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The status answered, if one was.
    pub fn status(&self) -> Option<u16> {
        match self.outcome {
            Outcome::Answered(status) => Some(status),
            Outcome::Pending | Outcome::Dropped => None,
        }
    }
}

/// What the sandbox did with a request.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not answered yet (a delay is running), or the client left before the answer.
    Pending,
    /// Answered with this status.
    Answered(u16),
    /// The connection was closed without an answer ([`Fault::drop_connection`](crate::Fault::drop_connection)).
    Dropped,
}

/// The last `capacity` requests, oldest first, each with its sequence number.
pub(crate) struct RequestLog {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    next: u64,
    requests: VecDeque<(u64, RecordedRequest)>,
}

/// The sequence number of the request being handled, for the handler that adds its operation
/// and body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seq(pub(crate) u64);

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        RequestLog {
            capacity,
            inner: Mutex::new(Entries::default()),
        }
    }

    /// Records a request as it arrives; `None` (and nothing done) when recording is off.
    pub(crate) fn start<B>(&self, request: &Request<B>) -> Option<Seq> {
        if self.capacity == 0 {
            return None;
        }
        let uri = request.uri();
        let recorded = RecordedRequest {
            method: request.method().as_str().to_owned(),
            path: uri.path().to_owned(),
            query: uri.query().map(mask_form),
            headers: masked_headers(request.headers()),
            body: None,
            // Set by the route that takes it (`set_operation`); an unrouted request keeps none.
            operation: None,
            outcome: Outcome::Pending,
        };
        let mut entries = lock(&self.inner);
        let seq = entries.next;
        entries.next += 1;
        if entries.requests.len() == self.capacity {
            entries.requests.pop_front();
        }
        entries.requests.push_back((seq, recorded));
        Some(Seq(seq))
    }

    fn update(&self, Seq(seq): Seq, change: impl FnOnce(&mut RecordedRequest)) {
        let mut entries = lock(&self.inner);
        // Sequence numbers are consecutive from the front, unless `clear` emptied the log.
        let Some(&(first, _)) = entries.requests.front() else {
            return;
        };
        let index = seq.checked_sub(first).and_then(|i| usize::try_from(i).ok());
        if let Some((_, request)) = index.and_then(|i| entries.requests.get_mut(i)) {
            change(request);
        }
    }

    pub(crate) fn finish(&self, seq: Seq, outcome: Outcome) {
        self.update(seq, |request| request.outcome = outcome);
    }

    pub(crate) fn set_operation(&self, seq: Seq, operation: Operation) {
        self.update(seq, |request| request.operation = Some(operation));
    }

    pub(crate) fn set_body(&self, seq: Seq, headers: &HeaderMap, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        let body = describe_body(headers, body);
        self.update(seq, |request| request.body = Some(body));
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        let entries = lock(&self.inner);
        entries.requests.iter().map(|(_, r)| r.clone()).collect()
    }

    pub(crate) fn clear(&self) {
        lock(&self.inner).requests.clear();
    }
}

fn masked_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_str();
            let value = String::from_utf8_lossy(value.as_bytes());
            (name.to_owned(), mask_header(name, &value))
        })
        .collect()
}

fn mask_header(name: &str, value: &str) -> String {
    if name == "authorization" || name == "proxy-authorization" {
        return match value.trim().split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {MASK}"),
            None => MASK.to_owned(),
        };
    }
    if is_secret_name(name) {
        MASK.to_owned()
    } else {
        value.to_owned()
    }
}

/// Whether a header or field name names a secret: it contains one of [`SECRET_WORDS`]
/// anywhere, case-insensitively (`x-client-secret`, `client_secret`, `x-accesstoken`,
/// `x-authorization`, `set-cookie`, `clientSecret`), or has the word `key` on its own or as a
/// camel-case tail (`x-api-key`, `privateKey`). Header names arrive in lowercase, so a one-word
/// name like `x-accesstoken` can only be caught by containment; `key` alone is not matched
/// inside a word, or `x-keyboard` and `x-monkey` would be masked. Masking a harmless name (say
/// `x-author`) costs a test a value; missing a secret stores it. The search runs only while
/// requests are recorded (the binary records none), over names of a few dozen bytes.
fn is_secret_name(name: &str) -> bool {
    let name = name.as_bytes();
    let contains = |word: &str| {
        name.windows(word.len())
            .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
    };
    SECRET_WORDS.iter().any(|word| contains(word))
        || name.split(|&b| b == b'-' || b == b'_').any(|word| {
            word.eq_ignore_ascii_case(b"key")
                || (word.len() > 3
                    && word.ends_with(b"Key")
                    && word[word.len() - 4].is_ascii_lowercase())
        })
}

/// Words that mark a name as a secret's wherever they appear in it. `auth` covers
/// `authorization` and `oauth`, `credential` `credentials`; `apikey`, `accesskey` and
/// `privatekey` are the one-word keys that `key` alone cannot catch.
const SECRET_WORDS: [&str; 10] = [
    "secret",
    "token",
    "password",
    "cookie",
    "apikey",
    "accesskey",
    "privatekey",
    "auth",
    "credential",
    "session",
];

/// A query or form body as received, with the value of each secret field replaced by [`MASK`]
/// (a pair whose name cannot be decoded is masked whole).
fn mask_form(raw: &str) -> String {
    let masked: Vec<String> = raw
        .split('&')
        .map(|pair| {
            let raw_name = pair.split_once('=').map_or(pair, |(name, _)| name);
            match serde_urlencoded::from_str::<Vec<(String, String)>>(pair) {
                Ok(decoded) if decoded.iter().any(|(name, _)| is_secret_name(name)) => {
                    format!("{raw_name}={MASK}")
                }
                Ok(_) => pair.to_owned(),
                Err(_) => MASK.to_owned(),
            }
        })
        .collect();
    masked.join("&")
}

fn describe_body(headers: &HeaderMap, body: &[u8]) -> String {
    let mime = media_type(headers);
    match std::str::from_utf8(body) {
        Ok(form) if is_form(mime) => mask_form(form),
        _ => format!("<{} bytes of {}>", body.len(), mime_or_unknown(mime)),
    }
}

/// The media type of the `Content-Type` header, without its parameters; empty when there is
/// none (or it is not text).
pub(crate) fn media_type(headers: &HeaderMap) -> &str {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .unwrap_or_default()
        .trim()
}

/// Whether `media_type` is a form body (media types compare case-insensitively).
pub(crate) fn is_form(media_type: &str) -> bool {
    media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

fn mime_or_unknown(mime: &str) -> &str {
    if mime.is_empty() {
        "unknown type"
    } else {
        mime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_mask_is_the_one_sensitive_values_print() {
        assert_eq!(moneykit_api::Sensitive::from("short").masked(), MASK);
    }

    #[test]
    fn secrets_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_header("authorization", "Bearer sbx_abc"),
            "Bearer ••••"
        );
        assert_eq!(mask_header("authorization", "sbx_abc"), MASK);
        assert_eq!(mask_header("x-client-secret", "s3cr3t"), MASK);
        assert_eq!(mask_header("x-api-key", "k"), MASK);
        assert_eq!(mask_header("x-authorization", "Bearer t"), MASK);
        assert_eq!(mask_header("x-auth", "t"), MASK);
        assert_eq!(mask_header("x-session", "s"), MASK);
        assert_eq!(
            mask_form("clientSecret=s&accessToken=t&apiKey=k"),
            "clientSecret=••••&accessToken=••••&apiKey=••••"
        );
        assert_eq!(mask_header("x-keyboard", "qwerty"), "qwerty");
        assert_eq!(mask_header("x-monkey", "m"), "m");
        assert_eq!(
            mask_header("x-client-id", "sandbox_client_id"),
            "sandbox_client_id"
        );
        assert_eq!(
            mask_form("grant_type=client_credentials&client_secret=s3cr3t&client_id=me"),
            "grant_type=client_credentials&client_secret=••••&client_id=me"
        );
        assert_eq!(
            mask_form("account_ids=a&account_ids=b"),
            "account_ids=a&account_ids=b"
        );
        assert_eq!(
            mask_form("client%5Fsecret=x&a=%FF"),
            "client%5Fsecret=••••&a=%FF"
        );
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let json = describe_body(&headers, br#"{"client_secret":"s3cr3t"}"#);
        assert_eq!(json, "<26 bytes of application/json>");
    }

    /// Finding: header names arrive in lowercase, so one-word names (`x-accesstoken`) never
    /// matched the camel-case rule and were stored unmasked.
    #[test]
    fn one_word_lowercase_secret_header_names_are_masked() {
        let masked = [
            // The finding's four.
            "x-accesstoken",
            "x-authtoken",
            "x-clientsecret",
            "x-apitoken",
            // One word per secret word, and the names masked before.
            "x-sessionid",
            "x-userpassword",
            "x-sessioncookie",
            "x-clientcredential",
            "x-clientcredentials",
            "x-oauth",
            "x-apikey",
            "x-accesskey",
            "x-privatekey",
            "x-client-secret",
            "x-api-key",
            "x-authorization",
            "x-auth",
            "x-session",
            "set-cookie",
            "x-access-token",
        ];
        for name in masked {
            assert_eq!(mask_header(name, "s3cr3t"), MASK, "{name}");
            assert_eq!(
                mask_form(&format!("{name}=s3cr3t")),
                format!("{name}={MASK}"),
                "{name}"
            );
        }
        for camel in [
            "clientSecret",
            "accessToken",
            "apiKey",
            "privateKey",
            "xAuthToken",
        ] {
            assert_eq!(mask_form(&format!("{camel}=v")), format!("{camel}={MASK}"));
        }
        for kept in [
            "x-client-id",
            "x-keyboard",
            "x-monkey",
            "content-type",
            "x-request-id",
            "account_ids",
            "grant_type",
            "client_id",
            "moneykit-version",
        ] {
            assert_eq!(mask_header(kept, "plain"), "plain", "{kept}");
        }
    }

    #[test]
    fn the_log_keeps_the_last_n() {
        let log = RequestLog::new(2);
        let request = |path: &str| Request::get(path).body(()).unwrap();
        let first = log.start(&request("/a")).unwrap();
        log.start(&request("/b")).unwrap();
        let third = log.start(&request("/c")).unwrap();
        log.finish(first, Outcome::Answered(200));
        log.finish(third, Outcome::Dropped);
        let paths: Vec<_> = log
            .snapshot()
            .into_iter()
            .map(|r| (r.path, r.outcome))
            .collect();
        assert_eq!(
            paths,
            [
                ("/b".to_owned(), Outcome::Pending),
                ("/c".to_owned(), Outcome::Dropped)
            ]
        );
        assert!(RequestLog::new(0).start(&request("/a")).is_none());
    }
}
