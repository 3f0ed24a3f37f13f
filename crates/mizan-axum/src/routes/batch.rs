//! `POST /batch`: `{"calls": [{"fn": NAME, "input": INPUT}, ...]}` ->
//! `{"results": [ENVELOPE, ...]}` in the same order; members run concurrently.

use axum::extract::State;
use axum::response::Response;
use mizan_core::executor::{Caller, batch_results};
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;
use serde_json::Value;

use crate::error::HttpError;
use crate::extract::JsonBody;
use crate::respond::members_response;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Batch {
    calls: Vec<BatchCall>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchCall {
    #[serde(rename = "fn")]
    function: String,
    #[serde(default)]
    input: Value,
}

pub(super) async fn post(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(batch): JsonBody<Batch>,
) -> Result<Response, HttpError> {
    let max = app.config.limits.max_batch_calls;
    if batch.calls.len() > max {
        return Err(FunctionError::from_code(
            ErrorCode::LimitExceeded,
            format!(
                "a batch may hold at most {max} calls; it has {}",
                batch.calls.len()
            ),
        )
        .into());
    }
    let calls = batch
        .calls
        .iter()
        .map(|call| (call.function.as_str(), call.input.clone()));
    let outcomes = app.executor.execute_all(&caller, calls).await;
    let body = batch_results(outcomes.iter().map(|o| &o.body[..]));
    Ok(members_response(body, outcomes))
}
