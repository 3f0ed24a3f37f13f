//! One client connection, whatever carries it (`websocket.rs`, `sse.rs`): it answers the
//! client's frames, holds the subscriptions, enforces the limits and, when it ends, says
//! which close the transport sends. Only the framing is the transport's.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use mizan_core::channels::{Channels, History, Recovery, StreamPosition, Topic};
use mizan_core::executor::{Caller, Executor};
use mizan_core::{ErrorCode, FunctionError, RequestContext};
use serde_json::Value;

use super::close;
use super::frames::{self, ClientFrame};
use super::hub::Hub;
use super::queue::{Outbound, Outbox};
use crate::auth;
use crate::config::Config;
use crate::limits::exceeds_depth;

/// What the transport read from the client.
pub(crate) enum Incoming {
    /// A frame's text.
    Text(String),
    /// A frame that is not text, of this many bytes.
    Binary(usize),
    /// Something that only shows the client is there (a WebSocket ping).
    Alive,
    /// The transport cannot go on.
    End(End),
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The client closed or the transport failed.
    Gone,
    /// Nothing arrived within the idle timeout.
    Idle,
    /// A frame was over the size limit.
    TooBig,
    /// The client broke the transport's protocol.
    Protocol,
    /// The client read too slowly: its queue filled up.
    Slow,
}

impl End {
    /// The close code and reason the transport sends (`spec/PROTOCOL.md` §3.5), if any.
    pub(crate) fn close(self) -> Option<(u16, &'static str)> {
        match self {
            Self::Gone => None,
            Self::Idle => Some((close::IDLE_TIMEOUT, "idle timeout")),
            Self::TooBig => Some((close::TOO_BIG, "frame exceeds max_frame_bytes")),
            Self::Protocol => Some((close::PROTOCOL_ERROR, "protocol error")),
            Self::Slow => Some((close::SLOW_CONSUMER, "slow consumer: queue full")),
        }
    }
}

/// A subscription just made: its topic and, on a channel with history, what was
/// recovered and whether the client asked (`since`).
struct Subscribed {
    topic: Topic,
    recovery: Option<(Recovery, bool)>,
}

pub(crate) struct Connection {
    id: u64,
    executor: Arc<Executor>,
    hub: Arc<Hub>,
    config: Arc<Config>,
    /// Who is calling (an `auth` frame replaces the identity) and the handshake's parts.
    caller: Caller,
    topics: HashSet<Topic>,
    outbox: Outbox,
    /// Where the client last was on one topic, from the transport's own resume point
    /// (SSE's `Last-Event-ID`): a subscribe to that topic without `since` uses it.
    resume: Option<(Topic, StreamPosition)>,
}

impl Drop for Connection {
    // Also when the transport ends first and the connection's future is dropped: every
    // connection that opened (`ws_opened` in `new`) closes here once.
    fn drop(&mut self) {
        for topic in std::mem::take(&mut self.topics) {
            self.hub.unsubscribe(&topic, self.id);
            self.leave_presence(&topic);
        }
        self.executor.metrics().ws_closed();
    }
}

impl Connection {
    pub(crate) fn new(
        executor: Arc<Executor>,
        hub: Arc<Hub>,
        config: Arc<Config>,
        mut caller: Caller,
        outbox: Outbox,
    ) -> Self {
        executor.metrics().ws_opened();
        // Kept for the connection's life: without the handshake's read buffer.
        caller.request = Arc::new(caller.request.detached());
        Self {
            id: hub.connection_id(),
            executor,
            hub,
            config,
            caller,
            topics: HashSet::new(),
            outbox,
            resume: None,
        }
    }

    /// Resumes `topic` from `position` on its first subscribe without `since`.
    pub(crate) fn resume_from(&mut self, topic: Topic, position: StreamPosition) {
        self.resume = Some((topic, position));
    }

    /// Answers the client's frames until it goes, idles, breaks a limit or reads too
    /// slowly; then ends the subscriptions and queues the close the transport sends
    /// (on `Slow` the queue is full: the transport watches the overflow itself).
    pub(crate) async fn serve(mut self, incoming: impl Stream<Item = Incoming> + Unpin) -> End {
        let overflow = self.outbox.overflowed();
        let end = tokio::select! {
            biased;
            () = overflow.raised() => End::Slow,
            end = self.read(incoming) => end,
        };
        if end == End::Slow {
            self.executor.metrics().ws_slow_consumer();
            tracing::info!("channel client too slow: its queue is full; disconnecting (4008)");
        } else if let Some((code, reason)) = end.close() {
            self.outbox.push(Outbound::Close(code, reason));
        }
        end
    }

    async fn read(&mut self, mut incoming: impl Stream<Item = Incoming> + Unpin) -> End {
        let limits = self.config.limits.channels;
        loop {
            let expiry = self.token_expiry();
            let next = tokio::select! {
                next = tokio::time::timeout(limits.idle_timeout, incoming.next()) => next,
                () = until(expiry) => {
                    self.expire();
                    continue;
                }
            };
            match next {
                Err(_) => return End::Idle,
                Ok(None) => return End::Gone,
                Ok(Some(Incoming::End(end))) => return end,
                Ok(Some(Incoming::Alive)) => {}
                Ok(Some(Incoming::Text(text))) => {
                    if text.len() > limits.max_frame_bytes {
                        self.reply_too_big();
                        return End::TooBig;
                    }
                    // Boxed: answering (authorize hooks, handlers) needs ~2 KB of future,
                    // which inline would sit in every idle connection's task for good.
                    Box::pin(self.answer(&text)).await;
                }
                Ok(Some(Incoming::Binary(len))) => {
                    if len > limits.max_frame_bytes {
                        self.reply_too_big();
                        return End::TooBig;
                    }
                    self.reply_error(
                        &Value::Null,
                        &FunctionError::from_code(ErrorCode::BadRequest, "frames are JSON text, not binary"),
                    );
                }
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
                Ok(subscribed) => {
                    let topic = subscribed.topic.clone();
                    self.start(&id, subscribed).await;
                    return self.join_presence(&topic).await;
                }
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
            ClientFrame::Presence { channel, params } => self.presence(&id, &channel, params).await,
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
            self.leave_presence(&topic);
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
            let history = history.as_ref().map(History::size);
            self.hub
                .subscribe(topic.clone(), self.id, self.outbox.clone(), history);
            self.topics.insert(topic.clone());
        }
        let Some(history) = history else {
            return Ok(Subscribed {
                topic,
                recovery: None,
            });
        };
        // Already subscribed: the client has everything, live; only the position is new.
        let resumed = match (fresh, since) {
            (true, None) => self.resume.take_if(|(on, _)| *on == topic).map(|(_, at)| at),
            _ => None,
        };
        let since = since.filter(|_| fresh).or(resumed.as_ref());
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

    /// Acks a subscribe, then replays what it recovered, then what was published
    /// meanwhile, then live publications. Replays may be longer than the queue: they
    /// wait for room instead of overflowing it.
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
        self.hub.replaying(&topic, self.id, position);
        for publication in &publications {
            self.outbox.push_waiting(Outbound::message(publication)).await;
        }
        loop {
            let waiting = self.hub.take_waiting(&topic, self.id);
            if waiting.is_empty() {
                return;
            }
            for frame in waiting {
                self.outbox.push_waiting(frame).await;
            }
        }
    }

    fn unsubscribe(&mut self, channel: &str, params: Value) -> Result<Topic, FunctionError> {
        let topic = Channels::find(self.executor.registry(), channel)?.topic(params)?;
        if self.topics.remove(&topic) {
            self.hub.unsubscribe(&topic, self.id);
            self.leave_presence(&topic);
        }
        Ok(topic)
    }

    /// On a channel with presence, lists the connection's identity as a member of the
    /// topic it just subscribed to (anonymous connections are not listed), after the ack:
    /// the member hears its own join after it, and a query it sends next lists it. A
    /// layer that fails is retried by the heartbeat.
    async fn join_presence(&self, topic: &Topic) {
        let Ok(spec) = Channels::find(self.executor.registry(), topic.channel()) else {
            return;
        };
        let (Some(presence), Some(identity)) = (spec.presence(), &self.caller.identity) else {
            return;
        };
        let presence_hub = &self.hub.presence;
        let member = presence.member(presence_hub.client_id(self.id), identity);
        let layer = self.config.channel_layer.as_ref();
        if let Err(err) = presence_hub.join(layer, topic, self.id, member).await {
            tracing::warn!(%err, %topic, "presence join failed; the heartbeat retries it");
        }
    }

    fn leave_presence(&self, topic: &Topic) {
        self.hub
            .presence
            .leave(&self.config.channel_layer, topic, self.id);
    }

    /// Answers a presence query on a topic this connection is subscribed to.
    async fn presence(
        &self,
        id: &Value,
        channel: &str,
        params: Value,
    ) -> Result<axum::extract::ws::Utf8Bytes, FunctionError> {
        let spec = Channels::find(self.executor.registry(), channel)?;
        if spec.presence().is_none() {
            return Err(FunctionError::from_code(
                ErrorCode::BadRequest,
                format!("channel `{channel}` keeps no presence"),
            ));
        }
        let topic = spec.topic(params)?;
        if !self.topics.contains(&topic) {
            return Err(FunctionError::from_code(
                ErrorCode::Forbidden,
                "subscribe to the topic before asking who is there",
            ));
        }
        match self.config.channel_layer.members(&topic).await {
            Ok(members) => Ok(frames::presence(id, &topic, &members)),
            Err(err) => {
                tracing::warn!(%err, %topic, "channel presence unavailable");
                Err(FunctionError::from_code(
                    ErrorCode::Unavailable,
                    "the channel's presence is unavailable; retry",
                ))
            }
        }
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
