//! The one path every request takes, for the generated routes (`generated.rs`): its body read
//! and recorded, a programmed fault, then the checks its [`OperationSpec`] asks for in the API's
//! order (credentials, `moneykit-version`, then each parameter and the body as the generated
//! handler reads them through [`Admitted`]), the behaviour (`behaviour.rs`), and the answer
//! delivered as the fault said.
// A failed check returns the reply itself; it is built once per request, so its size is moot.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use moneykit_api::types::SupportedVersion;
use serde::de::DeserializeOwned;

use crate::Operation;
use crate::faults::{Delivery, Step};
use crate::replies::validation_failed;
use crate::requests::{Seq, is_form, media_type};
use crate::server::DropConnection;
use crate::state::AppState;
use crate::streams::{self, HUGE_LENGTH, Plan};

/// What a behaviour answers: the response, or the error reply of a check that failed (both are
/// sent; `Err` lets a check end the behaviour with `?`).
pub(crate) type Answer = Result<Response, Response>;

/// The largest request body read (axum's own default): a larger one fails validation.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What `openapi.yaml` says of an operation's requests, as far as the checks go.
pub(crate) struct OperationSpec {
    /// The status of its normal answer.
    pub(crate) success: u16,
    /// Whether it needs an access token or client credentials in headers.
    pub(crate) authenticated: bool,
    /// The header that carries the API version, if it takes one.
    pub(crate) api_version_header: Option<&'static str>,
    /// The path parameter naming the link it is about, if any (what a fault can target).
    pub(crate) link_parameter: Option<&'static str>,
    /// Whether it has a body to read (the generated handler reads it as its media type says).
    pub(crate) reads_body: bool,
}

/// A request that passed the checks of its spec, for the generated handler to read its
/// parameters from (each read is a check of its own) and for the behaviour.
pub(crate) struct Admitted {
    parts: Parts,
    /// The path parameters, or why they could not be decoded.
    path: Result<Vec<(String, String)>, String>,
    body: Result<Bytes, String>,
}

impl Admitted {
    /// The request's headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }

    /// The path parameter `name`, percent-decoded.
    pub(crate) fn path(&self, name: &str) -> Result<String, Response> {
        let invalid = |why: &str| validation_failed(&["path", name], why, "value_error");
        let parameters = self.path.as_ref().map_err(|why| invalid(why))?;
        parameters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .ok_or_else(|| invalid("Field required"))
    }

    /// The query's values of `name`, in order.
    fn query_values(&self, name: &str) -> Result<Vec<String>, Response> {
        let Some(query) = self.parts.uri.query() else {
            return Ok(Vec::new());
        };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|error| validation_failed(&["query"], &error.to_string(), "value_error"))?;
        Ok(pairs
            .into_iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value)
            .collect())
    }

    /// The query parameter `name` (its last value, as FastAPI reads one), `None` when absent.
    #[allow(
        dead_code,
        reason = "read by the generated handlers of operations that take one; the spec may have none"
    )]
    pub(crate) fn query<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Response> {
        self.query_values(name)?
            .pop()
            .map(|text| parameter(&text, "query", name))
            .transpose()
    }

    /// Every value of the repeated query parameter `name`, `None` when absent.
    pub(crate) fn query_all<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<Vec<T>>, Response> {
        let values = self.query_values(name)?;
        if values.is_empty() {
            return Ok(None);
        }
        values
            .iter()
            .map(|text| parameter(text, "query", name))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// The header parameter `name`, `None` when absent.
    #[allow(
        dead_code,
        reason = "read by the generated handlers of operations that take one; the spec may have none"
    )]
    pub(crate) fn header<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, Response> {
        let Some(value) = self.parts.headers.get(name) else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|_| {
            validation_failed(&["header", name], "Input should be text", "string_type")
        })?;
        parameter(text, "header", name).map(Some)
    }

    fn body(&self) -> Result<&Bytes, Response> {
        self.body
            .as_ref()
            .map_err(|why| validation_failed(&["body"], why, "value_error"))
    }

    /// The body as JSON of type `T`.
    #[allow(
        dead_code,
        reason = "read by the generated handlers of operations that take one; the spec may have none"
    )]
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Response> {
        serde_json::from_slice(self.body()?)
            .map_err(|error| validation_failed(&["body"], &error.to_string(), "json_invalid"))
    }

    /// The body as an `application/x-www-form-urlencoded` form of type `T` (an empty body is an
    /// empty form, whatever its declared type).
    pub(crate) fn form<T: DeserializeOwned>(&self) -> Result<T, Response> {
        let body = self.body()?;
        if !body.is_empty() && !is_form(media_type(self.headers())) {
            return Err(validation_failed(
                &["body"],
                "Expected an application/x-www-form-urlencoded body",
                "model_attributes_type",
            ));
        }
        serde_urlencoded::from_bytes(body)
            .map_err(|error| validation_failed(&["body"], &error.to_string(), "value_error"))
    }
}

/// A required parameter's value, or the 422 of a missing one.
#[allow(
    dead_code,
    reason = "read by the generated handlers of operations that take one; the spec may have none"
)]
pub(crate) fn required<T>(value: Option<T>, location: &str, name: &str) -> Result<T, Response> {
    value.ok_or_else(|| validation_failed(&[location, name], "Field required", "missing"))
}

/// A parameter's text as `T`: as a string (text, an enum value), else as the JSON scalar it
/// spells (a number, a boolean).
fn parameter<T: DeserializeOwned>(text: &str, location: &str, name: &str) -> Result<T, Response> {
    let as_text = serde_json::from_value(serde_json::Value::String(text.to_owned()));
    as_text
        .or_else(
            |error| match serde_json::from_str::<serde_json::Value>(text) {
                Ok(value) if !value.is_string() => serde_json::from_value(value),
                _ => Err(error),
            },
        )
        .map_err(|error| validation_failed(&[location, name], &error.to_string(), "value_error"))
}

/// Answers a request to `operation`: reads and records its body, applies a programmed fault,
/// checks credentials and version as its spec says, then runs `behaviour` (the generated
/// handler: it reads the parameters, then calls the `Behaviour` method).
pub(crate) async fn serve(
    state: &Arc<AppState>,
    operation: Operation,
    request: Request,
    behaviour: impl FnOnce(&AppState, &Admitted) -> Answer,
) -> Response {
    let spec = operation.spec();
    let (mut parts, body) = request.into_parts();
    let seq = parts.extensions.get::<Seq>().copied();
    if let Some(seq) = seq {
        state.log.set_operation(seq, operation);
    }
    let path = Path::<Vec<(String, String)>>::from_request_parts(&mut parts, state)
        .await
        .map(|Path(parameters)| parameters)
        .map_err(|rejection| rejection.body_text());
    let body = if spec.reads_body {
        axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|e| {
                format!("The body could not be read (at most {MAX_BODY_BYTES} bytes are): {e}")
            })
    } else {
        Ok(Bytes::new())
    };
    if let (Some(seq), Ok(body)) = (seq, &body) {
        state.log.set_body(seq, &parts.headers, body);
    }
    let link = spec.link_parameter.and_then(|name| {
        let parameters = path.as_ref().ok()?;
        let (_, value) = parameters.iter().find(|(key, _)| key == name)?;
        Some(value.clone())
    });
    let delivery = match fault(state, operation, link.as_deref()).await {
        Ok(delivery) => delivery,
        Err(response) => return response,
    };
    let request = Admitted { parts, path, body };
    let response = check(state, spec, request.headers())
        .and_then(|()| behaviour(state, &request))
        .unwrap_or_else(|refused| refused);
    deliver(state, delivery, response).await
}

/// The checks before any parameter: credentials, then the API version.
fn check(state: &AppState, spec: &OperationSpec, headers: &HeaderMap) -> Result<(), Response> {
    if spec.authenticated {
        state.authorize(headers)?;
    }
    let Some(header) = spec.api_version_header else {
        return Ok(());
    };
    let Some(value) = headers.get(header) else {
        return Ok(());
    };
    let supported = SupportedVersion::default();
    let version = value.to_str().ok().map(SupportedVersion::from);
    if version.as_ref() == Some(&supported) {
        return Ok(());
    }
    Err(validation_failed(
        &["header", header],
        &format!("Input should be '{supported}'"),
        "enum",
    ))
}

/// What a programmed fault makes of a call: `Err` an answer instead of the normal one, or `Ok`
/// to go on (after its delay, if it had one) with the normal answer, delivered as it says.
async fn fault(
    state: &AppState,
    operation: Operation,
    link: Option<&str>,
) -> Result<Delivery, Response> {
    let Some(action) = state.faults.take(operation, link) else {
        return Ok(Delivery::Whole);
    };
    if action.delay > Duration::ZERO {
        tokio::time::sleep(action.delay).await;
    }
    let streamed = |plan, status, length: Option<u64>| {
        let mut response = Response::new(streams::body(plan, state.stopping.subscribe()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(length) = length {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        response
    };
    Err(match action.step {
        Step::Normal => return Ok(action.delivery),
        Step::Reply(response) => deliver(state, action.delivery, response).await,
        Step::Drop => dropped(),
        Step::Silence => {
            let mut stopping = state.stopping.subscribe();
            let _ = stopping.wait_for(|stopping| *stopping).await;
            dropped()
        }
        Step::Endless(status) => streamed(Plan::Endless, status, None),
        Step::HugeLength(status) => streamed(Plan::HugeLength, status, Some(HUGE_LENGTH)),
    })
}

/// The answer that closes the connection instead (`server.rs`).
fn dropped() -> Response {
    Extension(DropConnection).into_response()
}

/// `response` with its body delivered as `delivery` says, its `Content-Length` the whole
/// body's. (Every answer of the sandbox is in memory, so reading it cannot fail; if it did, the
/// connection would be dropped rather than a wrong body sent.)
async fn deliver(state: &AppState, delivery: Delivery, response: Response) -> Response {
    if delivery == Delivery::Whole {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped();
    };
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = streams::body(Plan::Delivered(body, delivery), state.stopping.subscribe());
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    fn admitted(uri: &str, header: (&str, &str), body: &'static str) -> Admitted {
        let (parts, ()) = axum::http::Request::builder()
            .uri(uri)
            .header(header.0, header.1)
            .body(())
            .unwrap()
            .into_parts();
        Admitted {
            parts,
            path: Ok(vec![("id".to_owned(), "mk_1".to_owned())]),
            body: Ok(Bytes::from_static(body.as_bytes())),
        }
    }

    fn status<T>(result: Result<T, Response>) -> StatusCode {
        result.map(drop).unwrap_err().status()
    }

    #[test]
    fn parameters_are_read_typed_or_refused_with_a_422() {
        let request = admitted(
            "/x?n=5&n=7&t=a&t=b&bad=x",
            ("count", "3"),
            r#"{"text":"n"}"#,
        );
        assert_eq!(request.path("id").unwrap(), "mk_1");
        // The last value of a scalar, as FastAPI reads it; every value of a list.
        assert_eq!(request.query::<i32>("n").unwrap(), Some(7));
        assert_eq!(
            request.query_all::<String>("t").unwrap().unwrap(),
            ["a", "b"]
        );
        assert_eq!(request.query::<String>("absent").unwrap(), None);
        assert_eq!(request.query_all::<i32>("absent").unwrap(), None);
        assert_eq!(request.header::<u8>("count").unwrap(), Some(3));
        let body: serde_json::Value = request.json().unwrap();
        assert_eq!(body["text"], "n");
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        assert_eq!(status(request.query::<i32>("bad")), unprocessable);
        assert_eq!(status(request.header::<bool>("count")), unprocessable);
        assert_eq!(status(request.path("other")), unprocessable);
        assert_eq!(status(request.json::<Vec<u8>>()), unprocessable);
        assert_eq!(required(Some(1), "query", "n").unwrap(), 1);
        assert_eq!(status(required::<i32>(None, "query", "n")), unprocessable);
    }
}
