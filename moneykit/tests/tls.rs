//! The TLS backend features: whichever is on, the builder makes a client for an `https://` base
//! URL with no extra code (for `tls-ring`, reqwest's `rustls-no-provider` would panic while
//! building the `reqwest::Client` if no rustls provider were installed); with none of them,
//! `build` refuses `https://` with an error naming the features and still accepts `http://`.
//! CI also runs this file with `--no-default-features`.

use moneykit::{BuildError, Client};

#[test]
fn https_base_url_builds_exactly_when_a_tls_feature_is_on() {
    let built = Client::builder()
        .base_url("https://api.moneykit.example")
        .access_token("token")
        .build();
    if moneykit::tls::HTTPS {
        assert!(built.is_ok(), "{:?}", built.err());
    } else {
        let Err(BuildError::HttpClient(why)) = built else {
            panic!("an https:// base URL without TLS must be refused");
        };
        for feature in ["tls-aws-lc", "tls-ring", "tls-native"] {
            assert!(why.contains(feature), "{why}");
        }
    }
}

#[test]
fn loopback_http_builds_with_or_without_tls() {
    let built = Client::builder()
        .base_url("http://127.0.0.1:9")
        .access_token("token")
        .build();
    assert!(built.is_ok(), "{:?}", built.err());
}

#[test]
fn an_own_reqwest_client_starts_from_tls_client_builder() {
    let http = moneykit::tls::client_builder()
        .build()
        .expect("the chosen backend is ready");
    let built = Client::builder()
        .base_url("http://127.0.0.1:9")
        .access_token("token")
        .http_client(http)
        .build();
    assert!(built.is_ok(), "{:?}", built.err());
}
