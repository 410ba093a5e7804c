//! W3C `tracestate`: vendor-specific key/value pairs that travel with the trace.
//!
//! This is the in-memory container and the grammar of its keys and values; the header's parsing and
//! limits live in [`crate::propagation`].

use std::sync::Arc;

/// An ordered list of `tracestate` entries, leftmost first (the most recently modified vendor).
///
/// Cheap to clone: the entries are shared, and an empty state allocates nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceState(Option<Arc<[(String, String)]>>);

impl TraceState {
    /// No entries.
    pub const EMPTY: Self = Self(None);

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

    /// Sets `key` to `value` and moves it to the left, as the spec requires of a vendor that
    /// modifies its entry; other entries keep their order, and the rightmost is dropped if the
    /// list would exceed 32 members.
    ///
    /// ```
    /// use trace_core::propagation::parse_trace_state;
    /// let mut ts = parse_trace_state("rojo=1,congo=2").unwrap();
    /// ts.insert("congo", "3").unwrap();
    /// assert_eq!(ts.entries()[0], ("congo".to_string(), "3".to_string()));
    /// assert!(ts.insert("Congo", "4").is_err());
    /// ```
    pub fn insert(&mut self, key: &str, value: &str) -> Result<(), TraceStateError> {
        if !is_valid_key(key) {
            return Err(TraceStateError::InvalidKey(key.to_owned()));
        }
        if !is_valid_value(value) {
            return Err(TraceStateError::InvalidValue(value.to_owned()));
        }
        let mut entries = Vec::with_capacity(self.len() + 1);
        entries.push((key.to_owned(), value.to_owned()));
        entries.extend(self.entries().iter().filter(|(k, _)| k != key).cloned());
        entries.truncate(MAX_MEMBERS);
        *self = Self::from_entries(entries);
        Ok(())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let old = self.get(key)?.to_owned();
        let entries = self
            .entries()
            .iter()
            .filter(|(k, _)| k != key)
            .cloned()
            .collect();
        *self = Self::from_entries(entries);
        Some(old)
    }
}

// The grammar of keys and values: the model owns it, the wire format calls it.

/// Most members a `tracestate` may have; one more discards the header.
pub const MAX_MEMBERS: usize = 32;

/// Why a `tracestate` key or value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceStateError {
    /// The key breaks the Level 1 key grammar.
    InvalidKey(String),
    /// The value is empty, longer than 256 characters, ends with a space, or contains `,`, `=` or a
    /// character outside 0x20-0x7E.
    InvalidValue(String),
}

impl std::fmt::Display for TraceStateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidKey(k) => write!(
                f,
                "invalid tracestate key {k:?}: expected lowercase letters, digits and _-*/ (at most 256), or tenant@system"
            ),
            Self::InvalidValue(v) => write!(
                f,
                "invalid tracestate value {v:?}: expected 1-256 printable ASCII characters without ',' or '=', not ending in a space"
            ),
        }
    }
}

impl std::error::Error for TraceStateError {}

fn key_char(c: u8) -> bool {
    matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'*' | b'/')
}

/// Whether `key` is a valid Level 1 `tracestate` key.
pub fn is_valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    match key.find('@') {
        None => {
            !b.is_empty()
                && b.len() <= 256
                && b[0].is_ascii_lowercase()
                && b.iter().all(|&c| key_char(c))
        }
        Some(at) => {
            let (tenant, system) = (&b[..at], &b[at + 1..]);
            !tenant.is_empty()
                && tenant.len() <= 241
                && (tenant[0].is_ascii_lowercase() || tenant[0].is_ascii_digit())
                && tenant.iter().all(|&c| key_char(c))
                && !system.is_empty()
                && system.len() <= 14
                && system[0].is_ascii_lowercase()
                && system.iter().all(|&c| key_char(c))
        }
    }
}

/// Whether `value` is a valid `tracestate` value.
pub fn is_valid_value(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= 256
        && b.iter()
            .all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
        && b[b.len() - 1] != b' '
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_moves_the_key_left_and_keeps_the_rest_in_order() {
        let mut ts = TraceState::from_entries(vec![
            ("a".into(), "1".into()),
            ("b".into(), "2".into()),
            ("c".into(), "3".into()),
        ]);
        ts.insert("b", "9").unwrap();
        let keys: Vec<_> = ts.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(ts.get("b"), Some("9"));
        ts.insert("new", "x").unwrap();
        assert_eq!(ts.entries()[0].0, "new");
        assert_eq!(ts.len(), 4);
        assert!(matches!(
            ts.insert("B", "1"),
            Err(TraceStateError::InvalidKey(_))
        ));
        assert!(matches!(
            ts.insert("b", "x=y"),
            Err(TraceStateError::InvalidValue(_))
        ));
        assert_eq!(ts.len(), 4, "a refused insert changes nothing");
        assert_eq!(ts.remove("a").as_deref(), Some("1"));
        assert_eq!(ts.remove("a"), None);
        assert_eq!(ts.len(), 3);
    }

    #[test]
    fn insert_drops_the_rightmost_beyond_32() {
        let mut ts = TraceState::from_entries(
            (0..32)
                .map(|i| (format!("k{i}"), "v".to_string()))
                .collect(),
        );
        ts.insert("new", "v").unwrap();
        assert_eq!(ts.len(), 32);
        assert_eq!(ts.entries()[0].0, "new");
        assert_eq!(ts.get("k31"), None);
        assert_eq!(ts.get("k30"), Some("v"));
    }
}
