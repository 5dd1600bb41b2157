//! By hand only the decoder's leniency (as before; no Query-protocol rule): the codec is the `base64` crate's.
//!
//! Standard base64 (RFC 4648) for `blob` shapes: written with padding; read padded or not.

use base64::alphabet::STANDARD as ALPHABET;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// The standard alphabet, read without padding (it is stripped first) and ignoring the bits of a last symbol that
/// make no whole byte (`Zh` reads as `f`, as `Zg` does).
const UNPADDED_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &ALPHABET,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

pub fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Decodes padded or unpadded standard base64 (at most two `=` at the end, whatever the length); `None` for anything
/// else.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 {
        return None;
    }
    UNPADDED_LENIENT.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(raw.as_bytes()), enc);
            assert_eq!(decode(enc).unwrap(), raw.as_bytes());
        }
        assert_eq!(decode("Zm9vYg").unwrap(), b"foob");
        assert!(decode("Z").is_none());
        assert!(decode("Zm9v!").is_none());
        assert!(decode("Zg===").is_none());
    }
}
