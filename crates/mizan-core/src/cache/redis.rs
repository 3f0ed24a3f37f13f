//! The Redis cache backend, shared by several server instances.

use std::fmt;
use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{
    Client, Cmd, ErrorKind, FromRedisValue, RedisError, RedisResult, Script, ScriptInvocation,
    ServerErrorKind, cmd,
};
use async_trait::async_trait;
use bytes::Bytes;

use super::{CacheBackend, CacheError};
use crate::MAX_SAFE_INTEGER;

const NAME: &str = "redis";

/// Lua that sets `now` to the time in Redis's clock, in ms: what depends on it (revision
/// counters, presence expiries) does not depend on the instances' clocks agreeing.
pub(crate) const NOW_MS: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"#;

/// Moves counters by [`next_revision`](super::next_revision), atomically and on Redis's
/// clock. KEYS: the counters. ARGV: `incr` (one key; returns its new value) or `start`
/// (returns every value), then the largest revision.
///
/// `incr` moves the counter with `INCRBY`, so a key that does not hold an integer fails as
/// it does for `INCR`. Numbers are Lua doubles, exact below 2^53, which revisions stay under.
static COUNTERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW_MS}{}",
        r#"
local largest = tonumber(ARGV[2])
local function next_revision(key, current)
  local moved = math.max(current + 1, now)
  if moved > largest then
    error({err = 'ERR counter ' .. key .. ' cannot pass 2^53 - 1'})
  end
  return moved
end
if ARGV[1] == 'start' then
  for _, key in ipairs(KEYS) do
    if redis.call('EXISTS', key) == 0 then
      redis.call('SET', key, string.format('%d', next_revision(key, 0)))
    end
  end
  return redis.call('MGET', unpack(KEYS))
end
local key = KEYS[1]
local current = tonumber(redis.call('GET', key) or '0')
if not current then
  return redis.error_reply('ERR counter ' .. key .. ' does not hold an integer')
end
return redis.call('INCRBY', key, string.format('%d', next_revision(key, current) - current))
"#
    ))
});

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
/// milliseconds). Counters are plain integer strings without a ttl, moved by one Lua script
/// that applies [`next_revision`](super::next_revision) with Redis's own `TIME`: purges are
/// atomic across every instance and follow one clock, whatever the instances' clocks say.
/// A Redis that loses its counters (restarted without AOF or RDB, `FLUSHDB`, an `allkeys-*`
/// `maxmemory-policy`) therefore never hands out an earlier revision again: counters start
/// again from its clock. That costs a miss on every cached result, so prefer a policy that
/// only evicts keys with a ttl (`volatile-lru`, `volatile-ttl`, ...) or `noeviction`, and
/// keep Redis's clock from being set back.
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
        self.within_timeout(command.query_async(&mut connection)).await
    }

    /// Runs a script (loading it first if Redis does not know it, after a restart say).
    async fn run_script<T: FromRedisValue>(&self, invocation: ScriptInvocation<'_>) -> Result<T, CacheError> {
        let mut connection = self.connection.clone();
        self.within_timeout(invocation.invoke_async(&mut connection))
            .await
    }

    async fn within_timeout<T>(&self, reply: impl Future<Output = RedisResult<T>>) -> Result<T, CacheError> {
        match tokio::time::timeout(self.operation_timeout, reply).await {
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
        let mut invocation = COUNTERS.prepare_invoke();
        invocation
            .key(self.counter_key(key))
            .arg("incr")
            .arg(MAX_SAFE_INTEGER);
        self.run_script(invocation).await
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

    async fn start_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut invocation = COUNTERS.prepare_invoke();
        for key in keys {
            invocation.key(self.counter_key(key));
        }
        invocation.arg("start").arg(MAX_SAFE_INTEGER);
        self.run_script(invocation).await
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
