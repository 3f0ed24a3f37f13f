//! Step 5, store: a computed result's envelope goes into its cache slot.

use http::HeaderMap;
use serde_json::value::RawValue;

use super::slot::CacheSlot;
use super::{CacheStatus, Executor, Outcome, success_body};
use crate::function::ServerFunction;

impl Executor {
    /// Writes the envelope of `output` (with its revision) into a keyed slot and returns
    /// the outcome; a backend failure is logged and counted, and the result served
    /// uncached. A result that came with response parts (`headers`) is never stored: a
    /// later hit could not replay them for its caller, nor should it.
    pub(super) async fn store(
        &self,
        f: &ServerFunction,
        slot: CacheSlot,
        output: &RawValue,
        headers: HeaderMap,
    ) -> Outcome {
        let slot = match slot {
            CacheSlot::Keyed { .. } if !headers.is_empty() => CacheSlot::Bypass,
            slot => slot,
        };
        let outcome = match slot {
            CacheSlot::Keyed { key, meta } => {
                let body = success_body(output, Some(meta.rev));
                if let Err(err) = self.cache.set(&key, body.clone(), f.cache().ttl_value()).await {
                    self.metrics.cache_error();
                    tracing::warn!(%err, "cache write failed; the result is served uncached");
                }
                Outcome::success(body, CacheStatus::Miss, Some(meta))
            }
            CacheSlot::Bypass => Outcome::success(success_body(output, None), CacheStatus::Bypass, None),
            CacheSlot::Off => Outcome::success(success_body(output, None), CacheStatus::Off, None),
        };
        outcome.with_headers(headers)
    }
}
