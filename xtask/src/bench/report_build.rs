//! The build group's section of the report: cold builds, the build script, rebuilds, TLS
//! features, and the slowest units and critical path of the last cold `moneykit` build.

use super::Section;
use super::build::Results;
use super::stats::{median, ratio, runs, table};
use super::timings::{critical_path, slowest};

/// One timed `cargo build`.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    /// Wall-clock seconds.
    pub wall: f64,
    /// User + system CPU seconds of the cargo process tree.
    pub cpu: f64,
    /// Run time of `moneykit-api`'s build script in this build, when it ran and was timed.
    pub script: Option<f64>,
}

fn walls(measured: &[Measured]) -> Vec<f64> {
    measured.iter().map(|m| m.wall).collect()
}

fn cpus(measured: &[Measured]) -> Vec<f64> {
    measured.iter().map(|m| m.cpu).collect()
}

fn scripts(measured: &[Measured]) -> Vec<f64> {
    measured.iter().filter_map(|m| m.script).collect()
}

/// The section for `results`.
pub fn report(results: &Results, rounds: usize, tls_runs: usize) -> Section {
    let mut body = format!(
        "Cold `cargo build` (debug, cargo's defaults: incremental for the local crates) of \
         `moneykit-bench/downstream/moneykit` (one call with `moneykit`, features: {}; a path \
         dependency on a copy of this checkout) and `moneykit-bench/downstream/baseline` (the \
         same call with reqwest + serde_json, the same reqwest features: reqwest's default rustls \
         provider, aws-lc, in both), each with an empty target folder of its own and the \
         workspace's Cargo.lock; crates already downloaded. CPU is user + system of the cargo \
         process tree (getrusage RUSAGE_CHILDREN). {rounds} rounds, alternating which goes \
         first.\n\n",
        results.moneykit_features
    );
    let (mw, bw) = (
        median(&walls(&results.moneykit)),
        median(&walls(&results.baseline)),
    );
    let (mc, bc) = (
        median(&cpus(&results.moneykit)),
        median(&cpus(&results.baseline)),
    );
    let script = median(&scripts(&results.moneykit));
    let (spec, main) = (
        median(&walls(&results.spec_edit)),
        median(&walls(&results.main_edit)),
    );
    let rows = vec![
        vec![
            "baseline".into(),
            format!("{bw:.1}"),
            format!("{bc:.1}"),
            runs(&walls(&results.baseline), 1),
            runs(&cpus(&results.baseline), 1),
        ],
        vec![
            "moneykit".into(),
            format!("{mw:.1}"),
            format!("{mc:.1}"),
            runs(&walls(&results.moneykit), 1),
            runs(&cpus(&results.moneykit), 1),
        ],
        vec![
            "ratio".into(),
            ratio(mw, bw),
            ratio(mc, bc),
            String::new(),
            String::new(),
        ],
    ];
    body.push_str(&table(
        &[
            "cold build",
            "wall s (median)",
            "CPU s (median)",
            "wall, raw runs",
            "CPU, raw runs",
        ],
        &rows,
    ));
    body.push_str(&format!(
        "\n`moneykit-api`'s build script (the generator) ran {script:.2} s (median; runs: {}), from the timings report.\n\n",
        runs(&scripts(&results.moneykit), 2)
    ));
    let rows = vec![
        vec![
            "one-line `description` edit in openapi.yaml".into(),
            format!("{spec:.2}"),
            runs(&walls(&results.spec_edit), 2),
        ],
        vec![
            "one-line edit in main.rs".into(),
            format!("{main:.2}"),
            runs(&walls(&results.main_edit), 2),
        ],
        vec!["ratio".into(), ratio(spec, main), String::new()],
    ];
    body.push_str(&table(
        &[
            "rebuild of the moneykit binary after",
            "wall s (median)",
            "raw runs",
        ],
        &rows,
    ));
    body.push_str(&tls_table(results, tls_runs, bc));
    body.push_str(&units_tables(results));
    let headline = vec![
        [
            "cold `cargo build` (debug) of a minimal binary that makes one call, wall".into(),
            format!("{mw:.1} s"),
            format!("{bw:.1} s"),
            ratio(mw, bw),
        ],
        [
            "cold `cargo build` (debug) of a minimal binary that makes one call, CPU".into(),
            format!("{mc:.1} s"),
            format!("{bc:.1} s"),
            ratio(mc, bc),
        ],
        [
            "rebuild after a description edit in openapi.yaml (baseline: a main.rs edit)".into(),
            format!("{spec:.2} s"),
            format!("{main:.2} s"),
            ratio(spec, main),
        ],
    ];
    Section {
        title: "Build cost",
        body,
        headline,
    }
}

fn tls_table(results: &Results, tls_runs: usize, baseline_cpu: f64) -> String {
    let mut rows = Vec::new();
    for (feature, measured) in &results.tls {
        rows.push(match measured {
            Some(m) => vec![
                format!("`--no-default-features --features {feature}`"),
                format!("{:.1}", median(&walls(m))),
                format!("{:.1}", median(&cpus(m))),
                ratio(median(&cpus(m)), baseline_cpu),
                runs(&walls(m), 1),
            ],
            None => vec![
                format!("`{feature}`"),
                "skipped: `moneykit` has no such feature yet".into(),
                String::new(),
                String::new(),
                String::new(),
            ],
        });
    }
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\n### Cold build of the moneykit binary per TLS feature ({tls_runs} run(s) each, `--tls-runs`)\n\n{}",
        table(
            &[
                "features",
                "wall s",
                "CPU s",
                "CPU vs baseline",
                "wall, raw runs"
            ],
            &rows
        )
    )
}

fn units_tables(results: &Results) -> String {
    if results.units.is_empty() {
        return String::new();
    }
    let row = |u: &super::timings::Unit| {
        vec![
            u.label(),
            format!("{:.1}", u.start),
            format!("{:.1}", u.duration),
        ]
    };
    let top: Vec<Vec<String>> = slowest(&results.units, 20).iter().map(row).collect();
    let path: Vec<Vec<String>> = critical_path(&results.units).iter().map(row).collect();
    format!(
        "\n### The last cold moneykit build: the 20 slowest units (`cargo build --timings`)\n\n{}\n### Its critical path (each unit unblocked by the one before)\n\n{}",
        table(&["unit", "start s", "duration s"], &top),
        table(&["unit", "start s", "duration s"], &path)
    )
}
