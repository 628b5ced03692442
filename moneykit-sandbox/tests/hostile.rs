//! No input gets a 5xx from the sandbox or stops it: malformed paths, queries, headers and
//! bodies, on every route and method. A bounded list, sent once each.

mod common;

use common::{request_token, start};
use moneykit_sandbox::Config;
use reqwest::Method;
use reqwest::header::HeaderValue;

const PATHS: [&str; 9] = [
    "/",
    "/links",
    "/links/",
    "/links/%00",
    "/links/%FF%FE/accounts",
    "/links/mk_sandbox_us/accounts?account_ids=%FF%FE&account_ids",
    "/links/mk_sandbox_us/accounts?account_ids[]=a&=&&%",
    "/links/mk_sandbox_us/accounts/numbers/extra",
    "/auth/token?grant_type=client_credentials",
];

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::HEAD,
];

const AUTHORIZATIONS: [&[u8]; 7] = [
    b"Bearer",
    b"Bearer ",
    b"Basic",
    b"Basic ===",
    b"Basic \xff\xfe",
    b"\xff",
    b"Digest x",
];

const BODIES: [&[u8]; 5] = [
    b"",
    b"%%%",
    b"grant_type=client_credentials&client_secret=%ZZ&client_id=\xff",
    b"{\"grant_type\":\"client_credentials\"}",
    b"grant_type=client_credentials&scope=a&scope=b",
];

#[tokio::test]
async fn hostile_requests_never_get_a_server_error() {
    let sandbox = start(Config::new()).await;
    let base = sandbox.base_url();
    let http = reqwest::Client::new();
    // Past axum's default 2 MB body limit, where a rejection comes from the framework.
    let large = vec![b'a'; 3 * 1024 * 1024];
    let mut sent = 0;
    for path in PATHS {
        for method in METHODS {
            for authorization in AUTHORIZATIONS {
                for body in BODIES.iter().copied().chain([large.as_slice()]) {
                    send_hostile(&http, base, &method, path, authorization, body).await;
                    sent += 1;
                }
            }
        }
    }
    assert_eq!(sent, 9 * 5 * 7 * 6);
    // Still serving.
    let ok = request_token(&http, &sandbox).await;
    assert_eq!(ok.status(), 201);
}

/// Sends one request, with a version header that is not even UTF-8, and fails on a 5xx.
async fn send_hostile(
    http: &reqwest::Client,
    base: &str,
    method: &Method,
    path: &str,
    authorization: &[u8],
    body: &[u8],
) {
    let response = http
        .request(method.clone(), format!("{base}{path}"))
        .header(
            "authorization",
            HeaderValue::from_bytes(authorization).unwrap(),
        )
        .header(
            "moneykit-version",
            HeaderValue::from_bytes(b"\xff2023").unwrap(),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_vec())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
    let status = response.status();
    assert!(!status.is_server_error(), "{method} {path} -> {status}");
}
