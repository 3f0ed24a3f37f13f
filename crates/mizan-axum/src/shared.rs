//! State shared by every request of one Mizan instance.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use mizan_core::channels::{ChannelKey, Publisher, REVISIONS_CHANNEL, RevisionsMessage};
use mizan_core::{CacheBackend, KeyDeriver, Registry, State, TokenIssuer};

use crate::channels::Hub;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::revisions::Revisions;

pub(crate) struct Shared {
    pub(crate) registry: Registry,
    pub(crate) config: Config,
    pub(crate) keys: KeyDeriver,
    pub(crate) cache: Arc<dyn CacheBackend>,
    pub(crate) revisions: Revisions,
    pub(crate) state: Arc<State>,
    pub(crate) metrics: Metrics,
    /// Publishes through the configured channel layer (also in `state`, for handlers).
    pub(crate) publisher: Publisher,
    /// This instance's channel subscriptions.
    pub(crate) hub: Arc<Hub>,
    /// The permission key of the empty permission set: what anonymous callers share.
    pub(crate) anonymous_permission_key: String,
    /// The schema and OpenAPI documents, rendered once.
    pub(crate) schema_json: Bytes,
    pub(crate) openapi_json: Bytes,
}

impl Shared {
    pub(crate) fn new(registry: Registry, config: Config) -> Self {
        let keys = KeyDeriver::new(&config.cache_secret);
        let anonymous_permission_key = keys.permission_key([]);
        let schema_json = serde_json::to_vec(&registry.get_schema())
            .expect("schema serializes")
            .into();
        let openapi_json = serde_json::to_vec(&crate::openapi::document(&registry))
            .expect("openapi serializes")
            .into();
        let publisher = Publisher::new(config.channel_layer.clone());
        Self {
            cache: config.cache.clone(),
            revisions: Revisions::new(config.cache.clone()),
            state: Arc::new(
                config
                    .state
                    .clone()
                    .with(TokenIssuer::new(
                        config.keyring.clone(),
                        &config.cache_secret,
                        config.token_ttl,
                    ))
                    .with(publisher.clone()),
            ),
            publisher,
            hub: Arc::default(),
            keys,
            anonymous_permission_key,
            metrics: Metrics::default(),
            schema_json,
            openapi_json,
            registry,
            config,
        }
    }

    /// Bumps the revisions of `tags` and announces them on the revisions channel (every
    /// instance's clients hear it through the layer); returns the new revisions of those
    /// bumped.
    pub(crate) async fn purge<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, u64> {
        const REVISIONS: ChannelKey<(), RevisionsMessage> = ChannelKey::new(REVISIONS_CHANNEL);
        let bumped = self.revisions.bump(tags).await;
        if !bumped.is_empty() {
            tracing::info!(?bumped, "purged");
            let message = RevisionsMessage {
                revisions: bumped.clone(),
            };
            if let Err(err) = self.publisher.publish(&REVISIONS, &(), &message).await {
                tracing::warn!(%err, "purged, but the new revisions could not be announced");
            }
        }
        bumped
    }
}
