//! `POST /call/{name}` (input as the JSON body) and `GET /call/{name}?input=JSON&rev=N`
//! (queries only).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mizan_core::executor::{CallInput, Via};
use mizan_core::{ErrorCode, FunctionError, FunctionKind};

use crate::error::HttpError;
use crate::extract::{CallQuery, CallerThenInput, JsonText, LastCaller, Name};
use crate::respond::call_response;
use crate::state::Calls;

pub(super) async fn post(
    State(calls): State<Calls>,
    Name(name): Name,
    CallerThenInput(caller, JsonText(input)): CallerThenInput,
) -> Result<Response, HttpError> {
    let outcome = calls
        .executor
        .execute(&caller, &name, CallInput::Json(input), Via::Write)
        .await;
    Ok(call_response(outcome, None, calls.shared_max_age))
}

pub(super) async fn get(
    State(calls): State<Calls>,
    Name(name): Name,
    query: CallQuery,
    LastCaller(caller): LastCaller,
) -> Result<Response, HttpError> {
    let outcome = calls
        .executor
        .execute(&caller, &name, CallInput::Json(query.input), Via::Read)
        .await;
    let mut response = call_response(outcome, query.rev, calls.shared_max_age);
    // A GET of a mutation: a 405 names what the function does accept (RFC 9110 §15.5.6).
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(POST));
    }
    Ok(response)
}

const POST: &str = "POST";
const GET_OR_POST: &str = "GET, HEAD, POST";

/// Any other method: `405` with `Allow` as the function's kind has it (a mutation is POST
/// only), or `404` for no such function.
pub(super) async fn other_method(State(calls): State<Calls>, Name(name): Name) -> Response {
    let Some(f) = calls.executor.registry().get_function(&name) else {
        return super::not_found().await.into_response();
    };
    let allow = match f.kind() {
        FunctionKind::Mutation => POST,
        FunctionKind::Query => GET_OR_POST,
    };
    let error: HttpError =
        FunctionError::from_code(ErrorCode::MethodNotAllowed, format!("`{name}` accepts {allow}")).into();
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}
