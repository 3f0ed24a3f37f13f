//! `GET /schema` and `GET /openapi.json`, rendered once at startup. They are public, but a
//! present, invalid token fails them as it fails every endpoint (§2.1).

use axum::extract::State;
use axum::response::Response;
use mizan_core::executor::Caller;

use crate::respond::json_response;
use crate::state::AppState;

pub(super) async fn schema(_: Caller, State(app): State<AppState>) -> Response {
    json_response(200, app.documents.schema.clone())
}

/// The OpenAPI document with `servers` naming the path the endpoints are mounted under,
/// so a client of the document reaches them.
pub(super) async fn openapi(caller: Caller, State(app): State<AppState>) -> Response {
    let base = caller.request.mount_path();
    json_response(200, crate::openapi::served(&app.documents.openapi, base))
}
