//! Channel presence: who is subscribed to a topic (`spec/PROTOCOL.md` §3.8).
//!
//! A channel that declares [`Presence`] lists every authenticated subscriber of a topic as
//! a [`Member`]: the connection's client id, its user id and the claims the channel chooses
//! to expose. Members join when they subscribe and leave when they unsubscribe or
//! disconnect; a [`PresenceLayer`] keeps the list, shared by every instance, and announces
//! each change as a [`PresenceEvent`].
//!
//! An instance that dies cannot say goodbye, so entries expire: the instance owning a
//! member touches it every third of the layer's [`presence_ttl`](PresenceLayer::presence_ttl),
//! and every touch of a topic also sweeps the entries nobody refreshed, announcing their
//! leave. A dead instance's members are gone from queries `ttl` after its last touch and
//! their leave is announced within `ttl + ttl/3` by any instance with members on the topic.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use super::error::ChannelError;
use super::topic::Topic;
use crate::function::Identity;

/// What a channel's presence exposes of each member: the user id always, plus the
/// token claims named here (`name`, `avatar`, ...). Claims a token lacks are left out.
///
/// ```
/// use mizan_core::channels::{Channel, Presence};
///
/// let room = Channel::new("room")
///     .message::<String>()
///     .authenticated()
///     .presence(Presence::new().claims(["name"]));
/// # let _ = room;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presence {
    claims: Vec<String>,
}

impl Presence {
    /// Presence exposing the user id only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also exposes these token claims of each member.
    #[must_use]
    pub fn claims<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.claims.extend(names.into_iter().map(Into::into));
        self
    }

    /// The claims exposed besides the user id.
    pub fn exposed_claims(&self) -> &[String] {
        &self.claims
    }

    /// The member that `identity`, connected as `client`, is on a topic of this channel.
    pub fn member(&self, client: impl Into<String>, identity: &Identity) -> Member {
        let claims = self
            .claims
            .iter()
            .filter_map(|name| Some((name.clone(), identity.claims.get(name)?.clone())))
            .collect();
        Member {
            client: client.into(),
            user: identity.user_id.clone(),
            claims,
        }
    }
}

/// One subscriber of a topic, as presence lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The subscribing connection's id, unique across instances: one user with two tabs
    /// is two members.
    pub client: String,
    /// The user id (`sub`).
    pub user: String,
    /// The claims the channel exposes, those the token has.
    pub claims: Map<String, Value>,
}

/// Whether a member came or went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceChange {
    /// The member subscribed.
    Join,
    /// The member unsubscribed, disconnected, or its entry expired.
    Leave,
}

/// A change of a topic's members, as layers carry it to every instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEvent {
    /// Where.
    pub topic: Topic,
    /// Came or went.
    pub change: PresenceChange,
    /// Who.
    pub member: Member,
}

/// Keeps the members of every topic with presence, shared by all instances, and announces
/// their changes to every instance. Every [`ChannelLayer`](super::ChannelLayer) is one.
///
/// Implementations announce a join only for a member that was not listed, and a leave
/// only for one that was: one change, one event, whichever instance makes it.
#[async_trait]
pub trait PresenceLayer: Send + Sync + 'static {
    /// How long an entry lives after its last [`touch`](Self::touch).
    fn presence_ttl(&self) -> Duration;

    /// Lists `members` on `topic` (or keeps them listed) for another
    /// [`presence_ttl`](Self::presence_ttl), announcing a join for each one that was not,
    /// then drops the topic's entries that expired, announcing their leave.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when the backend cannot answer.
    async fn touch(&self, topic: &Topic, members: &[Member]) -> Result<(), ChannelError>;

    /// Drops the member of `client` from `topic`, announcing its leave if it was listed.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when the backend cannot answer.
    async fn leave(&self, topic: &Topic, client: &str) -> Result<(), ChannelError>;

    /// The topic's members whose entries have not expired, in no particular order.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Unavailable`] when the backend cannot answer.
    async fn members(&self, topic: &Topic) -> Result<Vec<Member>, ChannelError>;

    /// Every presence change from every instance, from now on.
    fn presence_events(&self) -> broadcast::Receiver<PresenceEvent>;
}

/// The presence ttl layers use unless told otherwise.
pub(super) const DEFAULT_PRESENCE_TTL: Duration = Duration::from_secs(30);

/// A fresh id for a server instance, unique across processes: what member client ids
/// start with.
pub fn new_instance_id() -> String {
    super::history::new_epoch()
}
