//! Configuration of a Mizan instance: secrets, signing keys, cache backend, limits.

use std::sync::Arc;
use std::time::Duration;

use mizan_core::channels::{ChannelLayer, InProcessLayer};
use mizan_core::executor::Middleware;
use mizan_core::{CacheBackend, Keyring, MemoryCache, State};

use crate::limits::Limits;

/// Everything a [`Mizan`](crate::Mizan) instance needs besides its registry.
///
/// ```
/// use mizan_axum::Config;
/// use mizan_core::Keyring;
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
    /// Application state handed to every handler ([`with_state`](Self::with_state)).
    pub state: State,
    /// Middleware around every handler, outermost first
    /// ([`with_middleware`](Self::with_middleware)).
    pub middleware: Vec<Arc<dyn Middleware>>,
    /// Whether `mizan.token` and `mizan.refresh` deliver the token in an `HttpOnly`
    /// cookie instead of the response body ([`with_cookie_sign_in`](Self::with_cookie_sign_in)).
    pub cookie_sign_in: bool,
    /// Keeps a local copy of the cache's revisions, so a cached call asks the cache
    /// backend for its entry only, each revision read again after this long
    /// ([`with_revision_copy`](Self::with_revision_copy)). Default: `None`.
    pub revision_copy: Option<Duration>,
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
            cookie_name: mizan_core::auth::DEFAULT_TOKEN_COOKIE.into(),
            csrf_header: mizan_core::auth::DEFAULT_CSRF_HEADER.into(),
            purge_permission: "mizan.purge".into(),
            token_leeway: Duration::from_secs(30),
            token_ttl: Duration::from_secs(15 * 60),
            shared_max_age: Duration::from_secs(3600),
            state: State::new(),
            middleware: Vec::new(),
            cookie_sign_in: false,
            revision_copy: None,
        }
    }

    /// Uses another cache backend (a `RedisCache` for several instances).
    #[must_use]
    pub fn with_cache(mut self, cache: Arc<dyn CacheBackend>) -> Self {
        self.cache = cache;
        self
    }

    /// Uses another channel layer (a `RedisLayer` for several instances).
    #[must_use]
    pub fn with_channel_layer(mut self, layer: Arc<dyn ChannelLayer>) -> Self {
        self.channel_layer = layer;
        self
    }

    /// Keeps a local copy of the revisions of a cache backend shared by several instances
    /// (a `RedisCache`): a cached call then makes one round trip to it, for its entry, not
    /// two. The copy follows what every instance announces on `mizan_revisions` after a
    /// purge, and is used only while the channel layer hears every announcement (a
    /// `RedisLayer` that lost its connection empties it); each revision is read again after
    /// `max_age` in any case, which bounds how stale an answer can be if an announcement is
    /// lost without anyone noticing.
    ///
    /// Right only when every instance sharing the cache announces on the same channel
    /// layer: a `RedisLayer` on the same Redis and prefix, as
    /// [`from_env`](Self::from_env) sets up (which enables the copy). An instance updates
    /// its copy before its clients hear of a purge, so a client that refetches what a purge
    /// invalidated gets the new answer; a call on another instance within the moment a
    /// purge takes to be announced (well under a millisecond on one network) may still get
    /// the previous one.
    #[must_use]
    pub fn with_revision_copy(mut self, max_age: Duration) -> Self {
        self.revision_copy = Some(max_age);
        self
    }

    /// Sets the request limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads the configuration from the environment (see [`from_lookup`](Self::from_lookup)
    /// for the variables).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable and what is wrong with it.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, a file, a test map):
    ///
    /// - `MIZAN_CACHE_SECRET` (required): hex, at least 16 bytes;
    /// - `MIZAN_SIGNING_KEYS` (required): `kid=hex,kid2=hex`; the first key signs unless
    ///   `MIZAN_SIGNING_KID` names another;
    /// - `MIZAN_REDIS_URL` (feature `redis`): several instances serve one app through that
    ///   Redis: a `RedisCache` holds results and revisions, and a `RedisLayer` carries
    ///   channel publications (`mizan_revisions` included), both under the prefix
    ///   `MIZAN_REDIS_PREFIX` (default `mizan:`); otherwise the memory cache and the
    ///   in-process layer. Read inside a Tokio runtime: the layer subscribes in the background.
    ///   Each instance keeps a [revision copy](Self::with_revision_copy) whose entries live
    ///   `MIZAN_REVISION_COPY_MS` milliseconds (default 1000; `0` keeps none).
    ///
    /// ```
    /// use mizan_axum::Config;
    ///
    /// let env = |name: &str| match name {
    ///     "MIZAN_CACHE_SECRET" => Some("00112233445566778899aabbccddeeff".to_owned()),
    ///     "MIZAN_SIGNING_KEYS" => Some("2026-11=0badc0de0badc0de,2026-10=feedfacefeedface".to_owned()),
    ///     _ => None,
    /// };
    /// let config = Config::from_lookup(env).unwrap();
    /// assert_eq!(config.keyring.active_kid(), "2026-11");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable and what is wrong with it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| lookup(name).ok_or(ConfigError::Missing { name });
        let hex_bytes = |name: &'static str, value: &str| {
            hex::decode(value.trim()).map_err(|err| ConfigError::Invalid {
                name,
                why: format!("not hex: {err}"),
            })
        };
        let cache_secret = hex_bytes("MIZAN_CACHE_SECRET", &required("MIZAN_CACHE_SECRET")?)?;
        if cache_secret.len() < 16 {
            return Err(ConfigError::Invalid {
                name: "MIZAN_CACHE_SECRET",
                why: "use at least 16 random bytes (32 recommended)".into(),
            });
        }
        let mut keyring: Option<Keyring> = None;
        for entry in required("MIZAN_SIGNING_KEYS")?
            .split(',')
            .filter(|e| !e.trim().is_empty())
        {
            let (kid, secret) = entry.trim().split_once('=').ok_or_else(|| ConfigError::Invalid {
                name: "MIZAN_SIGNING_KEYS",
                why: format!("`{entry}` is not `kid=hex`"),
            })?;
            let secret = hex_bytes("MIZAN_SIGNING_KEYS", secret)?;
            let invalid = |err: mizan_core::KeyringError| ConfigError::Invalid {
                name: "MIZAN_SIGNING_KEYS",
                why: err.to_string(),
            };
            match keyring.as_mut() {
                None => keyring = Some(Keyring::new(kid, &secret).map_err(invalid)?),
                Some(ring) => ring.insert(kid, &secret).map_err(invalid)?,
            }
        }
        let mut keyring = keyring.ok_or(ConfigError::Invalid {
            name: "MIZAN_SIGNING_KEYS",
            why: "no key given; use `kid=hex`".into(),
        })?;
        if let Some(kid) = lookup("MIZAN_SIGNING_KID") {
            keyring.set_active(&kid).map_err(|err| ConfigError::Invalid {
                name: "MIZAN_SIGNING_KID",
                why: err.to_string(),
            })?;
        }
        let config = Self::new(cache_secret, keyring);
        #[cfg(feature = "redis")]
        if let Some(url) = lookup("MIZAN_REDIS_URL") {
            let prefix = lookup("MIZAN_REDIS_PREFIX").unwrap_or_else(|| "mizan:".into());
            let invalid = |why: String| ConfigError::Invalid {
                name: "MIZAN_REDIS_URL",
                why,
            };
            let layer = mizan_core::channels::RedisLayer::start(&url, &prefix)
                .map_err(|err| invalid(err.to_string()))?;
            let cache = mizan_core::RedisCache::builder(url)
                .prefix(prefix)
                .build()
                .map_err(|err| invalid(err.to_string()))?;
            let copy_ms = match lookup("MIZAN_REVISION_COPY_MS") {
                None => 1000,
                Some(ms) => ms.trim().parse::<u64>().map_err(|err| ConfigError::Invalid {
                    name: "MIZAN_REVISION_COPY_MS",
                    why: format!("not a number of milliseconds: {err}"),
                })?,
            };
            let config = config
                .with_cache(Arc::new(cache))
                .with_channel_layer(Arc::new(layer));
            return Ok(if copy_ms == 0 {
                config
            } else {
                config.with_revision_copy(Duration::from_millis(copy_ms))
            });
        }
        Ok(config)
    }

    /// Sets the application state handed to handlers, which read it with
    /// `ctx.state::<T>()`:
    ///
    /// ```
    /// # use mizan_axum::Config;
    /// # use mizan_core::{Ctx, FunctionError, Keyring, State};
    /// struct Db { url: String }
    ///
    /// async fn where_am_i(ctx: Ctx, (): ()) -> Result<String, FunctionError> {
    ///     Ok(ctx.state::<Db>()?.url.clone())
    /// }
    ///
    /// let config = Config::new(b"secret".to_vec(), Keyring::new("k1", b"key").unwrap())
    ///     .with_state(State::new().with(Db { url: "sqlite::memory:".into() }));
    /// # let _ = (config, where_am_i);
    /// ```
    #[must_use]
    pub fn with_state(mut self, state: State) -> Self {
        self.state = state;
        self
    }

    /// Adds middleware around every handler: calls, batch and composition members, and
    /// channel sends (see [`mizan_core::executor::middleware`]). The first added runs
    /// outermost; a function's own middleware runs inside all of these.
    #[must_use]
    pub fn with_middleware(mut self, middleware: Arc<dyn Middleware>) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// Makes the token functions sign in with a cookie: `mizan.token` and `mizan.refresh`
    /// set the token in an `HttpOnly; SameSite=Lax` cookie named
    /// [`cookie_name`](Self::cookie_name) (`Secure` unless the request was addressed to a
    /// loopback host; `Path` the mount prefix; `Max-Age` the token's remaining life) and
    /// leave `token` out of their answer; `mizan.logout` clears it. Mutations made with
    /// the cookie need the [`csrf_header`](Self::csrf_header).
    #[must_use]
    pub fn with_cookie_sign_in(mut self) -> Self {
        self.cookie_sign_in = true;
        self
    }
}

/// Why [`Config::from_env`] could not build a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{name} is not set; see Config::from_lookup for the variables Mizan reads")]
    Missing {
        /// The variable.
        name: &'static str,
    },
    /// A variable is set to something unusable.
    #[error("{name} is invalid: {why}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong, and how to fix it.
        why: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    const SECRET: (&str, &str) = ("MIZAN_CACHE_SECRET", "00112233445566778899aabbccddeeff");

    #[test]
    fn reads_secrets_and_rotating_keys() {
        let vars = [
            SECRET,
            ("MIZAN_SIGNING_KEYS", "a=01, b=02"),
            ("MIZAN_SIGNING_KID", "b"),
        ];
        let config = Config::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(config.cache_secret.len(), 16);
        assert_eq!(config.keyring.active_kid(), "b");
        assert_eq!(config.keyring.kids().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(config.cache.name(), "memory");
    }

    #[test]
    fn says_which_variable_is_wrong() {
        let err = Config::from_lookup(lookup(&[])).err().unwrap();
        assert_eq!(
            err,
            ConfigError::Missing {
                name: "MIZAN_CACHE_SECRET"
            }
        );
        let short = [("MIZAN_CACHE_SECRET", "0011"), ("MIZAN_SIGNING_KEYS", "a=01")];
        assert!(
            Config::from_lookup(lookup(&short))
                .err()
                .unwrap()
                .to_string()
                .contains("16 random bytes")
        );
        for keys in ["a", "a=zz", "", "=01"] {
            let vars = [SECRET, ("MIZAN_SIGNING_KEYS", keys)];
            let err = Config::from_lookup(lookup(&vars)).err().unwrap();
            assert!(
                matches!(
                    err,
                    ConfigError::Invalid {
                        name: "MIZAN_SIGNING_KEYS",
                        ..
                    }
                ),
                "{keys}: {err}"
            );
        }
        let vars = [
            SECRET,
            ("MIZAN_SIGNING_KEYS", "a=01"),
            ("MIZAN_SIGNING_KID", "zz"),
        ];
        let err = Config::from_lookup(lookup(&vars)).err().unwrap();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "MIZAN_SIGNING_KID",
                ..
            }
        ));
    }

    #[cfg(feature = "redis")]
    #[tokio::test]
    async fn a_redis_url_selects_the_redis_cache_and_channel_layer() {
        let vars = [
            SECRET,
            ("MIZAN_SIGNING_KEYS", "a=01"),
            ("MIZAN_REDIS_URL", "redis://127.0.0.1:6379"),
        ];
        let config = Config::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(
            (config.cache.name(), config.channel_layer.name()),
            ("redis", "redis")
        );
        assert_eq!(config.revision_copy, Some(Duration::from_secs(1)));
        for (ms, copy) in [("250", Some(Duration::from_millis(250))), ("0", None)] {
            let vars = [
                SECRET,
                ("MIZAN_SIGNING_KEYS", "a=01"),
                ("MIZAN_REDIS_URL", "redis://127.0.0.1:6379"),
                ("MIZAN_REVISION_COPY_MS", ms),
            ];
            assert_eq!(Config::from_lookup(lookup(&vars)).unwrap().revision_copy, copy);
        }
        let vars = [
            SECRET,
            ("MIZAN_SIGNING_KEYS", "a=01"),
            ("MIZAN_REDIS_URL", "redis://127.0.0.1:6379"),
            ("MIZAN_REVISION_COPY_MS", "1s"),
        ];
        let err = Config::from_lookup(lookup(&vars)).err().unwrap();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "MIZAN_REVISION_COPY_MS",
                    ..
                }
            ),
            "{err}"
        );
        let vars = [
            SECRET,
            ("MIZAN_SIGNING_KEYS", "a=01"),
            ("MIZAN_REDIS_URL", "http://x"),
        ];
        let err = Config::from_lookup(lookup(&vars)).err().unwrap();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "MIZAN_REDIS_URL",
                    ..
                }
            ),
            "{err}"
        );
    }
}
