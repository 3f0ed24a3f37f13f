//! Close codes the server uses (`spec/PROTOCOL.md` §3.5).

/// The server is done with the connection (it is shutting down the connection).
pub(crate) const NORMAL: u16 = 1000;
/// The client broke the WebSocket protocol.
pub(crate) const PROTOCOL_ERROR: u16 = 1002;
/// A frame was larger than `max_frame_bytes`.
pub(crate) const TOO_BIG: u16 = 1009;
/// Nothing arrived from the client within `idle_timeout`.
pub(crate) const IDLE_TIMEOUT: u16 = 4000;
/// The client read too slowly: its queue of `queue_len` frames filled up.
pub(crate) const SLOW_CONSUMER: u16 = 4008;
