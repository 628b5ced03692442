//! The baseline a user would write without this workspace: plain reqwest + serde_json into
//! hand-written structs. Every field the API documents is decoded (so the work matches the
//! generated types'), with the types a hand-written client typically picks: `String` for enums
//! and timestamps, `Option` for what may be absent or null.

use reqwest::header::{ACCEPT, HeaderValue};
use serde::Deserialize;

/// `GET /links/{id}/accounts`.
#[derive(Debug, Deserialize)]
pub struct Accounts {
    /// The link's accounts.
    pub accounts: Vec<Account>,
    /// The link itself.
    pub link: Link,
}

/// `GET /links/{id}/accounts/numbers` (the 2023-02-18 shape).
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct AccountNumbers {
    /// The link's accounts, each with its numbers.
    pub accounts: Vec<AccountWithNumbers>,
    /// The link itself.
    pub link: Link,
}

/// One account.
#[derive(Debug, Deserialize)]
pub struct Account {
    /// The account's id.
    pub account_id: String,
    /// `depository.checking`, …
    pub account_type: String,
    /// The institution's name for it.
    pub name: String,
    /// The user's name for it.
    pub nickname: Option<String>,
    /// The last digits of its number.
    pub account_mask: Option<String>,
    /// Its balances.
    pub balances: Balances,
    /// The institution's id for it.
    pub original_id: Option<String>,
    /// Whether it is closed.
    pub closed: Option<bool>,
}

/// One account with its numbers: the account's fields written out again, as a hand-written
/// client would (`#[serde(flatten)]` would buffer every account through serde's `Content`).
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct AccountWithNumbers {
    /// The account's id.
    pub account_id: String,
    /// `depository.checking`, …
    pub account_type: String,
    /// The institution's name for it.
    pub name: String,
    /// The user's name for it.
    pub nickname: Option<String>,
    /// The last digits of its number.
    pub account_mask: Option<String>,
    /// Its balances.
    pub balances: Balances,
    /// The institution's id for it.
    pub original_id: Option<String>,
    /// Whether it is closed.
    pub closed: Option<bool>,
    /// Its numbers.
    pub numbers: Numbers,
}

/// An account's balances.
#[derive(Debug, Deserialize)]
pub struct Balances {
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Available balance.
    pub available: Option<f64>,
    /// Current balance.
    pub current: Option<f64>,
    /// Credit limit.
    pub limit: Option<f64>,
    /// When the balances were read.
    pub balance_date: Option<String>,
}

/// An account's numbers, by kind.
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct Numbers {
    /// US numbers.
    #[serde(default)]
    pub ach: Vec<Ach>,
    /// Canadian numbers.
    #[serde(default)]
    pub eft: Vec<Eft>,
    /// UK numbers.
    #[serde(default)]
    pub bacs: Vec<Bacs>,
    /// IBAN and BIC.
    #[serde(default)]
    pub international: Vec<International>,
}

/// A US account and routing number.
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct Ach {
    /// Account number.
    pub account_number: String,
    /// ACH routing number.
    pub routing_number: String,
    /// Wire routing number.
    pub wire_routing_number: Option<String>,
}

/// A Canadian account number.
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct Eft {
    /// Account number.
    pub account_number: String,
    /// Institution number.
    pub institution_number: String,
    /// Branch (transit) number.
    pub branch_number: String,
}

/// A UK account number.
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct Bacs {
    /// Account number.
    pub account_number: String,
    /// Sort code.
    pub sort_code: String,
}

/// An IBAN and BIC.
// No `Debug`: it would print full account numbers.
#[derive(Deserialize)]
pub struct International {
    /// IBAN.
    pub iban: String,
    /// BIC.
    pub bic: String,
}

/// The link embedded in a response.
#[derive(Debug, Deserialize)]
pub struct Link {
    /// The link's id.
    pub link_id: String,
    /// The institution's id.
    pub institution_id: String,
    /// The institution's name.
    pub institution_name: String,
    /// The institution's avatar.
    pub institution_avatar: Option<String>,
    /// `connected`, …
    pub state: String,
    /// Why the link is in `error`.
    pub error_code: Option<String>,
    /// The provider behind it.
    pub provider: Option<String>,
    /// The state of each product.
    pub products: Products,
    /// Products that could be requested.
    pub available_products: Option<Vec<String>>,
    /// Deprecated last sync.
    pub last_synced_at: Option<String>,
    /// Tags.
    pub link_tags: Option<Vec<String>>,
    /// Deprecated tags.
    pub tags: Option<Vec<String>>,
    /// The webhook URL.
    pub webhook: Option<String>,
}

/// The state of each product of a link.
#[derive(Debug, Deserialize)]
pub struct Products {
    /// Accounts.
    pub accounts: Option<Product>,
    /// Account numbers.
    pub account_numbers: Option<Product>,
    /// Identity.
    pub identity: Option<Product>,
    /// Transactions.
    pub transactions: Option<Product>,
    /// Investments.
    pub investments: Option<Product>,
    /// Enrichment.
    pub enrichment: Option<Product>,
}

/// The state of one product of a link.
#[derive(Debug, Deserialize)]
pub struct Product {
    /// Last successful refresh.
    pub refreshed_at: Option<String>,
    /// Last attempt.
    pub last_attempted_at: Option<String>,
    /// Why the last attempt failed.
    pub error_code: Option<String>,
    /// Its message.
    pub error_message: Option<String>,
    /// Why the product cannot be had.
    pub unavailable: Option<String>,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

/// The baseline client: one reqwest client, a token fetched once, the same headers `moneykit`
/// sends (`Accept`, `moneykit-version`, `Authorization`, `User-Agent`).
pub struct Baseline {
    http: reqwest::Client,
    accounts_url: String,
    version: HeaderValue,
    token: String,
}

impl std::fmt::Debug for Baseline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Baseline")
            .field("accounts_url", &self.accounts_url)
            .finish_non_exhaustive()
    }
}

impl Baseline {
    /// Fetches a token from `POST {base_url}/auth/token` with the client credentials.
    pub async fn connect(base_url: &str, id: &str, secret: &str) -> Result<Baseline, String> {
        let http = reqwest::Client::builder()
            .user_agent(moneykit::USER_AGENT)
            .build()
            .map_err(|e| format!("baseline client: {e}"))?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ];
        let response = http
            .post(format!("{base_url}/auth/token"))
            .form(&form)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("baseline token: {e}"))?;
        let token: Token = response.json().await.map_err(|e| e.to_string())?;
        let version = moneykit_api::types::SupportedVersion::default();
        Ok(Baseline {
            http,
            accounts_url: format!("{base_url}/links/{}/accounts", crate::LINK_ID),
            version: HeaderValue::from_str(version.as_str()).map_err(|e| e.to_string())?,
            token: token.access_token,
        })
    }

    /// One `GET /links/{id}/accounts`, decoded.
    pub async fn accounts(&self) -> Result<Accounts, String> {
        self.http
            .get(&self.accounts_url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header("moneykit-version", self.version.clone())
            .bearer_auth(&self.token)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("baseline request: {e}"))?
            .json()
            .await
            .map_err(|e| format!("baseline decode: {e}"))
    }
}
