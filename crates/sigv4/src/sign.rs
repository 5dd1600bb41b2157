//! The string to sign, the signing key and the signature ("Create a string to sign", "Calculate the signature").

use hmac::digest::Key;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::canonical::{self, QueryToken};
use crate::parse::{Auth, ALGORITHM};
use crate::request::Request;
use crate::sink::Sink;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 under `key`. `Mac::new_from_slice` returns a `Result` only because it also serves MACs whose keys
/// have one fixed length; HMAC takes a key of any length (RFC 2104 hashes a longer one), so `Err` never comes. Were
/// it to, the key's SHA-256 stands in (what RFC 2104 does for a long key): still secret, so it matches no signature
/// that someone without the key could make.
fn keyed(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| {
        let mut block = Key::<HmacSha256>::default();
        for (b, d) in block.iter_mut().zip(Sha256::digest(key)) {
            *b = d;
        }
        HmacSha256::new(&block)
    })
}

impl Sink for HmacSha256 {
    fn put(&mut self, s: &str) {
        self.update(s.as_bytes());
    }

    fn put_ascii(&mut self, b: u8) {
        self.update(&[b]);
    }
}

fn hmac(key: &[u8], data: &str) -> [u8; 32] {
    let mut mac = keyed(key);
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`. It depends on
/// the day, not the request, so the server may cache it per access key and scope.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let first_key = Zeroizing::new([b"AWS4".as_slice(), secret.as_bytes()].concat());
    let k_date = hmac(&first_key, date);
    let k_region = hmac(&k_date, region);
    let k_service = hmac(&k_region, service);
    hmac(&k_service, "aws4_request")
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
        let mut out = [0u8; 64];
        // 64 = 2 × 32, so this cannot fail; were it to, bytes 0xFF (in no `str`) would match no client's signature.
        if hex::encode_to_slice(bytes, &mut out).is_err() {
            out = [0xff; 64];
        }
        Self(out)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever stored (see `new`), so this never falls back.
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
    let mut mac = keyed(signing_key);
    write_string_to_sign(&mut mac, auth, &hash);
    Hex::new(&mac.finalize().into_bytes().into())
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
            hex(&hmac(b"Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaau8; 131];
        assert_eq!(
            hex(&hmac(&long_key, "Test Using Larger Than Block-Size Key - Hash Key First")),
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
