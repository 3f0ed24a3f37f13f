//! The caller as an extractor: `caller: Caller` in a route's arguments verifies the token
//! (`Authorization: Bearer` or the cookie) before the route runs; a present but invalid
//! token rejects the request with `401 unauthenticated`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mizan_core::executor::Caller;

use crate::auth;
use crate::error::HttpError;
use crate::state::AppState;

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, HttpError> {
        Ok(auth::caller(&app.config, &parts.headers)?)
    }
}
