//! Where canonical text goes: into a `String` when a caller (or a test) wants to see it, or straight into SHA-256
//! when verifying, so that the per-request path never builds the canonical request in memory.

use sha2::{Digest, Sha256};

pub(crate) trait Sink {
    fn put(&mut self, s: &str);

    /// One ASCII byte (a percent escape's `%` or hex digit). Callers never pass anything else.
    fn put_ascii(&mut self, b: u8);
}

impl Sink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }

    fn put_ascii(&mut self, b: u8) {
        self.push(char::from(b));
    }
}

impl Sink for Sha256 {
    fn put(&mut self, s: &str) {
        self.update(s.as_bytes());
    }

    fn put_ascii(&mut self, b: u8) {
        self.update([b]);
    }
}
