//! The propagator abstraction: one wire format, or several combined.

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::context::SpanContext;
use crate::propagation::carrier::{Carrier, CarrierMut};

/// A wire format for trace context.
///
/// Extraction never fails loudly: anything missing, malformed or oversized gives `None`, and the
/// caller starts a fresh trace. Injection writes this format's headers for `ctx`.
///
/// ```
/// use std::collections::HashMap;
/// use trace_core::propagation::{Propagator, TraceContext};
/// let mut headers = HashMap::new();
/// headers.insert(
///     "traceparent".to_string(),
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string(),
/// );
/// let ctx = TraceContext::default().extract(&headers).unwrap();
/// assert!(ctx.is_remote() && ctx.is_sampled());
/// assert!(TraceContext::default().extract(&HashMap::new()).is_none());
/// ```
pub trait Propagator: Send + Sync + fmt::Debug {
    /// The context this format carries in `carrier`, if it is there and valid.
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext>;

    /// Adds what this format carries beside the ids (such as baggage) to a context that was found
    /// by this or another format. The default adds nothing.
    fn extract_extra(&self, carrier: &dyn Carrier, ctx: SpanContext) -> SpanContext {
        let _ = carrier;
        ctx
    }

    /// Writes `ctx` into `carrier` in this format.
    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut);

    /// The header names this format reads and writes (lowercase).
    fn fields(&self) -> Vec<String>;
}

/// Several propagators used together: extraction takes the first that finds a context (in the
/// order given) and then lets every one add its extras (baggage); injection writes all of them.
///
/// ```
/// use trace_core::propagation::{B3, Propagators, TraceContext, W3cBaggage};
/// let props = Propagators::new()
///     .with(TraceContext::default())
///     .with(W3cBaggage::default())
///     .with(B3::single());
/// assert_eq!(props.len(), 3);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Propagators(Vec<Arc<dyn Propagator>>);

impl Propagators {
    /// No propagator: extracts nothing and injects nothing.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage: the default.
    pub fn w3c() -> Self {
        Self::new()
            .with(crate::propagation::TraceContext::default())
            .with(crate::propagation::W3cBaggage::default())
    }

    /// These propagators followed by `p`.
    #[must_use]
    pub fn with(mut self, p: impl Propagator + 'static) -> Self {
        self.0.push(Arc::new(p));
        self
    }

    /// How many propagators there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Propagator for Propagators {
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext> {
        let found = self.0.iter().find_map(|p| p.extract(carrier))?;
        Some(self.extract_extra(carrier, found))
    }

    fn extract_extra(&self, carrier: &dyn Carrier, ctx: SpanContext) -> SpanContext {
        self.0
            .iter()
            .fold(ctx, |ctx, p| p.extract_extra(carrier, ctx))
    }

    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut) {
        for p in &self.0 {
            p.inject(ctx, carrier);
        }
    }

    fn fields(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for f in self.0.iter().flat_map(|p| p.fields()) {
            if !all.contains(&f) {
                all.push(f);
            }
        }
        all
    }
}

static GLOBAL: RwLock<Option<Propagators>> = RwLock::new(None);

/// Sets the propagators that the HTTP integrations use unless given others (default:
/// [`Propagators::w3c`]).
pub fn set_global_propagators(props: Propagators) {
    let mut g = GLOBAL.write().unwrap_or_else(|p| p.into_inner());
    *g = Some(props);
}

/// The propagators set with [`set_global_propagators`], or [`Propagators::w3c`].
pub fn global_propagators() -> Propagators {
    let g = GLOBAL.read().unwrap_or_else(|p| p.into_inner());
    g.clone().unwrap_or_else(Propagators::w3c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::{B3, Jaeger, TraceContext};

    #[test]
    fn composite_extracts_in_order_and_injects_all() {
        let props = Propagators::new()
            .with(TraceContext::default())
            .with(B3::single())
            .with(Jaeger)
            .with(TraceContext::default());
        let headers: Vec<(String, String)> = vec![
            (
                "b3".into(),
                "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1".into(),
            ),
            ("uber-trace-id".into(), "abc:def:0:1".into()),
        ];
        let ctx = props.extract(&headers).unwrap();
        assert_eq!(
            ctx.span_id().to_string(),
            "e457b5a2e4d86bd1",
            "B3 comes before Jaeger"
        );
        let mut out: Vec<(String, String)> = Vec::new();
        props.inject(&ctx, &mut out);
        let names: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["b3", "uber-trace-id", "traceparent"]);
        assert_eq!(
            props
                .fields()
                .iter()
                .filter(|f| *f == "traceparent")
                .count(),
            1
        );
        assert!(Propagators::new().extract(&headers).is_none());
        assert!(Propagators::new().is_empty());
    }
}
