//! `bench-load --base-url URL --path PATH`: a bounded keep-alive HTTP/1.1 load on one endpoint
//! of a loopback server (a token is fetched first with `MONEYKIT_CLIENT_ID` /
//! `MONEYKIT_CLIENT_SECRET`); prints requests, seconds and req/s as one JSON line.
//! `--print-token` prints only a fresh token (for the wrk cross-check, never shown).
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hyper::StatusCode;
use moneykit_bench::credentials_from_env;
use moneykit_bench::load::{Load, api_headers, loopback, run, token};

#[derive(Debug, Parser)]
struct Args {
    /// The server, `http://127.0.0.1:PORT`.
    #[arg(long)]
    base_url: String,
    /// The path every request asks for.
    #[arg(long, default_value = "/links/mk_sandbox_us")]
    path: String,
    /// The status every answer must have.
    #[arg(long, default_value_t = 200)]
    expect: u16,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Warm-up before measuring, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    warmup_ms: u64,
    /// Longest measured time, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    duration_ms: u64,
    /// Most measured requests.
    #[arg(long, default_value_t = 1_000_000)]
    max_requests: u64,
    /// Print a fresh access token and exit.
    #[arg(long)]
    print_token: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    match main_inner(Args::parse()).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-load: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn main_inner(args: Args) -> Result<String, String> {
    let addr = loopback(&args.base_url)?;
    let (id, secret) = credentials_from_env()?;
    let token = token(addr, &id, &secret).await?;
    if args.print_token {
        return Ok(token);
    }
    let load = Load {
        addr,
        path: args.path.clone(),
        headers: api_headers(&token)?,
        expect: StatusCode::from_u16(args.expect).map_err(|e| e.to_string())?,
        connections: args.connections,
        warmup: Duration::from_millis(args.warmup_ms),
        duration: Duration::from_millis(args.duration_ms),
        max_requests: args.max_requests,
    };
    let measured = run(load).await?;
    let line = serde_json::json!({
        "path": args.path,
        "connections": args.connections,
        "requests": measured.requests,
        "body_bytes": measured.body_bytes,
        "seconds": measured.seconds,
        "rps": measured.requests as f64 / measured.seconds,
    });
    Ok(line.to_string())
}
