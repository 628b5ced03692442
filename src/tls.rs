//! The TLS backend this crate was built with, chosen by one of its features (README, "TLS
//! backends"):
//!
//! - `tls-aws-lc`: rustls with its aws-lc-rs provider (reqwest's `rustls`);
//! - `tls-ring`: rustls with the ring provider (reqwest's `rustls-no-provider`; [`init`]
//!   installs ring as the process's default rustls provider unless one is installed already);
//! - `tls-native`: the platform's TLS, OpenSSL on Linux (reqwest's `native-tls`).
//!
//! With none of them the client speaks plain `http://` only (a local sandbox, a test server):
//! an `https://` request fails when it is sent, and `moneykit`'s `ClientBuilder::build` refuses
//! an `https://` base URL up front.

/// Whether this build can send `https://` requests: one of the `tls-*` features is on.
pub const HTTPS: bool = cfg!(any(
    feature = "tls-aws-lc",
    feature = "tls-ring",
    feature = "tls-native"
));

/// Why an `https://` URL cannot be used: no TLS feature is on.
pub const NO_BACKEND: &str = "https:// needs a TLS backend: enable one of the features \
                              tls-aws-lc, tls-ring or tls-native";

/// `reqwest::Client::builder()` after [`init`], set to follow no redirect: start from it to
/// build your own client for `Client::new_with_client` (or `moneykit`'s
/// `ClientBuilder::http_client`).
///
/// Redirects stay off because reqwest strips only `Authorization` and cookies when it follows
/// one to another host: `X-Client-Secret`, and the form body of `POST /auth/token` with its
/// `client_secret`, would be sent wherever a `Location` points, over plain `http://` too. A
/// client that follows a redirect anyway gets no data from it: [`Hooks`](crate::Hooks) fails
/// the response with [`FollowedRedirect`](crate::FollowedRedirect).
pub fn client_builder() -> reqwest::ClientBuilder {
    init();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
}

/// Gets the chosen backend ready before a `reqwest::Client` is built. Only `tls-ring` has
/// anything to do: reqwest's `rustls-no-provider` panics on building a client unless a process
/// default rustls provider is installed, so this installs ring's, keeping one the application
/// installed itself. Cheap and idempotent.
///
/// [`Hooks::new`](crate::Hooks::new) and [`Hooks::default`](crate::Hooks) call it, so
/// `Client::new(url, Hooks::default())` and `moneykit`'s builder need nothing more. Call it
/// yourself (or use [`client_builder`]) before building your own `reqwest::Client`.
pub fn init() {
    #[cfg(feature = "tls-ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing a provider is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
