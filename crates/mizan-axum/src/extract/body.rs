//! Request bodies under the configured limits: [`JsonText`] for a single call's input
//! (checked, not parsed), [`JsonBody`] for the bodies the adapter reads itself.
//!
//! Failures, in the order they are checked:
//!
//! - a `Content-Length` or a body over `max_body_bytes`: `413 payload_too_large`;
//! - a body that cannot be read, or does not arrive within `body_timeout`: `400 bad_request`;
//! - JSON nested deeper than `max_json_depth`: `400 too_deep`;
//! - ([`JsonBody`] only) text that is not JSON, or has no canonical form (duplicate member
//!   names, lone surrogates): `400 invalid_json`; JSON of the wrong shape: `400 bad_request`.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use bytes::Bytes;
use mizan_core::{ErrorCode, FunctionError};
use serde::de::DeserializeOwned;

use crate::error::HttpError;
use crate::limits::{Limits, exceeds_depth};
use crate::state::AppState;

/// JSON text within the size and depth limits, unparsed: the executor decodes it. Read
/// by `CallerThenInput`, which takes the request apart itself.
pub(crate) struct JsonText(pub(crate) Bytes);

impl JsonText {
    /// Reads the body of a request with `headers` under `limits`.
    pub(crate) async fn read(
        headers: &HeaderMap,
        body: Body,
        limits: &Limits,
    ) -> Result<Self, FunctionError> {
        let text = read_body(headers, body, limits).await?;
        check_depth(&text, limits)?;
        Ok(Self(text))
    }
}

/// A JSON body decoded into `T` under the limits; an empty body is `null`.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = HttpError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, HttpError> {
        let limits = &app.config.limits;
        let (parts, body) = request.into_parts();
        let text = read_body(&parts.headers, body, limits).await?;
        Ok(Self(parse_json(&text, limits)?))
    }
}

/// Reads a body of at most `limits.max_body_bytes`.
async fn read_body(headers: &HeaderMap, body: Body, limits: &Limits) -> Result<Bytes, FunctionError> {
    let too_large = || {
        FunctionError::from_code(
            ErrorCode::PayloadTooLarge,
            format!("the body exceeds {} bytes", limits.max_body_bytes),
        )
    };
    if declared_length(headers).is_some_and(|len| len > limits.max_body_bytes as u64) {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(body, limits.max_body_bytes);
    let Ok(body) = tokio::time::timeout(limits.body_timeout, body).await else {
        return Err(FunctionError::from_code(
            ErrorCode::BadRequest,
            format!(
                "the body did not arrive within {:?} (body_timeout)",
                limits.body_timeout
            ),
        ));
    };
    body.map_err(|err| {
        let over_limit = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        if over_limit {
            too_large()
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

/// Parses JSON text after checking its depth, as strictly as a call's input
/// ([`mizan_core::parse_json_input`]); empty text is `null`.
fn parse_json<T: DeserializeOwned>(text: &[u8], limits: &Limits) -> Result<T, FunctionError> {
    check_depth(text, limits)?;
    let value = mizan_core::parse_json_input(text)?;
    serde_json::from_value(value).map_err(|err| shape_error(&err))
}

fn shape_error(err: &serde_json::Error) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::BadRequest,
        format!("the request does not have the expected shape: {err}"),
    )
}
