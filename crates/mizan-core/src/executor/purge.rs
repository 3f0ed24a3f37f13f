//! Step 6, purge and announce: a mutation's tags get new revisions, and every instance's
//! clients hear of them.

use std::collections::BTreeMap;

use super::Executor;
use crate::channels::{ChannelKey, REVISIONS_CHANNEL, RevisionsMessage};
use crate::function::{FunctionKind, ServerFunction};

impl Executor {
    /// Purges the tags a successful mutation `invalidates`.
    pub(super) async fn purge_invalidated(&self, f: &ServerFunction) {
        if f.kind() == FunctionKind::Mutation && !f.invalidates().is_empty() {
            self.purge(f.invalidates().iter().map(String::as_str)).await;
        }
    }

    /// Bumps the revisions of `tags` and announces them on the revisions channel (every
    /// instance's clients hear it through the layer); returns the new revisions of those
    /// bumped (a missing tag means the backend failed; it is logged).
    pub async fn purge<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, u64> {
        const REVISIONS: ChannelKey<(), RevisionsMessage> = ChannelKey::new(REVISIONS_CHANNEL);
        let bumped = self.revisions.bump(tags).await;
        if !bumped.is_empty() {
            tracing::info!(?bumped, "purged");
            let message = RevisionsMessage {
                revisions: bumped.clone(),
            };
            if let Err(err) = self.publisher.publish(&REVISIONS, &(), &message).await {
                tracing::warn!(%err, "purged, but the new revisions could not be announced");
            }
        }
        bumped
    }

    /// The current revisions of `tags` (0 for a tag never purged), in one round trip.
    ///
    /// # Errors
    ///
    /// The backend's, counted in `cache_errors`.
    pub async fn revisions(&self, tags: &[&str]) -> Result<Vec<u64>, crate::cache::CacheError> {
        self.revisions
            .read(tags)
            .await
            .inspect_err(|_| self.metrics.cache_error())
    }
}
