//! Reads the unit table of a `cargo build --timings` report (`cargo-timing.html`'s `UNIT_DATA`):
//! a build script's run time, the slowest units, and the critical path (each unit preceded by
//! the one whose completion unblocked it, back from the unit that finished last).

use serde_json::Value;

/// One compilation unit of a timed build.
#[derive(Clone, Debug)]
pub struct Unit {
    /// Crate name.
    pub name: String,
    /// Cargo's target description (`""` for a lib, `" build-script (run)"`, …).
    pub target: String,
    /// Seconds from the build's start.
    pub start: f64,
    /// Seconds it took.
    pub duration: f64,
    index: u64,
    unblocked: Vec<u64>,
}

impl Unit {
    /// `name` plus what kind of unit it is.
    pub fn label(&self) -> String {
        let target = self.target.trim();
        if target.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({target})", self.name)
        }
    }
}

/// The units of the report at `html`.
pub fn units(html: &str) -> Result<Vec<Unit>, String> {
    let start = html
        .find("const UNIT_DATA = ")
        .ok_or("no UNIT_DATA in the timings report")?;
    let rest = &html[start + "const UNIT_DATA = ".len()..];
    let end = rest.find("];\n").ok_or("UNIT_DATA does not end")?;
    let data: Vec<Value> =
        serde_json::from_str(&rest[..=end]).map_err(|e| format!("UNIT_DATA: {e}"))?;
    let ids = |v: &Value| -> Vec<u64> {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    };
    Ok(data
        .iter()
        .map(|u| Unit {
            name: u["name"].as_str().unwrap_or_default().to_owned(),
            target: u["target"].as_str().unwrap_or_default().to_owned(),
            start: u["start"].as_f64().unwrap_or(0.0),
            duration: u["duration"].as_f64().unwrap_or(0.0),
            index: u["i"].as_u64().unwrap_or(u64::MAX),
            unblocked: [ids(&u["unblocked_units"]), ids(&u["unblocked_rmeta_units"])].concat(),
        })
        .collect())
}

/// The run time of `package`'s build script, if it ran.
pub fn build_script_run(units: &[Unit], package: &str) -> Option<f64> {
    units
        .iter()
        .find(|u| u.name == package && u.target.contains("build-script (run)"))
        .map(|u| u.duration)
}

/// The `count` slowest units, slowest first.
pub fn slowest(units: &[Unit], count: usize) -> Vec<Unit> {
    let mut sorted = units.to_vec();
    sorted.sort_by(|a, b| b.duration.total_cmp(&a.duration));
    sorted.truncate(count);
    sorted
}

/// The chain of units that decided the build's length, first to last, back from the unit that
/// finished last: each unit's predecessor is the dependency whose completion unblocked it, or,
/// when it had none (it waited for a free job slot), the unit that finished just before it
/// started. The flag says which (`true`: a dependency).
pub fn critical_path(units: &[Unit]) -> Vec<(Unit, bool)> {
    let end = |u: &Unit| u.start + u.duration;
    let Some(mut current) = units.iter().max_by(|a, b| end(a).total_cmp(&end(b))) else {
        return Vec::new();
    };
    let mut path = vec![(current.clone(), true)];
    // Bounded by the unit count: each step goes to a unit that started earlier.
    for _ in 0..units.len() {
        let unblocker = units.iter().find(|u| u.unblocked.contains(&current.index));
        let slot = || {
            units
                .iter()
                .filter(|u| u.start < current.start && end(u) <= current.start + 0.05)
                .max_by(|a, b| end(a).total_cmp(&end(b)))
        };
        let (previous, by_dependency) = match unblocker {
            Some(u) => (u, true),
            None => match slot() {
                Some(u) => (u, false),
                None => break,
            },
        };
        if let Some(last) = path.last_mut() {
            last.1 = by_dependency;
        }
        path.push((previous.clone(), true));
        current = previous;
    }
    path.reverse();
    path
}
