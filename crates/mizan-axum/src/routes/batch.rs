//! `POST /batch`: `{"calls": [{"fn": NAME, "input": INPUT, "rev": N}, ...]}` ->
//! `{"results": [ENVELOPE, ...]}` in the same order; members run concurrently. A call's
//! optional `rev` is the revision its caller knows: the origin computes at its current
//! revision anyway, an edge keys its entry with it (`spec/PROTOCOL.md` §2.2).
//!
//! The body is read in one pass, borrowed and as strictly as any input (a refused body
//! gets the error of the whole text's check): each call's input goes to the executor as
//! the text it was sent as, sliced from the body, and is decoded the way a single call's
//! is (straight into the function's input type).

use std::borrow::Cow;

use axum::extract::State;
use axum::response::Response;
use mizan_core::executor::{CallInput, batch_results};
use mizan_core::{ErrorCode, FunctionError};
use serde::Deserialize;

use crate::error::HttpError;
use crate::extract::{CallerThenBody, CheckedRaw, StrictBody};
use crate::respond::members_response;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch<'a> {
    #[serde(borrow)]
    calls: Vec<BatchCall<'a>>,
}

impl<'a> StrictBody<'a> for Batch<'a> {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchCall<'a> {
    #[serde(borrow, rename = "fn")]
    function: Cow<'a, str>,
    /// Absent or `null`: the call has no input.
    #[serde(default, borrow)]
    input: Option<CheckedRaw<'a>>,
    #[serde(default, rename = "rev")]
    _known_rev: Option<u64>,
}

pub(super) async fn post(
    State(app): State<AppState>,
    CallerThenBody(caller, body): CallerThenBody,
) -> Result<Response, HttpError> {
    let batch: Batch<'_> = body.parse()?;
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
    let calls = batch.calls.iter().map(|call| {
        let input = call.input.map(|raw| body.slice(raw)).unwrap_or_default();
        (call.function.as_ref(), CallInput::Json(input))
    });
    let outcomes = app.executor.execute_all(&caller, calls).await;
    let body = batch_results(outcomes.iter());
    Ok(members_response(body, outcomes))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use proptest::prelude::*;

    use super::*;
    use crate::extract::StrictJson;
    use crate::extract::strictness::{agree, body, object, reference, value};

    fn batch() -> BoxedStrategy<String> {
        let name = || "[a-z]{0,2}".prop_map(|s| format!("\"{s}\"")).boxed();
        let call = object(vec![
            ("fn", name()),
            ("\\u0066n", name()),
            ("input", value()),
            ("rev", Just("7".to_owned()).boxed()),
            ("other", value()),
        ]);
        let calls = prop::collection::vec(call, 0..3).prop_map(|calls| format!("[{}]", calls.join(",")));
        body(vec![("calls", calls.boxed()), ("\\u0063alls", value())])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn a_batch_is_read_as_strictly_as_the_reference_reads_it(text in batch()) {
            let body = StrictJson(Bytes::from(text.clone()));
            agree(&text, body.parse::<Batch<'_>>(), reference::<Batch<'_>>(text.as_bytes()))?;
        }
    }
}
