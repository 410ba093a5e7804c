//! The `tracestate` header: up to 32 vendor `key=value` members, most recently updated first.
//!
//! Key grammar: **Level 1** (the published Recommendation), deliberately. A key is either simple,
//! `lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")`, or multi-tenant, `tenant@system` with
//! a tenant of `(lcalpha / DIGIT) 0*240(...)` and a system of `lcalpha 0*13(...)`. Level 2 relaxes
//! this to one rule that also admits keys such as `1abc` (a digit first without a tenant) and
//! `a@b@c`; the Level 1 conformance suite still rejects those, and a peer that follows Level 1
//! would drop our whole header if we forwarded them, so we reject them too.
//!
//! Duplicate keys: the spec forbids them, and the conformance suite accepts either keeping or
//! de-duplicating them (but not dropping the whole header). We keep the leftmost, so what we
//! forward is always valid.

use crate::propagation::carrier::{Carrier, join_list};
use crate::trace_state::TraceState;
pub use crate::trace_state::{MAX_MEMBERS, TraceStateError, is_valid_key, is_valid_value};

/// Longest combined `tracestate` read: 32 members of the longest key and value plus separators.
/// Anything longer cannot be valid, so it is discarded without being parsed.
pub const MAX_TRACESTATE_INPUT: usize = MAX_MEMBERS * (256 + 1 + 256) + 2 * 64;

/// The combined length we always propagate in full (the spec's minimum is 512 characters).
pub const DEFAULT_MAX_LEN: usize = 512;

/// Members longer than this are dropped first when the header must be truncated.
const LONG_MEMBER: usize = 128;

/// Parses a combined `tracestate` value; `None` if any member is invalid or there are more than
/// 32, which discards the whole header (but never the `traceparent` it came with).
///
/// ```
/// use trace_core::propagation::parse_trace_state;
/// let ts = parse_trace_state("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE").unwrap();
/// assert_eq!(ts.get("congo"), Some("t61rcWkgMzE"));
/// assert!(parse_trace_state("Rojo=1").is_none());
/// ```
pub fn parse_trace_state(value: &str) -> Option<TraceState> {
    if value.len() > MAX_TRACESTATE_INPUT {
        return None;
    }
    let mut entries: Vec<(String, String)> = Vec::new();
    for member in value.split(',') {
        let member = member.trim_matches([' ', '\t']);
        if member.is_empty() {
            continue;
        }
        let (key, val) = member.split_once('=')?;
        if !is_valid_key(key) || !is_valid_value(val) {
            return None;
        }
        if entries.iter().any(|(k, _)| k == key) {
            continue;
        }
        if entries.len() == MAX_MEMBERS {
            return None;
        }
        entries.push((key.to_owned(), val.to_owned()));
    }
    Some(TraceState::from_entries(entries))
}

/// Reads every `tracestate` line from `carrier`, combined in order; an invalid or oversized header
/// gives the empty state.
pub fn extract_trace_state(carrier: &dyn Carrier) -> TraceState {
    join_list(carrier, "tracestate", MAX_TRACESTATE_INPUT)
        .filter(|v| !v.is_empty())
        .and_then(|v| parse_trace_state(&v))
        .unwrap_or_default()
}

/// The header text for `state`, at most `max_len` characters (at least 512 are always kept, as the
/// spec requires): whole members are dropped, first those longer than 128 characters, then from the
/// right. `None` for an empty state, which is not sent.
pub fn format_trace_state(state: &TraceState, max_len: usize) -> Option<String> {
    let max_len = max_len.max(DEFAULT_MAX_LEN);
    let members: Vec<String> = state
        .entries()
        .iter()
        .take(MAX_MEMBERS)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let total =
        |ms: &[&String]| ms.iter().map(|m| m.len()).sum::<usize>() + ms.len().saturating_sub(1);
    let mut kept: Vec<&String> = members.iter().collect();
    if total(&kept) > max_len {
        // Drop long members from the right until it fits or none is left.
        while total(&kept) > max_len {
            match kept.iter().rposition(|m| m.len() > LONG_MEMBER) {
                Some(i) => {
                    kept.remove(i);
                }
                None => break,
            }
        }
        while total(&kept) > max_len {
            kept.pop();
        }
    }
    if kept.is_empty() {
        return None;
    }
    Some(
        kept.iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ts: &TraceState) -> Vec<&str> {
        ts.entries().iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn spec_examples() {
        let ts = parse_trace_state("congo=t61rcWkgMzE").unwrap();
        assert_eq!(ts.get("congo"), Some("t61rcWkgMzE"));
        let ts = parse_trace_state("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE").unwrap();
        assert_eq!(keys(&ts), ["rojo", "congo"]);
        assert_eq!(
            format_trace_state(&ts, 512).as_deref(),
            Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        );
    }

    #[test]
    fn ows_and_empty_members_are_skipped() {
        let ts = parse_trace_state(" foo=1 ,\t,, bar=2\t, ").unwrap();
        assert_eq!(keys(&ts), ["foo", "bar"]);
        assert!(parse_trace_state("").unwrap().is_empty());
        assert!(parse_trace_state(" , ,").unwrap().is_empty());
    }

    #[test]
    fn level1_keys_accepted() {
        let long_simple = format!("a{}", "b".repeat(255));
        let long_tenant = format!("{}@{}", "t".repeat(241), "s".repeat(14));
        for key in [
            "a",
            "foo",
            "a0_-*/",
            "z9",
            long_simple.as_str(),
            "1tenant@vendor",
            "tenant@v",
            "0@a",
            long_tenant.as_str(),
        ] {
            assert!(is_valid_key(key), "rejected {key:?}");
            assert!(parse_trace_state(&format!("{key}=x")).is_some(), "{key:?}");
        }
    }

    #[test]
    fn keys_rejected_including_level2_only_keys() {
        let too_long = format!("a{}", "b".repeat(256));
        let tenant_too_long = format!("{}@s", "t".repeat(242));
        let system_too_long = format!("t@{}", "s".repeat(15));
        for key in [
            "",
            "Foo",
            "FOO",
            "foo.bar",
            "foo bar",
            "foo ",
            "foo!",
            "@system",
            "tenant@",
            "a@b@c",
            "tenant@1system",
            "1abc",
            "_a",
            "é",
            too_long.as_str(),
            tenant_too_long.as_str(),
            system_too_long.as_str(),
        ] {
            assert!(!is_valid_key(key), "accepted {key:?}");
            assert!(
                parse_trace_state(&format!("ok=1,{key}=x")).is_none(),
                "header kept with key {key:?}"
            );
        }
    }

    #[test]
    fn values_are_checked() {
        let all_chars: String = (0x20u8..=0x7e)
            .filter(|c| *c != b',' && *c != b'=')
            .map(char::from)
            .collect::<String>()
            .trim_end()
            .to_string();
        let all_chars = &all_chars[..all_chars.len().min(256)];
        assert!(parse_trace_state(&format!("foo={all_chars}")).is_some());
        assert!(parse_trace_state(&format!("foo={}", "v".repeat(256))).is_some());
        for bad in [
            "foo=".to_string(),
            "foo".to_string(),
            "foo=bar=baz".to_string(),
            "foo=,bar=3".to_string(),
            "foo=a\u{7f}".to_string(),
            "foo=é".to_string(),
            "foo =1".to_string(),
            format!("foo={}", "v".repeat(257)),
        ] {
            assert!(parse_trace_state(&bad).is_none(), "accepted {bad:?}");
        }
        assert!(!is_valid_value("trailing "));
        assert!(is_valid_value(" leading"));
    }

    #[test]
    fn at_most_32_members() {
        let list = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}=v"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(parse_trace_state(&list(32)).unwrap().len(), 32);
        assert!(parse_trace_state(&list(33)).is_none());
        // Empty members do not count.
        assert!(parse_trace_state(&format!("{},,,", list(32))).is_some());
    }

    #[test]
    fn duplicates_keep_the_leftmost() {
        let ts = parse_trace_state("foo=1,bar=2,foo=3").unwrap();
        assert_eq!(keys(&ts), ["foo", "bar"]);
        assert_eq!(ts.get("foo"), Some("1"));
    }

    #[test]
    fn oversized_input_is_discarded_unparsed() {
        let huge = format!("a={}", "b".repeat(MAX_TRACESTATE_INPUT));
        assert!(parse_trace_state(&huge).is_none());
    }

    #[test]
    fn several_lines_combine_in_order() {
        let headers = vec![
            ("tracestate".to_string(), "foo=1".to_string()),
            ("TraceState".to_string(), String::new()),
            ("tracestate".to_string(), "bar=2".to_string()),
        ];
        assert_eq!(keys(&extract_trace_state(&headers)), ["foo", "bar"]);
        let bad = vec![
            ("tracestate".to_string(), "foo=1".to_string()),
            ("tracestate".to_string(), "BAR=2".to_string()),
        ];
        assert!(extract_trace_state(&bad).is_empty());
    }

    #[test]
    fn truncation_keeps_512_and_drops_long_members_first() {
        let long = ("long".to_string(), "x".repeat(200));
        let mut entries: Vec<(String, String)> = (0..40)
            .map(|i| (format!("key{i:02}"), "v".repeat(20)))
            .collect();
        entries.insert(1, long);
        let ts = TraceState::from_entries(entries);
        let out = format_trace_state(&ts, 512).unwrap();
        assert!(out.len() <= 512, "{}", out.len());
        assert!(!out.contains("long="), "long member dropped first");
        assert!(out.starts_with("key00="), "left members kept");
        let kept = out.split(',').count();
        // 20-character values: 26 bytes a member with the comma, so 19 fit in 512.
        assert_eq!(kept, 19);
        // A short state is never truncated, whatever the limit asked for.
        let short = TraceState::from_entries(vec![("a".into(), "b".repeat(300))]);
        assert_eq!(format_trace_state(&short, 10).unwrap().len(), 302);
        assert_eq!(format_trace_state(&TraceState::default(), 512), None);
    }
}
