//! The generated readers over real bodies from `tests/fixtures/`: presence accessors answer the
//! value when present and not `null`, while the fields keep absent and `null` apart.

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
    assert_eq!(null_mask.balances.available(), Some(340.12));
    assert_eq!(null_mask.balances.limit(), Some(500.0));
    assert_eq!(absent_mask.balances.available(), None);
    assert_eq!(absent_mask.balances.current(), Some(10250.0));

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
