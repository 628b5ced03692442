//! `cargo xtask regen` brings every generated and snapshotted artifact up to date after an edit
//! to `openapi.yaml`; `cargo xtask check` changes nothing and fails, with a diff, when any of
//! them is stale or unreferenced; `cargo xtask evolve` proves on a scratch copy that additive
//! spec changes need no hand edit (see `evolve.rs`); `cargo xtask bench` runs the benchmark
//! suite and writes `BENCHMARKS.md` (see `bench/`). It only orchestrates: the generated code comes from
//! `moneykit-gen` (written to, or compared with, `moneykit_gen::GENERATED_PATHS`), and the snapshot diffs
//! come from insta.
#![forbid(unsafe_code)]

mod bench;
mod evolve;
mod scratch;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The test targets that own snapshots (`tests/snapshots/<target>__<name>.snap`).
const SNAPSHOT_TESTS: [&str; 2] = ["drift", "wire"];

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    let result = match task.as_deref() {
        Some("regen") => regen(),
        Some("check") => check(),
        Some("evolve") => evolve::run(&root()),
        Some("bench") => bench::run(&root(), &std::env::args().skip(2).collect::<Vec<_>>()),
        _ => Err("usage: cargo xtask <regen|check|evolve|bench>\n  regen   update the generated sources and snapshots after editing openapi.yaml\n  check   fail with a diff if anything is stale (CI)\n  evolve  prove on a scratch copy that additive spec changes need no hand edit (CI)\n  bench   measure client, decode, sandbox and build cost, write BENCHMARKS.md (see BENCHMARKS.md)".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

fn snapshot_dir() -> PathBuf {
    root().join("tests/snapshots")
}

/// Writes the generated source and every snapshot from the current spec, then deletes the
/// snapshots no test wrote.
fn regen() -> Result<(), String> {
    for (path, source) in generated()? {
        // Unchanged files keep their modification time, so nothing rebuilds for them.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
            std::fs::write(&path, source)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    let referenced = run_snapshot_tests("always")?;
    for stale in unreferenced(&referenced)? {
        std::fs::remove_file(&stale)
            .map_err(|e| format!("cannot delete {}: {e}", stale.display()))?;
        println!("deleted unreferenced {}", stale.display());
    }
    println!("generated code and snapshots are up to date with openapi.yaml");
    Ok(())
}

/// Fails if a snapshot differs (insta prints the diff), is missing, or is unreferenced.
fn check() -> Result<(), String> {
    for (path, source) in generated()? {
        let checked_in = std::fs::read_to_string(&path).ok();
        let shown = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        if let Some(problem) = moneykit_gen::stale(&shown, &source, checked_in.as_deref()) {
            return Err(problem);
        }
    }
    let referenced = run_snapshot_tests("no").map_err(|e| {
        format!("{e}\nsnapshots are stale: run `cargo xtask regen` and review the diff")
    })?;
    let stale = unreferenced(&referenced)?;
    if !stale.is_empty() {
        let names: Vec<String> = stale.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "unreferenced snapshots (run `cargo xtask regen`):\n  {}",
            names.join("\n  ")
        ));
    }
    println!("generated code and snapshots match openapi.yaml");
    Ok(())
}

/// What `moneykit-gen` makes of `openapi.yaml` now, each file with where it is checked in.
fn generated() -> Result<Vec<(PathBuf, String)>, String> {
    let root = root();
    let spec = root.join("openapi.yaml");
    let text = std::fs::read_to_string(&spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let files = moneykit_gen::generate_all(&text).map_err(|e| e.to_string())?;
    Ok(files
        .into_iter()
        .map(|(path, source)| (root.join(path), source))
        .collect())
}

/// Runs the snapshot tests with `INSTA_UPDATE=<mode>` and returns the snapshot files they used.
fn run_snapshot_tests(mode: &str) -> Result<BTreeSet<PathBuf>, String> {
    let references =
        std::env::temp_dir().join(format!("moneykit-xtask-refs-{}", std::process::id()));
    let _ = std::fs::remove_file(&references);
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(root())
        .args(["test", "--quiet", "--package", "moneykit-api"])
        .args(SNAPSHOT_TESTS.iter().flat_map(|t| ["--test", t]))
        .env("INSTA_UPDATE", mode)
        .env("INSTA_SNAPSHOT_REFERENCES_FILE", &references);
    if mode == "no" {
        // insta must not write `.snap.new` files in check mode, whatever the caller's CI says.
        command.env("CI", "true");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let listed = std::fs::read_to_string(&references).unwrap_or_default();
    let _ = std::fs::remove_file(&references);
    if !status.success() {
        return Err("snapshot tests failed".to_owned());
    }
    Ok(listed
        .lines()
        .filter_map(|line| std::fs::canonicalize(line).ok())
        .collect())
}

/// Snapshot files (and leftover `.snap.new` files) that no test referenced.
fn unreferenced(referenced: &BTreeSet<PathBuf>) -> Result<Vec<PathBuf>, String> {
    let dir = snapshot_dir();
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut stale = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let is_snapshot = name.ends_with(".snap") || name.ends_with(".snap.new");
        let used = std::fs::canonicalize(&path).is_ok_and(|p| referenced.contains(&p));
        if is_snapshot && !used {
            stale.push(path);
        }
    }
    stale.sort();
    Ok(stale)
}
