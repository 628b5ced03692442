//! Helpers shared by `moneykit-api`'s integration tests.

use std::path::Path;

use serde::de::DeserializeOwned;

/// The JSON body `tests/fixtures/<path>`, decoded as `T`.
pub fn fixture<T: DeserializeOwned>(path: &str) -> T {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    serde_json::from_slice(&std::fs::read(root.join(path)).unwrap()).unwrap()
}
