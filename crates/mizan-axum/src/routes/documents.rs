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

pub(super) async fn openapi(_: Caller, State(app): State<AppState>) -> Response {
    json_response(200, app.documents.openapi.clone())
}
