//! What one sandbox holds while it runs: its configuration, the tokens it issued, the rate-limit
//! windows, its links, the programmed faults and the request log; and the checks that read them
//! (credentials, rate limits).
// A failed check returns the reply itself; it is built once per request, so its size is moot.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Response;
// tokio's clock, not std's: a test on a paused clock (`tokio::time::pause`/`advance`) moves
// token expiry and rate-limit windows with it. Unpaused, it is the system's monotonic clock.
use tokio::sync::watch;
use tokio::time::Instant;

use crate::faults::FaultQueue;
use crate::replies::{expired_token, rate_limited, unauthorized};
use crate::requests::RequestLog;
use crate::sessions::LinkSessions;
use crate::store::LinkStore;
use crate::{Config, Operation, lock};

/// At most this many live tokens are kept; past it the ones closest to expiry are forgotten.
const MAX_TOKENS: usize = 10_000;
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Rate-limit windows kept before the ended ones are dropped (a window is keyed by what the
/// caller chooses, such as an end user's id, so their number is the caller's to grow).
const MAX_WINDOWS: usize = 10_000;

pub(crate) struct AppState {
    pub(crate) config: Config,
    /// Each live token's expiry; `None` for one that never expires (its lifetime reaches past
    /// what the clock can represent).
    tokens: Mutex<HashMap<String, Option<Instant>>>,
    windows: Mutex<HashMap<(String, Operation), Window>>,
    pub(crate) tokens_issued: AtomicU64,
    pub(crate) links: LinkStore,
    pub(crate) sessions: LinkSessions,
    pub(crate) faults: FaultQueue,
    pub(crate) log: RequestLog,
    /// Turns true when the sandbox stops: the faults that hold a connection (silence, a
    /// streamed body) let go of it.
    pub(crate) stopping: watch::Sender<bool>,
}

struct Window {
    started: Instant,
    count: u32,
}

impl AppState {
    pub(crate) fn new(config: Config) -> Arc<Self> {
        let log = RequestLog::new(config.recorded_requests);
        Arc::new(AppState {
            config,
            tokens: Mutex::new(HashMap::new()),
            windows: Mutex::new(HashMap::new()),
            tokens_issued: AtomicU64::new(0),
            links: LinkStore::seeded(),
            sessions: LinkSessions::default(),
            faults: FaultQueue::default(),
            log,
            stopping: watch::Sender::new(false),
        })
    }

    pub(crate) fn issue_token(&self) -> String {
        let token: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(40)
            .collect();
        let token = format!("sbx_{token}");
        let now = Instant::now();
        // Checked: `Instant + Duration` panics past the clock's range, which a configured
        // lifetime of `Duration::MAX` (or `--token-lifetime 18446744073709551615`) reaches.
        let expires = now.checked_add(Duration::from_secs(self.config.token_lifetime_secs()));
        let mut tokens = lock(&self.tokens);
        if tokens.len() >= MAX_TOKENS {
            tokens.retain(|_, expires| is_live(*expires, now));
        }
        if tokens.len() >= MAX_TOKENS
            && let Some(soonest) = tokens
                .iter()
                // Tokens that never expire (`None`) sort last.
                .min_by_key(|(_, expires)| (expires.is_none(), **expires))
                .map(|(token, _)| token.clone())
        {
            tokens.remove(&soonest);
        }
        tokens.insert(token.clone(), expires);
        self.tokens_issued.fetch_add(1, Ordering::Relaxed);
        token
    }

    /// A Bearer token this sandbox issued and that has not expired, or the X-Client pair.
    pub(crate) fn authorize(&self, headers: &HeaderMap) -> Result<(), Response> {
        if let Some(value) = headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|value| credentials(value, "Bearer"))
                .ok_or_else(|| unauthorized("Authorization must be a Bearer token"))?;
            return match lock(&self.tokens).get(token) {
                Some(expires) if is_live(*expires, Instant::now()) => Ok(()),
                Some(_) => Err(expired_token()),
                None => Err(unauthorized("Invalid access token")),
            };
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        match (header("x-client-id"), header("x-client-secret")) {
            (Some(id), Some(secret)) if self.config.accepts(id, secret) => Ok(()),
            (Some(_), Some(_)) => Err(unauthorized("Invalid client credentials")),
            (None, None) => Err(unauthorized(
                "Missing credentials: send a Bearer token or X-Client-Id and X-Client-Secret",
            )),
            _ => Err(unauthorized(
                "Send both X-Client-Id and X-Client-Secret, or a Bearer token",
            )),
        }
    }

    /// Counts one request against `key`'s window for `operation`, when limits are on.
    pub(crate) fn count(&self, key: &str, operation: Operation) -> Result<(), Response> {
        if !self.config.rate_limits {
            return Ok(());
        }
        let now = Instant::now();
        let mut windows = lock(&self.windows);
        if windows.len() >= MAX_WINDOWS {
            windows.retain(|_, window| now.duration_since(window.started) < RATE_WINDOW);
        }
        let window = windows
            .entry((key.to_owned(), operation))
            .or_insert(Window {
                started: now,
                count: 0,
            });
        if now.duration_since(window.started) >= RATE_WINDOW {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= limit(operation) {
            // Never zero (the window has not ended); sent rounded up, so waiting exactly
            // `Retry-After` reaches the window's end.
            let left = RATE_WINDOW.saturating_sub(now.duration_since(window.started));
            return Err(rate_limited(left));
        }
        window.count += 1;
        Ok(())
    }
}

/// Whether a token that expires at `expires` (`None`: never) is still good at `now`: up to,
/// not including, its expiry, so a token lives exactly the lifetime `expires_in` announced.
fn is_live(expires: Option<Instant>, now: Instant) -> bool {
    expires.is_none_or(|expires| now < expires)
}

/// The documented limit per minute, per link (per end user for link sessions).
fn limit(operation: Operation) -> u32 {
    match operation {
        Operation::GetAccounts => 4,
        Operation::GetAccountNumbers => 3,
        // Per end user (`customer_user.id`).
        Operation::CreateLinkSession => 20,
        _ => 15,
    }
}

/// The credentials of an `Authorization` value in `scheme` (named case-insensitively, as HTTP
/// says).
pub(crate) fn credentials<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, credentials) = value.trim().split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credentials.trim())
}
