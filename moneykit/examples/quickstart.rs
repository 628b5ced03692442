//! The whole flow in one command: `cargo run --example quickstart`.
//!
//! Starts the embedded MoneyKit sandbox on 127.0.0.1, authenticates with client credentials,
//! makes a link the way an application does (opens a link session, lets the sandbox complete it
//! as the end user would in MoneyKit Connect, exchanges the one-time token for the link), then
//! fetches the link, its accounts and its account numbers (masked), and prints a summary with
//! each product's `refreshed_at`. With credentials in the environment (`MONEYKIT_ACCESS_TOKEN`, or
//! `MONEYKIT_CLIENT_ID` and `MONEYKIT_CLIENT_SECRET`; optionally `MONEYKIT_BASE_URL`), it talks to
//! that server instead; the link is then the first argument, else `MONEYKIT_LINK_ID`, else the
//! sandbox's `mk_sandbox_us`.
#![forbid(unsafe_code)]

use std::error::Error;
use std::process::ExitCode;

use moneykit::types::{
    CreateLinkSessionRequest, ExchangeTokenRequest, GetAccountNumbersResponseLegacy20230218,
    GetAccountsResponse, LinkCommon,
};
use moneykit::{Amount, Client, Credentials, Redact, Timestamp};
use moneykit_sandbox::{Config, Sandbox, links};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    // Kept alive until the end of `run`: dropping it stops the server.
    let (client, sandbox) = connect().await?;
    let given = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("MONEYKIT_LINK_ID").ok());
    let link_id = match (given, &sandbox) {
        (Some(link_id), _) => link_id,
        (None, Some(sandbox)) => link_through_a_session(&client, sandbox).await?,
        (None, None) => links::US.to_owned(),
    };

    let link = client.link(link_id);
    print_link(&link.get().await?);
    print_accounts(&link.accounts().send().await?);
    print_numbers(&link.account_numbers().await?)?;
    drop(sandbox);
    Ok(())
}

/// The flow that gives an application its links: open a link session for one end user, have
/// the user connect in MoneyKit Connect (here the sandbox completes the session, as a user
/// would), and exchange the one-time token Connect returns for the link.
async fn link_through_a_session(
    client: &Client,
    sandbox: &Sandbox,
) -> Result<String, Box<dyn Error>> {
    let request: CreateLinkSessionRequest = serde_json::from_value(serde_json::json!({
        "customer_user": {"id": "quickstart-user-1"},
        "redirect_uri": "https://yourdomain.com/oauth.html",
        "settings": {"products": {"account_numbers": {"prefetch": true}}},
    }))?;
    let session = client.link_sessions().create(request).await?;
    // Tokens print masked; `.reveal()` reads one, to hand to Connect.
    println!(
        "Opened a link session (token {})",
        session.link_session_token
    );
    let token = session
        .link_session_token
        .reveal()
        .ok_or("a masked session token")?;
    let completed = sandbox.complete_link_session(token)?;
    let exchangeable_token = completed
        .exchangeable_token
        .ok_or("the session gave no token to exchange")?;
    let exchanged = client
        .link_sessions()
        .exchange_token(ExchangeTokenRequest { exchangeable_token })
        .await?;
    println!(
        "Exchanged its one-time token for link {}\n",
        exchanged.link.link_id
    );
    Ok(exchanged.link.link_id)
}

/// The server named by the environment's credentials, else an embedded sandbox (returned, so
/// that it lives as long as the caller needs it).
async fn connect() -> Result<(Client, Option<Sandbox>), Box<dyn Error>> {
    // The library's credential rule decides: blank is unset, half a pair is an error.
    let var = |name| std::env::var(name).ok();
    let configured = Credentials::from_sources(
        var("MONEYKIT_ACCESS_TOKEN").as_deref(),
        var("MONEYKIT_CLIENT_ID").as_deref(),
        var("MONEYKIT_CLIENT_SECRET").as_deref(),
    )?
    .is_some();
    let mut sandbox = None;
    let client = if configured {
        let base_url = std::env::var("MONEYKIT_BASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| moneykit::DEFAULT_BASE_URL.to_owned());
        println!("Using {base_url} with the credentials in the environment\n");
        Client::from_env()?
    } else {
        let started = sandbox.insert(Sandbox::start(Config::new()).await?);
        println!(
            "Started the embedded sandbox at {} (set MONEYKIT_CLIENT_ID and \
             MONEYKIT_CLIENT_SECRET, or MONEYKIT_ACCESS_TOKEN, to use another server)\n",
            started.base_url()
        );
        Client::builder()
            .base_url(started.base_url())
            .client_credentials(started.client_id(), started.client_secret())
            .build()?
    };
    Ok((client, sandbox))
}

fn print_accounts(accounts: &GetAccountsResponse) {
    println!("\nAccounts ({}):", accounts.accounts.len());
    for account in &accounts.accounts {
        let balances = &account.balances;
        println!(
            "  {:<24} {:<20} {:<22} mask {:<6} {} available {} current {}{}",
            account.account_id,
            account.name,
            account.account_type,
            account
                .account_mask
                .clone()
                .flatten()
                .as_deref()
                .unwrap_or("-"),
            balances
                .currency
                .clone()
                .flatten()
                .as_deref()
                .unwrap_or("?"),
            amount(balances.available()),
            amount(balances.current()),
            if account.closed.flatten() == Some(true) {
                "  (closed)"
            } else {
                ""
            },
        );
    }
}

fn print_numbers(numbers: &GetAccountNumbersResponseLegacy20230218) -> Result<(), Box<dyn Error>> {
    println!("\nAccount numbers (masked; `.reveal()` reads them):");
    for account in &numbers.accounts {
        // The generated `redacted()` masks every sensitive value, and the serialized shape
        // names each kind of number, so a kind MoneyKit adds is printed (masked) as well.
        let kinds = serde_json::to_value(account.numbers.redacted())?;
        let mut parts = Vec::new();
        for (kind, sets) in kinds.as_object().into_iter().flatten() {
            for set in sets.as_array().into_iter().flatten() {
                let fields: Vec<String> = set
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(name, value)| Some(format!("{name} {}", value.as_str()?)))
                    .collect();
                parts.push(format!("{kind}: {}", fields.join(" ")));
            }
        }
        println!("  {:<24} {}", account.account_id, parts.join("; "));
    }
    Ok(())
}

fn print_link(link: &LinkCommon) {
    println!(
        "Link {} at {} (provider {}): {}{}",
        link.link_id,
        link.institution_name,
        link.provider.as_ref().map_or("unknown", |p| p.as_str()),
        link.state,
        link.error_code
            .clone()
            .flatten()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default(),
    );
    println!("Products:");
    for (product, state) in link.products.iter() {
        let refreshed = state
            .refreshed_at()
            .map_or("never".to_owned(), Timestamp::to_string);
        let error = state
            .error_code()
            .map(|e| format!("  last attempt failed: {e}"))
            .unwrap_or_default();
        println!("  {:<16} refreshed_at {refreshed}{error}", product.as_str());
    }
}

/// Amounts are exact decimals, printed as MoneyKit sent them.
fn amount(value: Option<&Amount>) -> String {
    value.map_or("-".to_owned(), Amount::to_string)
}
