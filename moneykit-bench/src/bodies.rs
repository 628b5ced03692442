//! Account-numbers bodies of any size, built from the fixture with every account field
//! (`tests/fixtures/GetAccountNumbersResponseLegacy20230218/current_2025_every_account_field.json`,
//! the one `moneykit/tests/limits.rs` sizes the response cap with): its account repeated with
//! distinct ids and numbers, serialized compact as a server sends it.

use serde_json::Value;

const FIXTURE: &str = include_str!(
    "../../tests/fixtures/GetAccountNumbersResponseLegacy20230218/current_2025_every_account_field.json"
);

/// A `GetAccountNumbersResponseLegacy20230218` body with `accounts` accounts.
pub fn account_numbers(accounts: usize) -> Result<Vec<u8>, String> {
    let mut body: Value = serde_json::from_str(FIXTURE).map_err(|e| e.to_string())?;
    let template = body
        .pointer("/accounts/0")
        .cloned()
        .ok_or("the fixture has no account")?;
    let list = (0..accounts)
        .map(|i| {
            let mut account = template.clone();
            account["account_id"] = Value::from(format!("acc_bench_{i:06}"));
            account["numbers"]["ach"][0]["account_number"] = Value::from(format!("{:012}", i));
            account
        })
        .collect();
    body["accounts"] = Value::Array(list);
    serde_json::to_vec(&body).map_err(|e| e.to_string())
}

/// What a body is decoded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    /// `moneykit_api::types::GetAccountNumbersResponseLegacy20230218`, what `moneykit` returns.
    Generated,
    /// [`crate::baseline::AccountNumbers`].
    HandWritten,
    /// `serde_json::Value`.
    Value,
}

impl Decoder {
    /// Every decoder, in report order.
    pub const ALL: [Decoder; 3] = [Decoder::Generated, Decoder::HandWritten, Decoder::Value];

    /// The name used on command lines and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Decoder::Generated => "generated",
            Decoder::HandWritten => "handwritten",
            Decoder::Value => "value",
        }
    }

    /// The decoder called `name`.
    pub fn from_name(name: &str) -> Result<Decoder, String> {
        Decoder::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| format!("unknown decoder {name:?}"))
    }

    /// Decodes `body` and returns how many accounts it held (so the work cannot be skipped).
    /// The decoded value is dropped only after `inspect` saw it.
    pub fn decode(self, body: &[u8], inspect: impl FnOnce()) -> Result<usize, String> {
        let error = |e: serde_json::Error| format!("{}: {e}", self.name());
        let count = match self {
            Decoder::Generated => {
                let decoded: moneykit_api::types::GetAccountNumbersResponseLegacy20230218 =
                    serde_json::from_slice(body).map_err(error)?;
                inspect();
                decoded.accounts.len()
            }
            Decoder::HandWritten => {
                let decoded: crate::baseline::AccountNumbers =
                    serde_json::from_slice(body).map_err(error)?;
                inspect();
                decoded.accounts.len()
            }
            Decoder::Value => {
                let decoded: Value = serde_json::from_slice(body).map_err(error)?;
                inspect();
                decoded["accounts"].as_array().map_or(0, Vec::len)
            }
        };
        Ok(count)
    }
}
