//! The bad-input tables as values: hostile ids with what must happen to each, malformed base
//! URLs, and values no credential or version may be. `tests/bad_input.rs` runs them and
//! `tests/faults.rs` renders these same values as the bad-input tables of RELIABILITY.md, so the
//! document cannot list a case the tests do not run.

use std::time::Duration;

/// What must happen to an id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    /// `InvalidInput`, and no request at all.
    Refused,
    /// Exactly one request, carrying the id intact.
    Sent,
}
use Expect::{Refused, Sent};

/// A hostile id, and what must happen to it as a link id and as an account id.
pub struct HostileId {
    pub id: String,
    /// The id as RELIABILITY.md shows it: its Rust `Debug` form, or how a long one is made.
    pub written: String,
    /// As the link id of every operation on a link.
    pub as_link: Expect,
    /// As one of the `account_ids` of `accounts().account_ids(…)`.
    pub as_account: Expect,
}

/// Ids that are written out in full.
const LITERAL_IDS: [(&str, Expect, Expect); 22] = [
    ("", Refused, Refused),
    (".", Refused, Sent),
    ("..", Refused, Sent),
    ("a/b", Sent, Sent),
    ("../../auth/token", Sent, Sent),
    ("a?b=c&d", Sent, Sent),
    ("a#frag", Sent, Sent),
    ("%2F", Sent, Sent),
    ("..%2F..", Sent, Sent),
    ("%2e%2E", Sent, Sent),
    ("100%", Sent, Sent),
    ("a b", Sent, Sent),
    (" ", Sent, Sent),
    ("a+b", Sent, Sent),
    ("tab\there", Sent, Sent),
    ("new\nline\r", Sent, Sent),
    ("nul\0", Sent, Sent),
    ("del\x7f", Sent, Sent),
    ("ünïcødé-🏦", Sent, Sent),
    ("\u{202e}rtl", Sent, Sent),
    // The URL parser reads `\` as `/`: unencoded, this id would reach `/links/other_link`.
    (r"mk_mine\..\other_link", Sent, Sent),
    (r"\..\..\auth\token", Sent, Sent),
];

/// Each hostile id, what must happen to it as a link id, and as an account id.
pub fn hostile_ids() -> Vec<HostileId> {
    let mut ids: Vec<HostileId> = LITERAL_IDS
        .into_iter()
        .map(|(id, as_link, as_account)| HostileId {
            id: id.to_owned(),
            written: format!("{id:?}"),
            as_link,
            as_account,
        })
        .collect();
    // The longest link id allowed, and one far past it (fine as an account id: a query value).
    let longest = moneykit::MAX_LINK_ID_LEN;
    ids.push(repeated_x(longest, "MAX_LINK_ID_LEN", Sent, Sent));
    ids.push(repeated_x(10 * 1024, "10 KiB", Refused, Sent));
    ids
}

fn repeated_x(len: usize, why: &str, as_link: Expect, as_account: Expect) -> HostileId {
    HostileId {
        id: "x".repeat(len),
        written: format!("\"x\" × {len} ({why})"),
        as_link,
        as_account,
    }
}

/// Base URLs the builder refuses as `BuildError::InvalidBaseUrl`.
pub const INVALID_BASE_URLS: [&str; 13] = [
    "",
    "   ",
    "not a url",
    "api.moneykit.com",
    "ftp://api.moneykit.com",
    "file:///etc/passwd",
    "https://",
    "https://exa mple.com",
    "https://api.moneykit.com?x=1",
    "https://api.moneykit.com/#frag",
    "https://user:pw@api.moneykit.com",
    "https://api.moneykit.com:99999",
    "https://api.moneykit.com\n/x",
];

/// Base URLs the builder refuses as `BuildError::InsecureBaseUrl`: plain HTTP to a remote host.
pub const INSECURE_BASE_URLS: [&str; 1] = ["http://api.moneykit.com"];

/// A value given as a credential and as the `moneykit-version`, and what must happen to it in
/// each place. `Sent` means the build succeeds and the value arrives intact (checked on the wire
/// for client credentials, in the form body and in HTTP Basic); `Refused` means a
/// `BuildError` that quotes no credential.
pub struct CredentialValue {
    pub value: &'static str,
    /// As an access token or either half of the `X-Client` header pair: sent as header values,
    /// so only visible ASCII.
    pub as_header: Expect,
    /// As the client id or secret of client credentials: form-encoded (RFC 6749 §2.3.1), so
    /// anything but a blank value.
    pub as_client_credentials: Expect,
    /// As the `moneykit-version`: a known version or a real date.
    pub as_version: Expect,
}

const fn value(
    value: &'static str,
    as_header: Expect,
    as_client_credentials: Expect,
    as_version: Expect,
) -> CredentialValue {
    CredentialValue {
        value,
        as_header,
        as_client_credentials,
        as_version,
    }
}

/// Blank, control characters, non-ASCII, form syntax, and a date that is not one.
pub const CREDENTIAL_VALUES: [CredentialValue; 13] = [
    value("", Refused, Refused, Refused),
    value(" ", Refused, Refused, Refused),
    value("\t", Refused, Refused, Refused),
    value("a\nb", Refused, Sent, Refused),
    value("a\r\nX-Injected: 1", Refused, Sent, Refused),
    value("nul\0", Refused, Sent, Refused),
    value("del\x7f", Refused, Sent, Refused),
    value("sécret", Refused, Sent, Refused),
    value("s p&=+/%;,", Sent, Sent, Refused),
    value("a:b%3A%zz", Sent, Sent, Refused),
    value("2023-02-81", Sent, Sent, Refused),
    value("2023-02- 8", Sent, Sent, Refused),
    value("+002-02-18", Sent, Sent, Refused),
];

/// A setting pushed to `Duration::MAX`: on the builder or on one call. The call must succeed
/// (nothing overflows the clock; a deadline too far to represent is no deadline).
pub struct HugeDuration {
    /// As RELIABILITY.md shows it.
    pub setting: &'static str,
    pub on_builder: fn(moneykit::ClientBuilder) -> moneykit::ClientBuilder,
    pub on_call: fn(moneykit::Request<moneykit::GetLink>) -> moneykit::Request<moneykit::GetLink>,
}

fn same<T>(value: T) -> T {
    value
}

pub const HUGE_DURATIONS: [HugeDuration; 8] = [
    HugeDuration {
        setting: "`ClientBuilder::call_timeout(Duration::MAX)`",
        on_builder: |b| b.call_timeout(Duration::MAX),
        on_call: same,
    },
    HugeDuration {
        setting: "`ClientBuilder::attempt_timeout(Duration::MAX)`",
        on_builder: |b| b.attempt_timeout(Duration::MAX),
        on_call: same,
    },
    HugeDuration {
        setting: "`ClientBuilder::connect_timeout(Duration::MAX)`",
        on_builder: |b| b.connect_timeout(Duration::MAX),
        on_call: same,
    },
    HugeDuration {
        setting: "`ClientBuilder::token_renewal_margin(Duration::MAX)`",
        on_builder: |b| b.token_renewal_margin(Duration::MAX),
        on_call: same,
    },
    HugeDuration {
        setting: "`RetryPolicy` `base_delay` and `max_delay` of `Duration::MAX`",
        on_builder: |b| {
            b.retry_policy(
                moneykit::RetryPolicy::new()
                    .base_delay(Duration::MAX)
                    .max_delay(Duration::MAX),
            )
        },
        on_call: same,
    },
    HugeDuration {
        setting: "`.call_timeout(Duration::MAX)` on one call",
        on_builder: same,
        on_call: |c| c.call_timeout(Duration::MAX),
    },
    HugeDuration {
        setting: "`.attempt_timeout(Duration::MAX)` on one call",
        on_builder: same,
        on_call: |c| c.attempt_timeout(Duration::MAX),
    },
    HugeDuration {
        setting: "every one of them at once",
        on_builder: |b| {
            b.call_timeout(Duration::MAX)
                .attempt_timeout(Duration::MAX)
                .connect_timeout(Duration::MAX)
                .token_renewal_margin(Duration::MAX)
        },
        on_call: |c| c.call_timeout(Duration::MAX).attempt_timeout(Duration::MAX),
    },
];
