//! Cache backends: where cached responses and tag revision counters live.
//!
//! [`CacheBackend`] is the contract the HTTP adapter uses; [`MemoryCache`] is the embedded
//! default and `RedisCache` (feature `redis`) shares one cache between several instances.

mod error;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod revision;

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

pub use error::CacheError;
pub use memory::{MemoryCache, MemoryCacheBuilder};
#[cfg(feature = "redis")]
pub(crate) use redis::{NOW_MS, escape_glob};
#[cfg(feature = "redis")]
pub use redis::{RedisCache, RedisCacheBuilder};
pub use revision::{next_revision, unix_millis};

/// A store for cached responses and for revision counters.
///
/// A backend holds two separate namespaces:
///
/// - **Entries**: opaque byte values (cached responses are raw JSON bytes) under string keys,
///   each with an optional time to live. A backend may drop an entry at any time before its
///   ttl runs out (to respect a size bound, for instance); callers must treat an entry as a
///   hint, never as the only copy of anything.
/// - **Counters**: revision counters, one per cache tag, that never go back, not even when
///   the store forgets them. Every backend moves them by one rule, [`next_revision`]: a
///   purge ([`incr`](CacheBackend::incr)) sets a counter to `max(current + 1, now)`, `now`
///   being the backend's clock in milliseconds since the Unix epoch, so a counter the store
///   lost starts again above every value it had (see [`next_revision`] for the one limit: a
///   tag purged more than 1,000 times a second runs ahead of the clock). Values stay below
///   2^53. A counter the store does not have reads `0`, and reading never creates one; the
///   executor [starts](CacheBackend::start_counters) the counters of its registry's tags
///   before it derives any cache key with them, so no entry is ever keyed by revision `0`
///   (such an entry, kept by an edge or a browser, would be current again whenever the
///   counter was lost). Counters never expire and are never evicted by a backend's own size
///   bound; a store that loses them anyway costs misses, never stale answers. The counter
///   `"x"` and the entry `"x"` are unrelated: neither operation ever reads or writes the
///   other.
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

    /// Atomically moves the counter `key` to [`next_revision`] of its current value (`0` if
    /// it did not exist) and the backend's clock, and returns the new value: a purge of the
    /// tag `key`.
    ///
    /// Atomic means that concurrent calls, from any number of tasks or (for a shared backend
    /// such as Redis) processes, each observe a distinct value, larger than every value
    /// observed before it took effect. A backend shared by several instances reads one clock
    /// for all of them (Redis: its own `TIME`), so their clocks need not agree.
    ///
    /// Fails with [`CacheError::Protocol`] when the counter cannot move (it holds something
    /// that is not a counter, or the next value would pass 2^53 − 1).
    async fn incr(&self, key: &str) -> Result<u64, CacheError>;

    /// The current value of the counter `key`: `0` if the store does not have it.
    async fn get_counter(&self, key: &str) -> Result<u64, CacheError> {
        let values = self.get_many_counters(&[key]).await?;
        Ok(values.first().copied().unwrap_or(0))
    }

    /// The current values of several counters, in the order of `keys`, read in one round
    /// trip; a counter the store does not have reads `0` (and is not created). An empty `keys`
    /// gives an empty vector.
    async fn get_many_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError>;

    /// Starts every counter of `keys` the store does not have, as a purge would
    /// ([`next_revision`] of `0` and the backend's clock), and returns the values of all of
    /// them in the order of `keys`, in one round trip.
    ///
    /// Atomic per counter: a counter that exists, or that a concurrent call starts or purges
    /// first, is left as it is, so callers starting the same counter at once all read the
    /// one value it got. Fails like [`incr`](CacheBackend::incr).
    async fn start_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError>;

    /// A short, stable name for logs and metrics, such as `"memory"` or `"redis"`.
    fn name(&self) -> &'static str;
}
