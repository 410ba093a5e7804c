//! Counting gRPC messages in a body: each is a 5-byte prefix (a compression flag and a big-endian
//! length) and then that many bytes, and they need not line up with HTTP/2 frames.

use bytes::Buf;

/// A running count of the messages that went past, across frames.
#[derive(Debug, Default)]
pub(crate) struct MessageCounter {
    count: u64,
    // The prefix bytes seen of the message being read (0..5), and the prefix so far.
    prefix_len: usize,
    prefix: [u8; 5],
    // Payload bytes of the current message still to come.
    payload_left: u64,
}

impl MessageCounter {
    /// Messages whose prefix has been seen.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Accounts for the bytes of one data frame, without consuming them.
    pub(crate) fn feed(&mut self, data: &impl Buf) {
        let mut bytes = data.chunk();
        // A `Buf` may be in several chunks; tonic's frames are one, so the rest is skipped only in
        // the unlikely case of a chained buffer (the count then stays a lower bound).
        while !bytes.is_empty() {
            if self.payload_left > 0 {
                let skip = usize::try_from(self.payload_left)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                self.payload_left -= skip as u64;
                bytes = &bytes[skip..];
                continue;
            }
            let take = (5 - self.prefix_len).min(bytes.len());
            self.prefix[self.prefix_len..self.prefix_len + take].copy_from_slice(&bytes[..take]);
            self.prefix_len += take;
            bytes = &bytes[take..];
            if self.prefix_len == 5 {
                self.count += 1;
                self.prefix_len = 0;
                let [_, a, b, c, d] = self.prefix;
                self.payload_left = u64::from(u32::from_be_bytes([a, b, c, d]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(len: u32) -> Vec<u8> {
        let mut m = vec![0];
        m.extend_from_slice(&len.to_be_bytes());
        m.extend(std::iter::repeat_n(7u8, len as usize));
        m
    }

    #[test]
    fn counts_messages_however_frames_cut_them() {
        let mut stream = Vec::new();
        for len in [3, 0, 300, 1] {
            stream.extend(message(len));
        }
        for frame in [1, 2, 5, 7, 1000] {
            let mut c = MessageCounter::default();
            for chunk in stream.chunks(frame) {
                c.feed(&chunk);
            }
            assert_eq!(c.count(), 4, "frames of {frame} bytes");
        }
        let mut c = MessageCounter::default();
        c.feed(&&message(10)[..3]);
        assert_eq!(c.count(), 0, "a partial prefix is not a message yet");
    }
}
