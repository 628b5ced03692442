//! Every seeded link and every scenario through the real `moneykit` client: the sandbox, the
//! spec and the client agree end to end.

mod common;

use std::time::Duration;

use common::{builder, client, start};
use moneykit::types::{LinkCommon, Product, PublicLinkError, PublicLinkState};
use moneykit::{Client, ErrorKind, Link, LinkFreshness, RetryPolicy, UnauthorizedReason};
use moneykit_sandbox::{Config, links, scenarios};

#[tokio::test]
async fn us_link_accounts_and_numbers() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());
    let link = client.link(links::US);

    let details = check_us_link_details(&link).await;
    check_us_accounts(&link, &details).await;
    check_us_accounts_filter(&link).await;
    check_us_account_numbers(&link).await;
    assert!(
        !details.has_new_data(&Product::Identity, None),
        "never refreshed"
    );
}

/// `GET /links/{id}` of the US link: its state, institution and per-product status.
async fn check_us_link_details(link: &Link) -> LinkCommon {
    let details = link.get().await.unwrap();
    assert_eq!(details.state, PublicLinkState::Connected);
    assert_eq!(details.institution_name, "Credentials Bank");
    let identity = details.products.get(&Product::Identity).unwrap();
    assert!(
        identity.refreshed_at().is_none(),
        "identity was never refreshed"
    );
    assert_eq!(
        identity.error_code(),
        Some(&moneykit::types::LinkProductError::NotSupported)
    );
    let transactions = details.products.get(&Product::Transactions).unwrap();
    assert!(transactions.refreshed_at().is_some() && transactions.error_code().is_some());
    let available = details.available_products.as_deref().unwrap_or_default();
    assert!(available.contains(&Product::Investments));
    details
}

/// All the US link's accounts, in order, with the same link as `GET /links/{id}` gave.
async fn check_us_accounts(link: &Link, details: &LinkCommon) {
    let accounts = link.accounts().send().await.unwrap();
    let ids: Vec<&str> = accounts
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "acc_us_checking",
            "acc_us_savings",
            "acc_us_credit_card",
            "acc_us_closed_savings"
        ]
    );
    assert_eq!(accounts.accounts[2].account_type, "liability.credit_card");
    assert_eq!(accounts.accounts[3].closed, Some(Some(true)));
    assert_eq!(&accounts.link, details);
}

/// An unknown account id in the filter is ignored, not an error.
async fn check_us_accounts_filter(link: &Link) {
    let filtered = link
        .accounts()
        .account_ids(["acc_us_savings", "acc_unknown"])
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.accounts.len(), 1);
    assert_eq!(filtered.accounts[0].account_id, "acc_us_savings");
}

/// Only the accounts that have numbers; the numbers are masked in `Debug`.
async fn check_us_account_numbers(link: &Link) {
    let numbers = link.account_numbers().await.unwrap();
    let with_numbers: Vec<&str> = numbers
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(with_numbers, ["acc_us_checking", "acc_us_savings"]);
    let ach = &numbers.accounts[0].numbers.ach[0];
    assert_eq!(ach.account_number.reveal(), Some("235905558062"));
    assert_eq!(ach.routing_number.reveal(), Some("111222333"));
    assert_eq!(
        ach.wire_routing_number
            .clone()
            .flatten()
            .and_then(|n| n.reveal().map(str::to_owned)),
        Some("021000021".to_owned())
    );
    assert!(
        numbers.accounts[1].numbers.ach[0]
            .wire_routing_number
            .is_none()
    );
    assert!(!format!("{numbers:?}").contains("235905558062"));
    let seen = numbers.link.refreshed_at(&Product::AccountNumbers);
    assert!(seen.is_some());
    assert!(
        !numbers
            .link
            .has_new_data(&Product::AccountNumbers, seen.as_ref())
    );
}

#[tokio::test]
async fn canadian_and_uk_numbers() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());

    let ca = client.link(links::CA).account_numbers().await.unwrap();
    let numbers = &ca.accounts[0].numbers;
    assert!(numbers.ach.is_empty() && numbers.bacs.is_empty());
    assert_eq!(numbers.eft[0].institution_number.reveal(), Some("010"));
    assert_eq!(numbers.eft[0].branch_number.reveal(), Some("00012"));
    assert_eq!(
        ca.accounts[0].balances.currency,
        Some(Some("CAD".to_owned()))
    );

    let uk = client.link(links::UK).account_numbers().await.unwrap();
    let numbers = &uk.accounts[0].numbers;
    assert_eq!(numbers.bacs[0].sort_code.reveal(), Some("601613"));
    assert_eq!(
        numbers.international[0].iban.reveal(),
        Some("GB29NWBK60161331926819")
    );
    assert_eq!(numbers.international[0].bic, "NWBKGB2L");
}

fn kind_of<T: std::fmt::Debug>(result: Result<T, moneykit::Error>) -> ErrorKind {
    result.expect_err("an error").kind().clone()
}

#[tokio::test]
async fn links_in_other_states() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new());
    let incomplete = ErrorKind::BadState {
        link_error_code: Some("incomplete".into()),
    };
    let auth_expired = ErrorKind::BadState {
        link_error_code: Some("auth_expired".into()),
    };
    for (id, state, data_error) in [
        (links::CONNECTING, PublicLinkState::Connecting, &incomplete),
        (
            links::AWAITING_TOKEN_EXCHANGE,
            PublicLinkState::AwaitingTokenExchange,
            &incomplete,
        ),
        (links::ERROR, PublicLinkState::Error, &auth_expired),
        (
            links::DELETED,
            PublicLinkState::Deleted,
            &ErrorKind::Deleted,
        ),
    ] {
        let link = client.link(id);
        assert_eq!(link.get().await.unwrap().state, state, "{id}");
        assert_eq!(&kind_of(link.accounts().send().await), data_error, "{id}");
        assert_eq!(&kind_of(link.account_numbers().await), data_error, "{id}");
    }
    let error = client.link(links::ERROR).get().await.unwrap();
    assert_eq!(error.error_code, Some(Some(PublicLinkError::AuthExpired)));

    let accounts_only = client.link(links::ACCOUNTS_ONLY);
    assert_eq!(
        accounts_only
            .accounts()
            .send()
            .await
            .unwrap()
            .accounts
            .len(),
        1
    );
    let forbidden = accounts_only.account_numbers().await.unwrap_err();
    assert_eq!(forbidden.kind(), &ErrorKind::Forbidden);
    assert_eq!(forbidden.status(), Some(403));
}

#[tokio::test]
async fn every_scenario_on_every_endpoint() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::disabled());
    let cases = [
        (
            scenarios::EXPIRED_TOKEN,
            ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken),
            401,
        ),
        (
            scenarios::UNAUTHORIZED,
            ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials),
            401,
        ),
        (
            scenarios::LINK_ACCESS,
            ErrorKind::Unauthorized(UnauthorizedReason::LinkAccess),
            401,
        ),
        (scenarios::FORBIDDEN, ErrorKind::Forbidden, 403),
        (scenarios::NOT_FOUND, ErrorKind::NotFound, 404),
        ("mk_no_such_link", ErrorKind::NotFound, 404),
        (scenarios::DELETED, ErrorKind::Deleted, 410),
        (
            scenarios::BAD_STATE,
            ErrorKind::BadState {
                link_error_code: Some("auth_expired".into()),
            },
            422,
        ),
        (
            scenarios::RATE_LIMITED,
            ErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(1)),
            },
            429,
        ),
    ];
    for (id, kind, status) in cases {
        let link = client.link(id);
        for result in [
            link.get().await.map(drop),
            link.accounts().send().await.map(drop),
            link.account_numbers().await.map(drop),
        ] {
            let error = result.expect_err(id);
            assert_eq!(
                (error.kind(), error.status()),
                (&kind, Some(status)),
                "{id}: {error}"
            );
            assert!(error.error_code().is_some(), "{id}: {error}");
        }
    }
}

#[tokio::test]
async fn expired_token_is_renewed_once_then_reported() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::disabled());
    let error = client
        .link(scenarios::EXPIRED_TOKEN)
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        &ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken)
    );
    assert_eq!(sandbox.tokens_issued(), 2, "first token, then one renewal");
}

#[tokio::test]
async fn rate_limited_is_retried_after_retry_after() {
    let sandbox = start(Config::new()).await;
    let client = client(&sandbox, RetryPolicy::new().max_attempts(2));
    let error = client
        .link(scenarios::RATE_LIMITED)
        .get()
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 2);
    assert!(matches!(error.kind(), ErrorKind::RateLimited { .. }));
}

#[tokio::test]
async fn switched_on_rate_limits_allow_the_documented_number_per_link() {
    let sandbox = start(Config::new().rate_limits(true)).await;
    let client = client(&sandbox, RetryPolicy::disabled());
    let link = client.link(links::UK);
    for _ in 0..3 {
        link.account_numbers().await.unwrap();
    }
    let error = link.account_numbers().await.unwrap_err();
    let ErrorKind::RateLimited {
        retry_after: Some(wait),
    } = error.kind()
    else {
        panic!("expected 429 with Retry-After: {error}");
    };
    assert!(*wait > Duration::ZERO && *wait <= Duration::from_secs(60));
    // The limits are per link and per endpoint.
    link.accounts().send().await.unwrap();
    client.link(links::CA).account_numbers().await.unwrap();
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_they_expire() {
    let sandbox = start(Config::new().token_lifetime(Duration::from_secs(1))).await;
    let client = client(&sandbox, RetryPolicy::disabled());
    let link = client.link(links::US);
    link.get().await.unwrap();
    link.get().await.unwrap();
    assert_eq!(sandbox.tokens_issued(), 1, "a fresh token is reused");
    // Past half of the one-second lifetime the client renews before sending. The client's
    // clock is tokio's: it is moved on instead of slept, and runs again before the request,
    // since a paused clock would jump to the next timeout while the request waits for I/O.
    tokio::time::pause();
    tokio::time::advance(Duration::from_millis(600)).await;
    tokio::time::resume();
    link.get().await.unwrap();
    assert_eq!(sandbox.tokens_issued(), 2);
}

#[tokio::test]
async fn credentials_are_checked_in_every_mode() {
    let sandbox = start(Config::new()).await;
    let base = || {
        Client::builder()
            .base_url(sandbox.base_url())
            .retry_policy(RetryPolicy::disabled())
    };
    let headers = base()
        .client_headers(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap();
    headers.link(links::US).get().await.unwrap();

    let invalid = ErrorKind::Unauthorized(UnauthorizedReason::InvalidCredentials);
    for client in [
        base()
            .client_headers(sandbox.client_id(), "wrong")
            .build()
            .unwrap(),
        base()
            .client_credentials(sandbox.client_id(), "wrong")
            .build()
            .unwrap(),
        base().access_token("sbx_never_issued").build().unwrap(),
    ] {
        assert_eq!(kind_of(client.link(links::US).get().await), invalid);
    }
    assert_eq!(sandbox.tokens_issued(), 0);
}

#[tokio::test]
async fn an_unsupported_version_is_a_validation_error() {
    let sandbox = start(Config::new()).await;
    let client = builder(&sandbox).api_version("2099-01-01").build().unwrap();
    let error = client.link(links::US).get().await.unwrap_err();
    assert_eq!(error.kind(), &ErrorKind::RequestValidation);
    assert_eq!(error.status(), Some(422));
    assert_eq!(
        error.error_code(),
        Some("api_error.request.validation_failed")
    );
}
