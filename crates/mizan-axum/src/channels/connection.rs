//! One client connection: a reader that answers frames and a writer that drains the
//! bounded queue, pings, and drops the connection when the queue overflows.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use mizan_core::channels::{Channels, Recovery, StreamPosition, Topic};
use mizan_core::{ErrorCode, FunctionError, RequestContext};
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use super::close;
use super::frames::{self, ClientFrame};
use super::hub::{Outbound, Outbox};
use mizan_core::executor::{Caller, Executor};

use super::hub::Hub;
use crate::auth;
use crate::config::Config;
use crate::limits::exceeds_depth;

/// How long a closing handshake may take before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Why the reader stopped.
enum End {
    /// The client closed or the socket failed.
    Gone,
    /// Nothing arrived within the idle timeout.
    Idle,
    /// A frame was over the size limit.
    TooBig,
    /// The client broke the WebSocket protocol.
    Protocol,
}

/// A subscription just made: its topic and, on a channel with history, what was
/// recovered and whether the client asked (`since`).
struct Subscribed {
    topic: Topic,
    recovery: Option<(Recovery, bool)>,
}

struct Connection {
    id: u64,
    executor: Arc<Executor>,
    hub: Arc<Hub>,
    config: Arc<Config>,
    /// Who is calling (an `auth` frame replaces the identity) and the handshake's parts.
    caller: Caller,
    topics: HashSet<Topic>,
    outbox: Outbox,
}

/// Serves one upgraded connection until either side ends it.
pub(crate) async fn serve(
    socket: WebSocket,
    executor: Arc<Executor>,
    hub: Arc<Hub>,
    config: Arc<Config>,
    caller: Caller,
) {
    executor.metrics().ws_connection();
    let limits = config.limits.channels;
    let (sink, stream) = socket.split();
    let (queue, frames) = mpsc::channel(limits.queue_len.max(1));
    let overflow = Arc::new(Notify::new());
    let mut writer = tokio::spawn(write(
        sink,
        frames,
        overflow.clone(),
        limits.heartbeat_interval,
        executor.clone(),
    ));
    let mut connection = Connection {
        id: hub.connection_id(),
        executor,
        hub,
        config,
        caller,
        topics: HashSet::new(),
        outbox: Outbox::new(queue, overflow),
    };
    // `None`: the writer ended first (slow consumer, dead socket) and must not be polled
    // again below.
    let end = tokio::select! {
        end = connection.read(stream) => Some(end),
        _ = &mut writer => None,
    };
    for topic in std::mem::take(&mut connection.topics) {
        connection.hub.unsubscribe(&topic, connection.id);
    }
    let closing = match end {
        Some(End::Idle) => Some((close::IDLE_TIMEOUT, "idle timeout")),
        Some(End::TooBig) => Some((close::TOO_BIG, "frame exceeds max_frame_bytes")),
        Some(End::Protocol) => Some((close::PROTOCOL_ERROR, "protocol error")),
        Some(End::Gone) | None => None,
    };
    if let Some((code, reason)) = closing {
        connection.outbox.push(Outbound::Close(code, reason));
    }
    drop(connection);
    if end.is_some() && tokio::time::timeout(CLOSE_GRACE * 2, &mut writer).await.is_err() {
        writer.abort();
    }
}

async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    mut frames: mpsc::Receiver<Outbound>,
    overflow: Arc<Notify>,
    heartbeat: Duration,
    executor: Arc<Executor>,
) {
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    let slow = |executor: &Executor| {
        executor.metrics().ws_slow_consumer();
        tracing::info!("channel client too slow: its queue is full; disconnecting (4008)");
    };
    // One registration for the whole connection: re-arming a `Notified` for every frame
    // took a lock per frame on the fan-out's hot path.
    let overflowed = overflow.notified();
    tokio::pin!(overflowed);
    loop {
        let next = tokio::select! {
            biased;
            _ = &mut overflowed => {
                slow(&executor);
                close_with(&mut sink, close::SLOW_CONSUMER, "slow consumer: queue full").await;
                return;
            }
            _ = pings.tick() => Message::Ping(Default::default()),
            frame = frames.recv() => match frame {
                Some(Outbound::Text(text)) => Message::Text(text),
                Some(Outbound::Close(code, reason)) => {
                    close_with(&mut sink, code, reason).await;
                    return;
                }
                None => {
                    close_with(&mut sink, close::NORMAL, "").await;
                    return;
                }
            },
        };
        // A client that stops reading blocks this send; the overflow signal still ends it.
        tokio::select! {
            sent = sink.send(next) => if sent.is_err() { return },
            _ = &mut overflowed => {
                slow(&executor);
                return;
            }
        }
    }
}

async fn close_with(sink: &mut SplitSink<WebSocket, Message>, code: u16, reason: &'static str) {
    let frame = Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }));
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(frame)).await;
}

impl Connection {
    async fn read(&mut self, mut stream: SplitStream<WebSocket>) -> End {
        let limits = self.config.limits.channels;
        loop {
            let expiry = self.token_expiry();
            let next = tokio::select! {
                next = tokio::time::timeout(limits.idle_timeout, stream.next()) => next,
                () = until(expiry) => {
                    self.expire();
                    continue;
                }
            };
            let message = match next {
                Err(_) => return End::Idle,
                Ok(None) => return End::Gone,
                Ok(Some(Err(err))) => return classify(err),
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    if text.len() > limits.max_frame_bytes {
                        self.reply_too_big();
                        return End::TooBig;
                    }
                    self.answer(text.as_str()).await;
                }
                Message::Binary(bytes) => {
                    if bytes.len() > limits.max_frame_bytes {
                        self.reply_too_big();
                        return End::TooBig;
                    }
                    self.reply_error(
                        &Value::Null,
                        &FunctionError::from_code(ErrorCode::BadRequest, "frames are JSON text, not binary"),
                    );
                }
                Message::Close(_) => return End::Gone,
                // Pings are answered by the WebSocket layer; any frame counts as alive.
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
    }

    async fn answer(&mut self, text: &str) {
        if exceeds_depth(text.as_bytes(), self.config.limits.max_json_depth) {
            let error = FunctionError::from_code(ErrorCode::TooDeep, "the frame is nested too deeply");
            return self.reply_error(&Value::Null, &error);
        }
        // The strict reading every input gets (duplicate names, lone surrogates: `invalid_json`).
        let value = match mizan_core::parse_json_input(text.as_bytes()) {
            Ok(value) => value,
            Err(error) => return self.reply_error(&Value::Null, &error),
        };
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        let frame: ClientFrame = match serde_json::from_value(value) {
            Ok(frame) => frame,
            Err(err) => {
                let error = FunctionError::from_code(
                    ErrorCode::BadRequest,
                    format!("not a channel frame: {err}; see spec/PROTOCOL.md §3"),
                );
                return self.reply_error(&id, &error);
            }
        };
        let reply = match frame {
            ClientFrame::Auth { token } => self.authenticate(&token).map(|()| frames::ack(&id, None)),
            ClientFrame::Subscribe {
                channel,
                params,
                since,
            } => match self.subscribe(&channel, params, since.as_ref()).await {
                Ok(subscribed) => return self.start(&id, subscribed).await,
                Err(error) => Err(error),
            },
            ClientFrame::Unsubscribe { channel, params } => self
                .unsubscribe(&channel, params)
                .map(|topic| frames::ack(&id, Some(&topic))),
            ClientFrame::Send {
                channel,
                params,
                data,
            } => self
                .receive(&channel, params, data)
                .await
                .map(|()| frames::ack(&id, None)),
            ClientFrame::Ping => Ok(frames::pong(&id)),
        };
        match reply {
            Ok(frame) => self.outbox.push(Outbound::Text(frame)),
            Err(error) => self.reply_error(&id, &error),
        }
    }

    /// The error frame before a `1009` close, for text and binary frames alike.
    fn reply_too_big(&self) {
        let max = self.config.limits.channels.max_frame_bytes;
        let error = FunctionError::from_code(
            ErrorCode::PayloadTooLarge,
            format!("frames may have at most {max} bytes (max_frame_bytes)"),
        );
        self.reply_error(&Value::Null, &error);
    }

    fn reply_error(&self, id: &Value, error: &FunctionError) {
        self.outbox.push(Outbound::Text(frames::error(id, error)));
    }

    /// When the identity's token stops being valid (its `exp` plus the leeway).
    fn token_expiry(&self) -> Option<tokio::time::Instant> {
        let exp = self.caller.identity.as_ref()?.claims.get("exp")?.as_u64()?;
        let now = auth::now_secs();
        let left = exp
            .saturating_add(self.config.token_leeway.as_secs())
            .saturating_sub(now);
        Some(tokio::time::Instant::now() + Duration::from_secs(left))
    }

    /// The token expired with no fresh one: the connection is anonymous again, and every
    /// subscription that depended on who it was ends with an `unsubscribed` frame.
    fn expire(&mut self) {
        self.caller.identity = None;
        let error = auth::unauthenticated(
            "expired",
            "the connection's token expired; send an `auth` frame with a fresh token and subscribe again",
        );
        let registry = self.executor.registry();
        let ended: Vec<Topic> = self
            .topics
            .iter()
            .filter(|topic| {
                Channels::find(registry, topic.channel()).is_ok_and(|spec| spec.depends_on_identity())
            })
            .cloned()
            .collect();
        for topic in ended {
            self.topics.remove(&topic);
            self.hub.unsubscribe(&topic, self.id);
            self.outbox
                .push(Outbound::Text(frames::unsubscribed(&topic, &error)));
        }
    }

    fn context(&self) -> RequestContext {
        self.executor.context(&self.caller)
    }

    fn authenticate(&mut self, token: &str) -> Result<(), FunctionError> {
        self.caller.identity = Some(auth::verify(&self.config, token.trim())?);
        Ok(())
    }

    /// Authorizes and registers the subscription; on a channel with history, live
    /// publications wait while the history after `since` is read.
    async fn subscribe(
        &mut self,
        channel: &str,
        params: Value,
        since: Option<&StreamPosition>,
    ) -> Result<Subscribed, FunctionError> {
        let spec = Channels::find(self.executor.registry(), channel)?;
        let topic = spec.authorize(&self.context(), params).await?;
        let history = spec.history().copied();
        let fresh = !self.topics.contains(&topic);
        if fresh {
            let max = self.config.limits.channels.max_subscriptions;
            if self.topics.len() >= max {
                return Err(FunctionError::from_code(
                    ErrorCode::LimitExceeded,
                    format!("a connection may hold at most {max} subscriptions; unsubscribe first"),
                ));
            }
            let recovering = history.is_some();
            self.hub
                .subscribe(topic.clone(), self.id, self.outbox.clone(), recovering);
            self.topics.insert(topic.clone());
        }
        let Some(history) = history else {
            return Ok(Subscribed {
                topic,
                recovery: None,
            });
        };
        // Already subscribed: the client has everything, live; only the position is new.
        let since = since.filter(|_| fresh);
        match self.config.channel_layer.recover(&topic, &history, since).await {
            Ok(recovery) => Ok(Subscribed {
                topic,
                recovery: Some((recovery, since.is_some())),
            }),
            Err(err) => {
                if fresh {
                    self.topics.remove(&topic);
                    self.hub.unsubscribe(&topic, self.id);
                }
                tracing::warn!(%err, %topic, "channel history unavailable; subscribe refused");
                Err(FunctionError::from_code(
                    ErrorCode::Unavailable,
                    "the channel's history is unavailable; retry",
                ))
            }
        }
    }

    /// Acks a subscribe, then replays what it recovered and lets live publications
    /// follow, in that order.
    async fn start(&self, id: &Value, subscribed: Subscribed) {
        let Subscribed { topic, recovery } = subscribed;
        let Some((recovery, asked)) = recovery else {
            return self.outbox.push(Outbound::Text(frames::ack(id, Some(&topic))));
        };
        let Recovery {
            position,
            publications,
            recovered,
        } = recovery;
        let ack = frames::ack_with_position(id, &topic, &position, asked.then_some(recovered));
        self.outbox.push(Outbound::Text(ack));
        for publication in &publications {
            let frame = Outbound::Text(frames::message(publication));
            self.outbox.push_waiting(frame).await;
        }
        self.hub.go_live(&topic, self.id, position);
    }

    fn unsubscribe(&mut self, channel: &str, params: Value) -> Result<Topic, FunctionError> {
        let topic = Channels::find(self.executor.registry(), channel)?.topic(params)?;
        if self.topics.remove(&topic) {
            self.hub.unsubscribe(&topic, self.id);
        }
        Ok(topic)
    }

    async fn receive(&mut self, channel: &str, params: Value, data: Value) -> Result<(), FunctionError> {
        let spec = Channels::find(self.executor.registry(), channel)?;
        self.executor
            .channel_send(self.context(), spec, params, data)
            .await
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn classify(err: axum::Error) -> End {
    match err.into_inner().downcast::<tungstenite::Error>() {
        Ok(err) if matches!(*err, tungstenite::Error::Capacity(_)) => End::TooBig,
        Ok(err)
            if matches!(
                *err,
                tungstenite::Error::Protocol(_) | tungstenite::Error::Utf8(_)
            ) =>
        {
            End::Protocol
        }
        _ => End::Gone,
    }
}
