//! The sandbox group: requests per second of the release `moneykit-sandbox` per endpoint under
//! `bench-load` (32 keep-alive connections, warm-up, bounded by count and time), server and load
//! pinned to different cores when taskset can; cross-checked once with wrk when it is installed.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use super::server::Server;
use super::stats::{median, ratio, runs, table, thousands};
use super::{Bench, Section, can_pin, field, json_line};

/// (label, path, expected status). The last is the floor: an unrouted path, the least work.
const ENDPOINTS: [(&str, &str, u16); 4] = [
    ("GET /links/{id}", "/links/mk_sandbox_us", 200),
    (
        "GET /links/{id}/accounts",
        "/links/mk_sandbox_us/accounts",
        200,
    ),
    (
        "GET /links/{id}/accounts/numbers",
        "/links/mk_sandbox_us/accounts/numbers",
        200,
    ),
    ("404 (unrouted path): the floor", "/bench-not-found", 404),
];
const CONNECTIONS: &str = "32";

/// Runs the group and returns its section.
pub fn run(bench: &Bench) -> Result<Section, String> {
    let (rounds, warmup_ms, duration_ms) = if bench.quick {
        (1, 500, 1500)
    } else {
        (5, 2000, 5000)
    };
    let pinned = can_pin();
    let server = Server::start(&bench.release("moneykit-sandbox"), pinned.then_some(1))?;
    let mut rps: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for round in 0..rounds {
        for (label, path, expect) in ENDPOINTS {
            let mut command = super::pinned(bench.release("bench-load"), pinned.then_some(0));
            let line = json_line(
                command
                    .args(["--base-url", &server.base_url, "--path", path])
                    .args([
                        "--expect",
                        &expect.to_string(),
                        "--connections",
                        CONNECTIONS,
                    ])
                    .args(["--warmup-ms", &warmup_ms.to_string()])
                    .args(["--duration-ms", &duration_ms.to_string()])
                    .envs(server.credentials.clone()),
            )?;
            let value = field(&line, "rps")?;
            println!("  round {round} {label}: {} req/s", thousands(value));
            rps.entry(label).or_default().push(value);
        }
    }
    let wrk = wrk_cross_check(bench, &server, pinned, warmup_ms, duration_ms)?;
    drop(server);
    Ok(section(
        &rps,
        wrk.as_ref(),
        rounds,
        pinned,
        warmup_ms,
        duration_ms,
    ))
}

/// wrk's req/s per endpoint (one run each, after a warm-up run), if wrk is installed.
fn wrk_cross_check(
    bench: &Bench,
    server: &Server,
    pinned: bool,
    warmup_ms: u64,
    duration_ms: u64,
) -> Result<Option<BTreeMap<&'static str, f64>>, String> {
    let installed = Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !installed {
        return Ok(None);
    }
    let token = Command::new(bench.release("bench-load"))
        .args(["--base-url", &server.base_url, "--print-token"])
        .envs(server.credentials.clone())
        .output()
        .map_err(|e| e.to_string())?;
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    let mut found = BTreeMap::new();
    for (label, path, _) in ENDPOINTS {
        let url = format!("{}{path}", server.base_url);
        let mut measured = None;
        for duration in [warmup_ms, duration_ms] {
            // wrk takes whole seconds only.
            let output = super::pinned("wrk".into(), pinned.then_some(0))
                .args([
                    "-t1",
                    "-c",
                    CONNECTIONS,
                    "-d",
                    &format!("{}s", duration.div_ceil(1000)),
                ])
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .args([
                    "-H",
                    "moneykit-version: 2023-02-18",
                    "-H",
                    "Accept: application/json",
                    &url,
                ])
                .output()
                .map_err(|e| format!("wrk: {e}"))?;
            let text = String::from_utf8_lossy(&output.stdout);
            measured = text
                .lines()
                .find_map(|l| l.strip_prefix("Requests/sec:"))
                .and_then(|v| v.trim().parse::<f64>().ok());
        }
        if let Some(value) = measured {
            found.insert(label, value);
        }
    }
    Ok(Some(found))
}

fn intro(pinned: bool, rounds: usize, warmup_ms: u64, duration_ms: u64) -> String {
    let pinning = if pinned {
        "the sandbox pinned to core 1 and the load to core 0 (taskset)"
    } else {
        "not pinned (taskset or a second core missing)"
    };
    format!(
        "The release `moneykit-sandbox` (a separate process, Bearer token from its \
         `/auth/token`) under `bench-load` (`moneykit-bench/src/load.rs`: hyper HTTP/1.1, \
         {CONNECTIONS} keep-alive connections, one request in flight each, {warmup_ms} ms warm-up, \
         then at most {duration_ms} ms or 1,000,000 requests), {pinning}. {rounds} rounds, \
         endpoints interleaved. The floor is a 404 for an unrouted path from the same server. \
         The wrk column (when wrk is installed) is one {duration_ms} ms run per endpoint after a \
         {warmup_ms} ms warm-up run, same pinning, same headers.\n\n"
    )
}

fn section(
    rps: &BTreeMap<&str, Vec<f64>>,
    wrk: Option<&BTreeMap<&'static str, f64>>,
    rounds: usize,
    pinned: bool,
    warmup_ms: u64,
    duration_ms: u64,
) -> Section {
    let mut body = intro(pinned, rounds, warmup_ms, duration_ms);
    let floor = median(rps.get(ENDPOINTS[3].0).map_or(&[][..], Vec::as_slice));
    let (mut rows, mut headline) = (Vec::new(), Vec::new());
    for (label, _, _) in ENDPOINTS {
        let samples = rps.get(label).map_or(&[][..], Vec::as_slice);
        let value = median(samples);
        let cross = wrk
            .and_then(|w| w.get(label))
            .map_or("not run".to_owned(), |v| thousands(*v));
        let (shown, of_floor) = (thousands(value), ratio(value, floor));
        rows.push(vec![
            label.to_owned(),
            shown.clone(),
            of_floor.clone(),
            cross,
            runs(samples, 0),
        ]);
        if label != ENDPOINTS[3].0 {
            let what = format!("sandbox {label}, req/s (baseline: its own 404 floor)");
            headline.push([what, shown, thousands(floor), of_floor]);
        }
    }
    let header = [
        "endpoint",
        "req/s (median)",
        "of the floor",
        "wrk -t1 -c32 (one run)",
        "req/s, raw runs",
    ];
    body.push_str(&table(&header, &rows));
    if wrk.is_none() {
        body.push_str("\nwrk is not installed: no cross-check (`apt-get install -y wrk`).\n");
    }
    Section {
        title: "Sandbox throughput",
        body,
        headline,
    }
}
