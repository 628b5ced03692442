//! The minimal downstream binary of the build benchmark: one call with `moneykit`.
#![forbid(unsafe_code)]

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = moneykit::Client::from_env()?;
    let link = std::env::args().nth(1).unwrap_or_else(|| "mk_sandbox_us".to_owned());
    let accounts = client.link(link).accounts().send().await?;
    // xtask edits this line to measure a rebuild after a change in main.rs.
    println!("bench-edit-0: {} accounts", accounts.accounts.len());
    Ok(())
}
