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
///
/// Runs of bytes that cannot change the depth are skipped through a table, a few
/// instructions a byte: the scan runs on every body and frame, and a byte-by-byte state
/// machine cost a third of a call with an 80 KB body (callgrind).
pub(crate) fn exceeds_depth(json: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(byte) = next(json, &mut at, OUTSIDE) {
        match byte {
            b'"' => loop {
                match next(json, &mut at, INSIDE) {
                    // The escaped byte, whatever it is, is part of the string.
                    Some(b'\\') => at += 1,
                    Some(_) => break,
                    // An unterminated string: nothing after it nests.
                    None => return false,
                }
            },
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            _ => depth = depth.saturating_sub(1),
        }
    }
    false
}

/// What [`exceeds_depth`] stops at outside strings: a quote, or a bracket or brace.
const OUTSIDE: u8 = 1;
/// What it stops at inside a string: its closing quote or an escape.
const INSIDE: u8 = 2;

/// The classes of every byte value: [`OUTSIDE`], [`INSIDE`], both or neither.
const CLASSES: [u8; 256] = {
    let mut classes = [0; 256];
    classes[b'"' as usize] = OUTSIDE | INSIDE;
    classes[b'\\' as usize] = INSIDE;
    classes[b'[' as usize] = OUTSIDE;
    classes[b']' as usize] = OUTSIDE;
    classes[b'{' as usize] = OUTSIDE;
    classes[b'}' as usize] = OUTSIDE;
    classes
};

/// The next byte of `class` from `*at` on, leaving `*at` just past it. A table lookup a
/// byte for the first few bytes, which is all most runs take; past them, a run inside a
/// string (a long text) is searched with SIMD.
fn next(json: &[u8], at: &mut usize, class: u8) -> Option<u8> {
    const SHORT: usize = 16;
    let is = |byte: u8| CLASSES[usize::from(byte)] & class != 0;
    let mut i = *at;
    let short_end = json.len().min(i.saturating_add(SHORT));
    while i < short_end {
        let byte = json[i];
        i += 1;
        if is(byte) {
            *at = i;
            return Some(byte);
        }
    }
    let rest = json.get(i..).unwrap_or_default();
    let found = if class == INSIDE {
        memchr::memchr2(b'"', b'\\', rest)
    } else {
        rest.iter().position(|&byte| is(byte))
    };
    let Some(found) = found else {
        *at = json.len();
        return None;
    };
    *at = i + found + 1;
    Some(rest[found])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::exceeds_depth;

    #[test]
    fn counts_nesting_outside_strings_only() {
        assert!(!exceeds_depth(br#"{"a":[1,{"b":2}]}"#, 3));
        assert!(exceeds_depth(br#"{"a":[1,{"b":2}]}"#, 2));
        assert!(!exceeds_depth(br#"{"a":"[[[[[[\"[[["}"#, 1));
        assert!(exceeds_depth("[".repeat(100).as_bytes(), 64));
        assert!(!exceeds_depth(b"42", 0));
        assert!(!exceeds_depth(br#"["\"#, 1) && !exceeds_depth(br#""\"#, 0));
        assert!(exceeds_depth(br#"["\\"[]"#, 1));
    }

    /// The scan as a byte-by-byte state machine: what the table-driven one must agree with.
    fn reference(json: &[u8], limit: usize) -> bool {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn agrees_with_the_byte_by_byte_scan(
            // Mostly plain bytes, so runs inside and outside strings are long as often as short.
            text in proptest::collection::vec(prop::sample::select(b"[]{}\"\\aaaaaaaaaaaaaaaaaaaa,: ".to_vec()), 0..120),
            limit in 0usize..6,
        ) {
            prop_assert_eq!(exceeds_depth(&text, limit), reference(&text, limit));
        }
    }
}
