//! A YAML emitter for exactly the span schema: writes a document straight into a byte buffer.
//!
//! `serde_yaml`'s general serializer, through its libyaml emitter, managed about 12 000 spans/s;
//! the schema is fixed and flat, so writing it directly is much faster. The output is what
//! `serde_yaml` reads back to the same span (tests check both writers against the reader),
//! with one difference in style: a string that could not be written plain is double-quoted.

use std::io::Write as _;
use std::time::Duration;

use trace_core::{SpanRecord, TagValue};

use super::text::{NO_PARENT, Rfc3339, TimeOutOfRange};

/// Appends the document of `span` (with its `---` line) to `out`; on error, `out` may hold part
/// of it.
pub(crate) fn document(
    out: &mut Vec<u8>,
    span: &SpanRecord,
    process: &str,
) -> Result<(), TimeOutOfRange> {
    let start = Rfc3339(span.start).format()?;
    let finish = Rfc3339(span.finish).format()?;
    out.extend_from_slice(b"---\ntrace_id: ");
    id(out, &span.trace_id);
    out.extend_from_slice(b"\nspan_id: ");
    id(out, &span.span_id);
    out.extend_from_slice(b"\nparent_id: ");
    match span.parent_id {
        Some(parent) => id(out, &parent),
        None => {
            out.push(b'\'');
            out.extend_from_slice(NO_PARENT.as_bytes());
            out.push(b'\'');
        }
    }
    out.extend_from_slice(b"\nname: ");
    string(out, &span.name);
    out.extend_from_slice(b"\nkind: ");
    out.extend_from_slice(span.kind.as_str().as_bytes());
    out.extend_from_slice(b"\nprocess: ");
    string(out, process);
    out.extend_from_slice(b"\nstart: ");
    out.extend_from_slice(start.as_str().as_bytes());
    out.extend_from_slice(b"\nfinish: ");
    out.extend_from_slice(finish.as_str().as_bytes());
    out.extend_from_slice(b"\nservice: ");
    string(out, &span.service);
    out.extend_from_slice(b"\nduration_ns: ");
    integer(out, nanos(span.duration));
    out.extend_from_slice(b"\nstatus: ");
    out.extend_from_slice(span.status.as_str().as_bytes());
    if let Some(message) = span.status.error_message() {
        out.extend_from_slice(b"\nerror: ");
        string(out, message);
    }
    if let Some(code) = &span.code {
        out.extend_from_slice(b"\ncode:");
        if let Some(module) = &code.module {
            out.extend_from_slice(b"\n  module: ");
            string(out, module);
        }
        out.extend_from_slice(b"\n  file: ");
        string(out, &code.file);
        out.extend_from_slice(b"\n  line: ");
        integer(out, code.line);
    }
    if !span.tags.is_empty() {
        out.extend_from_slice(b"\ntags:");
        for tag in &span.tags {
            out.extend_from_slice(b"\n  ");
            string(out, &tag.key);
            out.extend_from_slice(b": ");
            match &tag.value {
                TagValue::Str(s) => string(out, s),
                TagValue::Int(v) => integer(out, *v),
                TagValue::Float(v) => float(out, *v),
                TagValue::Bool(v) => out.extend_from_slice(if *v { b"true" } else { b"false" }),
            }
        }
    }
    if !span.checkpoints.is_empty() {
        out.extend_from_slice(b"\ncheckpoints:");
        for c in &span.checkpoints {
            out.extend_from_slice(b"\n- name: ");
            string(out, &c.name);
            out.extend_from_slice(b"\n  offset_ns: ");
            integer(out, nanos(c.offset));
        }
    }
    if !span.links.is_empty() {
        out.extend_from_slice(b"\nlinks:");
        for l in &span.links {
            out.extend_from_slice(b"\n- trace_id: ");
            id(out, &l.trace_id);
            out.extend_from_slice(b"\n  span_id: ");
            id(out, &l.span_id);
        }
    }
    out.push(b'\n');
    Ok(())
}

pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn integer(out: &mut Vec<u8>, v: impl std::fmt::Display) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{v}");
}

fn float(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b".nan");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b".inf" } else { b"-.inf" });
    } else {
        // `Debug` is the shortest text that reads back to the same value, and always has a
        // `.` or an exponent (`2.0`, `1e300`), so YAML reads a float, not an integer.
        let _ = write!(out, "{v:?}");
    }
}

/// An id as lowercase hex: plain unless YAML would read it as a number (all digits, or digits
/// `e` digits).
fn id(out: &mut Vec<u8>, id: &impl HexId) {
    let mut buf = [0u8; 32];
    let bytes = id.bytes(&mut buf);
    let mut text = [0u8; 32];
    let text = &mut text[..bytes.len() * 2];
    for (i, b) in bytes.iter().enumerate() {
        text[2 * i] = HEX[usize::from(b >> 4)];
        text[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    let mut parts = text.splitn(2, |&b| b == b'e');
    let numeric = parts.all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    if numeric {
        out.push(b'\'');
        out.extend_from_slice(text);
        out.push(b'\'');
    } else {
        out.extend_from_slice(text);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The big-endian bytes of an id, the order its hex text uses.
trait HexId {
    fn bytes<'a>(&self, buf: &'a mut [u8; 32]) -> &'a [u8];
}

impl HexId for trace_core::TraceId {
    fn bytes<'a>(&self, buf: &'a mut [u8; 32]) -> &'a [u8] {
        buf[..16].copy_from_slice(&self.to_bytes());
        &buf[..16]
    }
}

impl HexId for trace_core::SpanId {
    fn bytes<'a>(&self, buf: &'a mut [u8; 32]) -> &'a [u8] {
        buf[..8].copy_from_slice(&self.to_bytes());
        &buf[..8]
    }
}

/// A string: plain when that is unambiguous, double-quoted and escaped otherwise.
fn string(out: &mut Vec<u8>, s: &str) {
    if plain_is_safe(s) {
        out.extend_from_slice(s.as_bytes());
    } else {
        quoted(out, s);
    }
}

/// Whether `s` written plain reads back as this very string. Deliberately narrow: anything
/// unusual is quoted, which is always correct. (Documents are in block style only, where `,`
/// is plain text: it is special only inside `[..]` and `{..}`.)
fn plain_is_safe(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    // A letter or `/` first: never a number, indicator, or `.inf`.
    if !(first.is_ascii_alphabetic() || first == b'/' || first == b'_') {
        return false;
    }
    if b.last() == Some(&b' ') || b.last() == Some(&b':') {
        return false;
    }
    let mut prev = 0u8;
    for &c in b {
        if !PLAIN[usize::from(c)] || (prev == b':' && c == b' ') {
            return false;
        }
        prev = c;
    }
    // Words YAML 1.1 or 1.2 reads as booleans or null.
    const RESERVED: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    !(s.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)))
}

/// The bytes a plain string may hold anywhere (`#` is left out, so ` #` needs no check).
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'_' | b'-' | b'.' | b'/' | b':' | b'@' | b'(' | b')' | b'=' | b'+' | b','
            );
        c += 1;
    }
    table
};

fn quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&[u8]> = match c {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\t' => Some(b"\\t"),
            '\r' => Some(b"\\r"),
            _ => None,
        };
        let special = escape.is_some()
            || c.is_control()
            || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}');
        if !special {
            continue;
        }
        out.extend_from_slice(&s.as_bytes()[start..i]);
        match escape {
            Some(e) => out.extend_from_slice(e),
            None => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
        }
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&s.as_bytes()[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_or_quoted(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_string_reads_back_the_same() {
        let cases = [
            "GET /users/:id",
            "true",
            "True",
            "no",
            "~",
            "null",
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "#x",
            "-x",
            "- x",
            "? x",
            "1",
            "0x1F",
            "1e5",
            ".inf",
            "0o7",
            "12:30",
            "[a]",
            "{a}",
            "*ref",
            "&anchor",
            "!tag",
            "|",
            ">",
            "'q'",
            "\"dq\"",
            "%x",
            "@x",
            "`x",
            "a\nb",
            "tab\there",
            "nul\0",
            "bell\u{7}",
            "line\u{2028}sep",
            "héllo ✓",
            "back\\slash",
            "x:",
            "a:b",
            "a, b",
            "a,b",
            ", a",
            "=",
            "y",
            "N",
            "OFF",
            "nan",
            "-.inf",
            "1_000",
            "+1",
        ];
        for s in cases {
            let text = format!("v: {}\n", plain_or_quoted(s));
            let value: serde_yaml::Value = serde_yaml::from_str(&text)
                .unwrap_or_else(|e| panic!("{s:?} written as {text:?}: {e}"));
            assert_eq!(value["v"].as_str(), Some(s), "{s:?} written as {text:?}");
        }
        assert_eq!(plain_or_quoted("GET /users/:id"), "GET /users/:id");
        assert_eq!(plain_or_quoted("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn ids_are_quoted_only_when_numeric() {
        let cases = [
            ("1234567890123456", true),
            ("1e50000000000000", true),
            ("00000000000000e1", true),
            ("4bf92f3577b34da6", false),
            ("e100000000000000", false),
            ("1e5e000000000000", false),
        ];
        for (hex, quote) in cases {
            let mut out = Vec::new();
            id(&mut out, &hex.parse::<trace_core::SpanId>().unwrap());
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text.starts_with('\''), quote, "{text}");
            let value: serde_yaml::Value = serde_yaml::from_str(&format!("v: {text}")).unwrap();
            assert_eq!(value["v"].as_str(), Some(hex));
        }
    }
}
