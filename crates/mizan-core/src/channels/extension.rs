//! [`Channels`]: the registry extension holding an application's channels.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::channel::{Channel, ChannelSpec};
use crate::error::{ErrorCode, FunctionError};
use crate::name::check_identifier;
use crate::registry::{Registry, RegistryExtension};

/// The name under which [`Channels`] must be registered for the adapter to serve them.
pub const CHANNELS_EXTENSION: &str = "channels";

/// The system channel on which every purge announces the new revisions (no parameters,
/// message [`RevisionsMessage`]). Anyone may subscribe; only the server publishes.
pub const REVISIONS_CHANNEL: &str = "mizan_revisions";

/// What [`REVISIONS_CHANNEL`] carries: the tags a purge bumped, with their new revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RevisionsMessage {
    /// Tag → its revision after the purge.
    pub revisions: BTreeMap<String, u64>,
}

static REVISIONS_SPEC: LazyLock<ChannelSpec> = LazyLock::new(|| {
    Channel::new(REVISIONS_CHANNEL)
        .description("New cache-tag revisions after every purge; refetch what they invalidate.")
        .message::<RevisionsMessage>()
        .into()
});

/// The registry extension holding channels; register it under [`CHANNELS_EXTENSION`].
///
/// Its schema section maps each channel name to its entry (`spec/SCHEMA.md`, "Channels"),
/// the system channel [`REVISIONS_CHANNEL`] included. `validate_registry` reports invalid
/// names, duplicates and reserved names.
///
/// ```
/// use mizan_core::channels::{Channel, Channels};
/// use mizan_core::{Registry, RegistryExtension};
///
/// let channels = Channels::new().with(Channel::new("ticks").message::<u64>());
/// assert!(channels.get("ticks").is_some());
/// assert!(channels.get("mizan_revisions").is_some(), "the system channel is always there");
///
/// let mut registry = Registry::new();
/// registry.register_extension("channels", channels);
/// assert!(registry.get_schema()["channels"]["ticks"]["params"].is_object());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Channels {
    channels: BTreeMap<String, ChannelSpec>,
    duplicates: BTreeSet<String>,
}

impl Channels {
    /// No channels (the system channel aside).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a channel.
    #[must_use]
    pub fn with(mut self, channel: impl Into<ChannelSpec>) -> Self {
        self.add(channel);
        self
    }

    /// Adds a channel; a second channel of the same name is reported by validation.
    pub fn add(&mut self, channel: impl Into<ChannelSpec>) -> &mut Self {
        let spec = channel.into();
        if self.channels.contains_key(spec.name()) {
            self.duplicates.insert(spec.name().to_owned());
        } else {
            self.channels.insert(spec.name().to_owned(), spec);
        }
        self
    }

    /// A channel by name, the system channel included.
    pub fn get(&self, name: &str) -> Option<&ChannelSpec> {
        match name {
            REVISIONS_CHANNEL => Some(Self::revisions()),
            _ => self.channels.get(name),
        }
    }

    /// The channel named `name` in `registry`: the application's (from the extension
    /// registered under [`CHANNELS_EXTENSION`]), or the system channel.
    ///
    /// # Errors
    ///
    /// `not_found` when there is no such channel.
    pub fn find<'r>(registry: &'r Registry, name: &str) -> Result<&'r ChannelSpec, FunctionError> {
        let found = match registry.get_extension::<Self>(CHANNELS_EXTENSION) {
            Some(channels) => channels.get(name),
            None => (name == REVISIONS_CHANNEL).then(Self::revisions),
        };
        found.ok_or_else(|| {
            FunctionError::from_code(
                ErrorCode::NotFound,
                format!("no channel is named `{name}`; see the schema's `channels` section"),
            )
        })
    }

    /// The system channel [`REVISIONS_CHANNEL`], which exists with or without a `Channels`
    /// extension.
    pub fn revisions() -> &'static ChannelSpec {
        &REVISIONS_SPEC
    }

    /// The application's channels, ordered by name (the system channel not included).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &ChannelSpec> {
        self.channels.values()
    }

    /// How many channels the application registered.
    pub fn len(&self) -> usize {
        self.channels.len()
    }

    /// Whether the application registered none.
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }
}

impl RegistryExtension for Channels {
    fn schema(&self) -> Value {
        let mut section: Map<String, Value> = self
            .channels
            .iter()
            .map(|(name, spec)| (name.clone(), spec.schema_entry()))
            .collect();
        section.insert(REVISIONS_CHANNEL.to_owned(), Self::revisions().schema_entry());
        section.sort_keys();
        Value::Object(section)
    }

    fn clear(&mut self) {
        self.channels.clear();
        self.duplicates.clear();
    }

    fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for name in self.channels.keys() {
            if let Err(why) = check_identifier(name) {
                problems.push(format!("invalid channel name: {why}"));
            } else if name.starts_with("mizan_") {
                problems.push(format!(
                    "channel `{name}` uses the reserved prefix `mizan_` (system channels); rename it"
                ));
            }
        }
        for name in &self.duplicates {
            problems.push(format!(
                "channel `{name}` is added twice; give one of them another name"
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn validation_reports_bad_names_duplicates_and_reserved_names() {
        let channels = Channels::new()
            .with(Channel::new("ChatRoom").message::<String>())
            .with(Channel::new("ok").message::<String>())
            .with(Channel::new("ok").message::<u8>())
            .with(Channel::new("mizan_revisions").message::<u8>());
        let mut registry = Registry::new();
        registry.register_extension(CHANNELS_EXTENSION, channels);
        let err = registry.validate_registry().unwrap_err().to_string();
        assert!(err.contains("`ChatRoom` is not a valid identifier"), "{err}");
        assert!(err.contains("`ok` is added twice"), "{err}");
        assert!(err.contains("reserved prefix `mizan_`"), "{err}");
    }

    #[test]
    fn schema_keeps_type_and_bidirectional_and_clear_empties() {
        let mut channels = Channels::new().with(
            Channel::new("chat")
                .params::<u32>()
                .message::<String>()
                .client_message(|_, _: u32, _: String| async { Ok(()) }),
        );
        let schema = channels.schema();
        assert_eq!(schema["chat"]["type"], "channel");
        assert_eq!(schema["chat"]["bidirectional"], true);
        assert_eq!(schema["chat"]["client_message"]["type"], "string");
        assert_eq!(schema["chat"]["access"], json!({"kind": "public"}));
        assert_eq!(schema[REVISIONS_CHANNEL]["bidirectional"], false);
        assert_eq!(schema[REVISIONS_CHANNEL]["client_message"], Value::Null);
        channels.clear();
        assert!(channels.is_empty());
        assert_eq!(channels.schema().as_object().unwrap().len(), 1);
    }
}
