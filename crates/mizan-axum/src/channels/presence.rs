//! Presence on this instance (`spec/PROTOCOL.md` §3.8): the members this instance's
//! connections are, kept listed in the layer by a heartbeat, and the layer's join and
//! leave events handed to this instance's subscribers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use mizan_core::channels::{ChannelLayer, Member, PresenceEvent, Topic, new_instance_id};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::hub::Hub;

/// The members of this instance's connections, by topic then connection.
pub(crate) struct LocalPresence {
    /// What this instance's client ids start with.
    instance: String,
    members: Mutex<HashMap<Topic, HashMap<u64, Member>>>,
    /// The heartbeat and the fan-out of events, started once; stopped with the hub, and
    /// then this instance's entries expire (what a dead instance's do too).
    tasks: OnceLock<[AbortOnDrop; 2]>,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Default for LocalPresence {
    fn default() -> Self {
        Self {
            instance: new_instance_id(),
            members: Mutex::default(),
            tasks: OnceLock::new(),
        }
    }
}

impl LocalPresence {
    /// Starts the heartbeat and the fan-out of presence events, once.
    pub(crate) fn ensure_started(&self, hub: &Arc<Hub>, layer: &Arc<dyn ChannelLayer>) {
        self.tasks.get_or_init(|| {
            [
                // Subscribed now, not when the task first runs: a join made meanwhile is heard.
                AbortOnDrop(tokio::spawn(fan_out(
                    Arc::downgrade(hub),
                    layer.presence_events(),
                ))),
                AbortOnDrop(tokio::spawn(heartbeat(Arc::downgrade(hub), layer.clone()))),
            ]
        });
    }

    /// The client id of `connection`, unique across instances.
    pub(crate) fn client_id(&self, connection: u64) -> String {
        format!("{}-{connection}", self.instance)
    }

    /// Lists `member` (the member `connection` is) on `topic`, and waits until the layer
    /// has it, so that a presence query made afterwards on any instance sees it.
    pub(crate) async fn join(
        &self,
        layer: &dyn ChannelLayer,
        topic: &Topic,
        connection: u64,
        member: Member,
    ) -> Result<(), mizan_core::channels::ChannelError> {
        self.lock()
            .entry(topic.clone())
            .or_default()
            .insert(connection, member.clone());
        layer.touch(topic, &[member]).await
    }

    /// Drops `connection`'s member from `topic`, if it is one; the layer is told in the
    /// background (the connection may be closing).
    pub(crate) fn leave(&self, layer: &Arc<dyn ChannelLayer>, topic: &Topic, connection: u64) {
        let left = {
            let mut members = self.lock();
            let left = members.get_mut(topic).and_then(|m| m.remove(&connection));
            if members.get(topic).is_some_and(HashMap::is_empty) {
                members.remove(topic);
            }
            left
        };
        let Some(member) = left else { return };
        let (layer, topic) = (layer.clone(), topic.clone());
        tokio::spawn(async move {
            if let Err(err) = layer.leave(&topic, &member.client).await {
                tracing::warn!(%err, %topic, "presence leave lost; the entry expires instead");
            }
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, HashMap<u64, Member>>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every topic's members on this instance, for a heartbeat.
    fn snapshot(&self) -> Vec<(Topic, Vec<Member>)> {
        self.lock()
            .iter()
            .map(|(topic, members)| (topic.clone(), members.values().cloned().collect()))
            .collect()
    }
}

/// How often this instance's members are touched: three times per ttl, so one late or
/// failed heartbeat does not make them expire.
fn heartbeat_interval(layer: &dyn ChannelLayer) -> Duration {
    (layer.presence_ttl() / 3).max(Duration::from_millis(1))
}

async fn heartbeat(hub: Weak<Hub>, layer: Arc<dyn ChannelLayer>) {
    let every = heartbeat_interval(layer.as_ref());
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(snapshot) = hub.upgrade().map(|hub| hub.presence.snapshot()) else {
            return;
        };
        for (topic, members) in snapshot {
            if let Err(err) = layer.touch(&topic, &members).await {
                tracing::warn!(%err, %topic, "presence heartbeat failed; retrying next beat");
            }
        }
    }
}

async fn fan_out(hub: Weak<Hub>, mut events: broadcast::Receiver<PresenceEvent>) {
    loop {
        match events.recv().await {
            Ok(event) => match hub.upgrade() {
                Some(hub) => hub.deliver_presence(&event),
                None => return,
            },
            Err(RecvError::Lagged(skipped)) => {
                tracing::warn!(skipped, "presence fan-out fell behind the layer; events skipped");
            }
            Err(RecvError::Closed) => return,
        }
    }
}
