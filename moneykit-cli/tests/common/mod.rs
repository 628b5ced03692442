//! Running the `moneykit` binary end to end, over real HTTP on 127.0.0.1: with `--sandbox` (each
//! run starts its own embedded sandbox on a random port), or against a [`Local`] sandbox started
//! in the test process where the test needs to know its address.
//!
//! Every run goes through [`run_command`], which removes the developer's `MONEYKIT_*` variables
//! and checks that neither stdout nor stderr contains the sandbox's client secret, [`BAD_TOKEN`]
//! or any secret the test handed in.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::process::Output;

use assert_cmd::Command;
use moneykit::{Redact, Revealed, RevealedSensitive};
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, Config, Sandbox};
use serde::Serialize;
use serde_json::Value;

/// A made-up token: it must never be printed either.
pub const BAD_TOKEN: &str = "at_NotARealToken_5f0c9e1d";

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The failure's single stderr line.
    pub fn error_line(&self) -> &str {
        assert!(self.stdout.is_empty(), "stdout: {}", self.stdout);
        assert!(self.stderr.ends_with('\n'), "stderr: {:?}", self.stderr);
        assert_eq!(self.stderr.lines().count(), 1, "stderr: {}", self.stderr);
        self.stderr.trim_end()
    }

    /// The error line of a run that exited with `code`, checked to start with `prefix`.
    pub fn fails_with(&self, code: i32, prefix: &str) -> &str {
        assert_eq!(self.code, code, "stderr: {}", self.stderr);
        let line = self.error_line();
        assert!(line.starts_with(prefix), "{line}");
        line
    }
}

/// `moneykit` with no `MONEYKIT_*` variable from the developer's environment.
pub fn moneykit() -> Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("moneykit"));
    without_moneykit_env(&mut command);
    Command::from_std(command)
}

/// Removes every `MONEYKIT_*` variable of the developer's environment from `command`.
pub fn without_moneykit_env(command: &mut std::process::Command) -> &mut std::process::Command {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MONEYKIT_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `command`, checking that no secret in `secrets` (nor the sandbox's client secret)
/// appears in its output.
pub fn run_command(command: &mut Command, secrets: &[&str]) -> Outcome {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let outcome = Outcome {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    for secret in secrets.iter().chain([&CLIENT_SECRET, &BAD_TOKEN]) {
        assert!(
            !outcome.stdout.contains(secret) && !outcome.stderr.contains(secret),
            "{secret} printed:\n{}\n{}",
            outcome.stdout,
            outcome.stderr
        );
    }
    outcome
}

pub fn run(args: &[&str]) -> Outcome {
    run_command(moneykit().args(args), &[])
}

pub fn sandbox(args: &[&str]) -> Outcome {
    let mut command = moneykit();
    command.arg("--sandbox").args(args);
    run_command(&mut command, &[])
}

pub fn assert_success(outcome: &Outcome) {
    assert_eq!(
        outcome.code, 0,
        "stdout: {}\nstderr: {}",
        outcome.stdout, outcome.stderr
    );
    assert!(outcome.stderr.is_empty(), "stderr: {}", outcome.stderr);
}

/// A sandbox served by this test process's runtime while the binary runs.
pub struct Local {
    pub sandbox: Sandbox,
    runtime: tokio::runtime::Runtime,
}

impl Local {
    pub fn start() -> Local {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime.block_on(Sandbox::start(Config::new())).unwrap();
        Local { sandbox, runtime }
    }

    pub fn url(&self) -> &str {
        self.sandbox.base_url()
    }

    /// A real token of this sandbox.
    pub fn token(&self) -> String {
        self.runtime.block_on(async {
            let client = moneykit::Client::builder()
                .base_url(self.url())
                .client_credentials(CLIENT_ID, CLIENT_SECRET)
                .build()
                .unwrap();
            client
                .authenticate()
                .await
                .unwrap()
                .access_token
                .reveal()
                .expect("a token, not a mask")
                .to_owned()
        })
    }
}

/// The strings that masking changes: the sensitive values of `value`, whatever their fields.
pub fn sensitive_values<T: Serialize + Redact>(value: &T) -> Vec<String> {
    unmasked_by(serde_json::to_value(Revealed(value)).unwrap(), value)
}

/// The values `--reveal` shows of `value`: its numbers (`RevealedSensitive`), not its secrets.
pub fn revealed_numbers<T: Serialize + Redact>(value: &T) -> Vec<String> {
    unmasked_by(
        serde_json::to_value(RevealedSensitive(value)).unwrap(),
        value,
    )
}

/// The strings of `unmasked` (`value` serialized with some masks lifted) that differ from
/// `value` masked.
fn unmasked_by<T: Serialize + Redact>(unmasked: Value, value: &T) -> Vec<String> {
    let (mut full, mut masked) = (Vec::new(), Vec::new());
    strings(&unmasked, &mut full);
    strings(
        &serde_json::to_value(value.redacted()).unwrap(),
        &mut masked,
    );
    assert_eq!(full.len(), masked.len());
    full.into_iter()
        .zip(masked)
        .filter(|(full, masked)| full != masked)
        .map(|(full, _)| full)
        .collect()
}

/// Every string value of a JSON document, in document order.
pub fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}
