//! Channel layers: how a publication reaches every server instance.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::broadcast;

use super::error::ChannelError;
use super::topic::Topic;

/// One message published on one topic, as layers carry it between instances.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Publication {
    /// Where it goes.
    pub topic: Topic,
    /// The message, as JSON text.
    pub data: Box<RawValue>,
}

/// Carries publications between server instances. Every instance's transport reads
/// [`subscribe`](Self::subscribe) and fans out to its own subscribers, so a publication
/// made on any instance reaches subscribers on all of them.
///
/// Implementations must deliver a publication to every receiver, including the publishing
/// instance's own (the transport never short-cuts local delivery), and never block
/// [`publish`](Self::publish) on slow receivers.
#[async_trait]
pub trait ChannelLayer: Send + Sync + 'static {
    /// A short name for logs and errors (`in_process`, `redis`).
    fn name(&self) -> &'static str;

    /// Sends a publication to every instance.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when the backend cannot take it; nothing is delivered.
    async fn publish(&self, publication: Publication) -> Result<(), ChannelError>;

    /// A stream of every publication from every instance, from now on. A receiver that
    /// falls behind by more than the layer's buffer skips ahead (`RecvError::Lagged`).
    fn subscribe(&self) -> broadcast::Receiver<Publication>;
}

/// The default layer: publications stay inside the process (every `Mizan` instance sharing
/// this layer hears them). Built on a tokio broadcast channel.
#[derive(Debug, Clone)]
pub struct InProcessLayer {
    sender: broadcast::Sender<Publication>,
}

impl InProcessLayer {
    /// Buffer of publications a slow receiver may fall behind by before it skips ahead.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// A layer with the default buffer.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A layer with a buffer of `capacity` publications (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity.max(1)).0,
        }
    }
}

impl Default for InProcessLayer {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl ChannelLayer for InProcessLayer {
    fn name(&self) -> &'static str {
        "in_process"
    }

    async fn publish(&self, publication: Publication) -> Result<(), ChannelError> {
        // No receiver means no instance listens yet: the publication has nowhere to go.
        let _ = self.sender.send(publication);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Publication> {
        self.sender.subscribe()
    }
}
