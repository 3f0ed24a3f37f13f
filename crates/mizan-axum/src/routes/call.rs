//! `POST /call/{name}` (input as the JSON body) and `GET /call/{name}?input=JSON&rev=N`
//! (queries only). Each registered function has these routes at its own path; the
//! `{name}` route answers every other name.

use std::future::{Future, ready};
use std::sync::Arc;

use axum::extract::{FromRef, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get as get_route};
use bytes::Bytes;
use futures::FutureExt;
use futures::future::{BoxFuture, Either};
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
    get_route(Counted(Get(name.clone())))
        .post(Counted(Post(name.clone())))
        .fallback(Counted(move |State(calls): State<Calls>| {
            let name = name.clone();
            async move { other_method(&calls, &name) }
        }))
}

// `GET` and `POST /call/NAME` are handlers of their own, not closures of extractors. axum's
// closure handler keeps the whole request in its future beside what it takes from it, and
// that future is boxed for every call; these take the request apart before their future
// exists (in the order the `{name}` route's extractors do), so it holds only what the call
// needs.

/// `GET /call/NAME`.
#[derive(Clone)]
struct Get(Arc<str>);

impl Handler<((),), AppState> for Get {
    type Future = BoxFuture<'static, Response>;

    fn call(self, request: Request, app: AppState) -> Self::Future {
        let (parts, _) = request.into_parts();
        let taken = CallQuery::read(&parts, &app.config.limits)
            .and_then(|query| Ok((query, LastCaller::of(parts, &app)?)));
        let future = match taken {
            Ok((query, LastCaller(caller))) => Either::Left(answer(
                Calls::from_ref(&app),
                self.0,
                caller,
                query.input,
                Via::Read,
                query.rev,
            )),
            Err(error) => Either::Right(ready(Err(error))),
        };
        Box::pin(future.map(IntoResponse::into_response))
    }
}

/// `POST /call/NAME`.
#[derive(Clone)]
struct Post(Arc<str>);

impl Handler<((),), AppState> for Post {
    type Future = BoxFuture<'static, Response>;

    fn call(self, request: Request, app: AppState) -> Self::Future {
        let calls = Calls::from_ref(&app);
        let future = CallerThenInput::read(request, &app).then(move |taken| match taken {
            Ok(CallerThenInput(caller, JsonText(input))) => {
                Either::Left(answer(calls, self.0, caller, input, Via::Write, None))
            }
            Err(error) => Either::Right(ready(Err(error))),
        });
        Box::pin(future.map(IntoResponse::into_response))
    }
}

/// `/call/{name}` for any name (one the registry does not have, or written with escapes).
pub(super) fn by_name() -> MethodRouter<AppState> {
    get_route(Counted(
        |State(calls): State<Calls>, Name(name): Name, query: CallQuery, LastCaller(caller): LastCaller| {
            answer(calls, name, caller, query.input, Via::Read, query.rev)
        },
    ))
    .post(Counted(
        |State(calls): State<Calls>,
         Name(name): Name,
         CallerThenInput(caller, JsonText(input)): CallerThenInput| {
            answer(calls, name, caller, input, Via::Write, None)
        },
    ))
    .fallback(Counted(
        |State(calls): State<Calls>, Name(name): Name| async move { other_method(&calls, &name) },
    ))
}

/// The response to a call of `name` by `caller` on `input`, by GET (`via` read, with the
/// `rev` it asked for) or POST.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn keeps a second copy of its arguments"
)]
fn answer(
    calls: Calls,
    name: impl AsRef<str> + Send,
    caller: Caller,
    input: Bytes,
    via: Via,
    rev: Option<u64>,
) -> impl Future<Output = Result<Response, HttpError>> + Send {
    async move {
        let outcome = calls
            .executor
            .execute(&caller, name.as_ref(), CallInput::Json(input), via)
            .await;
        let mut response = call_response(outcome, rev, calls.shared_max_age);
        // A GET of a mutation: a 405 names what the function does accept (RFC 9110 §15.5.6).
        if via == Via::Read && response.status() == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(POST));
        }
        Ok(response)
    }
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
