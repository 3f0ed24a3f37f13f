//! The local hub: which connection of this instance listens to which topic, and the
//! fan-out of every publication the layer brings.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use mizan_core::channels::{ChannelLayer, PresenceEvent, Publication, StreamPosition, Topic};
use mizan_core::executor::{Executor, Metrics};
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
    /// the replayed ones.
    pending: Option<Mutex<Vec<Waiting>>>,
    /// How many may wait: the queue's length plus the history's size, since until the
    /// replay's end is known every publication it holds may also come live. A connection
    /// whose backlog outgrows it is as slow as one whose queue is full.
    pending_limit: usize,
    /// The newest position the subscriber has (replayed, or current when it subscribed):
    /// publications at or before it are not sent again. The fan-out runs behind the layer,
    /// so some of them may still arrive after the replay.
    seen: Option<StreamPosition>,
}

impl Listener {
    fn hand(&self, position: Option<&StreamPosition>, frame: &Outbound) {
        if already_seen(self.seen.as_ref(), position) {
            return;
        }
        let Some(pending) = &self.pending else {
            return self.outbox.push(frame.clone());
        };
        let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= self.pending_limit {
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
    ///
    /// `executor` hears each publication before the hub's connections do: a client told of
    /// a purge then refetches from an executor that knows of it.
    pub(crate) fn ensure_started(self: &Arc<Self>, layer: &Arc<dyn ChannelLayer>, executor: &Arc<Executor>) {
        self.presence.ensure_started(self, layer);
        self.fan_out.get_or_init(|| {
            let mut publications = layer.subscribe();
            let hub: Weak<Self> = Arc::downgrade(self);
            let executor = Arc::clone(executor);
            AbortOnDrop(tokio::spawn(async move {
                loop {
                    match publications.recv().await {
                        Ok(publication) => match hub.upgrade() {
                            Some(hub) => {
                                executor.hear(&publication);
                                hub.deliver(&publication);
                            }
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

    /// Subscribes `connection` to live publications on `topic`. On a channel with a
    /// history of `history` publications they wait until the replay is over: see
    /// [`replaying`](Self::replaying) and [`take_waiting`](Self::take_waiting).
    pub(crate) fn subscribe(&self, topic: Topic, connection: u64, outbox: Outbox, history: Option<usize>) {
        let listener = Listener {
            pending_limit: outbox.capacity().saturating_add(history.unwrap_or(0)),
            outbox,
            pending: history.map(|_| Mutex::default()),
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

    /// `connection`'s replay on `topic` goes up to `replayed_to`: what waits or comes
    /// live at or before it is in the replay, and is dropped.
    pub(crate) fn replaying(&self, topic: &Topic, connection: u64, replayed_to: StreamPosition) {
        self.with_listener(topic, connection, |listener| {
            let seen = listener.seen.insert(replayed_to);
            if let Some(pending) = &mut listener.pending {
                let pending = pending.get_mut().unwrap_or_else(|e| e.into_inner());
                pending.retain(|(position, _)| !already_seen(Some(seen), position.as_ref()));
            }
        });
    }

    /// After the replay, the publications that waited for it, oldest first. The caller
    /// queues them (waiting for room, as for the replay) and asks again: once nothing
    /// waits, the subscription is live and this answers an empty list.
    pub(crate) fn take_waiting(&self, topic: &Topic, connection: u64) -> Vec<Outbound> {
        self.with_listener(topic, connection, |listener| {
            let Some(pending) = &mut listener.pending else {
                return Vec::new();
            };
            let waiting = std::mem::take(pending.get_mut().unwrap_or_else(|e| e.into_inner()));
            if waiting.is_empty() {
                listener.pending = None;
            }
            waiting.into_iter().map(|(_, frame)| frame).collect()
        })
        .unwrap_or_default()
    }

    /// Runs `f` on `connection`'s subscription to `topic`, if it still exists.
    fn with_listener<R>(
        &self,
        topic: &Topic,
        connection: u64,
        f: impl FnOnce(&mut Listener) -> R,
    ) -> Option<R> {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        topics.get_mut(topic).and_then(|l| l.get_mut(&connection)).map(f)
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

    fn at(offset: u64, epoch: &str) -> StreamPosition {
        StreamPosition {
            offset,
            epoch: epoch.into(),
        }
    }

    fn waiting_offsets(hub: &Hub, topic: &Topic) -> Vec<u64> {
        let (outbox, mut frames) = queue::bounded(64);
        for frame in hub.take_waiting(topic, 1) {
            outbox.push(frame);
        }
        offsets(&mut frames)
    }

    #[test]
    fn the_seam_of_a_recovery_has_no_gap_and_no_duplicate() {
        let hub = Hub::default();
        let topic = Topic::new("feed", &json!(null)).unwrap();
        let (outbox, mut frames) = queue::bounded(16);
        hub.subscribe(topic.clone(), 1, outbox, Some(100));
        // Publications arrive while the history (up to offset 4) is being read.
        for offset in [3, 4, 5] {
            hub.deliver(&publication(&topic, offset, "e"));
        }
        hub.replaying(&topic, 1, at(4, "e"));
        hub.deliver(&publication(&topic, 6, "e"));
        assert_eq!(
            offsets(&mut frames),
            Vec::<u64>::new(),
            "nothing before the replay"
        );
        assert_eq!(
            waiting_offsets(&hub, &topic),
            vec![5, 6],
            "what waited, after the replay"
        );
        hub.deliver(&publication(&topic, 7, "e"));
        assert_eq!(
            waiting_offsets(&hub, &topic),
            vec![7],
            "still waiting while that was queued"
        );
        assert_eq!(waiting_offsets(&hub, &topic), Vec::<u64>::new(), "now live");
        // The fan-out runs behind the layer: a replayed one may still come live.
        hub.deliver(&publication(&topic, 4, "e"));
        hub.deliver(&publication(&topic, 8, "e"));
        hub.deliver(&publication(&topic, 1, "new epoch"));
        assert_eq!(offsets(&mut frames), vec![8, 1]);
    }

    #[test]
    fn a_fan_out_behind_the_replay_by_more_than_a_queue_does_not_overflow() {
        let hub = Hub::default();
        let topic = Topic::new("feed", &json!(null)).unwrap();
        let (outbox, frames) = queue::bounded(8);
        hub.subscribe(topic.clone(), 1, outbox, Some(100));
        // While the history is read, the fan-out catches up with 50 publications the
        // replay holds too: more than the queue, fewer than the history.
        for offset in 1..=50 {
            hub.deliver(&publication(&topic, offset, "e"));
        }
        hub.replaying(&topic, 1, at(50, "e"));
        assert!(!frames.overflowed().is_raised());
        assert_eq!(waiting_offsets(&hub, &topic), Vec::<u64>::new());
    }

    #[test]
    fn a_backlog_past_the_queue_and_the_history_is_a_slow_consumer() {
        let hub = Hub::default();
        let topic = Topic::new("feed", &json!(null)).unwrap();
        let (outbox, frames) = queue::bounded(8);
        hub.subscribe(topic.clone(), 1, outbox, Some(4));
        for offset in 1..=12 {
            hub.deliver(&publication(&topic, offset, "e"));
        }
        assert!(!frames.overflowed().is_raised(), "8 + 4 may wait");
        hub.deliver(&publication(&topic, 13, "e"));
        assert!(frames.overflowed().is_raised());
    }
}
