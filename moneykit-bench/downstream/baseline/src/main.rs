//! The baseline of the build benchmark: the same call with reqwest + serde_json only.
#![forbid(unsafe_code)]

use serde::Deserialize;

#[derive(Deserialize)]
struct Accounts {
    accounts: Vec<Account>,
}

#[derive(Deserialize)]
struct Account {
    account_id: String,
    name: String,
    balances: Balances,
}

#[derive(Deserialize)]
struct Balances {
    currency: Option<String>,
    current: Option<f64>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("MONEYKIT_BASE_URL")?;
    let token = std::env::var("MONEYKIT_ACCESS_TOKEN")?;
    let link = std::env::args().nth(1).unwrap_or_else(|| "mk_sandbox_us".to_owned());
    let accounts: Accounts = reqwest::Client::new()
        .get(format!("{base}/links/{link}/accounts"))
        .header("moneykit-version", "2023-02-18")
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    for account in &accounts.accounts {
        let balances = &account.balances;
        println!("{} {} {:?} {:?}", account.account_id, account.name, balances.currency, balances.current);
    }
    println!("bench-edit-0: {} accounts", accounts.accounts.len());
    Ok(())
}
