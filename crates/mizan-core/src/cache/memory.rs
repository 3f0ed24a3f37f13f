//! The embedded, in-process cache backend.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::{CacheBackend, CacheError, next_revision, unix_millis};

const NAME: &str = "memory";

/// An in-process [`CacheBackend`] built on [`quick_cache`], bounded by size in bytes.
///
/// - Entries are weighed as key length plus value length, in bytes; a write that takes the
///   total over [`max_bytes`](MemoryCacheBuilder::max_bytes) evicts, there and then, the
///   entries quick_cache's policy (S3-FIFO) judges least useful, so the total never exceeds
///   the bound. An entry heavier than the whole bound is not stored.
/// - Each entry has its own ttl; an entry set without one gets the
///   [`default_ttl`](MemoryCacheBuilder::default_ttl), or lives until evicted if there is none.
///   An expired entry is never served; it is dropped when it is next read, or evicted.
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
pub struct MemoryCache {
    entries: Cache<String, Entry, ByLength>,
    counters: RwLock<HashMap<String, u64>>,
    default_ttl: Option<Duration>,
    max_bytes: u64,
}

impl std::fmt::Debug for MemoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCache")
            .field("entries", &self.entries.len())
            .field("weighted_size", &self.entries.weight())
            .field("default_ttl", &self.default_ttl)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
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
    /// When the entry stops being served; `None`: never.
    expires_at: Option<Instant>,
}

impl Entry {
    fn is_live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

/// Weighs an entry as its key and value lengths in bytes (never 0: quick_cache would never
/// evict an entry of weight 0).
#[derive(Clone)]
struct ByLength;

impl Weighter<String, Entry> for ByLength {
    fn weight(&self, key: &String, entry: &Entry) -> u64 {
        (key.len() as u64).saturating_add(entry.value.len() as u64).max(1)
    }
}

/// How many entries the cache is sized for up front, from its bound: entries are envelopes
/// of a few hundred bytes to a few KiB. quick_cache grows past the estimate as needed.
fn estimated_entries(max_bytes: u64) -> usize {
    usize::try_from(max_bytes / 1024)
        .unwrap_or(usize::MAX)
        .clamp(16, 1 << 16)
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

    /// The current total weight of entries in bytes (expired ones not yet dropped
    /// included); never over [`max_bytes`](Self::max_bytes).
    pub fn weighted_size(&self) -> u64 {
        self.entries.weight()
    }

    /// The number of entries (expired ones not yet dropped included).
    pub fn entry_count(&self) -> u64 {
        self.entries.len() as u64
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
        MemoryCache {
            entries: Cache::with_weighter(estimated_entries(self.max_bytes), self.max_bytes, ByLength),
            counters: RwLock::new(HashMap::new()),
            default_ttl: self.default_ttl,
            max_bytes: self.max_bytes,
        }
    }
}

#[async_trait]
impl CacheBackend for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let Some(entry) = self.entries.get(key) else {
            return Ok(None);
        };
        if entry.is_live(Instant::now()) {
            return Ok(Some(entry.value));
        }
        // Only this expired entry: a write that replaced it since keeps its own.
        self.entries
            .remove_if(key, |stored| stored.expires_at == entry.expires_at);
        Ok(None)
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), CacheError> {
        let ttl = ttl.or(self.default_ttl);
        if ttl == Some(Duration::ZERO) {
            self.entries.remove(key);
        } else {
            // A ttl past what the clock can express is no expiry.
            let expires_at = ttl.and_then(|ttl| Instant::now().checked_add(ttl));
            self.entries.insert(key.to_owned(), Entry { value, expires_at });
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.entries.remove(key);
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
