//! [`Sandbox`]: a running sandbox, and the test kit on it (faults, runtime links, the requests it
//! received).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::state::AppState;
use crate::{
    CompletedSession, Config, Fault, FaultError, LinkError, LinkSessionError, NewLink,
    RecordedRequest, router_with_state,
};

/// A running sandbox. Dropping it stops the server (requests in flight are finished).
///
/// Besides serving, it is a test kit: [`fail`](Sandbox::fail) programs faults,
/// [`add_link`](Sandbox::add_link) serves links of the test's own, and
/// [`requests`](Sandbox::requests) shows what it received. All of it goes through the same
/// generated types and checks as the seeded data, so a test still sees only what
/// `openapi.yaml` documents (plus the 5xx, misbehaving connections and written responses it
/// asks for).
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    state: Arc<AppState>,
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
        let state = AppState::new(config);
        let app = router_with_state(Arc::clone(&state));
        let (shutdown, stopped) = oneshot::channel::<()>();
        // Ends on an explicit stop or when the Sandbox is dropped.
        tokio::spawn(crate::server::serve(
            listener,
            app,
            Arc::clone(&state),
            stopped,
        ));
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
        // Empty only if it was configured as a mask (`••••`), which nothing can present.
        self.state.config.client_secret.reveal().unwrap_or_default()
    }

    /// How many access tokens it has issued: lets a test see token caching and renewal.
    pub fn tokens_issued(&self) -> u64 {
        self.state.tokens_issued.load(Ordering::Relaxed)
    }

    /// Programs a fault: the next matching calls answer as it says (see [`Fault`]). Faults
    /// queue up in the order they are programmed. Refused when no operation of the spec could
    /// answer it ([`FaultError`]).
    pub fn fail(&self, fault: Fault) -> Result<(), FaultError> {
        fault.validate()?;
        self.state.faults.push(fault);
        Ok(())
    }

    /// Forgets every programmed fault, used or not.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// How many calls the programmed faults will still answer (0 once every one was used): a
    /// test can check that the calls it expected did happen.
    pub fn pending_faults(&self) -> usize {
        self.state.faults.pending()
    }

    /// Serves `link` (a [`NewLink`], or a [`TestLink`](crate::TestLink)) from now on, as the
    /// seeded links are served. Refused ([`LinkError`]) when its id is a seeded or scenario
    /// link's or was already added, when two of its accounts share an id, or when its state or
    /// one of its products is none the sandbox knows (a misspelling, most likely).
    pub fn add_link(&self, link: impl Into<NewLink>) -> Result<(), LinkError> {
        self.state.links.add(link.into())
    }

    /// Stops serving a link added with [`add_link`](Sandbox::add_link) (its id answers 404 from
    /// now on) and gives it back. Seeded links cannot be removed.
    pub fn remove_link(&self, id: &str) -> Result<NewLink, LinkError> {
        self.state.links.remove(id)
    }

    /// Completes the link session whose `link_session_token` `POST /link-session` answered, as
    /// the end user would in MoneyKit Connect: a new link at the session's institution (its
    /// `institution_id`, else the first of its `settings.countries`, else the US one) with that
    /// institution's seeded data, and the one-time token to exchange for it with
    /// `POST /link-session/exchange-token`. A session that reconnects an existing link
    /// (`existing_link_id`) gives no token (the link keeps its id and, in the sandbox, its data).
    pub fn complete_link_session(
        &self,
        link_session_token: &str,
    ) -> Result<CompletedSession, LinkSessionError> {
        self.state.sessions.complete(link_session_token)
    }

    /// The requests received so far, oldest first: at most the last
    /// [`Config::record_requests`] of them (1,000 by default), secrets masked
    /// ([`RecordedRequest`]). Every request counts, token requests and unknown paths included.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.log.snapshot()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
