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
use super::layer::ChannelLayer;
use super::topic::Topic;
use crate::cache::escape_glob;

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
pub struct RedisLayer {
    connection: ConnectionManager,
    channel: String,
    prefix: String,
    local: broadcast::Sender<Publication>,
    operation_timeout: Duration,
    /// How many pub/sub subscriptions the receiving task has made: `0` before the first.
    subscriptions: watch::Receiver<u64>,
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
        let (layer, mut subscriptions) = Self::spawn(url, prefix)?;
        tokio::time::timeout(Duration::from_secs(5), subscriptions.wait_for(|made| *made > 0))
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

    fn spawn(url: &str, prefix: &str) -> Result<(Self, watch::Receiver<u64>), ChannelError> {
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
        let local = broadcast::channel(super::InProcessLayer::DEFAULT_CAPACITY).0;
        let (made, subscriptions) = watch::channel(0);
        let task = tokio::spawn(receive_loop(client, channel.clone(), local.clone(), made));
        let layer = Self {
            connection,
            channel,
            prefix: prefix.to_owned(),
            local,
            operation_timeout: Duration::from_secs(2),
            subscriptions: subscriptions.clone(),
            _receiver: Arc::new(AbortOnDrop(task)),
        };
        Ok((layer, subscriptions))
    }

    /// The Redis pub/sub channel this layer uses.
    pub fn redis_channel(&self) -> &str {
        &self.channel
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

/// Subscribes, delivers, and after the connection drops (Redis restarted, the network cut)
/// subscribes again with a capped backoff: a redis-rs pub/sub connection does not come back
/// by itself. Each subscription made counts in `made`, so the server can resync its
/// clients for what was published meanwhile.
async fn receive_loop(
    client: Client,
    channel: String,
    local: broadcast::Sender<Publication>,
    made: watch::Sender<u64>,
) {
    let mut backoff = Duration::from_millis(50);
    loop {
        match subscribe(&client, &channel).await {
            Ok(pubsub) => {
                backoff = Duration::from_millis(50);
                made.send_modify(|made| *made += 1);
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    match serde_json::from_slice::<Publication>(message.get_payload_bytes()) {
                        Ok(publication) => {
                            let _ = local.send(publication);
                        }
                        Err(err) => tracing::warn!(%err, channel, "ignoring a malformed publication"),
                    }
                }
                tracing::warn!(channel, "Redis pub/sub connection lost; reconnecting");
            }
            Err(err) => tracing::warn!(%err, channel, ?backoff, "Redis pub/sub unavailable; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn subscribe(client: &Client, channel: &str) -> Result<::redis::aio::PubSub, ::redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
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
        let topic = serde_json::to_string(&publication.topic).map_err(|source| ChannelError::Encode {
            channel: publication.topic.channel().to_owned(),
            source,
        })?;
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

    fn connections(&self) -> Option<watch::Receiver<u64>> {
        Some(self.subscriptions.clone())
    }
}

fn ttl_millis(history: &History) -> u64 {
    u64::try_from(history.ttl().as_millis()).unwrap_or(u64::MAX)
}
