//! Channels over WebSocket (`spec/PROTOCOL.md` §3): `GET /ws` upgrades to one multiplexed
//! connection per client; the frames are documented in `frames.rs`.

mod connection;
mod frames;
mod hub;

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::Response;
use mizan_core::channels::{CHANNELS_EXTENSION, ChannelSpec, Channels, REVISIONS_CHANNEL};
use mizan_core::{ErrorCode, FunctionError};

pub(crate) use hub::Hub;

use crate::respond::error_response;
use crate::shared::Shared;

/// Close codes the server uses (§3.5).
pub(crate) mod close {
    /// The server is done with the connection (it is shutting down the connection).
    pub(crate) const NORMAL: u16 = 1000;
    /// The client broke the WebSocket protocol.
    pub(crate) const PROTOCOL_ERROR: u16 = 1002;
    /// A frame was larger than `max_frame_bytes`.
    pub(crate) const TOO_BIG: u16 = 1009;
    /// Nothing arrived from the client within `idle_timeout`.
    pub(crate) const IDLE_TIMEOUT: u16 = 4000;
    /// The client read too slowly: its queue of `queue_len` frames filled up.
    pub(crate) const SLOW_CONSUMER: u16 = 4008;
}

/// Tungstenite's own hard cap, above which frames are refused before we see them; frames
/// between `max_frame_bytes` and this get an error frame first.
fn hard_cap(max_frame_bytes: usize) -> usize {
    max_frame_bytes.saturating_mul(4).max(16 * 1024)
}

/// Each connection's read buffer. Small, because most frames are small and memory per
/// idle connection is what bounds how many clients one instance holds; it grows for
/// larger frames. (`scripts/bench-channels`: 7.1 KiB per idle subscriber with 1 KiB,
/// 10.0 KiB with 4 KiB.)
const READ_BUFFER_BYTES: usize = 1024;

pub(crate) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return error_response(&FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("`/ws` takes WebSocket upgrades only: {rejection}"),
            ));
        }
    };
    let caller = match shared.caller(&headers) {
        Ok(caller) => caller,
        Err(error) => return error_response(&error),
    };
    // A browser sends cookies with cross-site WebSocket handshakes and offers no CORS
    // protection for them: a cookie-authenticated connection must come from our origin.
    if !caller.csrf_ok && !same_origin(&headers) {
        return error_response(&FunctionError::from_code(
            ErrorCode::CsrfFailed,
            "a cookie-authenticated WebSocket must come from the server's own origin; \
             or authenticate with an `auth` frame",
        ));
    }
    shared.hub.ensure_started(&shared.config.channel_layer);
    let limits = shared.config.limits.channels;
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(hard_cap(limits.max_frame_bytes))
        .max_frame_size(hard_cap(limits.max_frame_bytes))
        .on_upgrade(move |socket| connection::serve(socket, shared, caller.identity))
}

fn same_origin(headers: &HeaderMap) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match (header(ORIGIN), header(HOST)) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

impl Shared {
    /// The channel named `name`: the application's, or the system channel.
    pub(crate) fn channel(&self, name: &str) -> Result<&ChannelSpec, FunctionError> {
        let found = match self.registry.get_extension::<Channels>(CHANNELS_EXTENSION) {
            Some(channels) => channels.get(name),
            None => (name == REVISIONS_CHANNEL).then(Channels::revisions),
        };
        found.ok_or_else(|| {
            FunctionError::from_code(
                ErrorCode::NotFound,
                format!("no channel is named `{name}`; see the schema's `channels` section"),
            )
        })
    }
}
