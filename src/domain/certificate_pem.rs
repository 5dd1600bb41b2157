//! X.509 certificates as IAM takes them (signing certificates, server certificates and their chains): PEM
//! `CERTIFICATE` blocks, decoded by x509-cert. Pure; a body that is not certificates is `None`, never a panic.

use sha2::{Digest, Sha256};
use x509_cert::der::Encode as _;

#[derive(Debug, Clone)]
pub struct ParsedCertificate {
    pub der: Vec<u8>,
    /// The SubjectPublicKeyInfo, DER: what a server certificate's private key must match.
    pub spki_der: Vec<u8>,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
}

impl ParsedCertificate {
    /// SHA-256 of the DER, hex: one certificate's identity whatever its PEM line breaks.
    pub fn der_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.der))
    }
}

fn millis(t: x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_millis()).unwrap_or(i64::MAX)
}

fn parsed(cert: &x509_cert::Certificate) -> Option<ParsedCertificate> {
    let tbs = cert.tbs_certificate();
    Some(ParsedCertificate {
        der: cert.to_der().ok()?,
        spki_der: tbs.subject_public_key_info().to_der().ok()?,
        not_before_ms: millis(tbs.validity().not_before),
        not_after_ms: millis(tbs.validity().not_after),
    })
}

/// One or more PEM certificates, one after another (a certificate chain), with only whitespace around them.
pub fn parse_chain(text: &str) -> Option<Vec<ParsedCertificate>> {
    let text = text.trim();
    if !text.starts_with("-----BEGIN CERTIFICATE-----") {
        return None;
    }
    // x509-cert splits the chain at each END line; each block must then decode as a whole, so anything but a
    // certificate between them is refused.
    let certs = x509_cert::Certificate::load_pem_chain(text.as_bytes()).ok()?;
    if certs.is_empty() {
        return None;
    }
    certs.iter().map(parsed).collect()
}

/// Exactly one PEM certificate.
pub fn parse_one(text: &str) -> Option<ParsedCertificate> {
    let mut chain = parse_chain(text)?;
    if chain.len() != 1 {
        return None;
    }
    chain.pop()
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_cert::der::Decode as _;

    fn cert(name: &str) -> String {
        rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap().cert.pem()
    }

    #[test]
    fn one_and_chains() {
        let a = cert("a.example");
        let b = cert("b.example");
        let one = parse_one(&a).unwrap();
        assert!(x509_cert::Certificate::from_der(&one.der).is_ok());
        assert!(one.not_after_ms > one.not_before_ms);
        assert_eq!(parse_one(&format!("\n  {a}\n")).unwrap().der, one.der);
        assert_eq!(parse_chain(&format!("{a}\n{b}")).unwrap().len(), 2);
        assert!(parse_one(&format!("{a}{b}")).is_none());
        assert_ne!(parse_one(&b).unwrap().der_sha256(), one.der_sha256());
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "invalid-certificate-body",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\n",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        ] {
            assert!(parse_chain(bad).is_none(), "{bad:?}");
        }
        let a = cert("a.example");
        assert!(parse_chain(&format!("{a}trailing")).is_none());
    }

    /// Every truncation and many single-byte corruptions of a valid chain are answered, never a panic.
    #[test]
    fn damaged_certificates_are_refused_without_panicking() {
        let text = format!("{}\n{}", cert("a.example"), cert("b.example"));
        for cut in 0..text.len() {
            let _ = parse_chain(&text[..cut]);
        }
        let bytes = text.as_bytes();
        for at in (0..bytes.len()).step_by(3) {
            let mut damaged = bytes.to_vec();
            damaged[at] = if damaged[at] == b'A' { b'-' } else { b'A' };
            if let Ok(s) = std::str::from_utf8(&damaged) {
                let _ = parse_chain(s);
            }
        }
    }
}
