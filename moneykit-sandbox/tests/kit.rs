//! The test kit over plain HTTP: programmed faults, links added at run time and the request
//! log, each checked for what it answers and what it refuses.

mod common;

use std::time::Duration;

use common::{content_type, start, token};
use moneykit::RetryPolicy;
use moneykit_api::types::{
    AccountWithAccountNumbersLegacy20230218, Product, PublicLinkError, PublicLinkState,
};
use moneykit_sandbox::{
    ApiError, Config, Fault, FaultError, JsonLinkError, LinkError, MASK, NewLink, Operation,
    Outcome, TestAccount, TestLink, links, scenarios,
};
use reqwest::StatusCode;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

/// `GET base/links/{id}{suffix}` with `bearer`: status, content type and body text.
async fn get(
    http: &reqwest::Client,
    base: &str,
    bearer: &str,
    path: &str,
) -> reqwest::Result<(StatusCode, String, String)> {
    let response = http
        .get(format!("{base}{path}"))
        .bearer_auth(bearer)
        .send()
        .await?;
    let status = response.status();
    Ok((status, content_type(&response), response.text().await?))
}

#[tokio::test]
async fn a_status_fault_answers_the_next_calls_it_matches_then_is_gone() {
    let sandbox = start(Config::new()).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    let bearer = token(&http, &sandbox).await;
    let accounts = format!("/links/{}/accounts", links::US);
    let fault = Fault::status(503).times(2).on(Operation::GetAccounts);
    sandbox.fail(fault).unwrap();
    assert_eq!(sandbox.pending_faults(), 2);
    // Another operation is not affected.
    let (status, _, _) = get(&http, base, &bearer, &format!("/links/{}", links::US))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    for _ in 0..2 {
        let (status, content_type, body) = get(&http, base, &bearer, &accounts).await.unwrap();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(content_type, "text/plain; charset=utf-8");
        assert_eq!(body, "Service Unavailable");
    }
    assert_eq!(sandbox.pending_faults(), 0);
    let (status, _, _) = get(&http, base, &bearer, &accounts).await.unwrap();
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn faults_match_by_link_and_answer_before_the_credentials_are_checked() {
    let sandbox = start(Config::new()).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    sandbox
        .fail(Fault::error(ApiError::BadState).on_link(links::UK))
        .unwrap();
    sandbox
        .fail(Fault::status(429).retry_after(Duration::from_millis(2500)))
        .unwrap();
    // `POST /auth/token` documents no 429: the token request is not the fault's.
    let token_response = common::request_token(&http, &sandbox).await;
    assert_eq!(token_response.status(), StatusCode::CREATED);
    // The first programmed fault that matches answers: the UK link's, even without credentials.
    let (status, _, body) = get(&http, base, "not-a-token", &format!("/links/{}", links::UK))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error_code"], "link_error.bad_state");
    assert_eq!(body["link_error_code"], "auth_expired");
    let response = http
        .get(format!("{base}/links/{}", links::CA))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "3");
    assert_eq!(sandbox.pending_faults(), 0);
}

#[tokio::test]
async fn a_fault_the_spec_cannot_answer_is_refused() {
    let sandbox = start(Config::new()).await;
    let refused = [
        (
            Fault::status(404).on(Operation::CreateAccessToken),
            FaultError::Undocumented {
                status: 404,
                operation: Some(Operation::CreateAccessToken),
            },
        ),
        (
            Fault::error(ApiError::ExpiredToken).on(Operation::CreateAccessToken),
            FaultError::Undocumented {
                status: 401,
                operation: Some(Operation::CreateAccessToken),
            },
        ),
        (
            Fault::status(200),
            FaultError::Undocumented {
                status: 200,
                operation: None,
            },
        ),
        (Fault::drop_connection().times(0), FaultError::ZeroTimes),
        (
            Fault::delay(Duration::from_secs(1)).retry_after(Duration::from_secs(1)),
            FaultError::RetryAfterNotAllowed { status: None },
        ),
    ];
    for (fault, expected) in refused {
        assert_eq!(sandbox.fail(fault.clone()), Err(expected), "{fault:?}");
    }
    assert_eq!(sandbox.pending_faults(), 0);
    sandbox.fail(Fault::status(502).times(3)).unwrap();
    sandbox.clear_faults();
    assert_eq!(sandbox.pending_faults(), 0);
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_and_is_recorded() {
    let sandbox = start(Config::new()).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    let bearer = token(&http, &sandbox).await;
    sandbox.clear_requests();
    sandbox
        .fail(Fault::drop_connection().on(Operation::GetLink))
        .unwrap();
    let path = format!("/links/{}", links::CA);
    let error = get(&http, base, &bearer, &path).await.unwrap_err();
    assert!(error.status().is_none(), "{error:?}");
    let (status, _, _) = get(&http, base, &bearer, &path).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let outcomes: Vec<Outcome> = sandbox.requests().iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::Dropped, Outcome::Answered(200)]);
}

#[tokio::test(start_paused = true)]
async fn a_delay_holds_the_answer_on_the_paused_clock() {
    let sandbox = start(Config::new()).await;
    let http = common::paused_clock_http();
    let bearer = token(&http, &sandbox).await;
    let delay = Duration::from_secs(30);
    sandbox.fail(Fault::delay(delay)).unwrap();
    let started = tokio::time::Instant::now();
    let path = format!("/links/{}/accounts/numbers", links::UK);
    let (status, _, _) = get(&http, sandbox.base_url(), &bearer, &path)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    // Virtual time: exactly the delay, however loaded the machine.
    assert_eq!(started.elapsed(), delay);
    let (status, _, _) = get(&http, sandbox.base_url(), &bearer, &path)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(started.elapsed(), delay);
}

#[tokio::test]
async fn links_added_at_run_time_are_served_like_seeded_ones() {
    let sandbox = start(Config::new()).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    let bearer = token(&http, &sandbox).await;
    let full = TestLink::new("mk_kit_full")
        .account(TestAccount::checking("acc_kit_1").ach("000111222333", "011401533"))
        .account(TestAccount::credit_card("acc_kit_card"));
    sandbox.add_link(full).unwrap();
    let (status, _, body) = get(&http, base, &bearer, "/links/mk_kit_full/accounts/numbers")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["accounts"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(
        body["accounts"][0]["numbers"]["ach"][0]["account_number"],
        "000111222333"
    );
    let (_, _, body) = get(
        &http,
        base,
        &bearer,
        "/links/mk_kit_full/accounts?account_ids=acc_kit_card",
    )
    .await
    .unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["accounts"][0]["account_id"], "acc_kit_card");

    assert_eq!(
        sandbox.remove_link("mk_kit_full").unwrap().id(),
        "mk_kit_full"
    );
    let (status, _, _) = get(&http, base, &bearer, "/links/mk_kit_full")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_state_and_products_of_an_added_link_decide_its_errors() {
    let sandbox = start(Config::new()).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    let bearer = token(&http, &sandbox).await;
    for (id, link, numbers_status) in [
        (
            "mk_kit_no_numbers",
            TestLink::new("mk_kit_no_numbers").products([Product::Accounts]),
            403,
        ),
        (
            "mk_kit_deleted",
            TestLink::new("mk_kit_deleted").state(PublicLinkState::Deleted),
            410,
        ),
        (
            "mk_kit_error",
            TestLink::new("mk_kit_error").error(PublicLinkError::AuthExpired),
            422,
        ),
    ] {
        sandbox.add_link(link).unwrap();
        let (status, _, _) = get(&http, base, &bearer, &format!("/links/{id}"))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK, "{id}");
        let numbers = format!("/links/{id}/accounts/numbers");
        let (status, _, body) = get(&http, base, &bearer, &numbers).await.unwrap();
        assert_eq!(status.as_u16(), numbers_status, "{id}: {body}");
    }
}

#[tokio::test]
async fn a_link_that_would_clash_or_contradict_itself_is_refused() {
    let sandbox = start(Config::new()).await;
    let id = |id: &str| id.to_owned();
    assert_eq!(
        sandbox.add_link(TestLink::new(links::US)),
        Err(LinkError::SeededId { id: id(links::US) })
    );
    assert_eq!(
        sandbox.add_link(TestLink::new(scenarios::NOT_FOUND)),
        Err(LinkError::ScenarioId {
            id: id(scenarios::NOT_FOUND)
        })
    );
    assert_eq!(
        sandbox.add_link(TestLink::new("..")),
        Err(LinkError::InvalidId { id: id("..") })
    );
    let twice = TestLink::new("mk_kit_twice")
        .account(TestAccount::checking("acc_a"))
        .account(TestAccount::savings("acc_a"));
    assert_eq!(
        sandbox.add_link(twice),
        Err(LinkError::DuplicateAccount {
            account_id: id("acc_a")
        })
    );
    sandbox.add_link(TestLink::new("mk_kit_once")).unwrap();
    assert_eq!(
        sandbox.add_link(TestLink::new("mk_kit_once")),
        Err(LinkError::AlreadyAdded {
            id: id("mk_kit_once")
        })
    );
    assert_eq!(
        sandbox.remove_link(links::US),
        Err(LinkError::SeededId { id: id(links::US) })
    );
    assert_eq!(
        sandbox.remove_link("mk_kit_never"),
        Err(LinkError::NotAdded {
            id: id("mk_kit_never")
        })
    );
}

#[tokio::test]
async fn a_built_link_is_read_back_by_the_client_exactly_as_built() {
    let sandbox = start(Config::new()).await;
    let client = common::client(&sandbox, RetryPolicy::new());
    let built = TestLink::new("mk_kit_built")
        .account(TestAccount::checking("acc_built_checking"))
        .account(TestAccount::savings("acc_built_savings"))
        .account(TestAccount::credit_card("acc_built_card"));
    let expected = NewLink::from(built.clone());
    sandbox.add_link(built).unwrap();
    let link = client.link("mk_kit_built");

    let details = link.get().await.unwrap();
    assert_eq!(&details, expected.link());
    // The defaults the docs promise, as the client decodes them.
    assert_eq!(details.state, PublicLinkState::Connected);
    assert_eq!(details.institution_name, "Juniper Bank");
    assert!(details.products.get(&Product::AccountNumbers).is_some());

    let accounts = link.accounts().send().await.unwrap();
    let built_accounts: Vec<_> = expected.accounts().map(|(a, _)| a.clone()).collect();
    assert_eq!(accounts.accounts, built_accounts);
    assert_eq!(accounts.link, details);
    let checking = &accounts.accounts[0];
    assert_eq!(checking.account_type, "depository.checking");
    assert_eq!(checking.balances.currency, Some(Some("USD".to_owned())));
    assert!(checking.balances.available.flatten().is_some());

    let numbers = link.account_numbers().send().await.unwrap();
    let built_numbers: Vec<_> = expected
        .accounts()
        .filter_map(|(account, numbers)| {
            let numbers = numbers?.clone();
            Some(AccountWithAccountNumbersLegacy20230218::from_base(
                account.clone(),
                numbers,
            ))
        })
        .collect();
    assert_eq!(numbers.accounts, built_numbers);
    let ach: Vec<Option<&str>> = numbers
        .accounts
        .iter()
        .map(|a| a.numbers.ach[0].routing_number.reveal())
        .collect();
    // The card has no numbers and is left out.
    assert_eq!(ach, [Some("011401533"); 2]);
}

/// One row of the JSON table: what the JSON gets wrong and what `from_json` says.
struct JsonCase {
    what: &'static str,
    json: Value,
    expected: Result<(), JsonLinkError>,
}

/// A link in JSON, as `from_json` reads it, that decodes without a stray key.
fn good_json(id: &str) -> Value {
    json!({
        "link": {
            "link_id": id, "institution_id": "juniper_bank", "institution_name": "Juniper Bank",
            "state": "connected", "provider": "mx",
            "products": { "accounts": { "refreshed_at": "2026-11-20T08:00:00Z" } },
        },
        "accounts": [{
            "account_id": "acc_json", "name": "Checking", "account_type": "depository.checking",
            "balances": { "currency": "USD", "available": 10.5, "current": 12.0 },
            "numbers": {
                "ach": [{ "account_number": "7204918364821", "routing_number": "011401533" }],
                "bacs": [], "eft": [], "international": [],
            },
        }],
    })
}

/// `good_json(id)` with `value` set at `pointer`'s parent under `key`.
fn with_key(id: &str, pointer: &str, key: &str, value: Value) -> Value {
    let mut json = good_json(id);
    json.pointer_mut(pointer).unwrap()[key] = value;
    json
}

fn unknown(path: &str) -> Result<(), JsonLinkError> {
    Err(JsonLinkError::UnknownKeys {
        paths: vec![path.to_owned()],
    })
}

#[tokio::test]
async fn json_with_a_misspelt_key_is_refused_naming_its_path() {
    let sandbox = start(Config::new()).await;
    let client = common::client(&sandbox, RetryPolicy::new());
    let cases = [
        JsonCase {
            what: "well formed",
            json: good_json("mk_json_good"),
            expected: Ok(()),
        },
        JsonCase {
            what: "a misspelt balance",
            json: with_key(
                "mk_json_1",
                "/accounts/0/balances",
                "avaliable",
                json!(10.5),
            ),
            expected: unknown("accounts[0].balances.avaliable"),
        },
        JsonCase {
            what: "a misspelt product",
            json: with_key("mk_json_2", "/link/products", "acount_numbers", json!({})),
            expected: unknown("link.products.acount_numbers"),
        },
        JsonCase {
            what: "a misspelt ACH field",
            json: with_key(
                "mk_json_3",
                "/accounts/0/numbers/ach/0",
                "wire_routing",
                json!("021000021"),
            ),
            expected: unknown("accounts[0].numbers.ach[0].wire_routing"),
        },
        JsonCase {
            what: "a key beside link and accounts",
            json: with_key("mk_json_4", "", "acounts", json!([])),
            expected: unknown("acounts"),
        },
    ];
    for case in cases {
        let id = case.json["link"]["link_id"].as_str().unwrap().to_owned();
        let result = NewLink::from_json(case.json);
        let outcome = result.as_ref().map(drop).map_err(Clone::clone);
        assert_eq!(outcome, case.expected, "{}", case.what);
        if let Ok(link) = result {
            sandbox.add_link(link).unwrap();
            let accounts = client.link(&id).accounts().send().await.unwrap();
            assert_eq!(
                accounts.accounts[0].balances.available(),
                Some(&dec!(10.5).into()),
                "{}",
                case.what
            );
        }
    }
    let message = NewLink::from_json(with_key("x", "/link", "stat", json!("connected")))
        .unwrap_err()
        .to_string();
    assert!(message.contains("link.stat"), "{message}");
}

#[tokio::test]
async fn a_state_or_product_the_sandbox_does_not_know_is_refused_however_built() {
    let sandbox = start(Config::new()).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    let bearer = token(&http, &sandbox).await;
    // `tests/spec.rs` checks that the known lists are the spec's.
    let misspelt_state = |state: &str| LinkError::UnknownState {
        state: state.to_owned(),
        known: PublicLinkState::KNOWN,
    };
    let from_json = NewLink::from_json(with_key(
        "mk_typo_json",
        "/link",
        "state",
        json!("conected"),
    ))
    .unwrap();
    let cases: [(&str, NewLink, LinkError); 3] = [
        ("json", from_json, misspelt_state("conected")),
        (
            "builder",
            TestLink::new("mk_typo_builder")
                .state(PublicLinkState::from("Connected"))
                .into(),
            misspelt_state("Connected"),
        ),
        (
            "product",
            TestLink::new("mk_typo_product")
                .products([Product::Accounts, Product::from("acounts")])
                .into(),
            LinkError::UnknownProduct {
                product: "acounts".to_owned(),
                known: Product::KNOWN,
            },
        ),
    ];
    for (what, link, expected) in cases {
        let id = link.id().to_owned();
        assert_eq!(sandbox.add_link(link), Err(expected), "{what}");
        let (status, _, _) = get(&http, base, &bearer, &format!("/links/{id}"))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{what}: not served");
    }
    let message = misspelt_state("conected").to_string();
    assert!(
        message.contains("\"conected\"") && message.contains("connected, deleted, error"),
        "{message}"
    );
}

#[tokio::test]
async fn the_request_log_masks_every_secret() {
    let sandbox = start(Config::new().record_requests(4)).await;
    let (http, base) = (reqwest::Client::new(), sandbox.base_url());
    let (id, secret) = (sandbox.client_id(), sandbox.client_secret());
    let bearer = token(&http, &sandbox).await;
    let token_url = format!("{base}/auth/token");
    http.post(&token_url)
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    http.get(format!(
        "{base}/links/{}/accounts?account_ids=acc_us_savings",
        links::US
    ))
    .header("x-client-id", id)
    .header("x-client-secret", secret)
    .send()
    .await
    .unwrap();
    get(&http, base, &bearer, "/nowhere").await.unwrap();

    let requests = sandbox.requests();
    let everything = format!("{requests:?}");
    for leaked in [secret, bearer.as_str()] {
        assert!(!everything.contains(leaked), "{leaked} in {everything}");
    }
    let form = &requests[0];
    assert_eq!(form.operation, Some(Operation::CreateAccessToken));
    assert_eq!(form.status(), Some(201));
    let expected = format!("grant_type=client_credentials&client_id={id}&client_secret={MASK}");
    assert_eq!(form.body.as_deref(), Some(expected.as_str()));
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Basic {MASK}").as_str())
    );
    let accounts = &requests[2];
    assert_eq!(
        (accounts.method.as_str(), accounts.query.as_deref()),
        ("GET", Some("account_ids=acc_us_savings"))
    );
    assert_eq!(accounts.header("X-Client-Secret"), Some(MASK));
    assert_eq!(accounts.header("x-client-id"), Some(id));
    assert_eq!(
        (requests[3].operation, requests[3].status()),
        (None, Some(404))
    );
}

#[tokio::test]
async fn the_request_log_keeps_the_last_n() {
    let sandbox = start(Config::new().record_requests(2)).await;
    let http = reqwest::Client::new();
    for path in ["/a", "/b", "/c"] {
        get(&http, sandbox.base_url(), "t", path).await.unwrap();
    }
    let paths: Vec<String> = sandbox.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/b", "/c"]);
    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
}
