//! Secrets at rest. Secret access keys cannot be hashed (the server recomputes signatures with them), so they
//! are sealed with AES-256-GCM under a master key from configuration. Each sealed value is stored with the id
//! of the key that sealed it, so a new key can be introduced while old rows still open. What a secret belongs to
//! (account, owner, key id) is the associated data, under a per-row format version: a database writer without the
//! master key can neither copy a sealed value onto another row nor move a row to another owner or account.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::ids::Randomness;

const NONCE_LEN: usize = 12;

#[derive(Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// The master key material is not 32 bytes of hex or base64.
    BadKey,
    /// No configured master key has this id.
    UnknownKey(String),
    /// The sealed value is damaged, or was sealed for another row or key.
    Unseal,
    /// The row names a sealing format this version does not know.
    UnknownFormat(i64),
}

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadKey => f.write_str("a master key must be 32 bytes, given as 64 hex digits or base64"),
            Self::UnknownKey(id) => write!(f, "no configured master key has id {id}"),
            Self::Unseal => f.write_str("a sealed secret failed to open (wrong master key or damaged data)"),
            Self::UnknownFormat(v) => write!(f, "unknown sealing format {v}"),
        }
    }
}

impl std::error::Error for CryptoError {}

pub struct MasterKey {
    id: String,
    cipher: Aes256Gcm,
    /// The root of session-token keys (`Keyring::token_cipher`), derived from the master key.
    token_root: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

impl MasterKey {
    /// Parses 32 bytes given as 64 hex digits or as standard base64.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        use base64::Engine as _;
        let text = text.trim();
        let bytes = Zeroizing::new(if text.len() == 64 {
            hex::decode(text).map_err(|_| CryptoError::BadKey)?
        } else {
            base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| CryptoError::BadKey)?
        });
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| CryptoError::BadKey)?;
        // The id names the key without revealing it: a truncated hash of a domain-separated digest.
        let mut h = Sha256::new();
        h.update(b"gatehouse master key id\0");
        h.update(bytes);
        let id = hex::encode(&h.finalize()[..8]);
        // Session tokens are sealed under keys of their own, derived from this one (never the key itself).
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(bytes).map_err(|_| CryptoError::BadKey)?;
        mac.update(b"gatehouse session tokens v1");
        let token_root = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        Ok(Self { id, cipher, token_root })
    }

    /// A new random key, encoded as 64 hex digits (for the SQLite default's generated key file).
    pub fn generate_hex(rng: &dyn Randomness) -> Zeroizing<String> {
        let mut b = Zeroizing::new([0u8; 32]);
        rng.fill(&mut b[..]);
        Zeroizing::new(hex::encode(&b[..]))
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The master keys in force: the current one seals, any of them opens.
#[derive(Debug)]
pub struct Keyring {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl Keyring {
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Self {
        Self { current, previous }
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext` for the row named by `aad`. Returns the id of the sealing key and nonce || ciphertext.
    pub fn seal(&self, rng: &dyn Randomness, plaintext: &[u8], aad: &[u8]) -> Result<(String, Vec<u8>), CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce);
        let ct = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .map_err(|_| CryptoError::Unseal)?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok((self.current.id.clone(), out))
    }

    fn key(&self, key_id: &str) -> Result<&MasterKey, CryptoError> {
        std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|k| k.id == key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_string()))
    }

    /// The AES-256-GCM key of one session token: HMAC-SHA256 of the token's random salt under the master key's
    /// token root. A key per token, so that random nonces never meet under one key however many tokens are
    /// issued. `key_id` names the master key (the current one when sealing).
    pub fn token_cipher(&self, key_id: &str, salt: &[u8]) -> Result<Aes256Gcm, CryptoError> {
        let key = self.key(key_id)?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.token_root[..]).map_err(|_| CryptoError::BadKey)?;
        mac.update(salt);
        let derived = Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        Aes256Gcm::new_from_slice(&derived[..]).map_err(|_| CryptoError::BadKey)
    }

    pub fn open(&self, key_id: &str, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let key = self.key(key_id)?;
        let (nonce, ct) = sealed.split_at_checked(NONCE_LEN).ok_or(CryptoError::Unseal)?;
        key.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Unseal)
    }
}

/// The sealing format of new access-key secrets.
pub const KEY_SEAL_VERSION: i64 = 2;

/// What an access key's secret is sealed to: the associated data of its AEAD.
#[derive(Debug, Clone, Copy)]
pub struct KeyBinding<'a> {
    pub account_id: &'a str,
    /// The owning user's unique id, or `None` for the account's root user.
    pub user_id: Option<&'a str>,
    pub access_key_id: &'a str,
}

impl KeyBinding<'_> {
    /// The associated data of format `version`. Format 1 (the foundation's) bound the key id only and is kept so
    /// that rows sealed before an upgrade still open; they are re-sealed in format 2 on first use.
    fn aad(&self, version: i64) -> Result<Vec<u8>, CryptoError> {
        match version {
            1 => Ok(self.access_key_id.as_bytes().to_vec()),
            2 => {
                // NUL-separated: none of the parts (digits, upper-case ids) can contain one, so the encoding is
                // unambiguous.
                let owner = self.user_id.unwrap_or("root");
                let mut aad = Vec::with_capacity(40 + self.account_id.len() + owner.len() + self.access_key_id.len());
                aad.extend_from_slice(b"gatehouse access key v2\0");
                for part in [self.account_id, owner, self.access_key_id] {
                    aad.extend_from_slice(part.as_bytes());
                    aad.push(0);
                }
                Ok(aad)
            }
            v => Err(CryptoError::UnknownFormat(v)),
        }
    }
}

impl Keyring {
    /// Seals an access key's secret in the current format. Returns the sealing key's id and the sealed bytes.
    pub fn seal_key_secret(
        &self,
        rng: &dyn Randomness,
        binding: &KeyBinding<'_>,
        secret: &str,
    ) -> Result<(String, Vec<u8>), CryptoError> {
        self.seal(rng, secret.as_bytes(), &binding.aad(KEY_SEAL_VERSION)?)
    }

    /// Opens an access key's secret sealed in format `version`.
    pub fn open_key_secret(
        &self,
        master_key_id: &str,
        sealed: &[u8],
        version: i64,
        binding: &KeyBinding<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(master_key_id, sealed, &binding.aad(version)?)
    }
}

/// What a SAML provider's private key is sealed to: the associated data of its AEAD, so that a sealed key moved to
/// another provider's row (or account) does not open.
#[derive(Debug, Clone, Copy)]
pub struct SamlKeyBinding<'a> {
    pub account_id: &'a str,
    /// The provider's SAMLProviderUUID.
    pub provider_id: &'a str,
    pub key_id: &'a str,
}

impl SamlKeyBinding<'_> {
    fn aad(&self) -> Vec<u8> {
        // NUL-separated: none of the parts (digits, a UUID, an upper-case id) can contain one.
        let mut aad = Vec::with_capacity(64 + self.provider_id.len() + self.key_id.len());
        aad.extend_from_slice(b"gatehouse saml private key v1\0");
        for part in [self.account_id, self.provider_id, self.key_id] {
            aad.extend_from_slice(part.as_bytes());
            aad.push(0);
        }
        aad
    }
}

impl Keyring {
    /// Seals a SAML provider's private key (its PEM text). Returns the sealing key's id and the sealed bytes.
    pub fn seal_saml_key(
        &self,
        rng: &dyn Randomness,
        binding: &SamlKeyBinding<'_>,
        pem: &str,
    ) -> Result<(String, Vec<u8>), CryptoError> {
        self.seal(rng, pem.as_bytes(), &binding.aad())
    }

    /// Opens a SAML provider's private key.
    pub fn open_saml_key(
        &self,
        master_key_id: &str,
        sealed: &[u8],
        binding: &SamlKeyBinding<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(master_key_id, sealed, &binding.aad())
    }
}

/// What a virtual MFA device's TOTP seed is sealed to: the associated data of its AEAD, so that a sealed seed moved
/// to another device's row (or account) does not open.
#[derive(Debug, Clone, Copy)]
pub struct MfaSeedBinding<'a> {
    pub account_id: &'a str,
    pub device_id: &'a str,
}

impl MfaSeedBinding<'_> {
    fn aad(&self) -> Vec<u8> {
        // NUL-separated: neither part (digits, a UUID) can contain one.
        let mut aad = Vec::with_capacity(64 + self.device_id.len());
        aad.extend_from_slice(b"gatehouse mfa seed v1\0");
        for part in [self.account_id, self.device_id] {
            aad.extend_from_slice(part.as_bytes());
            aad.push(0);
        }
        aad
    }
}

impl Keyring {
    /// Seals a virtual MFA device's seed. Returns the sealing key's id and the sealed bytes.
    pub fn seal_mfa_seed(
        &self,
        rng: &dyn Randomness,
        binding: &MfaSeedBinding<'_>,
        seed: &[u8],
    ) -> Result<(String, Vec<u8>), CryptoError> {
        self.seal(rng, seed, &binding.aad())
    }

    /// Opens a virtual MFA device's seed.
    pub fn open_mfa_seed(
        &self,
        master_key_id: &str,
        sealed: &[u8],
        binding: &MfaSeedBinding<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(master_key_id, sealed, &binding.aad())
    }
}

/// What a stored credential secret other than an access key's is sealed to (a service-specific credential's
/// password, a server certificate's private key): the associated data of its AEAD, so that a sealed value copied to
/// another row, owner or account, or to the other kind of secret, does not open.
#[derive(Debug, Clone, Copy)]
pub struct CredentialBinding<'a> {
    /// What the secret is: `CredentialBinding::SERVICE_CREDENTIAL` or `CredentialBinding::SERVER_CERTIFICATE_KEY`.
    pub kind: &'static str,
    pub account_id: &'a str,
    /// The row's own id (a ServiceSpecificCredentialId, a ServerCertificateId).
    pub id: &'a str,
    /// The owning user's unique id; empty for what the account itself owns (server certificates).
    pub owner_id: &'a str,
}

impl CredentialBinding<'_> {
    pub const SERVICE_CREDENTIAL: &'static str = "gatehouse service-specific credential v1";
    pub const SERVER_CERTIFICATE_KEY: &'static str = "gatehouse server certificate private key v1";

    fn aad(&self) -> Vec<u8> {
        // NUL-separated: none of the parts (a fixed label, digits, upper-case ids) can contain one.
        let mut aad = Vec::with_capacity(96 + self.id.len() + self.owner_id.len());
        for part in [self.kind, self.account_id, self.id, self.owner_id] {
            aad.extend_from_slice(part.as_bytes());
            aad.push(0);
        }
        aad
    }
}

impl Keyring {
    /// Seals a credential secret. Returns the sealing key's id and the sealed bytes.
    pub fn seal_credential(
        &self,
        rng: &dyn Randomness,
        binding: &CredentialBinding<'_>,
        secret: &[u8],
    ) -> Result<(String, Vec<u8>), CryptoError> {
        self.seal(rng, secret, &binding.aad())
    }

    /// Opens a credential secret.
    pub fn open_credential(
        &self,
        master_key_id: &str,
        sealed: &[u8],
        binding: &CredentialBinding<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(master_key_id, sealed, &binding.aad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SeededRandom;

    fn ring() -> Keyring {
        Keyring::new(MasterKey::parse(&"11".repeat(32)).unwrap(), vec![])
    }

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let rng = SeededRandom::new(3);
        let k = ring();
        let (id, sealed) = k.seal(&rng, b"secret", b"AKIA1").unwrap();
        assert_eq!(&*k.open(&id, &sealed, b"AKIA1").unwrap(), b"secret");
        assert_eq!(k.open(&id, &sealed, b"AKIA2"), Err(CryptoError::Unseal));
        assert_eq!(k.open("nope", &sealed, b"AKIA1"), Err(CryptoError::UnknownKey("nope".into())));
        assert_eq!(k.open(&id, &sealed[..5], b"AKIA1"), Err(CryptoError::Unseal));
    }

    #[test]
    fn rotation_opens_old_rows() {
        let rng = SeededRandom::new(4);
        let old = ring();
        let (id, sealed) = old.seal(&rng, b"s", b"a").unwrap();
        let new = Keyring::new(
            MasterKey::parse(&"22".repeat(32)).unwrap(),
            vec![MasterKey::parse(&"11".repeat(32)).unwrap()],
        );
        assert_ne!(new.current_id(), id);
        assert_eq!(&*new.open(&id, &sealed, b"a").unwrap(), b"s");
    }

    #[test]
    fn key_secrets_are_bound_to_account_owner_and_id() {
        let rng = SeededRandom::new(5);
        let k = ring();
        let alice = KeyBinding { account_id: "111111111111", user_id: Some("AIDAALICE"), access_key_id: "AKIA1" };
        let (id, sealed) = k.seal_key_secret(&rng, &alice, "s3cret").unwrap();
        assert_eq!(&*k.open_key_secret(&id, &sealed, KEY_SEAL_VERSION, &alice).unwrap(), b"s3cret");
        for other in [
            KeyBinding { user_id: None, ..alice },
            KeyBinding { user_id: Some("AIDABOB"), ..alice },
            KeyBinding { account_id: "222222222222", ..alice },
            KeyBinding { access_key_id: "AKIA2", ..alice },
        ] {
            assert_eq!(k.open_key_secret(&id, &sealed, KEY_SEAL_VERSION, &other), Err(CryptoError::Unseal));
        }
        // A row cannot be downgraded to the old format to escape the binding.
        assert_eq!(k.open_key_secret(&id, &sealed, 1, &alice), Err(CryptoError::Unseal));
        assert_eq!(k.open_key_secret(&id, &sealed, 9, &alice), Err(CryptoError::UnknownFormat(9)));
        // Rows of format 1 (the key id alone) still open.
        let (id1, old) = k.seal(&rng, b"old", b"AKIA1").unwrap();
        assert_eq!(&*k.open_key_secret(&id1, &old, 1, &alice).unwrap(), b"old");
    }

    #[test]
    fn key_parsing() {
        assert!(MasterKey::parse("short").is_err());
        assert!(MasterKey::parse(&"zz".repeat(32)).is_err());
        assert!(MasterKey::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").is_ok());
    }

    #[test]
    fn saml_keys_open_only_for_their_binding() {
        let ring = ring();
        let rng = SeededRandom::new(3);
        let b = SamlKeyBinding { account_id: "123456789012", provider_id: "p-1", key_id: "K1" };
        let (kid, sealed) = ring.seal_saml_key(&rng, &b, "-----BEGIN PRIVATE KEY-----").unwrap();
        assert_eq!(&ring.open_saml_key(&kid, &sealed, &b).unwrap()[..], b"-----BEGIN PRIVATE KEY-----");
        let other = SamlKeyBinding { provider_id: "p-2", ..b };
        assert!(ring.open_saml_key(&kid, &sealed, &other).is_err());
    }

    #[test]
    fn credential_secrets_open_only_for_their_binding() {
        let ring = ring();
        let rng = SeededRandom::new(6);
        let b = CredentialBinding {
            kind: CredentialBinding::SERVICE_CREDENTIAL,
            account_id: "123456789012",
            id: "ACCA1",
            owner_id: "AIDA1",
        };
        let (kid, sealed) = ring.seal_credential(&rng, &b, b"pw").unwrap();
        assert_eq!(&ring.open_credential(&kid, &sealed, &b).unwrap()[..], b"pw");
        for other in [
            CredentialBinding { kind: CredentialBinding::SERVER_CERTIFICATE_KEY, ..b },
            CredentialBinding { account_id: "210987654321", ..b },
            CredentialBinding { id: "ACCA2", ..b },
            CredentialBinding { owner_id: "AIDA2", ..b },
        ] {
            assert_eq!(ring.open_credential(&kid, &sealed, &other), Err(CryptoError::Unseal));
        }
    }
}
