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

/// What held a unit back until it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Its last dependency finished just before it started.
    Dependency,
    /// It was ready earlier and waited for a job slot, freed by the unit before it.
    Slot,
    /// Nothing: it is the first unit of the chain.
    Start,
}

/// The chain of units that decided the build's length, first to last: back from the unit that
/// finished last, each unit is preceded by what delayed its start, the dependency that
/// unblocked it when that finished just before it started, else the unit that finished last
/// before it started (it freed the job slot). On a machine with few cores most links are slots.
pub fn critical_path(units: &[Unit]) -> Vec<(Unit, Wait)> {
    let end = |u: &Unit| u.start + u.duration;
    let Some(mut current) = units.iter().max_by(|a, b| end(a).total_cmp(&end(b))) else {
        return Vec::new();
    };
    let mut path = Vec::new();
    // Bounded by the unit count: each step goes to a unit that started earlier.
    for _ in 0..units.len() {
        let dependency = units
            .iter()
            .find(|u| u.unblocked.contains(&current.index))
            .filter(|u| end(u) + 0.1 >= current.start);
        let slot = || {
            units
                .iter()
                .filter(|u| u.start < current.start && end(u) <= current.start + 0.05)
                .max_by(|a, b| end(a).total_cmp(&end(b)))
        };
        let (previous, wait) = match dependency {
            Some(u) => (u, Wait::Dependency),
            None => match slot() {
                Some(u) => (u, Wait::Slot),
                None => break,
            },
        };
        path.push((current.clone(), wait));
        current = previous;
    }
    path.push((current.clone(), Wait::Start));
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    // Four units on one job slot: `a` unblocks `c`, but `c` waits for `b` to free the slot.
    const REPORT: &str = r#"<script>
const UNIT_DATA = [
  {"i": 0, "name": "a", "target": "", "start": 0.0, "duration": 2.0, "unblocked_units": [2], "unblocked_rmeta_units": []},
  {"i": 1, "name": "b", "target": " build-script (run)", "start": 2.0, "duration": 5.0, "unblocked_units": [], "unblocked_rmeta_units": []},
  {"i": 2, "name": "c", "target": "", "start": 7.0, "duration": 1.0, "unblocked_units": [3], "unblocked_rmeta_units": []},
  {"i": 3, "name": "d", "target": " d \"bin\"", "start": 8.0, "duration": 0.5, "unblocked_units": [], "unblocked_rmeta_units": []}
];
const CONCURRENCY_DATA = [];
</script>"#;

    #[test]
    fn reads_units_and_walks_back_through_dependencies_and_slots() {
        let units = units(REPORT).unwrap();
        assert_eq!(units.len(), 4);
        assert_eq!(build_script_run(&units, "b"), Some(5.0));
        assert_eq!(slowest(&units, 1)[0].name, "b");
        let path: Vec<(String, Wait)> = critical_path(&units)
            .into_iter()
            .map(|(u, wait)| (u.name, wait))
            .collect();
        let expected = [
            ("a", Wait::Start),
            ("b", Wait::Slot),
            ("c", Wait::Slot),
            ("d", Wait::Dependency),
        ];
        let expected: Vec<(String, Wait)> = expected
            .iter()
            .map(|(n, w)| ((*n).to_owned(), *w))
            .collect();
        assert_eq!(path, expected);
    }
}
