//! Revision counters per cache tag, kept in the cache backend so every instance sees them.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cache::{CacheBackend, CacheError};

/// Reads and bumps tag revisions (`spec/PROTOCOL.md` §2.4).
#[derive(Clone)]
pub(super) struct Revisions {
    backend: Arc<dyn CacheBackend>,
}

impl Revisions {
    pub(super) fn new(backend: Arc<dyn CacheBackend>) -> Self {
        Self { backend }
    }

    /// Current revisions of `tags` (0 for a tag never purged), in one round trip.
    pub(super) async fn read(&self, tags: &[&str]) -> Result<Vec<u64>, CacheError> {
        self.backend.get_many_counters(tags).await
    }

    /// Bumps every tag; returns the new revisions of those that could be bumped.
    pub(super) async fn bump<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, u64> {
        let mut bumped = BTreeMap::new();
        for tag in tags {
            match self.backend.incr(tag).await {
                Ok(rev) => {
                    bumped.insert(tag.to_owned(), rev);
                }
                Err(err) => tracing::error!(%err, tag, "purge could not bump the revision"),
            }
        }
        bumped
    }
}
