//! W3C `tracestate`: vendor-specific key/value pairs that travel with the trace.
//!
//! This is the in-memory container. The header grammar, limits and parsing live in
//! [`crate::propagation`].

use std::sync::Arc;

/// An ordered list of `tracestate` entries, leftmost first (the most recently modified vendor).
///
/// Cheap to clone: the entries are shared, and an empty state allocates nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceState(Option<Arc<[(String, String)]>>);

impl TraceState {
    /// The state holding these entries in this order (no validation: see the propagation module for
    /// the header rules).
    pub fn from_entries(entries: Vec<(String, String)>) -> Self {
        if entries.is_empty() {
            Self(None)
        } else {
            Self(Some(entries.into()))
        }
    }

    /// The entries, leftmost first.
    pub fn entries(&self) -> &[(String, String)] {
        self.0.as_deref().unwrap_or(&[])
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries().len()
    }
}
