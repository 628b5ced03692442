//! `cargo run -p moneykit-sandbox`: the sandbox as a standalone server on 127.0.0.1:8080, printing
//! its credentials and link ids. Stops on Ctrl-C.
#![forbid(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use moneykit_sandbox::{Config, Sandbox, scenario_links, seeded_links};

/// A local MoneyKit API sandbox: seeded links and every documented error, on loopback.
#[derive(Debug, Parser)]
#[command(name = "moneykit-sandbox", version)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Lifetime of issued access tokens, in seconds: announced as `expires_in` and enforced
    /// exactly. 0 is taken as 1 (a client reads `expires_in: 0` as already expired); a value
    /// past i64::MAX is announced as i64::MAX, and a token that would outlive the clock never
    /// expires.
    #[arg(long, default_value_t = moneykit_sandbox::DEFAULT_TOKEN_LIFETIME.as_secs())]
    token_lifetime: u64,
    /// Enforce MoneyKit's documented per-link rate limits (15/4/3 per minute).
    #[arg(long)]
    rate_limits: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config::new()
        .token_lifetime(Duration::from_secs(args.token_lifetime))
        .rate_limits(args.rate_limits)
        // Nothing can read them from outside the process.
        .record_requests(0);
    let addr = SocketAddr::new(args.bind, args.port);
    let sandbox = match Sandbox::bind(addr, config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("moneykit-sandbox: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&sandbox, args.rate_limits);
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("moneykit-sandbox: cannot wait for Ctrl-C: {error}");
        return ExitCode::FAILURE;
    }
    println!("stopping");
    ExitCode::SUCCESS
}

fn print_banner(sandbox: &Sandbox, rate_limits: bool) {
    let (links, scenarios) = (seeded_links(), scenario_links());
    println!("MoneyKit sandbox listening on {}", sandbox.base_url());
    println!();
    println!("  export MONEYKIT_BASE_URL={}", sandbox.base_url());
    println!("  export MONEYKIT_CLIENT_ID={}", sandbox.client_id());
    println!(
        "  export MONEYKIT_CLIENT_SECRET={}   # sandbox-only",
        sandbox.client_secret()
    );
    println!();
    println!(
        "rate limits: {}",
        if rate_limits {
            "on (15/4/3 per link per minute)"
        } else {
            "off (--rate-limits)"
        }
    );
    println!();
    println!("seeded links:");
    let width = links
        .iter()
        .chain(&scenarios)
        .map(|entry| entry.id.len())
        .max()
        .unwrap_or(0);
    for entry in &links {
        println!("  {:<width$}  {}", entry.id, entry.description);
    }
    println!();
    println!("scenario links (every endpoint answers with this error; any other id: 404):");
    for entry in &scenarios {
        println!("  {:<width$}  {}", entry.id, entry.description);
    }
    println!();
    println!("Ctrl-C stops the sandbox.");
}
