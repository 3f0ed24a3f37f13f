//! Counters an operator reads to see how an instance behaves.

use std::sync::atomic::{AtomicU64, Ordering};

/// Declares each counter once: its atomic, its increment method and its snapshot field.
macro_rules! counters {
    ($($(#[doc = $doc:literal])+ $name:ident => $bump:ident;)+) => {
        /// Cumulative counters of one instance: its executor's calls and cache use, and what
        /// the adapter counts beside them (requests, channel connections).
        #[derive(Debug, Default)]
        pub struct Metrics {
            $($name: AtomicU64,)+
        }

        /// A point-in-time copy of [`Metrics`] (serializes to a flat JSON object).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
        #[non_exhaustive]
        pub struct MetricsSnapshot {
            $($(#[doc = $doc])+ pub $name: u64,)+
        }

        impl Metrics {
            $(
                #[doc = concat!("Adds one to `", stringify!($name), "`.")]
                pub fn $bump(&self) {
                    self.$name.fetch_add(1, Ordering::Relaxed);
                }
            )+

            /// Reads every counter.
            pub fn snapshot(&self) -> MetricsSnapshot {
                MetricsSnapshot {
                    $($name: self.$name.load(Ordering::Relaxed),)+
                }
            }
        }
    };
}

counters! {
    /// HTTP requests the router received (any endpoint; a batch is one request).
    requests => request;
    /// Function calls executed (batch and composition members included).
    calls => call;
    /// Calls answered from the cache.
    cache_hits => hit;
    /// Cacheable calls that ran the handler.
    cache_misses => miss;
    /// Cache backend failures, each treated as a miss.
    cache_errors => cache_error;
    /// Handlers that panicked (answered with `500 internal`).
    panics => panic;
    /// Channel connections (`GET /ws`) accepted.
    ws_connections => ws_connection;
    /// Channel connections dropped because their queue was full (close code 4008).
    ws_slow_consumers => ws_slow_consumer;
}
