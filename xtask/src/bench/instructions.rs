//! Instructions per unit of work under valgrind's callgrind: a count the machine's load barely
//! moves, beside the times that it does. Each program runs twice, with two amounts of work, so
//! start-up (and a client's token and warm-up) cancel out of the difference.

use std::process::{Command, Stdio};

use super::Bench;
use super::server::Server;

/// The accounts in the body whose decoding is counted.
pub const DECODE_ACCOUNTS: usize = 100;

/// (baseline, moneykit) instructions per sequential request of `bench-client`, or `None` when
/// valgrind is not installed.
pub fn client(bench: &Bench, server: &Server) -> Result<Option<(f64, f64)>, String> {
    let counts = if bench.quick {
        (200, 1_000)
    } else {
        (500, 2_500)
    };
    both(["baseline", "moneykit"], |implementation| {
        per_unit(
            bench,
            "bench-client",
            counts,
            &server.credentials,
            |requests| {
                [
                    "--impl",
                    implementation,
                    "--base-url",
                    &server.base_url,
                    "--requests",
                    &requests.to_string(),
                    "--warmup",
                    "50",
                ]
                .map(str::to_owned)
                .to_vec()
            },
        )
    })
}

/// (hand-written, generated) instructions per decode of a body of [`DECODE_ACCOUNTS`] accounts
/// by `bench-decode`, or `None` when valgrind is not installed.
pub fn decode(bench: &Bench) -> Result<Option<(f64, f64)>, String> {
    let counts = if bench.quick { (5, 25) } else { (20, 120) };
    both(["handwritten", "generated"], |decoder| {
        per_unit(bench, "bench-decode", counts, &[], |iterations| {
            [
                "--accounts",
                &DECODE_ACCOUNTS.to_string(),
                "--decoder",
                decoder,
                // Long enough never to end the loop: the iteration count does.
                "--min-ms",
                "100000000",
                "--max-iterations",
                &iterations.to_string(),
            ]
            .map(str::to_owned)
            .to_vec()
        })
    })
}

fn both(
    names: [&str; 2],
    mut count: impl FnMut(&str) -> Result<f64, String>,
) -> Result<Option<(f64, f64)>, String> {
    let installed = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        return Ok(None);
    }
    Ok(Some((count(names[0])?, count(names[1])?)))
}

/// Instructions per unit: `binary` run with `args(few)` and `args(many)`, the difference of the
/// two counts over `many - few`.
fn per_unit(
    bench: &Bench,
    binary: &str,
    (few, many): (u64, u64),
    envs: &[(String, String)],
    args: impl Fn(u64) -> Vec<String>,
) -> Result<f64, String> {
    let low = collected(bench, binary, &args(few), envs)?;
    let high = collected(bench, binary, &args(many), envs)?;
    Ok((high - low) / (many - few) as f64)
}

/// The instructions callgrind counted for one whole run of `binary`.
fn collected(
    bench: &Bench,
    binary: &str,
    args: &[String],
    envs: &[(String, String)],
) -> Result<f64, String> {
    let out = bench
        .target
        .join("bench")
        .join(format!("callgrind-{binary}.out"));
    std::fs::create_dir_all(out.parent().expect("a file has a folder"))
        .map_err(|e| e.to_string())?;
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(bench.release(binary))
        .args(args)
        .envs(envs.iter().cloned())
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let _ = std::fs::remove_file(&out);
    if !output.status.success() {
        return Err(format!(
            "{binary} under callgrind failed ({})",
            output.status
        ));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| "callgrind reported no instruction count".to_owned())
}
