//! [`Config`]: credentials, token lifetime, rate limits, how many requests to remember.

use std::fmt;
use std::time::Duration;

use moneykit_api::Secret;

/// The client id the sandbox accepts unless [`Config::credentials`] says otherwise.
pub const CLIENT_ID: &str = "sandbox_client_id";
/// The client secret the sandbox accepts unless [`Config::credentials`] says otherwise. A
/// sandbox-only value: it unlocks nothing but this local server.
pub const CLIENT_SECRET: &str = "sandbox_client_secret";
/// How long issued access tokens live unless [`Config::token_lifetime`] says otherwise (as
/// MoneyKit's: one hour).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// How many requests a sandbox remembers unless [`Config::record_requests`] says otherwise.
pub const DEFAULT_RECORDED_REQUESTS: usize = 1000;

/// How a sandbox behaves. `Debug` masks the client secret.
#[derive(Clone)]
pub struct Config {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) token_lifetime: Duration,
    pub(crate) rate_limits: bool,
    pub(crate) recorded_requests: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_id: CLIENT_ID.to_owned(),
            client_secret: Secret::from(CLIENT_SECRET),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            rate_limits: false,
            recorded_requests: DEFAULT_RECORDED_REQUESTS,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_lifetime", &self.token_lifetime)
            .field("rate_limits", &self.rate_limits)
            .field("recorded_requests", &self.recorded_requests)
            .finish()
    }
}

impl Config {
    /// The defaults: [`CLIENT_ID`] / [`CLIENT_SECRET`], [`DEFAULT_TOKEN_LIFETIME`], no rate
    /// limits, the last [`DEFAULT_RECORDED_REQUESTS`] requests recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// The client credentials the sandbox accepts (token endpoint and X-Client headers).
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.client_id = client_id.into();
        self.client_secret = Secret::from(client_secret.into());
        self
    }

    /// How long issued access tokens live, rounded up to whole seconds and at least 1 s: the
    /// token response's `expires_in` can only say whole seconds, and a client reads 0 as
    /// "already expired". The rounded lifetime is both what `expires_in` announces and what
    /// the sandbox enforces (on tokio's clock), so a client that trusts `expires_in` is never
    /// refused early. Any value is taken: one longer than `expires_in` can hold (`i64::MAX`
    /// seconds) is announced as `i64::MAX`, and a token whose expiry the clock cannot represent
    /// never expires. A short lifetime exercises token renewal and
    /// `api_error.auth.expired_access_token`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Turns on MoneyKit's documented limits per minute: per link 15 `GET /links/{id}`, 4
    /// accounts and 3 account-numbers requests; per end user 20 `POST /link-session`. Past a limit: 429 with `Retry-After` in seconds
    /// until the minute's window ends.
    pub fn rate_limits(mut self, on: bool) -> Self {
        self.rate_limits = on;
        self
    }

    /// How many of the latest requests [`Sandbox::requests`](crate::Sandbox::requests) keeps
    /// (older ones are forgotten); 0 records none and costs nothing per request.
    pub fn record_requests(mut self, last: usize) -> Self {
        self.recorded_requests = last;
        self
    }

    /// The token lifetime in the whole seconds announced and enforced: the configured one
    /// rounded up, at least 1, at most `i64::MAX` (`expires_in` is a signed 64-bit integer).
    pub(crate) fn token_lifetime_secs(&self) -> u64 {
        const MAX: u64 = i64::MAX.unsigned_abs();
        let lifetime = self.token_lifetime;
        let rounded_up = lifetime
            .as_secs()
            .saturating_add(u64::from(lifetime.subsec_nanos() > 0));
        rounded_up.clamp(1, MAX)
    }

    pub(crate) fn accepts(&self, client_id: &str, client_secret: &str) -> bool {
        client_id == self.client_id && self.client_secret.reveal() == Some(client_secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_nothing_of_the_client_secret() {
        let config = Config::new().credentials("kit-id", "kit-secret-7f3a");
        let shown = format!("{config:?}");
        assert!(shown.contains("kit-id"), "{shown}");
        // Not even its last four characters, as a token shows none.
        assert!(!shown.contains("7f3a"), "{shown}");
    }
}
