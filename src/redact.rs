//! [`Redact`]: a copy of a value with every [`Sensitive`] and [`Secret`] masked: a value to
//! hand on that cannot reveal anything, even to [`Revealed`](crate::Revealed) (serializing the
//! original already masks them).
//!
//! `moneykit-gen` implements it for every generated type by walking their fields (cloning the
//! ones that hold no generated type and no `Sensitive`), so a sensitive property added to the
//! spec is masked without anyone writing a line; `Sensitive` and the containers are
//! implemented here.

use std::collections::{BTreeMap, HashMap};

use crate::{Secret, Sensitive};

/// A copy in which every [`Sensitive`] and [`Secret`] is masked (`••••8062`, `••••`): their
/// `reveal()` answers `None` and `is_masked()` `true`, and no opt-in can serialize them in
/// full. Everything else is kept as it is.
///
/// ```
/// use moneykit_api::{Redact, types::AchNumber};
///
/// let ach: AchNumber = serde_json::from_str(
///     r#"{"account_number":"235905558062","routing_number":"111222333"}"#,
/// ).unwrap();
/// let shown = serde_json::to_value(ach.redacted()).unwrap();
/// assert_eq!(shown["account_number"], "••••8062");
/// ```
pub trait Redact {
    /// The copy with every sensitive value masked.
    #[must_use]
    fn redacted(&self) -> Self;
}

impl Redact for Sensitive {
    fn redacted(&self) -> Self {
        Sensitive::from(self.masked())
    }
}

impl Redact for Secret {
    fn redacted(&self) -> Self {
        Secret::from(Secret::MASK)
    }
}

impl<T: Redact> Redact for Option<T> {
    fn redacted(&self) -> Self {
        self.as_ref().map(Redact::redacted)
    }
}

impl<T: Redact> Redact for Vec<T> {
    fn redacted(&self) -> Self {
        self.iter().map(Redact::redacted).collect()
    }
}

impl<T: Redact> Redact for Box<T> {
    fn redacted(&self) -> Self {
        Box::new(T::redacted(self))
    }
}

impl<K: Clone + Ord, V: Redact> Redact for BTreeMap<K, V> {
    fn redacted(&self) -> Self {
        self.iter()
            .map(|(k, v)| (k.clone(), v.redacted()))
            .collect()
    }
}

impl<K: Clone + Eq + std::hash::Hash, V: Redact> Redact for HashMap<K, V> {
    fn redacted(&self) -> Self {
        self.iter()
            .map(|(k, v)| (k.clone(), v.redacted()))
            .collect()
    }
}
