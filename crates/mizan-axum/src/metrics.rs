//! Counters an operator reads to see how the cache behaves.

use std::sync::atomic::{AtomicU64, Ordering};

/// Cumulative counters of one [`Mizan`](crate::Mizan) instance.
#[derive(Debug, Default)]
pub struct Metrics {
    calls: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    cache_errors: AtomicU64,
    panics: AtomicU64,
    ws_connections: AtomicU64,
    ws_slow_consumers: AtomicU64,
}

/// A point-in-time copy of [`Metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Function calls executed (batch and composition members included).
    pub calls: u64,
    /// Calls answered from the cache.
    pub cache_hits: u64,
    /// Cacheable calls that ran the handler.
    pub cache_misses: u64,
    /// Cache backend failures, each treated as a miss.
    pub cache_errors: u64,
    /// Handlers that panicked (answered with `500 internal`).
    pub panics: u64,
    /// Channel connections (`GET /ws`) accepted.
    pub ws_connections: u64,
    /// Channel connections dropped because their queue was full (close code 4008).
    pub ws_slow_consumers: u64,
}

impl Metrics {
    pub(crate) fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn hit(&self) {
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn miss(&self) {
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn cache_error(&self) {
        self.cache_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn panic(&self) {
        self.panics.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn ws_connection(&self) {
        self.ws_connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn ws_slow_consumer(&self) {
        self.ws_slow_consumers.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            calls: self.calls.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            cache_misses: self.cache_misses.load(Ordering::Relaxed),
            cache_errors: self.cache_errors.load(Ordering::Relaxed),
            panics: self.panics.load(Ordering::Relaxed),
            ws_connections: self.ws_connections.load(Ordering::Relaxed),
            ws_slow_consumers: self.ws_slow_consumers.load(Ordering::Relaxed),
        }
    }
}
