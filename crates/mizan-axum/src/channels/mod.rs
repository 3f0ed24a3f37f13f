//! Channels over WebSocket (`spec/PROTOCOL.md` §3): one multiplexed connection per client
//! (the upgrade is `routes/ws.rs`); the frames are documented in `frames.rs`.

mod close;
pub(crate) mod connection;
mod frames;
pub(crate) mod hub;
mod presence;
