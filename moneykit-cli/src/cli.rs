//! The command line's arguments (clap) and how they become a target: the embedded sandbox, or a
//! base URL with credentials chosen by a fixed precedence.
//!
//! No type here derives `Debug`: they hold the client secret and the access token.

use clap::parser::ValueSource;
use clap::{ArgMatches, Parser, Subcommand, ValueEnum};

/// `moneykit`: MoneyKit links, accounts and account numbers from a terminal or a script.
#[derive(Parser)]
#[command(
    name = "moneykit",
    version,
    about = "MoneyKit links, accounts and account numbers from a terminal or a script.",
    long_about = "MoneyKit links, accounts and account numbers from a terminal or a script.\n\n\
        Credentials: --access-token if given, otherwise --client-id with --client-secret; a flag \
        wins over its environment variable, and credentials given as flags win over those in \
        the environment. Prefer the environment for secrets: flags are visible to other users \
        of the machine. --sandbox ignores them all and uses an embedded sandbox.\n\n\
        Exit codes: 0 success, 1 local failure (the sandbox could not start, the output could \
        not be written), 2 usage or invalid input, 3 authentication (401), 4 not found or \
        deleted (404/410), 5 forbidden or bad state (403/422), 6 rate limited (429), 7 server, \
        transport, timeout or undecodable response."
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

    /// The `moneykit-version` header to send [default: the client's, 2023-02-18].
    #[arg(long, env = "MONEYKIT_VERSION", value_name = "VERSION")]
    pub api_version: Option<String>,

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
    /// Links.
    #[command(subcommand)]
    Link(LinkCommand),
    /// The accounts of a link.
    #[command(subcommand)]
    Accounts(AccountsCommand),
}

/// `moneykit link …`.
#[derive(Subcommand)]
pub enum LinkCommand {
    /// A link, its state and its products.
    Get {
        /// The link's id.
        #[arg(value_name = "LINK_ID")]
        link_id: String,
    },
}

/// `moneykit accounts …`.
#[derive(Subcommand)]
pub enum AccountsCommand {
    /// The link's accounts with their balances.
    List {
        /// The link's id.
        #[arg(value_name = "LINK_ID")]
        link_id: String,
        /// Only this account (repeat for several).
        #[arg(long = "account-id", value_name = "ID")]
        account_ids: Vec<String>,
    },
    /// The link's accounts with their account and routing numbers, masked to the last four
    /// characters unless --reveal is given.
    Numbers {
        /// The link's id.
        #[arg(value_name = "LINK_ID")]
        link_id: String,
        /// Print the full numbers.
        #[arg(long)]
        reveal: bool,
    },
}

/// How to authenticate outside the sandbox.
pub enum Credentials {
    /// A fixed access token.
    AccessToken(String),
    /// Client id and secret, exchanged for a token.
    ClientCredentials {
        /// The client id.
        id: String,
        /// The client secret.
        secret: String,
    },
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

/// One setting and whether it came from a flag (rather than the environment).
struct Given {
    value: String,
    from_flag: bool,
}

/// The value of `id`, unless absent or blank (an empty environment variable counts as unset).
fn given(matches: &ArgMatches, id: &str, value: Option<&String>) -> Option<Given> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    Some(Given {
        value: value.clone(),
        from_flag: matches.value_source(id) == Some(ValueSource::CommandLine),
    })
}

/// The value, ignoring blank ones.
pub fn non_blank(value: Option<&String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).cloned()
}

impl Cli {
    /// Decides where requests go. With `--sandbox` every other connection setting is ignored.
    /// Otherwise the credentials are taken from the flags if any credential flag was given, else
    /// from the environment; at either level an access token wins over client credentials, and a
    /// client id without a secret (or the reverse) is a usage error, as is no credential at all.
    pub fn target(&self, matches: &ArgMatches) -> Result<Target, String> {
        if self.sandbox {
            return Ok(Target::Sandbox);
        }
        let token = given(matches, "access_token", self.access_token.as_ref());
        let id = given(matches, "client_id", self.client_id.as_ref());
        let secret = given(matches, "client_secret", self.client_secret.as_ref());
        let credentials = resolve_credentials(token, id, secret)?;
        Ok(Target::Remote {
            base_url: non_blank(self.base_url.as_ref()),
            credentials,
        })
    }
}

fn resolve_credentials(
    token: Option<Given>,
    id: Option<Given>,
    secret: Option<Given>,
) -> Result<Credentials, String> {
    let flag = |g: &Option<Given>| g.as_ref().is_some_and(|g| g.from_flag);
    let token_from_flag = flag(&token);
    let pair_from_flag = flag(&id) || flag(&secret);
    // Credentials given as flags win over those in the environment.
    let use_token = if token_from_flag {
        true
    } else if pair_from_flag {
        false
    } else {
        token.is_some()
    };
    if let (true, Some(token)) = (use_token, token) {
        return Ok(Credentials::AccessToken(token.value));
    }
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(Credentials::ClientCredentials {
            id: id.value,
            secret: secret.value,
        }),
        (Some(_), None) => Err("a client id needs a client secret: give --client-secret \
             (or set MONEYKIT_CLIENT_SECRET)"
            .to_owned()),
        (None, Some(_)) => Err("a client secret needs a client id: give --client-id \
             (or set MONEYKIT_CLIENT_ID)"
            .to_owned()),
        (None, None) => Err(
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

    fn g(value: &str, from_flag: bool) -> Option<Given> {
        Some(Given {
            value: value.to_owned(),
            from_flag,
        })
    }

    fn describe(result: Result<Credentials, String>) -> String {
        match result {
            Ok(Credentials::AccessToken(t)) => format!("token {t}"),
            Ok(Credentials::ClientCredentials { id, secret }) => format!("pair {id} {secret}"),
            Err(e) => format!("error {e}"),
        }
    }

    #[test]
    fn the_clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn credential_precedence() {
        // The access token wins at the same level.
        assert_eq!(
            describe(resolve_credentials(
                g("t", true),
                g("i", true),
                g("s", true)
            )),
            "token t"
        );
        assert_eq!(
            describe(resolve_credentials(
                g("t", false),
                g("i", false),
                g("s", false)
            )),
            "token t"
        );
        // Flags win over the environment.
        assert_eq!(
            describe(resolve_credentials(
                g("t", false),
                g("i", true),
                g("s", true)
            )),
            "pair i s"
        );
        assert_eq!(
            describe(resolve_credentials(
                g("t", false),
                g("i", true),
                g("s", false)
            )),
            "pair i s"
        );
        assert_eq!(
            describe(resolve_credentials(g("t", true), g("i", true), None)),
            "token t"
        );
        assert_eq!(
            describe(resolve_credentials(g("t", false), g("i", false), None)),
            "token t"
        );
        assert!(
            describe(resolve_credentials(g("t", false), g("i", true), None))
                .starts_with("error a client id needs")
        );
        assert!(
            describe(resolve_credentials(None, None, g("s", false)))
                .starts_with("error a client secret needs")
        );
        assert!(
            describe(resolve_credentials(None, None, None))
                .starts_with("error no MoneyKit credentials")
        );
    }
}
