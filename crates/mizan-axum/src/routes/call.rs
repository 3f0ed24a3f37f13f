//! `POST /call/{name}` (input as the JSON body) and `GET /call/{name}?input=JSON&rev=N`
//! (queries only).

use axum::extract::State;
use axum::response::Response;
use mizan_core::executor::{CallInput, Caller, Via};

use crate::error::HttpError;
use crate::extract::{CallQuery, JsonText, Name};
use crate::respond::call_response;
use crate::state::AppState;

pub(super) async fn post(
    State(app): State<AppState>,
    Name(name): Name,
    caller: Caller,
    JsonText(input): JsonText,
) -> Result<Response, HttpError> {
    let outcome = app
        .executor
        .execute(&caller, &name, CallInput::Json(input), Via::Write)
        .await;
    Ok(call_response(outcome, None, app.config.shared_max_age.as_secs()))
}

pub(super) async fn get(
    State(app): State<AppState>,
    Name(name): Name,
    query: CallQuery,
    caller: Caller,
) -> Result<Response, HttpError> {
    let outcome = app
        .executor
        .execute(&caller, &name, CallInput::Json(query.input), Via::Read)
        .await;
    Ok(call_response(
        outcome,
        query.rev,
        app.config.shared_max_age.as_secs(),
    ))
}
