//! The link flow through the real `moneykit` client: open a link session, complete it as the end
//! user would (the test kit, or the sandbox's own HTTP endpoint), exchange the one-time token for
//! the link, and read it.

mod common;

use common::{client, start, token};
use moneykit::types::{CreateLinkSessionRequest, ExchangeTokenRequest, PublicLinkState};
use moneykit::{Client, ErrorKind, RetryPolicy};
use moneykit_sandbox::{Config, LinkSessionError, Sandbox};
use serde_json::{Value, json};

fn session_request(extra: Value) -> CreateLinkSessionRequest {
    let mut body = json!({
        "customer_user": {"id": "MyUser1234"},
        "redirect_uri": "https://yourdomain.com/oauth.html",
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    serde_json::from_value(body).unwrap()
}

/// Opens a session for `request`; its token.
async fn open(client: &Client, request: CreateLinkSessionRequest) -> String {
    let session = client.link_sessions().create(request).await.unwrap();
    session.link_session_token.reveal().unwrap().to_owned()
}

async fn exchange(
    client: &Client,
    token: &str,
) -> Result<moneykit::types::ExchangeTokenResponse, moneykit::Error> {
    let request = ExchangeTokenRequest {
        exchangeable_token: token.into(),
    };
    client.link_sessions().exchange_token(request).await
}

fn complete(sandbox: &Sandbox, session: &str) -> String {
    let completed = sandbox.complete_link_session(session).unwrap();
    completed
        .exchangeable_token
        .unwrap()
        .reveal()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_completed_session_is_exchanged_once_for_a_connected_link_with_data() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());
    let request = session_request(json!({
        "webhook": "https://yourdomain.com/moneykit_webhook?secret=s3",
        "link_tags": ["smoke_test"],
    }));
    let session = open(&client, request).await;
    let exchangeable = complete(&sandbox, &session);

    let exchanged = exchange(&client, &exchangeable).await.unwrap();
    let link = exchanged.link;
    assert_eq!(exchanged.link_id, link.link_id);
    assert_eq!(link.state, PublicLinkState::Connected);
    assert_eq!(link.institution_id, "credentials_bank");
    assert_eq!(link.link_tags(), Some(&["smoke_test".to_owned()][..]));
    let webhook = link.webhook.clone().flatten();
    assert_eq!(
        webhook.as_ref().and_then(|w| w.reveal()),
        Some("https://yourdomain.com/moneykit_webhook?secret=s3")
    );
    assert!(!format!("{link:?}").contains("s3"), "the webhook printed");

    // The link is served from now on, with its institution's data.
    let read = client.link(&link.link_id).get().await.unwrap();
    assert_eq!(read.state, PublicLinkState::Connected);
    let accounts = client.link(&link.link_id).accounts().await.unwrap();
    assert!(!accounts.accounts.is_empty());

    // Single use.
    let again = exchange(&client, &exchangeable).await.unwrap_err();
    assert_eq!(again.status(), Some(400));
    assert_eq!(
        again.error_code(),
        Some("link_session_error.invalid_token_exchange")
    );
    assert_eq!(
        sandbox.complete_link_session(&session),
        Err(LinkSessionError::AlreadyCompleted)
    );
}

#[tokio::test]
async fn a_session_connects_the_institution_it_names_or_its_country() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());
    struct Row {
        request: Value,
        institution: &'static str,
    }
    let rows = [
        Row {
            request: json!({"institution_id": "thames_bank"}),
            institution: "thames_bank",
        },
        Row {
            request: json!({"settings": {"countries": ["CA", "US"]}}),
            institution: "maple_leaf_bank",
        },
        Row {
            request: json!({}),
            institution: "credentials_bank",
        },
    ];
    for row in rows {
        let session = open(&client, session_request(row.request)).await;
        let link = exchange(&client, &complete(&sandbox, &session))
            .await
            .unwrap()
            .link;
        assert_eq!(link.institution_id, row.institution);
    }
    let unknown = open(&client, session_request(json!({"institution_id": "nope"}))).await;
    assert!(matches!(
        sandbox.complete_link_session(&unknown),
        Err(LinkSessionError::UnknownInstitution { .. })
    ));
    assert_eq!(
        sandbox.complete_link_session("lst_unknown"),
        Err(LinkSessionError::UnknownSession)
    );
}

#[tokio::test]
async fn a_reconnecting_session_gives_no_token_to_exchange() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());
    let request = session_request(json!({"existing_link_id": "mk_sandbox_us"}));
    let session = open(&client, request).await;
    let completed = sandbox.complete_link_session(&session).unwrap();
    assert_eq!(completed.exchangeable_token, None);
    assert_eq!(completed.existing_link_id.as_deref(), Some("mk_sandbox_us"));
}

#[tokio::test]
async fn sessions_are_refused_as_moneykit_refuses_them() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::disabled());
    // What the generated types do not hold (a secret's length, an open enum's value) is still
    // refused, where MoneyKit's validation says.
    struct Row {
        request: Value,
        location: &'static str,
    }
    let user = |user: Value| json!({"customer_user": user});
    let rows = [
        Row {
            request: user(json!({"id": "abc"})),
            location: "body customer_user id",
        },
        Row {
            request: user(json!({"id": "MyUser1234", "email": {"address": "a@b"}})),
            location: "body customer_user email address",
        },
        Row {
            request: user(json!({"id": "MyUser1234", "phone": {"number": "1".repeat(31)}})),
            location: "body customer_user phone number",
        },
        Row {
            request: user(
                json!({"id": "MyUser1234", "phone": {"number": "6175551212", "country": "FR"}}),
            ),
            location: "body customer_user phone country",
        },
        Row {
            request: json!({"settings": {"countries": ["US", "XX"]}}),
            location: "body settings countries",
        },
        Row {
            request: json!({"settings": {"providers": ["teller"]}}),
            location: "body settings providers",
        },
    ];
    for row in rows {
        let request = session_request(row.request.clone());
        let error = client.link_sessions().create(request).await.unwrap_err();
        assert_eq!(
            *error.kind(),
            ErrorKind::RequestValidation,
            "{}",
            row.request
        );
        let display = error.to_string();
        assert!(display.contains(row.location), "{}: {display}", row.request);
    }

    let money_id = session_request(json!({"connect_features": {"enable_money_id": true}}));
    let error = client.link_sessions().create(money_id).await.unwrap_err();
    assert_eq!(error.status(), Some(403));
    assert_eq!(
        error.error_code(),
        Some("link_session_error.forbidden_config")
    );

    let error = exchange(&client, "ext_never_issued").await.unwrap_err();
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn the_sandbox_endpoint_completes_a_session_over_http() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());
    let session = open(&client, session_request(json!({}))).await;
    let http = reqwest::Client::new();
    let bearer = token(&http, &sandbox).await;
    let url = format!("{}/sandbox/link-session/complete", sandbox.base_url());
    let complete = |token: &str| {
        http.post(&url)
            .bearer_auth(&bearer)
            .json(&json!({"link_session_token": token}))
            .send()
    };

    let response = complete(&session).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let exchangeable = body["exchangeable_token"].as_str().unwrap();
    assert!(exchange(&client, exchangeable).await.is_ok());

    assert_eq!(complete(&session).await.unwrap().status(), 409);
    assert_eq!(complete("lst_unknown").await.unwrap().status(), 404);
    let unauthenticated = http
        .post(&url)
        .json(&json!({"link_session_token": session}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}
