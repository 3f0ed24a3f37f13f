//! A WebSocket upgrade whose rejection is the error envelope (`400 bad_request`).

use axum::extract::FromRequestParts;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::request::Parts;
use mizan_core::{ErrorCode, FunctionError};

use crate::error::HttpError;

/// `GET /ws` must be a WebSocket handshake.
pub(crate) struct WsUpgrade(pub(crate) WebSocketUpgrade);

impl<S: Send + Sync> FromRequestParts<S> for WsUpgrade {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        WebSocketUpgrade::from_request_parts(parts, state)
            .await
            .map(Self)
            .map_err(|rejection| {
                FunctionError::from_code(
                    ErrorCode::BadRequest,
                    format!("`/ws` takes WebSocket upgrades only: {rejection}"),
                )
                .into()
            })
    }
}
