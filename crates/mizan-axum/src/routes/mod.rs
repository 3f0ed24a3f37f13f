//! The HTTP endpoints (`spec/PROTOCOL.md` §2.2), relative to where the router is mounted.
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

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::routing::{get, post};
use mizan_core::executor::Metrics;
use mizan_core::{ErrorCode, FunctionError};
use tower::util::MapRequestLayer;

use crate::error::HttpError;
use crate::state::AppState;

pub(crate) fn router(app: AppState) -> Router {
    let functions = app.executor.registry().get_all_functions();
    let by_path = functions.fold(Router::new(), |router, f| {
        router.route(&format!("/call/{}", f.name()), call::of(f.name()))
    });
    by_path
        .route("/call/{name}", call::by_name())
        .route("/batch", post(batch::post))
        .route("/compose/{name}", post(compose::post))
        .route("/schema", get(documents::schema))
        .route("/openapi.json", get(documents::openapi))
        .route("/revisions", get(purge::revisions))
        .route("/purge", post(purge::post))
        .route("/ws", get(ws::upgrade))
        .route("/sse", get(sse::open))
        .route("/sse/{session}", post(sse::post))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(count_requests(app.executor.metrics().clone()))
        .with_state(app)
}

/// Counts every request before it is routed. Not `axum::middleware::map_request`: that one
/// clones the wrapped route (a boxed service, so an allocation) and the state per request.
fn count_requests(metrics: Arc<Metrics>) -> MapRequestLayer<impl Fn(Request) -> Request + Clone> {
    MapRequestLayer::new(move |request| {
        metrics.request();
        request
    })
}

pub(crate) async fn not_found() -> HttpError {
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
