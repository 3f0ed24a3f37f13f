//! The query string of `GET /call/{name}`: `input=<JSON>&rev=<integer>`, both optional.
//!
//! Failures, in order: a query string over `max_query_bytes` is `429 limit_exceeded`
//! (call with POST instead); one that is not of that form is `400 bad_request`; an input
//! nested deeper than `max_json_depth` is `400 too_deep`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use bytes::Bytes;
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;

use super::body::check_depth;
use crate::error::HttpError;
use crate::limits::Limits;
use crate::state::AppState;

/// A GET call's input text (unparsed) and the revision it asks for.
pub(crate) struct CallQuery {
    pub(crate) input: Bytes,
    pub(crate) rev: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetParams {
    input: Option<String>,
    rev: Option<u64>,
}

impl FromRequestParts<AppState> for CallQuery {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, HttpError> {
        Self::read(parts, &app.config.limits)
    }
}

impl CallQuery {
    /// The input and revision in the query string of a request with `parts`.
    pub(crate) fn read(parts: &Parts, limits: &Limits) -> Result<Self, HttpError> {
        let query = parts.uri.query().unwrap_or_default();
        if query.len() > limits.max_query_bytes {
            return Err(FunctionError::from_code(
                ErrorCode::LimitExceeded,
                format!(
                    "the query string exceeds {} bytes; call with POST",
                    limits.max_query_bytes
                ),
            )
            .into());
        }
        let params: GetParams = serde_urlencoded::from_str(query).map_err(|err| {
            FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("the query string must be `input=<JSON>&rev=<integer>`: {err}"),
            )
        })?;
        let input = Bytes::from(params.input.unwrap_or_default());
        check_depth(&input, limits)?;
        Ok(Self {
            input,
            rev: params.rev,
        })
    }
}
