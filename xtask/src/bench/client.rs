//! The client group: `bench-client` for `moneykit` and the baseline, sequential and at 64
//! concurrent, against the release sandbox in its own process, runs interleaved.

use std::collections::BTreeMap;

use super::server::Server;
use super::stats::{median, ratio, runs, table, thousands};
use super::{Bench, Section, can_pin, field, json_line, pinned};

const IMPLS: [&str; 3] = ["baseline", "moneykit", "moneykit-options"];

#[derive(Default)]
struct Samples {
    cpu_us: Vec<f64>,
    rps: Vec<f64>,
}

/// Runs the group and returns its section.
pub fn run(bench: &Bench) -> Result<Section, String> {
    let (rounds, sequential, concurrent, warmup) = if bench.quick {
        (3, 1_000, 4_000, 200)
    } else {
        (5, 10_000, 20_000, 500)
    };
    let modes = [(1usize, sequential), (64usize, concurrent)];
    // Server and client on different cores: unpinned, the client's per-request wake-ups cost
    // whatever core the scheduler picked (futex calls 2.5× dearer in one run than the next).
    let pin = can_pin();
    let server = Server::start(&bench.release("moneykit-sandbox"), pin.then_some(1))?;
    let mut samples: BTreeMap<(usize, &str), Samples> = BTreeMap::new();
    for round in 0..rounds {
        for (concurrency, requests) in modes {
            // Alternate who goes first, so a drift in the machine's load hits both alike.
            let mut order = IMPLS;
            if round % 2 == 1 {
                order.reverse();
            }
            for implementation in order {
                let line = json_line(
                    pinned(bench.release("bench-client"), pin.then_some(0))
                        .args(["--impl", implementation, "--base-url", &server.base_url])
                        .args(["--requests", &requests.to_string()])
                        .args(["--warmup", &warmup.to_string()])
                        .args(["--concurrency", &concurrency.to_string()])
                        .envs(server.credentials.clone()),
                )?;
                let done = field(&line, "requests")?;
                let cpu = field(&line, "user_s")? + field(&line, "sys_s")?;
                let entry = samples.entry((concurrency, implementation)).or_default();
                entry.cpu_us.push(cpu / done * 1e6);
                entry.rps.push(done / field(&line, "wall_s")?);
                println!(
                    "  round {round} c={concurrency} {implementation}: {:.1} µs CPU/request",
                    cpu / done * 1e6
                );
            }
        }
    }
    let instructions = super::instructions::client(bench, &server)?;
    drop(server);
    let mut section = section(&samples, rounds, &modes, warmup);
    section.body.insert_str(0, &pinning_note(pin));
    if let Some(counted) = instructions {
        add_instructions(&mut section, counted);
    }
    Ok(section)
}

fn section(
    samples: &BTreeMap<(usize, &'static str), Samples>,
    rounds: usize,
    modes: &[(usize, u64)],
    warmup: u64,
) -> Section {
    let mut body = format!(
        "`GET /links/mk_sandbox_us/accounts` from `bench-client` to the release \
         `moneykit-sandbox` in another process on 127.0.0.1, keep-alive, both release builds. \
         `moneykit` authenticates with client credentials (what a MoneyKit backend does: it \
         exchanges them once for a token, cached by the client); the baseline (reqwest 0.13 + \
         serde_json into hand-written structs, `moneykit-bench/src/baseline.rs`) fetches a token \
         once from the same `/auth/token` and sends the same headers (`Accept`, \
         `moneykit-version`, `Authorization`, `User-Agent`) to the same URL. CPU is the client \
         process's own user + system time (getrusage RUSAGE_SELF) over the measured requests, \
         after {warmup} warm-up requests; the server is the sandbox itself (not a static \
         responder): its cost is outside the measured process and the same for both. \
         `moneykit-options` is the same call with per-call options on every call (an attempt \
         timeout and an `x-correlation-id` header, so each call builds its own generated client \
         value). {rounds} rounds, the clients taking turns to go first. Sequential CPU is mostly the \
         runtime's wake-ups and syscalls between requests: it moves with the machine's load more \
         than the concurrent figure does; the callgrind count below does not.\n\n"
    );
    let mut headline = Vec::new();
    for &(concurrency, requests) in modes {
        let label = if concurrency == 1 {
            "sequential".to_owned()
        } else {
            format!("{concurrency} concurrent")
        };
        let get = |name: &'static str| samples.get(&(concurrency, name));
        if let (Some(base), Some(this), Some(options)) =
            (get("baseline"), get("moneykit"), get("moneykit-options"))
        {
            body.push_str(&format!("### {label} ({requests} requests a run)\n\n"));
            body.push_str(&mode_table(base, this, options));
            headline.extend(mode_headline(&label, base, this));
            let with_options = format!("{label}, with per-call options");
            headline.push(mode_headline(&with_options, base, options)[0].clone());
        }
    }
    Section {
        title: "Client: per-request cost",
        body,
        headline,
    }
}

fn pinning_note(pin: bool) -> String {
    if pin {
        "The sandbox runs on core 1 and the client on core 0 (taskset). ".to_owned()
    } else {
        "Not pinned (taskset or a second core missing). ".to_owned()
    }
}

fn mode_table(base: &Samples, this: &Samples, options: &Samples) -> String {
    let row = |name: &str, s: &Samples| {
        vec![
            name.to_owned(),
            format!("{:.1}", median(&s.cpu_us)),
            thousands(median(&s.rps)),
            runs(&s.cpu_us, 1),
            runs(&s.rps, 0),
        ]
    };
    let ratios = |name: &str, s: &Samples| {
        vec![
            name.to_owned(),
            ratio(median(&s.cpu_us), median(&base.cpu_us)),
            ratio(median(&s.rps), median(&base.rps)),
            String::new(),
            String::new(),
        ]
    };
    let header = [
        "client",
        "CPU µs/request (median)",
        "req/s (median)",
        "CPU µs, raw runs",
        "req/s, raw runs",
    ];
    table(
        &header,
        &[
            row("baseline", base),
            row("moneykit", this),
            row("moneykit, per-call options", options),
            ratios("ratio, moneykit", this),
            ratios("ratio, with options", options),
        ],
    ) + "\n"
}

fn mode_headline(label: &str, base: &Samples, this: &Samples) -> [[String; 4]; 2] {
    let (cpu_b, cpu_m) = (median(&base.cpu_us), median(&this.cpu_us));
    let (rps_b, rps_m) = (median(&base.rps), median(&this.rps));
    [
        [
            format!("client CPU per request, {label}"),
            format!("{cpu_m:.1} µs"),
            format!("{cpu_b:.1} µs"),
            ratio(cpu_m, cpu_b),
        ],
        [
            format!("client throughput, {label}"),
            format!("{} req/s", thousands(rps_m)),
            format!("{} req/s", thousands(rps_b)),
            ratio(rps_m, rps_b),
        ],
    ]
}

/// Adds the callgrind count (baseline, moneykit instructions per request) to `section`.
fn add_instructions(section: &mut Section, (base, this): (f64, f64)) {
    section.body.push_str(&format!(
        "Instructions per request, sequential, under callgrind (load-independent; the \
         difference of two runs of each client, so start-up and warm-up cancel): baseline \
         {}, moneykit {}, ratio {}.\n",
        thousands(base),
        thousands(this),
        ratio(this, base)
    ));
    section.headline.insert(
        0,
        [
            "client instructions per request, sequential (callgrind)".to_owned(),
            thousands(this),
            thousands(base),
            ratio(this, base),
        ],
    );
}
