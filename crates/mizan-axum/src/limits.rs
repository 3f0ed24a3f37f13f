//! Server-enforced limits on requests (`spec/PROTOCOL.md` §2.6) and WebSocket
//! connections (§3.5).

use std::time::Duration;

/// Limits the adapter enforces before any function runs. Every violation is answered with
/// a documented error (`payload_too_large`, `too_deep`, `limit_exceeded`), never a 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request body in bytes (`413 payload_too_large`). Default 1 MiB.
    pub max_body_bytes: usize,
    /// Deepest JSON nesting of an input (`400 too_deep`). Default 64.
    pub max_json_depth: usize,
    /// Most calls in one batch (`429 limit_exceeded`). Default 50.
    pub max_batch_calls: usize,
    /// Longest query string of a GET call in bytes (`429 limit_exceeded`). Default 8 KiB.
    pub max_query_bytes: usize,
    /// Longest a request body may take to arrive, from its first read (`400 bad_request`):
    /// a client trickling a body (slowloris) holds a connection no longer. Default 30 s.
    pub body_timeout: Duration,
    /// Limits of channel connections (`GET /ws`, `GET /sse`).
    pub channels: ChannelLimits,
}

/// Limits of one channel connection (`spec/PROTOCOL.md` §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChannelLimits {
    /// Largest client frame in bytes: a larger one is answered with a `payload_too_large`
    /// error frame and close code 1009. Default 64 KiB.
    pub max_frame_bytes: usize,
    /// Frames waiting to be written to one client. When a publication finds the queue
    /// full, the client is too slow: it is disconnected with close code 4008, and nobody
    /// else waits for it. Default 256.
    pub queue_len: usize,
    /// How often the server pings. Default 25 s.
    pub heartbeat_interval: Duration,
    /// A client that sends nothing (no frame, no pong) for this long is disconnected with
    /// close code 4000. Default 60 s; keep it above `heartbeat_interval`.
    pub idle_timeout: Duration,
    /// Topics one connection may be subscribed to at once (`limit_exceeded`). Default 256.
    pub max_subscriptions: usize,
}

impl Default for ChannelLimits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 64 * 1024,
            queue_len: 256,
            heartbeat_interval: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(60),
            max_subscriptions: 256,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_json_depth: 64,
            max_batch_calls: 50,
            max_query_bytes: 8 * 1024,
            body_timeout: Duration::from_secs(30),
            channels: ChannelLimits::default(),
        }
    }
}

/// Whether JSON text nests arrays/objects deeper than `limit`. A linear scan that runs
/// before parsing, so a hostile body never reaches the parser's recursion.
pub(crate) fn exceeds_depth(json: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::exceeds_depth;

    #[test]
    fn counts_nesting_outside_strings_only() {
        assert!(!exceeds_depth(br#"{"a":[1,{"b":2}]}"#, 3));
        assert!(exceeds_depth(br#"{"a":[1,{"b":2}]}"#, 2));
        assert!(!exceeds_depth(br#"{"a":"[[[[[[\"[[["}"#, 1));
        assert!(exceeds_depth("[".repeat(100).as_bytes(), 64));
        assert!(!exceeds_depth(b"42", 0));
    }
}
