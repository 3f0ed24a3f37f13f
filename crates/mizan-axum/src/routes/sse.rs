//! `GET /sse` and `POST /sse/{session}`: channels over Server-Sent Events, for clients
//! whose network refuses WebSocket upgrades (`spec/PROTOCOL.md` §3.9; the transport is
//! `crate::channels::sse`).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mizan_core::executor::Caller;
use mizan_core::{ErrorCode, FunctionError};

use super::ws::{hard_cap, same_origin};
use crate::channels::sse::{self, Delivered};
use crate::channels::{End, Incoming};
use crate::error::HttpError;
use crate::state::AppState;

/// Opens a session: the event stream of one multiplexed channel connection. The caller
/// is authenticated as for a WebSocket (bearer token, or the cookie from our own origin
/// or with the CSRF header); `Last-Event-ID` resumes where a previous stream stopped.
pub(super) async fn open(
    State(app): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, HttpError> {
    if !caller.csrf_ok && !same_origin(&headers) {
        return Err(FunctionError::from_code(
            ErrorCode::CsrfFailed,
            "a cookie-authenticated channel stream must come from the server's own origin \
             or carry the CSRF header; or authenticate with an `auth` frame",
        )
        .into());
    }
    let resume = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(value.to_str().ok().and_then(sse::resume_point).ok_or_else(|| {
            FunctionError::from_code(
                ErrorCode::BadRequest,
                "Last-Event-ID must be an event id this server sent (a resume point)",
            )
        })?),
    };
    app.hub.ensure_started(&app.config.channel_layer, &app.executor);
    Ok(app
        .sessions
        .open(app.executor, app.hub, app.config, caller, resume)?)
}

/// Hands one client frame (the body, JSON text) to the session; its answer comes on the
/// session's stream. `202` once handed over; `404` when the session is unknown or over.
pub(super) async fn post(
    State(app): State<AppState>,
    Path(session): Path<String>,
    caller: Caller,
    body: Body,
) -> Result<Response, HttpError> {
    caller.require_csrf(&app.config.csrf_header, "channel frame")?;
    let max = app.config.limits.channels.max_frame_bytes;
    let (frame, refused) = match axum::body::to_bytes(body, hard_cap(max)).await {
        Ok(bytes) => match String::from_utf8(bytes.into()) {
            Ok(text) => (Incoming::Text(text), None),
            Err(err) => (Incoming::Binary(err.as_bytes().len()), None),
        },
        // Far over the limit: the session closes (`1009`) as a WebSocket would.
        Err(_) => (
            Incoming::End(End::TooBig),
            Some(FunctionError::from_code(
                ErrorCode::PayloadTooLarge,
                format!("frames may have at most {max} bytes (max_frame_bytes)"),
            )),
        ),
    };
    match app.sessions.deliver(&session, frame).await {
        Delivered::NoSession => Err(FunctionError::from_code(
            ErrorCode::NotFound,
            "no such channel session: it ended, or never began; open one with GET /sse",
        )
        .into()),
        Delivered::Yes => match refused {
            Some(error) => Err(error.into()),
            None => Ok(StatusCode::ACCEPTED.into_response()),
        },
    }
}
