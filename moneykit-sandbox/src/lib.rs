//! A local MoneyKit API sandbox: `POST /auth/token` and the three link endpoints, as
//! `openapi.yaml` describes them, serving seeded links and a link for every documented error.
//!
//! It is for trying the client offline and for integration tests, downstream ones included:
//! start it in-process on a random port, point a client at [`Sandbox::base_url`] with
//! [`Sandbox::client_id`] and [`Sandbox::client_secret`], and use the ids in [`links`] and
//! [`scenarios`]. Every body it sends is a type generated from the spec (`moneykit_api::types`),
//! so it cannot drift from the contract. It must not hand-write a response shape, answer with a
//! 500 or panic on any input, or listen anywhere but where it is told (127.0.0.1 by default).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = moneykit_sandbox::Sandbox::start(moneykit_sandbox::Config::new()).await?;
//! let client = moneykit::Client::builder()
//!     .base_url(sandbox.base_url())
//!     .client_credentials(sandbox.client_id(), sandbox.client_secret())
//!     .build()?;
//! let link = client.link(moneykit_sandbox::links::US).get().await?;
//! assert_eq!(link.institution_name, "Credentials Bank");
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod api;
mod seed;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use moneykit_api::Sensitive;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use seed::{CatalogEntry, links, scenario_links, scenarios, seeded_links};

/// The client id the sandbox accepts unless [`Config::credentials`] says otherwise.
pub const CLIENT_ID: &str = "sandbox_client_id";
/// The client secret the sandbox accepts unless [`Config::credentials`] says otherwise. A
/// sandbox-only value: it unlocks nothing but this local server.
pub const CLIENT_SECRET: &str = "sandbox_client_secret";
/// How long issued access tokens live unless [`Config::token_lifetime`] says otherwise (as
/// MoneyKit's: one hour).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// How a sandbox behaves. `Debug` masks the client secret.
#[derive(Clone)]
pub struct Config {
    client_id: String,
    client_secret: Sensitive,
    token_lifetime: Duration,
    rate_limits: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_id: CLIENT_ID.to_owned(),
            client_secret: Sensitive::from(CLIENT_SECRET),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            rate_limits: false,
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
            .finish()
    }
}

impl Config {
    /// The defaults: [`CLIENT_ID`] / [`CLIENT_SECRET`], [`DEFAULT_TOKEN_LIFETIME`], no rate limits.
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
        self.client_secret = Sensitive::from(client_secret.into());
        self
    }

    /// How long issued access tokens live; `expires_in` is its whole seconds. A short lifetime
    /// exercises token renewal and `api_error.auth.expired_access_token`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Turns on MoneyKit's documented per-link limits per minute: 15 `GET /links/{id}`, 4
    /// accounts and 3 account-numbers requests. Past a limit: 429 with `Retry-After` in seconds
    /// until the minute's window ends.
    pub fn rate_limits(mut self, on: bool) -> Self {
        self.rate_limits = on;
        self
    }

    fn accepts(&self, client_id: &str, client_secret: &str) -> bool {
        client_id == self.client_id && client_secret == self.client_secret.reveal()
    }
}

/// The sandbox as an axum [`Router`], to serve yourself or nest in a test server.
pub fn router(config: Config) -> Router {
    router_with_state(api::AppState::new(config))
}

fn router_with_state(state: Arc<api::AppState>) -> Router {
    Router::new()
        .route("/auth/token", post(api::create_access_token))
        .route("/links/{id}", get(api::get_link))
        .route("/links/{id}/accounts", get(api::get_accounts))
        .route(
            "/links/{id}/accounts/numbers",
            get(api::get_account_numbers),
        )
        .with_state(state)
}

/// A running sandbox. Dropping it stops the server (requests in flight are finished).
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    state: Arc<api::AppState>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("config", &self.state.config)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 on a free port. Needs a running tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Sandbox> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox on `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, config: Config) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = api::AppState::new(config);
        let app = router_with_state(Arc::clone(&state));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                // Either an explicit stop or the Sandbox being dropped.
                let _ = stopped.await;
            });
            // axum retries failed accepts itself; `serve` ends only at shutdown.
            let _ = serve.await;
        });
        Ok(Sandbox {
            addr,
            base_url: format!("http://{addr}"),
            state,
            shutdown: Some(shutdown),
        })
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id it accepts.
    pub fn client_id(&self) -> &str {
        &self.state.config.client_id
    }

    /// The client secret it accepts (a sandbox-only value).
    pub fn client_secret(&self) -> &str {
        self.state.config.client_secret.reveal()
    }

    /// How many access tokens it has issued: lets a test see token caching and renewal.
    pub fn tokens_issued(&self) -> u64 {
        self.state.tokens_issued.load(Ordering::Relaxed)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The workspace README's examples (this crate's README.md is a link to it), compiled as
/// doctests here: they use the sandbox, `moneykit` and `moneykit-api` together, and this is the
/// one crate whose package can compile them (`moneykit` is a versioned dev-dependency).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct WorkspaceReadmeDoctests;
