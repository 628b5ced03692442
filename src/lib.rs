//! `moneykit-api`: the low-level MoneyKit client, generated from `openapi.yaml` by
//! `moneykit-gen` (progenitor) into the checked-in `src/generated.rs`.
//!
//! What it is for: one method per operation (`get_link`, `get_accounts`, `get_account_numbers`,
//! `create_access_token`), the API's schemas as [`types`], and the documented error bodies per
//! status as [`errors`]. Every response type tolerates what MoneyKit is known to change: unknown
//! enum values (kept, see the `Other` variants), unknown fields, `null` or missing optional
//! fields, and every timestamp form ([`Timestamp`]). Money is an [`Amount`], an exact decimal.
//! Account numbers are [`Sensitive`] and tokens [`Secret`]: masked in `Debug`, `Display` and
//! serialization unless serialized through [`Revealed`], which the client does for what it
//! sends.
//!
//! What it must not do: authentication policy, retries, redaction and friendly errors belong to
//! the `moneykit` crate, which plugs them in through [`Hooks`]. Nothing here is hand-copied
//! from the generated code: change `openapi.yaml` and run `cargo xtask regen`.
//!
//! Every request carries `moneykit-version` (the spec's default,
//! [`types::SupportedVersion::default()`], unless the call passes one) and never progenitor's
//! own `api-version` header (the generator drops it).
#![forbid(unsafe_code)]

mod amount;
mod error_response;
mod hooks;
mod path;
#[doc(hidden)]
pub mod presence;
mod redact;
mod sensitive;
mod timestamp;
pub mod tls;

pub use amount::{Amount, AmountParseError};
pub use error_response::{BodyRefused, ErrorResponse};
pub use hooks::{FollowedRedirect, Hooks, RequestHook, ResponseTooLarge};
pub use redact::Redact;
/// `reqwest`, whose types appear in this crate's signatures ([`RequestHook::before_send`]'s
/// request, [`Client::new_with_client`]'s client).
pub use reqwest;
/// `rust_decimal`, whose [`Decimal`](rust_decimal::Decimal) every [`Amount`] holds.
pub use rust_decimal;
pub use sensitive::{Revealed, RevealedSensitive, Secret, Sensitive};
pub use timestamp::{Timestamp, TimestampParseError};

// The generated code expects to sit at the crate root: its open enums and timestamp fields are
// named by `crate::` paths. `cargo xtask regen` writes it; the build script (feature `generate`)
// fails when it is stale.
include!("generated.rs");
