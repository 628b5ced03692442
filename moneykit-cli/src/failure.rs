//! Why a run failed, its exit code, and the one line printed on stderr for it.
//!
//! The line is built from the error's kind, status, `error_code` and message (or, without a
//! message, from `moneykit::Error`'s `Display`, which never contains a secret, a token or an
//! account number); nothing here prints a credential.
//!
//! Exit codes: 0 success, 1 local failure, 2 usage or invalid input, 3 authentication,
//! 4 not found or deleted, 5 forbidden or bad state, 6 rate limited, 7 server or transport.

use std::process::ExitCode;

use moneykit::{BuildError, ErrorKind, one_line};

/// A local failure: the sandbox or the async runtime could not start, or the output could not be
/// written.
pub const EXIT_LOCAL: u8 = 1;
/// A usage error (also clap's), invalid input, or a configuration the client refused.
pub const EXIT_USAGE: u8 = 2;
/// Authentication failed (401).
pub const EXIT_AUTH: u8 = 3;
/// The link was not found (404) or was deleted (410).
pub const EXIT_NOT_FOUND: u8 = 4;
/// Forbidden (403) or the link is in a bad state / the request was refused (422).
pub const EXIT_REFUSED: u8 = 5;
/// Still rate limited (429) after the retries.
pub const EXIT_RATE_LIMITED: u8 = 6;
/// A server error, a transport failure, a timeout, an undecodable or oversized body or an
/// unexpected status.
pub const EXIT_SERVER: u8 = 7;

/// At most this many characters of a message from the server are printed.
const MAX_MESSAGE_CHARS: usize = 300;

/// Why a run failed.
pub enum Failure {
    /// The arguments do not make sense together.
    Usage(String),
    /// The client refused its configuration.
    Build(BuildError),
    /// A call failed.
    Api(moneykit::Error),
    /// Something local failed (sandbox, runtime, output).
    Local(String),
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Build(_) => EXIT_USAGE,
            Failure::Api(error) => exit_code_of(error.kind()),
            Failure::Local(_) => EXIT_LOCAL,
        }
    }

    /// The same as an [`ExitCode`].
    pub fn exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }

    /// The one line for stderr: `error: <kind> (<status>, <error_code>, …): <message> [next:
    /// <group>]`, the group being what to do about it (`try_later`, `reconnect`,
    /// `not_permitted`, `fix_on_our_side`).
    pub fn line(&self) -> String {
        let line = match self {
            Failure::Usage(message) => format!("error: usage: {message}"),
            Failure::Build(error) => format!("error: configuration: {error}"),
            Failure::Api(error) => api_line(error),
            Failure::Local(message) => format!("error: {message}"),
        };
        one_line(&line, usize::MAX)
    }
}

/// The exit code of a failed call.
pub fn exit_code_of(kind: &ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput => EXIT_USAGE,
        ErrorKind::Unauthorized(_) => EXIT_AUTH,
        ErrorKind::NotFound | ErrorKind::Deleted => EXIT_NOT_FOUND,
        ErrorKind::Forbidden | ErrorKind::BadState { .. } | ErrorKind::RequestValidation => {
            EXIT_REFUSED
        }
        ErrorKind::RateLimited { .. } => EXIT_RATE_LIMITED,
        // Server, unexpected status, decode, timeout, connection, too large, and any kind
        // `moneykit` adds later.
        _ => EXIT_SERVER,
    }
}

fn api_line(error: &moneykit::Error) -> String {
    let mut details = Vec::new();
    if let Some(status) = error.status() {
        details.push(format!("status {status}"));
    }
    if let Some(code) = error.error_code() {
        details.push(code.to_owned());
    }
    match error.kind() {
        ErrorKind::BadState {
            link_error_code: Some(code),
        } => details.push(code.clone()),
        ErrorKind::RateLimited {
            retry_after: Some(after),
        } => details.push(format!("retry after {}s", after.as_secs())),
        _ => {}
    }
    // Without a message from MoneyKit, the error's own description (which names the operation
    // and counts the attempts) and the root cause of a transport failure.
    let message = if let Some(message) = error.error_message() {
        Some(one_line(message, MAX_MESSAGE_CHARS))
    } else {
        error
            .body_snippet()
            .map(|snippet| format!("response body: {}", one_line(snippet, MAX_MESSAGE_CHARS)))
    };
    let message = match message {
        Some(message) => {
            if error.attempts() > 1 {
                details.push(format!("{} attempts", error.attempts()));
            }
            message
        }
        None => {
            let mut text = error.to_string();
            if let Some(cause) = root_cause(error) {
                text.push_str(&format!(" ({cause})"));
            }
            one_line(&text, MAX_MESSAGE_CHARS * 2)
        }
    };
    let mut line = format!("error: {}", error.kind().as_str());
    if !details.is_empty() {
        line.push_str(&format!(" ({})", details.join(", ")));
    }
    line.push_str(": ");
    line.push_str(&message);
    // What to do about it (`moneykit::ErrorGroup`), last, so that the line still starts with
    // the kind and its details.
    line.push_str(&format!(" [next: {}]", error.group().as_str()));
    line
}

/// The innermost source of a transport failure (for example `Connection refused`).
fn root_cause(error: &moneykit::Error) -> Option<String> {
    let mut cause = std::error::Error::source(error)?;
    while let Some(next) = cause.source() {
        cause = next;
    }
    Some(cause.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use moneykit::UnauthorizedReason;
    use std::time::Duration;

    #[test]
    fn exit_codes() {
        let cases = [
            (ErrorKind::InvalidInput, 2),
            (ErrorKind::Unauthorized(UnauthorizedReason::ExpiredToken), 3),
            (ErrorKind::Unauthorized(UnauthorizedReason::Other), 3),
            (ErrorKind::NotFound, 4),
            (ErrorKind::Deleted, 4),
            (ErrorKind::Forbidden, 5),
            (
                ErrorKind::BadState {
                    link_error_code: None,
                },
                5,
            ),
            (ErrorKind::RequestValidation, 5),
            (
                ErrorKind::RateLimited {
                    retry_after: Some(Duration::from_secs(1)),
                },
                6,
            ),
            (ErrorKind::Server, 7),
            (ErrorKind::UnexpectedStatus, 7),
            (ErrorKind::Decode, 7),
            (ErrorKind::Timeout, 7),
            (ErrorKind::Connection, 7),
            (ErrorKind::ResponseTooLarge { limit: 1 }, 7),
        ];
        for (kind, code) in cases {
            assert_eq!(exit_code_of(&kind), code, "{kind:?}");
        }
        assert_eq!(Failure::Usage("x".into()).exit_code(), 2);
        assert_eq!(
            Failure::Build(BuildError::MissingCredentials).exit_code(),
            2
        );
        assert_eq!(Failure::Local("x".into()).exit_code(), 1);
    }

    #[test]
    fn lines_are_one_line() {
        assert_eq!(
            Failure::Usage("no\ncredentials".into()).line(),
            "error: usage: no credentials"
        );
    }
}
