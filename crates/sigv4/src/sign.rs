//! The string to sign, the signing key and the signature ("Create a string to sign", "Calculate the signature").

use sha2::{Digest, Sha256};

use crate::canonical::{self, QueryToken};
use crate::parse::{Auth, ALGORITHM};
use crate::request::Request;
use crate::sink::Sink;

/// HMAC-SHA256 (RFC 2104) over SHA-256, streamed. Written here rather than taken from the `hmac` crate because
/// that API returns a `Result` for the key length, which an HMAC never rejects, and the lints forbid unwrapping it.
pub(crate) struct HmacSha256 {
    inner: Sha256,
    outer_key: [u8; 64],
}

impl HmacSha256 {
    /// A key given in parts (`"AWS4"` and the secret), so that the first step needs no concatenated copy.
    pub(crate) fn new(key_parts: &[&[u8]]) -> Self {
        let mut block = [0u8; 64];
        let key_len: usize = key_parts.iter().map(|p| p.len()).sum();
        if key_len > block.len() {
            let mut hasher = Sha256::new();
            for part in key_parts {
                hasher.update(part);
            }
            for (b, d) in block.iter_mut().zip(hasher.finalize()) {
                *b = d;
            }
        } else {
            for (b, k) in block.iter_mut().zip(key_parts.iter().flat_map(|p| p.iter())) {
                *b = *k;
            }
        }
        let mut inner = Sha256::new();
        inner.update(block.map(|b| b ^ 0x36));
        Self { inner, outer_key: block.map(|b| b ^ 0x5c) }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        let mut outer = Sha256::new();
        outer.update(self.outer_key);
        outer.update(self.inner.finalize());
        outer.finalize().into()
    }
}

impl Sink for HmacSha256 {
    fn put(&mut self, s: &str) {
        self.update(s.as_bytes());
    }

    fn put_ascii(&mut self, b: u8) {
        self.update(&[b]);
    }
}

fn hmac(key_parts: &[&[u8]], data: &str) -> [u8; 32] {
    let mut mac = HmacSha256::new(key_parts);
    mac.update(data.as_bytes());
    mac.finish()
}

/// The signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`. It depends on
/// the day, not the request, so the server may cache it per access key and scope.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(&[b"AWS4", secret.as_bytes()], date);
    let k_region = hmac(&[&k_date], region);
    let k_service = hmac(&[&k_region], service);
    hmac(&[&k_service], "aws4_request")
}

impl Auth<'_> {
    /// [`signing_key`] for this request's credential scope.
    pub fn signing_key(&self, secret: &str) -> [u8; 32] {
        signing_key(secret, self.scope_date(), self.region(), self.service())
    }
}

/// 32 bytes as 64 lower-case hex digits, on the stack.
pub(crate) struct Hex([u8; 64]);

impl Hex {
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        fn digit(nibble: u8) -> u8 {
            let n = nibble & 0x0f;
            if n < 10 {
                b'0' + n
            } else {
                b'a' + (n - 10)
            }
        }
        let mut out = [0u8; 64];
        for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
            if let [high, low] = pair {
                *high = digit(byte >> 4);
                *low = digit(*byte);
            }
        }
        Self(out)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever stored, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// `AWS4-HMAC-SHA256 \n amz-date \n scope \n hex(SHA-256(canonical request))`.
fn write_string_to_sign<S: Sink>(sink: &mut S, auth: &Auth<'_>, canonical_hash: &[u8; 32]) {
    sink.put(ALGORITHM);
    sink.put("\n");
    sink.put(auth.amz_date());
    sink.put("\n");
    sink.put(auth.credential_scope());
    sink.put("\n");
    sink.put(Hex::new(canonical_hash).as_str());
}

/// The string to sign as text.
pub fn string_to_sign(auth: &Auth<'_>, req: &Request<'_>, token: QueryToken) -> String {
    let hash = canonical::hash(auth, req, token, &canonical::payload_hash(req.body));
    let mut out = String::with_capacity(160);
    write_string_to_sign(&mut out, auth, &hash);
    out
}

/// The signature the request should carry, as lower-case hex: what a client signer puts in `Signature=`.
pub fn signature(auth: &Auth<'_>, req: &Request<'_>, signing_key: &[u8; 32], token: QueryToken) -> String {
    expected_signature(auth, req, signing_key, token, &canonical::payload_hash(req.body)).as_str().to_owned()
}

pub(crate) fn expected_signature(
    auth: &Auth<'_>,
    req: &Request<'_>,
    signing_key: &[u8; 32],
    token: QueryToken,
    payload: &Hex,
) -> Hex {
    let hash = canonical::hash(auth, req, token, payload);
    let mut mac = HmacSha256::new(&[signing_key]);
    write_string_to_sign(&mut mac, auth, &hash);
    Hex::new(&mac.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8; 32]) -> String {
        Hex::new(bytes).as_str().to_owned()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 (short key) and test case 6 (key longer than the block).
        assert_eq!(
            hex(&hmac(&[b"Jefe"], "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaau8; 131];
        assert_eq!(
            hex(&hmac(&[&long_key[..100], &long_key[100..]], "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signing_key_matches_the_aws_documentation_example() {
        // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
        let key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
        assert_eq!(hex(&key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }
}
