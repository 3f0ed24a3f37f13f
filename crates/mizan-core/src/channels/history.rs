//! Channel history: what lets a client that was away recover the messages it missed
//! (`spec/PROTOCOL.md` §3.7), after Centrifugo's model of offsets and epochs.
//!
//! Every publication on a topic whose channel declares a [`History`] gets the next
//! offset of that topic (1, 2, ...). The topic's history has an epoch, which changes
//! whenever the history is lost (a restart of the in-process layer, an expiry in Redis):
//! an offset only means something together with its epoch. A subscriber that was away
//! gives the last [`StreamPosition`] it saw; the layer answers with what came after it,
//! or says it cannot (another epoch, or the history no longer reaches back that far).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::topic::Topic;

/// How much history a channel keeps per topic: at most `size` publications, and none
/// older than `ttl` after the topic's last publication (the whole history then expires
/// and the next publication starts a new epoch).
///
/// ```
/// use std::time::Duration;
/// use mizan_core::channels::{Channel, History};
///
/// let chat = Channel::new("chat")
///     .message::<String>()
///     .history(History::new(100, Duration::from_secs(600)));
/// # let _ = chat;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    size: usize,
    ttl: Duration,
}

impl History {
    /// At most `size` publications per topic (at least 1), kept for `ttl` after the
    /// topic's last publication (at least one second: Redis expiries have that grain).
    pub fn new(size: usize, ttl: Duration) -> Self {
        Self {
            size: size.max(1),
            ttl: ttl.max(Duration::from_secs(1)),
        }
    }

    /// Publications kept per topic.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How long a topic's history outlives its last publication.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }
}

/// Where a topic's stream stands: the offset of a publication (or of the newest one, 0
/// when there is none) in a given epoch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamPosition {
    /// The publication's offset: 1 for the first one of an epoch.
    pub offset: u64,
    /// The epoch of the topic's history, an opaque string.
    pub epoch: String,
}

/// What a layer answers to a subscriber that asks for the history of a topic.
#[derive(Debug, Clone)]
pub struct Recovery {
    /// The newest position of the topic now; live publications follow it.
    pub position: StreamPosition,
    /// The publications after the position asked for, oldest first, up to
    /// [`position`](Self::position); empty when nothing was asked or it could not be
    /// recovered.
    pub publications: Vec<Publication>,
    /// Whether everything after the position asked for is in
    /// [`publications`](Self::publications): false when the epoch changed or the history
    /// no longer reaches back that far. `true` when nothing was asked.
    pub recovered: bool,
}

/// A fresh epoch: unique within the process and, through the clock, across restarts.
pub(super) fn new_epoch() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// One message published on one topic, as layers carry it between instances.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Publication {
    /// Where it goes.
    pub topic: Topic,
    /// The message, as JSON text.
    pub data: Box<RawValue>,
    /// Its place in the topic's history, when the channel keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<StreamPosition>,
}

impl Publication {
    /// A publication of `data` on `topic`, not yet placed in any history.
    pub fn new(topic: Topic, data: Box<RawValue>) -> Self {
        Self {
            topic,
            data,
            position: None,
        }
    }
}
