//! Counters an operator reads to see how an instance behaves.
//!
//! Every call of a registered function is counted once, by [`Metrics::record`], from its
//! [`Outcome`]: the outcome's [`CacheStatus`] says whether it was a hit, a miss or a
//! bypass, and a status other than 200 makes it an error. The totals of the snapshot
//! (`calls`, `cache_hits`, ...) are the sums of the per-function counters, so the two
//! never disagree.
//!
//! The hot path takes no lock: each function's counters are atomics in a slot made when
//! the executor is built, found by name in a map that never changes afterwards.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{CacheStatus, Outcome};
use crate::registry::Registry;

/// Declares each counter once: its atomic, its increment method and its snapshot field.
macro_rules! counters {
    (
        $(#[doc = $sdoc:literal])+ struct $slot:ident, snapshot $vis:vis $snap:ident {
            $($(#[doc = $doc:literal])+ $name:ident => $bump:ident;)+
        }
    ) => {
        $(#[doc = $sdoc])+
        #[derive(Debug, Default)]
        struct $slot {
            $($name: AtomicU64,)+
        }

        $(#[doc = $sdoc])+
        ///
        /// A point-in-time copy (serializes to a flat JSON object).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
        #[non_exhaustive]
        $vis struct $snap {
            $($(#[doc = $doc])+ pub $name: u64,)+
        }

        impl $slot {
            $(
                fn $bump(&self) {
                    self.$name.fetch_add(1, Ordering::Relaxed);
                }
            )+

            fn snapshot(&self) -> $snap {
                $snap {
                    $($name: self.$name.load(Ordering::Relaxed),)+
                }
            }
        }
    };
}

counters! {
    /// The calls of one function.
    struct FunctionSlot, snapshot pub FunctionMetrics {
        /// Calls that reached the function (batch and composition members included),
        /// refused ones too.
        calls => call;
        /// Calls answered from the cache (`Mizan-Cache: hit`).
        cache_hits => hit;
        /// Calls of a cached function whose result was not in the cache: the handler ran
        /// (`miss`).
        cache_misses => miss;
        /// Calls of a cached function answered without the cache (`bypass`): the cache
        /// backend failed, a `user`-scoped result had no user, or the handler added
        /// response parts (cookies, headers), which are never cached.
        cache_bypasses => bypass;
        /// Calls answered with an error envelope (any status but 200: refused,
        /// invalid input, handler error, panic).
        errors => error;
    }
}

counters! {
    /// What the instance counts outside function calls.
    struct InstanceSlot, snapshot InstanceMetrics {
        /// HTTP requests the router received (any endpoint; a batch is one request).
        requests => request;
        /// Cache backend failures, each treated as a miss or a bypass.
        cache_errors => cache_error;
        /// Handlers that panicked (answered with `500 internal`).
        panics => panic;
        /// Channel connections (`GET /ws`) accepted since the start.
        ws_connections => ws_connection;
        /// Channel connections dropped because their queue was full (close code 4008).
        ws_slow_consumers => ws_slow_consumer;
    }
}

/// Cumulative counters of one instance: its executor's calls and cache use, per function,
/// and what the adapter counts beside them (requests, channel connections and
/// subscriptions).
#[derive(Debug, Default)]
pub struct Metrics {
    instance: InstanceSlot,
    /// Hashed with foldhash, not SipHash: the keys are the registry's names, fixed when the
    /// map is made, so no request can flood it, and every call pays for one lookup.
    functions: HashMap<String, FunctionSlot, foldhash::fast::FixedState>,
    ws_open: AtomicU64,
    ws_subscriptions: AtomicU64,
}

/// A point-in-time copy of [`Metrics`]. Serializes to one JSON object: the totals and
/// gauges as numbers, and `functions`, an object of [`FunctionMetrics`] by function name.
/// It is also a JSON Schema type, so an app can publish it on a channel (the demo's
/// operator page does).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// HTTP requests the router received (any endpoint; a batch is one request).
    pub requests: u64,
    /// Function calls (the sum of every function's `calls`).
    pub calls: u64,
    /// Calls answered from the cache (the sum of every function's `cache_hits`).
    pub cache_hits: u64,
    /// Cached functions' calls that ran the handler (the sum of every function's
    /// `cache_misses`).
    pub cache_misses: u64,
    /// Cached functions' calls answered without the cache (the sum of every function's
    /// `cache_bypasses`).
    pub cache_bypasses: u64,
    /// Calls answered with an error envelope (the sum of every function's `errors`).
    pub errors: u64,
    /// Cache backend failures, each treated as a miss or a bypass.
    pub cache_errors: u64,
    /// Handlers that panicked (answered with `500 internal`).
    pub panics: u64,
    /// Channel connections (`GET /ws`) accepted since the start.
    pub ws_connections: u64,
    /// Channel connections dropped because their queue was full (close code 4008).
    pub ws_slow_consumers: u64,
    /// Channel connections open now.
    pub ws_open: u64,
    /// Channel subscriptions open now, over every connection of this instance.
    pub ws_subscriptions: u64,
    /// Each registered function's counters, by name.
    pub functions: BTreeMap<String, FunctionMetrics>,
}

impl Metrics {
    /// Counters for every function of `registry`, all zero.
    pub fn for_registry(registry: &Registry) -> Self {
        Self {
            functions: registry
                .get_all_functions()
                .map(|f| (f.name().to_owned(), FunctionSlot::default()))
                .collect(),
            ..Self::default()
        }
    }

    /// Counts one call of the function `name` by what it came to: a hit, miss or bypass by
    /// the outcome's [`CacheStatus`], an error by a status other than 200. A name that is
    /// not registered is not counted.
    pub fn record(&self, name: &str, outcome: &Outcome) {
        let Some(slot) = self.functions.get(name) else {
            return;
        };
        slot.call();
        match outcome.cache {
            CacheStatus::Hit => slot.hit(),
            CacheStatus::Miss => slot.miss(),
            CacheStatus::Bypass => slot.bypass(),
            CacheStatus::Off => {}
        }
        if outcome.status != 200 {
            slot.error();
        }
    }

    /// Adds one to `requests`.
    pub fn request(&self) {
        self.instance.request();
    }

    /// Adds one to `cache_errors`.
    pub fn cache_error(&self) {
        self.instance.cache_error();
    }

    /// Adds one to `panics`.
    pub fn panic(&self) {
        self.instance.panic();
    }

    /// A channel connection opened: adds one to `ws_connections` and `ws_open`. Pair it
    /// with [`ws_closed`](Self::ws_closed).
    pub fn ws_opened(&self) {
        self.instance.ws_connection();
        self.ws_open.fetch_add(1, Ordering::Relaxed);
    }

    /// A channel connection closed: takes one from `ws_open`.
    pub fn ws_closed(&self) {
        self.ws_open.fetch_sub(1, Ordering::Relaxed);
    }

    /// Adds one to `ws_slow_consumers`.
    pub fn ws_slow_consumer(&self) {
        self.instance.ws_slow_consumer();
    }

    /// A channel subscription was made: adds one to `ws_subscriptions`. Pair it with
    /// [`ws_unsubscribed`](Self::ws_unsubscribed).
    pub fn ws_subscribed(&self) {
        self.ws_subscriptions.fetch_add(1, Ordering::Relaxed);
    }

    /// A channel subscription ended: takes one from `ws_subscriptions`.
    pub fn ws_unsubscribed(&self) {
        self.ws_subscriptions.fetch_sub(1, Ordering::Relaxed);
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let functions: BTreeMap<String, FunctionMetrics> = self
            .functions
            .iter()
            .map(|(name, slot)| (name.clone(), slot.snapshot()))
            .collect();
        let total = |count: fn(&FunctionMetrics) -> u64| functions.values().map(count).sum();
        let instance = self.instance.snapshot();
        MetricsSnapshot {
            requests: instance.requests,
            calls: total(|f| f.calls),
            cache_hits: total(|f| f.cache_hits),
            cache_misses: total(|f| f.cache_misses),
            cache_bypasses: total(|f| f.cache_bypasses),
            errors: total(|f| f.errors),
            cache_errors: instance.cache_errors,
            panics: instance.panics,
            ws_connections: instance.ws_connections,
            ws_slow_consumers: instance.ws_slow_consumers,
            ws_open: self.ws_open.load(Ordering::Relaxed),
            ws_subscriptions: self.ws_subscriptions.load(Ordering::Relaxed),
            functions,
        }
    }
}
