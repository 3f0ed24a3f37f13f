//! Channels: typed publish/subscribe topics that clients reach over one multiplexed
//! WebSocket (the transport lives in the HTTP adapter; `spec/PROTOCOL.md` §3).
//!
//! - A [`Channel`] has a snake_case name, typed parameters (`chat_room` with `{room: 42}` is
//!   one [`Topic`]), a server→client message type and, when bidirectional, a client→server
//!   message type with an async handler. Access is declared like a function's, and an
//!   optional authorize hook sees the caller and the parameters.
//! - [`Channels`] is the registry extension that holds them
//!   (`registry.register_extension("channels", Channels::new().with(chat_room()))`).
//! - A [`Publisher`] (the adapter puts one in every handler's [`State`](crate::State))
//!   publishes typed messages from any server code.
//! - A [`ChannelLayer`] carries publications between server instances:
//!   [`InProcessLayer`] by default, `RedisLayer` (feature `redis`) for several instances.
//!   As a [`PresenceLayer`] it also keeps who is subscribed to the topics of channels that
//!   declare [`Presence`].
//!
//! ```
//! use mizan_core::channels::{Channel, Channels};
//! use mizan_core::{Ctx, FunctionError, Registry};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, schemars::JsonSchema)]
//! struct Room { room: u32 }
//!
//! #[derive(Serialize, Deserialize, schemars::JsonSchema)]
//! struct Said { user: String, text: String }
//!
//! fn chat_room() -> Channel<Room, Said> {
//!     Channel::new("chat_room").params::<Room>().message::<Said>().authenticated()
//! }
//!
//! let mut registry = Registry::new();
//! registry.register_extension("channels", Channels::new().with(chat_room()));
//! registry.validate_registry().unwrap();
//! assert_eq!(registry.get_schema()["channels"]["chat_room"]["bidirectional"], false);
//! ```

mod channel;
mod error;
mod extension;
mod history;
mod layer;
mod presence;
mod publisher;
#[cfg(feature = "redis")]
mod redis;
mod topic;

pub use channel::{
    Bidirectional, Channel, ChannelDef, ChannelKey, ChannelKind, ChannelSpec, NoMessage, OneWay,
};
pub use error::ChannelError;
pub use extension::{CHANNELS_EXTENSION, Channels, REVISIONS_CHANNEL, RevisionsMessage};
pub use history::{History, Publication, Recovery, StreamPosition};
pub use layer::{ChannelLayer, InProcessLayer, Link};
pub use presence::{Member, Presence, PresenceChange, PresenceEvent, PresenceLayer, new_instance_id};
pub use publisher::Publisher;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisLayer;
pub use topic::Topic;
