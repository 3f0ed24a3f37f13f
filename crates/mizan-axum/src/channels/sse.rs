//! The Server-Sent Events transport, for networks that refuse WebSocket upgrades: the
//! server's frames are the events of one `GET` stream, the client's frames are `POST`s
//! naming the stream's session (`spec/PROTOCOL.md` §3.9).
//!
//! The stream starts with a `session` event (`{"session":ID}`, the id the `POST`s carry);
//! every frame is then one unnamed event whose data is the frame, and a `message` frame on
//! a channel with history carries its resume point as the event id, which a client sends
//! back as `Last-Event-ID` to recover from there. The stream ends with a `close` event
//! (`{"code":N,"reason":TEXT}`, the WebSocket close codes of §3.5).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use mizan_core::channels::{StreamPosition, Topic};
use mizan_core::executor::{Caller, Executor};
use mizan_core::{ErrorCode, FunctionError};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use super::close;
use super::connection::{Connection, Incoming};
use super::frames::ResumePoint;
use super::hub::Hub;
use super::queue::{self, Outbound, Outgoing};
use crate::config::Config;

/// Client frames a session holds before the next `POST` waits for room.
const INBOUND_LEN: usize = 16;

/// The open SSE sessions of this instance: where each one's `POST`ed frames go.
#[derive(Default)]
pub(crate) struct Sessions {
    open: Mutex<HashMap<String, mpsc::Sender<Incoming>>>,
}

/// What a `POST` to a session came to.
pub(crate) enum Delivered {
    Yes,
    /// No such session (never opened, or already ended).
    NoSession,
}

impl Sessions {
    /// Opens a session for `caller` and answers with its event stream. `resume` is the
    /// client's `Last-Event-ID`, already read.
    pub(crate) fn open(
        self: &Arc<Self>,
        executor: Arc<Executor>,
        hub: Arc<Hub>,
        config: Arc<Config>,
        caller: Caller,
        resume: Option<(Topic, StreamPosition)>,
    ) -> Result<Response, FunctionError> {
        let limits = config.limits.channels;
        let id = session_id()?;
        let (inbound, frames) = mpsc::channel(INBOUND_LEN);
        self.lock().insert(id.clone(), inbound);
        let (outbox, outgoing) = queue::bounded(limits.queue_len);
        let mut connection = Connection::new(executor, hub, config, caller, outbox);
        if let Some((topic, position)) = resume {
            connection.resume_from(topic, position);
        }
        // Dropped with the response body: the client went away.
        let (body_alive, body_gone) = oneshot::channel::<Infallible>();
        let sessions = self.clone();
        let session = id.clone();
        tokio::spawn(async move {
            let mut frames = frames;
            let incoming = futures::stream::poll_fn(move |cx| frames.poll_recv(cx));
            tokio::select! {
                _ = connection.serve(incoming) => {}
                _ = body_gone => {}
            }
            sessions.lock().remove(&session);
        });
        let opening = Event::default()
            .event("session")
            .data(json!({ "session": id }).to_string());
        let events = futures::stream::once(async move { opening }).chain(events(outgoing, body_alive));
        let mut response = Sse::new(events.map(Ok::<_, Infallible>))
            .keep_alive(KeepAlive::new().interval(limits.heartbeat_interval))
            .into_response();
        // Proxies that buffer responses (nginx) would hold the events back.
        response
            .headers_mut()
            .insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
        Ok(response)
    }

    /// Hands a client frame to its session, waiting while the session is behind.
    pub(crate) async fn deliver(&self, session: &str, frame: Incoming) -> Delivered {
        let Some(inbound) = self.lock().get(session).cloned() else {
            return Delivered::NoSession;
        };
        match inbound.send(frame).await {
            Ok(()) => Delivered::Yes,
            Err(_) => Delivered::NoSession,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::Sender<Incoming>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session's queue as events, ending with a `close` event: the one the connection
/// queued, `4008` once the queue overflowed, or `1000` when the connection is gone.
fn events(outgoing: Outgoing, body_alive: oneshot::Sender<Infallible>) -> impl Stream<Item = Event> {
    let overflow = outgoing.overflowed();
    futures::stream::unfold(Some((outgoing, body_alive)), move |state| {
        let overflow = overflow.clone();
        async move {
            let (mut outgoing, alive) = state?;
            if overflow.is_raised() {
                return Some((closing(close::SLOW_CONSUMER, "slow consumer: queue full"), None));
            }
            let frame = outgoing
                .next()
                .await
                .unwrap_or(Outbound::Close(close::NORMAL, ""));
            Some(match frame {
                Outbound::Text(text) => (Event::default().data(text.as_str()), Some((outgoing, alive))),
                Outbound::Message(shared) => {
                    let event = Event::default().data(shared.frame.as_str());
                    let event = match &shared.id {
                        Some(id) => event.id(id.as_str()),
                        None => event,
                    };
                    (event, Some((outgoing, alive)))
                }
                Outbound::Close(code, reason) => (closing(code, reason), None),
            })
        }
    })
}

fn closing(code: u16, reason: &str) -> Event {
    Event::default()
        .event("close")
        .data(json!({ "code": code, "reason": reason }).to_string())
}

/// 128 random bits, hex: knowing a session's id is what lets a `POST` speak for it.
fn session_id() -> Result<String, FunctionError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| {
        tracing::error!(%err, "no randomness for an SSE session id");
        FunctionError::from_code(ErrorCode::Unavailable, "cannot open a channel stream now; retry")
    })?;
    Ok(hex::encode(bytes))
}

/// Reads a `Last-Event-ID`: a resume point this server sent as an event id.
pub(crate) fn resume_point(text: &str) -> Option<(Topic, StreamPosition)> {
    let point: ResumePoint<'_> = serde_json::from_str(text).ok()?;
    let params: serde_json::Value = serde_json::from_str(point.params.get()).ok()?;
    let topic = Topic::new(point.channel.into_owned(), &params).ok()?;
    let position = StreamPosition {
        offset: point.offset,
        epoch: point.epoch.into_owned(),
    };
    Some((topic, position))
}
