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

    /// Sets `key` to `value` (any text: it is percent-encoded on the wire), replacing every member
    /// named `key` in place or appending a new one.
    ///
    /// ```
    /// use trace_core::Baggage;
    /// let mut b = Baggage::default();
    /// b.insert("user", "ann lee").unwrap();
    /// assert_eq!(b.get("user"), Some("ann lee"));
    /// assert!(b.insert("bad key", "x").is_err());
    /// ```
    pub fn insert(&mut self, key: &str, value: &str) -> Result<(), BaggageError> {
        self.insert_with_properties(key, value, "")
    }

    /// Like [`insert`](Self::insert), with properties (`p1;p2=v`, without the leading `;`).
    pub fn insert_with_properties(
        &mut self,
        key: &str,
        value: &str,
        properties: &str,
    ) -> Result<(), BaggageError> {
        if !is_valid_key(key) {
            return Err(BaggageError::InvalidKey(key.to_owned()));
        }
        if !valid_properties(properties) {
            return Err(BaggageError::InvalidProperty(properties.to_owned()));
        }
        let entry = BaggageEntry {
            key: key.to_owned(),
            value: value.to_owned(),
            properties: properties.to_owned(),
        };
        let mut entries: Vec<BaggageEntry> = Vec::with_capacity(self.len() + 1);
        let mut placed = false;
        for e in self.entries() {
            if e.key == key {
                if !placed {
                    entries.push(entry.clone());
                    placed = true;
                }
            } else {
                entries.push(e.clone());
            }
        }
        if !placed {
            entries.push(entry);
        }
        *self = Self::from_entries(entries);
        Ok(())
    }

    /// Removes every member named `key`, returning the first one's value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let old = self.get(key)?.to_owned();
        let entries = self
            .entries()
            .iter()
            .filter(|e| e.key != key)
            .cloned()
            .collect();
        *self = Self::from_entries(entries);
        Some(old)
    }

    /// These members followed by those of `other` whose keys are not here yet.
    #[must_use]
    pub fn merged(&self, other: &Baggage) -> Baggage {
        if self.is_empty() {
            return other.clone();
        }
        let mut entries = self.entries().to_vec();
        entries.extend(
            other
                .entries()
                .iter()
                .filter(|e| self.get(&e.key).is_none())
                .cloned(),
        );
        Self::from_entries(entries)
    }
}

// The grammar of keys, values and properties: the model owns it, the wire formats call it.

/// Why a baggage key, value or property was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaggageError {
    /// The key is not an RFC 7230 token.
    InvalidKey(String),
    /// A property is not `key` or `key=value` with a token key and a baggage-octet value.
    InvalidProperty(String),
}

impl std::fmt::Display for BaggageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidKey(k) => write!(
                f,
                "invalid baggage key {k:?}: expected a token (letters, digits and !#$%&'*+-.^_`|~)"
            ),
            Self::InvalidProperty(p) => write!(
                f,
                "invalid baggage property {p:?}: expected `key` or `key=value` with a token key"
            ),
        }
    }
}

impl std::error::Error for BaggageError {}

/// An RFC 7230 token character.
fn tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Whether `key` is a valid baggage key (an RFC 7230 token).
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(tchar)
}

/// A `baggage-octet`: printable ASCII except space, `"`, `,`, `;` and `\`.
pub(crate) fn baggage_octet(c: u8) -> bool {
    matches!(c, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Whether `props` (without the leading `;`) is a valid `;`-separated property list.
pub(crate) fn valid_properties(props: &str) -> bool {
    props.is_empty()
        || props.split(';').all(|p| {
            let p = trim_ows(p);
            match p.split_once('=') {
                None => is_valid_key(p),
                Some((k, v)) => is_valid_key(trim_ows(k)) && trim_ows(v).bytes().all(baggage_octet),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replaces_in_place_and_validates() {
        let mut b = Baggage::default();
        b.insert("a", "1").unwrap();
        b.insert("b", "2").unwrap();
        b.insert("a", "3").unwrap();
        let keys: Vec<_> = b.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(b.get("a"), Some("3"));
        assert!(matches!(
            b.insert("", "x"),
            Err(BaggageError::InvalidKey(_))
        ));
        assert!(matches!(
            b.insert_with_properties("c", "x", "bad prop"),
            Err(BaggageError::InvalidProperty(_))
        ));
        b.insert_with_properties("c", "x", "ttl=3;secret").unwrap();
        assert_eq!(b.entries()[2].properties, "ttl=3;secret");
        assert_eq!(b.remove("a").as_deref(), Some("3"));
        assert_eq!(b.remove("a"), None);
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn merge_keeps_ours_first() {
        let mut a = Baggage::default();
        a.insert("k", "ours").unwrap();
        let mut b = Baggage::default();
        b.insert("k", "theirs").unwrap();
        b.insert("j", "1").unwrap();
        let m = a.merged(&b);
        assert_eq!(m.get("k"), Some("ours"));
        assert_eq!(m.get("j"), Some("1"));
        assert_eq!(Baggage::default().merged(&b), b);
    }
}
