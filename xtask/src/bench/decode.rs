//! The decode group: `bench-decode` (MB/s) and `bench-decode-mem` (peak heap) for account-numbers
//! bodies of 1, 100 and 10,000 accounts into the generated types, hand-written structs and
//! `serde_json::Value`.

use std::collections::BTreeMap;
use std::process::Command;

use super::stats::{median, ratio, runs, table};
use super::{Bench, Section, field, json_line};

const SIZES: [usize; 3] = [1, 100, 10_000];
const DECODERS: [&str; 3] = ["generated", "handwritten", "value"];

/// Runs the group and returns its section.
pub fn run(bench: &Bench) -> Result<Section, String> {
    let (rounds, min_ms) = if bench.quick { (3, 200) } else { (5, 1000) };
    let mut speed: BTreeMap<(usize, &str), Vec<f64>> = BTreeMap::new();
    let mut bytes: BTreeMap<usize, f64> = BTreeMap::new();
    for round in 0..rounds {
        for size in SIZES {
            let mut order = DECODERS;
            order.rotate_left(round % DECODERS.len());
            for decoder in order {
                let line = json_line(
                    Command::new(bench.release("bench-decode"))
                        .args(["--accounts", &size.to_string(), "--decoder", decoder])
                        .args(["--min-ms", &min_ms.to_string()]),
                )?;
                let body = field(&line, "body_bytes")?;
                let mb_s = body * field(&line, "iterations")? / field(&line, "seconds")? / 1e6;
                bytes.insert(size, body);
                speed.entry((size, decoder)).or_default().push(mb_s);
            }
        }
    }
    let mut peak: BTreeMap<(usize, &str), f64> = BTreeMap::new();
    for size in SIZES {
        for decoder in DECODERS {
            let line = json_line(Command::new(bench.release("bench-decode-mem")).args([
                "--accounts",
                &size.to_string(),
                "--decoder",
                decoder,
            ]))?;
            peak.insert((size, decoder), field(&line, "peak_decode_bytes")?);
        }
    }
    Ok(section(&speed, &peak, &bytes, rounds, min_ms))
}

fn section(
    speed: &BTreeMap<(usize, &str), Vec<f64>>,
    peak: &BTreeMap<(usize, &str), f64>,
    bytes: &BTreeMap<usize, f64>,
    rounds: usize,
    min_ms: u64,
) -> Section {
    let mut body = format!(
        "`serde_json::from_slice` of a compact `GetAccountNumbersResponseLegacy20230218` body (the \
         fixture with every account field, its account repeated) into \
         `moneykit_api::types::GetAccountNumbersResponseLegacy20230218` (generated), hand-written \
         serde structs of the same fields (`moneykit-bench/src/baseline.rs`: strings for enums \
         and timestamps) and `serde_json::Value`; the decoded value is dropped inside the timed \
         loop. Each run decodes for at least {min_ms} ms; {rounds} rounds, decoders rotating. \
         Peak memory is the body plus the most heap the decode held at once (dhat's allocator, \
         one run: it is deterministic), over the body size.\n\n"
    );
    let mut rows = Vec::new();
    let mut headline = Vec::new();
    for size in SIZES {
        let body_bytes = bytes.get(&size).copied().unwrap_or(f64::NAN);
        let hand = median(
            speed
                .get(&(size, "handwritten"))
                .map_or(&[][..], Vec::as_slice),
        );
        for decoder in DECODERS {
            let samples = speed.get(&(size, decoder)).map_or(&[][..], Vec::as_slice);
            let held = peak.get(&(size, decoder)).copied().unwrap_or(f64::NAN);
            rows.push(vec![
                size.to_string(),
                format!("{body_bytes:.0}"),
                decoder.to_owned(),
                format!("{:.1}", median(samples)),
                ratio(median(samples), hand),
                format!("{:.2}×", (body_bytes + held) / body_bytes),
                runs(samples, 1),
            ]);
        }
        if size > 1 {
            let generated = median(
                speed
                    .get(&(size, "generated"))
                    .map_or(&[][..], Vec::as_slice),
            );
            let held = peak.get(&(size, "generated")).copied().unwrap_or(f64::NAN);
            headline.push([
                format!(
                    "decoding {size} accounts: MB/s, generated vs hand-written (peak memory / body)"
                ),
                format!(
                    "{generated:.1} MB/s ({:.2}×)",
                    (body_bytes + held) / body_bytes
                ),
                format!("{hand:.1} MB/s"),
                ratio(generated, hand),
            ]);
        }
    }
    body.push_str(&table(
        &[
            "accounts",
            "body bytes",
            "decoder",
            "MB/s (median)",
            "vs hand-written",
            "peak memory / body",
            "MB/s, raw runs",
        ],
        &rows,
    ));
    Section {
        title: "Decoding account numbers",
        body,
        headline,
    }
}
