//! The test kit's answers against `openapi.yaml`, with the checker of `spec.rs`: every
//! documented status and body a fault can program, on every operation that documents it; links
//! added at run time, in every state, on every endpoint; and a programmed 5xx (which the spec
//! does not document) as the plain-text answer the crate promises.

mod common;
mod spec_checker;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{start, token};
use moneykit_api::types::{Product, PublicLinkError, PublicLinkState};
use moneykit_sandbox::{ApiError, Config, Fault, Operation, Sandbox, TestAccount, TestLink, links};
use reqwest::{Method, RequestBuilder, StatusCode};
use spec_checker::{Checker, LINK_ENDPOINTS};

#[tokio::test]
async fn every_answer_the_kit_can_program_matches_the_spec() {
    let http = reqwest::Client::new();
    let mut checker = Checker::new();
    check_faults(&mut checker, &http).await;
    check_runtime_links(&mut checker, &http).await;
}

/// A valid request for `operation`: its path template, method and request.
fn request_for(
    operation: Operation,
    http: &reqwest::Client,
    sandbox: &Sandbox,
    bearer: &str,
) -> (&'static str, Method, RequestBuilder) {
    let base = sandbox.base_url();
    let (template, suffix) = match operation {
        Operation::CreateAccessToken => {
            let request = http.post(format!("{base}/auth/token")).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sandbox.client_id()),
                ("client_secret", sandbox.client_secret()),
            ]);
            return ("/auth/token", Method::POST, request);
        }
        Operation::CreateLinkSession => {
            let body = serde_json::json!({
                "customer_user": {"id": "MyUser1234"},
                "redirect_uri": "https://yourdomain.com/oauth.html",
            });
            let request = http.post(format!("{base}/link-session"));
            return (
                "/link-session",
                Method::POST,
                request.bearer_auth(bearer).json(&body),
            );
        }
        Operation::ExchangeToken => {
            let body = serde_json::json!({"exchangeable_token": "ext_never_issued"});
            let request = http.post(format!("{base}/link-session/exchange-token"));
            let request = request.bearer_auth(bearer).json(&body);
            return ("/link-session/exchange-token", Method::POST, request);
        }
        Operation::GetLink => LINK_ENDPOINTS[0],
        Operation::GetAccounts => LINK_ENDPOINTS[1],
        _ => LINK_ENDPOINTS[2],
    };
    let url = format!("{base}/links/{}{suffix}", links::US);
    (template, Method::GET, http.get(url).bearer_auth(bearer))
}

/// Every status and body a fault can program, on every operation that documents it; and a
/// programmed 5xx, which no operation documents, as plain text with its `Retry-After`.
async fn check_faults(checker: &mut Checker, http: &reqwest::Client) {
    let sandbox = start(Config::new()).await;
    let bearer = token(http, &sandbox).await;
    for &operation in Operation::ALL {
        let by_status = (operation.documented_statuses().iter()).map(|&s| (Fault::status(s), s));
        let by_body = (ApiError::ALL.iter())
            .filter(|error| error.is_documented_for(operation))
            .map(|&error| (Fault::error(error), error.status()));
        for (fault, expected) in by_status.chain(by_body) {
            sandbox.fail(fault.clone().on(operation)).unwrap();
            let (template, method, request) = request_for(operation, http, &sandbox, &bearer);
            let (status, body) = checker.check(template, &method, request).await;
            assert_eq!(
                status.as_u16(),
                expected,
                "{fault:?} on {operation}: {body}"
            );
        }
        assert_eq!(sandbox.pending_faults(), 0, "{operation}");
        check_server_error(checker, http, &sandbox, &bearer, operation).await;
    }
}

async fn check_server_error(
    checker: &Checker,
    http: &reqwest::Client,
    sandbox: &Sandbox,
    bearer: &str,
    operation: Operation,
) {
    let fault = Fault::status(503).retry_after(Duration::from_secs(2));
    sandbox.fail(fault.on(operation)).unwrap();
    let (template, method, request) = request_for(operation, http, sandbox, bearer);
    let declared = &checker.spec["paths"][template][method.as_str().to_lowercase()]["responses"];
    assert!(
        declared["503"].is_null(),
        "the spec now documents a 503: answer it as documented"
    );
    let response = request.send().await.expect("the sandbox answers");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(response.text().await.unwrap(), "Service Unavailable");
}

/// Links added at run time, in every state and with and without products, on every endpoint.
async fn check_runtime_links(checker: &mut Checker, http: &reqwest::Client) {
    let sandbox = start(Config::new()).await;
    let bearer = token(http, &sandbox).await;
    // The builders' defaults, every kind of account included, are checked against the schema.
    let full = TestLink::new("mk_kit_full")
        .account(TestAccount::checking("acc_kit_1").current(-3))
        .account(TestAccount::savings("acc_kit_2").closed())
        .account(TestAccount::credit_card("acc_kit_3").available_unreported());
    sandbox.add_link(full).unwrap();
    let added = [
        TestLink::new("mk_kit_accounts_only").products([Product::Accounts]),
        TestLink::new("mk_kit_nothing").products([]),
        TestLink::new("mk_kit_deleted").state(PublicLinkState::Deleted),
        TestLink::new("mk_kit_error").error(PublicLinkError::AuthExpired),
        TestLink::new("mk_kit_connecting").state(PublicLinkState::Connecting),
    ];
    let mut ids = vec!["mk_kit_full".to_owned()];
    for link in added {
        let link = moneykit_sandbox::NewLink::from(link);
        ids.push(link.id().to_owned());
        sandbox.add_link(link).unwrap();
    }
    let mut statuses = BTreeSet::new();
    for id in &ids {
        for &(template, suffix) in LINK_ENDPOINTS {
            let url = format!("{}/links/{id}{suffix}", sandbox.base_url());
            let request = http.get(url).bearer_auth(&bearer);
            let (status, _) = checker.check(template, &Method::GET, request).await;
            statuses.insert(status.as_u16());
        }
    }
    assert_eq!(statuses, BTreeSet::from([200, 403, 410, 422]));
}
