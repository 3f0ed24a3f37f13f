//! [`Publisher`]: publishing from server code.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::channel::ChannelDef;
use super::error::ChannelError;
use super::extension::{CHANNELS_EXTENSION, Channels};
use super::history::History;
use super::history::Publication;
use super::layer::ChannelLayer;
use super::topic::Topic;
use crate::registry::Registry;

/// Publishes typed messages on channels through the instance's [`ChannelLayer`]. The HTTP
/// adapter puts one in the state, so any function handler can publish:
///
/// ```
/// use mizan_core::channels::{ChannelKey, InProcessLayer, Publisher};
/// use mizan_core::{Ctx, FunctionError};
///
/// #[derive(serde::Serialize)]
/// struct Room { room: u32 }
///
/// const CHAT: ChannelKey<Room, String> = ChannelKey::new("chat_room");
///
/// async fn announce(ctx: Ctx, text: String) -> Result<(), FunctionError> {
///     let publisher = ctx.state::<Publisher>()?;
///     publisher.publish(&CHAT, &Room { room: 42 }, &text).await.map_err(|err| {
///         tracing::warn!(%err, "announcement lost");
///         FunctionError::from_code(mizan_core::ErrorCode::Unavailable, "try again")
///     })
/// }
/// # let _ = Publisher::new(std::sync::Arc::new(InProcessLayer::new()));
/// ```
#[derive(Clone)]
pub struct Publisher {
    layer: Arc<dyn ChannelLayer>,
    /// The history of each channel that keeps one: its publications are appended to it.
    histories: Arc<HashMap<String, History>>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("layer", &self.layer.name())
            .finish()
    }
}

impl Publisher {
    /// A publisher on `layer`, for channels that keep no history.
    pub fn new(layer: Arc<dyn ChannelLayer>) -> Self {
        Self {
            layer,
            histories: Arc::default(),
        }
    }

    /// A publisher on `layer` that keeps the history of every channel of `registry` that
    /// declares one.
    pub fn for_registry(layer: Arc<dyn ChannelLayer>, registry: &Registry) -> Self {
        let histories = registry
            .get_extension::<Channels>(CHANNELS_EXTENSION)
            .into_iter()
            .flat_map(Channels::iter)
            .filter_map(|spec| Some((spec.name().to_owned(), *spec.history()?)))
            .collect();
        Self {
            layer,
            histories: Arc::new(histories),
        }
    }

    /// Publishes `message` on the topic of `channel` with `params`, to every subscriber on
    /// every instance.
    ///
    /// # Errors
    ///
    /// When the parameters or the message do not serialize, or the layer is unavailable.
    pub async fn publish<D: ChannelDef>(
        &self,
        channel: &D,
        params: &D::Params,
        message: &D::Message,
    ) -> Result<(), ChannelError> {
        let name = channel.channel_name();
        let encode = |source| ChannelError::Encode {
            channel: name.to_owned(),
            source,
        };
        let params = serde_json::to_value(params).map_err(encode)?;
        let data = serde_json::value::to_raw_value(message).map_err(encode)?;
        let topic = Topic::new(name, &params).map_err(|source| ChannelError::Canonical {
            channel: name.to_owned(),
            source,
        })?;
        let publication = Publication::new(topic, data);
        match self.histories.get(name) {
            Some(history) => self.layer.append(publication, history).await.map(drop),
            None => self.layer.publish(publication).await,
        }
    }

    /// Publishes JSON on a channel by name: the untyped form of
    /// [`publish`](Self::publish), for code that has no channel type at hand.
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish).
    pub async fn publish_value(
        &self,
        channel: &str,
        params: &Value,
        message: &Value,
    ) -> Result<(), ChannelError> {
        self.publish(
            &super::ChannelKey::<Value, Value>::named(channel),
            params,
            message,
        )
        .await
    }

    /// The layer publications go through.
    pub fn layer(&self) -> &Arc<dyn ChannelLayer> {
        &self.layer
    }
}
