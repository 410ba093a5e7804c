//! W3C baggage: user-defined key/value pairs that travel with the whole trace.
//!
//! This is the in-memory container. The header grammar, percent-encoding and limits live in
//! [`crate::propagation`].

use std::sync::Arc;

/// One baggage member: a key, its (decoded) value and its raw properties (`;k=v` metadata).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaggageEntry {
    /// The member's key (an RFC 7230 token).
    pub key: String,
    /// The member's value, percent-decoded.
    pub value: String,
    /// The member's properties as received, without the leading `;` (empty if none).
    pub properties: String,
}

/// An ordered list of baggage members.
///
/// Cheap to clone: the entries are shared, and an empty baggage allocates nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baggage(Option<Arc<[BaggageEntry]>>);

impl Baggage {
    /// Baggage holding these members in this order.
    pub fn from_entries(entries: Vec<BaggageEntry>) -> Self {
        if entries.is_empty() {
            Self(None)
        } else {
            Self(Some(entries.into()))
        }
    }

    /// The members in order.
    pub fn entries(&self) -> &[BaggageEntry] {
        self.0.as_deref().unwrap_or(&[])
    }

    /// The value of the first member named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries()
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.entries().len()
    }
}
