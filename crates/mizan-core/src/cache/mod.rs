//! Cache backends: where cached responses and tag revision counters live.
//!
//! [`CacheBackend`] is the contract the HTTP adapter uses; [`MemoryCache`] is the embedded
//! default and `RedisCache` (feature `redis`) shares one cache between several instances.

mod error;
mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

pub use error::CacheError;
pub use memory::{MemoryCache, MemoryCacheBuilder};
#[cfg(feature = "redis")]
pub(crate) use redis::escape_glob;
#[cfg(feature = "redis")]
pub use redis::{RedisCache, RedisCacheBuilder};

/// A store for cached responses and for revision counters.
///
/// A backend holds two separate namespaces:
///
/// - **Entries**: opaque byte values (cached responses are raw JSON bytes) under string keys,
///   each with an optional time to live. A backend may drop an entry at any time before its
///   ttl runs out (to respect a size bound, for instance); callers must treat an entry as a
///   hint, never as the only copy of anything.
/// - **Counters**: unsigned revision counters, one per cache tag. A counter that was never
///   incremented reads `0`; [`incr`](CacheBackend::incr) creates it at `1`. Counters never
///   expire and are never evicted by a backend's size bound, because a counter that went back
///   to an earlier value would make stale entries current again. The counter `"x"` and the
///   entry `"x"` are unrelated: neither operation ever reads or writes the other.
///
/// Keys are arbitrary UTF-8 strings; backends add their own prefixes.
///
/// # Failures
///
/// Every operation may fail with a [`CacheError`]. A cache failure must never fail a request:
/// the HTTP adapter turns any error from [`get`](CacheBackend::get) into a cache miss, ignores
/// failed writes, and logs and counts both. Implementations should therefore fail fast (bounded
/// timeouts) rather than retry for long, and must not panic on backend trouble.
///
/// The trait is object safe and used as `Arc<dyn CacheBackend>`.
#[async_trait]
pub trait CacheBackend: Send + Sync + 'static {
    /// The entry stored under `key`, or `None` if there is none or it expired.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError>;

    /// Stores `value` under `key`, replacing any previous entry and its ttl.
    ///
    /// `ttl` is how long the entry lives; `None` uses the backend's default ttl, and a backend
    /// without one keeps the entry until it is evicted or deleted. A zero `ttl` stores nothing
    /// and removes any previous entry. Backends with millisecond resolution round a ttl up to
    /// the next millisecond.
    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError>;

    /// Removes the entry under `key`. Removing a missing entry succeeds.
    async fn delete(&self, key: &str) -> Result<(), CacheError>;

    /// Atomically adds one to the counter `key` and returns the new value, creating the counter
    /// at `1` if it did not exist.
    ///
    /// Atomic means that `n` concurrent calls, from any number of tasks or (for a shared backend
    /// such as Redis) processes, move the counter by exactly `n` and each observes a distinct
    /// value.
    async fn incr(&self, key: &str) -> Result<u64, CacheError>;

    /// The current value of the counter `key`: `0` if it was never incremented.
    async fn get_counter(&self, key: &str) -> Result<u64, CacheError> {
        let values = self.get_many_counters(&[key]).await?;
        Ok(values.first().copied().unwrap_or(0))
    }

    /// The current values of several counters, in the order of `keys`, read in one round
    /// trip; a counter that was never incremented reads `0`. An empty `keys` gives an empty
    /// vector.
    async fn get_many_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError>;

    /// A short, stable name for logs and metrics, such as `"memory"` or `"redis"`.
    fn name(&self) -> &'static str;
}
