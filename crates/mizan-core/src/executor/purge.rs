//! Step 6, purge and announce: a mutation's tags get new revisions, and every instance's
//! clients hear of them.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Executor;
use crate::channels::{ChannelKey, REVISIONS_CHANNEL, RevisionsMessage};
use crate::function::{FunctionKind, ServerFunction};

impl Executor {
    /// Purges the tags a successful mutation `invalidates`.
    pub(super) async fn purge_invalidated(&self, f: &ServerFunction) {
        if f.kind() == FunctionKind::Mutation && !f.invalidates().is_empty() {
            // Boxed: every call's future would otherwise hold room for this one's state.
            Box::pin(self.purge(f.invalidates().iter().map(String::as_str))).await;
        }
    }

    /// Bumps the revisions of `tags` and announces them on the revisions channel (every
    /// instance's clients hear it through the layer); returns the new revisions of those
    /// bumped (a missing tag means the backend failed; it is logged).
    pub async fn purge<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, u64> {
        let bumped = self.revisions.bump(tags).await;
        if !bumped.is_empty() {
            tracing::info!(?bumped, "purged");
            self.announce(bumped.clone(), "purged").await;
        }
        bumped
    }

    /// Announces the current revisions of every tag of the registry on the revisions
    /// channel: what clients need after publications may have been missed.
    pub async fn announce_revisions(&self) {
        let tags: Vec<&str> = self.revisions.registry_tags().collect();
        match self.revisions(&tags).await {
            Ok(revs) => {
                let revisions = tags.iter().map(|t| (*t).to_owned()).zip(revs).collect();
                self.announce(revisions, "resynced").await;
            }
            Err(err) => tracing::warn!(%err, "the revisions could not be read to resync clients"),
        }
    }

    /// After each time the channel layer rejoins the other instances (Redis pub/sub back
    /// after a lost connection), announces the current revisions: purges made while this
    /// instance was not listening reach its clients anyway. Needs a Tokio runtime when the
    /// layer can be apart; a layer that cannot needs nothing.
    pub fn resync_after_reconnections(self: &Arc<Self>) {
        let Some(mut connections) = self.publisher.layer().connections() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            tracing::warn!("no Tokio runtime: clients will not be resynced after a reconnection");
            return;
        }
        let executor = Arc::downgrade(self);
        connections.borrow_and_update();
        tokio::spawn(async move {
            while connections.changed().await.is_ok() {
                let Some(executor) = executor.upgrade() else {
                    return;
                };
                executor.announce_revisions().await;
            }
        });
    }

    async fn announce(&self, revisions: BTreeMap<String, u64>, what: &str) {
        const REVISIONS: ChannelKey<(), RevisionsMessage> = ChannelKey::new(REVISIONS_CHANNEL);
        if revisions.is_empty() {
            return;
        }
        let message = RevisionsMessage { revisions };
        if let Err(err) = self.publisher.publish(&REVISIONS, &(), &message).await {
            tracing::warn!(%err, "{what}, but the revisions could not be announced");
        }
    }

    /// The current revisions of `tags`, in one round trip while their counters exist.
    ///
    /// A tag of the registry without a counter yet (never purged, or forgotten by the cache
    /// backend) gets one first, as a purge would start it: revisions only ever grow, even
    /// across a loss of the backend's data. A tag no function names reads 0 and is not
    /// stored.
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
