//! The seeded data (`seed.json`, decoded into the generated types) and the scenario links.

use std::sync::LazyLock;

use moneykit_api::types::{AccountNumbersLegacy20230218, AccountResponse, LinkCommon};
use serde::{Deserialize, Serialize};

use crate::replies::ApiError;
use crate::store::NewLink;

/// Ids of the seeded links. Each behaves like a real link in its state.
pub mod links {
    /// Connected, Credentials Bank (provider `moneykit`): checking with ACH and a wire routing
    /// number, savings with ACH, a credit card without numbers, a closed savings account;
    /// identity never refreshed (`not_supported`), transactions failing (`institution_error`).
    pub const US: &str = "mk_sandbox_us";
    /// Connected, Maple Leaf Bank (`finicity`): a chequing account with EFT numbers, in CAD.
    pub const CA: &str = "mk_sandbox_ca";
    /// Connected, Thames Bank (`plaid`): a current account with BACS and IBAN/BIC, in GBP.
    pub const UK: &str = "mk_sandbox_uk";
    /// Connected (`yodlee`) with only the accounts product granted: account numbers answer 403.
    pub const ACCOUNTS_ONLY: &str = "mk_sandbox_accounts_only";
    /// State `connecting`: readable; accounts and numbers answer 422 (`incomplete`).
    pub const CONNECTING: &str = "mk_sandbox_connecting";
    /// State `awaiting_token_exchange`: readable; accounts and numbers answer 422 (`incomplete`).
    pub const AWAITING_TOKEN_EXCHANGE: &str = "mk_sandbox_awaiting_token_exchange";
    /// State `error` (`auth_expired`): readable; accounts and numbers answer 422 with
    /// `link_error_code: auth_expired`.
    pub const ERROR: &str = "mk_sandbox_error";
    /// State `deleted`: readable (as for 90 days after a deletion); accounts and numbers answer 410.
    pub const DELETED: &str = "mk_sandbox_deleted";
}

/// Ids of the scenario links: every endpoint answers for them with one documented error.
/// Any id that is neither seeded nor a scenario answers 404 too.
pub mod scenarios {
    /// 401 `api_error.auth.expired_access_token`.
    pub const EXPIRED_TOKEN: &str = "mk_scenario_expired_token";
    /// 401 `api_error.auth.unauthorized`.
    pub const UNAUTHORIZED: &str = "mk_scenario_unauthorized";
    /// 401 `link_error.unauthorized_access`.
    pub const LINK_ACCESS: &str = "mk_scenario_link_access";
    /// 403 `link_error.forbidden_action`.
    pub const FORBIDDEN: &str = "mk_scenario_forbidden";
    /// 404 `link_error.not_found`.
    pub const NOT_FOUND: &str = "mk_scenario_not_found";
    /// 410 `link_error.deleted`.
    pub const DELETED: &str = "mk_scenario_deleted";
    /// 422 `link_error.bad_state` with `link_error_code: auth_expired`.
    pub const BAD_STATE: &str = "mk_scenario_bad_state";
    /// 429 `api_error.rate_limit_exceeded` with `Retry-After: 1`.
    pub const RATE_LIMITED: &str = "mk_scenario_rate_limited";
}

/// Every scenario link, with what it answers (also printed by the binary).
pub(crate) const SCENARIOS: &[(&str, ApiError, &str)] = &[
    (
        scenarios::EXPIRED_TOKEN,
        ApiError::ExpiredToken,
        "401 api_error.auth.expired_access_token",
    ),
    (
        scenarios::UNAUTHORIZED,
        ApiError::Unauthorized,
        "401 api_error.auth.unauthorized",
    ),
    (
        scenarios::LINK_ACCESS,
        ApiError::LinkAccess,
        "401 link_error.unauthorized_access",
    ),
    (
        scenarios::FORBIDDEN,
        ApiError::Forbidden,
        "403 link_error.forbidden_action",
    ),
    (
        scenarios::NOT_FOUND,
        ApiError::NotFound,
        "404 link_error.not_found",
    ),
    (
        scenarios::DELETED,
        ApiError::Deleted,
        "410 link_error.deleted",
    ),
    (
        scenarios::BAD_STATE,
        ApiError::BadState,
        "422 link_error.bad_state (link_error_code auth_expired)",
    ),
    (
        scenarios::RATE_LIMITED,
        ApiError::RateLimited,
        "429 api_error.rate_limit_exceeded, Retry-After: 1",
    ),
];

/// `seed.json`: links and their accounts, in the generated types.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Seed {
    pub(crate) links: Vec<SeedLink>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeedLink {
    pub(crate) description: String,
    pub(crate) link: LinkCommon,
    pub(crate) accounts: Vec<SeedAccount>,
}

/// An account, and its numbers when the institution has any (a credit card has none and is left
/// out of `/accounts/numbers`, as MoneyKit does).
/// Also the shape of an account in [`NewLink::from_json`], which serializes it back to find
/// the keys the generated types dropped.
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct SeedAccount {
    #[serde(flatten)]
    pub(crate) account: AccountResponse,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) numbers: Option<AccountNumbersLegacy20230218>,
}

impl SeedLink {
    pub(crate) fn to_new_link(&self) -> NewLink {
        let accounts =
            (self.accounts.iter()).map(|seeded| (seeded.account.clone(), seeded.numbers.clone()));
        NewLink::with_accounts(self.link.clone(), accounts)
    }
}

/// Decoded once. `seed.json` is part of the crate; its tests decode it, so this cannot fail at
/// run time unless the file was broken and the tests skipped.
pub(crate) static SEED: LazyLock<Seed> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../seed.json"))
        .expect("seed.json decodes into the generated types (checked by the crate's tests)")
});

#[cfg(test)]
impl Seed {
    pub(crate) fn link(&self, id: &str) -> Option<&SeedLink> {
        self.links.iter().find(|seeded| seeded.link.link_id == id)
    }
}

pub(crate) fn scenario(id: &str) -> Option<ApiError> {
    SCENARIOS
        .iter()
        .find(|(scenario_id, _, _)| *scenario_id == id)
        .map(|(_, scenario, _)| *scenario)
}

/// A link id and what it shows or answers, for listings such as the binary's banner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The link id.
    pub id: &'static str,
    /// What the link shows (seeded) or answers (scenario).
    pub description: &'static str,
}

/// The seeded links, in `seed.json` order.
pub fn seeded_links() -> Vec<CatalogEntry> {
    SEED.links
        .iter()
        .map(|seeded| CatalogEntry {
            id: seeded.link.link_id.as_str(),
            description: seeded.description.as_str(),
        })
        .collect()
}

/// The scenario links.
pub fn scenario_links() -> Vec<CatalogEntry> {
    SCENARIOS
        .iter()
        .map(|(id, _, description)| CatalogEntry { id, description })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_decodes_and_names_exactly_the_public_link_ids() {
        let mut seeded: Vec<&str> = SEED.links.iter().map(|l| l.link.link_id.as_str()).collect();
        let mut public = vec![
            links::US,
            links::CA,
            links::UK,
            links::ACCOUNTS_ONLY,
            links::CONNECTING,
            links::AWAITING_TOKEN_EXCHANGE,
            links::ERROR,
            links::DELETED,
        ];
        seeded.sort_unstable();
        public.sort_unstable();
        assert_eq!(seeded, public);
    }

    #[test]
    fn seeded_ids_and_scenario_ids_do_not_overlap() {
        for (id, _, _) in SCENARIOS {
            assert!(
                SEED.link(id).is_none(),
                "{id} is both seeded and a scenario"
            );
        }
    }

    #[test]
    fn only_accounts_with_numbers_have_numbers() {
        let us = SEED.link(links::US).unwrap();
        let with: Vec<&str> = us
            .accounts
            .iter()
            .filter(|a| a.numbers.is_some())
            .map(|a| a.account.account_id.as_str())
            .collect();
        assert_eq!(with, ["acc_us_checking", "acc_us_savings"]);
    }
}
