//! Whether a server certificate's private key is the one its certificate names: the key (PEM: PKCS#8 `PRIVATE
//! KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`; RSA, or ECDSA on P-256 or P-384) is decoded by
//! RustCrypto's decoders and its public half compared with the certificate's SubjectPublicKeyInfo. Pure, and
//! never a panic on any input.

use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    Matches,
    /// A usable key, but not the certificate's: AWS's KeyPairMismatch.
    Mismatch,
    /// Not a private key Gatehouse can read.
    Malformed,
}

enum PublicHalf {
    Rsa(rsa::RsaPublicKey),
    P256(p256::PublicKey),
    P384(p384::PublicKey),
}

fn from_private_pem(text: &str) -> Option<PublicHalf> {
    let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes()).ok()?;
    let der = zeroize::Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => {
            if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(&der) {
                return Some(PublicHalf::Rsa(k.to_public_key()));
            }
            if let Ok(k) = p256::SecretKey::from_pkcs8_der(&der) {
                return Some(PublicHalf::P256(k.public_key()));
            }
            p384::SecretKey::from_pkcs8_der(&der).ok().map(|k| PublicHalf::P384(k.public_key()))
        }
        "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der).ok().map(|k| PublicHalf::Rsa(k.to_public_key())),
        "EC PRIVATE KEY" => {
            if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                return Some(PublicHalf::P256(k.public_key()));
            }
            p384::SecretKey::from_sec1_der(&der).ok().map(|k| PublicHalf::P384(k.public_key()))
        }
        _ => None,
    }
}

/// Compares the private key in `private_pem` with the certificate's SubjectPublicKeyInfo (DER).
pub fn check(private_pem: &str, certificate_spki_der: &[u8]) -> KeyCheck {
    let Some(public) = from_private_pem(private_pem) else {
        return KeyCheck::Malformed;
    };
    let matches = match public {
        PublicHalf::Rsa(k) => rsa::RsaPublicKey::from_public_key_der(certificate_spki_der).is_ok_and(|c| c == k),
        PublicHalf::P256(k) => p256::PublicKey::from_public_key_der(certificate_spki_der).is_ok_and(|c| c == k),
        PublicHalf::P384(k) => p384::PublicKey::from_public_key_der(certificate_spki_der).is_ok_and(|c| c == k),
    };
    if matches {
        KeyCheck::Matches
    } else {
        KeyCheck::Mismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certificate_pem;

    fn cert_for(pair: &rcgen::KeyPair) -> Vec<u8> {
        let cert =
            rcgen::CertificateParams::new(vec!["www.example.com".to_string()]).unwrap().self_signed(pair).unwrap();
        certificate_pem::parse_one(&cert.pem()).unwrap().spki_der
    }

    #[test]
    fn ecdsa_keys_match_their_certificate_only() {
        let a = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let b = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let c = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let spki_a = cert_for(&a);
        assert_eq!(check(&a.serialize_pem(), &spki_a), KeyCheck::Matches);
        assert_eq!(check(&b.serialize_pem(), &spki_a), KeyCheck::Mismatch);
        assert_eq!(check(&c.serialize_pem(), &spki_a), KeyCheck::Mismatch);
        assert_eq!(check(&c.serialize_pem(), &cert_for(&c)), KeyCheck::Matches);
        // SEC1 form of the same key.
        let sec1 =
            p256::SecretKey::from_pkcs8_pem(&a.serialize_pem()).unwrap().to_sec1_pem(Default::default()).unwrap();
        assert_eq!(check(&sec1, &spki_a), KeyCheck::Matches);
    }

    #[test]
    fn rsa_keys_in_both_encodings() {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        use rsa::pkcs8::EncodePrivateKey as _;
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pkcs8 = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let pair = rcgen::KeyPair::from_pem(&pkcs8).unwrap();
        let spki = cert_for(&pair);
        assert_eq!(check(&pkcs8, &spki), KeyCheck::Matches);
        let pkcs1 = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        assert_eq!(check(&pkcs1, &spki), KeyCheck::Matches);
        let ec = rcgen::KeyPair::generate().unwrap();
        assert_eq!(check(&ec.serialize_pem(), &spki), KeyCheck::Mismatch);
    }

    #[test]
    fn malformed_keys() {
        for bad in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "-----BEGIN RSA PRIVATE KEY-----\n",
        ] {
            assert_eq!(check(bad, b""), KeyCheck::Malformed, "{bad:?}");
        }
    }

    /// Every truncation and many single-byte corruptions of valid keys are answered, never a panic.
    #[test]
    fn damaged_keys_are_refused_without_panicking() {
        let ec = rcgen::KeyPair::generate().unwrap();
        let spki = cert_for(&ec);
        let text = ec.serialize_pem();
        // Short of the complete END line, no prefix is a key.
        for cut in 0..text.trim_end().len() - 1 {
            assert_ne!(check(&text[..cut], &spki), KeyCheck::Matches);
        }
        let bytes = text.as_bytes();
        for at in (0..bytes.len()).step_by(3) {
            let mut damaged = bytes.to_vec();
            damaged[at] = if damaged[at] == b'A' { b'B' } else { b'A' };
            if let Ok(s) = std::str::from_utf8(&damaged) {
                let _ = check(s, &spki);
            }
        }
        // A certificate's SPKI that is not a key at all is a mismatch, not a failure.
        assert_eq!(check(&ec.serialize_pem(), b"junk"), KeyCheck::Mismatch);
    }
}
