//! Step 6, purge and announce: a mutation's tags get new revisions, and every instance's
//! clients hear of them.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Executor;
use tokio::sync::broadcast;

use crate::channels::{ChannelKey, Publication, REVISIONS_CHANNEL, RevisionsMessage};
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

    /// Follows the channel layer, for what it says of the revisions:
    ///
    /// - each time the layer rejoins the other instances (Redis pub/sub back after a lost
    ///   connection), announces the current revisions, so that purges made while this
    ///   instance was not listening reach its clients anyway;
    /// - with a [revision copy](super::ExecutorConfig::revision_copy), keeps it fresh by
    ///   every instance's announcements, and uses it only while the layer hears them all.
    ///
    /// A copy is right only when every instance sharing the cache backend announces its
    /// purges on this layer (a `RedisLayer` on the cache's Redis does, as
    /// `Config::from_env` sets up). Needs a Tokio runtime; without one, the copy is never
    /// used and clients are not resynced.
    pub fn follow_layer(self: &Arc<Self>) {
        let layer = self.publisher.layer();
        if tokio::runtime::Handle::try_current().is_err() {
            tracing::warn!("no Tokio runtime: no revision copy, and no resync after a reconnection");
            return;
        }
        if self.revisions.copy().is_some() {
            // Listening before looking at the link: once the copy joins, it hears everything.
            let mut publications = layer.subscribe();
            let executor = Arc::downgrade(self);
            tokio::spawn(async move {
                loop {
                    let publication = publications.recv().await;
                    let Some(executor) = executor.upgrade() else {
                        return;
                    };
                    match publication {
                        Ok(publication) => executor.hear(&publication),
                        Err(broadcast::error::RecvError::Lagged(skipped)) => {
                            tracing::warn!(skipped, "revision copy fell behind the layer; emptied");
                            if let Some(copy) = executor.revisions.copy() {
                                copy.forget();
                            }
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            });
        }
        let mut link = layer.connections();
        // Marked seen here, so the task below acts on every change from this state on.
        let mut seen = link.as_mut().map(|link| *link.borrow_and_update());
        if let (Some(copy), true) = (self.revisions.copy(), seen.is_none_or(|link| link.joined)) {
            copy.join();
        }
        let (Some(mut link), Some(mut seen)) = (link, seen.take()) else {
            return;
        };
        let executor = Arc::downgrade(self);
        tokio::spawn(async move {
            while link.changed().await.is_ok() {
                let Some(executor) = executor.upgrade() else {
                    return;
                };
                let now = *link.borrow_and_update();
                // A new join, even one whose loss this task did not see, may follow missed
                // purges: the copy starts again empty, and clients are resynced.
                let rejoined = now.joined && now.joins != seen.joins;
                if let Some(copy) = executor.revisions.copy() {
                    if !now.joined || rejoined {
                        copy.leave();
                    }
                    if now.joined {
                        copy.join();
                    }
                }
                seen = now;
                if rejoined {
                    executor.announce_revisions().await;
                }
            }
        });
    }

    /// Takes in the revisions a publication on `mizan_revisions` announces, into the
    /// revision copy; other publications, and an executor without a copy, ignore it.
    ///
    /// The executor hears every publication itself ([`follow_layer`](Self::follow_layer));
    /// an adapter also calls this before handing a publication to its clients, so that a
    /// client told of a purge never refetches, from this instance, the answer from before.
    pub fn hear(&self, publication: &Publication) {
        let Some(copy) = self.revisions.copy() else {
            return;
        };
        if publication.topic.channel() != REVISIONS_CHANNEL {
            return;
        }
        match serde_json::from_str::<RevisionsMessage>(publication.data.get()) {
            Ok(message) => copy.hear(message.revisions.iter().map(|(tag, &rev)| (tag.as_str(), rev))),
            // Not this executor's kind of announcement: it may have missed a purge.
            Err(err) => {
                tracing::warn!(%err, "unreadable revisions announcement; revision copy emptied");
                copy.forget();
            }
        }
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
