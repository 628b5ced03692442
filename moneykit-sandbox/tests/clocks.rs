//! Time in the sandbox: token lifetimes (announced in `expires_in`, enforced exactly, any
//! configured value) and rate-limit windows, all on tokio's clock, so a test on a paused clock
//! controls them with `tokio::time::advance`.

mod common;

use std::time::Duration;

use common::{paused_clock_http, request_token, start};
use moneykit_sandbox::{Config, Sandbox, links};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::time::{Instant, advance};

/// A token request's status and body.
async fn token_response(http: &reqwest::Client, sandbox: &Sandbox) -> (StatusCode, Value) {
    let response = request_token(http, sandbox).await;
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

/// `GET /links/{US}` with `bearer`: its status and `error_code`, if any.
async fn get_link(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    bearer: &str,
) -> (StatusCode, Option<String>) {
    let response = http
        .get(format!("{}/links/{}", sandbox.base_url(), links::US))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    let code = body["error_code"].as_str().map(str::to_owned);
    (status, code)
}

/// Finding: the sandbox panicked on each token request when its lifetime was huge (an
/// `Instant` overflow). Any lifetime is taken; past what a clock or `expires_in` can hold, the
/// token never expires and `expires_in` saturates at `i64::MAX`.
#[tokio::test]
async fn a_huge_token_lifetime_saturates_instead_of_panicking() {
    let i64_max = u64::try_from(i64::MAX).unwrap();
    let huge = [
        Duration::MAX,
        Duration::from_secs(u64::MAX),
        Duration::from_secs(i64_max),
        Duration::from_secs(i64_max) + Duration::from_nanos(1),
        Duration::from_secs(i64_max - 1) + Duration::from_nanos(1),
    ];
    let http = reqwest::Client::new();
    for lifetime in huge {
        let sandbox = start(Config::new().token_lifetime(lifetime)).await;
        let (status, body) = token_response(&http, &sandbox).await;
        assert_eq!(status, StatusCode::CREATED, "{lifetime:?}: {body}");
        assert_eq!(body["expires_in"], i64::MAX, "{lifetime:?}");
        let bearer = body["access_token"].as_str().unwrap();
        assert_eq!(get_link(&http, &sandbox, bearer).await.0, StatusCode::OK);
        assert_eq!(sandbox.tokens_issued(), 1);
    }
}

/// Finding: a lifetime under one second was announced as `expires_in: 0`, which a client reads
/// as already expired. The lifetime is rounded up to whole seconds, at least 1.
#[tokio::test]
async fn a_sub_second_token_lifetime_is_announced_as_whole_seconds_rounded_up() {
    let http = reqwest::Client::new();
    for (lifetime, announced) in [
        (Duration::ZERO, 1),
        (Duration::from_nanos(1), 1),
        (Duration::from_millis(500), 1),
        (Duration::from_secs(1), 1),
        (Duration::from_millis(1001), 2),
        (Duration::from_secs(3600), 3600),
    ] {
        let sandbox = start(Config::new().token_lifetime(lifetime)).await;
        let (status, body) = token_response(&http, &sandbox).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(body["expires_in"], announced, "{lifetime:?}");
    }
}

/// A token of `lifetime` is accepted until `announced` seconds have passed on tokio's clock,
/// and expired (`api_error.auth.expired_access_token`) from that instant on.
async fn check_token_lives_exactly(lifetime: Duration, announced: u64) {
    let sandbox = start(Config::new().token_lifetime(lifetime)).await;
    let http = paused_clock_http();
    let issued = Instant::now();
    let (status, body) = token_response(&http, &sandbox).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["expires_in"], announced);
    // Nothing moved the paused clock while the token was issued.
    assert_eq!(issued.elapsed(), Duration::ZERO);
    let bearer = body["access_token"].as_str().unwrap();
    let announced = Duration::from_secs(announced);

    advance(announced - Duration::from_millis(1)).await;
    assert_eq!(get_link(&http, &sandbox, bearer).await.0, StatusCode::OK);
    advance(Duration::from_millis(1)).await;
    assert_eq!(issued.elapsed(), announced);
    let (status, code) = get_link(&http, &sandbox, bearer).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code.as_deref(), Some("api_error.auth.expired_access_token"));
}

/// Finding: what the sandbox enforces is what it announces, including for a lifetime it had to
/// round up.
#[tokio::test(start_paused = true)]
async fn a_sub_second_token_lifetime_is_enforced_as_announced() {
    check_token_lives_exactly(Duration::from_millis(500), 1).await;
    check_token_lives_exactly(Duration::from_millis(1500), 2).await;
}

/// Finding: token expiry used `std::time::Instant`, so a test on tokio's paused clock could
/// not make a token expire. It expires exactly at its lifetime in virtual time.
#[tokio::test(start_paused = true)]
async fn a_token_expires_exactly_at_its_lifetime_on_tokios_clock() {
    check_token_lives_exactly(Duration::from_secs(600), 600).await;
}

/// Finding: rate-limit windows used `std::time::Instant`, so a test on a paused clock that
/// advanced past a 429's `Retry-After` still got 429 with `Retry-After: 60`. The window is on
/// tokio's clock, and `Retry-After` is exactly the time left in it, rounded up.
#[tokio::test(start_paused = true)]
async fn a_rate_limit_window_ends_after_retry_after_on_tokios_clock() {
    let sandbox = start(Config::new().rate_limits(true)).await;
    let http = paused_clock_http();
    let url = format!(
        "{}/links/{}/accounts/numbers",
        sandbox.base_url(),
        links::US
    );
    let get = || {
        http.get(&url)
            .header("x-client-id", sandbox.client_id())
            .header("x-client-secret", sandbox.client_secret())
            .send()
    };
    let started = Instant::now();
    // The documented limit of this endpoint: 3 a minute per link.
    for n in 1..=3 {
        assert_eq!(get().await.unwrap().status(), StatusCode::OK, "request {n}");
    }
    let retry_after = |response: &reqwest::Response| {
        let value = response.headers().get("retry-after").expect("Retry-After");
        value.to_str().unwrap().parse::<u64>().unwrap()
    };
    let limited = get().await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(retry_after(&limited), 60);

    advance(Duration::from_secs(59)).await;
    let limited = get().await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&limited), 1);
    advance(Duration::from_secs(1)).await;
    assert_eq!(started.elapsed(), Duration::from_secs(60));
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
}
