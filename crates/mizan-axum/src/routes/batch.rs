//! `POST /batch`: `{"calls": [{"fn": NAME, "input": INPUT, "rev": N}, ...]}` ->
//! `{"results": [ENVELOPE, ...]}` in the same order; members run concurrently. A call's
//! optional `rev` is the revision its caller knows: the origin computes at its current
//! revision anyway, an edge keys its entry with it (`spec/PROTOCOL.md` §2.2).

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
    #[serde(default, rename = "rev")]
    _known_rev: Option<u64>,
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
    // The inputs move into the calls; the names stay here, borrowed by them.
    let (names, inputs): (Vec<String>, Vec<Value>) = batch
        .calls
        .into_iter()
        .map(|call| (call.function, call.input))
        .unzip();
    let calls = names.iter().map(String::as_str).zip(inputs);
    let outcomes = app.executor.execute_all(&caller, calls).await;
    let body = batch_results(outcomes.iter());
    Ok(members_response(body, outcomes))
}
