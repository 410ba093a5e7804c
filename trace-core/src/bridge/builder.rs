use tracing_core::LevelFilter;
use tracing_subscriber::filter::Targets;

use super::TracingLayer;

/// Options for a [`TracingLayer`]: which spans and events it bridges, and whether `ERROR` events
/// mark spans as failed.
///
/// ```
/// use tracing_core::{Level, LevelFilter};
/// use trace_core::bridge::TracingLayer;
///
/// let layer = TracingLayer::builder()
///     .max_level(Level::INFO)                    // no DEBUG or TRACE spans and events
///     .target("aws_smithy_runtime", Level::WARN) // longest matching prefix wins
///     .target("h2", LevelFilter::OFF)            // nothing from `h2`
///     .error_events(false)                       // ERROR events are checkpoints only
///     .build();
/// ```
///
/// The filter only decides what this layer bridges: other layers (`fmt`, say) still see
/// everything. To keep filtered-out spans from being created at all, wrap the layer in a
/// per-layer filter instead: `TracingLayer::new().with_filter(targets)`.
#[derive(Clone, Debug)]
#[must_use = "call `.build()` to make the layer"]
pub struct TracingLayerBuilder {
    pub(super) filter: Option<Targets>,
    pub(super) error_events: bool,
}

impl Default for TracingLayerBuilder {
    fn default() -> Self {
        Self {
            filter: None,
            error_events: true,
        }
    }
}

impl TracingLayerBuilder {
    /// Bridges only spans and events at `level` or more severe, unless a [`target`](Self::target)
    /// says otherwise (default: every level).
    pub fn max_level(mut self, level: impl Into<LevelFilter>) -> Self {
        self.filter = Some(self.filter.unwrap_or_default().with_default(level));
        self
    }

    /// Bridges spans and events whose target starts with `target` only at `level` or more severe
    /// ([`LevelFilter::OFF`]: none). The longest matching prefix wins.
    pub fn target(mut self, target: impl Into<String>, level: impl Into<LevelFilter>) -> Self {
        let filter = self
            .filter
            .unwrap_or_else(|| Targets::new().with_default(LevelFilter::TRACE));
        self.filter = Some(filter.with_target(target, level));
        self
    }

    /// Replaces the filter with `targets` (a target not matched by any of its directives and
    /// not covered by its default is not bridged).
    pub fn targets(mut self, targets: Targets) -> Self {
        self.filter = Some(targets);
        self
    }

    /// Whether an event at `ERROR` level marks its span as failed (default `true`). The event
    /// is a checkpoint either way.
    pub fn error_events(mut self, enabled: bool) -> Self {
        self.error_events = enabled;
        self
    }

    /// The layer.
    pub fn build(self) -> TracingLayer {
        TracingLayer::from_builder(self)
    }
}
