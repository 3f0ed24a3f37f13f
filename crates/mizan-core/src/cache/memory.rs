//! The embedded, in-process cache backend.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use moka::Expiry;
use moka::sync::Cache;

use super::{CacheBackend, CacheError, next_revision, unix_millis};

const NAME: &str = "memory";

/// An in-process [`CacheBackend`] built on [`moka`], bounded by size in bytes.
///
/// - Entries are weighed as key length plus value length, in bytes; when the total goes over
///   [`max_bytes`](MemoryCacheBuilder::max_bytes) moka evicts entries it judges least useful.
///   Eviction is amortised: moka applies it in the background or on
///   [`run_pending_tasks`](MemoryCache::run_pending_tasks), so the total may exceed the bound
///   briefly.
/// - Each entry has its own ttl; an entry set without one gets the
///   [`default_ttl`](MemoryCacheBuilder::default_ttl), or lives until evicted if there is none.
/// - Counters are kept apart from entries, in a plain map: they are never evicted and never
///   expire, and they do not count towards `max_bytes` (there is one per cache tag, so few).
///   They follow [`next_revision`] on this process's clock ([`unix_millis`]), so a restarted
///   process starts them above the values the previous one handed out, as long as the clock
///   has not been set back past those.
///
/// Operations on entries never fail. The cache is process-local: several server instances
/// each have their own, so use `RedisCache` when revisions must be shared.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// use bytes::Bytes;
/// use mizan_core::{CacheBackend, MemoryCache};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), mizan_core::CacheError> {
/// let cache = MemoryCache::builder()
///     .max_bytes(16 * 1024 * 1024)
///     .default_ttl(Duration::from_secs(300))
///     .build();
///
/// cache.set("posts.get:1", Bytes::from_static(br#"{"id":1}"#), Some(Duration::from_secs(60))).await?;
/// assert_eq!(cache.get("posts.get:1").await?, Some(Bytes::from_static(br#"{"id":1}"#)));
///
/// assert_eq!(cache.get_counter("posts").await?, 0);
/// let purged = cache.incr("posts").await?; // about now, in ms since the epoch
/// assert!(cache.incr("posts").await? > purged);
/// assert_eq!(cache.get_many_counters(&["posts", "users"]).await?, vec![purged + 1, 0]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryCache {
    entries: Cache<String, Entry>,
    counters: RwLock<HashMap<String, u64>>,
    default_ttl: Option<Duration>,
    max_bytes: u64,
}

/// Configures a [`MemoryCache`]; made by [`MemoryCache::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MemoryCacheBuilder {
    max_bytes: u64,
    default_ttl: Option<Duration>,
}

#[derive(Debug, Clone)]
struct Entry {
    value: Bytes,
    ttl: Option<Duration>,
}

/// Gives every entry the ttl it was stored with; a write replaces the ttl, a read keeps it.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, entry: &Entry, _created_at: Instant) -> Option<Duration> {
        entry.ttl
    }

    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        entry.ttl
    }
}

impl MemoryCache {
    /// The bound used by [`MemoryCache::new`]: 64 MiB.
    pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

    /// A cache bounded by [`DEFAULT_MAX_BYTES`](Self::DEFAULT_MAX_BYTES), without a default
    /// ttl.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Starts configuring a cache.
    pub fn builder() -> MemoryCacheBuilder {
        MemoryCacheBuilder {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            default_ttl: None,
        }
    }

    /// The bound on the total weight of entries, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The ttl of entries set without one.
    pub fn default_ttl(&self) -> Option<Duration> {
        self.default_ttl
    }

    /// The current total weight of entries in bytes, as of moka's last maintenance pass.
    pub fn weighted_size(&self) -> u64 {
        self.entries.weighted_size()
    }

    /// The number of entries, as of moka's last maintenance pass.
    pub fn entry_count(&self) -> u64 {
        self.entries.entry_count()
    }

    /// Applies pending evictions and expirations now instead of amortised over later
    /// operations; afterwards [`weighted_size`](Self::weighted_size) is within the bound.
    pub async fn run_pending_tasks(&self) {
        self.entries.run_pending_tasks();
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryCacheBuilder {
    /// Bounds the total weight of entries (key plus value lengths) in bytes. Defaults to
    /// [`MemoryCache::DEFAULT_MAX_BYTES`].
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The ttl of entries set without one. Without a default ttl such entries live until they
    /// are evicted or deleted.
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = Some(ttl);
        self
    }

    /// Builds the cache.
    pub fn build(self) -> MemoryCache {
        let entries = Cache::builder()
            .name("mizan-memory-cache")
            .max_capacity(self.max_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len().saturating_add(entry.value.len())).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        MemoryCache {
            entries,
            counters: RwLock::new(HashMap::new()),
            default_ttl: self.default_ttl,
            max_bytes: self.max_bytes,
        }
    }
}

#[async_trait]
impl CacheBackend for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        Ok(self.entries.get(key).map(|entry| entry.value))
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        let ttl = ttl.or(self.default_ttl);
        if ttl == Some(Duration::ZERO) {
            self.entries.invalidate(key);
        } else {
            self.entries.insert(key.to_owned(), Entry { value, ttl });
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.entries.invalidate(key);
        Ok(())
    }

    async fn incr(&self, key: &str) -> Result<u64, CacheError> {
        // Poisoning cannot leave a counter half-written: the critical sections below only
        // read or assign whole integers.
        let mut counters = self.counters.write().unwrap_or_else(PoisonError::into_inner);
        let current = counters.get(key).copied().unwrap_or(0);
        let next = next_counter(key, current)?;
        counters.insert(key.to_owned(), next);
        Ok(next)
    }

    async fn get_counter(&self, key: &str) -> Result<u64, CacheError> {
        let counters = self.counters.read().unwrap_or_else(PoisonError::into_inner);
        Ok(counters.get(key).copied().unwrap_or(0))
    }

    async fn get_many_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        let counters = self.counters.read().unwrap_or_else(PoisonError::into_inner);
        Ok(keys
            .iter()
            .map(|key| counters.get(*key).copied().unwrap_or(0))
            .collect())
    }

    async fn start_counters(&self, keys: &[&str]) -> Result<Vec<u64>, CacheError> {
        let mut counters = self.counters.write().unwrap_or_else(PoisonError::into_inner);
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            let value = if let Some(value) = counters.get(*key) {
                *value
            } else {
                let started = next_counter(key, 0)?;
                counters.insert((*key).to_owned(), started);
                started
            };
            values.push(value);
        }
        Ok(values)
    }

    fn name(&self) -> &'static str {
        NAME
    }
}

/// Where a purge moves the counter `key` from `current`, on this process's clock.
fn next_counter(key: &str, current: u64) -> Result<u64, CacheError> {
    next_revision(current, unix_millis())
        .ok_or_else(|| CacheError::protocol(NAME, format!("counter `{key}` cannot pass 2^53 - 1")))
}
