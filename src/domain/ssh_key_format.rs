//! The SSH public keys UploadSSHPublicKey accepts: RSA keys of at least 2048 bits, as one OpenSSH line
//! (`ssh-rsa AAAA... comment`) or as PEM (`PUBLIC KEY`, a SubjectPublicKeyInfo, or `RSA PUBLIC KEY`, PKCS#1).
//! Pure: the key is parsed by RustCrypto's decoders (ssh-key, pkcs1, spki), never by hand, and every failure is
//! one of two answers, never a panic. AWS's API reference: "The SSH public key must be in ssh-rsa format or PEM
//! format. The minimum bit-length of the public key is 2048 bits."

use md5::{Digest, Md5};
use rsa::pkcs1::der::{Decode as _, Encode as _};
use rsa::pkcs8::EncodePublicKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::BigUint;

/// AWS's minimum.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest modulus we accept: the model bounds the body to 16384 characters, which holds no bigger key.
const MAX_RSA_BITS: usize = 16384;

const RSA_ENCRYPTION: rsa::pkcs8::ObjectIdentifier = rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshKeyError {
    /// Neither an OpenSSH RSA line nor an RSA PEM block: AWS's UnrecognizedPublicKeyEncoding.
    Unrecognized,
    /// An RSA key in a known encoding that does not decode, or is shorter than 2048 bits: AWS's InvalidPublicKey.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshKey {
    /// What GetSSHPublicKey returns for Encoding SSH.
    pub ssh: String,
    /// What GetSSHPublicKey returns for Encoding PEM.
    pub pem: String,
    /// MD5 of the SSH key blob, as colon-separated lower-case hex pairs.
    pub fingerprint: String,
}

/// Parses an uploaded body. A key uploaded in one encoding is kept as uploaded (trimmed) in that encoding and
/// converted for the other.
pub fn parse(body: &str) -> Result<SshKey, SshKeyError> {
    let body = body.trim();
    let (n, e) = if body.starts_with("-----BEGIN") { from_pem(body)? } else { from_openssh(body)? };
    let rsa = rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).map_err(|_| SshKeyError::Invalid)?;
    if rsa.n().bits() < MIN_RSA_BITS {
        return Err(SshKeyError::Invalid);
    }
    let ssh_key = ssh_public_key(&rsa)?;
    let blob = ssh_key.to_bytes().map_err(|_| SshKeyError::Invalid)?;
    let fingerprint = Md5::digest(&blob).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":");
    let (ssh, pem) = if body.starts_with("-----BEGIN") {
        (ssh_key.to_openssh().map_err(|_| SshKeyError::Invalid)?, body.to_string())
    } else {
        let pem = rsa.to_public_key_pem(rsa::pkcs8::LineEnding::LF).map_err(|_| SshKeyError::Invalid)?;
        (body.to_string(), pem)
    };
    Ok(SshKey { ssh, pem, fingerprint })
}

fn from_openssh(line: &str) -> Result<(BigUint, BigUint), SshKeyError> {
    // Another algorithm (ssh-ed25519, ecdsa-sha2-*, ...) or no SSH line at all is an encoding AWS does not
    // take; a line that says ssh-rsa but does not decode is a malformed key.
    if line.split_ascii_whitespace().next() != Some("ssh-rsa") {
        return Err(SshKeyError::Unrecognized);
    }
    let key = ssh_key::PublicKey::from_openssh(line).map_err(|_| SshKeyError::Invalid)?;
    let ssh_key::public::KeyData::Rsa(rsa) = key.key_data() else {
        return Err(SshKeyError::Invalid);
    };
    let e = rsa.e.as_positive_bytes().ok_or(SshKeyError::Invalid)?;
    let n = rsa.n.as_positive_bytes().ok_or(SshKeyError::Invalid)?;
    Ok((BigUint::from_bytes_be(n), BigUint::from_bytes_be(e)))
}

fn from_pem(text: &str) -> Result<(BigUint, BigUint), SshKeyError> {
    let (label, der) = pem_rfc7468::decode_vec(text.as_bytes()).map_err(|_| SshKeyError::Invalid)?;
    let pkcs1_der = match label {
        "PUBLIC KEY" => {
            let spki = rsa::pkcs8::SubjectPublicKeyInfoRef::from_der(&der).map_err(|_| SshKeyError::Invalid)?;
            if spki.algorithm.oid != RSA_ENCRYPTION {
                return Err(SshKeyError::Unrecognized);
            }
            spki.subject_public_key.as_bytes().ok_or(SshKeyError::Invalid)?.to_vec()
        }
        "RSA PUBLIC KEY" => der,
        _ => return Err(SshKeyError::Unrecognized),
    };
    let key = rsa::pkcs1::RsaPublicKey::from_der(&pkcs1_der).map_err(|_| SshKeyError::Invalid)?;
    // Re-encoding proves the DER was canonical (no trailing bytes were silently accepted).
    if key.to_der().map_err(|_| SshKeyError::Invalid)? != pkcs1_der {
        return Err(SshKeyError::Invalid);
    }
    Ok((BigUint::from_bytes_be(key.modulus.as_bytes()), BigUint::from_bytes_be(key.public_exponent.as_bytes())))
}

fn ssh_public_key(rsa: &rsa::RsaPublicKey) -> Result<ssh_key::PublicKey, SshKeyError> {
    let e = ssh_key::Mpint::from_positive_bytes(&rsa.e().to_bytes_be()).map_err(|_| SshKeyError::Invalid)?;
    let n = ssh_key::Mpint::from_positive_bytes(&rsa.n().to_bytes_be()).map_err(|_| SshKeyError::Invalid)?;
    let data = ssh_key::public::KeyData::Rsa(ssh_key::public::RsaPublicKey { e, n });
    Ok(ssh_key::PublicKey::new(data, ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::EncodeRsaPublicKey as _;

    fn key(bits: usize) -> rsa::RsaPublicKey {
        let mut rng = rand_core::OsRng;
        rsa::RsaPrivateKey::new(&mut rng, bits).unwrap().to_public_key()
    }

    #[test]
    fn the_encodings_convert_into_each_other() {
        let k = key(2048);
        let spki = k.to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let from_pem = parse(&spki).unwrap();
        assert!(from_pem.ssh.starts_with("ssh-rsa AAAAB3NzaC1yc2E"));
        assert_eq!(from_pem.pem, spki.trim());
        let line = format!("{} alice@example", from_pem.ssh);
        let from_ssh = parse(&line).unwrap();
        assert_eq!(from_ssh.ssh, line);
        assert_eq!(from_ssh.pem, spki);
        assert_eq!(from_ssh.fingerprint, from_pem.fingerprint);
        assert_eq!(from_ssh.fingerprint.len(), 47);
        let pkcs1 = k.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        assert_eq!(parse(&pkcs1).unwrap().fingerprint, from_pem.fingerprint);
    }

    #[test]
    fn refusals() {
        assert_eq!(parse("hello"), Err(SshKeyError::Unrecognized));
        assert_eq!(parse(""), Err(SshKeyError::Unrecognized));
        assert_eq!(
            parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzvfE+qS09w+okgrO0gY7jryF0lSCxdEO/O0UaUhuZe a@b"),
            Err(SshKeyError::Unrecognized)
        );
        assert_eq!(parse("ssh-rsa AAAA!!!"), Err(SshKeyError::Invalid));
        assert_eq!(parse("ssh-rsa AAAAB3NzaC1yc2E="), Err(SshKeyError::Invalid));
        assert_eq!(parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"), Err(SshKeyError::Invalid));
        assert_eq!(
            parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
            Err(SshKeyError::Unrecognized)
        );
        let short = key(1024);
        let pem = short.to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        assert_eq!(parse(&pem), Err(SshKeyError::Invalid));
        let p256 = p256::SecretKey::random(&mut rand_core::OsRng).public_key();
        let ec = p256::pkcs8::EncodePublicKey::to_public_key_pem(&p256, rsa::pkcs8::LineEnding::LF).unwrap();
        assert_eq!(parse(&ec), Err(SshKeyError::Unrecognized));
    }

    /// Every truncation and many single-byte corruptions of valid keys are answered, never a panic.
    #[test]
    fn damaged_keys_are_refused_without_panicking() {
        let k = key(2048);
        let line = parse(&k.to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap()).unwrap().ssh;
        let pem = k.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
        for text in [line.as_str(), pem.as_str()] {
            for cut in (0..text.len()).step_by(7) {
                let _ = parse(&text[..cut]);
            }
            let bytes = text.as_bytes();
            for at in (0..bytes.len()).step_by(5) {
                let mut damaged = bytes.to_vec();
                damaged[at] = if damaged[at] == b'A' { b'/' } else { b'A' };
                if let Ok(s) = std::str::from_utf8(&damaged) {
                    let _ = parse(s);
                }
            }
        }
    }
}
