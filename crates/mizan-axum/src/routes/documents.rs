//! `GET /schema` and `GET /openapi.json`, rendered once at startup.

use axum::extract::State;
use axum::response::Response;

use crate::respond::json_response;
use crate::state::AppState;

pub(super) async fn schema(State(app): State<AppState>) -> Response {
    json_response(200, app.documents.schema.clone())
}

pub(super) async fn openapi(State(app): State<AppState>) -> Response {
    json_response(200, app.documents.openapi.clone())
}
