//! `POST /call/{name}` (input as the JSON body) and `GET /call/{name}?input=JSON&rev=N`
//! (queries only). Each registered function has these routes at its own path; the
//! `{name}` route answers every other name.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get as get_route};
use bytes::Bytes;
use mizan_core::executor::{CallInput, Caller, Via};
use mizan_core::{ErrorCode, FunctionError, FunctionKind};

use super::Counted;
use crate::error::HttpError;
use crate::extract::{CallQuery, CallerThenInput, JsonText, LastCaller, Name};
use crate::respond::call_response;
use crate::state::{AppState, Calls};

/// The routes of the function `name` at its own path, `/call/NAME`: the same endpoints as
/// `/call/{name}` without a path parameter to extract, decode and copy on every call.
pub(super) fn of(name: &str) -> MethodRouter<AppState> {
    let name: Arc<str> = name.into();
    let (for_get, for_post) = (name.clone(), name.clone());
    get_route(Counted(
        move |State(calls): State<Calls>, query: CallQuery, LastCaller(caller): LastCaller| {
            let name = for_get.clone();
            async move { get(calls, &name, query, caller).await }
        },
    ))
    .post(Counted(
        move |State(calls): State<Calls>, CallerThenInput(caller, JsonText(input)): CallerThenInput| {
            let name = for_post.clone();
            async move { post(calls, &name, caller, input).await }
        },
    ))
    .fallback(Counted(move |State(calls): State<Calls>| {
        let name = name.clone();
        async move { other_method(&calls, &name) }
    }))
}

/// `/call/{name}` for any name (one the registry does not have, or written with escapes).
pub(super) fn by_name() -> MethodRouter<AppState> {
    get_route(Counted(
        |State(calls): State<Calls>, Name(name): Name, query: CallQuery, LastCaller(caller): LastCaller| async move {
            get(calls, &name, query, caller).await
        },
    ))
    .post(Counted(
        |State(calls): State<Calls>,
         Name(name): Name,
         CallerThenInput(caller, JsonText(input)): CallerThenInput| async move {
            post(calls, &name, caller, input).await
        },
    ))
    .fallback(Counted(
        |State(calls): State<Calls>, Name(name): Name| async move { other_method(&calls, &name) },
    ))
}

async fn post(calls: Calls, name: &str, caller: Caller, input: Bytes) -> Result<Response, HttpError> {
    let outcome = calls
        .executor
        .execute(&caller, name, CallInput::Json(input), Via::Write)
        .await;
    Ok(call_response(outcome, None, calls.shared_max_age))
}

async fn get(calls: Calls, name: &str, query: CallQuery, caller: Caller) -> Result<Response, HttpError> {
    let outcome = calls
        .executor
        .execute(&caller, name, CallInput::Json(query.input), Via::Read)
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
fn other_method(calls: &Calls, name: &str) -> Response {
    let Some(f) = calls.executor.registry().get_function(name) else {
        return super::no_such_endpoint().into_response();
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
