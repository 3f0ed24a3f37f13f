//! What can go wrong when publishing.

use crate::canonical::CanonicalError;

/// A publish that did not reach the channel layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The parameters or the message could not be turned into JSON.
    #[error(
        "the parameters or message for channel `{channel}` could not be serialized: {source}; \
         make sure their `Serialize` impls cannot fail (map keys must be strings)"
    )]
    Encode {
        /// The channel.
        channel: String,
        /// Why serde failed.
        #[source]
        source: serde_json::Error,
    },
    /// The parameters have no canonical form, so they name no topic.
    #[error(
        "the parameters for channel `{channel}` have no canonical JSON form: {source}; \
         use integers within ±2^53 and finite numbers"
    )]
    Canonical {
        /// The channel.
        channel: String,
        /// What the canonicalizer rejected.
        #[source]
        source: CanonicalError,
    },
    /// The layer could not carry the publication (Redis down, ...). Nothing was delivered.
    #[error(
        "the channel layer `{layer}` is unavailable: {message}; check its backend (is Redis running?) and retry"
    )]
    Unavailable {
        /// The layer's name (`in_process`, `redis`).
        layer: &'static str,
        /// What failed.
        message: String,
    },
}
