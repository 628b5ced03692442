//! The build group: cold `cargo build` (debug) of a minimal downstream binary using `moneykit`
//! against the same binary with reqwest + serde_json only, wall and CPU (user + system of the
//! cargo process tree, getrusage RUSAGE_CHILDREN), `moneykit-api`'s build script, the rebuilds
//! after a regenerated description (a one-line doc edit in `src/generated.rs`) and a one-line
//! main.rs edit, and the cold build under each TLS
//! feature. Everything happens in `target/bench-build/` (a copy of the checkout, the two
//! downstream crates, their own target folders), deleted at the end.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};

use super::report_build::{Measured, report};
use super::timings::{Unit, build_script_run, units};
use super::{Bench, Section, cargo};

/// The feature that keeps reqwest's default rustls provider (aws-lc), when `moneykit` has it.
const DEFAULT_PROVIDER_FEATURE: &str = "tls-aws-lc";

/// Removes the scratch folder when the group ends, however it ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One downstream crate in the scratch folder.
struct Downstream {
    dir: PathBuf,
}

impl Downstream {
    fn target(&self) -> PathBuf {
        self.dir.join("target")
    }

    fn clean(&self) -> Result<(), String> {
        match std::fs::remove_dir_all(self.target()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("cannot clear {:?}: {e}", self.target()))
            }
            _ => Ok(()),
        }
    }

    /// `cargo build --timings`, timed: wall, the cargo tree's CPU, and the units when asked.
    fn build(&self, timings: bool) -> Result<(Measured, Vec<Unit>), String> {
        let mut command = Command::new(cargo());
        command.current_dir(&self.dir).args(["build", "--quiet"]);
        if timings {
            command.arg("--timings");
        }
        // Cargo's own defaults (incremental for local crates), as a user's first build has them.
        command
            .env("CARGO_TARGET_DIR", self.target())
            .env_remove("CARGO_INCREMENTAL");
        let cpu_before = children_cpu()?;
        let started = Instant::now();
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let wall = started.elapsed();
        let cpu = children_cpu()?.saturating_sub(cpu_before);
        if !status.success() {
            return Err(format!("cargo build failed in {}", self.dir.display()));
        }
        let units = if timings {
            let html = self.target().join("cargo-timings/cargo-timing.html");
            units(&std::fs::read_to_string(&html).map_err(|e| format!("{}: {e}", html.display()))?)?
        } else {
            Vec::new()
        };
        let script = build_script_run(&units, "moneykit-api");
        Ok((
            Measured {
                wall: wall.as_secs_f64(),
                cpu: cpu.as_secs_f64(),
                script,
            },
            units,
        ))
    }
}

/// User + system CPU of this process's waited-for children and their descendants.
fn children_cpu() -> Result<Duration, String> {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| format!("getrusage: {e}"))?;
    let micros = |t: nix::sys::time::TimeVal| {
        u64::try_from(t.tv_sec()).unwrap_or(0) * 1_000_000 + u64::try_from(t.tv_usec()).unwrap_or(0)
    };
    Ok(Duration::from_micros(
        micros(usage.user_time()) + micros(usage.system_time()),
    ))
}

/// Everything the build group measured, for the report.
#[derive(Default)]
pub struct Results {
    /// Cold builds of the baseline, one per run.
    pub baseline: Vec<Measured>,
    /// Cold builds of the `moneykit` binary, one per run.
    pub moneykit: Vec<Measured>,
    /// The feature set of the `moneykit` builds (`default` or `tls-aws-lc`).
    pub moneykit_features: String,
    /// Rebuilds after a description edit regenerated into `src/generated.rs`.
    pub spec_edit: Vec<Measured>,
    /// Rebuilds after a one-line edit in main.rs.
    pub main_edit: Vec<Measured>,
    /// Cold builds per TLS feature; `None`: the feature does not exist yet.
    pub tls: Vec<(String, Option<Vec<Measured>>)>,
    /// The units of the last cold `moneykit` build.
    pub units: Vec<Unit>,
}

/// Runs the group and returns its section.
pub fn run(bench: &Bench, runs: usize, tls_runs: usize, tls: &[String]) -> Result<Section, String> {
    let base = bench.target.join("bench-build");
    let _scratch = Scratch(base.clone());
    let workspace = base.join("workspace");
    crate::scratch::copy_checkout(&bench.root, &workspace)?;
    let features = moneykit_features(&workspace)?;
    let main_feature = features
        .iter()
        .any(|f| f == DEFAULT_PROVIDER_FEATURE)
        .then_some(DEFAULT_PROVIDER_FEATURE);
    let baseline = downstream(bench, &base, "baseline", None)?;
    let moneykit = downstream(bench, &base, "moneykit", main_feature)?;
    let mut results = Results {
        moneykit_features: main_feature.unwrap_or("default").to_owned(),
        ..Results::default()
    };
    for round in 0..runs {
        let mut order = [(&baseline, false), (&moneykit, true)];
        if round % 2 == 1 {
            order.reverse();
        }
        for (crate_dir, is_moneykit) in order {
            crate_dir.clean()?;
            let (measured, build_units) = crate_dir.build(true)?;
            println!(
                "  round {round} cold {}: {:.1} s wall, {:.1} s CPU",
                if is_moneykit { "moneykit" } else { "baseline" },
                measured.wall,
                measured.cpu
            );
            if is_moneykit {
                results.moneykit.push(measured);
                results.units = build_units;
            } else {
                results.baseline.push(measured);
            }
            // The last `moneykit` build stays for the rebuilds; at most two targets at once.
            if !is_moneykit || round + 1 < runs {
                crate_dir.clean()?;
            }
        }
    }
    rebuilds(&workspace, &moneykit, runs, &mut results)?;
    moneykit.clean()?;
    tls_builds(bench, &base, (tls, &features), tls_runs, &mut results)?;
    Ok(report(&results, runs, tls_runs))
}

/// The rebuilds of the `moneykit` binary (left built by the last cold run) after each edit.
fn rebuilds(
    workspace: &Path,
    moneykit: &Downstream,
    runs: usize,
    results: &mut Results,
) -> Result<(), String> {
    let generated = workspace.join("src/generated.rs");
    let main = moneykit.dir.join("src/main.rs");
    for round in 1..=runs {
        edit_description(&generated, round)?;
        let (measured, _) = moneykit.build(true)?;
        println!("  rebuild after a spec edit: {:.1} s", measured.wall);
        results.spec_edit.push(measured);
        let text = std::fs::read_to_string(&main).map_err(|e| e.to_string())?;
        let edited = text.replace(
            &format!("bench-edit-{}", round - 1),
            &format!("bench-edit-{round}"),
        );
        std::fs::write(&main, edited).map_err(|e| e.to_string())?;
        let (measured, _) = moneykit.build(false)?;
        println!("  rebuild after a main.rs edit: {:.1} s", measured.wall);
        results.main_edit.push(measured);
    }
    Ok(())
}

/// Edits the first doc comment of the generated source, as `cargo xtask regen` does after a
/// description edit in `openapi.yaml` (downstream builds compile the generated source, not the
/// spec).
fn edit_description(generated: &Path, round: usize) -> Result<(), String> {
    let text = std::fs::read_to_string(generated).map_err(|e| e.to_string())?;
    let Some(at) = text.find("/**") else {
        return Err("src/generated.rs has no doc comment to edit".to_owned());
    };
    let edited = format!("{}/**Edited {round}. {}", &text[..at], &text[at + 3..]);
    std::fs::write(generated, edited).map_err(|e| e.to_string())
}

/// Cold builds of the `moneykit` binary with only one TLS feature (no default features), for
/// each of `tls` that `moneykit` declares: `runs` rounds, each building every feature once, so a
/// drift in the machine's speed spreads over all of them. The main builds' feature is not built
/// again: its row is those builds. A feature `moneykit` lacks gets `None`.
fn tls_builds(
    bench: &Bench,
    base: &Path,
    (tls, declared): (&[String], &[String]),
    runs: usize,
    results: &mut Results,
) -> Result<(), String> {
    let mut to_build = Vec::new();
    for feature in tls {
        if declared.contains(feature) && *feature != results.moneykit_features {
            let crate_dir = downstream(bench, base, &format!("moneykit-{feature}"), Some(feature))?;
            to_build.push((feature, crate_dir, Vec::new()));
        }
    }
    for round in 0..runs {
        for (feature, crate_dir, measured) in &mut to_build {
            crate_dir.clean()?;
            let (one, _) = crate_dir.build(false)?;
            crate_dir.clean()?;
            println!(
                "  round {round} cold moneykit --features {feature}: {:.1} s wall, {:.1} s CPU",
                one.wall, one.cpu
            );
            measured.push(one);
        }
    }
    for feature in tls {
        let measured = if *feature == results.moneykit_features {
            Some(results.moneykit.clone())
        } else {
            to_build
                .iter_mut()
                .find(|(built, _, _)| *built == feature)
                .map(|(_, _, measured)| std::mem::take(measured))
        };
        results.tls.push((feature.clone(), measured));
    }
    Ok(())
}

/// Writes a downstream crate from its template; `feature`: only that feature of `moneykit`.
fn downstream(
    bench: &Bench,
    base: &Path,
    name: &str,
    feature: Option<&str>,
) -> Result<Downstream, String> {
    let template = if name == "baseline" {
        "baseline"
    } else {
        "moneykit"
    };
    let from = bench.root.join("moneykit-bench/downstream").join(template);
    let dir = base.join(name);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest =
        std::fs::read_to_string(from.join("Cargo.toml.tmpl")).map_err(|e| e.to_string())?;
    let features = feature.map_or(String::new(), |f| {
        format!(", default-features = false, features = [\"{f}\"]")
    });
    let manifest = manifest
        .replace(
            "@MONEYKIT_PATH@",
            &base.join("workspace/moneykit").to_string_lossy(),
        )
        .replace("@MONEYKIT_FEATURES@", &features);
    let copy = |from: PathBuf, to: PathBuf| {
        std::fs::copy(&from, &to)
            .map(drop)
            .map_err(|e| format!("{}: {e}", from.display()))
    };
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    copy(from.join("src/main.rs"), dir.join("src/main.rs"))?;
    // The workspace's lock: the same versions as the checkout, cargo adds the rest.
    copy(bench.root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(Downstream { dir })
}

/// The features `moneykit` declares in the copy.
fn moneykit_features(workspace: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(cargo())
        .current_dir(workspace)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let moneykit = packages
        .iter()
        .find(|p| p["name"] == "moneykit")
        .ok_or("no moneykit package")?;
    Ok(moneykit["features"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default())
}
