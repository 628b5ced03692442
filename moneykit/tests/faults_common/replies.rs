//! What the sandbox does with each request of a case, as the table says it: a [`Reply`] is one
//! programmed sandbox [`Fault`]. Every request of a case is answered by a fault (the client's
//! access token is none the sandbox issued, so its normal answer would be a 401): "the link" is
//! a written 200 with the fixture's link.

use std::time::{Duration, SystemTime};

use moneykit_sandbox::{Delivery, Fault, Operation};

const JSON: &str = "application/json";

/// What the sandbox does with one request.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    /// Closes the connection before a byte of the response (`Fault::drop_connection`).
    Reset,
    /// Sends a 200's status line and headers (the link's `Content-Length`), then resets.
    ResetAfterHeaders,
    /// Sends a 200's headers and the first half of the link's body, then resets.
    ResetMidBody,
    /// Keeps the connection open and never answers (`Fault::silence`).
    Silent,
    /// Sends a 200's headers at once, then the link's body one byte every `every_ms`.
    Trickle { every_ms: u64 },
    /// A complete response (`Fault::respond`).
    Respond(Response),
    /// A 200 `application/json` with a chunked body that never ends (`Fault::endless_body`:
    /// up to 64 MiB, then the JSON array is closed).
    Endless,
    /// A 200 declaring a `Content-Length` of 1 GiB, then streaming it (`Fault::huge_length`:
    /// up to 64 MiB, then a reset).
    HugeLength,
}

/// A complete, well-formed response.
#[derive(Clone, Copy, Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: &'static str,
    /// What the body is, for the table in RELIABILITY.md.
    pub what: &'static str,
    pub retry_after: Option<RetryAfter>,
}

/// A `Retry-After` header.
#[derive(Clone, Copy, Debug)]
pub enum RetryAfter {
    /// Sent as written.
    Raw(&'static str),
    /// An HTTP-date this many seconds after the fault is programmed (just before the call).
    DateIn(u64),
}

impl RetryAfter {
    fn value(self) -> String {
        match self {
            RetryAfter::Raw(value) => value.to_owned(),
            RetryAfter::DateIn(seconds) => {
                httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(seconds))
            }
        }
    }
}

/// The replies of one route: the n-th request gets the n-th reply, and the last one repeats.
pub type Script = &'static [Reply];

/// The body of a successful `POST /link-session`.
pub const SESSION_BODY: &str = r#"{"link_session_token":"lst_1"}"#;

/// The status of the answer a reset or a trickle cuts short on `operation`'s route: its
/// documented success, so that the client reads on until the connection fails.
pub fn success_status(operation: Operation) -> u16 {
    match operation {
        Operation::CreateLinkSession => 201,
        _ => 200,
    }
}

/// The sandbox fault that does what `reply` says on `operation`'s route.
pub fn fault(reply: Reply, operation: Operation) -> Fault {
    let body = match operation {
        Operation::CreateLinkSession => SESSION_BODY,
        _ => crate::common::LINK,
    };
    let link = || Fault::respond(success_status(operation), JSON, body);
    match reply {
        Reply::Reset => Fault::drop_connection(),
        Reply::ResetAfterHeaders => link().delivered(Delivery::ResetAfterHeaders),
        Reply::ResetMidBody => link().delivered(Delivery::ResetMidBody),
        Reply::Silent => Fault::silence(),
        Reply::Trickle { every_ms } => {
            link().delivered(Delivery::Trickle(Duration::from_millis(every_ms)))
        }
        Reply::Respond(response) => {
            let fault = Fault::respond(response.status, response.content_type, response.body);
            match response.retry_after {
                Some(after) => fault.retry_after_raw(after.value()),
                None => fault,
            }
        }
        Reply::Endless => Fault::endless_body(),
        Reply::HugeLength => Fault::huge_length(),
    }
}
