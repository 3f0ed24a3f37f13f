//! [`RedisLayer`]: publications carried between instances by Redis pub/sub, histories
//! kept in Redis Streams.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, FromRedisValue, Script, cmd};
use async_trait::async_trait;
use futures::StreamExt;
use serde_json::value::RawValue;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::error::ChannelError;
use super::history::Publication;
use super::history::{History, Recovery, StreamPosition, new_epoch};
use super::layer::{ChannelLayer, Link};
use super::presence::{DEFAULT_PRESENCE_TTL, Member, PresenceEvent, PresenceLayer};
use super::topic::Topic;
use crate::cache::{NOW_MS, escape_glob};

const NAME: &str = "redis";

fn unavailable(err: &dyn std::fmt::Display) -> ChannelError {
    ChannelError::Unavailable {
        layer: NAME,
        message: err.to_string(),
    }
}

/// A [`ChannelLayer`] on Redis pub/sub, for several server instances: each publication is
/// `PUBLISH`ed as JSON on the Redis channel `{prefix}channels`, and every instance
/// subscribed to it (its own included) delivers it to its local subscribers.
///
/// Instances sharing a Redis must use the same prefix to hear each other, and different
/// prefixes to stay apart (tests use one per test).
///
/// # Connections and failures
///
/// Publishing goes through a [`ConnectionManager`] (reconnects on its own); a publish
/// while Redis is unreachable fails with [`ChannelError::Unavailable`] within the operation
/// timeout. Receiving runs on a dedicated pub/sub connection in a background task that
/// reconnects with a capped backoff after the connection drops. Redis pub/sub is
/// fire-and-forget: publications made while an instance is disconnected are not delivered
/// to it. The task stops when the layer is dropped.
///
/// # History
///
/// A topic's history is the stream `{prefix}history:{topic}` (entry id `{offset}-1`, one
/// field `d` with the message), trimmed with `MAXLEN`, and the hash
/// `{prefix}history-meta:{topic}` (`e` the epoch, `o` the newest offset). One Lua script
/// assigns the offset, appends and `PUBLISH`es, so every instance hears a topic's
/// publications in offset order; both keys expire `ttl` after the last publication, and
/// the next one then starts a new epoch.
///
/// # Presence
///
/// A topic's members are the hash `{prefix}presence:{topic}` (client id → member JSON) and
/// the sorted set `{prefix}presence-exp:{topic}` (client id → expiry, in Redis's clock, ms).
/// Scripts list, refresh, sweep and drop members and `PUBLISH` each change as JSON on
/// `{prefix}presence`, which the receiving task also listens to. Both keys expire one
/// [`presence_ttl`](PresenceLayer::presence_ttl) after the topic's last touch.
pub struct RedisLayer {
    connection: ConnectionManager,
    channel: String,
    presence_channel: String,
    prefix: String,
    local: broadcast::Sender<Publication>,
    presence_events: broadcast::Sender<PresenceEvent>,
    presence_ttl: Duration,
    operation_timeout: Duration,
    /// The receiving task's pub/sub subscription: how many it has made, and whether the
    /// newest still stands.
    link: watch::Receiver<Link>,
    /// Stops the receiving task when the last clone of the layer goes.
    _receiver: Arc<AbortOnDrop>,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::fmt::Debug for RedisLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLayer")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl RedisLayer {
    /// The prefix used by [`connect`](Self::connect) callers that do not need another.
    pub const DEFAULT_PREFIX: &'static str = "mizan:";

    /// Connects to the Redis at `url` (`redis://127.0.0.1:6379`), publishing and listening
    /// on `{prefix}channels`. Returns once the subscription is active, so a publication
    /// made afterwards on any instance is heard.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when Redis does not answer within a few seconds.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, ChannelError> {
        let (layer, mut link) = Self::spawn(url, prefix)?;
        tokio::time::timeout(Duration::from_secs(5), link.wait_for(|link| link.joined))
            .await
            .map_err(|_| unavailable(&"no pub/sub subscription within 5s"))?
            .map_err(|e| unavailable(&e))?;
        Ok(layer)
    }

    /// The layer [`connect`](Self::connect) makes, without waiting for Redis: it connects
    /// and subscribes in the background (and keeps retrying), so a synchronous
    /// configuration (`Config::from_env`) can set it up. Publications made on other
    /// instances before the subscription is active are not heard.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when `url` is not a Redis URL or no Tokio runtime runs.
    pub fn start(url: &str, prefix: &str) -> Result<Self, ChannelError> {
        Self::spawn(url, prefix).map(|(layer, _)| layer)
    }

    fn spawn(url: &str, prefix: &str) -> Result<(Self, watch::Receiver<Link>), ChannelError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(unavailable(
                &"a RedisLayer must be started inside a Tokio runtime",
            ));
        }
        let client = Client::open(url).map_err(|e| unavailable(&e))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)));
        let connection =
            ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(|e| unavailable(&e))?;
        let channel = format!("{prefix}channels");
        let presence_channel = format!("{prefix}presence");
        let local = broadcast::channel(super::InProcessLayer::DEFAULT_CAPACITY).0;
        let presence_events = broadcast::channel(super::InProcessLayer::DEFAULT_CAPACITY).0;
        let (joined, link) = watch::channel(Link::default());
        let receiver = Receiver {
            channel: channel.clone(),
            presence_channel: presence_channel.clone(),
            local: local.clone(),
            presence_events: presence_events.clone(),
        };
        let task = tokio::spawn(receive_loop(client, receiver, joined));
        let layer = Self {
            connection,
            channel,
            presence_channel,
            prefix: prefix.to_owned(),
            local,
            presence_events,
            presence_ttl: DEFAULT_PRESENCE_TTL,
            operation_timeout: Duration::from_secs(2),
            link: link.clone(),
            _receiver: Arc::new(AbortOnDrop(task)),
        };
        Ok((layer, link))
    }

    /// The Redis pub/sub channel this layer uses.
    pub fn redis_channel(&self) -> &str {
        &self.channel
    }

    /// Presence entries live `ttl` after their last touch (default 30 s, at least 1 ms):
    /// how long the members of an instance that died without cleanup stay listed.
    #[must_use]
    pub fn with_presence_ttl(mut self, ttl: Duration) -> Self {
        self.presence_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// The keys of a topic's presence: the member hash, then the expiry set.
    fn presence_keys(&self, topic: &Topic) -> (String, String) {
        (
            format!("{}presence:{topic}", self.prefix),
            format!("{}presence-exp:{topic}", self.prefix),
        )
    }

    /// Deletes the history of every topic under this layer's prefix (every epoch starts
    /// anew: subscribers recovering from before get `recovered: false`) and returns how
    /// many keys it deleted. Walks the keyspace with `SCAN`: for tests and maintenance.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when Redis does not answer.
    pub async fn clear_history(&self) -> Result<u64, ChannelError> {
        let pattern = format!("{}history*", escape_glob(&self.prefix));
        let mut connection = self.connection.clone();
        let mut cursor = 0_u64;
        let mut deleted = 0;
        loop {
            let mut scan = cmd("SCAN");
            scan.arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(1000);
            let (next, keys): (u64, Vec<String>) = scan
                .query_async(&mut connection)
                .await
                .map_err(|e| unavailable(&e))?;
            if !keys.is_empty() {
                deleted += cmd("DEL")
                    .arg(keys)
                    .query_async::<u64>(&mut connection)
                    .await
                    .map_err(|e| unavailable(&e))?;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    /// The keys of a topic's history: the stream, then its meta hash.
    fn history_keys(&self, topic: &Topic) -> (String, String) {
        (
            format!("{}history:{topic}", self.prefix),
            format!("{}history-meta:{topic}", self.prefix),
        )
    }

    /// Runs a script, within the operation timeout.
    async fn run<T: FromRedisValue>(
        &self,
        invocation: ::redis::ScriptInvocation<'_>,
    ) -> Result<T, ChannelError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.operation_timeout, invocation.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(unavailable(&err)),
            Err(_) => Err(unavailable(&format!(
                "no reply within {:?}",
                self.operation_timeout
            ))),
        }
    }
}

/// KEYS: stream, meta. ARGV: size, ttl (ms), topic JSON, data JSON, pub/sub channel, a
/// fresh epoch for a topic without history. Returns `{offset, epoch}`.
static APPEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[6]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch)
end
local offset = redis.call('HINCRBY', KEYS[2], 'o', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], offset .. '-1', 'd', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[5], '{"topic":' .. ARGV[3] .. ',"data":' .. ARGV[4] ..
  ',"position":{"offset":' .. offset .. ',"epoch":"' .. epoch .. '"}}')
return {offset, epoch}
"#,
    )
});

/// KEYS: stream, meta. ARGV: ttl (ms), a fresh epoch, the offset asked for (or ""), its
/// epoch. Returns `{newest offset, epoch, recovered (0|1), [message, ...]}`.
static RECOVER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[2]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
local top = tonumber(redis.call('HGET', KEYS[2], 'o') or '0')
if ARGV[3] == '' then return {top, epoch, 1, {}} end
local since = tonumber(ARGV[3])
if ARGV[4] ~= epoch or since > top then return {top, epoch, 0, {}} end
if since == top then return {top, epoch, 1, {}} end
local first = (since + 1) .. '-1'
local entries = redis.call('XRANGE', KEYS[1], first, '+')
if #entries == 0 or entries[1][1] ~= first then return {top, epoch, 0, {}} end
local messages = {}
for i, entry in ipairs(entries) do messages[i] = entry[2][2] end
return {top, epoch, 1, messages}
"#,
    )
});

/// KEYS: member hash, expiry set. ARGV: ttl (ms), presence pub/sub channel, topic JSON,
/// then a client id and its member JSON per member. Sweeps, then lists or refreshes.
static TOUCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW_MS}{}",
        r#"
local ttl = tonumber(ARGV[1])
local function announce(change, member)
  redis.call('PUBLISH', ARGV[2], '{"topic":' .. ARGV[3] .. ',"change":"' .. change .. '","member":' .. member .. '}')
end
for _, client in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  local member = redis.call('HGET', KEYS[1], client)
  redis.call('ZREM', KEYS[2], client)
  redis.call('HDEL', KEYS[1], client)
  if member then announce('leave', member) end
end
for i = 4, #ARGV, 2 do
  if redis.call('ZADD', KEYS[2], now + ttl, ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    announce('join', ARGV[i + 1])
  end
end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 0
"#
    ))
});

/// KEYS: member hash, expiry set. ARGV: client id, presence pub/sub channel, topic JSON.
static LEAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local member = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 and member then
  redis.call('PUBLISH', ARGV[2], '{"topic":' .. ARGV[3] .. ',"change":"leave","member":' .. member .. '}')
end
return 0
"#,
    )
});

/// KEYS: member hash, expiry set. Returns the JSON of every member not expired.
static MEMBERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW_MS}{}",
        r#"
local members = {}
for _, client in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')) do
  local member = redis.call('HGET', KEYS[1], client)
  if member then members[#members + 1] = member end
end
return members
"#
    ))
});

/// Where the receiving task hands what arrives on each pub/sub channel.
struct Receiver {
    channel: String,
    presence_channel: String,
    local: broadcast::Sender<Publication>,
    presence_events: broadcast::Sender<PresenceEvent>,
}

impl Receiver {
    fn hand(&self, message: &::redis::Msg) {
        let payload = message.get_payload_bytes();
        if message.get_channel_name() == self.presence_channel {
            match serde_json::from_slice::<PresenceEvent>(payload) {
                Ok(event) => {
                    let _ = self.presence_events.send(event);
                }
                Err(err) => {
                    tracing::warn!(%err, channel = self.presence_channel, "ignoring a malformed presence event")
                }
            }
            return;
        }
        match serde_json::from_slice::<Publication>(payload) {
            Ok(publication) => {
                let _ = self.local.send(publication);
            }
            Err(err) => tracing::warn!(%err, channel = self.channel, "ignoring a malformed publication"),
        }
    }
}

/// Subscribes, delivers, and after the connection drops (Redis restarted, the network cut)
/// subscribes again with a capped backoff: a redis-rs pub/sub connection does not come back
/// by itself. `link` follows the subscription: the server resyncs its clients for what was
/// published meanwhile, and stops trusting what it heard while it was apart.
async fn receive_loop(client: Client, receiver: Receiver, link: watch::Sender<Link>) {
    let channel = &receiver.channel;
    let mut backoff = Duration::from_millis(50);
    loop {
        match subscribe(&client, &receiver).await {
            Ok(pubsub) => {
                backoff = Duration::from_millis(50);
                link.send_modify(|link| {
                    link.joins += 1;
                    link.joined = true;
                });
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    receiver.hand(&message);
                }
                link.send_modify(|link| link.joined = false);
                tracing::warn!(channel, "Redis pub/sub connection lost; reconnecting");
            }
            Err(err) => tracing::warn!(%err, channel, ?backoff, "Redis pub/sub unavailable; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn subscribe(
    client: &Client,
    receiver: &Receiver,
) -> Result<::redis::aio::PubSub, ::redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub
        .subscribe(&[receiver.channel.as_str(), receiver.presence_channel.as_str()])
        .await?;
    Ok(pubsub)
}

#[async_trait]
impl ChannelLayer for RedisLayer {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn publish(&self, publication: Publication) -> Result<(), ChannelError> {
        let payload = serde_json::to_vec(&publication).map_err(|source| ChannelError::Encode {
            channel: publication.topic.channel().to_owned(),
            source,
        })?;
        let mut connection = self.connection.clone();
        let mut command = cmd("PUBLISH");
        command.arg(&self.channel).arg(payload);
        let publish = command.query_async::<i64>(&mut connection);
        match tokio::time::timeout(self.operation_timeout, publish).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(ChannelError::Unavailable {
                layer: NAME,
                message: err.to_string(),
            }),
            Err(_) => Err(ChannelError::Unavailable {
                layer: NAME,
                message: format!("no reply within {:?}", self.operation_timeout),
            }),
        }
    }

    async fn append(
        &self,
        publication: Publication,
        history: &History,
    ) -> Result<StreamPosition, ChannelError> {
        let topic = topic_json(&publication.topic)?;
        let (stream, meta) = self.history_keys(&publication.topic);
        let mut invocation = APPEND.prepare_invoke();
        invocation
            .key(stream)
            .key(meta)
            .arg(history.size())
            .arg(ttl_millis(history))
            .arg(topic)
            .arg(publication.data.get())
            .arg(&self.channel)
            .arg(new_epoch());
        let (offset, epoch): (u64, String) = self.run(invocation).await?;
        Ok(StreamPosition { offset, epoch })
    }

    async fn recover(
        &self,
        topic: &Topic,
        history: &History,
        since: Option<&StreamPosition>,
    ) -> Result<Recovery, ChannelError> {
        let (stream, meta) = self.history_keys(topic);
        let mut invocation = RECOVER.prepare_invoke();
        invocation
            .key(stream)
            .key(meta)
            .arg(ttl_millis(history))
            .arg(new_epoch())
            .arg(since.map_or(String::new(), |since| since.offset.to_string()))
            .arg(since.map_or("", |since| since.epoch.as_str()));
        let (top, epoch, recovered, messages): (u64, String, u8, Vec<String>) = self.run(invocation).await?;
        let first = top + 1 - messages.len() as u64;
        let publications = messages
            .into_iter()
            .zip(first..)
            .map(|(data, offset)| {
                let data = RawValue::from_string(data)
                    .map_err(|err| unavailable(&format!("a stored message is not JSON: {err}")))?;
                Ok(Publication {
                    topic: topic.clone(),
                    data,
                    position: Some(StreamPosition {
                        offset,
                        epoch: epoch.clone(),
                    }),
                })
            })
            .collect::<Result<_, ChannelError>>()?;
        Ok(Recovery {
            position: StreamPosition { offset: top, epoch },
            publications,
            recovered: recovered == 1,
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<Publication> {
        self.local.subscribe()
    }

    fn connections(&self) -> Option<watch::Receiver<Link>> {
        Some(self.link.clone())
    }
}

#[async_trait]
impl PresenceLayer for RedisLayer {
    fn presence_ttl(&self) -> Duration {
        self.presence_ttl
    }

    async fn touch(&self, topic: &Topic, members: &[Member]) -> Result<(), ChannelError> {
        let (hash, expiries) = self.presence_keys(topic);
        let mut invocation = TOUCH.prepare_invoke();
        invocation
            .key(hash)
            .key(expiries)
            .arg(u64::try_from(self.presence_ttl.as_millis()).unwrap_or(u64::MAX))
            .arg(&self.presence_channel)
            .arg(topic_json(topic)?);
        for member in members {
            invocation.arg(&member.client).arg(member_json(topic, member)?);
        }
        self.run::<u8>(invocation).await.map(drop)
    }

    async fn leave(&self, topic: &Topic, client: &str) -> Result<(), ChannelError> {
        let (hash, expiries) = self.presence_keys(topic);
        let mut invocation = LEAVE.prepare_invoke();
        invocation
            .key(hash)
            .key(expiries)
            .arg(client)
            .arg(&self.presence_channel)
            .arg(topic_json(topic)?);
        self.run::<u8>(invocation).await.map(drop)
    }

    async fn members(&self, topic: &Topic) -> Result<Vec<Member>, ChannelError> {
        let (hash, expiries) = self.presence_keys(topic);
        let mut invocation = MEMBERS.prepare_invoke();
        invocation.key(hash).key(expiries);
        let members: Vec<String> = self.run(invocation).await?;
        members
            .iter()
            .map(|member| {
                serde_json::from_str(member)
                    .map_err(|err| unavailable(&format!("a stored presence member is not one: {err}")))
            })
            .collect()
    }

    fn presence_events(&self) -> broadcast::Receiver<PresenceEvent> {
        self.presence_events.subscribe()
    }
}

fn topic_json(topic: &Topic) -> Result<String, ChannelError> {
    serde_json::to_string(topic).map_err(|source| ChannelError::Encode {
        channel: topic.channel().to_owned(),
        source,
    })
}

fn member_json(topic: &Topic, member: &Member) -> Result<String, ChannelError> {
    serde_json::to_string(member).map_err(|source| ChannelError::Encode {
        channel: topic.channel().to_owned(),
        source,
    })
}

fn ttl_millis(history: &History) -> u64 {
    u64::try_from(history.ttl().as_millis()).unwrap_or(u64::MAX)
}
