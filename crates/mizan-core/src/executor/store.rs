//! Step 5, store: a computed result's envelope goes into its cache slot.

use std::future::Future;

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
    ///
    /// The envelope is written now; the future holds only the outcome and the write.
    pub(super) fn store<'a>(
        &'a self,
        f: &ServerFunction,
        slot: CacheSlot,
        output: &RawValue,
        headers: HeaderMap,
    ) -> impl Future<Output = Outcome> + 'a {
        let slot = match slot {
            CacheSlot::Keyed { .. } if !headers.is_empty() => CacheSlot::Bypass,
            slot => slot,
        };
        let (outcome, write) = match slot {
            CacheSlot::Keyed { key, meta } => {
                let body = success_body(output, Some(meta.rev));
                let outcome = Outcome::success(body.clone(), CacheStatus::Miss, Some(meta));
                (outcome, Some((key, body, f.cache().ttl_value())))
            }
            CacheSlot::Bypass => (
                Outcome::success(success_body(output, None), CacheStatus::Bypass, None),
                None,
            ),
            CacheSlot::Off => (
                Outcome::success(success_body(output, None), CacheStatus::Off, None),
                None,
            ),
        };
        let outcome = outcome.with_headers(headers);
        async move {
            let Some((key, body, ttl)) = write else {
                return outcome;
            };
            if let Err(err) = self.cache.set(&key, body, ttl).await {
                self.metrics.cache_error();
                tracing::warn!(%err, "cache write failed; the result is served uncached");
            }
            outcome
        }
    }
}
