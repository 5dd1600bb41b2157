//! XML Signature (W3C xmldsig-core) for enveloped signatures as SAML 2.0 uses them, over Exclusive XML
//! Canonicalization 1.0 (<http://www.w3.org/2001/10/xml-exc-c14n#>, without comments) of [`roxmltree`] documents.
//!
//! Written here rather than taken from a crate: the maintained implementations are C (libxmlsec1, reached from
//! Rust through the `xmlsec` bindings that `samael` uses, which need the C library and libclang at build and run
//! time), and a verifier for SAML must in any case say exactly which element its signature covered, so that the
//! caller acts on that element and nothing else (signature wrapping). The subset is SAML's: one `Reference` to
//! `#ID` of the signature's own parent, the transforms enveloped-signature and exc-c14n (with
//! `InclusiveNamespaces PrefixList`), digests SHA-1/SHA-256/SHA-384/SHA-512, signatures RSA PKCS#1 v1.5 ([`rsa`])
//! and ECDSA on P-256 and P-384 ([`p256`], [`p384`]) with those hashes (pure Rust). Anything else is refused. `KeyInfo` is ignored: the keys are the
//! caller's (a SAML provider's metadata certificates). Tests check it against signatures made by Python's
//! `signxml` (lxml/libxml2 canonicalisation) in `tests/compat/test_saml.py` and by a fixture in this module.
//!
//! [`sign_enveloped`] makes such signatures for the test identity provider.

use base64::Engine as _;
use roxmltree::{Node, NodeId};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::Digest as _;
use subtle::ConstantTimeEq as _;

pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const RSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
pub const RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
pub const ECDSA_SHA1: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1";
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
pub const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
pub const ECDSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
pub const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

/// The deepest element nesting [`verify_enveloped`] canonicalises (canonicalisation recurses; SAML needs about ten).
pub const MAX_DEPTH: usize = 128;

/// How deeply elements nest under `node` (`node` itself is depth 1), counted without recursion: each node's depth
/// is its parent's plus one, and parents come first in document order.
pub fn depth(node: Node<'_, '_>) -> usize {
    let mut depths: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut max = 0;
    for n in node.descendants().filter(|n| n.is_element()) {
        let parent = if n.id() == node.id() { None } else { n.parent_element() };
        let d = parent.and_then(|p| depths.get(&p.id().get_usize()).copied()).unwrap_or(0) + 1;
        depths.insert(n.id().get_usize(), d);
        max = max.max(d);
    }
    max
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsigError {
    /// The Signature element is not of the shape accepted (which element is missing or unexpected).
    Malformed(&'static str),
    /// An algorithm outside the accepted set.
    Unsupported(String),
    /// The reference is not the ID of exactly one element, or not of the element holding the signature.
    BadReference,
    /// The referenced element's digest differs from the signed DigestValue.
    DigestMismatch,
    /// No key verifies the SignatureValue over SignedInfo.
    BadSignature,
}

impl std::fmt::Display for DsigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed signature: {what}"),
            Self::Unsupported(alg) => write!(f, "unsupported algorithm {alg}"),
            Self::BadReference => f.write_str("the signature does not reference the element that holds it"),
            Self::DigestMismatch => f.write_str("the signed element was changed after signing"),
            Self::BadSignature => f.write_str("the signature does not verify with the provider's certificates"),
        }
    }
}

impl std::error::Error for DsigError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn pkcs1(self) -> Pkcs1v15Sign {
        match self {
            Self::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
            Self::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
            Self::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
            Self::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }
}

fn digest_method(uri: &str) -> Result<Hash, DsigError> {
    match uri {
        SHA1 => Ok(Hash::Sha1),
        SHA256 => Ok(Hash::Sha256),
        SHA384 => Ok(Hash::Sha384),
        SHA512 => Ok(Hash::Sha512),
        other => Err(DsigError::Unsupported(other.to_string())),
    }
}

/// The kinds of signature accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// RSASSA-PKCS1-v1_5.
    Rsa,
    /// ECDSA with the value `r || s`, each the curve's size (RFC 4050, as XML-DSig 1.1 has it).
    Ecdsa,
}

fn signature_method(uri: &str) -> Result<(Scheme, Hash), DsigError> {
    match uri {
        RSA_SHA1 => Ok((Scheme::Rsa, Hash::Sha1)),
        RSA_SHA256 => Ok((Scheme::Rsa, Hash::Sha256)),
        RSA_SHA384 => Ok((Scheme::Rsa, Hash::Sha384)),
        RSA_SHA512 => Ok((Scheme::Rsa, Hash::Sha512)),
        ECDSA_SHA1 => Ok((Scheme::Ecdsa, Hash::Sha1)),
        ECDSA_SHA256 => Ok((Scheme::Ecdsa, Hash::Sha256)),
        ECDSA_SHA384 => Ok((Scheme::Ecdsa, Hash::Sha384)),
        ECDSA_SHA512 => Ok((Scheme::Ecdsa, Hash::Sha512)),
        other => Err(DsigError::Unsupported(other.to_string())),
    }
}

/// A public key a signature may be verified with: a SAML provider's signing certificate's.
#[derive(Debug, Clone)]
pub enum VerifyKey {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl VerifyKey {
    /// Whether `sig` is this key's signature (of `scheme`) over `hashed`.
    fn verifies(&self, scheme: Scheme, hash: Hash, hashed: &[u8], sig: &[u8]) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        match (self, scheme) {
            (Self::Rsa(k), Scheme::Rsa) => k.verify(hash.pkcs1(), hashed, sig).is_ok(),
            (Self::P256(k), Scheme::Ecdsa) => {
                p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify_prehash(hashed, &s).is_ok())
            }
            (Self::P384(k), Scheme::Ecdsa) => {
                p384::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify_prehash(hashed, &s).is_ok())
            }
            _ => false,
        }
    }
}

/// The public key of a DER X.509 certificate, if it is one accepted: RSA, or ECDSA on P-256 or P-384.
pub fn certificate_key(certificate_der: &[u8]) -> Option<VerifyKey> {
    use rsa::pkcs8::DecodePublicKey as _;
    use x509_cert::der::{Decode as _, Encode as _};
    let cert = x509_cert::Certificate::from_der(certificate_der).ok()?;
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().ok()?;
    if let Ok(k) = RsaPublicKey::from_public_key_der(&spki) {
        return Some(VerifyKey::Rsa(k));
    }
    if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(&spki) {
        return Some(VerifyKey::P256(k));
    }
    p384::ecdsa::VerifyingKey::from_public_key_der(&spki).ok().map(VerifyKey::P384)
}

pub fn is_ds(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(DSIG_NS)
}

/// The element children of `node`; text other than whitespace between them is refused.
fn element_children<'a, 'i>(node: Node<'a, 'i>) -> Result<Vec<Node<'a, 'i>>, DsigError> {
    let mut out = Vec::new();
    for child in node.children() {
        if child.is_element() {
            out.push(child);
        } else if child.is_text() && !child.text().unwrap_or_default().trim().is_empty() {
            return Err(DsigError::Malformed("text between elements"));
        }
    }
    Ok(out)
}

fn base64_text(node: Node<'_, '_>) -> Result<Vec<u8>, DsigError> {
    let text: String = node.text().unwrap_or_default().chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(text.as_bytes()).map_err(|_| DsigError::Malformed("base64"))
}

/// The prefixes of an exc-c14n `InclusiveNamespaces` child of a transform or canonicalisation method.
fn inclusive_prefixes(method: Node<'_, '_>) -> Vec<String> {
    method
        .children()
        .find(|c| {
            c.is_element() && c.tag_name().name() == "InclusiveNamespaces" && c.tag_name().namespace() == Some(EXC_C14N)
        })
        .and_then(|n| n.attribute("PrefixList"))
        .map(|l| l.split_ascii_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The RSA public key of a DER X.509 certificate, if it has one.
pub fn rsa_key(certificate_der: &[u8]) -> Option<RsaPublicKey> {
    match certificate_key(certificate_der)? {
        VerifyKey::Rsa(k) => Some(k),
        _ => None,
    }
}

/// Verifies the enveloped `signature` (a `ds:Signature`) with `keys`, and answers the element it signed: the
/// signature's parent, which its one Reference must name by an ID no other element of the document has.
pub fn verify_enveloped<'a, 'i>(signature: Node<'a, 'i>, keys: &[VerifyKey]) -> Result<Node<'a, 'i>, DsigError> {
    if !is_ds(&signature, "Signature") {
        return Err(DsigError::Malformed("not a Signature"));
    }
    if depth(signature.document().root_element()) > MAX_DEPTH {
        return Err(DsigError::Malformed("elements nested too deeply"));
    }
    let parts = element_children(signature)?;
    let (Some(signed_info), Some(value)) = (parts.first(), parts.get(1)) else {
        return Err(DsigError::Malformed("SignedInfo and SignatureValue"));
    };
    if !is_ds(signed_info, "SignedInfo") || !is_ds(value, "SignatureValue") {
        return Err(DsigError::Malformed("SignedInfo and SignatureValue"));
    }
    let info = element_children(*signed_info)?;
    let [c14n, method, reference] = info.as_slice() else {
        return Err(DsigError::Malformed("SignedInfo must hold one method of each and exactly one Reference"));
    };
    if !is_ds(c14n, "CanonicalizationMethod") || !is_ds(method, "SignatureMethod") || !is_ds(reference, "Reference") {
        return Err(DsigError::Malformed("SignedInfo"));
    }
    let c14n_alg = c14n.attribute("Algorithm").unwrap_or_default();
    if c14n_alg != EXC_C14N {
        return Err(DsigError::Unsupported(c14n_alg.to_string()));
    }
    let (scheme, signature_hash) = signature_method(method.attribute("Algorithm").unwrap_or_default())?;

    // The reference: `#ID` of the element holding the signature, that ID unique in the document.
    let uri = reference.attribute("URI").unwrap_or_default();
    let Some(id) = uri.strip_prefix('#').filter(|id| !id.is_empty()) else { return Err(DsigError::BadReference) };
    let mut holders = signature.document().descendants().filter(|n| {
        n.is_element()
            && n.attributes()
                .any(|a| a.namespace().is_none() && matches!(a.name(), "ID" | "Id" | "id") && a.value() == id)
    });
    let (Some(target), None) = (holders.next(), holders.next()) else { return Err(DsigError::BadReference) };
    if signature.parent_element().map(|p| p.id()) != Some(target.id()) {
        return Err(DsigError::BadReference);
    }
    let r = element_children(*reference)?;
    let (transforms, rest) = match r.first() {
        Some(t) if is_ds(t, "Transforms") => (element_children(*t)?, r.get(1..).unwrap_or_default()),
        _ => (Vec::new(), r.as_slice()),
    };
    let [digest_method_node, digest_value] = rest else { return Err(DsigError::Malformed("Reference")) };
    if !is_ds(digest_method_node, "DigestMethod") || !is_ds(digest_value, "DigestValue") {
        return Err(DsigError::Malformed("Reference"));
    }
    let (mut enveloped, mut exclusive) = (false, None);
    for t in &transforms {
        if !is_ds(t, "Transform") {
            return Err(DsigError::Malformed("Transforms"));
        }
        match t.attribute("Algorithm").unwrap_or_default() {
            ENVELOPED if !enveloped && exclusive.is_none() => enveloped = true,
            EXC_C14N if exclusive.is_none() => exclusive = Some(inclusive_prefixes(*t)),
            other => return Err(DsigError::Unsupported(other.to_string())),
        }
    }
    // Without an exc-c14n transform the node set would be canonicalised inclusively, which is not supported; an
    // enveloped signature without the enveloped transform could never verify.
    let (true, Some(prefixes)) = (enveloped, exclusive) else {
        return Err(DsigError::Unsupported("transforms other than enveloped-signature then exc-c14n".into()));
    };
    let digest_hash = digest_method(digest_method_node.attribute("Algorithm").unwrap_or_default())?;
    let expected = base64_text(*digest_value)?;
    let actual = digest_hash.digest(canonicalize(target, Some(signature.id()), &prefixes).as_bytes());
    if !bool::from(actual.ct_eq(&expected)) {
        return Err(DsigError::DigestMismatch);
    }

    let signed = canonicalize(*signed_info, None, &inclusive_prefixes(*c14n));
    let hashed = signature_hash.digest(signed.as_bytes());
    let sig = base64_text(*value)?;
    if keys.iter().any(|k| k.verifies(scheme, signature_hash, &hashed, &sig)) {
        Ok(target)
    } else {
        Err(DsigError::BadSignature)
    }
}

/// The qualified name of an element as written (roxmltree keeps only the expanded name).
fn element_qname<'i>(node: Node<'_, 'i>) -> &'i str {
    let text = node.document().input_text();
    let rest = text.get(node.range().start + 1..).unwrap_or_default();
    let end = rest.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>').unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// XML's end-of-line handling (XML 1.0 section 2.11), which roxmltree leaves to its caller: documents are
/// parsed from this, so that a literal CR is a line feed and only `&#xD;` puts a CR in the data.
pub fn normalize_line_ends(xml: &str) -> std::borrow::Cow<'_, str> {
    if xml.contains('\r') {
        std::borrow::Cow::Owned(xml.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(xml)
    }
}

/// Exclusive XML Canonicalization 1.0 without comments of the subtree at `apex`, leaving out the subtree at
/// `exclude` (the enveloped signature); `inclusive` is the InclusiveNamespaces PrefixList (`#default` for the
/// default namespace), whose namespaces are rendered as inclusive canonicalisation would.
pub fn canonicalize(apex: Node<'_, '_>, exclude: Option<NodeId>, inclusive: &[String]) -> String {
    let mut out = String::new();
    let rendered: Vec<(String, String)> = Vec::new();
    c14n_element(apex, exclude, inclusive, &rendered, &mut out);
    out
}

fn c14n_element(
    node: Node<'_, '_>,
    exclude: Option<NodeId>,
    inclusive: &[String],
    rendered: &[(String, String)],
    out: &mut String,
) {
    let text = node.document().input_text();
    let qname = element_qname(node);
    let in_effect = |prefix: &str| -> String {
        rendered.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.clone()).unwrap_or_default()
    };
    let mut candidates: Vec<String> = vec![prefix_of(qname).to_string()];
    for a in node.attributes() {
        let aq = text.get(a.range_qname()).unwrap_or_default();
        if a.namespace().is_some() {
            candidates.push(prefix_of(aq).to_string());
        }
    }
    for p in inclusive {
        candidates.push(if p == "#default" { String::new() } else { p.clone() });
    }
    candidates.sort();
    candidates.dedup();
    let mut decls: Vec<(String, String)> = Vec::new();
    for prefix in candidates {
        if prefix == "xml" {
            continue;
        }
        let uri = node.lookup_namespace_uri(if prefix.is_empty() { None } else { Some(prefix.as_str()) });
        let Some(uri) = uri.or(if prefix.is_empty() { Some("") } else { None }) else { continue };
        if in_effect(&prefix) != uri {
            decls.push((prefix, uri.to_string()));
        }
    }
    out.push('<');
    out.push_str(qname);
    for (prefix, uri) in &decls {
        out.push_str(if prefix.is_empty() { " xmlns" } else { " xmlns:" });
        out.push_str(prefix);
        out.push_str("=\"");
        escape_attr(uri, out);
        out.push('"');
    }
    let mut attrs: Vec<_> = node.attributes().collect();
    attrs.sort_by(|a, b| {
        (a.namespace().unwrap_or_default(), a.name()).cmp(&(b.namespace().unwrap_or_default(), b.name()))
    });
    for a in attrs {
        out.push(' ');
        out.push_str(text.get(a.range_qname()).unwrap_or_default());
        out.push_str("=\"");
        escape_attr(a.value(), out);
        out.push('"');
    }
    out.push('>');
    let mut inner: Vec<(String, String)> = rendered.to_vec();
    inner.extend(decls);
    for child in node.children() {
        if Some(child.id()) == exclude {
            continue;
        }
        match child.node_type() {
            roxmltree::NodeType::Element => c14n_element(child, exclude, inclusive, &inner, out),
            roxmltree::NodeType::Text => escape_text(child.text().unwrap_or_default(), out),
            roxmltree::NodeType::PI => {
                if let Some(pi) = child.pi() {
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(v) = pi.value.filter(|v| !v.is_empty()) {
                        out.push(' ');
                        out.push_str(v);
                    }
                    out.push_str("?>");
                }
            }
            _ => {}
        }
    }
    out.push_str("</");
    out.push_str(qname);
    out.push('>');
}

/// Why a document could not be signed.
#[derive(Debug)]
pub struct SignError(pub String);

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SignError {}

/// The marker [`sign_enveloped`] replaces with the signature of the element whose ID is `id`: a comment, which
/// canonicalisation without comments leaves out, placed where the signature goes (after the element's Issuer).
pub fn marker(id: &str) -> String {
    format!("<!--signature:{id}-->")
}

/// A key [`sign_enveloped`] signs with.
#[derive(Clone, Copy)]
pub enum SignKey<'a> {
    /// RSA-SHA256.
    Rsa(&'a RsaPrivateKey),
    /// ECDSA-SHA256 on P-256.
    P256(&'a p256::ecdsa::SigningKey),
}

/// Signs the element of `xml` whose ID is `id` (over exc-c14n, SHA-256 digest, enveloped), putting the Signature
/// (with `certificate_der` in its KeyInfo) where [`marker`]`(id)` is.
pub fn sign_enveloped(xml: &str, id: &str, key: SignKey<'_>, certificate_der: &[u8]) -> Result<String, SignError> {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mark = marker(id);
    if xml.matches(&mark).count() != 1 {
        return Err(SignError(format!("the document must hold the marker {mark} once")));
    }
    let digest = {
        let doc = roxmltree::Document::parse(xml).map_err(|e| SignError(e.to_string()))?;
        let target = doc
            .descendants()
            .find(|n| n.attribute("ID") == Some(id))
            .ok_or_else(|| SignError(format!("no element has ID {id}")))?;
        b64(&Hash::Sha256.digest(canonicalize(target, None, &[]).as_bytes()))
    };
    let method = match key {
        SignKey::Rsa(_) => RSA_SHA256,
        SignKey::P256(_) => ECDSA_SHA256,
    };
    let signed_info = format!(
        r##"<ds:SignedInfo xmlns:ds="{DSIG_NS}"><ds:CanonicalizationMethod Algorithm="{EXC_C14N}"/><ds:SignatureMethod Algorithm="{method}"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="{ENVELOPED}"/><ds:Transform Algorithm="{EXC_C14N}"/></ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"##
    );
    let canonical = {
        let doc = roxmltree::Document::parse(&signed_info).map_err(|e| SignError(e.to_string()))?;
        canonicalize(doc.root_element(), None, &[])
    };
    let hashed = Hash::Sha256.digest(canonical.as_bytes());
    let sig = match key {
        SignKey::Rsa(k) => k.sign(Hash::Sha256.pkcs1(), &hashed).map_err(|e| SignError(e.to_string()))?,
        SignKey::P256(k) => {
            use p256::ecdsa::signature::hazmat::PrehashSigner as _;
            let s: p256::ecdsa::Signature = k.sign_prehash(&hashed).map_err(|e| SignError(e.to_string()))?;
            s.to_bytes().to_vec()
        }
    };
    let inner = signed_info.replacen(&format!(r#"<ds:SignedInfo xmlns:ds="{DSIG_NS}">"#), "<ds:SignedInfo>", 1);
    let signature = format!(
        r#"<ds:Signature xmlns:ds="{DSIG_NS}">{inner}<ds:SignatureValue>{}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"#,
        b64(&sig),
        b64(certificate_der)
    );
    Ok(xml.replacen(&mark, &signature, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap()
    }

    #[test]
    fn canonicalises_as_exc_c14n_does() {
        // Namespaces rendered where visibly used, attributes sorted by namespace URI then name, empty elements
        // opened and closed, comments dropped, text and attribute escapes, superfluous declarations dropped.
        let text = normalize_line_ends(
            "<a:r xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:unused=\"urn:u\" z=\"1\" b:y=\"2\" a:x=\"3\" m=\"&quot;&#9;\">\
             <!-- c --><c xmlns=\"urn:d\"><e/>x &amp; &lt;&gt;\r&#xD;</c><a:f xmlns:a=\"urn:a\"/><?pi v?></a:r>",
        );
        let doc = parse(&text);
        assert_eq!(
            canonicalize(doc.root_element(), None, &[]),
            "<a:r xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" m=\"&quot;&#x9;\" z=\"1\" a:x=\"3\" b:y=\"2\">\
             <c xmlns=\"urn:d\"><e></e>x &amp; &lt;&gt;\n&#xD;</c><a:f></a:f><?pi v?></a:r>"
        );
        // A subtree brings the declarations it uses from its ancestors; an InclusiveNamespaces prefix is rendered.
        let doc = parse("<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><p:s><t q:u=\"1\"/></p:s></r>");
        let s = doc.descendants().find(|n| n.tag_name().name() == "s").unwrap();
        assert_eq!(
            canonicalize(s, None, &[]),
            "<p:s xmlns:p=\"urn:p\"><t xmlns=\"urn:d\" xmlns:q=\"urn:q\" q:u=\"1\"></t></p:s>"
        );
        assert_eq!(
            canonicalize(s, None, &["q".to_string(), "#default".to_string()]),
            "<p:s xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><t q:u=\"1\"></t></p:s>"
        );
        // An unprefixed element under a default namespace that its output parent rendered undeclares it.
        let doc = parse("<r xmlns=\"urn:d\"><s xmlns=\"\"/></r>");
        assert_eq!(canonicalize(doc.root_element(), None, &[]), "<r xmlns=\"urn:d\"><s xmlns=\"\"></s></r>");
    }

    fn key_and_cert() -> (RsaPrivateKey, Vec<u8>) {
        use rsa::pkcs8::EncodePrivateKey as _;
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let pair = rcgen::KeyPair::try_from(pkcs8.as_bytes()).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["idp.test".to_string()]).unwrap().self_signed(&pair).unwrap();
        (key, cert.der().to_vec())
    }

    #[test]
    fn signs_and_verifies_and_refuses_changes() {
        let (key, cert) = key_and_cert();
        let public = certificate_key(&cert).unwrap();
        let xml = format!(
            "<p:R xmlns:p=\"urn:p\" ID=\"r1\"><p:I>me</p:I>{}<p:A xmlns:x=\"urn:x\" x:k=\"v\">text</p:A></p:R>",
            marker("r1")
        );
        let signed = sign_enveloped(&xml, "r1", SignKey::Rsa(&key), &cert).unwrap();
        let doc = parse(&signed);
        let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
        assert_eq!(verify_enveloped(sig, std::slice::from_ref(&public)).unwrap().id(), doc.root_element().id());

        let (other, other_cert) = key_and_cert();
        let _ = other;
        assert_eq!(verify_enveloped(sig, &[certificate_key(&other_cert).unwrap()]), Err(DsigError::BadSignature));

        let changed = signed.replace(">text<", ">texT<");
        let doc = parse(&changed);
        let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
        assert_eq!(verify_enveloped(sig, std::slice::from_ref(&public)), Err(DsigError::DigestMismatch));

        // Whitespace and comments outside what is signed do not matter; a duplicate ID does.
        let wrapped = format!("<w xmlns:y=\"urn:y\"><!-- x -->{signed}</w>");
        let doc = parse(&wrapped);
        let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
        assert!(verify_enveloped(sig, std::slice::from_ref(&public)).is_ok());
        let duplicated = format!("<w>{signed}<o ID=\"r1\"/></w>");
        let doc = parse(&duplicated);
        let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
        assert_eq!(verify_enveloped(sig, &[public]), Err(DsigError::BadReference));
    }

    /// Signatures made by another implementation (Python's signxml over lxml/libxml2, made with
    /// tests/compat's requirements): RSA-SHA256 with a SHA-256 digest, and RSA-SHA1 with a SHA-1 digest.
    #[test]
    fn verifies_signatures_made_by_signxml() {
        let cert = include_bytes!("testdata/signxml-cert.der");
        let public = certificate_key(cert).unwrap();
        for xml in [include_str!("testdata/signxml-sha256.xml"), include_str!("testdata/signxml-sha1.xml")] {
            let doc = parse(xml);
            let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
            assert_eq!(verify_enveloped(sig, std::slice::from_ref(&public)).unwrap().id(), doc.root_element().id());
            let changed = xml.replace("alice &amp; co", "mallory &amp; co");
            let doc = parse(&changed);
            let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
            assert_eq!(verify_enveloped(sig, std::slice::from_ref(&public)), Err(DsigError::DigestMismatch));
        }
    }

    /// ECDSA (P-256, `ecdsa-sha256`, `r || s`): what we sign verifies with the certificate's key, not with an RSA
    /// key's or another curve's, and not once changed.
    #[test]
    fn ecdsa_signatures() {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["idp.test".to_string()]).unwrap().self_signed(&pair).unwrap();
        use p256::pkcs8::DecodePrivateKey as _;
        let key = p256::ecdsa::SigningKey::from_pkcs8_der(&pair.serialize_der()).unwrap();
        let public = certificate_key(cert.der()).unwrap();
        assert!(matches!(public, VerifyKey::P256(_)));
        let xml = format!("<p:R xmlns:p=\"urn:p\" ID=\"r1\"><p:I>me</p:I>{}<p:A>text</p:A></p:R>", marker("r1"));
        let signed = sign_enveloped(&xml, "r1", SignKey::P256(&key), cert.der()).unwrap();
        assert!(signed.contains(ECDSA_SHA256));
        let doc = parse(&signed);
        let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
        assert_eq!(verify_enveloped(sig, std::slice::from_ref(&public)).unwrap().id(), doc.root_element().id());
        let (_, rsa_cert) = key_and_cert();
        let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let p384_cert = rcgen::CertificateParams::new(vec!["x".to_string()]).unwrap().self_signed(&p384).unwrap();
        let others = [certificate_key(&rsa_cert).unwrap(), certificate_key(p384_cert.der()).unwrap()];
        assert!(matches!(others[1], VerifyKey::P384(_)));
        assert_eq!(verify_enveloped(sig, &others), Err(DsigError::BadSignature));
        let changed = signed.replace(">text<", ">texT<");
        let doc = parse(&changed);
        let sig = doc.descendants().find(|n| is_ds(n, "Signature")).unwrap();
        assert_eq!(verify_enveloped(sig, &[public]), Err(DsigError::DigestMismatch));
    }
}
