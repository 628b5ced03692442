//! `moneykit`: the MoneyKit API client for Rust applications.
//!
//! Authenticate once and forget about tokens, match on meaningful errors, survive rate limits,
//! and keep secrets and account numbers out of logs. The requests and response types come from
//! the generated low-level crate `moneykit-api` (re-exported here as [`types`]); this crate adds
//! authentication, retries, deadlines, error classification and tracing on top.
//!
//! # The whole flow
//!
//! ```no_run
//! use moneykit::{Client, ErrorKind, LinkFreshness};
//! use moneykit::types::Product;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // MONEYKIT_ACCESS_TOKEN, or MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET …
//! let client = Client::from_env()?;
//! // … or explicitly:
//! let client = Client::builder()
//!     .client_credentials("my-client-id", "my-client-secret")
//!     .build()?;
//!
//! let link = client.link("mk_eqkWN34UEoa2NxyALG8pcV");
//! let details = link.get().await?;
//! println!("{} is {}", details.institution_name, details.state);
//!
//! let accounts = link.accounts().send().await?;
//! for account in &accounts.accounts {
//!     println!("{} {:?}", account.account_id, account.balances);
//! }
//! // Amounts are exact decimals (`Amount`), never binary floats.
//! let total: moneykit::rust_decimal::Decimal = (accounts.accounts.iter())
//!     .filter_map(|a| a.balances.available())
//!     .map(|amount| amount.decimal())
//!     .sum();
//! println!("available in total: {total}");
//! let some = link.accounts().account_ids(["acc_6Tef269B6ZArSVpYrxtjBV"]).await?;
//! # let _ = some;
//!
//! let seen = None; // the refreshed_at you stored last time
//! if details.has_new_data(&Product::AccountNumbers, seen.as_ref()) {
//!     match link.account_numbers().await {
//!         Ok(numbers) => {
//!             for ach in &numbers.accounts[0].numbers.ach {
//!                 // Debug, Display and serialization show ••••8062; reading the full
//!                 // number is explicit (`None` only for a masked copy).
//!                 let _full: Option<&str> = ach.account_number.reveal();
//!             }
//!         }
//!         Err(e) if matches!(e.kind(), ErrorKind::Forbidden) => {
//!             eprintln!("the user did not share account numbers: {e}");
//!         }
//!         Err(e) => return Err(e.into()),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Authentication
//!
//! Three modes ([`Credentials`]):
//! - **client credentials** (recommended): the client calls `POST /auth/token` (form body, or
//!   HTTP Basic with [`TokenAuthMethod::Basic`]), caches the token and renews it 60 s before it
//!   expires. A call refused with `api_error.auth.expired_access_token` renews the token once and
//!   is sent again. Renewal is single-flight: however many concurrent calls find the token
//!   expired, one token request is made. It runs in a task of its own under the client's
//!   settings (retry policy, timeouts), never under the options of the call that needed it, and
//!   each call waits for it within its own deadline. When a renewal before expiry fails, calls
//!   keep using the cached token until it really expires and retry the renewal in the
//!   background (not before the token endpoint's `Retry-After`);
//! - **an access token** you obtained yourself, never renewed;
//! - **the `X-Client-Id` / `X-Client-Secret` header pair** on every request.
//!
//! From configured values (the environment, a command line), one rule picks them:
//! [`Credentials::from_sources`]. Blank means unset, an access token wins over a client id and
//! secret, and half a pair is an error ([`BuildError::MissingClientSecret`],
//! [`BuildError::MissingClientId`]).
//!
//! Secrets and tokens are held as [`secrecy::SecretString`], the `Authorization` and
//! `X-Client-Secret` headers are marked sensitive, and the `Debug` output of [`Client`],
//! [`ClientBuilder`] and [`Credentials`] never shows them; a token in a response is a
//! [`Secret`], of which `Debug` and `Display` show nothing. The HTTP client this crate builds
//! follows no redirect (a 3xx is [`ErrorKind::UnexpectedStatus`] with its `Location` in
//! [`Error::headers`]), so no secret is sent to an origin a `Location` names; a client you
//! supply must not follow them either ([`ClientBuilder::http_client`]).
//!
//! A client id and secret may hold any character (they are form-encoded, also inside HTTP
//! Basic as RFC 6749 §2.3.1 requires); an access token and the `X-Client` pair are header
//! values, so visible ASCII.
//!
//! # Errors
//!
//! Every call returns [`Error`]. Match on [`Error::kind`]; [`ErrorKind::as_str`] is its stable
//! snake_case name (in parentheses below) for logs, metrics and scripts:
//!
//! | kind | when |
//! |---|---|
//! | [`ErrorKind::Unauthorized`] (`unauthorized`) | 401; the [`UnauthorizedReason`] says expired token, invalid credentials or no access to the link |
//! | [`ErrorKind::Forbidden`] (`forbidden`) | 403 `link_error.forbidden_action` |
//! | [`ErrorKind::NotFound`] (`not_found`) | 404 `link_error.not_found` |
//! | [`ErrorKind::Deleted`] (`deleted`) | 410 `link_error.deleted` |
//! | [`ErrorKind::BadState`] (`bad_state`) | 422 `link_error.bad_state`, with its `link_error_code` |
//! | [`ErrorKind::RateLimited`] (`rate_limited`) | 429 after the retries, or at once when `Retry-After` asks for a longer wait than the policy or the deadline allows; with the parsed `Retry-After` |
//! | [`ErrorKind::RequestValidation`] (`request_validation`) | `api_error.request.validation_failed`, or a 400/422 without a more specific code; what was wrong in [`Error::validation_errors`] |
//! | [`ErrorKind::Server`] (`server`) | 5xx after the retries |
//! | [`ErrorKind::UnexpectedStatus`] (`unexpected_status`) | any other status (a 3xx, never followed; 408, 418, …) |
//! | [`ErrorKind::Decode`] (`decode`) | a success body that does not decode |
//! | [`ErrorKind::Timeout`] (`timeout`) / [`ErrorKind::Connection`] (`connection`) | transport failures after the retries, or the call's deadline |
//! | [`ErrorKind::InvalidInput`] (`invalid_input`) | refused before sending (an empty, `.`, `..` or over-long link id) |
//! | [`ErrorKind::ResponseTooLarge`] (`response_too_large`) | a body over [`ClientBuilder::max_response_bytes`] (default 10 MiB), stopped while it streamed; never retried |
//!
//! The kind is decided by MoneyKit's `error_code` first and the HTTP status second (a body without
//! `error_code`, or with one this crate does not know, is classified by its status). The error
//! keeps [`status`](Error::status), [`error_code`](Error::error_code),
//! [`error_message`](Error::error_message) and [`documentation_url`](Error::documentation_url);
//! a body that is not MoneyKit JSON (a proxy's HTML page, plain text) is kept as a
//! [`body_snippet`](Error::body_snippet) of at most 200 characters. A success body that does not
//! decode is never quoted (it may hold account numbers): only the position of the failure is kept.
//! Configuration problems are a separate type, [`BuildError`], returned by
//! [`ClientBuilder::build`].
//!
//! What to do next is [`Error::group`], an [`ErrorGroup`]: try later, the user must reconnect
//! the bank, the user did not permit this data, or a bug or configuration problem to fix:
//!
//! ```no_run
//! # async fn run(client: moneykit::Client) -> Result<(), moneykit::Error> {
//! use moneykit::ErrorGroup;
//!
//! match client.link("mk_eqkWN34UEoa2NxyALG8pcV").accounts().send().await {
//!     Ok(accounts) => println!("{} accounts", accounts.accounts.len()),
//!     Err(e) if e.group() == ErrorGroup::TryLater => println!("later: {e}"),
//!     Err(e) if e.group() == ErrorGroup::Reconnect => println!("ask the user to reconnect"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```
//!
//! # Retries and deadlines
//!
//! On by default ([`RetryPolicy`]): at most 3 attempts in total; after a 429 the client waits
//! exactly as long as `Retry-After` asks (seconds or HTTP-date) and never less: a `Retry-After`
//! over the policy's 30 s maximum delay is not waited for, the call fails at once with
//! [`ErrorKind::RateLimited`] and the server's value (a 503 with `Retry-After` is treated the
//! same way, ending as [`ErrorKind::Server`]). After a 5xx, a connection failure or a
//! timeout it waits a random time up to 500 ms × 2^(attempt − 1) (full jitter, capped at 30 s).
//! What is retried follows the error's kind (MoneyKit's `error_code` first, the status second),
//! so a 503 `api_error.rate_limit_exceeded` is rate limited and a 429 `link_error.not_found`
//! is not retried. Nothing else is. An operation that is not idempotent (such as creating a link
//! session; [`RetryPolicy`] says which) is sent again only when it provably did not reach the
//! server or the server asked with `Retry-After`. Each attempt has a 30 s timeout, and the whole call (token renewal,
//! attempts and waits) a 60 s deadline; a wait that would pass the deadline is not made, so a
//! long `Retry-After` comes back as [`ErrorKind::RateLimited`] with its value.
//! [`RetryPolicy::disabled`] turns retries off; [`Jitter::Off`] makes the backoff deterministic.
//! Every wait and deadline runs on tokio's clock, so `tokio::time::pause` controls them in tests.
//!
//! # Observability
//!
//! Each call runs in a `tracing` span named `moneykit.request` whose fields follow
//! OpenTelemetry's HTTP client conventions: `otel.kind` (`client`), `http.request.method`,
//! `url.template` (`/links/{id}`), `server.address`, `server.port`,
//! `http.request.resend_count` (set from the first retry on), `http.response.status_code` and
//! `error.type` (the [`ErrorKind::as_str`] name), beside `operation` (the spec's operation id),
//! `link_id`, `duration_ms` and `retry_reason`. It emits a `debug` event per attempt, retry and
//! failure, each with its `operation`, `attempt` and `status` (the CLI's `-v` prints them).
//! Token requests get their own span. No secret, token or account number is ever recorded.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod build_error;
mod call;
mod classify;
mod client;
mod config;
mod error;
mod freshness;
mod observe;
mod operations;
mod request;
mod retry;
mod text;
mod token;

pub use auth::{Credentials, TokenAuthMethod};
pub use build_error::BuildError;
pub use call::MAX_LINK_ID_LEN;
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT,
};
pub use error::{Error, ErrorGroup, ErrorKind, UnauthorizedReason};
pub use freshness::LinkFreshness;
pub use observe::{AttemptEnd, AttemptObserver};
/// Every operation of `openapi.yaml` as data, and the resource handles that start them
/// ([`Link`], from [`Client::link`]): generated.
pub use operations::*;
pub use request::{CreateAccessToken, Operation, Request, Response};
pub use retry::{Jitter, RetryPolicy};
pub use text::one_line;

/// Each operation's documented error bodies, one generated enum per operation (read one from an
/// [`Error`] with [`Error::documented`]).
pub use moneykit_api::errors;
/// `rust_decimal`, whose `Decimal` every [`Amount`] holds (from `moneykit-api`).
pub use moneykit_api::rust_decimal;
/// The TLS backend chosen by this crate's `tls-*` features (from `moneykit-api`).
pub use moneykit_api::tls;
/// The API's request and response types, generated from `openapi.yaml` (from `moneykit-api`).
pub use moneykit_api::types;
pub use moneykit_api::{
    Amount, AmountParseError, Redact, Revealed, RevealedSensitive, Secret, Sensitive, Timestamp,
    TimestampParseError,
};
/// The status of a [`Response`] (from `reqwest`).
pub use reqwest::StatusCode;
/// The `http` header types of [`Request::header`] and [`Response::headers`] (from `reqwest`).
pub use reqwest::header;
/// `secrecy`, whose `SecretString` holds the client secret and tokens.
pub use secrecy;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
