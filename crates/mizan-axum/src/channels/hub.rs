//! The local hub: which connection of this instance listens to which topic, and the
//! fan-out of every publication the layer brings.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use mizan_core::channels::{ChannelLayer, PresenceEvent, Publication, StreamPosition, Topic};
use mizan_core::executor::Metrics;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::frames;
use super::presence::LocalPresence;
use super::queue::{Outbound, Outbox};

/// A publication's frame waiting for a replay to end, with its position.
type Waiting = (Option<StreamPosition>, Outbound);

/// One connection's subscription to a topic.
struct Listener {
    outbox: Outbox,
    /// While the subscription replays history, live publications wait here, to follow
    /// the replayed ones. Bounded like the queue: a connection whose backlog outgrows it
    /// is as slow as one whose queue is full.
    pending: Option<Mutex<Vec<Waiting>>>,
    /// The newest position the subscriber has (replayed, or current when it subscribed):
    /// publications at or before it are not sent again. The fan-out runs behind the layer,
    /// so some of them may still arrive after the replay.
    seen: Option<StreamPosition>,
}

impl Listener {
    fn hand(&self, position: Option<&StreamPosition>, frame: &Outbound) {
        let Some(pending) = &self.pending else {
            if !already_seen(self.seen.as_ref(), position) {
                self.outbox.push(frame.clone());
            }
            return;
        };
        let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= self.outbox.capacity() {
            self.outbox.overflow();
        } else {
            pending.push((position.cloned(), frame.clone()));
        }
    }
}

fn already_seen(seen: Option<&StreamPosition>, position: Option<&StreamPosition>) -> bool {
    match (seen, position) {
        (Some(seen), Some(position)) => seen.epoch == position.epoch && position.offset <= seen.offset,
        _ => false,
    }
}

/// Subscriptions of this instance's connections, by topic.
#[derive(Default)]
pub(crate) struct Hub {
    topics: RwLock<HashMap<Topic, HashMap<u64, Listener>>>,
    /// Where the number of subscriptions is kept (`ws_subscriptions`).
    metrics: Arc<Metrics>,
    next_connection: AtomicU64,
    fan_out: OnceLock<AbortOnDrop>,
    /// The members this instance's connections are on topics with presence.
    pub(crate) presence: LocalPresence,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Hub {
    /// A hub counting its subscriptions in `metrics`.
    pub(crate) fn counted_in(metrics: Arc<Metrics>) -> Self {
        Self {
            metrics,
            ..Self::default()
        }
    }

    /// Starts listening to the layer, once; later calls do nothing. Called on the first
    /// connection, inside the runtime (building a `Mizan` needs none).
    pub(crate) fn ensure_started(self: &Arc<Self>, layer: &Arc<dyn ChannelLayer>) {
        self.presence.ensure_started(self, layer);
        self.fan_out.get_or_init(|| {
            let mut publications = layer.subscribe();
            let hub: Weak<Self> = Arc::downgrade(self);
            AbortOnDrop(tokio::spawn(async move {
                loop {
                    match publications.recv().await {
                        Ok(publication) => match hub.upgrade() {
                            Some(hub) => hub.deliver(&publication),
                            None => return,
                        },
                        Err(RecvError::Lagged(skipped)) => {
                            tracing::warn!(
                                skipped,
                                "channel fan-out fell behind the layer; publications skipped"
                            );
                        }
                        Err(RecvError::Closed) => return,
                    }
                }
            }))
        });
    }

    pub(crate) fn connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Subscribes `connection` to live publications on `topic`; with `recovering`, they
    /// wait until [`go_live`](Self::go_live).
    pub(crate) fn subscribe(&self, topic: Topic, connection: u64, outbox: Outbox, recovering: bool) {
        let listener = Listener {
            outbox,
            pending: recovering.then(Mutex::default),
            seen: None,
        };
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        if topics
            .entry(topic)
            .or_default()
            .insert(connection, listener)
            .is_none()
        {
            self.metrics.ws_subscribed();
        }
    }

    /// Ends the recovery of `connection`'s subscription to `topic`: the publications that
    /// waited and come after `replayed_to` go out, then live ones do.
    pub(crate) fn go_live(&self, topic: &Topic, connection: u64, replayed_to: StreamPosition) {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        let Some(listener) = topics.get_mut(topic).and_then(|l| l.get_mut(&connection)) else {
            return;
        };
        let Some(pending) = listener.pending.take() else {
            return;
        };
        listener.seen = Some(replayed_to);
        let pending = pending.into_inner().unwrap_or_else(|e| e.into_inner());
        for (position, frame) in pending {
            listener.hand(position.as_ref(), &frame);
        }
    }

    pub(crate) fn unsubscribe(&self, topic: &Topic, connection: u64) {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        if let Some(listeners) = topics.get_mut(topic) {
            if listeners.remove(&connection).is_some() {
                self.metrics.ws_unsubscribed();
            }
            if listeners.is_empty() {
                topics.remove(topic);
            }
        }
    }

    /// Hands the publication to every local subscriber of its topic: one frame, shared,
    /// pushed without waiting into each connection's queue.
    fn deliver(&self, publication: &Publication) {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        let Some(listeners) = topics.get(&publication.topic) else {
            return;
        };
        let frame = Outbound::message(publication);
        for listener in listeners.values() {
            listener.hand(publication.position.as_ref(), &frame);
        }
    }

    /// Tells every local subscriber of the event's topic who joined or left.
    pub(crate) fn deliver_presence(&self, event: &PresenceEvent) {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        let Some(listeners) = topics.get(&event.topic) else {
            return;
        };
        let frame = frames::presence_change(event);
        for listener in listeners.values() {
            listener.outbox.push(Outbound::Text(frame.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::channels::queue::{self, Outgoing};

    fn publication(topic: &Topic, offset: u64, epoch: &str) -> Publication {
        let data = serde_json::value::to_raw_value(&offset).unwrap();
        let mut publication = Publication::new(topic.clone(), data);
        publication.position = Some(StreamPosition {
            offset,
            epoch: epoch.to_owned(),
        });
        publication
    }

    fn offsets(frames: &mut Outgoing) -> Vec<u64> {
        std::iter::from_fn(|| frames.ready())
            .map(|frame| match frame {
                Outbound::Message(shared) => {
                    let frame: serde_json::Value = serde_json::from_str(&shared.frame).unwrap();
                    frame["offset"].as_u64().unwrap()
                }
                other => panic!("not a message: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_seam_of_a_recovery_has_no_gap_and_no_duplicate() {
        let hub = Hub::default();
        let topic = Topic::new("feed", &json!(null)).unwrap();
        let (outbox, mut frames) = queue::bounded(16);
        hub.subscribe(topic.clone(), 1, outbox, true);
        // Publications arrive while the history (up to offset 4) is being read.
        for offset in [3, 4, 5] {
            hub.deliver(&publication(&topic, offset, "e"));
        }
        assert_eq!(
            offsets(&mut frames),
            Vec::<u64>::new(),
            "nothing before the replay"
        );
        let replayed_to = StreamPosition {
            offset: 4,
            epoch: "e".into(),
        };
        hub.go_live(&topic, 1, replayed_to);
        assert_eq!(offsets(&mut frames), vec![5], "what waited, after the replay");
        // The fan-out runs behind the layer: a replayed one may still come live.
        hub.deliver(&publication(&topic, 4, "e"));
        hub.deliver(&publication(&topic, 6, "e"));
        hub.deliver(&publication(&topic, 1, "new epoch"));
        assert_eq!(offsets(&mut frames), vec![6, 1]);
    }
}
