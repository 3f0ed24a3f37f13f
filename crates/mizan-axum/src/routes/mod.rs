//! The HTTP endpoints (`spec/PROTOCOL.md` §2.2), relative to where the router is mounted.

mod batch;
mod call;
mod compose;
mod documents;
mod purge;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use mizan_core::{ErrorCode, FunctionError};

use crate::respond::error_response;
use crate::shared::Shared;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/call/{name}", get(call::get).post(call::post))
        .route("/batch", post(batch::post))
        .route("/compose/{name}", post(compose::post))
        .route("/schema", get(documents::schema))
        .route("/openapi.json", get(documents::openapi))
        .route("/revisions", get(purge::revisions))
        .route("/purge", post(purge::post))
        .route("/ws", get(crate::channels::upgrade))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_request_with_state(
            shared.clone(),
            count_request,
        ))
        .with_state(shared)
}

async fn count_request(State(shared): State<Arc<Shared>>, request: Request) -> Request {
    shared.metrics.request();
    request
}

async fn not_found() -> Response {
    error_response(&FunctionError::from_code(
        ErrorCode::NotFound,
        "no such endpoint; see spec/PROTOCOL.md for the routes",
    ))
}

async fn method_not_allowed() -> Response {
    error_response(&FunctionError::from_code(
        ErrorCode::MethodNotAllowed,
        "this endpoint does not accept that method",
    ))
}
