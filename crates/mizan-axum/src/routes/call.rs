//! `POST /call/{name}` (input as the JSON body) and `GET /call/{name}?input=JSON&rev=N`
//! (queries only).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;

use crate::body::{check_depth, read_body};
use crate::executor::{CallInput, Via};
use crate::respond::{call_response, error_response};
use crate::shared::Shared;

pub(super) async fn post(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let input = async {
        let caller = shared.caller(&headers)?;
        let body = read_body(&headers, body, &shared.config.limits).await?;
        check_depth(&body, &shared.config.limits)?;
        Ok::<_, FunctionError>((caller, CallInput::Json(body)))
    };
    match input.await {
        Ok((caller, input)) => {
            let outcome = shared.execute(&caller, &name, input, Via::Post).await;
            call_response(outcome, None, shared.config.shared_max_age.as_secs())
        }
        Err(error) => error_response(&error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GetParams {
    input: Option<String>,
    rev: Option<u64>,
}

pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let parsed = (|| {
        let limits = &shared.config.limits;
        let query = query.unwrap_or_default();
        if query.len() > limits.max_query_bytes {
            return Err(FunctionError::from_code(
                ErrorCode::LimitExceeded,
                format!(
                    "the query string exceeds {} bytes; call with POST",
                    limits.max_query_bytes
                ),
            ));
        }
        let params: GetParams = serde_urlencoded::from_str(&query).map_err(|err| {
            FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("the query string must be `input=<JSON>&rev=<integer>`: {err}"),
            )
        })?;
        let input = Bytes::from(params.input.unwrap_or_default());
        check_depth(&input, limits)?;
        Ok((shared.caller(&headers)?, CallInput::Json(input), params.rev))
    })();
    match parsed {
        Ok((caller, input, rev)) => {
            let outcome = shared.execute(&caller, &name, input, Via::Get).await;
            call_response(outcome, rev, shared.config.shared_max_age.as_secs())
        }
        Err(error) => error_response(&error),
    }
}
