//! Helpers shared by `moneykit-api`'s integration tests.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// The fuzz target's decoder: every response type and documented error status, for one body.
#[path = "../../fuzz/src/decode.rs"]
pub mod decode;

/// `tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The JSON body `tests/fixtures/<path>`, decoded as `T`.
pub fn fixture<T: DeserializeOwned>(path: &str) -> T {
    serde_json::from_slice(&std::fs::read(fixtures_dir().join(path)).unwrap()).unwrap()
}

/// One body of `tests/fixtures/<schema>/<name>`.
pub struct Fixture {
    /// The schema folder, e.g. `LinkCommon`.
    pub schema: String,
    /// `<schema>/<file name>`, for messages.
    pub name: String,
    pub body: Vec<u8>,
}

/// Every fixture body, in a stable order (so seeded property tests are reproducible).
pub fn fixture_bodies() -> Vec<Fixture> {
    let mut bodies = Vec::new();
    for dir in std::fs::read_dir(fixtures_dir()).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let schema = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            bodies.push(Fixture {
                name: format!("{schema}/{}", file.file_name().unwrap().to_string_lossy()),
                schema: schema.clone(),
                body: std::fs::read(&file).unwrap(),
            });
        }
    }
    bodies.sort_by(|a, b| a.name.cmp(&b.name));
    bodies
}

/// The files directly in `dir` (none if it does not exist), sorted.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}
