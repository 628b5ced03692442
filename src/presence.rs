//! Support for the generated optional nullable fields, `Option<Option<T>>`: absent is `None`,
//! an explicit `null` is `Some(None)`, so both survive being serialized again.

use serde::{Deserialize, Deserializer};

/// Deserializes a field that is present (serde only calls this when the key is there): `null`
/// becomes `Some(None)`. Absent keys get `None` from `#[serde(default)]`.
#[doc(hidden)]
pub fn deserialize_present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
