use std::fmt;

use crate::context::SpanContext;
use crate::id::TraceId;
use crate::sampling::rate_limit::RateLimiter;

/// The head sampler: decides whether a new trace is recorded.
///
/// ```
/// use trace_core::Sampler;
/// // Follow a remote caller's decision; for traces that start here, keep 10%, at most 50 a second.
/// let sampler = Sampler::parent_based(Sampler::rate_limited(0.1, 50.0));
/// # let _ = sampler;
/// ```
#[derive(Debug)]
pub struct Sampler(Kind);

#[derive(Debug)]
enum Kind {
    Always,
    Never,
    Ratio(RatioThreshold),
    RateLimited(RatioThreshold, RateLimiter),
    ParentBased(Box<Sampler>),
}

impl Sampler {
    /// Records every trace.
    pub fn always() -> Self {
        Self(Kind::Always)
    }

    /// Records no trace (context still propagates).
    pub fn never() -> Self {
        Self(Kind::Never)
    }

    /// Records this fraction of traces (clamped to `0.0..=1.0`).
    ///
    /// The decision is a function of the trace id, so every service using the same ratio makes the
    /// same decision for the same trace.
    pub fn ratio(fraction: f64) -> Self {
        Self(Kind::Ratio(RatioThreshold::new(fraction)))
    }

    /// Records `fraction` of traces, and at most `max_per_second` of them, like the Cloud Trace Go
    /// client's `NewLimitedSampler`. A trace whose remote caller sampled it is a candidate regardless
    /// of the fraction, but still subject to the limit.
    pub fn rate_limited(fraction: f64, max_per_second: f64) -> Self {
        Self(Kind::RateLimited(
            RatioThreshold::new(fraction),
            RateLimiter::new(max_per_second),
        ))
    }

    /// Follows the sampled flag of a remote parent; uses `root` for traces that start here.
    pub fn parent_based(root: Sampler) -> Self {
        Self(Kind::ParentBased(Box::new(root)))
    }

    /// Whether a trace that starts in this process is recorded.
    pub fn sample_root(&self, trace_id: TraceId) -> bool {
        match &self.0 {
            Kind::Always => true,
            Kind::Never => false,
            Kind::Ratio(t) => t.admits(trace_id),
            Kind::RateLimited(t, limit) => t.admits(trace_id) && limit.try_acquire(),
            Kind::ParentBased(root) => root.sample_root(trace_id),
        }
    }

    /// Whether the local part of a trace started by a remote parent is recorded.
    pub fn sample_remote(&self, parent: &SpanContext) -> bool {
        match &self.0 {
            Kind::ParentBased(_) => parent.is_sampled(),
            Kind::RateLimited(t, limit) => {
                (parent.is_sampled() || t.admits(parent.trace_id())) && limit.try_acquire()
            }
            _ => self.sample_root(parent.trace_id()),
        }
    }
}

impl Default for Sampler {
    /// [`Sampler::parent_based`] over [`Sampler::always`].
    fn default() -> Self {
        Self::parent_based(Self::always())
    }
}

/// A ratio as a threshold on the random low 64 bits of the trace id.
struct RatioThreshold(u64);

impl RatioThreshold {
    fn new(fraction: f64) -> Self {
        let f = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        // `u64::MAX as f64` rounds up to 2^64, so 1.0 saturates to u64::MAX: everything admitted.
        Self((f * u64::MAX as f64) as u64)
    }

    fn admits(&self, trace_id: TraceId) -> bool {
        match self.0 {
            0 => false,
            u64::MAX => true,
            t => (trace_id.to_u128() as u64) < t,
        }
    }
}

impl fmt::Debug for RatioThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}", self.0 as f64 / u64::MAX as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SpanId, TraceFlags};

    fn share_sampled(s: &Sampler) -> f64 {
        let n = 20_000;
        let hits = (0..n).filter(|_| s.sample_root(TraceId::random())).count();
        hits as f64 / f64::from(n)
    }

    #[test]
    fn ratio_samples_about_that_share() {
        assert_eq!(share_sampled(&Sampler::always()), 1.0);
        assert_eq!(share_sampled(&Sampler::never()), 0.0);
        assert_eq!(share_sampled(&Sampler::ratio(0.0)), 0.0);
        assert_eq!(share_sampled(&Sampler::ratio(1.0)), 1.0);
        let share = share_sampled(&Sampler::ratio(0.25));
        assert!((0.22..0.28).contains(&share), "{share}");
    }

    #[test]
    fn ratio_is_a_function_of_the_trace_id() {
        let s = Sampler::ratio(0.5);
        for _ in 0..100 {
            let id = TraceId::random();
            assert_eq!(s.sample_root(id), s.sample_root(id));
        }
    }

    #[test]
    fn parent_based_follows_the_remote_flag() {
        let s = Sampler::parent_based(Sampler::never());
        let yes = SpanContext::new_remote(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
        let no = yes.clone().with_flags(TraceFlags::default());
        assert!(s.sample_remote(&yes));
        assert!(!s.sample_remote(&no));
        assert!(!s.sample_root(TraceId::random()));
    }

    #[test]
    fn rate_limited_caps_the_rate() {
        let s = Sampler::rate_limited(1.0, 5.0);
        let admitted = (0..1000)
            .filter(|_| s.sample_root(TraceId::random()))
            .count();
        // The bucket starts full (one second's worth) and refills at 5/s during the loop.
        assert!((5..=7).contains(&admitted), "{admitted}");
    }
}
