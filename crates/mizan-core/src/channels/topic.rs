//! Topic identity: a channel name plus the canonical JSON of its parameters.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{CanonicalError, canonicalize};

/// One stream of messages: a channel name plus the canonical JSON (RFC 8785) of its
/// parameters, so `{"room": 42}` and `{ "room" : 42.0 }` are the same topic.
///
/// ```
/// use mizan_core::channels::Topic;
/// use serde_json::json;
///
/// let a = Topic::new("chat_room", &json!({"room": 42, "lang": "en"})).unwrap();
/// let b = Topic::new("chat_room", &json!({"lang": "en", "room": 42.0})).unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.params(), r#"{"lang":"en","room":42}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Topic {
    channel: String,
    params: String,
}

impl Topic {
    /// The topic of `channel` with `params`.
    ///
    /// # Errors
    ///
    /// When `params` has no canonical form (a number JSON cannot carry exactly).
    pub fn new(channel: impl Into<String>, params: &Value) -> Result<Self, CanonicalError> {
        Ok(Self {
            channel: channel.into(),
            params: canonicalize(params)?,
        })
    }

    /// The channel name.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// The canonical JSON text of the parameters (`null` for a channel without any).
    pub fn params(&self) -> &str {
        &self.params
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.channel, self.params)
    }
}
