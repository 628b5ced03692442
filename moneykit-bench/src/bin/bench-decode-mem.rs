//! `bench-decode-mem --accounts N --decoder generated|handwritten|value`: the peak heap that
//! decoding an account-numbers body with N accounts adds on top of the body, counted by dhat's
//! allocator (so this binary is slow; MB/s come from `bench-decode`). Prints one JSON line.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use moneykit_bench::bodies::{Decoder, account_numbers};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

#[derive(Debug, Parser)]
struct Args {
    /// Accounts in the body.
    #[arg(long)]
    accounts: usize,
    /// `generated`, `handwritten` or `value`.
    #[arg(long)]
    decoder: String,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-decode-mem: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<serde_json::Value, String> {
    let decoder = Decoder::from_name(&args.decoder)?;
    // Built before profiling starts: dhat counts only what is allocated while it runs.
    let body = account_numbers(args.accounts)?;
    let profiler = dhat::Profiler::builder().testing().build();
    let mut live_with_value = 0;
    let accounts = decoder.decode(&body, || {
        live_with_value = dhat::HeapStats::get().curr_bytes;
    })?;
    let peak = dhat::HeapStats::get().max_bytes;
    drop(profiler);
    if accounts != args.accounts {
        return Err("decoded the wrong number of accounts".to_owned());
    }
    Ok(serde_json::json!({
        "decoder": decoder.name(),
        "accounts": args.accounts,
        "body_bytes": body.len(),
        "peak_decode_bytes": peak,
        "decoded_bytes": live_with_value,
    }))
}
