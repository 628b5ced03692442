//! `cargo xtask bench [--quick] [client|decode|sandbox|build …] [--build-runs N] [--tls-runs N]
//! [--tls-features a,b]`: builds the instruments in release, runs each group with interleaved
//! runs, prints the tables and writes `BENCHMARKS.md` (all groups) or
//! `target/bench/BENCHMARKS-<groups>.md` (a subset). The instruments are `moneykit-bench`'s
//! binaries; this module only orchestrates, takes medians and writes.

mod build;
mod client;
mod decode;
mod instructions;
mod report_build;
mod sandbox;
mod server;
mod stats;
mod timings;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The TLS features the build group tries, each skipped with a note when `moneykit` lacks it.
const TLS_FEATURES: &str = "tls-aws-lc,tls-ring,tls-native";
const GROUPS: [&str; 4] = ["client", "decode", "sandbox", "build"];

/// What the command line asked for.
pub struct Options {
    quick: bool,
    groups: Vec<String>,
    build_runs: usize,
    tls_runs: usize,
    tls_features: Vec<String>,
}

/// Where things are, and how hard to measure.
pub struct Bench {
    root: PathBuf,
    target: PathBuf,
    quick: bool,
}

impl Bench {
    fn release(&self, binary: &str) -> PathBuf {
        self.target.join("release").join(binary)
    }
}

/// One group's part of the report.
pub struct Section {
    title: &'static str,
    /// Markdown: method, tables, raw runs.
    body: String,
    /// Rows of the summary table: what, this project, baseline, ratio.
    headline: Vec<[String; 4]>,
}

/// Runs `cargo xtask bench` with `args` (after `bench`).
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let target = crate::scratch::target_dir(root);
    let bench = Bench {
        root: root.to_owned(),
        target,
        quick: options.quick,
    };
    if options.groups.iter().any(|g| g != "build") {
        build_instruments(&bench)?;
    }
    let mut sections = Vec::new();
    for group in &options.groups {
        println!("==> bench {group}");
        let load = stats::load_average();
        let mut section = match group.as_str() {
            "client" => client::run(&bench)?,
            "decode" => decode::run(&bench)?,
            "sandbox" => sandbox::run(&bench)?,
            _ => build::run(
                &bench,
                options.build_runs,
                options.tls_runs,
                &options.tls_features,
            )?,
        };
        let note = format!("Load average (1, 5, 15 min) when this group started: {load}.\n\n");
        section.body.insert_str(0, &note);
        sections.push(section);
    }
    let report = render(&options, &sections);
    println!("\n{report}");
    let path = if options.groups.len() == GROUPS.len() {
        root.join("BENCHMARKS.md")
    } else {
        bench
            .target
            .join("bench")
            .join(format!("BENCHMARKS-{}.md", options.groups.join("-")))
    };
    std::fs::create_dir_all(path.parent().expect("a file has a folder"))
        .and_then(|()| std::fs::write(&path, report))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn parse(args: &[String]) -> Result<Options, String> {
    let (mut quick, mut groups, mut build_runs, mut tls_runs) = (false, Vec::new(), None, 1);
    let mut tls_features: Vec<String> = TLS_FEATURES.split(',').map(str::to_owned).collect();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--quick" => quick = true,
            "--build-runs" => build_runs = Some(number(value()?)?),
            "--tls-runs" => tls_runs = number(value()?)?,
            "--tls-features" => {
                let list = value()?.split(',').filter(|f| !f.is_empty());
                tls_features = list.map(str::to_owned).collect();
            }
            group if GROUPS.contains(&group) => groups.push(group.to_owned()),
            other => return Err(format!("unknown argument {other:?}\nusage: {USAGE}")),
        }
    }
    if groups.is_empty() {
        groups = GROUPS.iter().map(|g| (*g).to_owned()).collect();
    }
    Ok(Options {
        quick,
        groups,
        build_runs: build_runs.unwrap_or(if quick { 1 } else { 3 }),
        tls_runs,
        tls_features,
    })
}

fn number(value: &str) -> Result<usize, String> {
    value
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(format!("{value:?} is not a positive count"))
}

/// The usage line of `cargo xtask bench`.
pub const USAGE: &str = "cargo xtask bench [--quick] [client|decode|sandbox|build …] [--build-runs N] [--tls-runs N] [--tls-features tls-aws-lc,tls-ring,tls-native]";

fn build_instruments(bench: &Bench) -> Result<(), String> {
    println!("==> cargo build --release (moneykit-bench, moneykit-sandbox)");
    let status = Command::new(cargo())
        .current_dir(&bench.root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "moneykit-bench",
            "-p",
            "moneykit-sandbox",
            "--bins",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the release build of the instruments failed".to_owned());
    }
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs a bench binary and parses the JSON line it prints.
fn json_line(command: &mut Command) -> Result<serde_json::Value, String> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{:?} failed ({})",
            command.get_program(),
            output.status
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("bad output {line:?}: {e}"))
}

/// A field of a bench binary's JSON line, as a number.
fn field(value: &serde_json::Value, name: &str) -> Result<f64, String> {
    value[name]
        .as_f64()
        .ok_or(format!("no number {name:?} in {value}"))
}

/// `program`, pinned to `cpu` with taskset when given.
fn pinned(program: PathBuf, cpu: Option<usize>) -> Command {
    match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.args(["-c", &cpu.to_string()]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Whether `taskset` can pin two processes to different cores here.
fn can_pin() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores >= 2
        && Command::new("taskset")
            .args(["-c", "0", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

fn render(options: &Options, sections: &[Section]) -> String {
    let command = if options.groups.len() == GROUPS.len() {
        String::new()
    } else {
        format!(" {}", options.groups.join(" "))
    };
    let quick = if options.quick { " --quick" } else { "" };
    let mut out = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench{quick}{command}` (see `xtask/src/bench/`; the \
         instruments are `moneykit-bench/`). Every ratio is against a baseline measured in the same \
         run; medians of interleaved runs, raw runs below each table.\n\n## Machine\n\n"
    );
    for note in stats::machine_notes() {
        out.push_str(&format!("- {note}\n"));
    }
    out.push_str("\n## Summary\n\n");
    let rows: Vec<Vec<String>> = sections
        .iter()
        .flat_map(|s| s.headline.iter().map(|r| r.to_vec()))
        .collect();
    out.push_str(&stats::table(
        &["what", "this project", "baseline", "ratio"],
        &rows,
    ));
    for section in sections {
        out.push_str(&format!("\n## {}\n\n{}", section.title, section.body));
    }
    out
}
