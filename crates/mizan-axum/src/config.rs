//! Configuration of a Mizan instance: secrets, signing keys, cache backend, limits.

use std::sync::Arc;
use std::time::Duration;

use mizan_core::channels::{ChannelLayer, InProcessLayer};
use mizan_core::{CacheBackend, Keyring, MemoryCache, State};

use crate::limits::Limits;

/// Everything a [`Mizan`](crate::Mizan) instance needs besides its registry.
///
/// ```
/// use mizan::axum::Config;
/// use mizan::mwt::Keyring;
///
/// let config = Config::new(b"a long random cache secret".to_vec(), Keyring::new("k1", b"signing key").unwrap());
/// assert_eq!(config.cookie_name, "mizan_token");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Secret of cache keys and permission keys; shared with edge workers. 32 random bytes.
    pub cache_secret: Vec<u8>,
    /// MWT signing and verification keys.
    pub keyring: Keyring,
    /// Where cached results and revisions live. Default: an in-process [`MemoryCache`].
    pub cache: Arc<dyn CacheBackend>,
    /// Carries channel publications between instances. Default: an [`InProcessLayer`];
    /// use a `RedisLayer` (feature `redis`) when several instances serve one app.
    pub channel_layer: Arc<dyn ChannelLayer>,
    /// Request and channel-connection limits.
    pub limits: Limits,
    /// Cookie that may carry the token (browsers cannot set headers on every request).
    pub cookie_name: String,
    /// Header a cookie-authenticated mutation must carry (CSRF defence).
    pub csrf_header: String,
    /// Permission needed to call the purge endpoint.
    pub purge_permission: String,
    /// Clock skew tolerated when checking token times.
    pub token_leeway: Duration,
    /// Lifetime of tokens the built-in auth functions issue.
    pub token_ttl: Duration,
    /// `max-age` of public results requested at their current revision, when the
    /// function sets no ttl.
    pub shared_max_age: Duration,
    /// Application state handed to every handler.
    pub state: State,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("cache_secret", &"<redacted>")
            .field("keyring", &self.keyring)
            .field("cache", &self.cache.name())
            .field("channel_layer", &self.channel_layer.name())
            .field("limits", &self.limits)
            .field("cookie_name", &self.cookie_name)
            .field("csrf_header", &self.csrf_header)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A configuration with the given secrets and every other setting at its default.
    pub fn new(cache_secret: Vec<u8>, keyring: Keyring) -> Self {
        Self {
            cache_secret,
            keyring,
            cache: Arc::new(MemoryCache::new()),
            channel_layer: Arc::new(InProcessLayer::new()),
            limits: Limits::default(),
            cookie_name: "mizan_token".into(),
            csrf_header: "x-mizan-csrf".into(),
            purge_permission: "mizan.purge".into(),
            token_leeway: Duration::from_secs(30),
            token_ttl: Duration::from_secs(15 * 60),
            shared_max_age: Duration::from_secs(3600),
            state: State::new(),
        }
    }

    /// Uses another cache backend (a `RedisCache` for several instances).
    pub fn with_cache(mut self, cache: Arc<dyn CacheBackend>) -> Self {
        self.cache = cache;
        self
    }

    /// Uses another channel layer (a `RedisLayer` for several instances).
    pub fn with_channel_layer(mut self, layer: Arc<dyn ChannelLayer>) -> Self {
        self.channel_layer = layer;
        self
    }

    /// Sets the request limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the application state handed to handlers.
    pub fn with_state(mut self, state: State) -> Self {
        self.state = state;
        self
    }
}
