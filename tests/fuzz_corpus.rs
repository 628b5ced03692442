//! The fuzz target's smoke run on stable (`cargo +nightly fuzz run decode` needs nightly): every
//! fixture body, the committed hostile inputs of `fuzz/regressions/decode/` (a crash a fuzzing run
//! finds goes there), and every file of `fuzz/corpus/decode/` and `fuzz/artifacts/decode/` when a
//! local fuzzing run left some, go once through the same decoder the target calls.

mod common;

use std::path::Path;
use std::time::Instant;

use common::decode::{body_schemas, decode, unlisted_operations};
use common::{files_in, fixture_bodies};

#[test]
fn the_decoder_covers_every_operation() {
    assert_eq!(
        unlisted_operations(),
        Vec::<&str>::new(),
        "add the operation's error enum to fuzz/src/decode.rs (and its success type)"
    );
}

#[test]
fn every_fixture_decodes_as_its_schema_through_the_fuzz_decoder() {
    let started = Instant::now();
    let fixtures = fixture_bodies();
    assert!(fixtures.len() >= 100, "only {} fixtures", fixtures.len());
    let mut problems = Vec::new();
    for fixture in &fixtures {
        let accepted = decode(&fixture.body);
        // A success type by its schema name; an error body by some documented status.
        let as_its_schema = if body_schemas().any(|schema| schema == fixture.schema) {
            accepted.contains(&fixture.schema)
        } else {
            accepted.iter().any(|name| name.contains(' '))
        };
        if !as_its_schema {
            problems.push(format!("{}: accepted only as {accepted:?}", fixture.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!(
        "{} fixtures through the fuzz decoder in {:?}",
        fixtures.len(),
        started.elapsed()
    );
}

#[test]
fn the_fuzzing_corpus_and_crashes_decode_without_panicking() {
    let started = Instant::now();
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let regressions = files_in(&fuzz.join("regressions/decode"));
    assert!(
        regressions.len() >= 5,
        "fuzz/regressions/decode/ holds {} inputs",
        regressions.len()
    );
    let mut inputs = 0;
    for file in regressions.iter().cloned().chain(
        ["corpus/decode", "artifacts/decode"]
            .iter()
            .flat_map(|dir| files_in(&fuzz.join(dir))),
    ) {
        decode(&std::fs::read(&file).unwrap());
        inputs += 1;
    }
    eprintln!(
        "{inputs} regression, corpus and artifact inputs in {:?}",
        started.elapsed()
    );
}
