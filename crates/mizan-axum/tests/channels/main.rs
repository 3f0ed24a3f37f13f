//! Channels over real sockets: a real server on loopback, `tokio-tungstenite` WebSocket
//! clients and `reqwest` Server-Sent Events clients.
//!
//! Where new tests go: the frame protocol (subscribe, send, errors, auth) in `frames.rs`,
//! flow control (slow consumers, limits) in `flow.rs`, history and recovery in-process in
//! `history.rs`, tokens expiring on open connections in `expiry.rs`, presence in
//! `presence.rs` (its Redis cases too), what only the SSE transport has (sessions,
//! `Last-Event-ID`) in `sse.rs`, anything else needing the real Redis in `redis.rs`, a Redis
//! of its own killed under load in `outage.rs`, the revision copy across instances in
//! `revision_copy.rs`, hostile clients in `hostile.rs`, strict
//! frame JSON in `strict.rs`.
//! Fixtures (the channel registry, a server, a client) live in `support.rs`.
//! A test listed in its file's `over_both_transports!` runs once over each transport.

/// Makes each listed `async fn` a test over the WebSocket (`over_websocket::NAME`) and one
/// over SSE (`over_sse::NAME`); `NAME (ARGS)` passes `ARGS` to `#[tokio::test]`.
#[macro_export]
macro_rules! over_both_transports {
    ($($test:ident $(($($arg:tt)*))?),* $(,)?) => {
        mod over_websocket {
            $(
                #[tokio::test $(($($arg)*))?]
                async fn $test() {
                    $crate::support::Transport::WebSocket.run(super::$test()).await;
                }
            )*
        }
        mod over_sse {
            $(
                #[tokio::test $(($($arg)*))?]
                async fn $test() {
                    $crate::support::Transport::Sse.run(super::$test()).await;
                }
            )*
        }
    };
}

mod expiry;
mod flow;
mod frames;
mod history;
mod hostile;
#[cfg(feature = "redis")]
mod outage;
mod presence;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod revision_copy;
mod sse;
mod strict;
mod support;
