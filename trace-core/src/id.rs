//! Trace and span identifiers.
//!
//! Ids are random, so any process can mint them without a central allocator (as in Dapper). They are
//! never zero: W3C Trace Context treats an all-zero id as invalid, and Dapper marks "no parent" with
//! zero, so zero stays free to mean "none".

use std::cell::Cell;
use std::fmt;
use std::num::{NonZeroU64, NonZeroU128};
use std::str::FromStr;

/// A 128-bit trace id, shared by every span of one trace.
///
/// Formatted as 32 lowercase hex digits, as in W3C `traceparent`.
///
/// ```
/// use trace_core::TraceId;
/// let id: TraceId = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
/// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert!("00000000000000000000000000000000".parse::<TraceId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TraceId(NonZeroU128);

/// A 64-bit span id, unique within its trace with high probability.
///
/// Formatted as 16 lowercase hex digits, as in W3C `traceparent`.
///
/// ```
/// use trace_core::SpanId;
/// let id: SpanId = "00f067aa0ba902b7".parse().unwrap();
/// assert_eq!(id.to_u64(), 0x00f0_67aa_0ba9_02b7);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanId(NonZeroU64);

impl TraceId {
    /// A fresh random trace id from this thread's generator.
    ///
    /// All 128 bits are random, so W3C Level 2's random-trace-id flag may be set for it.
    #[inline]
    pub fn random() -> Self {
        loop {
            let v = (u128::from(next_random()) << 64) | u128::from(next_random());
            if let Some(v) = NonZeroU128::new(v) {
                return Self(v);
            }
        }
    }

    /// The id with this value, or `None` for zero (which no valid trace has).
    #[inline]
    pub const fn from_u128(v: u128) -> Option<Self> {
        match NonZeroU128::new(v) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// The id's value.
    #[inline]
    pub const fn to_u128(self) -> u128 {
        self.0.get()
    }

    /// The id from its 16 big-endian bytes, or `None` if they are all zero.
    pub const fn from_bytes(bytes: [u8; 16]) -> Option<Self> {
        Self::from_u128(u128::from_be_bytes(bytes))
    }

    /// The id as 16 big-endian bytes, the order the hex text uses.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.to_u128().to_be_bytes()
    }

    /// Parses exactly 32 lowercase hex digits.
    ///
    /// Strict on purpose: the wire formats reject uppercase and other lengths, and a lenient parse
    /// here would let them through.
    pub fn from_hex(text: &str) -> Result<Self, IdParseError> {
        let v = parse_lower_hex(text, 32, IdKind::Trace)?;
        Self::from_u128(v).ok_or(IdParseError::new(IdKind::Trace, IdErrorReason::Zero))
    }
}

impl SpanId {
    /// A fresh random span id from this thread's generator.
    #[inline]
    pub fn random() -> Self {
        loop {
            if let Some(v) = NonZeroU64::new(next_random()) {
                return Self(v);
            }
        }
    }

    /// The id with this value, or `None` for zero (which means "no span", e.g. a root's parent).
    #[inline]
    pub const fn from_u64(v: u64) -> Option<Self> {
        match NonZeroU64::new(v) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// The id's value.
    #[inline]
    pub const fn to_u64(self) -> u64 {
        self.0.get()
    }

    /// The id from its 8 big-endian bytes, or `None` if they are all zero.
    pub const fn from_bytes(bytes: [u8; 8]) -> Option<Self> {
        Self::from_u64(u64::from_be_bytes(bytes))
    }

    /// The id as 8 big-endian bytes, the order the hex text uses.
    pub const fn to_bytes(self) -> [u8; 8] {
        self.to_u64().to_be_bytes()
    }

    /// Parses exactly 16 lowercase hex digits.
    pub fn from_hex(text: &str) -> Result<Self, IdParseError> {
        let v = parse_lower_hex(text, 16, IdKind::Span)?;
        // The value has at most 64 bits: 16 hex digits were checked above.
        Self::from_u64(v as u64).ok_or(IdParseError::new(IdKind::Span, IdErrorReason::Zero))
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

impl FromStr for TraceId {
    type Err = IdParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

impl FromStr for SpanId {
    type Err = IdParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s)
    }
}

/// Which id a parse error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// A [`TraceId`].
    Trace,
    /// A [`SpanId`].
    Span,
}

/// Why an id did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdErrorReason {
    /// The text had this many characters instead of the fixed width.
    Length(usize),
    /// A character other than `0-9a-f` (uppercase is rejected, as on the wire).
    NotLowerHex,
    /// All zeros, which no valid trace or span has.
    Zero,
}

/// The error from parsing a [`TraceId`] or [`SpanId`] from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdParseError {
    kind: IdKind,
    reason: IdErrorReason,
}

impl IdParseError {
    const fn new(kind: IdKind, reason: IdErrorReason) -> Self {
        Self { kind, reason }
    }

    /// Which id was being parsed.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// What was wrong with the text.
    pub fn reason(&self) -> IdErrorReason {
        self.reason
    }
}

impl fmt::Display for IdParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, width) = match self.kind {
            IdKind::Trace => ("trace id", 32),
            IdKind::Span => ("span id", 16),
        };
        match self.reason {
            IdErrorReason::Length(n) => {
                write!(
                    f,
                    "invalid {what}: expected {width} hex digits, found {n} characters"
                )
            }
            IdErrorReason::NotLowerHex => {
                write!(
                    f,
                    "invalid {what}: only lowercase hex digits 0-9a-f are allowed"
                )
            }
            IdErrorReason::Zero => write!(f, "invalid {what}: an all-zero id is not a valid id"),
        }
    }
}

impl std::error::Error for IdParseError {}

fn parse_lower_hex(text: &str, width: usize, kind: IdKind) -> Result<u128, IdParseError> {
    if text.len() != width {
        return Err(IdParseError::new(
            kind,
            IdErrorReason::Length(text.chars().count()),
        ));
    }
    // In 64-bit halves: shifting a `u128` digit by digit costs twice the instructions.
    let (high, low) = text.as_bytes().split_at(width.saturating_sub(16));
    match (lower_hex_u64(high), lower_hex_u64(low)) {
        (Some(high), Some(low)) => Ok((u128::from(high) << 64) | u128::from(low)),
        _ => Err(IdParseError::new(kind, IdErrorReason::NotLowerHex)),
    }
}

/// The value of each byte as a lowercase hex digit; `0xff` for every other byte.
const LOWER_HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 16 {
        table[b"0123456789abcdef"[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Up to 16 lowercase hex digits (none gives 0); `None` if any byte is not one.
///
/// A table lookup a digit, no branch: a `traceparent` has 50 of them on every traced request.
#[inline]
pub(crate) fn lower_hex_u64(digits: &[u8]) -> Option<u64> {
    debug_assert!(digits.len() <= 16);
    let mut value = 0u64;
    // Digits are below 16; the marker of a non-digit sets the high bits.
    let mut seen = 0u8;
    for &b in digits {
        let d = LOWER_HEX[usize::from(b)];
        seen |= d;
        value = (value << 4) | u64::from(d & 0x0f);
    }
    (seen < 16).then_some(value)
}

thread_local! {
    // wyrand state; 0 means "not seeded yet" so the thread-local needs no lazy initialisation.
    static RNG_STATE: Cell<u64> = const { Cell::new(0) };
}

/// Next value of this thread's id generator: wyrand (fast, passes BigCrush, 2^64 period) seeded
/// once per thread from the OS (see [`seed`]), so threads and processes draw independent sequences.
#[inline]
pub(crate) fn next_random() -> u64 {
    RNG_STATE.with(|state| {
        let mut s = state.get();
        if s == 0 {
            s = seed();
        }
        s = s.wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

/// A non-zero seed from the OS's random source, without a dependency: the standard library keys
/// each thread's `RandomState` with 128 bits it fetched from the OS (`getrandom` on Linux,
/// `arc4random` / `ProcessPrng` elsewhere), and SipHash under that secret key gives values no one
/// can predict. Ids need unpredictable and independent streams, not cryptography, so this replaces
/// `rand` (and its ChaCha implementation) at no cost in quality. Hashing the state's address and a
/// counter keeps two seeds from the same thread distinct.
#[cold]
fn seed() -> u64 {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEEDS: AtomicU64 = AtomicU64::new(0);
    let keys = std::collections::hash_map::RandomState::new();
    let salt = RNG_STATE.with(|s| std::ptr::from_ref(s) as usize as u64);
    let mut n = SEEDS.fetch_add(1, Ordering::Relaxed);
    loop {
        let s = keys.hash_one((salt, n));
        if s != 0 {
            return s;
        }
        n = n.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn random_ids_are_distinct_and_nonzero() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            assert!(seen.insert(SpanId::random()));
        }
        assert_ne!(TraceId::random(), TraceId::random());
    }

    #[test]
    fn threads_draw_different_sequences() {
        let a = std::thread::spawn(|| (0..4).map(|_| SpanId::random()).collect::<Vec<_>>());
        let b = std::thread::spawn(|| (0..4).map(|_| SpanId::random()).collect::<Vec<_>>());
        assert_ne!(a.join().unwrap(), b.join().unwrap());
    }

    #[test]
    fn seeds_are_nonzero_and_distinct() {
        let seeds: std::collections::HashSet<u64> = (0..1_000).map(|_| seed()).collect();
        assert_eq!(seeds.len(), 1_000);
        assert!(!seeds.contains(&0));
    }

    #[test]
    fn text_is_fixed_width_lowercase() {
        let t = TraceId::from_u128(0xab).unwrap();
        assert_eq!(t.to_string(), "000000000000000000000000000000ab");
        let s = SpanId::from_u64(0xAB).unwrap();
        assert_eq!(s.to_string(), "00000000000000ab");
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        let e = "ABCDEF0123456789".parse::<SpanId>().unwrap_err();
        assert_eq!(e.reason(), IdErrorReason::NotLowerHex);
        assert!(e.to_string().contains("lowercase"));
        let e = "abc".parse::<TraceId>().unwrap_err();
        assert_eq!(e.reason(), IdErrorReason::Length(3));
        assert!(e.to_string().contains("expected 32 hex digits"));
        let e = "0000000000000000".parse::<SpanId>().unwrap_err();
        assert_eq!(e.reason(), IdErrorReason::Zero);
        // A multi-byte character must not be mistaken for valid width or panic on slicing.
        assert!("é".repeat(8).parse::<SpanId>().is_err());
    }

    proptest! {
        #[test]
        fn trace_id_round_trips(v in 1u128..) {
            let id = TraceId::from_u128(v).unwrap();
            prop_assert_eq!(id.to_string().parse::<TraceId>().unwrap(), id);
            prop_assert_eq!(TraceId::from_bytes(id.to_bytes()), Some(id));
        }

        /// The table decoder agrees with the standard library on any text, digit or not, and
        /// refuses uppercase (the W3C wire form is lowercase).
        #[test]
        fn hex_digits_decode_as_the_standard_library_does(text in "[0-9a-gA-G~\u{0}-\u{ff}]{0,16}") {
            let bytes = text.as_bytes();
            let lower = bytes.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
            let expected = match bytes.len() {
                0 => Some(0),
                n if n <= 16 && lower => u64::from_str_radix(&text, 16).ok(),
                _ => None,
            };
            if bytes.len() <= 16 {
                prop_assert_eq!(lower_hex_u64(bytes), expected);
            }
        }

        #[test]
        fn span_id_round_trips(v in 1u64..) {
            let id = SpanId::from_u64(v).unwrap();
            prop_assert_eq!(id.to_string().parse::<SpanId>().unwrap(), id);
            prop_assert_eq!(SpanId::from_bytes(id.to_bytes()), Some(id));
        }
    }
}
