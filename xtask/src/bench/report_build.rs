//! The build group's section of the report: cold builds, the build script, rebuilds, TLS
//! features, and the slowest units and critical path of the last cold `moneykit` build.

use super::Section;
use super::build::Results;
use super::stats::{median, ratio, runs, table};
use super::timings::{Wait, critical_path, slowest};

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
    let (cold, mut headline) = cold_table(results);
    let (rebuild, rebuild_headline) = rebuild_table(results);
    body.push_str(&cold);
    body.push_str(&rebuild);
    body.push_str(&tls_table(
        results,
        tls_runs,
        median(&cpus(&results.baseline)),
    ));
    body.push_str(&units_tables(results));
    headline.push(rebuild_headline);
    Section {
        title: "Build cost",
        body,
        headline,
    }
}

fn cold_table(results: &Results) -> (String, Vec<[String; 4]>) {
    let (mw, bw) = (
        median(&walls(&results.moneykit)),
        median(&walls(&results.baseline)),
    );
    let (mc, bc) = (
        median(&cpus(&results.moneykit)),
        median(&cpus(&results.baseline)),
    );
    let row = |name: &str, m: &[Measured]| {
        let (w, c) = (walls(m), cpus(m));
        vec![
            name.to_owned(),
            format!("{:.1}", median(&w)),
            format!("{:.1}", median(&c)),
            runs(&w, 1),
            runs(&c, 1),
        ]
    };
    let ratios = vec![
        "ratio".into(),
        ratio(mw, bw),
        ratio(mc, bc),
        String::new(),
        String::new(),
    ];
    let header = [
        "cold build",
        "wall s (median)",
        "CPU s (median)",
        "wall, raw runs",
        "CPU, raw runs",
    ];
    let rows = [
        row("baseline", &results.baseline),
        row("moneykit", &results.moneykit),
        ratios,
    ];
    let text = table(&header, &rows) + &script_line(results);
    let what = "cold `cargo build` (debug) of a minimal binary that makes one call";
    let headline = vec![
        [
            format!("{what}, wall"),
            format!("{mw:.1} s"),
            format!("{bw:.1} s"),
            ratio(mw, bw),
        ],
        [
            format!("{what}, CPU"),
            format!("{mc:.1} s"),
            format!("{bc:.1} s"),
            ratio(mc, bc),
        ],
    ];
    (text, headline)
}

fn script_line(results: &Results) -> String {
    let script = scripts(&results.moneykit);
    format!(
        "\n`moneykit-api`'s build script (without its `generate` feature, which downstream builds \
         leave off: no generator) ran {:.2} s (median; runs: {}), from the \
         timings report.\n\n",
        median(&script),
        runs(&script, 2)
    )
}

fn rebuild_table(results: &Results) -> (String, [String; 4]) {
    let (spec_runs, main_runs) = (walls(&results.spec_edit), walls(&results.main_edit));
    let (spec, main) = (median(&spec_runs), median(&main_runs));
    let rows = vec![
        vec![
            "a description edit, regenerated (one doc line of `src/generated.rs`)".into(),
            format!("{spec:.2}"),
            runs(&spec_runs, 2),
        ],
        vec![
            "one-line edit in main.rs".into(),
            format!("{main:.2}"),
            runs(&main_runs, 2),
        ],
        vec!["ratio".into(), ratio(spec, main), String::new()],
    ];
    let header = [
        "rebuild of the moneykit binary after",
        "wall s (median)",
        "raw runs",
    ];
    let headline = [
        "rebuild after a regenerated description edit (baseline: a main.rs edit)".into(),
        format!("{spec:.2} s"),
        format!("{main:.2} s"),
        ratio(spec, main),
    ];
    (table(&header, &rows), headline)
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
        "\n### Cold build of the moneykit binary per TLS feature ({tls_runs} round(s) of one build each, interleaved, `--tls-runs`; the default provider's row is the cold builds above)\n\n{}",
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
    let header = ["unit", "start s", "duration s"];
    let top: Vec<Vec<String>> = slowest(&results.units, 20)
        .iter()
        .map(|u| {
            vec![
                u.label(),
                format!("{:.1}", u.start),
                format!("{:.1}", u.duration),
            ]
        })
        .collect();
    let path: Vec<Vec<String>> = critical_path(&results.units)
        .iter()
        .map(|(u, wait)| {
            let why = match wait {
                Wait::Dependency => "its last dependency (the row above) finished",
                Wait::Slot => "a job slot was freed (by the row above)",
                Wait::Start => "the build began",
            };
            vec![
                u.label(),
                format!("{:.1}", u.start),
                format!("{:.1}", u.duration),
                why.to_owned(),
            ]
        })
        .collect();
    format!(
        "\n### The last cold moneykit build: the 20 slowest units (`cargo build --timings`)\n\n{}\n\
         ### Its critical path (back from the last unit, what delayed each start: its last dependency, \
         or a free job slot when it was ready earlier)\n\n{}",
        table(&header, &top),
        table(&["unit", "start s", "duration s", "started when"], &path)
    )
}
