//! Channel layers: how a publication reaches every server instance.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::{broadcast, watch};

use super::error::ChannelError;
use super::history::{History, Publication, Recovery, StreamPosition, new_epoch};
use super::presence::{DEFAULT_PRESENCE_TTL, Member, PresenceChange, PresenceEvent, PresenceLayer};
use super::topic::Topic;

/// Carries publications between server instances. Every instance's transport reads
/// [`subscribe`](Self::subscribe) and fans out to its own subscribers, so a publication
/// made on any instance reaches subscribers on all of them.
///
/// Implementations must deliver a publication to every receiver, including the publishing
/// instance's own (the transport never short-cuts local delivery), and never block
/// [`publish`](Self::publish) on slow receivers. Every layer also keeps presence
/// ([`PresenceLayer`]).
#[async_trait]
pub trait ChannelLayer: PresenceLayer {
    /// A short name for logs and errors (`in_process`, `redis`).
    fn name(&self) -> &'static str;

    /// Sends a publication to every instance.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when the backend cannot take it; nothing is delivered.
    async fn publish(&self, publication: Publication) -> Result<(), ChannelError>;

    /// Places the publication in its topic's history (the next offset, trimmed to
    /// `history`), then sends it to every instance with that position. Publications of
    /// one topic reach every receiver in offset order.
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish); nothing is stored or delivered.
    async fn append(
        &self,
        publication: Publication,
        history: &History,
    ) -> Result<StreamPosition, ChannelError>;

    /// The topic's newest position and, when `since` is given, the publications after
    /// it (see [`Recovery`]). Starts the topic's history (a new epoch) if it has none.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when the backend cannot answer.
    async fn recover(
        &self,
        topic: &Topic,
        history: &History,
        since: Option<&StreamPosition>,
    ) -> Result<Recovery, ChannelError>;

    /// A stream of every publication from every instance, from now on. A receiver that
    /// falls behind by more than the layer's buffer skips ahead (`RecvError::Lagged`).
    fn subscribe(&self) -> broadcast::Receiver<Publication>;

    /// Whether this layer is with the other instances now, and how many times it has
    /// joined them, for a layer that misses publications while apart (Redis pub/sub across
    /// a lost connection). Each time it joins again, the server resyncs its clients (the
    /// current revisions on `mizan_revisions`); while it is apart, the executor's copy of
    /// the revisions is not used. `None`, the default: the layer is never apart.
    fn connections(&self) -> Option<watch::Receiver<Link>> {
        None
    }
}

/// A layer's link to the other instances ([`ChannelLayer::connections`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Link {
    /// How many times the layer has joined the other instances: `0` before the first.
    pub joins: u64,
    /// Whether it is with them now, hearing every publication.
    pub joined: bool,
}

/// The default layer: publications stay inside the process (every `Mizan` instance sharing
/// this layer hears them). Built on a tokio broadcast channel; histories are bounded rings
/// per topic, lost (a new epoch) when the process ends or a topic's ttl passes.
#[derive(Debug, Clone)]
pub struct InProcessLayer {
    sender: broadcast::Sender<Publication>,
    streams: Arc<Mutex<Streams>>,
    presence: Arc<Mutex<HashMap<Topic, HashMap<String, Entry>>>>,
    presence_events: broadcast::Sender<PresenceEvent>,
    presence_ttl: Duration,
}

/// A listed member and when its entry expires.
#[derive(Debug)]
struct Entry {
    member: Member,
    expires: Instant,
}

/// Every topic's history, and how many appends since expired ones were last swept.
#[derive(Debug, Default)]
struct Streams {
    topics: HashMap<Topic, Stream>,
    appends_since_sweep: usize,
}

/// How many appends pass between sweeps of expired topics: a sweep visits every topic.
const SWEEP_EVERY: usize = 1024;

#[derive(Debug)]
struct Stream {
    epoch: String,
    top: u64,
    ring: VecDeque<Publication>,
    expires: Instant,
}

impl Stream {
    fn new(history: &History) -> Self {
        Self {
            epoch: new_epoch(),
            top: 0,
            ring: VecDeque::new(),
            expires: Instant::now() + history.ttl(),
        }
    }

    fn position(&self) -> StreamPosition {
        StreamPosition {
            offset: self.top,
            epoch: self.epoch.clone(),
        }
    }

    /// The publications after `since`, if this stream still holds all of them.
    fn after(&self, since: &StreamPosition) -> Option<Vec<Publication>> {
        if since.epoch != self.epoch || since.offset > self.top {
            return None;
        }
        let oldest = self.top + 1 - self.ring.len() as u64;
        if since.offset + 1 < oldest {
            return None;
        }
        let skip = (since.offset + 1 - oldest) as usize;
        Some(self.ring.iter().skip(skip).cloned().collect())
    }
}

impl Streams {
    /// The topic's live stream, replaced by a new epoch when it expired.
    fn live(&mut self, topic: &Topic, history: &History) -> &mut Stream {
        let now = Instant::now();
        let stream = self
            .topics
            .entry(topic.clone())
            .or_insert_with(|| Stream::new(history));
        if stream.expires <= now {
            *stream = Stream::new(history);
        }
        stream
    }

    fn sweep_now_and_then(&mut self) {
        self.appends_since_sweep += 1;
        if self.appends_since_sweep >= SWEEP_EVERY {
            self.appends_since_sweep = 0;
            let now = Instant::now();
            self.topics.retain(|_, stream| stream.expires > now);
        }
    }
}

impl InProcessLayer {
    /// Buffer of publications a slow receiver may fall behind by before it skips ahead.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// A layer with the default buffer.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A layer with a buffer of `capacity` publications (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity.max(1)).0,
            streams: Arc::default(),
            presence: Arc::default(),
            presence_events: broadcast::channel(capacity.max(1)).0,
            presence_ttl: DEFAULT_PRESENCE_TTL,
        }
    }

    /// Presence entries live `ttl` after their last touch (default 30 s): how long the
    /// members of a server instance sharing this layer outlive it when it dies without
    /// cleanup.
    #[must_use]
    pub fn with_presence_ttl(mut self, ttl: Duration) -> Self {
        self.presence_ttl = ttl;
        self
    }

    fn announce(&self, topic: &Topic, change: PresenceChange, member: Member) {
        // No receiver: no instance listens, so nobody is told.
        let _ = self.presence_events.send(PresenceEvent {
            topic: topic.clone(),
            change,
            member,
        });
    }

    /// How many publications the histories of all topics hold now (what bounds memory).
    pub fn history_len(&self) -> usize {
        let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.topics.values().map(|stream| stream.ring.len()).sum()
    }
}

impl Default for InProcessLayer {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl ChannelLayer for InProcessLayer {
    fn name(&self) -> &'static str {
        "in_process"
    }

    async fn publish(&self, publication: Publication) -> Result<(), ChannelError> {
        // No receiver means no instance listens yet: the publication has nowhere to go.
        let _ = self.sender.send(publication);
        Ok(())
    }

    async fn append(
        &self,
        mut publication: Publication,
        history: &History,
    ) -> Result<StreamPosition, ChannelError> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.sweep_now_and_then();
        let stream = streams.live(&publication.topic, history);
        stream.top += 1;
        stream.expires = Instant::now() + history.ttl();
        let position = stream.position();
        publication.position = Some(position.clone());
        stream.ring.push_back(publication.clone());
        while stream.ring.len() > history.size() {
            stream.ring.pop_front();
        }
        // Sent under the lock, so receivers see one topic's publications in offset order.
        let _ = self.sender.send(publication);
        Ok(position)
    }

    async fn recover(
        &self,
        topic: &Topic,
        history: &History,
        since: Option<&StreamPosition>,
    ) -> Result<Recovery, ChannelError> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let stream = streams.live(topic, history);
        let missed = since.map(|since| stream.after(since));
        Ok(Recovery {
            position: stream.position(),
            recovered: !matches!(missed, Some(None)),
            publications: missed.flatten().unwrap_or_default(),
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<Publication> {
        self.sender.subscribe()
    }
}

#[async_trait]
impl PresenceLayer for InProcessLayer {
    fn presence_ttl(&self) -> Duration {
        self.presence_ttl
    }

    async fn touch(&self, topic: &Topic, members: &[Member]) -> Result<(), ChannelError> {
        let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let entries = presence.entry(topic.clone()).or_default();
        // Sweep first: a member whose entry expired leaves before it may join again.
        let expired: Vec<String> = entries
            .iter()
            .filter(|(_, entry)| entry.expires <= now)
            .map(|(client, _)| client.clone())
            .collect();
        for client in expired {
            if let Some(entry) = entries.remove(&client) {
                self.announce(topic, PresenceChange::Leave, entry.member);
            }
        }
        let expires = now + self.presence_ttl;
        for member in members {
            if let Some(entry) = entries.get_mut(&member.client) {
                entry.expires = expires;
            } else {
                let entry = Entry {
                    member: member.clone(),
                    expires,
                };
                entries.insert(member.client.clone(), entry);
                self.announce(topic, PresenceChange::Join, member.clone());
            }
        }
        if entries.is_empty() {
            presence.remove(topic);
        }
        Ok(())
    }

    async fn leave(&self, topic: &Topic, client: &str) -> Result<(), ChannelError> {
        let mut presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entries) = presence.get_mut(topic) else {
            return Ok(());
        };
        if let Some(entry) = entries.remove(client) {
            self.announce(topic, PresenceChange::Leave, entry.member);
        }
        if entries.is_empty() {
            presence.remove(topic);
        }
        Ok(())
    }

    async fn members(&self, topic: &Topic) -> Result<Vec<Member>, ChannelError> {
        let presence = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        Ok(presence
            .get(topic)
            .into_iter()
            .flat_map(HashMap::values)
            .filter(|entry| entry.expires > now)
            .map(|entry| entry.member.clone())
            .collect())
    }

    fn presence_events(&self) -> broadcast::Receiver<PresenceEvent> {
        self.presence_events.subscribe()
    }
}
