//! Request bodies under the configured limits: [`JsonText`] for a single call's input
//! (checked, not parsed), [`StrictJson`] for the bodies the adapter reads itself.
//!
//! Failures, in the order they are checked:
//!
//! - a `Content-Length` or a body over `max_body_bytes`: `413 payload_too_large`;
//! - a body that cannot be read, or does not arrive within `body_timeout`: `400 bad_request`;
//! - JSON nested deeper than `max_json_depth`: `400 too_deep`;
//! - ([`StrictJson`] only) text that is not JSON, or has no canonical form (duplicate
//!   member names, lone surrogates): `400 invalid_json`; JSON of the wrong shape (when
//!   the route parses it): `400 bad_request`.

use std::future::Future;
use std::task::Poll;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use bytes::Bytes;
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::HttpError;
use crate::limits::{Limits, exceeds_depth};
use crate::state::AppState;

/// JSON text within the size and depth limits, unparsed: the executor decodes it. Read
/// by `CallerThenInput`, which takes the request apart itself, and under [`StrictJson`].
pub(crate) struct JsonText(pub(crate) Bytes);

impl JsonText {
    /// Reads the body of a request with `headers` under `limits`. The headers are checked
    /// now, so the future holds only the body and the limits.
    pub(crate) fn read(
        headers: &HeaderMap,
        body: Body,
        limits: Limits,
    ) -> impl Future<Output = Result<Self, FunctionError>> + Send + use<> {
        let declared = check_declared_length(headers, &limits);
        async move {
            declared?;
            let text = read_body(body, &limits).await?;
            check_depth(&text, &limits)?;
            Ok(Self(text))
        }
    }
}

/// A JSON body within the limits, checked as strictly as a call's input but not parsed:
/// a route reads it borrowed ([`StrictJson::parse`]), so the parts it hands on (a batch's
/// inputs) stay text, sliced from the body.
pub(crate) struct StrictJson(pub(crate) Bytes);

impl FromRequest<AppState> for StrictJson {
    type Rejection = HttpError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = request.into_parts();
        Ok(Self::read(&parts.headers, body, app.config.limits).await?)
    }
}

impl StrictJson {
    /// Reads and checks the body of a request with `headers` under `limits`.
    pub(crate) async fn read(headers: &HeaderMap, body: Body, limits: Limits) -> Result<Self, FunctionError> {
        let JsonText(text) = JsonText::read(headers, body, limits).await?;
        mizan_core::check_json_input(&text)?;
        Ok(Self(text))
    }

    /// The body as `T`, borrowing from it; an empty body is `null`.
    ///
    /// # Errors
    ///
    /// `bad_request` for JSON of the wrong shape.
    pub(crate) fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, FunctionError> {
        let text: &[u8] = if self.0.trim_ascii().is_empty() {
            b"null"
        } else {
            &self.0
        };
        serde_json::from_slice(text).map_err(|err| shape_error(&err))
    }

    /// The part `raw` of the body (a value [`parse`](Self::parse) borrowed), without a copy.
    pub(crate) fn slice(&self, raw: &RawValue) -> Bytes {
        self.0.slice_ref(raw.get().as_bytes())
    }
}

fn too_large(limits: &Limits) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::PayloadTooLarge,
        format!("the body exceeds {} bytes", limits.max_body_bytes),
    )
}

/// `payload_too_large` for a `Content-Length` over `limits.max_body_bytes`.
fn check_declared_length(headers: &HeaderMap, limits: &Limits) -> Result<(), FunctionError> {
    match declared_length(headers) {
        Some(len) if len > limits.max_body_bytes as u64 => Err(too_large(limits)),
        _ => Ok(()),
    }
}

/// Reads a body of at most `limits.max_body_bytes`.
async fn read_body(body: Body, limits: &Limits) -> Result<Bytes, FunctionError> {
    let mut body = std::pin::pin!(axum::body::to_bytes(body, limits.max_body_bytes));
    // A body that came with its headers, as small ones do, is read at once: no timer to
    // arm and disarm for it (and boxed, so every request's future does not hold one).
    let body = match futures::poll!(body.as_mut()) {
        Poll::Ready(body) => body,
        Poll::Pending => match Box::pin(tokio::time::timeout(limits.body_timeout, body)).await {
            Ok(body) => body,
            Err(_) => {
                return Err(FunctionError::from_code(
                    ErrorCode::BadRequest,
                    format!(
                        "the body did not arrive within {:?} (body_timeout)",
                        limits.body_timeout
                    ),
                ));
            }
        },
    };
    body.map_err(|err| {
        let over_limit = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_large(limits)
        } else {
            FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("the body could not be read: {err}"),
            )
        }
    })
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// `too_deep` if JSON text nests deeper than the limit.
pub(crate) fn check_depth(text: &[u8], limits: &Limits) -> Result<(), FunctionError> {
    if exceeds_depth(text, limits.max_json_depth) {
        return Err(FunctionError::from_code(
            ErrorCode::TooDeep,
            format!("the JSON nests deeper than {} levels", limits.max_json_depth),
        ));
    }
    Ok(())
}

fn shape_error(err: &serde_json::Error) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::BadRequest,
        format!("the request does not have the expected shape: {err}"),
    )
}
