//! The local hub: which connection of this instance listens to which topic, and the
//! fan-out of every publication the layer brings.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock, Weak};

use axum::extract::ws::Utf8Bytes;
use mizan_core::channels::{ChannelLayer, Publication, Topic};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::frames;

/// What the writer of one connection sends.
#[derive(Debug)]
pub(crate) enum Outbound {
    Text(Utf8Bytes),
    Close(u16, &'static str),
}

/// The sending side of one connection's bounded queue. Never waits: a full queue marks
/// the connection as too slow, and its writer drops it.
#[derive(Clone)]
pub(crate) struct Outbox {
    queue: mpsc::Sender<Outbound>,
    overflow: Arc<Notify>,
}

impl Outbox {
    pub(crate) fn new(queue: mpsc::Sender<Outbound>, overflow: Arc<Notify>) -> Self {
        Self { queue, overflow }
    }

    pub(crate) fn push(&self, frame: Outbound) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send(frame) {
            self.overflow.notify_one();
        }
    }
}

/// Subscriptions of this instance's connections, by topic.
#[derive(Default)]
pub(crate) struct Hub {
    topics: RwLock<HashMap<Topic, HashMap<u64, Outbox>>>,
    next_connection: AtomicU64,
    fan_out: OnceLock<AbortOnDrop>,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Hub {
    /// Starts listening to the layer, once; later calls do nothing. Called on the first
    /// connection, inside the runtime (building a `Mizan` needs none).
    pub(crate) fn ensure_started(self: &Arc<Self>, layer: &Arc<dyn ChannelLayer>) {
        self.fan_out.get_or_init(|| {
            let mut publications = layer.subscribe();
            let hub: Weak<Hub> = Arc::downgrade(self);
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

    pub(crate) fn subscribe(&self, topic: Topic, connection: u64, outbox: Outbox) {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        topics.entry(topic).or_default().insert(connection, outbox);
    }

    pub(crate) fn unsubscribe(&self, topic: &Topic, connection: u64) {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        if let Some(listeners) = topics.get_mut(topic) {
            listeners.remove(&connection);
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
        let frame = frames::message(&publication.topic, &publication.data);
        for outbox in listeners.values() {
            outbox.push(Outbound::Text(frame.clone()));
        }
    }
}
