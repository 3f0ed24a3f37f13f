//! Revision counters per cache tag, kept in the cache backend so every instance sees them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use super::revision_copy::RevisionCopy;
use crate::cache::{CacheBackend, CacheError};
use crate::registry::Registry;

/// Reads and bumps tag revisions (`spec/PROTOCOL.md` §2.4).
#[derive(Clone)]
pub(super) struct Revisions {
    backend: Arc<dyn CacheBackend>,
    /// Every tag the registry names (functions' cache tags and what mutations invalidate).
    tags: Arc<BTreeSet<String>>,
    /// What reads found and purges announced, when the executor keeps a copy.
    copy: Option<Arc<RevisionCopy>>,
}

impl Revisions {
    /// Revisions in `backend` of `registry`'s tags, with a local copy whose entries are
    /// read again after `copy_max_age`, if given.
    pub(super) fn new(
        backend: Arc<dyn CacheBackend>,
        registry: &Registry,
        copy_max_age: Option<Duration>,
    ) -> Self {
        let tags = registry
            .get_all_functions()
            .flat_map(|f| f.cache_tags().chain(f.invalidates().iter().map(String::as_str)))
            .map(str::to_owned)
            .collect();
        Self {
            backend,
            tags: Arc::new(tags),
            copy: copy_max_age.map(|age| Arc::new(RevisionCopy::new(age))),
        }
    }

    /// The local copy, if one is kept.
    pub(super) fn copy(&self) -> Option<&Arc<RevisionCopy>> {
        self.copy.as_ref()
    }

    /// Every tag the registry names, in order.
    pub(super) fn registry_tags(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(String::as_str)
    }

    /// Current revisions of `tags`, in one round trip while every counter exists.
    ///
    /// A tag of the registry whose counter the backend does not have (never purged, or
    /// forgotten by the store) is started first, so no cache key is ever derived with
    /// revision 0; see [`CacheBackend`]'s counters. Any other tag keys nothing and reads 0
    /// without a write, so reading unknown tags cannot fill the store.
    ///
    /// With a local copy, the copy answers when it has every tag; what the backend gives
    /// otherwise goes into it.
    pub(super) async fn read(&self, tags: &[&str]) -> Result<Vec<u64>, CacheError> {
        let Some(copy) = &self.copy else {
            return self.read_backend(tags).await;
        };
        if let Some(revisions) = copy.get(tags) {
            return Ok(revisions);
        }
        let ticket = copy.ticket();
        let revisions = self.read_backend(tags).await?;
        if let Some(ticket) = ticket {
            copy.keep(ticket, tags.iter().copied().zip(revisions.iter().copied()));
        }
        Ok(revisions)
    }

    async fn read_backend(&self, tags: &[&str]) -> Result<Vec<u64>, CacheError> {
        let revisions = self.backend.get_many_counters(tags).await?;
        if !revisions.contains(&0) {
            return Ok(revisions);
        }
        // Boxed: every cached call's future would otherwise hold room for this rare step.
        Box::pin(self.start_absent(tags, revisions)).await
    }

    /// `revisions` of `tags` with every registry tag read as 0 started.
    async fn start_absent(&self, tags: &[&str], mut revisions: Vec<u64>) -> Result<Vec<u64>, CacheError> {
        let absent: BTreeSet<&str> = tags
            .iter()
            .zip(&revisions)
            .filter(|&(tag, &revision)| revision == 0 && self.tags.contains(*tag))
            .map(|(tag, _)| *tag)
            .collect();
        if absent.is_empty() {
            return Ok(revisions);
        }
        let absent: Vec<&str> = absent.into_iter().collect();
        let started = self.backend.start_counters(&absent).await?;
        let started: HashMap<&str, u64> = absent.into_iter().zip(started).collect();
        for (tag, revision) in tags.iter().zip(&mut revisions) {
            if let Some(&value) = started.get(tag) {
                *revision = value;
            }
        }
        Ok(revisions)
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
        // This instance's own next read sees its purge, whatever the announcement does.
        if let Some(copy) = &self.copy {
            copy.hear(bumped.iter().map(|(tag, &rev)| (tag.as_str(), rev)));
        }
        bumped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::MemoryCache;
    use crate::{CachePolicy, Ctx, FunctionError, ServerFunction};

    fn revisions(backend: &Arc<MemoryCache>) -> Revisions {
        let mut registry = Registry::new();
        registry
            .register(
                ServerFunction::query("posts")
                    .cache(CachePolicy::public().tags(["feed"]))
                    .handler(|_: Ctx, (): ()| async move { Ok::<_, FunctionError>(0) }),
            )
            .register(
                ServerFunction::mutation("write")
                    .invalidates(["audit"])
                    .handler(|_: Ctx, (): ()| async move { Ok::<_, FunctionError>(0) }),
            );
        Revisions::new(Arc::clone(backend) as Arc<dyn CacheBackend>, &registry, None)
    }

    #[test]
    fn the_registry_tags_are_every_cache_tag_and_every_invalidated_one() {
        let revisions = revisions(&Arc::new(MemoryCache::new()));
        let tags: Vec<&str> = revisions.registry_tags().collect();
        assert_eq!(tags, ["audit", "feed", "posts", "write"]);
    }

    #[tokio::test]
    async fn a_read_starts_the_registry_tags_and_stores_no_other() {
        let backend = Arc::new(MemoryCache::new());
        let revisions = revisions(&backend);
        let purged = backend.incr("feed").await.unwrap();

        let read = revisions
            .read(&["posts", "feed", "stranger", "posts"])
            .await
            .unwrap();
        let started = read[0];
        assert_eq!(read, [started, purged, 0, started]);
        assert!(started > 0, "no key is derived with revision 0");
        assert_eq!(
            backend.get_many_counters(&["posts", "stranger"]).await.unwrap(),
            [started, 0],
            "the registry's tag is stored, the stranger is not"
        );
        assert_eq!(
            revisions.read(&["posts"]).await.unwrap(),
            [started],
            "started once"
        );
    }
}
