//! A local MoneyKit API sandbox: every operation of `openapi.yaml`, as it describes them,
//! serving seeded links and a link for every documented error.
//!
//! Its server side (routes, the credential, version, parameter and body checks, [`Operation`])
//! is generated from the spec into `src/generated.rs` with a `Behaviour` trait of one method
//! per operation; `src/behaviour.rs` implements it, the only per-operation code written here.
//!
//! It is for trying the client offline and for integration tests, downstream ones included:
//! start it in-process on a random port, point a client at [`Sandbox::base_url`] with
//! [`Sandbox::client_id`] and [`Sandbox::client_secret`], and use the ids in [`links`] and
//! [`scenarios`]. A test can also program faults ([`Sandbox::fail`] with a [`Fault`]: a
//! documented error, a 5xx, a delay, a dropped connection, silence, a reset after the headers or
//! mid-body, a trickling, endless or hugely announced body, or a response the test wrote), serve
//! links of its own
//! ([`Sandbox::add_link`] with a [`TestLink`] built with typed setters and plausible defaults,
//! strict JSON through [`NewLink::from_json`], or the generated types in a [`NewLink`]) and read
//! the requests the sandbox received ([`Sandbox::requests`], secrets masked).
//!
//! A complete downstream test to copy, of an application's retry and error handling built on
//! `moneykit`, is `tests/downstream_example.rs` in this package (and in the repository, at
//! `moneykit-sandbox/tests/downstream_example.rs`).
//!
//! Every body it sends is a type generated from the spec (`moneykit_api::types`), so it cannot
//! drift from the contract. It must not hand-write a response shape, answer a status the spec
//! does not document unless a test programmed it (beyond the spec, a test may ask for a 5xx,
//! a misbehaving connection or body, or a response it wrote itself with [`Fault::respond`]),
//! answer with a 500 or panic on any input, store a secret it received, depend on the
//! `moneykit` client, or listen anywhere but where it is told (127.0.0.1 by default).
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

mod behaviour;
mod config;
mod faults;
// The generated server side (`cargo xtask regen` writes it), included rather than a module file
// so that rustfmt leaves the generator's formatting alone. An `Answer`'s error is a whole reply,
// built once per request: its size is moot.
#[allow(clippy::result_large_err)]
mod generated {
    include!("generated.rs");
}
mod handling;
mod operation;
mod replies;
mod requests;
mod sandbox;
mod seed;
mod server;
mod sessions;
mod state;
mod store;
mod streams;
mod test_data;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;

pub use config::{
    CLIENT_ID, CLIENT_SECRET, Config, DEFAULT_RECORDED_REQUESTS, DEFAULT_TOKEN_LIFETIME,
};
pub use faults::{Delivery, Fault, FaultError};
pub use generated::Operation;
pub use replies::ApiError;
pub use requests::{MASK, Outcome, RecordedRequest};
pub use sandbox::Sandbox;
pub use seed::{CatalogEntry, links, scenario_links, scenarios, seeded_links};
pub use sessions::{CompletedSession, LinkSessionError};
pub use store::{LinkError, NewLink};
pub use test_data::{JsonLinkError, TestAccount, TestLink};

/// The sandbox as an axum [`Router`], to serve yourself or nest in a test server. The test kit
/// ([`Sandbox::fail`], [`Sandbox::add_link`], [`Sandbox::requests`]) needs a [`Sandbox`].
pub fn router(config: Config) -> Router {
    router_with_state(state::AppState::new(config.record_requests(0)))
}

fn router_with_state(state: Arc<state::AppState>) -> Router {
    generated::routes(Router::new())
        .route(
            sessions::COMPLETE_PATH,
            axum::routing::post(sessions::complete_endpoint),
        )
        .with_state(state)
}

/// A lock that a panicking holder cannot make unusable (nothing here panics, but a sandbox must
/// never turn one bad request into a dead server).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The workspace README's examples (this crate's README.md is a link to it), compiled as
/// doctests here: they use the sandbox, `moneykit` and `moneykit-api` together, and this is the
/// one crate whose package can compile them (`moneykit` is a versioned dev-dependency).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct WorkspaceReadmeDoctests;
