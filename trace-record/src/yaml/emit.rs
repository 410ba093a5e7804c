//! A YAML emitter for exactly the span schema: writes a document straight into a byte buffer.
//!
//! `serde_yaml`'s general serializer, through its libyaml emitter, managed about 12 000 spans/s;
//! the schema is fixed and flat, so writing it directly is much faster. Numbers, ids and times are
//! formatted with lookup tables (no `fmt` machinery), and the date of a time is computed once per
//! day seen. The output is what the crate's reader and PyYAML read back to the same span (tests
//! check both), with one difference in style from `serde_yaml`: a string that could not be
//! written plain is double-quoted.

use std::time::{Duration, UNIX_EPOCH};

use trace_core::{Process, SpanView, TagValue};

use super::text::{NO_PARENT, TimeOutOfRange};

/// Seconds from the epoch to 10000-01-01: RFC 3339 has four-digit years.
const YEAR_10000: u64 = 253_402_300_800;

/// YAML reads an implicit (`key: value`) key of at most 1024 characters; longer keys are written
/// in the explicit form (`? key` / `: value`). Bytes bound characters, so this errs on the safe side.
const IMPLICIT_KEY_MAX: usize = 1024;

/// Writes span documents, keeping what spans of one tracer share from one to the next.
#[derive(Debug, Default)]
pub(crate) struct Emitter {
    /// The last process seen (by address: a tracer's spans share one) and its `name:pid@host`.
    process: Option<(usize, String)>,
    /// The last day seen (days since the epoch) and its `YYYY-MM-DD`.
    day: Option<(u64, [u8; 10])>,
    /// Strings that are the same in span after span (names, service, code location, tag keys),
    /// each kept with how it was written, so a repeat costs a comparison instead of a scan.
    memo: Memo,
}

/// The field a remembered string belongs to.
#[derive(Clone, Copy)]
enum Slot {
    Name,
    Process,
    Service,
    Module,
    File,
    /// The key of the n-th tag (the first [`TAG_SLOTS`]).
    TagKey(usize),
}

const TAG_SLOTS: usize = 8;
const SLOTS: usize = 5 + TAG_SLOTS;

/// The last string written in each [`Slot`] and its YAML form.
#[derive(Debug, Default)]
struct Memo {
    seen: [(Vec<u8>, Vec<u8>); SLOTS],
}

impl Memo {
    /// Writes `s` as [`string`] would, reusing the form written for the same text last time.
    fn string(&mut self, out: &mut Vec<u8>, slot: Slot, s: &str) {
        let index = match slot {
            Slot::Name => 0,
            Slot::Process => 1,
            Slot::Service => 2,
            Slot::Module => 3,
            Slot::File => 4,
            Slot::TagKey(n) if n < TAG_SLOTS => 5 + n,
            Slot::TagKey(_) => return string(out, s),
        };
        let (text, written) = &mut self.seen[index];
        // Nothing written yet (any string writes something, `""` at least), or other text.
        if written.is_empty() || text.as_slice() != s.as_bytes() {
            text.clear();
            text.extend_from_slice(s.as_bytes());
            written.clear();
            string(written, s);
        }
        out.extend_from_slice(written);
    }
}

impl Emitter {
    /// Appends the document of `span` (from its `---` line to its `...` line) to `out`; on error,
    /// `out` may hold part of it.
    pub(crate) fn document(
        &mut self,
        out: &mut Vec<u8>,
        span: &SpanView<'_>,
    ) -> Result<(), TimeOutOfRange> {
        let start = span
            .start()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| TimeOutOfRange)?;
        let finish = span
            .finish()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| TimeOutOfRange)?;
        if finish.as_secs() >= YEAR_10000 {
            return Err(TimeOutOfRange);
        }
        out.extend_from_slice(b"---\ntrace_id: ");
        id(out, &span.trace_id().to_bytes());
        out.extend_from_slice(b"\nspan_id: ");
        id(out, &span.span_id().to_bytes());
        out.extend_from_slice(b"\nparent_id: ");
        match span.parent_id() {
            Some(parent) => id(out, &parent.to_bytes()),
            None => {
                out.push(b'\'');
                out.extend_from_slice(NO_PARENT.as_bytes());
                out.push(b'\'');
            }
        }
        out.extend_from_slice(b"\nname: ");
        self.memo.string(out, Slot::Name, span.name());
        out.extend_from_slice(b"\nkind: ");
        out.extend_from_slice(span.kind().as_str().as_bytes());
        out.extend_from_slice(b"\nprocess: ");
        let process = process_text(&mut self.process, span.process());
        self.memo.string(out, Slot::Process, process);
        out.extend_from_slice(b"\nstart: ");
        self.time(out, start);
        out.extend_from_slice(b"\nfinish: ");
        self.time(out, finish);
        out.extend_from_slice(b"\nservice: ");
        self.memo.string(out, Slot::Service, span.service());
        out.extend_from_slice(b"\nduration_ns: ");
        unsigned(out, nanos(span.duration()));
        out.extend_from_slice(b"\nflags: ");
        unsigned(out, u64::from(span.flags().bits()));
        let status = span.status();
        out.extend_from_slice(b"\nstatus: ");
        out.extend_from_slice(status.as_str().as_bytes());
        if let Some(message) = status.error_message() {
            out.extend_from_slice(b"\nerror: ");
            string(out, message);
        }
        if !span.trace_state().is_empty() {
            out.extend_from_slice(b"\ntrace_state: ");
            let header =
                trace_core::propagation::format_trace_state(span.trace_state(), usize::MAX);
            string(out, header.as_deref().unwrap_or_default());
        }
        if let Some(code) = span.code() {
            out.extend_from_slice(b"\ncode:");
            if let Some(module) = &code.module {
                out.extend_from_slice(b"\n  module: ");
                self.memo.string(out, Slot::Module, module);
            }
            out.extend_from_slice(b"\n  file: ");
            self.memo.string(out, Slot::File, &code.file);
            out.extend_from_slice(b"\n  line: ");
            unsigned(out, u64::from(code.line));
        }
        let tags = span.tags();
        if !tags.is_empty() {
            out.extend_from_slice(b"\ntags:");
            for (n, tag) in tags.into_iter().enumerate() {
                out.extend_from_slice(b"\n  ");
                let at = out.len();
                self.memo.string(out, Slot::TagKey(n), &tag.key);
                key_end(out, at);
                match &tag.value {
                    TagValue::Str(s) => string(out, s),
                    TagValue::Int(v) => signed(out, *v),
                    TagValue::Float(v) => float(out, *v),
                    TagValue::Bool(v) => out.extend_from_slice(if *v { b"true" } else { b"false" }),
                }
            }
        }
        let mut checkpoints = span.checkpoints().peekable();
        if checkpoints.peek().is_some() {
            out.extend_from_slice(b"\ncheckpoints:");
            for c in checkpoints {
                out.extend_from_slice(b"\n- name: ");
                string(out, c.name);
                out.extend_from_slice(b"\n  offset_ns: ");
                unsigned(out, nanos(c.offset));
            }
        }
        let links = span.links();
        if !links.is_empty() {
            out.extend_from_slice(b"\nlinks:");
            for l in links {
                out.extend_from_slice(b"\n- trace_id: ");
                id(out, &l.trace_id.to_bytes());
                out.extend_from_slice(b"\n  span_id: ");
                id(out, &l.span_id.to_bytes());
            }
        }
        // The end marker tells a complete document from one a crash or a full disk cut short.
        out.extend_from_slice(b"\n...\n");
        Ok(())
    }

    /// RFC 3339 in UTC with nine fractional digits: `2023-11-14T22:13:20.000001000Z`.
    fn time(&mut self, out: &mut Vec<u8>, since_epoch: Duration) {
        let secs = since_epoch.as_secs();
        let days = secs / 86_400;
        let date = match self.day {
            Some((day, date)) if day == days => date,
            _ => {
                let date = civil_date(days);
                self.day = Some((days, date));
                date
            }
        };
        out.extend_from_slice(&date);
        let in_day = secs % 86_400;
        let mut text = *b"T00:00:00.000000000Z";
        two_digits(&mut text[1..3], in_day / 3600);
        two_digits(&mut text[4..6], in_day / 60 % 60);
        two_digits(&mut text[7..9], in_day % 60);
        let nanos = since_epoch.subsec_nanos();
        two_digits(&mut text[10..12], u64::from(nanos / 10_000_000));
        let mut rest = nanos % 10_000_000;
        text[18] = b'0' + (rest % 10) as u8;
        rest /= 10;
        for at in [16, 14, 12] {
            two_digits(&mut text[at..at + 2], u64::from(rest % 100));
            rest /= 100;
        }
        out.extend_from_slice(&text);
    }
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (years up to 9999), by Howard Hinnant's
/// `civil_from_days`.
fn civil_date(days: u64) -> [u8; 10] {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let mut text = *b"0000-00-00";
    two_digits(&mut text[0..2], year / 100);
    two_digits(&mut text[2..4], year % 100);
    two_digits(&mut text[5..7], month);
    two_digits(&mut text[8..10], day);
    text
}

fn two_digits(out: &mut [u8], v: u64) {
    out.copy_from_slice(&DEC_PAIRS[usize::try_from(v % 100).unwrap_or(0)]);
}

pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn unsigned(out: &mut Vec<u8>, mut v: u64) {
    // Two digits per division, from a table, as `itoa` does.
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v >= 100 {
        let pair = usize::try_from(v % 100).unwrap_or(0);
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DEC_PAIRS[pair]);
    }
    if v >= 10 {
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DEC_PAIRS[usize::try_from(v).unwrap_or(0)]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// `00` to `99`.
const DEC_PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0u8; 2]; 100];
    let mut n = 0;
    while n < 100 {
        table[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    table
};

fn signed(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    unsigned(out, v.unsigned_abs());
}

fn float(out: &mut Vec<u8>, v: f64) {
    use std::io::Write as _;
    if v.is_nan() {
        out.extend_from_slice(b".nan");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b".inf" } else { b"-.inf" });
    } else {
        // `Debug` is the shortest text that reads back to the same value (`2.0`, `-0.0`,
        // `1e300`). YAML 1.1 readers (PyYAML) take a float only with a `.` and, with an exponent,
        // a signed one: `1e300` is written `1.0e+300`, which YAML 1.2 reads the same.
        let mut text = [0u8; 32];
        let mut cursor = std::io::Cursor::new(&mut text[..]);
        let _ = write!(cursor, "{v:?}");
        let len = cursor.position() as usize;
        let text = &text[..len];
        match text.iter().position(|&b| b == b'e') {
            None => out.extend_from_slice(text),
            Some(e) => {
                let (mantissa, exponent) = (&text[..e], &text[e + 1..]);
                out.extend_from_slice(mantissa);
                if !mantissa.contains(&b'.') {
                    out.extend_from_slice(b".0");
                }
                out.push(b'e');
                if exponent.first() != Some(&b'-') {
                    out.push(b'+');
                }
                out.extend_from_slice(exponent);
            }
        }
    }
}

/// An id (big-endian bytes) as lowercase hex: plain unless YAML would read it as a number (all
/// digits, or digits `e` digits).
fn id(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut text = [0u8; 32];
    let mut letters = 0;
    for (chunk, word) in text.chunks_exact_mut(16).zip(bytes.chunks_exact(8)) {
        let (hex, n) = hex16(u64::from_be_bytes(word.try_into().unwrap_or_default()));
        chunk.copy_from_slice(&hex);
        letters += n;
    }
    let text = &text[..bytes.len() * 2];
    // A number to YAML: all digits, or digits around one `e` (`12e45`, a float to YAML 1.1).
    let numeric = letters == 0
        || (letters == 1
            && text
                .iter()
                .position(|&c| c == b'e')
                .is_some_and(|e| e != 0 && e + 1 != text.len()));
    if numeric {
        out.push(b'\'');
        out.extend_from_slice(text);
        out.push(b'\'');
    } else {
        out.extend_from_slice(text);
    }
}

/// The 16 lowercase hex digits of `v` (most significant first) and how many are letters, computed
/// on all digits at once in one 128-bit word rather than digit by digit.
fn hex16(v: u64) -> ([u8; 16], u32) {
    const LANES: u128 = u128::from_ne_bytes([1; 16]);
    // Spread the nibbles one per byte: byte k holds nibble k, counting from the least significant.
    let mut x = u128::from(v);
    x = (x | (x << 32)) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & (LANES * 0x0f);
    // 1 in the bytes whose nibble is 10 or more (adding 6 carries into bit 4 exactly then).
    let letter = ((x + LANES * 6) >> 4) & LANES;
    // '0' + d for digits; 'a' + (d - 10) = '0' + d + 39 for letters. No byte carries into the next.
    let ascii = x + LANES * u128::from(b'0') + letter * 39;
    (ascii.to_be_bytes(), letter.count_ones())
}

/// The `name:pid@host` text of `process`, formatted again only when the process changes.
fn process_text<'a>(cache: &'a mut Option<(usize, String)>, process: &Process) -> &'a str {
    let address = std::ptr::from_ref(process) as usize;
    if cache.as_ref().is_none_or(|(cached, _)| *cached != address) {
        *cache = Some((address, process.to_string()));
    }
    cache.as_ref().map_or("", |(_, text)| text)
}

/// Ends the mapping key written from `at` with its `: `; in the explicit form when it is too long
/// to be an implicit key.
fn key_end(out: &mut Vec<u8>, at: usize) {
    if out.len() - at <= IMPLICIT_KEY_MAX {
        out.extend_from_slice(b": ");
    } else {
        out.splice(at..at, *b"? ");
        out.extend_from_slice(b"\n  : ");
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
    // Branch-free over the bytes (a branch per byte is most of the cost): every byte allowed, and
    // no `: ` (which would start a mapping value).
    let mut allowed = true;
    let mut colon_space = false;
    let mut prev = 0u8;
    for &c in b {
        allowed &= PLAIN[usize::from(c)];
        colon_space |= (prev == b':') & (c == b' ');
        prev = c;
    }
    if !allowed || colon_space {
        return false;
    }
    !reserved(b)
}

/// Whether YAML 1.1 or 1.2 reads `b` (in any case) as a boolean, null, or a special float.
fn reserved(b: &[u8]) -> bool {
    if b.len() > 5 {
        return false;
    }
    let mut lower = [0u8; 5];
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    matches!(
        &lower[..b.len()],
        b"true"
            | b"false"
            | b"yes"
            | b"no"
            | b"on"
            | b"off"
            | b"y"
            | b"n"
            | b"null"
            | b"nan"
            | b"inf"
    )
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

/// Whether YAML may carry `c` unescaped in a double-quoted scalar: its printable set, less the
/// quote, the backslash, and the characters some readers take as line breaks or a byte order mark.
fn needs_escape(c: char) -> bool {
    match c {
        '"' | '\\' => true,
        ' '..='~' => false,
        '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => true,
        c => c.is_control(),
    }
}

fn quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if !needs_escape(c) {
            continue;
        }
        out.extend_from_slice(&s.as_bytes()[start..i]);
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\r' => out.extend_from_slice(b"\\r"),
            c => {
                let code = u32::from(c);
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(b"0123456789abcdef"[((code >> shift) & 0xf) as usize]);
                }
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
            "del\u{7f}",
            "c1\u{9b}",
            "line\u{2028}sep",
            "nonchar\u{fffe}\u{ffff}",
            "bom\u{feff}",
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
            "---",
            "...",
        ];
        for s in cases {
            let text = format!("v: {}\n", plain_or_quoted(s));
            let value: serde_yaml::Value = serde_yaml::from_str(&text)
                .unwrap_or_else(|e| panic!("{s:?} written as {text:?}: {e}"));
            assert_eq!(value["v"].as_str(), Some(s), "{s:?} written as {text:?}");
        }
        assert_eq!(plain_or_quoted("GET /users/:id"), "GET /users/:id");
        assert_eq!(plain_or_quoted("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(plain_or_quoted("\u{ffff}"), "\"\\uffff\"");
    }

    #[test]
    fn a_remembered_string_is_written_as_it_would_be_afresh() {
        let mut memo = Memo::default();
        for s in [
            "", "GET", "yes", "yes", "GET", "a: b", "a: b", "", "x", "12", "12", "user.id",
        ] {
            for slot in [Slot::Name, Slot::TagKey(3), Slot::TagKey(TAG_SLOTS + 1)] {
                let (mut remembered, mut afresh) = (Vec::new(), Vec::new());
                memo.string(&mut remembered, slot, s);
                string(&mut afresh, s);
                assert_eq!(remembered, afresh, "{s:?}");
            }
        }
    }

    #[test]
    fn long_keys_use_the_explicit_form() {
        let long = "k".repeat(2000);
        let mut out = b"tags:\n  ".to_vec();
        let at = out.len();
        Memo::default().string(&mut out, Slot::TagKey(0), &long);
        key_end(&mut out, at);
        out.extend_from_slice(b"1\n");
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("? "), "{text}");
        let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(value["tags"][long.as_str()].as_i64(), Some(1));
    }

    #[test]
    fn hex_digits_match_the_formatter() {
        let fixed = [
            0,
            1,
            0x9,
            0xa,
            0xf0,
            u64::MAX,
            0x0123_4567_89ab_cdef,
            0xfedc_ba98_7654_3210,
        ];
        let random = (0..1000).map(|_| u64::from_be_bytes(trace_core::SpanId::random().to_bytes()));
        for v in fixed.into_iter().chain(random) {
            let (hex, letters) = hex16(v);
            let expected = format!("{v:016x}");
            assert_eq!(std::str::from_utf8(&hex).unwrap(), expected);
            let count = expected.bytes().filter(u8::is_ascii_alphabetic).count();
            assert_eq!(letters as usize, count, "{expected}");
        }
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
            ("000000000000001e", false),
            ("10000000000000a0", false),
        ];
        for (hex, quote) in cases {
            let mut out = Vec::new();
            id(
                &mut out,
                &hex.parse::<trace_core::SpanId>().unwrap().to_bytes(),
            );
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text.starts_with('\''), quote, "{text}");
            let value: serde_yaml::Value = serde_yaml::from_str(&format!("v: {text}")).unwrap();
            assert_eq!(value["v"].as_str(), Some(hex));
        }
    }

    #[test]
    fn times_match_a_reference_formatter() {
        let mut emitter = Emitter::default();
        // Leap days, month and year ends, the epoch, and the last representable instant.
        let secs = [
            0,
            951_782_400,
            951_868_799,
            1_700_000_000,
            1_709_164_800,
            4_102_444_799,
            YEAR_10000 - 1,
        ];
        for s in secs {
            for nanos in [0, 1, 999_999_999] {
                let t = Duration::new(s, nanos);
                let mut out = Vec::new();
                emitter.time(&mut out, t);
                let expected = humantime::format_rfc3339_nanos(UNIX_EPOCH + t).to_string();
                assert_eq!(String::from_utf8(out).unwrap(), expected);
            }
        }
    }

    #[test]
    fn numbers_match_display() {
        for v in [0, 1, -1, 9, 10, i64::MAX, i64::MIN, -1_234_567] {
            let mut out = Vec::new();
            signed(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }
}
