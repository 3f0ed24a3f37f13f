//! `GET /schema` and `GET /openapi.json`, rendered once at startup.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;

use crate::respond::json_response;
use crate::shared::Shared;

pub(super) async fn schema(State(shared): State<Arc<Shared>>) -> Response {
    json_response(200, shared.schema_json.clone())
}

pub(super) async fn openapi(State(shared): State<Arc<Shared>>) -> Response {
    json_response(200, shared.openapi_json.clone())
}
