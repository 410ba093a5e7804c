//! Where headers are read from and written to: HTTP header maps, gRPC metadata, message attributes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Read access to a set of headers (or any text key/value pairs).
///
/// Header names are compared case-insensitively, as in HTTP. A header sent several times must yield
/// every value, in order: `traceparent` is invalid when repeated, `tracestate` and `baggage` lines
/// combine.
///
/// ```
/// use trace_core::propagation::Carrier;
/// let headers = vec![
///     ("TraceState".to_string(), "a=1".to_string()),
///     ("tracestate".to_string(), "b=2".to_string()),
/// ];
/// assert_eq!(headers.get_all("tracestate"), ["a=1", "b=2"]);
/// ```
pub trait Carrier {
    /// Every value of the header `name` (any case), in the order received.
    fn get_all(&self, name: &str) -> Vec<&str>;

    /// The names of all headers present (for prefixed headers such as `uberctx-*`).
    fn names(&self) -> Vec<&str>;

    /// The first value of the header `name` (any case), and whether another follows it: all a
    /// single-valued header needs, and all a list-valued one sent once needs, without collecting
    /// the values. Extraction asks this first, so an absent header costs one lookup.
    ///
    /// The default asks [`get_all`](Self::get_all); carriers that look names up in place (header
    /// maps) override it.
    ///
    /// ```
    /// use trace_core::propagation::Carrier;
    /// let headers = vec![("Baggage".to_string(), "a=1".to_string())];
    /// assert_eq!(headers.get_first("baggage"), (Some("a=1"), false));
    /// assert_eq!(headers.get_first("tracestate"), (None, false));
    /// ```
    fn get_first(&self, name: &str) -> (Option<&str>, bool) {
        let all = self.get_all(name);
        (all.first().copied(), all.len() > 1)
    }

    /// Every header as a `(name, value)` pair, each value once, for formats that read headers
    /// by prefix (`uberctx-*`) and so would otherwise ask for every name in turn.
    ///
    /// The default asks [`get_all`](Self::get_all) once per distinct name (in any case): linear
    /// when `get_all` is a lookup, as in a header map. A carrier whose `get_all` scans every header
    /// (a list of pairs) should override it with one pass, as the carriers here do.
    fn pairs(&self) -> Vec<(&str, &str)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for name in self.names() {
            if seen.insert(name.to_ascii_lowercase()) {
                out.extend(self.get_all(name).into_iter().map(|v| (name, v)));
            }
        }
        out
    }
}

/// Write access to a set of headers.
pub trait CarrierMut {
    /// Sets the header `name` to `value`, replacing every earlier value of it (any case).
    ///
    /// Names are given in lowercase. Values are printable ASCII; a carrier that cannot store one
    /// drops it.
    fn set(&mut self, name: &str, value: String);
}

/// Every value whose name is `name` in any case.
fn matching<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>, name: &str) -> Vec<&'a str> {
    pairs
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Maps keep one value per name, so setting a name first removes it in every case.
macro_rules! map_carrier {
    ($($map:ident),*) => {$(
        impl Carrier for $map<String, String> {
            fn get_all(&self, name: &str) -> Vec<&str> {
                matching(self.iter(), name)
            }

            fn names(&self) -> Vec<&str> {
                self.keys().map(String::as_str).collect()
            }

            fn pairs(&self) -> Vec<(&str, &str)> {
                self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
            }
        }

        impl CarrierMut for $map<String, String> {
            fn set(&mut self, name: &str, value: String) {
                self.retain(|k, _| !k.eq_ignore_ascii_case(name));
                self.insert(name.to_owned(), value);
            }
        }
    )*};
}

map_carrier!(HashMap, BTreeMap);

/// An ordered list of pairs keeps repeated headers apart, as a wire message does.
impl Carrier for Vec<(String, String)> {
    fn get_all(&self, name: &str) -> Vec<&str> {
        matching(self.iter().map(|(k, v)| (k, v)), name)
    }

    fn names(&self) -> Vec<&str> {
        self.iter().map(|(k, _)| k.as_str()).collect()
    }

    fn pairs(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

impl CarrierMut for Vec<(String, String)> {
    fn set(&mut self, name: &str, value: String) {
        self.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.push((name.to_owned(), value));
    }
}

/// Joins every value of a list-valued header (`tracestate`, `baggage`) with `,`, as RFC 7230 allows
/// for repeated fields (empty when the header is absent); `None` when the combined text would
/// exceed `cap` bytes, so the work per request stays bounded whatever a peer sends. A header sent
/// once (or not at all) is borrowed, not copied.
pub(crate) fn join_list<'a>(
    carrier: &'a dyn Carrier,
    name: &str,
    cap: usize,
) -> Option<Cow<'a, str>> {
    match carrier.get_first(name) {
        (None, _) => return Some(Cow::Borrowed("")),
        (Some(v), false) => return (v.len() <= cap).then_some(Cow::Borrowed(v)),
        (Some(_), true) => {}
    }
    let values = carrier.get_all(name);
    let mut joined = String::new();
    for (i, v) in values.iter().enumerate() {
        let sep = usize::from(i > 0);
        if joined.len() + sep + v.len() > cap {
            return None;
        }
        if sep == 1 {
            joined.push(',');
        }
        joined.push_str(v);
    }
    Some(Cow::Owned(joined))
}

/// The only value of a single-valued header; `None` if absent, repeated or longer than `cap`.
pub(crate) fn single<'a>(carrier: &'a dyn Carrier, name: &str, cap: usize) -> Option<&'a str> {
    only(carrier.get_first(name), cap)
}

/// The only value in what [`Carrier::get_first`] found, for a caller that already asked; `None`
/// if there was none, more than one, or one longer than `cap`.
pub(crate) fn only(found: (Option<&str>, bool), cap: usize) -> Option<&str> {
    match found {
        (Some(v), false) if v.len() <= cap => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case_and_keep_every_value() {
        let mut pairs = vec![
            ("Baggage".to_string(), "a=1".to_string()),
            ("x".to_string(), "y".to_string()),
            ("BAGGAGE".to_string(), "b=2".to_string()),
        ];
        assert_eq!(pairs.get_all("baggage"), ["a=1", "b=2"]);
        assert_eq!(
            join_list(&pairs, "baggage", 100).as_deref(),
            Some("a=1,b=2")
        );
        assert_eq!(join_list(&pairs, "baggage", 5), None);
        assert_eq!(single(&pairs, "baggage", 100), None, "repeated");
        assert_eq!(pairs.get_first("BAGGAGE"), (Some("a=1"), true));
        assert_eq!(single(&pairs, "X", 100), Some("y"));
        assert_eq!(single(&pairs, "X", 0), None, "too long");
        assert_eq!(join_list(&pairs, "x", 100).as_deref(), Some("y"));
        assert_eq!(join_list(&pairs, "x", 0), None, "too long");
        assert_eq!(join_list(&pairs, "missing", 0).as_deref(), Some(""));
        assert_eq!(single(&pairs, "missing", 100), None);
        pairs.set("baggage", "c=3".into());
        assert_eq!(pairs.get_all("BAGGAGE"), ["c=3"]);

        let mut map = HashMap::new();
        map.insert("TraceParent".to_string(), "v".to_string());
        assert_eq!(map.get_all("traceparent"), ["v"]);
        map.set("traceparent", "w".into());
        assert_eq!(map.len(), 1);
        assert_eq!(map.get_all("TRACEPARENT"), ["w"]);
        let mut tree = BTreeMap::new();
        tree.set("b3", "0".into());
        assert_eq!(tree.get_all("B3"), ["0"]);
        assert_eq!(tree.names(), ["b3"]);
    }
}
