//! Instructions per request of `bench-client`, sequential, under valgrind's callgrind: a count
//! the machine's load barely moves, beside the CPU times that it does. Each client runs twice,
//! with two request counts, so start-up, the token and warm-up cancel out of the difference.

use std::process::{Command, Stdio};

use super::Bench;
use super::server::Server;

/// (baseline, moneykit) instructions per request, or `None` when valgrind is not installed.
pub fn measure(bench: &Bench, server: &Server) -> Result<Option<(f64, f64)>, String> {
    let installed = Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        return Ok(None);
    }
    let (low, high) = if bench.quick {
        (200, 1_000)
    } else {
        (500, 2_500)
    };
    let mut per_request = [0.0; 2];
    for (slot, implementation) in ["baseline", "moneykit"].into_iter().enumerate() {
        let few = collected(bench, server, implementation, low)?;
        let many = collected(bench, server, implementation, high)?;
        per_request[slot] = (many - few) / (high - low) as f64;
    }
    Ok(Some((per_request[0], per_request[1])))
}

/// The instructions callgrind counted for one whole run of `requests` requests.
fn collected(
    bench: &Bench,
    server: &Server,
    implementation: &str,
    requests: u64,
) -> Result<f64, String> {
    let out = bench
        .target
        .join("bench")
        .join(format!("callgrind-{implementation}-{requests}.out"));
    std::fs::create_dir_all(out.parent().expect("a file has a folder"))
        .map_err(|e| e.to_string())?;
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(bench.release("bench-client"))
        .args(["--impl", implementation, "--base-url", &server.base_url])
        .args(["--requests", &requests.to_string(), "--warmup", "50"])
        .envs(server.credentials.clone())
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let _ = std::fs::remove_file(&out);
    if !output.status.success() {
        return Err(format!(
            "bench-client under callgrind failed ({})",
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
