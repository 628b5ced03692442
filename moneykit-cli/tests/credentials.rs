//! Which credentials the `moneykit` binary uses, end to end against a sandbox served by this test
//! process: the library's rule (`moneykit::Credentials::from_sources`: blank is unset, an access
//! token wins, half a pair is an error), applied to the credential flags when any is given and
//! to the environment otherwise (flags replace the environment's credentials as a group).

use assert_cmd::Command;
use moneykit_sandbox::{CLIENT_ID, CLIENT_SECRET, Sandbox, links};

/// A made-up token, refused by the sandbox.
const BAD_TOKEN: &str = "at_NotARealToken_5f0c9e1d";
const WRONG_SECRET: &str = "cs_WrongSecret_0000";

/// A sandbox served by this test process's runtime while the binary runs.
struct Local {
    sandbox: Sandbox,
    runtime: tokio::runtime::Runtime,
}

impl Local {
    fn start() -> Local {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime
            .block_on(Sandbox::start(moneykit_sandbox::Config::new()))
            .unwrap();
        Local { sandbox, runtime }
    }

    /// A real token of this sandbox (counted in `tokens_issued`).
    fn token(&self) -> String {
        self.runtime.block_on(async {
            let client = moneykit::Client::builder()
                .base_url(self.sandbox.base_url())
                .client_credentials(CLIENT_ID, CLIENT_SECRET)
                .build()
                .unwrap();
            let response = client.authenticate().await.unwrap();
            response.access_token.reveal().to_owned()
        })
    }

    /// `moneykit … link get mk_sandbox_us` against this sandbox with these environment variables
    /// (and no other `MONEYKIT_*`) and flags: the exit code and the stderr line. No token or
    /// secret may be printed.
    fn link_get(&self, env: &[(&str, &str)], flags: &[&str]) -> (i32, String) {
        let mut command = Command::cargo_bin("moneykit").unwrap();
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("MONEYKIT_") {
                command.env_remove(name);
            }
        }
        command
            .env("MONEYKIT_BASE_URL", self.sandbox.base_url())
            .envs(env.iter().copied())
            .args(flags)
            .args(["--output", "json", "link", "get", links::US]);
        let output = command.output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let secrets = env
            .iter()
            .filter(|(name, _)| name.ends_with("TOKEN") || name.ends_with("SECRET"))
            .map(|(_, value)| *value)
            .chain([CLIENT_SECRET, BAD_TOKEN, WRONG_SECRET])
            .filter(|value| !value.trim().is_empty());
        for secret in secrets {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{secret} printed"
            );
        }
        (output.status.code().unwrap(), stderr.trim_end().to_owned())
    }
}

#[test]
fn in_the_environment_an_access_token_wins_over_client_credentials() {
    let local = Local::start();
    let token = local.token();
    // The pair's secret is wrong: the run succeeds only if the token is used.
    let (code, stderr) = local.link_get(
        &[
            ("MONEYKIT_ACCESS_TOKEN", &token),
            ("MONEYKIT_CLIENT_ID", CLIENT_ID),
            ("MONEYKIT_CLIENT_SECRET", WRONG_SECRET),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 1, "no token was requested");
}

#[test]
fn a_blank_access_token_is_unset() {
    let local = Local::start();
    let (code, stderr) = local.link_get(
        &[
            ("MONEYKIT_ACCESS_TOKEN", "  "),
            ("MONEYKIT_CLIENT_ID", CLIENT_ID),
            ("MONEYKIT_CLIENT_SECRET", CLIENT_SECRET),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 1);
}

#[test]
fn as_flags_an_access_token_wins_over_client_credentials() {
    let local = Local::start();
    let (code, stderr) = local.link_get(
        &[],
        &[
            "--access-token",
            BAD_TOKEN,
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.starts_with("error: unauthorized (status 401"),
        "{stderr}"
    );
    assert_eq!(local.sandbox.tokens_issued(), 0);
}

#[test]
fn credential_flags_replace_the_environment_as_a_group() {
    let local = Local::start();
    // A token in the environment does not override a pair given as flags …
    let (code, stderr) = local.link_get(
        &[("MONEYKIT_ACCESS_TOKEN", BAD_TOKEN)],
        &["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
    );
    assert_eq!(code, 0, "{stderr}");
    // … and a flag does not pair with a variable.
    let (code, stderr) = local.link_get(
        &[("MONEYKIT_CLIENT_ID", CLIENT_ID)],
        &["--client-secret", CLIENT_SECRET],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("error: usage: a client secret needs a client id: give --client-id"),
        "{stderr}"
    );
    assert_eq!(local.sandbox.tokens_issued(), 1);
}

#[test]
fn half_a_pair_is_a_usage_error_at_either_level() {
    let local = Local::start();
    let (code, stderr) = local.link_get(&[("MONEYKIT_CLIENT_ID", CLIENT_ID)], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: usage: a client id needs a client secret: set MONEYKIT_CLIENT_SECRET"
        ),
        "{stderr}"
    );
    let (code, stderr) = local.link_get(&[], &["--client-id", CLIENT_ID]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("give --client-secret"), "{stderr}");
    assert_eq!(local.sandbox.tokens_issued(), 0);
}
