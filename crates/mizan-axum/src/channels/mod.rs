//! Channels (`spec/PROTOCOL.md` §3): one multiplexed connection per client, over a
//! WebSocket (`websocket.rs`) or Server-Sent Events plus POST (`sse.rs`); both carry the
//! same frames (`frames.rs`) to the same connection core (`connection.rs`). The routes are
//! `routes/ws.rs` and `routes/sse.rs`.

mod close;
mod connection;
mod frames;
pub(crate) mod hub;
mod presence;
mod queue;
pub(crate) mod sse;
pub(crate) mod websocket;

pub(crate) use connection::{End, Incoming};
