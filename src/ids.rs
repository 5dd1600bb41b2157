//! Identifiers and generated secrets, drawn from one injected randomness source so tests can make them
//! repeatable. Shapes follow IAM: unique ids are a 4-letter prefix and 17 of `A-Z0-9` (21 in all), access key
//! ids a prefix and 16 (20 in all), secret access keys 40 characters of base64's alphabet.

use std::sync::Mutex;

pub trait Randomness: Send + Sync + 'static {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG.
#[derive(Debug, Default)]
pub struct OsRandom;

impl Randomness for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        // getrandom only fails when the OS has no entropy source at all; there is no safe way to go on then.
        if getrandom::fill(buf).is_err() {
            tracing::error!("the operating system's random source failed; aborting");
            std::process::abort();
        }
    }
}

/// A deterministic generator (xorshift64*) for tests. Not for production: predictable by design.
#[derive(Debug)]
pub struct SeededRandom(Mutex<u64>);

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(seed | 1))
    }
}

impl Randomness for SeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        let mut state = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        for b in buf.iter_mut() {
            let mut x = *state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *state = x;
            *b = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
        }
    }
}

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `n` characters drawn uniformly from `alphabet` (rejection sampling, so no character is favoured).
fn draw(rng: &dyn Randomness, alphabet: &[u8], n: usize, out: &mut String) {
    let len = alphabet.len();
    // Largest multiple of len that fits a byte: bytes at or above it are rejected to avoid modulo bias.
    let limit = 256 - (256 % len);
    let mut buf = [0u8; 64];
    let mut produced = 0;
    while produced < n {
        rng.fill(&mut buf);
        for &b in &buf {
            if produced == n {
                break;
            }
            if usize::from(b) < limit {
                if let Some(&c) = alphabet.get(usize::from(b) % len) {
                    out.push(char::from(c));
                    produced += 1;
                }
            }
        }
    }
}

/// A unique id such as `AIDA` + 17 characters.
pub fn unique_id(rng: &dyn Randomness, prefix: &str) -> String {
    let mut s = String::with_capacity(21);
    s.push_str(prefix);
    draw(rng, UPPER_DIGITS, 17, &mut s);
    s
}

/// An access key id of `account`: `AKIA` or `ASIA` and 16 characters of base32 that encode the account as AWS's
/// key ids do (the 48 bits after the prefix hold the account id shifted left by 7, over random bits), so that
/// GetAccessKeyInfo, and the tools people use to read a key id, find the account of any key without a lookup.
pub fn access_key_id(rng: &dyn Randomness, prefix: &str, account: &str) -> String {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    let account: u64 = account.parse().unwrap_or(0) & 0xff_ffff_ffff;
    let random = u64::from_be_bytes([0, 0, bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]]);
    let packed = (random & 0x8000_0000_007f) | (account << 7);
    bytes[..6].copy_from_slice(&packed.to_be_bytes()[2..]);
    let mut s = String::with_capacity(20);
    s.push_str(prefix);
    s.push_str(&data_encoding::BASE32_NOPAD.encode(&bytes));
    s
}

/// The account an access key id encodes, if it is in AWS's form (a four-letter prefix and 16 base32 characters).
pub fn account_of_key_id(id: &str) -> Option<String> {
    let body = id.get(4..).filter(|b| b.len() == 16)?;
    let bytes = data_encoding::BASE32_NOPAD.decode(body.as_bytes()).ok()?;
    let head = bytes.get(..6)?;
    let packed = u64::from_be_bytes([0, 0, head[0], head[1], head[2], head[3], head[4], head[5]]);
    Some(format!("{:012}", (packed & 0x7fff_ffff_ff80) >> 7))
}

/// A new long-term access key of `account`: an `AKIA` id and its secret.
pub fn long_term_key(rng: &dyn Randomness, account: &str) -> (String, crate::secret::Secret) {
    (access_key_id(rng, "AKIA", account), crate::secret::Secret::new(secret_access_key(rng)))
}

/// The id of a SAML provider's private key: 26 characters of `A-Z0-9` (the model's PrivateKeyIdType allows 22 to
/// 64 of them; AWS's own length is unrecorded).
pub fn saml_private_key_id(rng: &dyn Randomness) -> String {
    let mut s = String::with_capacity(26);
    draw(rng, UPPER_DIGITS, 26, &mut s);
    s
}

/// An SSH public key id: `APKA` and 16 characters of `A-Z0-9`, 20 in all like AWS's (`APKAEIBAERJR2EXAMPLE`).
pub fn ssh_public_key_id(rng: &dyn Randomness) -> String {
    let mut s = String::with_capacity(20);
    s.push_str("APKA");
    draw(rng, UPPER_DIGITS, 16, &mut s);
    s
}

/// A signing certificate id: 32 characters of `A-Z0-9` (the model allows 24 to 128 word characters; AWS's own ids
/// are upper-case letters and digits, without a prefix).
pub fn signing_certificate_id(rng: &dyn Randomness) -> String {
    let mut s = String::with_capacity(32);
    draw(rng, UPPER_DIGITS, 32, &mut s);
    s
}

/// A version-4 UUID, as SAMLProviderUUID shows one.
pub fn uuid(rng: &dyn Randomness) -> String {
    request_id(rng)
}

/// A 40-character secret access key.
pub fn secret_access_key(rng: &dyn Randomness) -> String {
    let mut s = String::with_capacity(40);
    draw(rng, SECRET_ALPHABET, 40, &mut s);
    s
}

/// A request id in AWS's form (a version-4 UUID).
pub fn request_id(rng: &dyn Randomness) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let r = SeededRandom::new(7);
        let id = unique_id(&r, "AIDA");
        assert_eq!(id.len(), 21);
        assert!(id[4..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        let ak = access_key_id(&r, "AKIA", "123456789012");
        assert_eq!(ak.len(), 20);
        assert!(ak[4..].bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)), "{ak}");
        let sk = secret_access_key(&r);
        assert_eq!(sk.len(), 40);
        assert!(sk.bytes().all(|b| SECRET_ALPHABET.contains(&b)));
        assert_eq!(request_id(&r).len(), 36);
    }

    #[test]
    fn key_ids_encode_their_account_as_aws_does() {
        // A published AWS key id and the account it belongs to.
        assert_eq!(account_of_key_id("ASIAY34FZKBOKMUTVV7A").as_deref(), Some("609629065308"));
        for account in ["000000000000", "123456789012", "999999999999", "609629065308"] {
            for _ in 0..20 {
                let id = access_key_id(&OsRandom, "ASIA", account);
                assert_eq!(account_of_key_id(&id).as_deref(), Some(account), "{id}");
            }
        }
        assert_eq!(account_of_key_id("AKIAGATEHOUSEROOT001"), None, "0 and 1 are not base32");
        assert_eq!(account_of_key_id("AKIA"), None);
    }

    #[test]
    fn seeded_is_repeatable_and_os_is_not() {
        assert_eq!(unique_id(&SeededRandom::new(1), "AIDA"), unique_id(&SeededRandom::new(1), "AIDA"));
        assert_ne!(unique_id(&OsRandom, "AIDA"), unique_id(&OsRandom, "AIDA"));
    }
}
