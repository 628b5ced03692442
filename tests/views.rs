//! The generated readers over real bodies from `tests/fixtures/`: presence accessors answer the
//! value when present and not `null`, while the fields keep absent and `null` apart; the
//! payment-details view lists an account's numbers of every kind, found by account id.

mod common;

use common::fixture;
use moneykit_api::types;

#[test]
fn presence_accessors_read_through_absent_and_null() {
    let body: types::GetAccountsResponse =
        fixture("GetAccountsResponse/account_mask_null_and_absent.json");
    let (null_mask, absent_mask) = (&body.accounts[0], &body.accounts[1]);
    // The fields keep presence…
    assert_eq!(null_mask.account_mask, Some(None));
    assert_eq!(absent_mask.account_mask, None);
    assert_eq!(absent_mask.balances.available, Some(None));
    // …and the accessors read through it.
    assert_eq!(null_mask.account_mask(), None);
    assert_eq!(absent_mask.account_mask(), None);
    let text = |amount: Option<&moneykit_api::Amount>| amount.map(ToString::to_string);
    assert_eq!(
        text(null_mask.balances.available()).as_deref(),
        Some("340.12")
    );
    assert_eq!(text(null_mask.balances.limit()).as_deref(), Some("500"));
    assert_eq!(absent_mask.balances.available(), None);
    assert_eq!(
        text(absent_mask.balances.current()).as_deref(),
        Some("10250.0")
    );

    let body: types::GetAccountsResponse =
        fixture("GetAccountsResponse/nickname_and_original_id_present.json");
    let account = &body.accounts[0];
    assert_eq!(account.nickname(), Some("Bills account"));
    assert_eq!(account.account_mask(), Some("3748"));
    assert_eq!(account.original_id(), Some("import-7781-checking"));
    assert_eq!(account.closed(), Some(false));

    let body: types::GetAccountsResponse =
        fixture("GetAccountsResponse/nickname_and_original_id_null.json");
    let account = &body.accounts[0];
    assert_eq!(account.nickname, Some(None));
    assert_eq!(account.closed, Some(None));
    assert_eq!((account.nickname(), account.closed()), (None, None));
}

#[test]
fn payment_details_list_every_number_kind_of_an_account() {
    let body: types::GetAccountNumbersResponseLegacy20230218 =
        fixture("GetAccountNumbersResponseLegacy20230218/bacs_uk_and_international_iban_bic.json");
    let account = body
        .account("acc_ZEf8e3PSBkhMFRZw35PpqL")
        .expect("the account");
    let details: Vec<types::PaymentDetails<'_>> = account.numbers.payment_details().collect();
    let kinds: Vec<&str> = details.iter().map(|d| d.kind()).collect();
    assert_eq!(kinds, ["bacs", "international"]);
    assert!(
        matches!(details[0], types::PaymentDetails::Bacs(bacs) if bacs.sort_code.reveal() == Some("202015"))
    );
    // Accessors answer for the kinds that have the field, `None` for the others.
    assert_eq!(
        details[0].account_number().and_then(|n| n.reveal()),
        Some("55555555")
    );
    assert_eq!(details[1].account_number(), None);
    assert_eq!(
        details[1].iban().and_then(|n| n.reveal()),
        Some("GB33BUKB20201555555555")
    );
    assert_eq!(details[1].bic().map(String::as_str), Some("BUKBGB22"));
    // Sensitive values stay masked when the view is printed.
    let printed = format!("{details:?}");
    assert!(!printed.contains("55555555"), "{printed}");
    assert!(!printed.contains("GB33BUKB"), "{printed}");
    // The lookup through the response; an unknown id is `None`, not an empty list.
    assert_eq!(
        body.payment_details("acc_ZEf8e3PSBkhMFRZw35PpqL")
            .map(Iterator::count),
        Some(2)
    );
    assert!(body.payment_details("acc_nope").is_none());
}

#[test]
fn the_account_and_routing_number_of_an_account() {
    let body: types::GetAccountNumbersResponseLegacy20230218 =
        fixture("GetAccountNumbersResponseLegacy20230218/ach_with_wire_routing_number.json");
    let ach = body
        .payment_details("acc_6Tef269B6ZArSVpYrxtjBV")
        .into_iter()
        .flatten()
        .find_map(|d| match d {
            types::PaymentDetails::Ach(ach) => Some(ach),
            _ => None,
        })
        .expect("ACH numbers");
    assert_eq!(ach.account_number.reveal(), Some("235905558062"));
    assert_eq!(ach.routing_number.reveal(), Some("111222333"));
    assert_eq!(
        ach.wire_routing_number().and_then(|n| n.reveal()),
        Some("026009593")
    );
    // Every fixture account's view has as many items as its lists together.
    let all: types::GetAccountNumbersResponseLegacy20230218 =
        fixture("GetAccountNumbersResponseLegacy20230218/all_number_lists_empty.json");
    for account in &all.accounts {
        assert_eq!(account.numbers.payment_details().count(), 0);
    }
}
