//! Decoding never panics: arbitrary JSON, and every fixture body mutated (keys dropped,
//! duplicated, renamed or added, values of another type, `null`s, huge numbers, deep nesting,
//! truncation), go through every response type and every documented error status (the fuzz
//! target's decoder, `fuzz/src/decode.rs`). Each decode is `Ok` or a typed error.
//!
//! Seeded and bounded: the same 256 cases each run, and no failure-persistence file is written
//! into the repository.

mod common;

use common::decode::decode;
use common::fixture_bodies;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRunner};
use serde_json::{Map, Value, json};

/// Deeper than this, serde_json refuses the document itself (its recursion limit is 128).
const MAX_NESTING: usize = 140;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x6d6f_6e65_796b_6974),
        ..Config::default()
    })
}

/// Every key and string value of the fixtures: random documents that use MoneyKit's own
/// names reach the decoders' fields instead of being ignored as unknown keys.
fn vocabulary() -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k.clone());
                collect(v, out);
            }),
            _ => {}
        }
    }
    let mut words = Vec::new();
    for fixture in fixture_bodies() {
        collect(&serde_json::from_slice(&fixture.body).unwrap(), &mut words);
    }
    words.sort();
    words.dedup();
    words
}

fn huge_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(5e-324)),
        Just(json!(i64::MAX as f64)),
    ]
}

fn leaf(words: Vec<String>) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        huge_number(),
        ".{0,12}".prop_map(Value::String),
        proptest::sample::select(words).prop_map(Value::String),
    ]
}

/// Any JSON document, at most 6 levels deep, with keys mostly from the fixtures.
fn any_json(words: Vec<String>) -> impl Strategy<Value = Value> {
    let keys = prop_oneof![
        3 => proptest::sample::select(words.clone()),
        1 => ".{0,8}",
    ];
    leaf(words).prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// One change at one node of a document.
#[derive(Clone, Debug)]
enum Mutation {
    Replace(Value),
    Null,
    Huge(Value),
    Nest(usize),
    DropKey(Index),
    RenameKey(Index, String),
    AddKey(String, Value),
    Empty,
    RepeatElement(Index),
}

fn mutation(words: Vec<String>) -> impl Strategy<Value = (Index, Mutation)> {
    let word = proptest::sample::select(words.clone());
    let change = prop_oneof![
        any_json(words.clone()).prop_map(Mutation::Replace),
        Just(Mutation::Null),
        huge_number().prop_map(Mutation::Huge),
        (1..MAX_NESTING).prop_map(Mutation::Nest),
        any::<Index>().prop_map(Mutation::DropKey),
        (any::<Index>(), word.clone()).prop_map(|(i, w)| Mutation::RenameKey(i, w)),
        (word, leaf(words)).prop_map(|(w, v)| Mutation::AddKey(w, v)),
        Just(Mutation::Empty),
        any::<Index>().prop_map(Mutation::RepeatElement),
    ];
    (any::<Index>(), change)
}

/// The JSON pointers of every node of `value`, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{escaped}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn apply(document: &mut Value, (node, change): &(Index, Mutation)) {
    let mut all = Vec::new();
    pointers(document, String::new(), &mut all);
    let target = document.pointer_mut(node.get::<String>(&all)).unwrap();
    match (change, target) {
        (Mutation::Replace(v) | Mutation::Huge(v), target) => *target = v.clone(),
        (Mutation::Null, target) => *target = Value::Null,
        (Mutation::Nest(depth), target) => {
            for level in 0..*depth {
                let inner = target.take();
                *target = if level % 2 == 0 {
                    Value::Array(vec![inner])
                } else {
                    Value::Object(Map::from_iter([("x".to_owned(), inner)]))
                };
            }
        }
        (Mutation::DropKey(i), Value::Object(map)) if !map.is_empty() => {
            let key = i.get(&map.keys().cloned().collect::<Vec<_>>()).clone();
            map.remove(&key);
        }
        (Mutation::RenameKey(i, to), Value::Object(map)) if !map.is_empty() => {
            let key = i.get(&map.keys().cloned().collect::<Vec<_>>()).clone();
            let value = map.remove(&key).unwrap();
            map.insert(to.clone(), value);
        }
        (Mutation::AddKey(key, value), Value::Object(map)) => {
            map.insert(key.clone(), value.clone());
        }
        (Mutation::Empty, Value::Object(map)) => map.clear(),
        (Mutation::Empty, Value::Array(items)) => items.clear(),
        (Mutation::Empty, Value::String(s)) => s.clear(),
        (Mutation::RepeatElement(i), Value::Array(items)) if !items.is_empty() => {
            let item = i.get(items).clone();
            items.push(item);
        }
        // The change does not fit the node: the document is left as it is.
        _ => {}
    }
}

/// `value` as JSON text in which the object at `duplicate` (a pointer) has its first key twice,
/// the second time with `null`: serde's derived decoders must refuse or tolerate that, not panic.
fn render(value: &Value, at: &str, duplicate: &str) -> String {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<String> = map
                .iter()
                .map(|(key, item)| {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    let item = render(item, &format!("{at}/{escaped}"), duplicate);
                    format!("{}:{item}", Value::from(key.as_str()))
                })
                .collect();
            if at == duplicate
                && let Some(key) = map.keys().next()
            {
                fields.push(format!("{}:null", Value::from(key.as_str())));
            }
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, item)| render(item, &format!("{at}/{i}"), duplicate))
                .collect();
            format!("[{}]", items.join(","))
        }
        leaf => leaf.to_string(),
    }
}

#[test]
fn arbitrary_json_never_panics_a_decoder() {
    let strategy = any_json(vocabulary());
    runner()
        .run(&strategy, |document| {
            decode(document.to_string().as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn mutated_fixtures_never_panic_a_decoder() {
    let fixtures: Vec<Value> = fixture_bodies()
        .iter()
        .map(|fixture| serde_json::from_slice(&fixture.body).unwrap())
        .collect();
    let strategy = (
        proptest::sample::select(fixtures),
        prop::collection::vec(mutation(vocabulary()), 1..5),
        any::<Index>(),
        prop::option::of(any::<Index>()),
    );
    runner()
        .run(&strategy, |(mut document, mutations, duplicate, cut)| {
            for change in &mutations {
                apply(&mut document, change);
            }
            let mut all = Vec::new();
            pointers(&document, String::new(), &mut all);
            let text = render(&document, "", duplicate.get::<String>(&all));
            // The rendering is the document (its duplicate key aside): the mutations reach the
            // decoders as intended.
            match serde_json::from_str::<Value>(&text) {
                Ok(reread) => prop_assert_eq!(
                    reread.as_object().map(Map::len),
                    document.as_object().map(Map::len)
                ),
                Err(e) => prop_assert!(e.to_string().contains("recursion limit"), "{}", e),
            }
            let bytes = text.as_bytes();
            decode(&bytes[..cut.map_or(bytes.len(), |cut| cut.index(bytes.len() + 1))]);
            Ok(())
        })
        .unwrap();
}
