//! The operator page's live feed: this instance's counters, published once a second on the
//! `operator_stats` channel, which only operators may subscribe to. Nothing else serves
//! the counters: there is no public endpoint for them.

use std::time::Duration;

use mizan::axum::{MetricsSnapshot, Mizan};
use mizan::channels::{Channel, ChannelKey, OneWay};
use mizan::prelude::*;

use crate::users::OPERATE;

/// One instance's counters at one moment.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstanceStats {
    /// Which instance (its process id): with Redis, every instance publishes on the same
    /// channel and the page shows each one.
    pub instance: String,
    /// The counters, per function and in total.
    pub stats: MetricsSnapshot,
}

/// A handle to publish on `operator_stats`.
pub const OPERATOR_STATS: ChannelKey<(), InstanceStats> = ChannelKey::new("operator_stats");

/// How often the counters go out.
const EVERY: Duration = Duration::from_secs(1);

/// The `operator_stats` channel: server to client, no parameters, `mizan.purge` only.
pub fn operator_stats() -> Channel<(), InstanceStats, OneWay> {
    Channel::new("operator_stats")
        .description("This instance's counters, once a second, for the operator page.")
        .message::<InstanceStats>()
        .permissions([OPERATE])
}

/// Publishes `mizan`'s counters every second while any channel client is subscribed to
/// anything on this instance (the hub counts subscriptions, not who listens to which
/// topic; an idle instance publishes nothing). Runs until the runtime stops.
pub fn spawn_feed(mizan: &Mizan) {
    let mizan = mizan.clone();
    let instance = std::process::id().to_string();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            let stats = mizan.metrics().snapshot();
            if stats.ws_subscriptions == 0 {
                continue;
            }
            let message = InstanceStats {
                instance: instance.clone(),
                stats,
            };
            if let Err(err) = mizan.publisher().publish(&OPERATOR_STATS, &(), &message).await {
                tracing::warn!(%err, "could not publish the operator's counters");
            }
        }
    });
}
