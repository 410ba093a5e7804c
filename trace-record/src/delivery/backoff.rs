//! Exponential backoff with full jitter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Exponential backoff with "full jitter": the `n`th retry (from 1) waits a random time up to
/// `min(max, base * 2^(n-1))`, at least a millisecond.
pub(crate) fn backoff(retry: u32, base: Duration, max: Duration) -> Duration {
    let ceiling = base
        .checked_mul(1u32 << retry.saturating_sub(1).min(20))
        .unwrap_or(max)
        .min(max);
    let nanos = ceiling.as_nanos() as u64;
    let jittered = if nanos == 0 {
        0
    } else {
        random() % (nanos + 1)
    };
    Duration::from_nanos(jittered).max(Duration::from_millis(1))
}

/// A small, well-mixed random number; the jitter does not need a cryptographic generator, only
/// different values in different writers and retries.
fn random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = STATE
        .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        .wrapping_add(seed)
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    // splitmix64's finaliser.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_its_ceiling() {
        let base = Duration::from_millis(10);
        let max = Duration::from_millis(300);
        for retry in 1..40 {
            let ceiling = (base * (1 << (retry - 1).min(20))).min(max);
            for _ in 0..50 {
                let wait = backoff(retry, base, max);
                assert!(
                    wait <= ceiling.max(Duration::from_millis(1)),
                    "{retry}: {wait:?}"
                );
            }
        }
        // Jitter: not every wait is the same.
        let waits: std::collections::HashSet<_> = (0..50).map(|_| backoff(5, base, max)).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
