//! The measuring instruments behind `cargo xtask bench` (BENCHMARKS.md): the per-request client
//! benchmark (`moneykit` against a hand-written reqwest + serde_json baseline), the decoding
//! benchmark (generated types, hand-written structs, `serde_json::Value`), and a bounded HTTP/1.1
//! load generator for the sandbox. Each binary prints one JSON line; xtask runs them interleaved,
//! takes medians and writes the report. `downstream/` holds the minimal crates of the build
//! benchmark (templates, copied to a scratch folder by xtask).
//!
//! It must not: be a dependency of another crate, run in `cargo test --workspace` (it is not a
//! default member), reach beyond 127.0.0.1, or print a credential or a token.
#![forbid(unsafe_code)]

pub mod baseline;
pub mod bodies;
pub mod cpu;
pub mod drive;
pub mod load;

/// The link every client request reads: four accounts, the sandbox's typical answer.
pub const LINK_ID: &str = "mk_sandbox_us";

/// The client id and secret, from `MONEYKIT_CLIENT_ID` and `MONEYKIT_CLIENT_SECRET` (xtask passes
/// the sandbox's), so they never appear on a command line.
pub fn credentials_from_env() -> Result<(String, String), String> {
    let read = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    Ok((read("MONEYKIT_CLIENT_ID")?, read("MONEYKIT_CLIENT_SECRET")?))
}
