//! The caller as an extractor: `caller: Caller` in a route's arguments verifies the token
//! (`Authorization: Bearer` or the cookie) before the route runs; a present but invalid
//! token rejects the request with `401 unauthenticated`. The caller carries the request's
//! parts, which handlers read through `ctx.request()`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use mizan_core::RequestParts;
use mizan_core::executor::Caller;

use crate::auth;
use crate::error::HttpError;
use crate::state::AppState;

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, HttpError> {
        let mut caller = auth::caller(&app.config, &parts.headers)?;
        caller.request = Arc::new(request_parts(parts));
        Ok(caller)
    }
}

/// What a handler sees of the request: the URI as the client sent it, and the prefix the
/// router is nested under (the part of that URI axum stripped).
fn request_parts(parts: &Parts) -> RequestParts {
    let original = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |OriginalUri(uri)| uri.clone());
    let mount_path = original
        .path()
        .strip_suffix(parts.uri.path())
        .unwrap_or_default()
        .to_owned();
    let client_addr = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    // The original URI is the parts' own `uri`; its copy in the extensions would keep
    // the connection's whole read buffer alive in whatever outlives the request.
    let mut extensions = parts.extensions.clone();
    extensions.remove::<OriginalUri>();
    RequestParts::new(parts.method.clone(), original, parts.headers.clone(), extensions)
        .with_client_addr(client_addr)
        .with_mount_path(mount_path)
}
