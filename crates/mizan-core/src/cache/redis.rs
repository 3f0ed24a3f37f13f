//! The Redis cache backend, shared by several server instances.

use std::fmt;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, Cmd, ErrorKind, FromRedisValue, RedisError, ServerErrorKind, cmd};
use async_trait::async_trait;
use bytes::Bytes;

use super::{CacheBackend, CacheError};

const NAME: &str = "redis";

/// A [`CacheBackend`] on a Redis server, for several server instances sharing one cache and
/// one set of revision counters.
///
/// # Keys
///
/// Every key starts with the cache's prefix (default [`DEFAULT_PREFIX`](Self::DEFAULT_PREFIX)),
/// then `e:` for entries or `r:` for counters: the entry `posts.get:1` of a cache with prefix
/// `app:` is the Redis key `app:e:posts.get:1`, and the counter `posts` is `app:r:posts`. An
/// entry can therefore never alias a counter. Caches sharing a Redis database need prefixes
/// where neither is a prefix of the other.
///
/// Entries are plain strings set with `SET .. PX` (ttls are rounded up to whole
/// milliseconds); counters are plain strings incremented with `INCR`, so increments are atomic
/// across every instance, and they carry no ttl. Run Redis with a `maxmemory-policy` that only
/// evicts keys with a ttl (`volatile-lru`, `volatile-ttl`, ...) or with `noeviction`: a
/// counter evicted under `allkeys-*` would restart from `0` and could make stale entries
/// current again.
///
/// # Connections and failures
///
/// Commands go through one multiplexed connection held by a [`ConnectionManager`], which
/// reconnects after the connection drops. No operation waits longer than the
/// [`operation_timeout`](RedisCacheBuilder::operation_timeout): while Redis is down or
/// unreachable, operations fail fast with [`CacheError::Unavailable`] or
/// [`CacheError::Timeout`], and they succeed again once Redis is back.
///
/// [`RedisCacheBuilder::build`] does not touch the network, so a server can start while Redis
/// is down; [`RedisCache::connect`] and [`RedisCacheBuilder::connect`] also check that Redis
/// answers.
#[derive(Clone)]
pub struct RedisCache {
    connection: ConnectionManager,
    prefix: String,
    default_ttl: Option<Duration>,
    operation_timeout: Duration,
}

/// Configures a [`RedisCache`]; made by [`RedisCache::builder`].
#[derive(Clone)]
#[must_use]
pub struct RedisCacheBuilder {
    url: String,
    prefix: String,
    default_ttl: Option<Duration>,
    connection_timeout: Duration,
    response_timeout: Duration,
    operation_timeout: Duration,
}

impl RedisCache {
    /// The key prefix used unless [`RedisCacheBuilder::prefix`] sets another.
    pub const DEFAULT_PREFIX: &'static str = "mizan:";

    /// Connects to the Redis server at `url` (such as `redis://127.0.0.1:6379/0`) with keys
    /// under `prefix` and default timeouts, and checks that it answers.
    pub async fn connect(url: &str, prefix: impl Into<String>) -> Result<Self, CacheError> {
        Self::builder(url).prefix(prefix).connect().await
    }

    /// Starts configuring a cache on the Redis server at `url`.
    pub fn builder(url: impl Into<String>) -> RedisCacheBuilder {
        RedisCacheBuilder {
            url: url.into(),
            prefix: Self::DEFAULT_PREFIX.to_owned(),
            default_ttl: None,
            connection_timeout: Duration::from_millis(500),
            response_timeout: Duration::from_millis(500),
            operation_timeout: Duration::from_secs(2),
        }
    }

    /// The prefix of every key this cache reads or writes.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), CacheError> {
        self.run::<String>(&cmd("PING")).await.map(drop)
    }

    /// Deletes every entry and counter under this cache's prefix and returns how many keys it
    /// deleted. Keys of other prefixes are left alone.
    ///
    /// Walks the keyspace with `SCAN`, so it is meant for tests and maintenance, not request
    /// paths; keys written while it runs may survive.
    pub async fn clear_prefix(&self) -> Result<u64, CacheError> {
        let pattern = format!("{}[er]:*", escape_glob(&self.prefix));
        let mut cursor = 0_u64;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<Vec<u8>>) = self
                .run(
                    cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(1000),
                )
                .await?;
            if !keys.is_empty() {
                deleted += self.run::<u64>(cmd("DEL").arg(keys)).await?;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    fn entry_key(&self, key: &str) -> String {
        format!("{}e:{key}", self.prefix)
    }

    fn counter_key(&self, key: &str) -> String {
        format!("{}r:{key}", self.prefix)
    }

    async fn run<T: FromRedisValue>(&self, command: &Cmd) -> Result<T, CacheError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.operation_timeout, command.query_async(&mut connection)).await {
            Ok(reply) => reply.map_err(cache_error),
            Err(_) => Err(CacheError::timeout(
                NAME,
                format!(
                    "no reply within the operation timeout of {:?}",
                    self.operation_timeout
                ),
            )),
        }
    }
}

impl fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisCache")
            .field("prefix", &self.prefix)
            .field("default_ttl", &self.default_ttl)
            .field("operation_timeout", &self.operation_timeout)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RedisCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password; never let it reach a log line.
        let url = if self.url.contains('@') {
            "<redacted>"
        } else {
            self.url.as_str()
        };
        f.debug_struct("RedisCacheBuilder")
            .field("url", &url)
            .field("prefix", &self.prefix)
            .field("default_ttl", &self.default_ttl)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .finish()
    }
}

impl RedisCacheBuilder {
    /// The prefix of every key (default [`RedisCache::DEFAULT_PREFIX`]); end it with a
    /// separator such as `:`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The ttl of entries set without one. Without a default ttl such entries live until
    /// deleted or evicted by Redis.
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = Some(ttl);
        self
    }

    /// How long one attempt to open a connection may take (default 500 ms).
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long Redis may take to answer one command on an open connection (default 500 ms).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// The most any operation may take in all, reconnection attempts included (default 2 s).
    /// An operation past it fails with [`CacheError::Timeout`].
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Builds the cache without connecting: the connection opens on the first operation.
    ///
    /// Fails with [`CacheError::Config`] if the URL is invalid or if called outside a Tokio
    /// runtime (the connection manager runs a task on it).
    pub fn build(self) -> Result<RedisCache, CacheError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(CacheError::config(
                NAME,
                "a RedisCache must be built inside a Tokio runtime",
            ));
        }
        let client = Client::open(self.url.as_str()).map_err(cache_error)?;
        // One quick retry, then fail: a request must not wait on a reconnection loop. The next
        // operation starts a new attempt, so the cache recovers as soon as Redis is back.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connection_timeout))
            .set_response_timeout(Some(self.response_timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(250));
        let connection = ConnectionManager::new_lazy_with_config(client, config).map_err(cache_error)?;
        Ok(RedisCache {
            connection,
            prefix: self.prefix,
            default_ttl: self.default_ttl,
            operation_timeout: self.operation_timeout,
        })
    }

    /// Builds the cache and checks that Redis answers.
    pub async fn connect(self) -> Result<RedisCache, CacheError> {
        let cache = self.build()?;
        cache.ping().await?;
        Ok(cache)
    }
}

#[async_trait]
impl CacheBackend for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let value: Option<Vec<u8>> = self.run(cmd("GET").arg(self.entry_key(key))).await?;
        Ok(value.map(Bytes::from))
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        let key = self.entry_key(key);
        match ttl.or(self.default_ttl) {
            Some(Duration::ZERO) => self.run(cmd("DEL").arg(key)).await,
            Some(ttl) => {
                let millis = u64::try_from(ttl.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
                self.run(cmd("SET").arg(key).arg(value.as_ref()).arg("PX").arg(millis))
                    .await
            }
            None => self.run(cmd("SET").arg(key).arg(value.as_ref())).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.run(cmd("DEL").arg(self.entry_key(key))).await
    }

    async fn incr(&self, key: &str) -> Result<u64, CacheError> {
        self.run(cmd("INCR").arg(self.counter_key(key))).await
    }

    async fn get_counter(&self, key: &str) -> Result<u64, CacheError> {
        let value: Option<u64> = self.run(cmd("GET").arg(self.counter_key(key))).await?;
        Ok(value.unwrap_or(0))
    }

    async fn get_many_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut command = cmd("MGET");
        for key in keys {
            command.arg(self.counter_key(key));
        }
        let values: Vec<Option<u64>> = self.run(&command).await?;
        Ok(values.into_iter().map(|value| value.unwrap_or(0)).collect())
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

fn cache_error(err: RedisError) -> CacheError {
    if err.is_timeout() {
        return CacheError::timeout(NAME, err);
    }
    match err.kind() {
        ErrorKind::Io
        | ErrorKind::ClusterConnectionNotFound
        | ErrorKind::Server(
            ServerErrorKind::BusyLoading
            | ServerErrorKind::TryAgain
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::MasterDown,
        ) => CacheError::unavailable(NAME, err),
        ErrorKind::InvalidClientConfig
        | ErrorKind::AuthenticationFailed
        | ErrorKind::Server(ServerErrorKind::NoPerm) => CacheError::config(NAME, err),
        _ => CacheError::protocol(NAME, err),
    }
}

/// Escapes the characters Redis's glob patterns give a meaning to, so a prefix matches only
/// itself.
pub(crate) fn escape_glob(literal: &str) -> String {
    let mut pattern = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\' | '^' | '-') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_debug_hides_credentials() {
        let builder = RedisCache::builder("redis://user:hunter2@cache.internal:6379/0");
        assert!(!format!("{builder:?}").contains("hunter2"));
        let builder = RedisCache::builder("redis://127.0.0.1:6379");
        assert!(format!("{builder:?}").contains("127.0.0.1:6379"));
    }

    #[test]
    fn glob_specials_in_a_prefix_are_escaped() {
        assert_eq!(escape_glob("app:"), "app:");
        assert_eq!(escape_glob(r"a*b?c[d]e\f"), r"a\*b\?c\[d\]e\\f");
    }
}
