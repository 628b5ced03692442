//! `bench-decode --accounts N --decoder generated|handwritten|value`: decodes an account-numbers
//! body with N accounts repeatedly for at least `--min-ms` (and at least 3 times, at most
//! `--max-iterations`); prints the body size, the iterations and the time as one JSON line.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use moneykit_bench::bodies::{Decoder, account_numbers};

#[derive(Debug, Parser)]
struct Args {
    /// Accounts in the body.
    #[arg(long)]
    accounts: usize,
    /// `generated`, `handwritten` or `value`.
    #[arg(long)]
    decoder: String,
    /// Shortest measured time, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    min_ms: u64,
    /// Most iterations.
    #[arg(long, default_value_t = 10_000_000)]
    max_iterations: u64,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-decode: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<serde_json::Value, String> {
    let decoder = Decoder::from_name(&args.decoder)?;
    let body = account_numbers(args.accounts)?;
    // One untimed pass: page faults and allocator growth are not decoding.
    if decoder.decode(&body, || ())? != args.accounts {
        return Err("decoded the wrong number of accounts".to_owned());
    }
    let min = Duration::from_millis(args.min_ms);
    let started = Instant::now();
    let mut iterations = 0u64;
    while iterations < args.max_iterations && (iterations < 3 || started.elapsed() < min) {
        black_box(decoder.decode(black_box(&body), || ())?);
        iterations += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(serde_json::json!({
        "decoder": decoder.name(),
        "accounts": args.accounts,
        "body_bytes": body.len(),
        "iterations": iterations,
        "seconds": seconds,
    }))
}
