//! The decode group: `bench-decode` (MB/s) and `bench-decode-mem` (peak heap) for account-numbers
//! bodies of 1, 100 and 10,000 accounts into the generated types, hand-written structs and
//! `serde_json::Value`.

use std::collections::BTreeMap;
use std::process::Command;

use super::instructions::DECODE_ACCOUNTS;
use super::stats::{median, ratio, runs, table, thousands};
use super::{Bench, Section, field, json_line};

const SIZES: [usize; 3] = [1, 100, 10_000];
const DECODERS: [&str; 3] = ["generated", "handwritten", "value"];

/// Runs the group and returns its section.
pub fn run(bench: &Bench) -> Result<Section, String> {
    let (rounds, min_ms) = if bench.quick { (3, 200) } else { (5, 1000) };
    let mut speed: BTreeMap<(usize, &'static str), Vec<f64>> = BTreeMap::new();
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
    let mut peak: BTreeMap<(usize, &'static str), f64> = BTreeMap::new();
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
    let instructions = super::instructions::decode(bench)?;
    let mut section = section(&speed, &peak, &bytes, rounds, min_ms);
    if let Some(counted) = instructions {
        add_instructions(&mut section, counted);
    }
    Ok(section)
}

/// Adds the callgrind count (hand-written, generated instructions per body) to `section`, its
/// ratio turned into a speed (hand-written over generated) to read like the MB/s ratios.
fn add_instructions(section: &mut Section, (hand, generated): (f64, f64)) {
    section.body.push_str(&format!(
        "\nInstructions per decode of the {DECODE_ACCOUNTS}-account body under callgrind \
         (load-independent; the difference of two runs of each decoder, so start-up cancels): \
         hand-written {}, generated {}; as a speed, generated vs hand-written {}.\n",
        thousands(hand),
        thousands(generated),
        ratio(hand, generated)
    ));
    section.headline.insert(
        0,
        [
            format!(
                "decoding {DECODE_ACCOUNTS} accounts: instructions per body, generated vs \
                 hand-written (callgrind; ratio as a speed)"
            ),
            thousands(generated),
            thousands(hand),
            ratio(hand, generated),
        ],
    );
}

/// What the group measured.
struct Data<'a> {
    speed: &'a BTreeMap<(usize, &'static str), Vec<f64>>,
    peak: &'a BTreeMap<(usize, &'static str), f64>,
    bytes: &'a BTreeMap<usize, f64>,
}

impl Data<'_> {
    fn samples(&self, size: usize, decoder: &'static str) -> &[f64] {
        self.speed.get(&(size, decoder)).map_or(&[], Vec::as_slice)
    }

    fn mb_s(&self, size: usize, decoder: &'static str) -> f64 {
        median(self.samples(size, decoder))
    }

    /// (body + the decode's peak heap) / body.
    fn peak_over_body(&self, size: usize, decoder: &'static str) -> f64 {
        let body = self.bytes.get(&size).copied().unwrap_or(f64::NAN);
        let held = self.peak.get(&(size, decoder)).copied().unwrap_or(f64::NAN);
        (body + held) / body
    }
}

fn section(
    speed: &BTreeMap<(usize, &'static str), Vec<f64>>,
    peak: &BTreeMap<(usize, &'static str), f64>,
    bytes: &BTreeMap<usize, f64>,
    rounds: usize,
    min_ms: u64,
) -> Section {
    let data = Data { speed, peak, bytes };
    let mut body = format!(
        "`serde_json::from_slice` of a compact `GetAccountNumbersResponseLegacy20230218` body (the \
         fixture with every account field, its account repeated) into \
         `moneykit_api::types::GetAccountNumbersResponseLegacy20230218` (generated), hand-written \
         serde structs of the same fields (`moneykit-bench/src/baseline.rs`: strings for enums \
         and timestamps, no `flatten`) and `serde_json::Value`; the decoded value is dropped \
         inside the timed loop. Each run decodes for at least {min_ms} ms; {rounds} rounds, \
         decoders rotating. Peak memory is the body plus the most heap the decode held at once \
         (dhat's allocator, one run: it is deterministic), over the body size.\n\n"
    );
    let mut rows = Vec::new();
    for size in SIZES {
        for decoder in DECODERS {
            rows.push(vec![
                size.to_string(),
                format!("{:.0}", bytes.get(&size).copied().unwrap_or(f64::NAN)),
                decoder.to_owned(),
                format!("{:.1}", data.mb_s(size, decoder)),
                ratio(data.mb_s(size, decoder), data.mb_s(size, "handwritten")),
                format!("{:.2}×", data.peak_over_body(size, decoder)),
                runs(data.samples(size, decoder), 1),
            ]);
        }
    }
    let header = [
        "accounts",
        "body bytes",
        "decoder",
        "MB/s (median)",
        "vs hand-written",
        "peak memory / body",
        "MB/s, raw runs",
    ];
    body.push_str(&table(&header, &rows));
    let headline = SIZES
        .into_iter()
        .filter(|size| *size > 1)
        .map(|size| headline(&data, size))
        .collect();
    Section {
        title: "Decoding account numbers",
        body,
        headline,
    }
}

fn headline(data: &Data<'_>, size: usize) -> [String; 4] {
    let (generated, hand) = (data.mb_s(size, "generated"), data.mb_s(size, "handwritten"));
    [
        format!("decoding {size} accounts: MB/s, generated vs hand-written (peak memory / body)"),
        format!(
            "{generated:.1} MB/s ({:.2}×)",
            data.peak_over_body(size, "generated")
        ),
        format!(
            "{hand:.1} MB/s ({:.2}×)",
            data.peak_over_body(size, "handwritten")
        ),
        ratio(generated, hand),
    ]
}
