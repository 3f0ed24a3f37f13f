//! The caller as an extractor: `caller: Caller` in a route's arguments verifies the token
//! (`Authorization: Bearer` or the cookie) before the route runs; a present but invalid
//! token rejects the request with `401 unauthenticated`. The caller carries the request's
//! parts, which handlers read through `ctx.request()`.
//!
//! `Caller` clones those parts, since later extractors may still read them. A route that
//! needs nothing after the caller takes [`LastCaller`] (or, with a call's input,
//! [`CallerThenInput`], with a batch's or composition's body, [`CallerThenBody`]) instead,
//! which moves them.

use std::future::{Future, ready};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, Method, Uri};
use futures::FutureExt;
use futures::future::Either;
use mizan_core::RequestParts;
use mizan_core::executor::Caller;

use super::body::{JsonText, StrictJson};
use crate::auth;
use crate::error::HttpError;
use crate::state::AppState;

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, HttpError> {
        let caller = auth::caller(&app.config, &app.tokens, &parts.headers)?;
        let Parts {
            method,
            uri,
            headers,
            extensions,
            ..
        } = parts;
        Ok(with_request(
            caller,
            app,
            method.clone(),
            uri,
            headers.clone(),
            extensions.clone(),
        ))
    }
}

/// The caller, as the last argument of a route: the request is its own, so its parts go
/// to the caller as they are, not cloned.
pub(crate) struct LastCaller(pub(crate) Caller);

impl FromRequest<AppState> for LastCaller {
    type Rejection = HttpError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, HttpError> {
        let (parts, _) = request.into_parts();
        Self::of(parts, app)
    }
}

impl LastCaller {
    /// The caller of a request with `parts`, which it takes.
    pub(crate) fn of(parts: Parts, app: &AppState) -> Result<Self, HttpError> {
        let caller = auth::caller(&app.config, &app.tokens, &parts.headers)?;
        Ok(Self(owning(caller, app, parts)))
    }
}

/// The caller, then a single call's input (so a bad token is reported before a bad
/// body), as the last argument of a route; like [`LastCaller`], it moves the parts.
pub(crate) struct CallerThenInput(pub(crate) Caller, pub(crate) JsonText);

impl FromRequest<AppState> for CallerThenInput {
    type Rejection = HttpError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, HttpError> {
        Self::read(request, app).await
    }
}

impl CallerThenInput {
    /// The caller and the input of `request`. All but the body's read happens now, so the
    /// future holds only the body (a route's future is boxed for every call).
    pub(crate) fn read(
        request: Request,
        app: &AppState,
    ) -> impl Future<Output = Result<Self, HttpError>> + Send + use<> {
        let (parts, body) = request.into_parts();
        let caller = auth::caller(&app.config, &app.tokens, &parts.headers);
        let read = JsonText::read(&parts.headers, body, app.config.limits);
        match caller {
            // A bad token is reported without reading the body.
            Err(error) => Either::Left(ready(Err(error.into()))),
            Ok(caller) => {
                let caller = owning(caller, app, parts);
                Either::Right(read.map(move |input| Ok(Self(caller, input?))))
            }
        }
    }
}

/// The caller, then a JSON body (a batch's, a composition's) that the route parses
/// strictly ([`StrictJson::parse`]), as the last argument of a route; like
/// [`LastCaller`], it moves the parts.
pub(crate) struct CallerThenBody(pub(crate) Caller, pub(crate) StrictJson);

impl FromRequest<AppState> for CallerThenBody {
    type Rejection = HttpError;

    /// Read as a single call's input is.
    async fn from_request(request: Request, app: &AppState) -> Result<Self, HttpError> {
        let CallerThenInput(caller, JsonText(text)) = CallerThenInput::read(request, app).await?;
        Ok(Self(caller, StrictJson(text)))
    }
}

fn owning(caller: Caller, app: &AppState, parts: Parts) -> Caller {
    with_request(
        caller,
        app,
        parts.method,
        &parts.uri,
        parts.headers,
        parts.extensions,
    )
}

/// `caller` with what a handler sees of the request: the URI as the client sent it, and
/// the prefix the routes are mounted under: the app's own router's, if it nests them
/// (the part of that URI axum stripped), then the routes' own.
fn with_request(
    mut caller: Caller,
    app: &AppState,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    mut extensions: Extensions,
) -> Caller {
    // Taken out of the extensions, not copied: the original URI is the parts' own `uri`,
    // and a copy left there would keep the connection's whole read buffer alive in what
    // outlives the request (a channel connection).
    let original = extensions
        .remove::<OriginalUri>()
        .map_or_else(|| uri.clone(), |OriginalUri(uri)| uri);
    let mount_path = match original.path().strip_suffix(uri.path()).unwrap_or_default() {
        "" => app.mount_path.clone(),
        nested_under => format!("{nested_under}{}", app.mount_path).into(),
    };
    let client_addr = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let parts = RequestParts::new(method, original, headers, extensions)
        .with_client_addr(client_addr)
        .with_mount_path(mount_path);
    caller.request = Arc::new(parts);
    caller
}
