//! `bench-client --impl moneykit|baseline --base-url URL`: `GET /links/mk_sandbox_us/accounts`
//! repeatedly against a server in another process (xtask starts the release sandbox), after a
//! warm-up; prints the requests, wall time and this process's CPU time as one JSON line.
//! Credentials come from `MONEYKIT_CLIENT_ID` / `MONEYKIT_CLIENT_SECRET`.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use moneykit_bench::baseline::Baseline;
use moneykit_bench::{LINK_ID, credentials_from_env, drive, load::loopback};

#[derive(Debug, Parser)]
struct Args {
    /// `moneykit` (client credentials, token cached by the client), `moneykit-options` (the
    /// same with per-call options on every call: an attempt timeout and a header), or
    /// `baseline` (reqwest + serde_json into hand-written structs, token fetched once).
    #[arg(long = "impl")]
    implementation: String,
    /// The server, `http://127.0.0.1:PORT`.
    #[arg(long)]
    base_url: String,
    /// Measured requests.
    #[arg(long, default_value_t = 2000)]
    requests: u64,
    /// Requests before measuring (connections, token, caches).
    #[arg(long, default_value_t = 200)]
    warmup: u64,
    /// Tasks sending at once (1: one after the other).
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Longest measured time, in seconds.
    #[arg(long, default_value_t = 60)]
    max_seconds: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-client: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<serde_json::Value, String> {
    loopback(&args.base_url)?;
    let (id, secret) = credentials_from_env()?;
    let limit = Duration::from_secs(args.max_seconds);
    let (warm, measured) = match args.implementation.as_str() {
        "moneykit" | "moneykit-options" => {
            let client = moneykit::Client::builder()
                .base_url(&args.base_url)
                .client_credentials(id, secret)
                .build()
                .map_err(|e| e.to_string())?;
            let with_options = args.implementation == "moneykit-options";
            let call = move || {
                let client = client.clone();
                async move {
                    let mut request = client.link(LINK_ID).accounts();
                    if with_options {
                        request = request
                            .attempt_timeout(Duration::from_secs(30))
                            .header("x-correlation-id", "bench");
                    }
                    let accounts = request.send().await;
                    check(accounts.map_err(|e| e.to_string())?.accounts.len())
                }
            };
            let warm = drive::run(args.concurrency, args.warmup, limit, call.clone()).await?;
            (
                warm,
                drive::run(args.concurrency, args.requests, limit, call).await?,
            )
        }
        "baseline" => {
            let client = Arc::new(Baseline::connect(&args.base_url, &id, &secret).await?);
            let call = move || {
                let client = Arc::clone(&client);
                async move { check(client.accounts().await?.accounts.len()) }
            };
            let warm = drive::run(args.concurrency, args.warmup, limit, call.clone()).await?;
            (
                warm,
                drive::run(args.concurrency, args.requests, limit, call).await?,
            )
        }
        other => return Err(format!("unknown --impl {other:?}: moneykit or baseline")),
    };
    let mut line = measured.to_json();
    line["warmup_requests"] = warm.requests.into();
    line["concurrency"] = args.concurrency.into();
    line["impl"] = args.implementation.into();
    Ok(line)
}

fn check(accounts: usize) -> Result<(), String> {
    if accounts == 0 {
        return Err(format!("{LINK_ID} answered no accounts"));
    }
    Ok(())
}
