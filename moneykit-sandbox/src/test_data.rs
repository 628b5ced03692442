//! Test data for [`Sandbox::add_link`](crate::Sandbox::add_link) that cannot be misspelt:
//! builders with typed setters ([`TestLink`], [`TestAccount`]), and JSON that refuses keys the
//! generated types do not have ([`NewLink::from_json`]).
//!
//! The generated types accept unknown keys and unknown enum values, as a client of a growing API
//! must; in a test's own data the same leniency turns `"avaliable"` into a missing balance and
//! `"conected"` into a link state, so the typo shows up far away as a wrong answer.

use std::fmt;

use moneykit_api::Amount;
use moneykit_api::types::{
    AccountNumbersLegacy20230218, AccountResponse, LinkCommon, Product, Provider, PublicLinkError,
    PublicLinkState,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::seed::SeedAccount;
use crate::store::NewLink;

/// A default amount, written as the decimal text MoneyKit would send.
fn amount(text: &str) -> Amount {
    text.parse()
        .unwrap_or_else(|_| unreachable!("{text} is a constant decimal"))
}

/// When the defaults were last synced: the seeded links' date, so that a test's own link and
/// the seeded ones look refreshed at the same moment.
const SYNCED_AT: &str = "2026-11-20T08:00:00Z";

/// A default, written as the JSON MoneyKit would send and decoded into its generated type. The
/// generated types have no constructors, and a struct literal would stop compiling the day the
/// spec adds a property (`cargo xtask evolve` adds some); JSON names only what it sets.
fn generated<T: DeserializeOwned>(json: Value) -> T {
    serde_json::from_value(json)
        .unwrap_or_else(|e| unreachable!("a constant default decodes (the crate's tests): {e}"))
}

/// The routing number of the default ACH numbers: nine digits whose ABA checksum holds, so code
/// that validates routing numbers accepts it.
const ROUTING_NUMBER: &str = "011401533";

/// A link of the test's own, with typed setters: a value that is not a field or a known variant
/// does not compile. Give it to [`Sandbox::add_link`](crate::Sandbox::add_link) (it converts
/// into the [`NewLink`] served), or convert it with [`NewLink::from`] to compare what a client
/// reads back with what was built.
///
/// [`TestLink::new`] is a connected link at Juniper Bank (`juniper_bank`, provider `mx`) with the
/// accounts and account numbers products granted and refreshed at 2026-11-20T08:00:00Z, and no
/// accounts yet: add them with [`account`](TestLink::account).
///
/// ```
/// use moneykit_api::types::{Product, PublicLinkState};
/// use moneykit_sandbox::{NewLink, TestAccount, TestLink};
/// use rust_decimal_macros::dec;
///
/// let budget = TestLink::new("mk_app_budget")
///     .account(TestAccount::checking("acc_rent").available(dec!(1200.25)))
///     .account(TestAccount::credit_card("acc_card"));
/// let deleted = TestLink::new("mk_app_deleted").state(PublicLinkState::Deleted);
/// let no_numbers = TestLink::new("mk_app_basic").products([Product::Accounts]);
/// assert_eq!(NewLink::from(budget).id(), "mk_app_budget");
/// # let _ = (deleted, no_numbers);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use = "a TestLink does nothing until it is given to Sandbox::add_link"]
pub struct TestLink {
    link: LinkCommon,
    accounts: Vec<TestAccount>,
    /// Products given to [`products`](TestLink::products) that `LinkProducts` has no field for:
    /// kept so that `add_link` can name them instead of the link silently lacking them.
    unknown_products: Vec<String>,
}

impl TestLink {
    /// A connected link with this id, at Juniper Bank, with the accounts and account numbers
    /// products and no accounts.
    pub fn new(link_id: impl Into<String>) -> Self {
        let link_id: String = link_id.into();
        let mut link = TestLink {
            link: generated(json!({
                "link_id": link_id, "institution_id": "", "institution_name": "",
                "state": "connected", "provider": "mx", "products": {}, "available_products": [],
                "last_synced_at": SYNCED_AT,
            })),
            accounts: Vec::new(),
            unknown_products: Vec::new(),
        };
        link = link.institution("juniper_bank", "Juniper Bank");
        link.products([Product::Accounts, Product::AccountNumbers])
    }

    /// The link's state. The sandbox answers the accounts endpoints 410 for `deleted` and 422
    /// for any state but `connected`; `PublicLinkState::Other` is refused by `add_link`, since
    /// no answer follows from a state the sandbox does not know. For the `error` state with its
    /// `error_code`, use [`error`](TestLink::error).
    pub fn state(mut self, state: PublicLinkState) -> Self {
        self.link.state = state;
        self
    }

    /// Puts the link in the `error` state with this `error_code`, which the sandbox's 422
    /// carries as `link_error_code`.
    pub fn error(mut self, code: PublicLinkError) -> Self {
        self.link.state = PublicLinkState::Error;
        self.link.error_code = Some(Some(code));
        self
    }

    /// The institution's id and name; its avatar becomes `https://sandbox.invalid/avatars/{id}.png`
    /// (`.invalid` never resolves, so nothing can fetch it).
    pub fn institution(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        let id = id.into();
        self.link.institution_avatar = Some(format!("https://sandbox.invalid/avatars/{id}.png"));
        self.link.institution_id = id;
        self.link.institution_name = name.into();
        self
    }

    /// The data provider.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.link.provider = Some(provider);
        self
    }

    /// The products granted to the link, replacing the default two; each refreshed at the
    /// default sync time. The sandbox answers 403 for accounts without `Product::Accounts` and
    /// for numbers without `Product::AccountNumbers`. `Product::Other` is refused by `add_link`:
    /// a link has no place for a product it does not know.
    pub fn products(mut self, products: impl IntoIterator<Item = Product>) -> Self {
        let products: Vec<Product> = products.into_iter().collect();
        let refreshed = json!({ "refreshed_at": SYNCED_AT, "last_attempted_at": SYNCED_AT });
        let granted = (products.iter())
            .map(|product| (product.as_str().to_owned(), refreshed.clone()))
            .collect();
        self.link.products = generated(Value::Object(granted));
        // `LinkProducts` has a property per product the spec knows; any other decodes to nothing.
        self.unknown_products = (products.iter())
            .filter(|product| self.link.products.get(product).is_none())
            .map(|product| product.as_str().to_owned())
            .collect();
        self
    }

    /// The link's tags (`link_tags`).
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.link.link_tags = Some(Some(tags.into_iter().map(Into::into).collect()));
        self
    }

    /// Adds an account, after those added before (the order the sandbox lists them in).
    pub fn account(mut self, account: TestAccount) -> Self {
        self.accounts.push(account);
        self
    }
}

impl From<TestLink> for NewLink {
    fn from(test: TestLink) -> Self {
        let accounts =
            (test.accounts.into_iter()).map(|account| (account.account, account.numbers));
        NewLink::with_accounts(test.link, accounts).with_unknown_products(test.unknown_products)
    }
}

/// An account of a [`TestLink`], with typed setters. Each constructor gives a plausible account
/// in USD, with balances dated 2026-11-20T08:00:00Z:
///
/// | constructor | `account_type` | name | available | current | limit | numbers |
/// |---|---|---|---|---|---|---|
/// | [`checking`](TestAccount::checking) | `depository.checking` | Everyday Checking | 1843.27 | 1901.52 | — | ACH `7204918364821` / `011401533` |
/// | [`savings`](TestAccount::savings) | `depository.savings` | High Yield Savings | 5210.00 | 5210.00 | — | ACH `7204918367730` / `011401533` |
/// | [`credit_card`](TestAccount::credit_card) | `liability.credit_card` | Rewards Credit Card | 3450.00 | 1550.00 | 5000.00 | none |
///
/// The mask is the account number's last four digits (`4821`, `7730`; `1009` for the card).
#[derive(Clone, Debug, PartialEq)]
#[must_use = "a TestAccount does nothing until it is added to a TestLink"]
pub struct TestAccount {
    account: AccountResponse,
    numbers: Option<AccountNumbersLegacy20230218>,
}

impl TestAccount {
    fn new(id: String, account_type: &str, name: &str, mask: &str) -> Self {
        TestAccount {
            account: generated(json!({
                "account_id": id, "account_type": account_type, "name": name,
                "account_mask": mask, "closed": false,
                "balances": { "currency": "USD", "balance_date": SYNCED_AT },
            })),
            numbers: None,
        }
    }

    /// A checking account (`depository.checking`) with ACH numbers.
    pub fn checking(account_id: impl Into<String>) -> Self {
        let id = account_id.into();
        TestAccount::new(id, "depository.checking", "Everyday Checking", "")
            .available(amount("1843.27"))
            .current(amount("1901.52"))
            .ach("7204918364821", ROUTING_NUMBER)
    }

    /// A savings account (`depository.savings`) with ACH numbers.
    pub fn savings(account_id: impl Into<String>) -> Self {
        let id = account_id.into();
        TestAccount::new(id, "depository.savings", "High Yield Savings", "")
            .available(amount("5210.00"))
            .current(amount("5210.00"))
            .ach("7204918367730", ROUTING_NUMBER)
    }

    /// A credit card (`liability.credit_card`): no account numbers, as MoneyKit has none for
    /// cards, and balances as a liability's are (the amount owed is positive).
    pub fn credit_card(account_id: impl Into<String>) -> Self {
        let id = account_id.into();
        TestAccount::new(id, "liability.credit_card", "Rewards Credit Card", "1009")
            .available(amount("3450.00"))
            .current(amount("1550.00"))
            .limit(amount("5000.00"))
    }

    /// The account's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.account.name = name.into();
        self
    }

    /// Another account type than the constructor's. MoneyKit's account types are an open set
    /// of strings (`investment.brokerage`, `liability.loan`, …), so this one is not checked.
    pub fn account_type(mut self, account_type: impl Into<String>) -> Self {
        self.account.account_type = account_type.into();
        self
    }

    /// The available balance.
    pub fn available(mut self, amount: impl Into<Amount>) -> Self {
        self.account.balances.available = Some(Some(amount.into()));
        self
    }

    /// No available balance (`"available": null`), as from an institution that does not report
    /// it.
    pub fn available_unreported(mut self) -> Self {
        self.account.balances.available = Some(None);
        self
    }

    /// The current balance.
    pub fn current(mut self, amount: impl Into<Amount>) -> Self {
        self.account.balances.current = Some(Some(amount.into()));
        self
    }

    /// The credit (or overdraft) limit.
    pub fn limit(mut self, amount: impl Into<Amount>) -> Self {
        self.account.balances.limit = Some(Some(amount.into()));
        self
    }

    /// The balances' currency code. MoneyKit treats currencies as an open set of strings, so
    /// this one is not checked.
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.account.balances.currency = Some(Some(currency.into()));
        self
    }

    /// Marks the account closed (`closed: true`); MoneyKit may still list it.
    pub fn closed(mut self) -> Self {
        self.account.closed = Some(Some(true));
        self
    }

    /// ACH numbers, replacing any numbers the account had; the mask becomes the account
    /// number's last four characters, as a real account's is.
    pub fn ach(mut self, account_number: &str, routing_number: &str) -> Self {
        let start = account_number
            .char_indices()
            .rev()
            .nth(3)
            .map_or(0, |(index, _)| index);
        self.account.account_mask = Some(Some(account_number[start..].to_owned()));
        self.numbers = Some(generated(json!({
            "ach": [{ "account_number": account_number, "routing_number": routing_number }],
            "bacs": [], "eft": [], "international": [],
        })));
        self
    }

    /// No account numbers: the account is left out of `/accounts/numbers`, as MoneyKit leaves
    /// out accounts it has none for.
    pub fn without_numbers(mut self) -> Self {
        self.numbers = None;
        self
    }
}

/// Why [`NewLink::from_json`] refused its JSON.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonLinkError {
    /// The JSON does not decode into the generated types: a required field is missing, or a
    /// value has the wrong type.
    Decode {
        /// serde's message.
        message: String,
    },
    /// Keys the generated types do not have, most likely misspelt, each as a path from the
    /// top of the JSON (`accounts[0].balances.avaliable`), in document order.
    UnknownKeys {
        /// The keys' paths.
        paths: Vec<String>,
    },
}

impl fmt::Display for JsonLinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonLinkError::Decode { message } => {
                write!(f, "the link's JSON does not decode: {message}")
            }
            JsonLinkError::UnknownKeys { paths } => {
                write!(f, "no such field (misspelt?): {}", paths.join(", "))
            }
        }
    }
}

impl std::error::Error for JsonLinkError {}

/// The JSON shape [`NewLink::from_json`] reads: a link of `seed.json`, without its
/// description.
#[derive(Deserialize, Serialize)]
struct JsonLink {
    link: LinkCommon,
    #[serde(default)]
    accounts: Vec<SeedAccount>,
}

impl NewLink {
    /// A link from JSON shaped as a link of the crate's `seed.json`: `{"link": …, "accounts":
    /// […]}`, the link as `GET /links/{id}` returns it and each account as in `/accounts`, with
    /// its account numbers under `numbers` when it has any (`accounts` may be left out).
    ///
    /// Unlike the generated types, which must accept fields a newer API adds, this refuses any
    /// key they do not have and names its path ([`JsonLinkError::UnknownKeys`]): a misspelt
    /// key is an error here, not a field quietly left unset. Values are decoded as the client
    /// decodes them, so a misspelt state still decodes (as `PublicLinkState::Other`);
    /// [`Sandbox::add_link`](crate::Sandbox::add_link) refuses it.
    ///
    /// ```
    /// use moneykit_sandbox::{JsonLinkError, NewLink};
    /// use serde_json::json;
    ///
    /// let typo = json!({
    ///     "link": {
    ///         "link_id": "mk_json", "institution_id": "juniper_bank",
    ///         "institution_name": "Juniper Bank", "state": "connected", "products": {},
    ///     },
    ///     "accounts": [{
    ///         "account_id": "acc_1", "name": "Checking", "account_type": "depository.checking",
    ///         "balances": { "currency": "USD", "avaliable": 10.5 },
    ///     }],
    /// });
    /// let paths = vec!["accounts[0].balances.avaliable".to_owned()];
    /// assert_eq!(NewLink::from_json(typo), Err(JsonLinkError::UnknownKeys { paths }));
    /// ```
    pub fn from_json(json: Value) -> Result<NewLink, JsonLinkError> {
        let decoded = JsonLink::deserialize(&json).map_err(|error| JsonLinkError::Decode {
            message: error.to_string(),
        })?;
        // Whatever the generated types dropped on the way in is missing on the way out.
        let known = serde_json::to_value(&decoded).map_err(|error| JsonLinkError::Decode {
            message: error.to_string(),
        })?;
        let mut paths = Vec::new();
        unknown_keys(&json, &known, &mut String::new(), &mut paths);
        if !paths.is_empty() {
            return Err(JsonLinkError::UnknownKeys { paths });
        }
        let accounts =
            (decoded.accounts.into_iter()).map(|seeded| (seeded.account, seeded.numbers));
        Ok(NewLink::with_accounts(decoded.link, accounts))
    }
}

/// Appends to `paths` the path of every object key of `input` that `known` (the same data after
/// a round trip through the generated types) lacks.
///
/// A key whose value is `null` is let through: a few optional fields decode `null` as absent and
/// are then left out on the way back, so their key cannot be told from an unknown one, and a
/// misspelt key set to `null` asks for what leaving it out gives anyway.
fn unknown_keys(input: &Value, known: &Value, path: &mut String, paths: &mut Vec<String>) {
    match (input, known) {
        (Value::Object(input), Value::Object(known)) => {
            for (key, value) in input {
                let end = path.len();
                push_key(path, key);
                match known.get(key) {
                    Some(known) => unknown_keys(value, known, path, paths),
                    None if value.is_null() => {}
                    None => paths.push(path.clone()),
                }
                path.truncate(end);
            }
        }
        (Value::Array(input), Value::Array(known)) => {
            for (index, (value, known)) in input.iter().zip(known).enumerate() {
                let end = path.len();
                path.push_str(&format!("[{index}]"));
                unknown_keys(value, known, path, paths);
                path.truncate(end);
            }
        }
        _ => {}
    }
}

/// `.key`, or `["key"]` when the key is not a plain word (so that a key with a dot in it cannot
/// read as two).
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&Value::from(key).to_string());
        path.push(']');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::seed::SEED;

    #[test]
    fn seed_json_has_no_key_the_generated_types_lack() {
        let seed: Value = serde_json::from_str(include_str!("../seed.json")).unwrap();
        for link in seed["links"].as_array().unwrap() {
            let mut link = link.clone();
            link.as_object_mut().unwrap().remove("description");
            let id = link["link"]["link_id"].clone();
            let parsed = NewLink::from_json(link).unwrap();
            let seeded = SEED.link(id.as_str().unwrap()).unwrap().to_new_link();
            assert_eq!(parsed, seeded);
        }
    }

    #[test]
    fn unknown_keys_are_named_by_path_at_any_depth() {
        let json = json!({
            "link": {
                "link_id": "mk_1", "institution_id": "i", "institution_name": "I",
                "state": "connected", "provider": null, "products": { "acounts": {} },
                "weird.key": 1,
            },
            "accounts": [
                { "account_id": "a", "name": "A", "account_type": "t", "balances": {} },
                {
                    "account_id": "b", "name": "B", "account_type": "t", "balances": {},
                    "numbers": {
                        "ach": [{ "account_number": "1", "routing_number": "2", "wire": "3" }],
                        "bacs": [], "eft": [], "international": [],
                    },
                },
            ],
            "description": "not part of the shape",
        });
        let paths = [
            "link.products.acounts",
            "link[\"weird.key\"]",
            "accounts[1].numbers.ach[0].wire",
            "description",
        ];
        let Err(JsonLinkError::UnknownKeys { paths: mut found }) = NewLink::from_json(json) else {
            panic!("accepted");
        };
        let mut expected = paths.map(str::to_owned).to_vec();
        found.sort();
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn json_that_does_not_decode_is_a_decode_error() {
        let missing_id = json!({ "link": { "state": "connected" } });
        assert!(matches!(
            NewLink::from_json(missing_id),
            Err(JsonLinkError::Decode { .. })
        ));
    }

    #[test]
    fn defaults_are_what_the_docs_say() {
        let checking = TestAccount::checking("a");
        assert_eq!(checking.account.account_mask, Some(Some("4821".to_owned())));
        assert_eq!(
            checking.account.balances.available,
            Some(Some(amount("1843.27")))
        );
        let savings = TestAccount::savings("s");
        assert_eq!(savings.account.account_mask, Some(Some("7730".to_owned())));
        let card = TestAccount::credit_card("c");
        assert_eq!(card.numbers, None);
        assert_eq!(card.account.balances.limit, Some(Some(amount("5000.00"))));
        let link = TestLink::new("mk");
        assert_eq!(link.link.state, PublicLinkState::Connected);
        assert!(link.link.products.accounts().is_some());
        assert!(link.link.products.account_numbers().is_some());
        assert!(link.link.products.identity().is_none());
    }

    #[test]
    fn the_routing_number_passes_the_aba_checksum() {
        let digits: Vec<u32> = ROUTING_NUMBER
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
        let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
        assert_eq!((digits.len(), sum % 10), (9, 0));
    }

    #[test]
    fn the_mask_is_the_last_four_characters() {
        let short = TestAccount::checking("a").ach("12", "011401533");
        assert_eq!(short.account.account_mask, Some(Some("12".to_owned())));
        let long = TestAccount::checking("a").ach("99990001", "011401533");
        assert_eq!(long.account.account_mask, Some(Some("0001".to_owned())));
    }
}
