//! Reading request bodies and query strings into JSON under the configured limits.

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use mizan_core::{ErrorCode, FunctionError};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::limits::{Limits, exceeds_depth};

/// Reads a body of at most `limits.max_body_bytes`.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limits: &Limits,
) -> Result<bytes::Bytes, FunctionError> {
    let too_large = || {
        FunctionError::from_code(
            ErrorCode::PayloadTooLarge,
            format!("the body exceeds {} bytes", limits.max_body_bytes),
        )
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limits.max_body_bytes as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limits.max_body_bytes)
        .await
        .map_err(|err| {
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

/// Parses JSON text after checking its depth; empty text is `null` (a call without input).
pub(crate) fn parse_json<T: DeserializeOwned>(text: &[u8], limits: &Limits) -> Result<T, FunctionError> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return serde_json::from_value(Value::Null).map_err(|err| envelope_error(&err));
    }
    check_depth(text, limits)?;
    serde_json::from_slice(text).map_err(|err| {
        if err.is_data() {
            envelope_error(&err)
        } else {
            FunctionError::from_code(
                ErrorCode::InvalidJson,
                format!("the body is not valid JSON: {err}"),
            )
        }
    })
}

fn envelope_error(err: &serde_json::Error) -> FunctionError {
    FunctionError::from_code(
        ErrorCode::BadRequest,
        format!("the request does not have the expected shape: {err}"),
    )
}
