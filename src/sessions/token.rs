//! The session token: the session's claims, deflated and sealed with AES-256-GCM under a key of its own.
//!
//! Layout, before standard base64 (the alphabet AWS's tokens use):
//! `version (1) || master key id (8) || salt (16) || nonce (12) || ciphertext+tag`, where the plaintext is
//! `length of the deflated claims (4, big-endian) || deflated JSON claims || zero padding` and everything before
//! the ciphertext is the associated data. The key is derived from the master key and the salt
//! (`Keyring::token_cipher`), so a token can be neither read nor altered nor made without the master key, and it
//! names the master key that sealed it, so tokens survive the introduction of a new one.
//!
//! Hand-written on purpose: the format is Gatehouse's own and the primitives are the well-kept crates'.

use std::io::{Read, Write};

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::Nonce;
use base64::Engine as _;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use super::SessionClaims;
use crate::crypto::Keyring;
use crate::ids::Randomness;

const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + SALT_LEN + NONCE_LEN;
/// A sealed plaintext this large was not made here (the claims are bounded by the request's limits).
const MAX_CLAIMS_LEN: usize = 64 * 1024;

/// The largest session token Gatehouse issues, in characters: what `SessionTokenUtilization` is a percentage
/// of, and the most `MinimumSessionTokenSize` may ask for (the model's bound).
pub const MAX_TOKEN_LEN: usize = 4096;

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not base64, too short, or of another version: no token of ours.
    Malformed,
    /// No configured master key sealed it.
    UnknownKey,
    /// It was altered, or sealed by another installation.
    Unseal,
    /// It opened, but its claims do not parse (sealed by an incompatible release).
    Claims,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Malformed => "not a Gatehouse session token",
            Self::UnknownKey => "sealed under a master key that is not configured",
            Self::Unseal => "altered, or sealed by another installation",
            Self::Claims => "its claims do not parse",
        })
    }
}

/// The deflated claims: the part of a token its content decides (what the packed size measures).
pub fn deflate(claims: &SessionClaims) -> Result<Vec<u8>, TokenError> {
    let json = serde_json::to_vec(claims).map_err(|_| TokenError::Claims)?;
    let mut enc = DeflateEncoder::new(Vec::with_capacity(json.len() / 2), Compression::best());
    enc.write_all(&json).map_err(|_| TokenError::Claims)?;
    enc.finish().map_err(|_| TokenError::Claims)
}

/// Seals `claims` into a token of at least `min_len` characters (0 for no padding).
pub fn seal(
    keyring: &Keyring,
    rng: &dyn Randomness,
    claims: &SessionClaims,
    min_len: usize,
) -> Result<String, TokenError> {
    let deflated = deflate(claims)?;
    let len = u32::try_from(deflated.len()).map_err(|_| TokenError::Claims)?;
    // Base64 makes 4 characters of every 3 bytes: the padding brings the sealed bytes to what `min_len` needs.
    let unpadded = HEADER_LEN + 4 + deflated.len() + TAG_LEN;
    let padding = (min_len.min(MAX_TOKEN_LEN) * 3).div_ceil(4).saturating_sub(unpadded);
    let mut plaintext = zeroize::Zeroizing::new(Vec::with_capacity(4 + deflated.len() + padding));
    plaintext.extend_from_slice(&len.to_be_bytes());
    plaintext.extend_from_slice(&deflated);
    let padded_len = plaintext.len() + padding;
    plaintext.resize(padded_len, 0);

    let key_id = hex::decode(keyring.current_id()).map_err(|_| TokenError::UnknownKey)?;
    let mut out = Vec::with_capacity(unpadded + padding);
    out.push(VERSION);
    out.extend_from_slice(&key_id);
    let mut random = [0u8; SALT_LEN + NONCE_LEN];
    rng.fill(&mut random);
    out.extend_from_slice(&random);
    let (salt, nonce) = random.split_at(SALT_LEN);
    let cipher = keyring.token_cipher(keyring.current_id(), salt).map_err(|_| TokenError::UnknownKey)?;
    let sealed = cipher
        .encrypt(Nonce::from_slice(nonce), Payload { msg: &plaintext, aad: &out })
        .map_err(|_| TokenError::Unseal)?;
    out.extend_from_slice(&sealed);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

/// Opens a token this server (or another with the same master keys) sealed.
pub fn open(keyring: &Keyring, token: &str) -> Result<SessionClaims, TokenError> {
    if token.len() > 2 * MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(token).map_err(|_| TokenError::Malformed)?;
    if bytes.len() < HEADER_LEN + 4 + TAG_LEN || bytes[0] != VERSION {
        return Err(TokenError::Malformed);
    }
    let (header, sealed) = bytes.split_at(HEADER_LEN);
    let key_id = hex::encode(&header[1..1 + KEY_ID_LEN]);
    let salt = &header[1 + KEY_ID_LEN..1 + KEY_ID_LEN + SALT_LEN];
    let nonce = &header[1 + KEY_ID_LEN + SALT_LEN..];
    let cipher = keyring.token_cipher(&key_id, salt).map_err(|_| TokenError::UnknownKey)?;
    let plaintext = zeroize::Zeroizing::new(
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: header })
            .map_err(|_| TokenError::Unseal)?,
    );
    let (len, rest) = plaintext.split_at_checked(4).ok_or(TokenError::Claims)?;
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    let deflated = rest.get(..len).ok_or(TokenError::Claims)?;
    let mut json = zeroize::Zeroizing::new(Vec::new());
    DeflateDecoder::new(deflated).take(MAX_CLAIMS_LEN as u64).read_to_end(&mut json).map_err(|_| TokenError::Claims)?;
    serde_json::from_slice(&json).map_err(|_| TokenError::Claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;
    use crate::ids::SeededRandom;
    use crate::sessions::{RoleRef, SessionKind};

    fn keyring(byte: u8) -> Keyring {
        Keyring::new(MasterKey::from_bytes(&[byte; 32]).unwrap(), vec![])
    }

    fn claims() -> SessionClaims {
        SessionClaims {
            kind: SessionKind::Role,
            access_key_id: "ASIAEXAMPLE000000001".into(),
            secret: "s".repeat(40),
            account_id: "123456789012".into(),
            issued_at: 1_700_000_000_000,
            expires_at: 1_700_000_900_000,
            role: Some(RoleRef { id: "AROAEXAMPLE0000000001".into(), name: "r".into(), path: "/".into() }),
            user: None,
            session_name: "s".into(),
            policy: Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into()),
            policy_arns: vec![],
            tags: vec![],
            source_identity: None,
            chained: false,
            provider: None,
            mfa_at: None,
        }
    }

    #[test]
    fn round_trips_and_pads() {
        let k = keyring(7);
        let rng = SeededRandom::new(1);
        let t = seal(&k, &rng, &claims(), 0).unwrap();
        assert_eq!(open(&k, &t).unwrap(), claims());
        let padded = seal(&k, &rng, &claims(), 2000).unwrap();
        assert!((2000..2004).contains(&padded.len()), "{}", padded.len());
        assert_eq!(open(&k, &padded).unwrap(), claims());
        assert_ne!(seal(&k, &rng, &claims(), 0).unwrap(), t, "every token has its own salt and nonce");
    }

    #[test]
    fn refuses_what_it_did_not_seal() {
        let k = keyring(7);
        let t = seal(&k, &SeededRandom::new(2), &claims(), 0).unwrap();
        assert_eq!(open(&keyring(8), &t), Err(TokenError::UnknownKey));
        // Any altered byte, in the header (the associated data) or the ciphertext, is refused.
        let mut bytes = base64::engine::general_purpose::STANDARD.decode(&t).unwrap();
        for i in [0usize, 5, 12, 30, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[i] ^= 1;
            let altered = base64::engine::general_purpose::STANDARD.encode(&b);
            assert!(open(&k, &altered).is_err(), "byte {i}");
        }
        bytes.truncate(20);
        assert_eq!(open(&k, &base64::engine::general_purpose::STANDARD.encode(&bytes)), Err(TokenError::Malformed));
        for garbage in ["", "not base64!", "AAAA", &"A".repeat(10_000)] {
            assert!(open(&k, garbage).is_err());
        }
    }

    #[test]
    fn a_previous_master_key_still_opens_its_tokens() {
        let old = keyring(7);
        let t = seal(&old, &SeededRandom::new(3), &claims(), 0).unwrap();
        let rotated =
            Keyring::new(MasterKey::from_bytes(&[9; 32]).unwrap(), vec![MasterKey::from_bytes(&[7; 32]).unwrap()]);
        assert_eq!(open(&rotated, &t).unwrap(), claims());
    }
}
