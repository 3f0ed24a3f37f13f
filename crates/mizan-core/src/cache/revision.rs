//! The one rule by which every backend moves a revision counter, so that counters never go
//! back, not even after their store forgot them.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::MAX_SAFE_INTEGER;

/// The value a purge moves a revision counter to: `max(current + 1, now_ms)`, where `current`
/// is the counter's value (`0` for a counter the store does not have) and `now_ms` the
/// backend's clock in milliseconds since the Unix epoch.
///
/// A counter therefore holds about the time of its tag's last purge. A store that forgets it
/// (restarted without persistence, flushed, or evicting under an `allkeys-*` policy) starts it
/// again from the clock, above every value it had, since those were times already past.
///
/// That holds while a tag is purged at most 1,000 times a second. Faster purges push the
/// counter ahead of the clock, one per purge: it still strictly increases, but a store that
/// forgets it before the clock has caught up starts it again at a value it may already have
/// had. A burst of `n` purges within one millisecond puts it `n - 1` milliseconds ahead.
///
/// `None` when the next value would pass [`MAX_SAFE_INTEGER`] (2^53 − 1, the largest integer
/// a JavaScript number holds exactly, so clients read every revision as it is): the clock
/// gets there in the year 287,396.
///
/// ```
/// use mizan_core::next_revision;
///
/// assert_eq!(next_revision(0, 1_767_225_600_000), Some(1_767_225_600_000)); // a first purge
/// assert_eq!(next_revision(1_767_225_600_000, 1_767_225_600_000), Some(1_767_225_600_001));
/// assert_eq!(next_revision(7, 1_767_225_600_000), Some(1_767_225_600_000)); // was forgotten
/// ```
pub fn next_revision(current: u64, now_ms: u64) -> Option<u64> {
    let next = current.checked_add(1)?.max(now_ms);
    (next <= MAX_SAFE_INTEGER).then_some(next)
}

/// This process's clock as [`next_revision`] reads it: milliseconds since the Unix epoch (`0`
/// for a clock set before it). For backends without a clock of their own; a store shared by
/// several instances should use its own, so that they all follow one clock.
pub fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_767_225_600_000;

    #[test]
    fn a_counter_behind_the_clock_jumps_to_it() {
        assert_eq!(next_revision(0, NOW), Some(NOW));
        assert_eq!(next_revision(41, NOW), Some(NOW));
        assert_eq!(next_revision(NOW - 1, NOW), Some(NOW));
    }

    #[test]
    fn a_counter_at_or_ahead_of_the_clock_moves_by_one() {
        assert_eq!(next_revision(NOW, NOW), Some(NOW + 1));
        assert_eq!(next_revision(NOW + 500, NOW), Some(NOW + 501));
        // A clock before the epoch reads 0: counters still move.
        assert_eq!(next_revision(0, 0), Some(1));
    }

    #[test]
    fn no_revision_passes_the_largest_safe_integer() {
        assert_eq!(next_revision(MAX_SAFE_INTEGER - 1, NOW), Some(MAX_SAFE_INTEGER));
        assert_eq!(next_revision(MAX_SAFE_INTEGER, NOW), None);
        assert_eq!(next_revision(u64::MAX, NOW), None);
        assert_eq!(next_revision(0, MAX_SAFE_INTEGER + 1), None);
    }

    #[test]
    fn the_process_clock_reads_milliseconds_since_the_epoch() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
        let now = u128::from(unix_millis());
        let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
        assert!((before..=after).contains(&now), "{before} <= {now} <= {after}");
    }
}
