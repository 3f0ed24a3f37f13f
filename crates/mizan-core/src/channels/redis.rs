//! [`RedisLayer`]: publications carried between instances by Redis pub/sub.

use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, cmd};
use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::error::ChannelError;
use super::layer::{ChannelLayer, Publication};

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
pub struct RedisLayer {
    connection: ConnectionManager,
    channel: String,
    local: broadcast::Sender<Publication>,
    operation_timeout: Duration,
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
        let (layer, mut ready) = Self::spawn(url, prefix)?;
        tokio::time::timeout(Duration::from_secs(5), ready.wait_for(|ready| *ready))
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

    fn spawn(url: &str, prefix: &str) -> Result<(Self, watch::Receiver<bool>), ChannelError> {
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
        let (ready_tx, ready_rx) = watch::channel(false);
        let task = tokio::spawn(receive_loop(client, channel.clone(), local.clone(), ready_tx));
        let layer = Self {
            connection,
            channel,
            local,
            operation_timeout: Duration::from_secs(2),
            _receiver: Arc::new(AbortOnDrop(task)),
        };
        Ok((layer, ready_rx))
    }

    /// The Redis pub/sub channel this layer uses.
    pub fn redis_channel(&self) -> &str {
        &self.channel
    }
}

async fn receive_loop(
    client: Client,
    channel: String,
    local: broadcast::Sender<Publication>,
    ready: watch::Sender<bool>,
) {
    let mut backoff = Duration::from_millis(50);
    loop {
        match subscribe(&client, &channel).await {
            Ok(pubsub) => {
                backoff = Duration::from_millis(50);
                ready.send_replace(true);
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

    fn subscribe(&self) -> broadcast::Receiver<Publication> {
        self.local.subscribe()
    }
}
