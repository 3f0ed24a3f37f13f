//! `GET /ws`: the upgrade to one multiplexed channel connection per client
//! (`spec/PROTOCOL.md` §3; the connection itself is `crate::channels`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::Response;
use mizan_core::executor::Caller;
use mizan_core::{ErrorCode, FunctionError};

use crate::channels::websocket;
use crate::error::HttpError;
use crate::extract::WsUpgrade;
use crate::state::AppState;

/// Tungstenite's own hard cap, above which frames are refused before we see them; frames
/// between `max_frame_bytes` and this get an error frame first.
pub(super) fn hard_cap(max_frame_bytes: usize) -> usize {
    max_frame_bytes.saturating_mul(4).max(16 * 1024)
}

/// Each connection's read buffer. Small, because most frames are small and memory per
/// idle connection is what bounds how many clients one instance holds; it grows for
/// larger frames. (`scripts/bench-channels`: 7.1 KiB per idle subscriber with 1 KiB,
/// 10.0 KiB with 4 KiB.)
const READ_BUFFER_BYTES: usize = 1024;

pub(super) async fn upgrade(
    State(app): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    WsUpgrade(upgrade): WsUpgrade,
) -> Result<Response, HttpError> {
    // A browser sends cookies with cross-site WebSocket handshakes and offers no CORS
    // protection for them: a cookie-authenticated connection must come from our origin.
    if !caller.csrf_ok && !same_origin(&headers) {
        return Err(FunctionError::from_code(
            ErrorCode::CsrfFailed,
            "a cookie-authenticated WebSocket must come from the server's own origin; \
             or authenticate with an `auth` frame",
        )
        .into());
    }
    app.hub.ensure_started(&app.config.channel_layer, &app.executor);
    let limits = app.config.limits.channels;
    Ok(upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(hard_cap(limits.max_frame_bytes))
        .max_frame_size(hard_cap(limits.max_frame_bytes))
        .on_upgrade(move |socket| websocket::serve(socket, app.executor, app.hub, app.config, caller)))
}

pub(super) fn same_origin(headers: &HeaderMap) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match (header(ORIGIN), header(HOST)) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    }
}
