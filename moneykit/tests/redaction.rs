//! Secrets, tokens and full account numbers never reach `Debug`, `Display` or tracing output
//! (captured at TRACE level), across a whole flow including a token renewal and errors.

mod common;

use common::*;
use moneykit::types::Product;
use moneykit::{Client, LinkFreshness};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIRST_TOKEN: &str = "tok_FirstSecretToken_0000aaaa";
const SECOND_TOKEN: &str = "tok_SecondSecretToken_1111bbbb";
/// Full numbers in the two number fixtures.
const FULL_NUMBERS: &[&str] = &[
    "235905558062",
    "193946665076",
    "111222333",
    "55555555",
    "202015",
    "GB33BUKB20201555555555",
];

fn assert_clean(what: &str, text: &str) {
    for secret in [CLIENT_SECRET, FIRST_TOKEN, SECOND_TOKEN, ACCESS_TOKEN]
        .iter()
        .chain(FULL_NUMBERS)
    {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

/// A first token refused as expired on the numbers, a second one accepted; `/links/bacs` answers
/// 503 and its numbers the BACS fixture.
async fn mount_flow(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body(FIRST_TOKEN, 3600)))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(token_body(SECOND_TOKEN, 3600)))
        .mount(server)
        .await;
    mount_get_for_token(server, &numbers_path(), FIRST_TOKEN, json(401, EXPIRED)).await;
    mount_get_for_token(server, &numbers_path(), SECOND_TOKEN, json(200, NUMBERS)).await;
    Mock::given(method("GET"))
        .and(path("/links/bacs"))
        .respond_with(ResponseTemplate::new(503))
        .mount(server)
        .await;
    let bacs_numbers = "/links/bacs/accounts/numbers";
    mount_get_for_token(server, bacs_numbers, SECOND_TOKEN, json(200, BACS_NUMBERS)).await;
}

#[tokio::test]
async fn nothing_secret_in_debug_display_or_trace_output() {
    let (captured, _guard) = capture_tracing();
    let server = MockServer::start().await;
    mount_flow(&server).await;

    let builder = builder(&server).client_credentials(CLIENT_ID, CLIENT_SECRET);
    assert_clean("builder Debug", &format!("{builder:?} {builder:#?}"));
    let client = builder.build().unwrap();

    let numbers = client.link(LINK_ID).account_numbers().await.unwrap();
    // The numbers are there, readable explicitly …
    assert_eq!(
        numbers.accounts[0].numbers.ach[0].account_number.reveal(),
        Some("235905558062")
    );
    // … and masked everywhere else.
    let debug = format!("{numbers:?} {numbers:#?}");
    assert_clean("numbers Debug", &debug);
    assert!(debug.contains("••••8062"), "{debug}");
    let ach = &numbers.accounts[0].numbers.ach[0];
    assert_clean(
        "number Display",
        &format!("{} {}", ach.account_number, ach.routing_number),
    );

    let bacs = client.link("bacs").account_numbers().await.unwrap();
    assert_clean("bacs Debug", &format!("{bacs:?}"));
    assert!(
        bacs.link.has_new_data(&Product::AccountNumbers, None)
            || bacs.link.refreshed_at(&Product::AccountNumbers).is_none()
    );

    let error = client.link("bacs").get().await.unwrap_err();
    assert_clean("error", &format!("{error} {error:?} {error:#?}"));
    assert_clean("client Debug", &format!("{client:?} {client:#?}"));

    drop(_guard);
    let trace = captured.text();
    assert_clean("trace output", &trace);
    // The output is really there: spans with their fields, one per call and per token request.
    assert!(trace.contains("moneykit.request"), "{trace}");
    assert!(
        trace.contains("operation=\"get_account_numbers\""),
        "{trace}"
    );
    assert!(
        trace.contains("operation=\"create_access_token\""),
        "{trace}"
    );
    assert!(trace.contains("retry_reason=\"expired_token\""), "{trace}");
    assert!(trace.contains("retry_reason=\"server_error\""), "{trace}");
    assert!(trace.contains(&format!("link_id=\"{LINK_ID}\"")), "{trace}");
    assert!(trace.contains("status=503"), "{trace}");
    assert!(trace.contains("duration_ms="), "{trace}");
    assert!(trace.contains("attempt=3"), "{trace}");
    // The span's fields follow OpenTelemetry's HTTP client conventions.
    for field in [
        "otel.kind=\"client\"",
        "http.request.method=\"GET\"",
        "url.template=\"/links/{id}/accounts/numbers\"",
        "http.request.method=\"POST\"",
        "url.template=\"/auth/token\"",
        "server.address=\"127.0.0.1\"",
        "http.response.status_code=503",
        "http.request.resend_count=2",
        "error.type=\"server\"",
    ] {
        assert!(trace.contains(field), "{field} missing from {trace}");
    }
}

#[tokio::test]
async fn client_headers_and_access_token_clients_do_not_leak_either() {
    let (captured, _guard) = capture_tracing();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, LINK))
        .mount(&server)
        .await;
    for client in [
        builder(&server)
            .client_headers(CLIENT_ID, CLIENT_SECRET)
            .build()
            .unwrap(),
        builder(&server).access_token(ACCESS_TOKEN).build().unwrap(),
    ] {
        client.link(LINK_ID).get().await.unwrap();
        assert_clean("client Debug", &format!("{client:?}"));
    }
    let bad = Client::builder()
        .access_token(ACCESS_TOKEN)
        .base_url("http://example.com")
        .build();
    assert_clean("build error", &format!("{bad:?}"));
    drop(_guard);
    let trace = captured.text();
    assert_clean("trace output", &trace);
    assert!(trace.contains("operation=\"get_link\""), "{trace}");
}

#[tokio::test]
async fn server_text_reaches_the_logs_as_one_bounded_line() {
    let (captured, _guard) = capture_tracing();
    let server = MockServer::start().await;
    let hostile = "link_error.bad_state\r\nERROR forged log line\u{1b}[2J";
    let body = serde_json::json!({
        "error_code": hostile,
        "error_message": format!("{hostile} {}", "x".repeat(10_000)),
        "link_error_code": hostile,
    });
    Mock::given(method("GET"))
        .respond_with(json(503, &body.to_string()))
        .mount(&server)
        .await;
    token_client(&server).link(LINK_ID).get().await.unwrap_err();
    let logs = captured.text();
    // The client's own events ("attempt failed" with its `error_code`, "call failed" with the
    // error), one per line: no forged line, no terminal escape.
    assert!(
        logs.contains("attempt failed") && logs.contains("call failed"),
        "{logs}"
    );
    for line in logs.lines() {
        assert!(!line.starts_with("ERROR forged"), "{line}");
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{line:?}"
        );
        assert!(
            line.chars().count() < 2_000,
            "{} chars",
            line.chars().count()
        );
    }
}
