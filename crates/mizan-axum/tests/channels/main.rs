//! Channels over a real WebSocket: a real server on loopback, `tokio-tungstenite` clients.
//!
//! Where new tests go: the frame protocol (subscribe, send, errors, auth) in `frames.rs`,
//! flow control (slow consumers, limits) in `flow.rs`, history and recovery in-process in
//! `history.rs`, tokens expiring on open connections in `expiry.rs`, anything needing the
//! real Redis in `redis.rs`, a Redis of its own killed under load in `outage.rs`. Fixtures (the channel registry, a server, a client) live in `support.rs`.

mod expiry;
mod flow;
mod frames;
mod history;
mod hostile;
#[cfg(feature = "redis")]
mod outage;
#[cfg(feature = "redis")]
mod redis;
mod strict;
mod support;
