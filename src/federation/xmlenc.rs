//! XML Encryption (W3C xmlenc-core 1.1) of one element, as SAML 2.0 IdPs encrypt assertions for a service provider:
//! an `xenc:EncryptedData` of Type Element whose content key is an `xenc:EncryptedKey` transported with RSA-OAEP
//! under the provider's public key.
//!
//! Written here, like [`super::xmldsig`], because the maintained implementations are C (libxmlsec1); the
//! cryptography itself is RustCrypto's ([`rsa`] OAEP, `aes` with `cbc`, [`aes_gcm`]). The accepted set is what
//! AWS documents for SAML private keys ("AES-GCM or AES-CBC") with the key transports IdPs use:
//! - content: `xmlenc#aes128-cbc`, `#aes192-cbc`, `#aes256-cbc`, `xmlenc11#aes128-gcm`, `#aes192-gcm`,
//!   `#aes256-gcm`;
//! - key transport: `xmlenc#rsa-oaep-mgf1p` and `xmlenc11#rsa-oaep`, digest SHA-1 (the default) or SHA-256/512,
//!   MGF1 with SHA-1 (the default) or SHA-256/512 (`xenc11:MGF`).
//!
//! RSA PKCS#1 v1.5 key transport (`xmlenc#rsa-1_5`) is refused: its decryption is a padding oracle (Bleichenbacher)
//! and xmlenc 1.1 forbids it. Every failure from the ciphertext onwards is the one [`XmlEncError::Undecryptable`],
//! with no detail, so that answers do not tell an attacker which step (key, padding, tag) failed.
//!
//! [`encrypt_element`] makes such ciphertexts for the test identity provider.

use aes_gcm::aead::{Aead as _, KeyInit as _};
use base64::Engine as _;
use cbc::cipher::{block_padding::NoPadding, BlockDecryptMut as _, BlockEncryptMut as _, KeyIvInit as _};
use roxmltree::Node;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

use super::xmldsig::{is_ds, SHA1, SHA256, SHA512};

pub const XENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
pub const XENC11_NS: &str = "http://www.w3.org/2009/xmlenc11#";
pub const ELEMENT_TYPE: &str = "http://www.w3.org/2001/04/xmlenc#Element";
pub const AES128_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
pub const AES192_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes192-cbc";
pub const AES256_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
pub const AES128_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
pub const AES192_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes192-gcm";
pub const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
pub const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
pub const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
pub const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
const MGF1_SHA1: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
const MGF1_SHA512: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha512";

/// Why an element does not decrypt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlEncError {
    /// Not of the accepted shape (what is missing or unexpected).
    Malformed(&'static str),
    /// An algorithm outside the accepted set.
    Unsupported(String),
    /// No key opens it, or what it holds fails its padding or authentication tag.
    Undecryptable,
}

impl std::fmt::Display for XmlEncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XmlEncError::Malformed(what) => write!(f, "malformed EncryptedData ({what})"),
            XmlEncError::Unsupported(alg) => write!(f, "unsupported encryption algorithm {alg}"),
            XmlEncError::Undecryptable => write!(f, "the encrypted element could not be decrypted"),
        }
    }
}

pub fn is_xenc(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(XENC_NS)
}

fn is_xenc11(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(XENC11_NS)
}

/// The RSA key of a PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), if it is one.
pub fn rsa_private_key(pem: &str) -> Option<RsaPrivateKey> {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    let text = Zeroizing::new(format!("{}\n", pem.trim()));
    let (label, der) = pem_rfc7468::decode_vec(text.as_bytes()).ok()?;
    let der = Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => RsaPrivateKey::from_pkcs8_der(&der).ok(),
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der).ok(),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
    Sha512,
}

fn hash(uri: Option<&str>, default: Hash, names: [&str; 3]) -> Result<Hash, XmlEncError> {
    match uri {
        None => Ok(default),
        Some(u) if u == names[0] => Ok(Hash::Sha1),
        Some(u) if u == names[1] => Ok(Hash::Sha256),
        Some(u) if u == names[2] => Ok(Hash::Sha512),
        Some(u) => Err(XmlEncError::Unsupported(u.to_string())),
    }
}

fn oaep(digest: Hash, mgf: Hash) -> Oaep {
    use sha1::Sha1;
    use sha2::{Sha256, Sha512};
    match (digest, mgf) {
        (Hash::Sha1, Hash::Sha1) => Oaep::new::<Sha1>(),
        (Hash::Sha1, Hash::Sha256) => Oaep::new_with_mgf_hash::<Sha1, Sha256>(),
        (Hash::Sha1, Hash::Sha512) => Oaep::new_with_mgf_hash::<Sha1, Sha512>(),
        (Hash::Sha256, Hash::Sha1) => Oaep::new_with_mgf_hash::<Sha256, Sha1>(),
        (Hash::Sha256, Hash::Sha256) => Oaep::new::<Sha256>(),
        (Hash::Sha256, Hash::Sha512) => Oaep::new_with_mgf_hash::<Sha256, Sha512>(),
        (Hash::Sha512, Hash::Sha1) => Oaep::new_with_mgf_hash::<Sha512, Sha1>(),
        (Hash::Sha512, Hash::Sha256) => Oaep::new_with_mgf_hash::<Sha512, Sha256>(),
        (Hash::Sha512, Hash::Sha512) => Oaep::new::<Sha512>(),
    }
}

/// The content cipher an EncryptionMethod names, with its key length.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Content {
    Cbc(usize),
    Gcm(usize),
}

fn content(uri: &str) -> Result<Content, XmlEncError> {
    Ok(match uri {
        AES128_CBC => Content::Cbc(16),
        AES192_CBC => Content::Cbc(24),
        AES256_CBC => Content::Cbc(32),
        AES128_GCM => Content::Gcm(16),
        AES192_GCM => Content::Gcm(24),
        AES256_GCM => Content::Gcm(32),
        other => return Err(XmlEncError::Unsupported(other.to_string())),
    })
}

fn algorithm<'a>(node: Node<'a, '_>) -> Result<&'a str, XmlEncError> {
    node.children()
        .find(|c| is_xenc(c, "EncryptionMethod"))
        .and_then(|m| m.attribute("Algorithm"))
        .ok_or(XmlEncError::Malformed("EncryptionMethod"))
}

fn cipher_value(node: Node<'_, '_>) -> Result<Vec<u8>, XmlEncError> {
    let value = node
        .children()
        .find(|c| is_xenc(c, "CipherData"))
        .and_then(|d| d.children().find(|c| is_xenc(c, "CipherValue")))
        .ok_or(XmlEncError::Malformed("CipherData/CipherValue"))?;
    let text: String = value
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .flat_map(str::chars)
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(text.as_bytes()).map_err(|_| XmlEncError::Malformed("CipherValue"))
}

/// The OAEP digest and MGF1 hash of an EncryptedKey's EncryptionMethod.
fn key_transport(encrypted_key: Node<'_, '_>) -> Result<(Hash, Hash), XmlEncError> {
    let method = encrypted_key
        .children()
        .find(|c| is_xenc(c, "EncryptionMethod"))
        .ok_or(XmlEncError::Malformed("EncryptedKey EncryptionMethod"))?;
    let alg = method.attribute("Algorithm").unwrap_or_default();
    if alg != RSA_OAEP_MGF1P && alg != RSA_OAEP {
        return Err(XmlEncError::Unsupported(alg.to_string()));
    }
    if method.children().any(|c| is_xenc(&c, "OAEPparams")) {
        return Err(XmlEncError::Unsupported("OAEPparams".into()));
    }
    let digest = method.children().find(|c| is_ds(c, "DigestMethod")).and_then(|d| d.attribute("Algorithm"));
    let digest = hash(digest, Hash::Sha1, [SHA1, SHA256, SHA512])?;
    // rsa-oaep-mgf1p fixes MGF1-SHA1; xmlenc 1.1's rsa-oaep may name another.
    let mgf = match method.children().find(|c| is_xenc11(c, "MGF")) {
        Some(m) if alg == RSA_OAEP => {
            hash(m.attribute("Algorithm"), Hash::Sha1, [MGF1_SHA1, MGF1_SHA256, MGF1_SHA512])?
        }
        Some(_) => return Err(XmlEncError::Malformed("MGF on rsa-oaep-mgf1p")),
        None => Hash::Sha1,
    };
    Ok((digest, mgf))
}

/// Decrypts `encrypted_data` (an `xenc:EncryptedData` of Type Element) with one of `keys`, and answers the
/// serialised element it held. Its content key is an `xenc:EncryptedKey` in its `ds:KeyInfo` or, as SAML also
/// allows, a sibling of it (`extra_keys`, the other children of `saml:EncryptedAssertion`).
pub fn decrypt_element(
    encrypted_data: Node<'_, '_>,
    extra_keys: &[Node<'_, '_>],
    keys: &[RsaPrivateKey],
) -> Result<Zeroizing<Vec<u8>>, XmlEncError> {
    if !is_xenc(&encrypted_data, "EncryptedData") {
        return Err(XmlEncError::Malformed("not an EncryptedData"));
    }
    if encrypted_data.attribute("Type").is_some_and(|t| t != ELEMENT_TYPE) {
        return Err(XmlEncError::Malformed("Type must be Element"));
    }
    let cipher = content(algorithm(encrypted_data)?)?;
    let mut encrypted_keys: Vec<Node<'_, '_>> = encrypted_data
        .children()
        .filter(|c| is_ds(c, "KeyInfo"))
        .flat_map(|k| k.children())
        .filter(|c| is_xenc(c, "EncryptedKey"))
        .collect();
    encrypted_keys.extend(extra_keys.iter().copied().filter(|c| is_xenc(c, "EncryptedKey")));
    if encrypted_keys.is_empty() {
        return Err(XmlEncError::Malformed("no EncryptedKey"));
    }
    // Shapes and algorithms first (detail is safe there), then the cryptography (no detail).
    let mut wrapped = Vec::with_capacity(encrypted_keys.len());
    for k in &encrypted_keys {
        wrapped.push((key_transport(*k)?, cipher_value(*k)?));
    }
    let ciphertext = cipher_value(encrypted_data)?;
    let expected_len = match cipher {
        Content::Cbc(n) | Content::Gcm(n) => n,
    };
    for ((digest, mgf), wrapped_key) in &wrapped {
        for key in keys {
            let Ok(content_key) = key.decrypt(oaep(*digest, *mgf), wrapped_key) else { continue };
            let content_key = Zeroizing::new(content_key);
            if content_key.len() != expected_len {
                continue;
            }
            if let Some(plain) = decrypt_content(cipher, &content_key, &ciphertext) {
                return Ok(plain);
            }
        }
    }
    Err(XmlEncError::Undecryptable)
}

fn decrypt_content(cipher: Content, key: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    match cipher {
        Content::Gcm(_) => {
            // IV (96 bits) || ciphertext || tag (128 bits).
            if data.len() < 12 + 16 {
                return None;
            }
            let (nonce, sealed) = data.split_at(12);
            let nonce = aes_gcm::Nonce::from_slice(nonce);
            let plain = match key.len() {
                16 => aes_gcm::Aes128Gcm::new_from_slice(key).ok()?.decrypt(nonce, sealed),
                24 => aes_gcm::AesGcm::<aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
                    .ok()?
                    .decrypt(nonce, sealed),
                _ => aes_gcm::Aes256Gcm::new_from_slice(key).ok()?.decrypt(nonce, sealed),
            };
            plain.ok().map(Zeroizing::new)
        }
        Content::Cbc(_) => {
            // IV (128 bits) || ciphertext, padded as xmlenc says: the last byte counts the padding (1..=16), the
            // other padding bytes are arbitrary (so not PKCS#7's check).
            if data.len() < 32 || !data.len().is_multiple_of(16) {
                return None;
            }
            let (iv, body) = data.split_at(16);
            let mut buf = Zeroizing::new(body.to_vec());
            let plain_len = match key.len() {
                16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
                    .ok()?
                    .decrypt_padded_mut::<NoPadding>(&mut buf)
                    .ok()?
                    .len(),
                24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
                    .ok()?
                    .decrypt_padded_mut::<NoPadding>(&mut buf)
                    .ok()?
                    .len(),
                _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
                    .ok()?
                    .decrypt_padded_mut::<NoPadding>(&mut buf)
                    .ok()?
                    .len(),
            };
            let pad = usize::from(*buf.get(plain_len.checked_sub(1)?)?);
            if pad == 0 || pad > 16 || pad > plain_len {
                return None;
            }
            buf.truncate(plain_len - pad);
            Some(buf)
        }
    }
}

/// The content ciphers [`encrypt_element`] can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentCipher {
    Aes256Gcm,
    Aes128Cbc,
}

/// Encrypts `element` (serialised XML) for `recipient`: an `xenc:EncryptedData` (Type Element) with the content
/// key transported by RSA-OAEP (SHA-1, MGF1-SHA1, `rsa-oaep-mgf1p`, what IdPs send by default) in its KeyInfo.
pub fn encrypt_element(element: &str, recipient: &RsaPublicKey, cipher: ContentCipher) -> Result<String, String> {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let random = |n: usize| -> Result<Zeroizing<Vec<u8>>, String> {
        let mut v = Zeroizing::new(vec![0u8; n]);
        getrandom::fill(&mut v).map_err(|e| e.to_string())?;
        Ok(v)
    };
    let (alg, data) = match cipher {
        ContentCipher::Aes256Gcm => {
            let key = random(32)?;
            let nonce = random(12)?;
            let sealed = aes_gcm::Aes256Gcm::new_from_slice(&key)
                .map_err(|e| e.to_string())?
                .encrypt(aes_gcm::Nonce::from_slice(&nonce), element.as_bytes())
                .map_err(|e| e.to_string())?;
            (AES256_GCM, (key, [nonce.to_vec(), sealed].concat()))
        }
        ContentCipher::Aes128Cbc => {
            let key = random(16)?;
            let iv = random(16)?;
            let pad = 16 - element.len() % 16;
            let mut buf = element.as_bytes().to_vec();
            buf.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(16), pad));
            let len = buf.len();
            cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &iv)
                .map_err(|e| e.to_string())?
                .encrypt_padded_mut::<NoPadding>(&mut buf, len)
                .map_err(|e| e.to_string())?;
            (AES128_CBC, (key, [iv.to_vec(), buf].concat()))
        }
    };
    let (key, data) = data;
    let wrapped =
        recipient.encrypt(&mut rand_core::OsRng, Oaep::new::<sha1::Sha1>(), &key).map_err(|e| e.to_string())?;
    Ok(format!(
        r#"<xenc:EncryptedData xmlns:xenc="{XENC_NS}" Type="{ELEMENT_TYPE}"><xenc:EncryptionMethod Algorithm="{alg}"/><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="{RSA_OAEP_MGF1P}"><ds:DigestMethod Algorithm="{SHA1}"/></xenc:EncryptionMethod><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>"#,
        b64(&wrapped),
        b64(&data),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RsaPrivateKey {
        RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap()
    }

    fn round_trip(xml: &str, keys: &[RsaPrivateKey]) -> Result<Zeroizing<Vec<u8>>, XmlEncError> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        decrypt_element(doc.root_element(), &[], keys)
    }

    #[test]
    fn decrypts_what_it_encrypts_with_either_cipher_and_only_with_the_right_key() {
        let (k, other) = (key(), key());
        let element = "<a:Assertion xmlns:a=\"urn:x\">secret</a:Assertion>";
        for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes128Cbc] {
            let xml = encrypt_element(element, &k.to_public_key(), cipher).unwrap();
            let plain = round_trip(&xml, &[other.clone(), k.clone()]).unwrap();
            assert_eq!(&plain[..], element.as_bytes());
            assert_eq!(round_trip(&xml, std::slice::from_ref(&other)), Err(XmlEncError::Undecryptable));
        }
    }

    /// The content ciphertext of `xml`, changed by `f`.
    fn tamper(xml: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
        let start = xml.rfind("<xenc:CipherValue>").unwrap() + "<xenc:CipherValue>".len();
        let end = xml[start..].find('<').unwrap() + start;
        let mut data = base64::engine::general_purpose::STANDARD.decode(&xml[start..end]).unwrap();
        f(&mut data);
        format!("{}{}{}", &xml[..start], base64::engine::general_purpose::STANDARD.encode(&data), &xml[end..])
    }

    #[test]
    fn tampering_refused_without_saying_where() {
        let k = key();
        let element = "<x>0123456789abcdef0123456789</x>";
        // GCM: any changed bit fails the tag.
        let xml = encrypt_element(element, &k.to_public_key(), ContentCipher::Aes256Gcm).unwrap();
        let tampered = tamper(&xml, |d| {
            let last = d.len() - 1;
            d[last] ^= 1;
        });
        assert_eq!(round_trip(&tampered, std::slice::from_ref(&k)), Err(XmlEncError::Undecryptable));
        // CBC: a bit flipped in the next-to-last block flips the same bit of the last plaintext block, so the
        // padding count (1..=16) becomes 128 or more: refused, with nothing said about why.
        let xml = encrypt_element(element, &k.to_public_key(), ContentCipher::Aes128Cbc).unwrap();
        let tampered = tamper(&xml, |d| {
            let at = d.len() - 17;
            d[at] ^= 0x80;
        });
        assert_eq!(round_trip(&tampered, std::slice::from_ref(&k)), Err(XmlEncError::Undecryptable));
        // CBC has no tag: a change to the last block may leave a valid-looking padding count, and then the
        // "plaintext" is garbage that the assertion's XML and signature checks refuse. It is never the original.
        let tampered = tamper(&xml, |d| {
            let last = d.len() - 1;
            d[last] ^= 1;
        });
        let got = round_trip(&tampered, std::slice::from_ref(&k));
        assert!(got.as_deref().map(|p| p.as_slice()) != Ok(element.as_bytes()), "{got:?}");
    }

    #[test]
    fn refuses_pkcs1_v15_key_transport_and_unknown_ciphers() {
        let k = key();
        let xml = encrypt_element("<x/>", &k.to_public_key(), ContentCipher::Aes256Gcm).unwrap();
        let v15 = xml.replace(RSA_OAEP_MGF1P, RSA_1_5);
        assert_eq!(round_trip(&v15, std::slice::from_ref(&k)), Err(XmlEncError::Unsupported(RSA_1_5.into())));
        let des = xml.replace(AES256_GCM, "http://www.w3.org/2001/04/xmlenc#tripledes-cbc");
        assert!(matches!(round_trip(&des, std::slice::from_ref(&k)), Err(XmlEncError::Unsupported(_))));
        let content = xml.replace(ELEMENT_TYPE, "http://www.w3.org/2001/04/xmlenc#Content");
        assert!(matches!(round_trip(&content, std::slice::from_ref(&k)), Err(XmlEncError::Malformed(_))));
    }

    #[test]
    fn private_keys_in_both_pem_forms() {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        use rsa::pkcs8::EncodePrivateKey as _;
        let k = key();
        let pkcs8 = k.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let pkcs1 = k.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        assert_eq!(rsa_private_key(&pkcs8), Some(k.clone()));
        assert_eq!(rsa_private_key(&pkcs1), Some(k));
        assert_eq!(rsa_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"), None);
    }
}
