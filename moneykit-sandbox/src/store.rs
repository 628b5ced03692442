//! The links a sandbox serves: the seeded ones and those a test adds at run time, one store,
//! each link with its three bodies serialized once (the store is read on every request; a link
//! is never changed in place, only replaced, so a cached body cannot go stale).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use axum::body::Bytes;
use moneykit_api::Revealed;
use moneykit_api::types::{
    AccountNumbersLegacy20230218, AccountResponse, AccountWithAccountNumbersLegacy20230218,
    GetAccountNumbersResponseLegacy20230218, GetAccountsResponse, LinkCommon, Product,
    PublicLinkState,
};

use crate::seed::{SEED, scenario};

/// A link to add to a running sandbox with [`Sandbox::add_link`](crate::Sandbox::add_link):
/// the link as `GET /links/{id}` returns it, and its accounts in order, each with its account
/// numbers when it has any (an account without numbers is left out of
/// `/accounts/numbers`, as MoneyKit does).
///
/// It is served exactly as the seeded links are: its `products` decide whether accounts and
/// numbers answer 403, its `state` whether they answer 410 (`deleted`) or 422 (any state but
/// `connected`), and rate limits count it the same way.
///
/// Build one from the generated types (`new`, `account`, `account_with_numbers`), from typed
/// builders that cannot be misspelt ([`TestLink`](crate::TestLink), which converts into a
/// `NewLink`), or from JSON that refuses unknown keys ([`NewLink::from_json`]).
#[derive(Clone, Debug, PartialEq)]
pub struct NewLink {
    pub(crate) link: LinkCommon,
    pub(crate) accounts: Vec<(AccountResponse, Option<AccountNumbersLegacy20230218>)>,
    /// Products a [`TestLink`](crate::TestLink) was given that `LinkCommon` has no place for:
    /// carried here so that `add_link` refuses the link instead of serving it without them.
    unknown_products: Vec<String>,
}

impl NewLink {
    /// A link with no accounts yet; its id is `link.link_id`.
    pub fn new(link: LinkCommon) -> Self {
        NewLink {
            link,
            accounts: Vec::new(),
            unknown_products: Vec::new(),
        }
    }

    pub(crate) fn with_unknown_products(mut self, products: Vec<String>) -> Self {
        self.unknown_products = products;
        self
    }

    /// A link and its accounts, each with its numbers if it has any: what the seed, the test data
    /// builders and JSON all come to.
    pub(crate) fn with_accounts(
        link: LinkCommon,
        accounts: impl IntoIterator<Item = (AccountResponse, Option<AccountNumbersLegacy20230218>)>,
    ) -> Self {
        NewLink {
            accounts: accounts.into_iter().collect(),
            ..NewLink::new(link)
        }
    }

    /// Adds an account that has no account numbers (a credit card, say).
    pub fn account(mut self, account: AccountResponse) -> Self {
        self.accounts.push((account, None));
        self
    }

    /// Adds an account and its numbers.
    pub fn account_with_numbers(
        mut self,
        account: AccountResponse,
        numbers: AccountNumbersLegacy20230218,
    ) -> Self {
        self.accounts.push((account, Some(numbers)));
        self
    }

    /// The link's id.
    pub fn id(&self) -> &str {
        &self.link.link_id
    }

    /// The link as `GET /links/{id}` serves it: what a client should read back.
    pub fn link(&self) -> &LinkCommon {
        &self.link
    }

    /// The accounts in the order they are served, each with its numbers when it has any.
    pub fn accounts(
        &self,
    ) -> impl ExactSizeIterator<Item = (&AccountResponse, Option<&AccountNumbersLegacy20230218>)>
    {
        self.accounts
            .iter()
            .map(|(account, numbers)| (account, numbers.as_ref()))
    }

    fn validate(&self) -> Result<(), LinkError> {
        let id = self.id();
        if matches!(id, "" | "." | "..") {
            return Err(LinkError::InvalidId { id: id.to_owned() });
        }
        if scenario(id).is_some() {
            return Err(LinkError::ScenarioId { id: id.to_owned() });
        }
        // A state the sandbox does not know has no answer to follow from it; in a test's own
        // data it is far more likely a typo (`conected`) than a state MoneyKit added.
        if let PublicLinkState::Other(state) = &self.link.state {
            return Err(LinkError::UnknownState {
                state: state.clone(),
                known: PublicLinkState::KNOWN,
            });
        }
        if let Some(product) = self.unknown_products.first() {
            return Err(LinkError::UnknownProduct {
                product: product.clone(),
                known: Product::KNOWN,
            });
        }
        for (index, (account, _)) in self.accounts.iter().enumerate() {
            let id = &account.account_id;
            if self.accounts[..index]
                .iter()
                .any(|(a, _)| a.account_id == *id)
            {
                return Err(LinkError::DuplicateAccount {
                    account_id: id.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Why a link could not be added or removed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The id is one of the seeded links ([`links`](crate::links)), which cannot be replaced
    /// or removed.
    SeededId {
        /// The id.
        id: String,
    },
    /// The id is a scenario link's ([`scenarios`](crate::scenarios)).
    ScenarioId {
        /// The id.
        id: String,
    },
    /// A link with this id was already added; remove it first to replace it.
    AlreadyAdded {
        /// The id.
        id: String,
    },
    /// No URL path reaches this id (empty, `.` or `..`).
    InvalidId {
        /// The id.
        id: String,
    },
    /// Two accounts of the link have the same `account_id`.
    DuplicateAccount {
        /// The repeated account id.
        account_id: String,
    },
    /// No link with this id was added at run time.
    NotAdded {
        /// The id.
        id: String,
    },
    /// The link's `state` is none the sandbox knows (`PublicLinkState::Other`), so it could not
    /// say what to answer for it: most likely a misspelt state.
    UnknownState {
        /// The state as given.
        state: String,
        /// The states the sandbox knows.
        known: &'static [&'static str],
    },
    /// A product the link was given is none the sandbox knows (`Product::Other`); the
    /// sandbox decides its 403s from the products.
    UnknownProduct {
        /// The product as given.
        product: String,
        /// The products the sandbox knows.
        known: &'static [&'static str],
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::SeededId { id } => write!(f, "{id} is a seeded link and cannot change"),
            LinkError::ScenarioId { id } => write!(f, "{id} is a scenario link"),
            LinkError::AlreadyAdded { id } => {
                write!(f, "a link {id} was already added (remove it first)")
            }
            LinkError::InvalidId { id } => write!(f, "no URL reaches the link id {id:?}"),
            LinkError::DuplicateAccount { account_id } => {
                write!(f, "the account id {account_id} appears twice")
            }
            LinkError::NotAdded { id } => write!(f, "no link {id} was added at run time"),
            LinkError::UnknownState { state, known } => write!(
                f,
                "unknown link state {state:?} (known: {})",
                known.join(", ")
            ),
            LinkError::UnknownProduct { product, known } => write!(
                f,
                "unknown product {product:?} (known: {})",
                known.join(", ")
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// A link as it is served: its data and its three bodies, serialized when it was stored.
pub(crate) struct ServedLink {
    pub(crate) data: NewLink,
    pub(crate) seeded: bool,
    pub(crate) link_body: Bytes,
    pub(crate) accounts_body: Bytes,
    pub(crate) numbers_body: Bytes,
}

impl ServedLink {
    fn new(data: NewLink, seeded: bool) -> Self {
        let all = data.accounts.iter().map(|(account, _)| account.clone());
        let accounts = data.accounts_response(all.collect());
        let numbers = GetAccountNumbersResponseLegacy20230218 {
            accounts: data.with_numbers().collect(),
            link: data.link.clone(),
        };
        ServedLink {
            link_body: to_json(&data.link),
            accounts_body: to_json(&accounts),
            numbers_body: to_json(&numbers),
            data,
            seeded,
        }
    }

    pub(crate) fn link(&self) -> &LinkCommon {
        &self.data.link
    }
}

impl NewLink {
    pub(crate) fn accounts_response(&self, accounts: Vec<AccountResponse>) -> GetAccountsResponse {
        GetAccountsResponse {
            accounts,
            link: self.link.clone(),
        }
    }

    fn with_numbers(&self) -> impl Iterator<Item = AccountWithAccountNumbersLegacy20230218> + '_ {
        self.accounts.iter().filter_map(|(account, numbers)| {
            let numbers = numbers.clone()?;
            Some(AccountWithAccountNumbersLegacy20230218::from_base(
                account.clone(),
                numbers,
            ))
        })
    }
}

/// The generated types serialize without error (string keys only, no fallible `Serialize`).
/// Served as MoneyKit would: sensitive values in full.
fn to_json(value: &impl serde::Serialize) -> Bytes {
    Bytes::from(serde_json::to_vec(&Revealed(value)).unwrap_or_default())
}

/// Every link a sandbox serves, by id.
pub(crate) struct LinkStore {
    links: RwLock<HashMap<String, Arc<ServedLink>>>,
}

impl LinkStore {
    /// The seeded links.
    pub(crate) fn seeded() -> Self {
        let links = SEED
            .links
            .iter()
            .map(|seeded| {
                let served = ServedLink::new(seeded.to_new_link(), true);
                (seeded.link.link_id.clone(), Arc::new(served))
            })
            .collect();
        LinkStore {
            links: RwLock::new(links),
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<ServedLink>> {
        let links = self.links.read().unwrap_or_else(PoisonError::into_inner);
        links.get(id).cloned()
    }

    pub(crate) fn add(&self, link: NewLink) -> Result<(), LinkError> {
        link.validate()?;
        // Serialized before the lock is taken: readers never wait for it.
        let served = Arc::new(ServedLink::new(link, false));
        let mut links = self.links.write().unwrap_or_else(PoisonError::into_inner);
        match links.entry(served.link().link_id.clone()) {
            Entry::Occupied(existing) => {
                let id = existing.key().clone();
                Err(if existing.get().seeded {
                    LinkError::SeededId { id }
                } else {
                    LinkError::AlreadyAdded { id }
                })
            }
            Entry::Vacant(slot) => {
                slot.insert(served);
                Ok(())
            }
        }
    }

    pub(crate) fn remove(&self, id: &str) -> Result<NewLink, LinkError> {
        let mut links = self.links.write().unwrap_or_else(PoisonError::into_inner);
        let served = match links.entry(id.to_owned()) {
            Entry::Vacant(_) => return Err(LinkError::NotAdded { id: id.to_owned() }),
            Entry::Occupied(entry) if entry.get().seeded => {
                return Err(LinkError::SeededId { id: id.to_owned() });
            }
            Entry::Occupied(entry) => entry.remove(),
        };
        // A request may still hold the link; then its data is copied.
        Ok(Arc::try_unwrap(served)
            .map(|served| served.data)
            .unwrap_or_else(|shared| shared.data.clone()))
    }
}
