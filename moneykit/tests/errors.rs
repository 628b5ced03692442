//! Each error kind from MoneyKit's real error bodies (the spec's fixtures), and from bodies that
//! are not MoneyKit JSON, on every operation.

mod common;

use common::*;
use moneykit::{ErrorKind, UnauthorizedReason};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

macro_rules! fixture {
    ($schema:literal, $name:literal) => {
        include_str!(concat!(
            "../../tests/fixtures/",
            $schema,
            "/",
            $name,
            ".json"
        ))
    };
}

/// Answers every operation's path with `response` and returns the error of each call.
async fn errors_for(response: ResponseTemplate) -> Vec<moneykit::Error> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(response)
        .mount(&server)
        .await;
    let link = token_client(&server).link(LINK_ID);
    vec![
        link.get().await.unwrap_err(),
        link.accounts().send().await.unwrap_err(),
        link.account_numbers().await.unwrap_err(),
    ]
}

async fn check(status: u16, body: &str, kind: ErrorKind) -> moneykit::Error {
    let expected: serde_json::Value = serde_json::from_str(body).unwrap();
    let mut errors = errors_for(json(status, body)).await;
    for (error, operation) in errors
        .iter()
        .zip(["get_link", "get_accounts", "get_account_numbers"])
    {
        assert_eq!(*error.kind(), kind, "{operation} {status} {body}");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.operation(), Some(operation));
        assert_eq!(error.error_code(), expected["error_code"].as_str());
        assert_eq!(error.error_message(), expected["error_message"].as_str());
        assert_eq!(
            error.documentation_url(),
            expected["documentation_url"].as_str()
        );
        assert_eq!(error.body_snippet(), None);
        let display = error.to_string();
        assert!(!display.contains('\n'), "{display}");
        assert!(display.contains(operation), "{display}");
    }
    errors.remove(0)
}

#[tokio::test]
async fn unauthorized_reasons() {
    for (body, reason) in [
        (
            fixture!(
                "APIErrorAuthExpiredAccessTokenResponse",
                "documentation_url_string"
            ),
            UnauthorizedReason::ExpiredToken,
        ),
        (
            fixture!("APIErrorAuthUnauthorizedResponse", "example_message"),
            UnauthorizedReason::InvalidCredentials,
        ),
        (
            fixture!("LinkErrorUnauthorizedAccessResponse", "default_message"),
            UnauthorizedReason::LinkAccess,
        ),
        (
            r#"{"error_message":"who are you"}"#,
            UnauthorizedReason::Other,
        ),
    ] {
        check(401, body, ErrorKind::Unauthorized(reason)).await;
    }
}

#[tokio::test]
async fn link_errors() {
    let error = check(
        403,
        fixture!("LinkErrorForbiddenActionResponse", "example_message"),
        ErrorKind::Forbidden,
    )
    .await;
    assert_eq!(
        error.to_string(),
        "MoneyKit get_link failed: forbidden by the link owner (HTTP 403, link_error.forbidden_action): \
         Accounts access not permitted"
    );
    let bad_state = |code: &str| ErrorKind::BadState {
        link_error_code: Some(code.into()),
    };
    for (status, body, kind) in [
        (
            404,
            fixture!("LinkErrorNotFoundResponse", "documentation_url_string"),
            ErrorKind::NotFound,
        ),
        (
            410,
            fixture!("LinkErrorDeletedResponse", "default_message"),
            ErrorKind::Deleted,
        ),
        (
            422,
            fixture!("LinkErrorBadStateResponse", "link_error_code_auth_expired"),
            bad_state("auth_expired"),
        ),
        // An unknown link_error_code is kept as sent.
        (
            422,
            fixture!("LinkErrorBadStateResponse", "link_error_code_unknown_value"),
            bad_state("bank_on_fire"),
        ),
    ] {
        check(status, body, kind).await;
    }
}

/// The typed body, one variant per documented status, stays on the error for each operation.
#[tokio::test]
async fn the_documented_body_is_kept_typed_per_operation() {
    use moneykit::errors::{GetAccountNumbersError, GetAccountsError, GetLinkError};
    let body = fixture!("LinkErrorNotFoundResponse", "documentation_url_string");
    let errors = errors_for(json(404, body)).await;
    let [get, accounts, numbers] = &errors[..] else {
        panic!("three calls");
    };
    assert!(matches!(
        get.documented::<GetLinkError>(),
        Some(GetLinkError::NotFound(_))
    ));
    assert!(matches!(
        accounts.documented::<GetAccountsError>(),
        Some(GetAccountsError::NotFound(_))
    ));
    assert!(matches!(
        numbers.documented::<GetAccountNumbersError>(),
        Some(GetAccountNumbersError::NotFound(_))
    ));
    // Another operation's type, or a body that is not the documented one: none.
    assert!(get.documented::<GetAccountsError>().is_none());
    let proxy = errors_for(json(404, "<html>Not Found</html>")).await;
    assert!(proxy[0].documented::<GetLinkError>().is_none());
}

#[tokio::test]
async fn request_validation_under_422_is_told_apart_by_error_code() {
    check(
        422,
        fixture!("HTTPValidationError", "multiple_validation_errors"),
        ErrorKind::RequestValidation,
    )
    .await;
}

#[tokio::test]
async fn rate_limited_without_retry_after() {
    let server = MockServer::start().await;
    mount_link(
        &server,
        json(
            429,
            fixture!(
                "APIErrorRateLimitExceededResponse",
                "documentation_url_string"
            ),
        ),
        3,
    )
    .await;
    let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::RateLimited { retry_after: None });
    assert_eq!(error.error_code(), Some("api_error.rate_limit_exceeded"));
    assert!(error.documentation_url().is_some());
}

#[tokio::test]
async fn unknown_error_code_under_404_falls_back_to_the_status_and_keeps_the_fields() {
    let body = r#"{"error_code":"link_error.vanished","error_message":"It went away.","documentation_url":"https://docs.example/x"}"#;
    for error in errors_for(json(404, body)).await {
        assert_eq!(*error.kind(), ErrorKind::NotFound);
        assert_eq!(error.error_code(), Some("link_error.vanished"));
        assert_eq!(error.error_message(), Some("It went away."));
        assert_eq!(error.documentation_url(), Some("https://docs.example/x"));
        assert_eq!(error.body_snippet(), None);
    }
}

#[tokio::test]
async fn a_missing_error_code_is_not_invented_and_the_status_decides() {
    // The schema's default code would be a guess under 401, where three bodies are documented.
    for error in errors_for(json(
        401,
        fixture!(
            "APIErrorAuthExpiredAccessTokenResponse",
            "without_error_code"
        ),
    ))
    .await
    {
        assert_eq!(
            *error.kind(),
            ErrorKind::Unauthorized(UnauthorizedReason::Other)
        );
        assert_eq!(error.error_code(), None);
        assert_eq!(error.error_message(), Some("Access token expired"));
    }
    for error in errors_for(json(
        404,
        fixture!("LinkErrorNotFoundResponse", "without_error_code"),
    ))
    .await
    {
        assert_eq!(*error.kind(), ErrorKind::NotFound);
        assert_eq!(error.error_code(), None);
    }
    // A missing message gets the schema's documented default.
    for error in errors_for(json(
        404,
        fixture!("LinkErrorNotFoundResponse", "without_error_message"),
    ))
    .await
    {
        assert_eq!(error.error_code(), Some("link_error.not_found"));
        assert_eq!(error.error_message(), Some("Link not found."));
    }
}

#[tokio::test]
async fn a_known_error_code_wins_over_the_status() {
    // A 404 carrying the deleted code is Deleted.
    for error in errors_for(json(
        404,
        fixture!("LinkErrorDeletedResponse", "default_message"),
    ))
    .await
    {
        assert_eq!(*error.kind(), ErrorKind::Deleted);
    }
}

#[tokio::test]
async fn an_html_502_is_kept_as_a_short_one_line_snippet() {
    let html = format!(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n{}</body></html>",
        "<!-- padding -->".repeat(40)
    );
    let server = MockServer::start().await;
    mount_link(
        &server,
        ResponseTemplate::new(502).set_body_raw(html.into_bytes(), "text/html"),
        3,
    )
    .await;
    let error = token_client(&server).link(LINK_ID).get().await.unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(502));
    assert_eq!(error.error_code(), None);
    let snippet = error.body_snippet().unwrap();
    assert!(
        snippet.starts_with("<html> <head><title>502 Bad Gateway</title></head> <body>"),
        "{snippet}"
    );
    assert!(
        snippet.chars().count() <= 201,
        "{}",
        snippet.chars().count()
    );
    assert!(!snippet.chars().any(char::is_control));
    assert!(!error.to_string().contains('\n'));
}

#[tokio::test]
async fn plain_text_under_a_documented_status_is_a_snippet() {
    for error in errors_for(ResponseTemplate::new(404).set_body_string("no such thing")).await {
        assert_eq!(*error.kind(), ErrorKind::NotFound);
        assert_eq!(error.body_snippet(), Some("no such thing"));
        assert_eq!(error.error_code(), None);
    }
}

#[tokio::test]
async fn undocumented_statuses() {
    for error in errors_for(ResponseTemplate::new(418).set_body_string("teapot")).await {
        assert_eq!(*error.kind(), ErrorKind::UnexpectedStatus);
        assert_eq!(error.status(), Some(418));
        assert_eq!(error.body_snippet(), Some("teapot"));
    }
    for error in errors_for(ResponseTemplate::new(400)).await {
        assert_eq!(*error.kind(), ErrorKind::RequestValidation);
        assert_eq!(error.body_snippet(), None);
    }
}

#[tokio::test]
async fn an_undecodable_success_body_is_a_decode_error_that_quotes_nothing() {
    // A success body with a wrong type next to a full account number.
    let body = r#"{"accounts":[{"account_id":"acc_1","account_type":"depository","name":"x","balances":{},"numbers":{"ach":[{"account_number":235905558062,"routing_number":"111222333"}],"bacs":[],"eft":[],"international":[]}}],"link":{}}"#;
    let server = MockServer::start().await;
    mount_numbers(&server, json(200, body)).await;
    let error = token_client(&server)
        .link(LINK_ID)
        .account_numbers()
        .await
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Decode);
    assert_eq!(error.attempts(), 1);
    let all = format!("{error} {error:?}");
    assert!(!all.contains("235905558062"), "{all}");
    assert!(all.contains("line 1"), "{all}");
}

#[tokio::test]
async fn errors_are_send_sync_static_std_errors() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let errors = errors_for(ResponseTemplate::new(404)).await;
    is_error(&errors[0]);
    let boxed: Box<dyn std::error::Error + Send + Sync> =
        Box::new(errors.into_iter().next().unwrap());
    assert!(
        boxed
            .to_string()
            .starts_with("MoneyKit get_link failed: link not found (HTTP 404)")
    );
}

/// What a hostile server (or a proxy) may put where MoneyKit puts its codes and messages.
const INJECTED: &str = "link_error.bad_state\r\nERROR forged log line\u{1b}[2J\u{7}";

#[tokio::test]
async fn server_text_in_display_is_one_bounded_line() {
    let long = "x".repeat(10_000);
    let body = serde_json::json!({
        "error_code": INJECTED,
        "error_message": format!("{INJECTED} {long}"),
        "link_error_code": INJECTED,
    });
    for status in [422, 503] {
        for error in errors_for(json(status, &body.to_string())).await {
            // The accessors keep what the server sent, for matching…
            assert_eq!(error.error_code(), Some(INJECTED));
            // … while Display never carries a control character, and stays short.
            let display = error.to_string();
            assert!(!display.chars().any(char::is_control), "{display:?}");
            assert!(display.contains("ERROR forged log line"), "{display}");
            assert!(
                display.chars().count() < 1_000,
                "{} chars",
                display.chars().count()
            );
        }
    }
}

#[tokio::test]
async fn a_validation_error_says_what_was_wrong() {
    let body = serde_json::json!({
        "error_code": "api_error.request.validation_failed",
        "error_message": "Request validation error",
        "documentation_url": null,
        "validation_errors": [
            {"location": ["header", "moneykit-version"], "message": "unsupported version\n", "type": "value_error"},
            {"location": ["query", "account_ids", 0], "message": "str type expected", "type": "type_error.str"}
        ]
    });
    for error in errors_for(json(422, &body.to_string())).await {
        assert_eq!(*error.kind(), ErrorKind::RequestValidation);
        let failures = error.validation_errors();
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].message, "unsupported version\n");
        assert_eq!(failures[1].type_, "type_error.str");
        assert_eq!(
            serde_json::to_value(&failures[1].location).unwrap(),
            serde_json::json!(["query", "account_ids", 0])
        );
        let display = error.to_string();
        assert!(
            display.contains(": header moneykit-version: unsupported version (and 1 more)"),
            "{display}"
        );
    }
    // Any other error has none.
    let not_found = fixture!("LinkErrorNotFoundResponse", "default_message");
    let error = check(404, not_found, ErrorKind::NotFound).await;
    assert!(error.validation_errors().is_empty());
}
