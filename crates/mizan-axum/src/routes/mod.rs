//! The HTTP endpoints (`spec/PROTOCOL.md` §2.2), under the prefix they are mounted at.
//!
//! Every route is `async fn(extractors...) -> Result<Response, HttpError>`: the extractors
//! (`crate::extract`) check the request in the order of the arguments, the body reads
//! top to bottom, and any error becomes the envelope.

mod batch;
mod call;
mod compose;
mod documents;
mod purge;
mod sse;
mod ws;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::routing::{any, get, post};
use mizan_core::{ErrorCode, FunctionError};

use crate::error::HttpError;
use crate::state::AppState;

/// The routes under `prefix` (`/mizan`, or empty at the root), each at its full path. Not
/// a router nested under the prefix: nesting wraps every route in one more boxed service
/// and rewrites each request's URI (measured: a sixth of the instructions of a call).
pub(crate) fn router(mut app: AppState, prefix: &str) -> Router {
    app.mount_path = prefix.into();
    let at = |path: &str| format!("{prefix}{path}");
    let functions = app.executor.registry().get_all_functions();
    let by_path = functions.fold(Router::new(), |router, f| {
        router.route(&at(&format!("/call/{}", f.name())), call::of(f.name()))
    });
    let router = by_path
        .route(&at("/call/{name}"), call::by_name())
        .route(&at("/batch"), post(Counted(batch::post)))
        .route(&at("/compose/{name}"), post(Counted(compose::post)))
        .route(&at("/schema"), get(Counted(documents::schema)))
        .route(&at("/openapi.json"), get(Counted(documents::openapi)))
        .route(&at("/revisions"), get(Counted(purge::revisions)))
        .route(&at("/purge"), post(Counted(purge::post)))
        .route(&at("/ws"), get(Counted(ws::upgrade)))
        .route(&at("/sse"), get(Counted(sse::open)))
        .route(&at("/sse/{session}"), post(Counted(sse::post)));
    // Every other path under the prefix answers with the envelope; at the root, that is
    // the router's fallback (which an app merging it cannot also set).
    let router = if prefix.is_empty() {
        router.fallback(Counted(not_found))
    } else {
        [prefix.to_owned(), at("/"), at("/{*rest}")]
            .iter()
            .fold(router, |router, path| router.route(path, any(Counted(not_found))))
    };
    router
        .method_not_allowed_fallback(Counted(method_not_allowed))
        .with_state(app)
}

/// A route's handler that counts each request it answers (`Metrics::requests`). Not a
/// `Router::layer`: that wraps every route in one more boxed service, an allocation and a
/// boxed future per request.
#[derive(Clone)]
pub(super) struct Counted<H>(pub(super) H);

impl<H: Handler<T, AppState>, T: 'static> Handler<T, AppState> for Counted<H> {
    type Future = H::Future;

    fn call(self, request: Request, app: AppState) -> Self::Future {
        app.executor.metrics().request();
        self.0.call(request, app)
    }
}

async fn not_found() -> HttpError {
    no_such_endpoint()
}

fn no_such_endpoint() -> HttpError {
    FunctionError::from_code(
        ErrorCode::NotFound,
        "no such endpoint; see spec/PROTOCOL.md for the routes",
    )
    .into()
}

async fn method_not_allowed() -> HttpError {
    FunctionError::from_code(
        ErrorCode::MethodNotAllowed,
        "this endpoint does not accept that method",
    )
    .into()
}
