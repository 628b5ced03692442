//! `moneykit`: the MoneyKit command line. Look at a link, its accounts and their account numbers
//! from a terminal or a script, against the MoneyKit API or an embedded sandbox (`--sandbox`).
//!
//! ```text
//! moneykit [--base-url URL] [--access-token TOKEN] [--client-id ID --client-secret SECRET]
//!          [--api-version VERSION] [--timeout SECONDS] [--retries N] [-v|-vv]
//!          [--sandbox] [--output json|table] <COMMAND>
//!   token                                  # prints token_type and expires_in
//!   link get <LINK_ID> [--reveal]
//!   accounts list <LINK_ID> [--account-id ID]... [--reveal]
//!   accounts numbers <LINK_ID> [--reveal]   # masked unless --reveal (tokens always are)
//!   completions <bash|zsh|fish|elvish|powershell>
//! ```
//!
//! Every command but `token` and `completions` is generated from `openapi.yaml`
//! (`generated.rs`, written by `cargo xtask regen`): one per operation, each with `--reveal`.
//!
//! It is a thin shell over the `moneykit` client: arguments in, one call, the decoded response
//! out (pretty JSON, the default when stdout is not a terminal, or aligned tables), and on failure
//! one line on stderr and an exit code per kind of failure (see `failure.rs`).
//!
//! What it must not do: print a secret or a token (no `Debug` of credentials, secret environment
//! values hidden from `--help`, `token` prints only the token's type and lifetime), print full
//! account numbers without `--reveal`, talk HTTP itself (all requests go through `moneykit`),
//! or panic on any input.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cli;
mod failure;
// The generated commands (`cargo xtask regen` writes them), included rather than a module file
// so that rustfmt leaves the generator's formatting alone.
mod generated {
    include!("generated.rs");
}
mod render;
mod verbose;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use moneykit::Client;

use crate::cli::{Cli, Command, OutputFormat, Target};
use crate::failure::Failure;

fn main() -> ExitCode {
    // Usage errors exit with 2 (and --help / --version with 0) here, before anything starts.
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Command::Completions { shell } = cli.command {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "moneykit", &mut script);
        return match write_stdout(&String::from_utf8_lossy(&script)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => report(&failure),
        };
    }
    verbose::install(cli.verbose);
    match run(cli, &matches) {
        Ok(output) => match write_stdout(&output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => report(&failure),
        },
        Err(failure) => report(&failure),
    }
}

/// Prints the failure's line on stderr and returns its exit code.
fn report(failure: &Failure) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    // Nothing better to do if stderr is gone.
    let _ = writeln!(stderr, "{}", failure.line());
    failure.exit()
}

/// Writes the output; a closed pipe (`moneykit … | head`) is not an error.
fn write_stdout(output: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Local(format!("could not write the output: {e}"))),
    }
}

/// Resolves the arguments, runs the command and returns what to print.
fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<String, Failure> {
    let target = cli.target(matches).map_err(Failure::Usage)?;
    let format = cli.output.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    });
    let api_version = cli::non_blank(cli.api_version.as_ref());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Local(format!("could not start the async runtime: {e}")))?;
    runtime.block_on(async move {
        // Lives until the command is done; dropping it stops the server.
        let mut _sandbox = None;
        let mut builder = Client::builder();
        match target {
            Target::Sandbox => {
                let sandbox = moneykit_sandbox::Sandbox::start(moneykit_sandbox::Config::new())
                    .await
                    .map_err(|e| Failure::Local(format!("could not start the sandbox: {e}")))?;
                builder = builder
                    .base_url(sandbox.base_url())
                    .client_credentials(sandbox.client_id(), sandbox.client_secret());
                _sandbox = Some(sandbox);
            }
            Target::Remote {
                base_url,
                credentials,
            } => {
                if matches!(cli.command, Command::Token) && !credentials.uses_token_endpoint() {
                    return Err(Failure::Usage(
                        "`token` requests a token with client credentials: give --client-id and \
                         --client-secret (or set MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET) \
                         instead of an access token"
                            .to_owned(),
                    ));
                }
                if let Some(url) = base_url {
                    builder = builder.base_url(url);
                }
                builder = builder.credentials(credentials);
            }
        }
        if let Some(version) = api_version {
            builder = builder.api_version(version);
        }
        if let Some(limit) = cli.max_response_bytes {
            builder = builder.max_response_bytes(limit);
        }
        if let Some(timeout) = cli.timeout {
            builder = builder.call_timeout(timeout);
        }
        if let Some(retries) = cli.retries {
            builder = builder.retry_policy(moneykit::RetryPolicy::new().max_attempts(retries + 1));
        }
        let client = builder.build().map_err(Failure::Build)?;
        execute(&client, cli.command, format).await
    })
}

/// Sends the command's request and renders the response.
async fn execute(
    client: &Client,
    command: Command,
    format: OutputFormat,
) -> Result<String, Failure> {
    match command {
        Command::Token => {
            let response = client.authenticate().await.map_err(Failure::Api)?;
            render::token(&response, format).map_err(Failure::Local)
        }
        Command::Api(command) => generated::execute(client, command, format).await,
        Command::Completions { .. } => unreachable!("answered before a client is built"),
    }
}
