use std::sync::atomic::{AtomicU64, Ordering};

use crate::clock::{Instant, elapsed};

/// A lock-free token bucket (in its GCRA form: one atomic "theoretical arrival time").
///
/// Consulted once per trace that passed the ratio, never per span.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    base: Instant,
    /// Nanoseconds between admissions; 0 means no limit, `u64::MAX` admits nothing.
    interval_ns: u64,
    /// How far ahead of now the arrival time may run: one second's worth of burst.
    burst_ns: u64,
    tat_ns: AtomicU64,
}

impl RateLimiter {
    pub(crate) fn new(max_per_second: f64) -> Self {
        let interval_ns = if max_per_second.is_nan() || max_per_second <= 0.0 {
            u64::MAX
        } else {
            (1e9 / max_per_second) as u64
        };
        Self {
            base: Instant::now(),
            interval_ns,
            burst_ns: 1_000_000_000u64.saturating_sub(interval_ns),
            tat_ns: AtomicU64::new(0),
        }
    }

    pub(crate) fn try_acquire(&self) -> bool {
        if self.interval_ns == u64::MAX {
            return false;
        }
        let now = u64::try_from(elapsed(self.base, Instant::now()).as_nanos()).unwrap_or(u64::MAX);
        self.tat_ns
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |tat| {
                let tat = tat.max(now);
                (tat - now <= self.burst_ns).then(|| tat + self.interval_ns)
            })
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_rate_admits_nothing() {
        let l = RateLimiter::new(0.0);
        assert!(!l.try_acquire());
    }

    #[test]
    fn admits_a_burst_then_stops() {
        let l = RateLimiter::new(10.0);
        let n = (0..100).filter(|_| l.try_acquire()).count();
        assert!((10..=11).contains(&n), "{n}");
    }
}
