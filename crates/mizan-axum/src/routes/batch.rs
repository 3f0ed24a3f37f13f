//! `POST /batch`: `{"calls": [{"fn": NAME, "input": INPUT}, ...]}` ->
//! `{"results": [ENVELOPE, ...]}` in the same order; members run concurrently.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::{BufMut, BytesMut};
use futures::future::join_all;
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;
use serde_json::Value;

use crate::body::{parse_json, read_body};
use crate::envelope::Outcome;
use crate::executor::{CallInput, Via};
use crate::respond::{error_response, json_response};
use crate::shared::Shared;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
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

pub(super) async fn post(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let batch = async {
        let caller = shared.caller(&headers)?;
        let body = read_body(&headers, body, &shared.config.limits).await?;
        let batch: Batch = parse_json(&body, &shared.config.limits)?;
        let max = shared.config.limits.max_batch_calls;
        if batch.calls.len() > max {
            return Err(FunctionError::from_code(
                ErrorCode::LimitExceeded,
                format!(
                    "a batch may hold at most {max} calls; it has {}",
                    batch.calls.len()
                ),
            ));
        }
        Ok::<_, FunctionError>((caller, batch))
    };
    let (caller, batch) = match batch.await {
        Ok(parsed) => parsed,
        Err(error) => return error_response(&error),
    };
    let outcomes = join_all(batch.calls.into_iter().map(|call| {
        let (shared, caller) = (&shared, &caller);
        async move {
            shared
                .execute(caller, &call.function, CallInput::Value(call.input), Via::Post)
                .await
        }
    }))
    .await;
    json_response(200, results_array(&outcomes))
}

fn results_array(outcomes: &[Outcome]) -> bytes::Bytes {
    let mut out = BytesMut::with_capacity(16 + outcomes.iter().map(|o| o.body.len() + 1).sum::<usize>());
    out.put_slice(b"{\"results\":[");
    for (i, outcome) in outcomes.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(&outcome.body);
    }
    out.put_slice(b"]}");
    out.freeze()
}
