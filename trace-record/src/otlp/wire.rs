//! The few protobuf wire-format primitives the OTLP encoder needs, writing into one growing
//! buffer.
//!
//! A nested message's length precedes its bytes but is known only after them. [`Writer::open`]
//! reserves room for the length varint (a guess) and [`Writer::close`] writes it, moving the
//! message's bytes when the guess was wrong. Guessing by message type (one byte for a key/value,
//! two for a span) makes moves rare and small; the outer messages of a request move once.

/// A protobuf field's wire type.
#[derive(Clone, Copy)]
#[repr(u8)]
pub(crate) enum WireType {
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    Fixed32 = 5,
}

/// A length-delimited field opened by [`Writer::open`], to be closed by [`Writer::close`].
#[must_use = "an opened message must be closed"]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Open {
    /// Where the reserved length bytes start.
    at: usize,
    /// How many bytes were reserved.
    reserved: usize,
}

/// Appends protobuf fields to a byte buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

/// The number of bytes `value` takes as a varint.
pub(crate) const fn varint_len(value: u64) -> usize {
    // 1 byte per started group of 7 bits, at least 1.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

impl Writer {
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    #[inline]
    pub(crate) fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.buf.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.buf.push(value as u8);
    }

    #[inline]
    fn tag(&mut self, field: u32, wire: WireType) {
        self.varint(u64::from(field << 3 | wire as u32));
    }

    /// A length-delimited field holding `bytes` (strings, bytes), written even when empty.
    #[inline]
    pub(crate) fn bytes(&mut self, field: u32, bytes: &[u8]) {
        self.tag(field, WireType::Len);
        self.varint(bytes.len() as u64);
        self.buf.extend_from_slice(bytes);
    }

    /// A string or bytes field, left out when empty (proto3's default).
    #[inline]
    pub(crate) fn bytes_opt(&mut self, field: u32, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.bytes(field, bytes);
        }
    }

    /// A varint field (uint32, uint64, int64, bool, enum), left out when zero.
    #[inline]
    pub(crate) fn uint(&mut self, field: u32, value: u64) {
        if value != 0 {
            self.tag(field, WireType::Varint);
            self.varint(value);
        }
    }

    /// A varint field written even when zero: a member of a `oneof` must be present.
    #[inline]
    pub(crate) fn uint_always(&mut self, field: u32, value: u64) {
        self.tag(field, WireType::Varint);
        self.varint(value);
    }

    /// A fixed64 or double field (given as bits), left out when zero.
    #[inline]
    pub(crate) fn fixed64(&mut self, field: u32, value: u64) {
        if value != 0 {
            self.fixed64_always(field, value);
        }
    }

    #[inline]
    pub(crate) fn fixed64_always(&mut self, field: u32, value: u64) {
        self.tag(field, WireType::Fixed64);
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// A fixed32 field, left out when zero.
    #[inline]
    pub(crate) fn fixed32(&mut self, field: u32, value: u32) {
        if value != 0 {
            self.tag(field, WireType::Fixed32);
            self.buf.extend_from_slice(&value.to_le_bytes());
        }
    }

    /// Starts a nested message in `field`, reserving `guess` bytes (1 to 5) for its length.
    #[inline]
    pub(crate) fn open(&mut self, field: u32, guess: usize) -> Open {
        self.tag(field, WireType::Len);
        let at = self.buf.len();
        self.buf.resize(at + guess, 0);
        Open {
            at,
            reserved: guess,
        }
    }

    /// Ends the nested message started by `open`, writing its length.
    #[inline]
    pub(crate) fn close(&mut self, open: Open) {
        let body_start = open.at + open.reserved;
        let len = (self.buf.len() - body_start) as u64;
        let needed = varint_len(len);
        if needed != open.reserved {
            let body_end = self.buf.len();
            if needed > open.reserved {
                self.buf.resize(body_end + needed - open.reserved, 0);
            }
            self.buf.copy_within(body_start..body_end, open.at + needed);
            self.buf
                .truncate(open.at + needed + (body_end - body_start));
        }
        let mut value = len;
        for slot in &mut self.buf[open.at..open.at + needed] {
            *slot = (value as u8 & 0x7f) | 0x80;
            value >>= 7;
        }
        self.buf[open.at + needed - 1] &= 0x7f;
    }

    /// Removes everything written from `len` on (an abandoned span).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn read_varint(bytes: &[u8]) -> (u64, usize) {
        let mut value = 0u64;
        for (i, b) in bytes.iter().enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return (value, i + 1);
            }
        }
        panic!("unterminated varint {bytes:?}");
    }

    proptest! {
        #[test]
        fn varints_round_trip_at_their_predicted_length(value: u64) {
            let mut w = Writer::default();
            w.varint(value);
            prop_assert_eq!(w.buf.len(), varint_len(value));
            prop_assert_eq!(read_varint(&w.buf), (value, w.buf.len()));
        }

        #[test]
        fn nested_lengths_are_right_whatever_the_guess(
            body in proptest::collection::vec(any::<u8>(), 0..40_000),
            guess in 1usize..=5,
        ) {
            let mut w = Writer::default();
            w.buf.push(0xAA);
            let open = w.open(3, guess);
            w.buf.extend_from_slice(&body);
            w.close(open);
            prop_assert_eq!(w.buf[0], 0xAA);
            prop_assert_eq!(w.buf[1], 3 << 3 | 2);
            let (len, n) = read_varint(&w.buf[2..]);
            prop_assert_eq!(len as usize, body.len());
            prop_assert_eq!(n, varint_len(len));
            prop_assert_eq!(&w.buf[2 + n..], &body[..]);
        }
    }
}
