//! The command line's arguments (clap) and how they become a target: the embedded sandbox, or a
//! base URL with the credentials that `moneykit::Credentials::from_sources` picks from either the
//! credential flags or the environment.
//!
//! No type here derives `Debug`: they hold the client secret and the access token.

use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use moneykit::types::SupportedVersion;
use moneykit::{BuildError, Credentials};
use serde::de::DeserializeOwned;

use crate::failure::Failure;
use crate::generated::ApiCommand;

/// `moneykit`: MoneyKit links, accounts and account numbers from a terminal or a script.
#[derive(Parser)]
#[command(
    name = "moneykit",
    version,
    about = "MoneyKit links, accounts and account numbers from a terminal or a script.",
    long_about = "MoneyKit links, accounts and account numbers from a terminal or a script.\n\n\
        Credentials: when any of --access-token, --client-id and --client-secret is given, \
        those flags are the credentials and MONEYKIT_ACCESS_TOKEN, MONEYKIT_CLIENT_ID and \
        MONEYKIT_CLIENT_SECRET are ignored; otherwise those variables are. Either way a blank \
        value counts as unset, an access token wins over client credentials, and a client id \
        without its secret (or the reverse) is a usage error: the rule of the moneykit \
        library's Client::from_env. Prefer the environment for secrets: flags are visible to \
        other users of the machine. --sandbox ignores them all and uses an embedded \
        sandbox.\n\n\
        Exit codes: 0 success, 1 local failure (the sandbox could not start, the output could \
        not be written), 2 usage or invalid input, 3 authentication (401), 4 not found or \
        deleted (404/410), 5 forbidden or bad state (403/422), 6 rate limited (429), 7 server, \
        transport, timeout, undecodable or oversized response."
)]
pub struct Cli {
    /// The API's base URL (default: `moneykit::DEFAULT_BASE_URL`).
    #[arg(
        long,
        env = "MONEYKIT_BASE_URL",
        value_name = "URL",
        help = "The API's base URL [default: https://api.moneykit.com]"
    )]
    pub base_url: Option<String>,

    /// An access token obtained elsewhere (used as is, never renewed); wins over client
    /// credentials.
    #[arg(
        long,
        env = "MONEYKIT_ACCESS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub access_token: Option<String>,

    /// Your application's client id (with --client-secret).
    #[arg(long, env = "MONEYKIT_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Your application's client secret (with --client-id).
    #[arg(
        long,
        env = "MONEYKIT_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,

    /// The `moneykit-version` header to send (default: the spec's).
    #[arg(
        long,
        env = "MONEYKIT_VERSION",
        value_name = "VERSION",
        help = format!(
            "The `moneykit-version` header to send [default: {}]",
            SupportedVersion::default()
        )
    )]
    pub api_version: Option<String>,

    /// The largest response body accepted, in bytes; a larger one fails the command at once
    /// (exit 7, `response_too_large`) without being read further.
    #[arg(
        long,
        value_name = "BYTES",
        value_parser = clap::value_parser!(u64).range(1..),
        help = format!(
            "The largest response body accepted, in bytes; a larger one fails at once (exit 7) \
             [default: {}]",
            moneykit::DEFAULT_MAX_RESPONSE_BYTES
        )
    )]
    pub max_response_bytes: Option<u64>,

    /// How long the call may take in all, token request, retries and waits included; decimals
    /// allowed. When it passes, the command fails (exit 7, `timeout`).
    #[arg(
        long,
        value_name = "SECONDS",
        value_parser = parse_timeout,
        help = format!(
            "How long the call may take in all, retries and waits included; decimals allowed \
             (exit 7 when it passes) [default: {}]",
            moneykit::DEFAULT_CALL_TIMEOUT.as_secs()
        )
    )]
    pub timeout: Option<Duration>,

    /// How many times a failed request is sent again (0: never). Only what the client
    /// retries is (429, 5xx, connection failures and timeouts).
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(0..=10),
        help = format!(
            "How many times a failed request is sent again, 0 for never (429, 5xx, connection \
             failures and timeouts only) [default: {}]",
            moneykit::RetryPolicy::default().attempts() - 1
        )
    )]
    pub retries: Option<u32>,

    /// Print each attempt on stderr (operation, status, duration, retry reason and wait); -vv
    /// also each call as it starts and ends. Never a secret, a token or an account number.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Start an embedded MoneyKit sandbox for this run and use it (its base URL and
    /// credentials replace the other connection settings).
    #[arg(long)]
    pub sandbox: bool,

    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The decoded response, pretty-printed JSON with the API's field names.
    Json,
    /// Aligned columns for people.
    Table,
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Request an access token with the client credentials; prints its type and lifetime,
    /// never the token itself.
    Token,
    /// One command per operation of the API, generated from `openapi.yaml`
    /// (`generated.rs`).
    #[command(flatten)]
    Api(ApiCommand),
    /// Print a completion script for a shell, e.g. `moneykit completions bash >
    /// ~/.local/share/bash-completion/completions/moneykit`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// The value of a JSON argument such as `--body`, or a usage error that names the flag.
#[allow(
    dead_code,
    reason = "called by the generated commands of operations with a body; the spec may have none"
)]
pub(crate) fn json_argument<T: DeserializeOwned>(flag: &str, text: &str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::Usage(format!("{flag} is not valid: {e}")))
}

/// Where requests go.
pub enum Target {
    /// An embedded sandbox, started for this run.
    Sandbox,
    /// A MoneyKit API.
    Remote {
        /// The base URL, when one was given.
        base_url: Option<String>,
        /// The credentials.
        credentials: Credentials,
    },
}

/// `--timeout`: positive seconds, decimals allowed.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|timeout| !timeout.is_zero())
        .ok_or_else(|| format!("the timeout must be positive and finite, not `{text}`"))
}

/// The value, ignoring blank ones.
pub fn non_blank(value: Option<&String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).cloned()
}

/// The three credential settings, each with whether it came from a flag.
struct Given<'a> {
    access_token: (Option<&'a str>, bool),
    client_id: (Option<&'a str>, bool),
    client_secret: (Option<&'a str>, bool),
}

impl Cli {
    /// Decides where requests go. With `--sandbox` every other connection setting is ignored.
    /// Otherwise each credential setting is its flag, else its environment variable (blank
    /// values are unset), except that an access token from the environment is not used when a
    /// client id or secret is given as a flag (the flags say what this run wants); then
    /// `Credentials::from_sources` applies the library's one rule (an access token wins, half a
    /// pair is an error).
    pub fn target(&self, matches: &ArgMatches) -> Result<Target, String> {
        if self.sandbox {
            return Ok(Target::Sandbox);
        }
        let from_flag = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        let given = Given {
            access_token: (self.access_token.as_deref(), from_flag("access_token")),
            client_id: (self.client_id.as_deref(), from_flag("client_id")),
            client_secret: (self.client_secret.as_deref(), from_flag("client_secret")),
        };
        Ok(Target::Remote {
            base_url: non_blank(self.base_url.as_ref()),
            credentials: resolve_credentials(&given)?,
        })
    }
}

fn resolve_credentials<'a>(given: &Given<'a>) -> Result<Credentials, String> {
    let set = |(value, from_flag): (Option<&'a str>, bool)| {
        value
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, from_flag))
    };
    let (token, id, secret) = (
        set(given.access_token),
        set(given.client_id),
        set(given.client_secret),
    );
    let pair_flag = [id, secret]
        .iter()
        .flatten()
        .any(|(_, from_flag)| *from_flag);
    let token = token.filter(|(_, from_flag)| *from_flag || !pair_flag);
    let sources = Credentials::from_sources(
        token.map(|(v, _)| v),
        id.map(|(v, _)| v),
        secret.map(|(v, _)| v),
    );
    let complete = |flag: &str, variable: &str| format!("give {flag} or set {variable}");
    match sources {
        Ok(Some(credentials)) => Ok(credentials),
        Err(BuildError::MissingClientSecret) => Err(format!(
            "a client id needs a client secret: {}",
            complete("--client-secret", "MONEYKIT_CLIENT_SECRET")
        )),
        Err(BuildError::MissingClientId) => Err(format!(
            "a client secret needs a client id: {}",
            complete("--client-id", "MONEYKIT_CLIENT_ID")
        )),
        Ok(None) | Err(_) => Err(
            "no MoneyKit credentials: give --access-token, or --client-id \
             with --client-secret (or set MONEYKIT_ACCESS_TOKEN, or MONEYKIT_CLIENT_ID and \
             MONEYKIT_CLIENT_SECRET), or use --sandbox"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn describe(result: Result<Credentials, String>) -> String {
        match result {
            Ok(credentials) => format!("{credentials:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_owned(),
            Err(e) => format!("error {e}"),
        }
    }

    fn resolve(
        token: (Option<&str>, bool),
        id: (Option<&str>, bool),
        secret: (Option<&str>, bool),
    ) -> String {
        describe(resolve_credentials(&Given {
            access_token: token,
            client_id: id,
            client_secret: secret,
        }))
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_timeout("30"), Ok(Duration::from_secs(30)));
        for refused in ["0", "-1", "abc", "inf", "NaN", "1e30", ""] {
            assert!(parse_timeout(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn the_clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Operations with a hand-written command, each with its words.
    const HAND_WRITTEN: [(&str, &str); 1] = [("create_access_token", "token")];

    /// Every operation of `openapi.yaml` has a command (generated from its call path, or one of
    /// [`HAND_WRITTEN`]) that parses; a stale `generated.rs` fails here naming the operation.
    #[test]
    fn every_operation_has_a_command() {
        let commands = crate::generated::OPERATIONS.iter().chain(&HAND_WRITTEN);
        let missing: Vec<String> = moneykit_api::PATH_TEMPLATES
            .iter()
            .filter(|(operation, _)| !commands.clone().any(|(op, _)| op == operation))
            .map(|(operation, path)| format!("{operation} ({path})"))
            .collect();
        assert!(
            missing.is_empty(),
            "operations without a command (give them an `x-moneykit-call` in openapi.yaml and \
             run `cargo xtask regen`): {missing:?}"
        );
        for (operation, words) in commands {
            let arguments = ["moneykit"].into_iter().chain(words.split(' '));
            let help = Cli::try_parse_from(arguments.chain(["--help"]))
                .map(drop)
                .unwrap_err();
            assert_eq!(
                help.kind(),
                clap::error::ErrorKind::DisplayHelp,
                "{operation}: `moneykit {words}` is not a command"
            );
        }
    }

    /// No command takes a name of `moneykit`'s own arguments: clap would hand the command's value
    /// to the global one (`-v`), or read the top-level flag as the command's parameter. The
    /// generator cannot see these names; this test can.
    #[test]
    fn commands_leave_the_top_level_arguments_alone() {
        fn names(argument: &clap::Arg) -> Vec<String> {
            let id = argument.get_id().to_string();
            [Some(id), argument.get_long().map(str::to_owned)]
                .into_iter()
                .flatten()
                .collect()
        }
        fn clashes(command: &clap::Command, top: &[String], path: &str, found: &mut Vec<String>) {
            for argument in command.get_arguments() {
                let clash = names(argument).into_iter().find(|name| top.contains(name));
                if let Some(name) = clash {
                    found.push(format!("`{path}` takes `{name}`"));
                }
            }
            for sub in command.get_subcommands() {
                clashes(sub, top, &format!("{path} {}", sub.get_name()), found);
            }
        }
        let cli = Cli::command();
        let top: Vec<String> = cli
            .get_arguments()
            .flat_map(names)
            .filter(|name| !["help", "version"].contains(&name.as_str()))
            .collect();
        assert!(top.contains(&"verbose".to_owned()) && top.contains(&"base-url".to_owned()));
        let mut found = Vec::new();
        for sub in cli.get_subcommands() {
            clashes(sub, &top, sub.get_name(), &mut found);
        }
        assert!(
            found.is_empty(),
            "commands with a top-level argument's name: {found:?}"
        );
    }

    #[test]
    fn json_arguments_are_typed_or_a_usage_error() {
        let value: Vec<u8> = json_argument("--body", "[1, 2]").unwrap_or_else(|_| panic!());
        assert_eq!(value, [1, 2]);
        let Err(Failure::Usage(why)) = json_argument::<Vec<u8>>("--body", "{") else {
            panic!("not a usage error");
        };
        assert!(why.starts_with("--body is not valid: "), "{why}");
    }

    #[test]
    fn each_setting_is_its_flag_else_its_variable() {
        const UNSET: (Option<&str>, bool) = (None, false);
        let flag = |v| (Some(v), true);
        let env = |v| (Some(v), false);
        // The library's rule (the access token wins), wherever the values come from.
        assert_eq!(resolve(flag("t"), flag("i"), flag("s")), "AccessToken");
        assert_eq!(resolve(env("t"), env("i"), env("s")), "AccessToken");
        assert_eq!(resolve(env("t"), env("i"), UNSET), "AccessToken");
        assert_eq!(resolve(flag("t"), env("i"), env("s")), "AccessToken");
        // A client id or secret flag: the environment's token is not used …
        assert_eq!(resolve(env("t"), flag("i"), flag("s")), "ClientCredentials");
        // … and a flag pairs with a variable (the secret kept in the environment).
        assert_eq!(resolve(UNSET, flag("i"), env("s")), "ClientCredentials");
        assert!(resolve(env("t"), flag("i"), UNSET).starts_with("error a client id needs"));
        assert!(resolve(UNSET, UNSET, env("s")).starts_with("error a client secret needs"));
        assert!(resolve(UNSET, UNSET, UNSET).starts_with("error no MoneyKit credentials"));
        // Blank is unset, as a flag too: a blank token flag does not hide the variables.
        assert!(resolve(env(" "), env(""), UNSET).starts_with("error no MoneyKit credentials"));
        assert_eq!(resolve(flag(""), env("i"), env("s")), "ClientCredentials");
    }
}
