//! [`ErrorResponse`]: the error response of a failed generated method, read once (status,
//! headers, the start of the body) and decoded as the spec documents it for its status. The
//! `moneykit` crate classifies every failure through it; it is public so that the low-level
//! client decodes a documented error in one expression too.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::errors::DocumentedError;
use crate::{ByteStream, Error, FollowedRedirect, ResponseTooLarge};

/// An error response, read: what a failed generated method's error held.
///
/// ```no_run
/// # async fn run(client: moneykit_api::Client) {
/// use moneykit_api::ErrorResponse;
/// use moneykit_api::errors::GetLinkError;
///
/// if let Err(error) = client.get_link("mk_eqkWN34UEoa2NxyALG8pcV", None).await {
///     match ErrorResponse::read(error).await {
///         Ok(response) => match response.documented::<GetLinkError>() {
///             Some(GetLinkError::NotFound(body)) => println!("no such link: {}", body.error_message),
///             Some(other) => println!("{} {other:?}", response.status),
///             None => println!("HTTP {} (not a documented body)", response.status),
///         },
///         Err(transport) => println!("no answer: {transport}"),
///     }
/// }
/// # }
/// ```
pub struct ErrorResponse {
    /// The response's status.
    pub status: StatusCode,
    /// The response's headers, as received.
    pub headers: HeaderMap,
    /// The start of the body (at most [`ErrorResponse::MAX_BODY`] bytes), or why the client
    /// refused to read it.
    pub body: Result<Vec<u8>, BodyRefused>,
}

impl std::fmt::Debug for ErrorResponse {
    // Header names only, as `moneykit::Error` shows them: a value such as `Set-Cookie` may be a
    // secret. The body is a length: an error body is the server's text, not this client's.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// Why the client did not read an error response's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyRefused {
    /// It was larger than the cap of [`Hooks::max_response_bytes`](crate::Hooks::max_response_bytes).
    TooLarge(ResponseTooLarge),
    /// It came through a redirect the HTTP client followed.
    Redirected(FollowedRedirect),
}

impl BodyRefused {
    /// The refusal that `error` (or an error in its source chain) reports, if any.
    pub fn find(error: &(dyn std::error::Error + 'static)) -> Option<BodyRefused> {
        ResponseTooLarge::find(error)
            .map(BodyRefused::TooLarge)
            .or_else(|| FollowedRedirect::find(error).map(BodyRefused::Redirected))
    }
}

impl ErrorResponse {
    /// At most this many bytes of an error body are read: an error body is a short JSON object,
    /// or a proxy's page whose start is enough to tell what it is.
    pub const MAX_BODY: usize = 64 * 1024;

    /// The error response of `error`, read; any other failure (no answer, a success body that
    /// did not decode, a request refused before sending) is handed back as it was.
    pub async fn read(error: Error<ByteStream>) -> Result<ErrorResponse, Error<ByteStream>> {
        match error {
            Error::ErrorResponse(response) => {
                let (status, headers) = (response.status(), response.headers().clone());
                let body = read_bounded(response.into_inner().into_inner()).await;
                Ok(ErrorResponse {
                    status,
                    headers,
                    body,
                })
            }
            Error::UnexpectedResponse(response) => {
                let (status, headers) = (response.status(), response.headers().clone());
                let body = read_bounded(response.bytes_stream()).await;
                Ok(ErrorResponse {
                    status,
                    headers,
                    body,
                })
            }
            other => Err(other),
        }
    }

    /// The body decoded as the spec documents it for this status (`E` is the operation's
    /// `errors::<Op>Error`); `None` when the status is not documented for the operation, or the
    /// body is not that schema (a proxy's page) or was not read.
    pub fn documented<E: DocumentedError>(&self) -> Option<E> {
        let body = self.body.as_ref().ok()?;
        E::decode(self.status.as_u16(), body)?.ok()
    }
}

/// Reads `chunks` until the end, [`ErrorResponse::MAX_BODY`] bytes, or a failure: a refusal is
/// that error; any other failure keeps what arrived.
async fn read_bounded(
    chunks: impl Stream<Item = reqwest::Result<Bytes>>,
) -> Result<Vec<u8>, BodyRefused> {
    let mut chunks = std::pin::pin!(chunks);
    let mut body = Vec::new();
    while body.len() < ErrorResponse::MAX_BODY {
        match chunks.next().await {
            Some(Ok(chunk)) => {
                let room = ErrorResponse::MAX_BODY - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Some(Err(error)) => match BodyRefused::find(&error) {
                Some(refusal) => return Err(refusal),
                None => break,
            },
            None => break,
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_header_names_not_values() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=s3cr3t-cookie".parse().unwrap());
        let response = ErrorResponse {
            status: StatusCode::UNAUTHORIZED,
            headers,
            body: Ok(b"{}".to_vec()),
        };
        let shown = format!("{response:?}");
        assert!(
            shown.contains("set-cookie") && shown.contains("401"),
            "{shown}"
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
