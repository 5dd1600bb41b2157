//! SAML 2.0 authentication responses as AssumeRoleWithSAML receives them (base64 of a `samlp:Response`), checked
//! against a SAML provider: pure (the clock is a parameter, no I/O).
//!
//! What is acted on is decided by structure and signatures, never by a name search: the document must hold exactly
//! one `saml:Assertion` or `saml:EncryptedAssertion` anywhere, as a direct child of the root `samlp:Response`; the
//! Response's own enveloped signature (a direct child of it) and the Assertion's (a direct child of it) are each
//! verified when present, at least one must be, and [`xmldsig::verify_enveloped`] requires each to reference, by an
//! ID no other element has, exactly the element that holds it. So a second Assertion (before, after, or hidden in
//! `Extensions` or a `ds:Object`), or a signature moved onto another element, is refused.
//!
//! An EncryptedAssertion is decrypted ([`xmlenc`]) with the provider's private keys after the Response's signature
//! (if any) is verified, and must hold exactly one Assertion, checked as a plain one is; a provider whose
//! AssertionEncryptionMode is Required refuses plain ones.
//!
//! Then: the Response's Destination, when present, is an accepted audience; the Issuer is the provider's entity id;
//! a bearer `SubjectConfirmationData` is in time and its `Recipient` is an accepted audience; `Conditions` are in
//! time (5 minutes' skew) and every `AudienceRestriction` names an accepted audience; the Response was issued at
//! most 5 minutes ago (AWS's rule: `Token must be redeemed within 5 minutes of issuance`).

use base64::Engine as _;
use roxmltree::Node;

use rsa::RsaPrivateKey;

use crate::federation::xmldsig::{self, DsigError, VerifyKey};
use crate::federation::xmlenc::{self, XmlEncError};

pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The audience and recipient AWS users configure their IdPs with.
pub const AWS_AUDIENCE: &str = "https://signin.aws.amazon.com/saml";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// The model's limit on SAMLAssertion.
pub const MAX_ASSERTION_CHARS: usize = 100_000;
/// Clock skew allowed on NotBefore and NotOnOrAfter, seconds.
pub const SKEW_SECS: i64 = 300;
/// How long after its IssueInstant a response may be redeemed, seconds.
pub const REDEEM_WITHIN_SECS: i64 = 300;

/// What an accepted assertion says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub issuer: String,
    /// The Subject's NameID.
    pub subject: String,
    /// The NameID's Format, if given.
    pub subject_format: Option<String>,
    /// The Recipient of the bearer SubjectConfirmationData that was accepted.
    pub recipient: String,
    /// Attributes by name, with their values in document order (attributes of one name merged).
    pub attributes: Vec<(String, Vec<String>)>,
}

impl Assertion {
    pub fn values(&self, name: &str) -> &[String] {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice()).unwrap_or_default()
    }

    /// The response's SubjectType and `saml:sub_type`: the Format without `urn:oasis:names:tc:SAML:2.0:nameid-format:`
    /// (so `persistent`, `transient`), other formats whole; `unspecified` when there is none.
    pub fn subject_type(&self) -> String {
        let f = self.subject_format.as_deref().unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
        f.strip_prefix("urn:oasis:names:tc:SAML:2.0:nameid-format:").unwrap_or(f).to_string()
    }
}

/// Why a response is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SamlError {
    /// Not a SAML response of the accepted shape (the reason).
    Malformed(String),
    /// No signature, or one that does not verify.
    Signature(String),
    /// The IdP's status is not Success.
    NotSuccess(String),
    /// Issuer, audience or recipient not the expected ones (the reason).
    Rejected(String),
    /// Issued more than 5 minutes ago.
    TooOld,
    /// Past NotOnOrAfter, or before NotBefore (the reason).
    Expired(String),
}

fn is_saml(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ASSERTION_NS)
}

fn is_samlp(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(PROTOCOL_NS)
}

fn child<'a, 'i>(node: Node<'a, 'i>, pred: impl Fn(&Node<'a, 'i>) -> bool) -> Option<Node<'a, 'i>> {
    node.children().find(|c| pred(c))
}

fn text(node: Node<'_, '_>) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect::<String>().trim().to_string()
}

fn time(node: Node<'_, '_>, attr: &str) -> Result<Option<i64>, SamlError> {
    match node.attribute(attr) {
        None => Ok(None),
        Some(v) => gatehouse_wire::Timestamp::parse(v.trim())
            .filter(|_| v.contains('T'))
            .map(|t| Some(t.unix()))
            .ok_or_else(|| SamlError::Malformed(format!("{attr} {v} is not a dateTime"))),
    }
}

/// The one signature that is a direct child of `node`, if any.
fn signature_of<'a, 'i>(node: Node<'a, 'i>) -> Result<Option<Node<'a, 'i>>, SamlError> {
    let mut sigs = node.children().filter(|c| xmldsig::is_ds(c, "Signature"));
    match (sigs.next(), sigs.next()) {
        (one, None) => Ok(one),
        _ => Err(SamlError::Malformed("more than one signature on one element".into())),
    }
}

fn dsig(e: DsigError) -> SamlError {
    SamlError::Signature(e.to_string())
}

/// The keys that decrypt a provider's encrypted assertions (its AddPrivateKey keys), and whether it accepts only
/// encrypted ones (AssertionEncryptionMode Required).
#[derive(Clone, Copy)]
pub struct Decryption<'k> {
    /// Opens the keys. Called only for an EncryptedAssertion, so that a plain one costs no unsealing and no RSA key
    /// parsing.
    pub keys: &'k dyn Fn() -> Vec<RsaPrivateKey>,
    pub required: bool,
}

impl Default for Decryption<'_> {
    /// No keys, plain assertions accepted.
    fn default() -> Self {
        Decryption { keys: &Vec::new, required: false }
    }
}

/// Decodes and checks `b64` against a provider whose metadata names `entity_id` and signing `certificates` (DER),
/// accepting `audiences` as Destination, Audience and Recipient, decrypting with `decryption`, at `now` (seconds).
pub fn verify(
    b64: &str,
    certificates: &[Vec<u8>],
    entity_id: &str,
    audiences: &[String],
    decryption: Decryption<'_>,
    now: i64,
) -> Result<Assertion, SamlError> {
    if b64.len() > MAX_ASSERTION_CHARS {
        return Err(SamlError::Malformed("the assertion is too long".into()));
    }
    let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| SamlError::Malformed("the assertion is not base64".into()))?;
    let xml = String::from_utf8(bytes).map_err(|_| SamlError::Malformed("the assertion is not UTF-8".into()))?;
    let xml = xmldsig::normalize_line_ends(&xml);
    // roxmltree refuses DTDs (so entities) by default.
    let doc = roxmltree::Document::parse(&xml).map_err(|e| SamlError::Malformed(format!("not XML ({e})")))?;
    let response = doc.root_element();
    if xmldsig::depth(response) > xmldsig::MAX_DEPTH {
        return Err(SamlError::Malformed("elements nested too deeply".into()));
    }
    if !is_samlp(&response, "Response") || response.attribute("Version") != Some("2.0") {
        return Err(SamlError::Malformed("the document is not a SAML 2.0 Response".into()));
    }
    let status = child(response, |c| is_samlp(c, "Status"))
        .and_then(|s| child(s, |c| is_samlp(c, "StatusCode")))
        .and_then(|c| c.attribute("Value"));
    if status != Some(SUCCESS) {
        return Err(SamlError::NotSuccess(status.unwrap_or("none").to_string()));
    }
    let mut all = doc.descendants().filter(|n| is_saml(n, "Assertion") || is_saml(n, "EncryptedAssertion"));
    let (Some(held), None) = (all.next(), all.next()) else {
        return Err(SamlError::Malformed("the Response must hold exactly one Assertion".into()));
    };
    if held.parent_element().map(|p| p.id()) != Some(response.id()) {
        return Err(SamlError::Malformed("the Assertion must be a SAML 2.0 Assertion in the Response".into()));
    }

    // The Response's own signature, verified before anything it holds is decrypted.
    let keys: Vec<_> = certificates.iter().filter_map(|c| xmldsig::certificate_key(c)).collect();
    let response_signed = match signature_of(response)? {
        Some(sig) => {
            if xmldsig::verify_enveloped(sig, &keys).map_err(dsig)?.id() != response.id() {
                return Err(SamlError::Signature("a signature covers something else".into()));
            }
            true
        }
        None => false,
    };

    if is_saml(&held, "Assertion") {
        if decryption.required {
            return Err(SamlError::Rejected("the SAML provider accepts only encrypted assertions".into()));
        }
        signed_assertion(held, response_signed, &keys)?;
        return read(response, held, entity_id, audiences, now);
    }

    // An EncryptedAssertion. Its envelope's shape and algorithms are answered in detail (they are in the clear);
    // but unless the Response's signature covers the ciphertext, whatever fails from decryption until the decrypted
    // Assertion's own signature verifies is answered as one signature failure, so that a forger learns nothing
    // about what a ciphertext decrypted to (a padding or format oracle).
    let opaque = |e: SamlError| match e {
        SamlError::Malformed(why) if !response_signed => SamlError::Signature(why),
        e => e,
    };
    let plain = decrypt(held, &(decryption.keys)())?;
    let inner = roxmltree::Document::parse(&plain)
        .map_err(|e| opaque(SamlError::Malformed(format!("the decrypted assertion is not XML ({e})"))))?;
    let wrapper = inner.root_element();
    let mut elements = wrapper.children().filter(|c| c.is_element());
    let (Some(assertion), None) = (elements.next(), elements.next()) else {
        return Err(opaque(SamlError::Malformed("the EncryptedAssertion must hold one Assertion".into())));
    };
    if !is_saml(&assertion, "Assertion")
        || wrapper.children().any(|c| c.is_text() && !c.text().unwrap_or_default().trim().is_empty())
        || assertion.descendants().filter(|n| is_saml(n, "Assertion") || is_saml(n, "EncryptedAssertion")).count() != 1
        || xmldsig::depth(assertion) > xmldsig::MAX_DEPTH
    {
        return Err(opaque(SamlError::Malformed("the EncryptedAssertion must hold one Assertion".into())));
    }
    signed_assertion(assertion, response_signed, &keys).map_err(opaque)?;
    read(response, assertion, entity_id, audiences, now)
}

/// The serialised element an `saml:EncryptedAssertion` holds, decrypted, inside a wrapper element that declares the
/// namespaces in scope where it was (an IdP may have relied on declarations of the Response), without an XML
/// declaration of its own.
fn decrypt(held: Node<'_, '_>, keys: &[RsaPrivateKey]) -> Result<String, SamlError> {
    if keys.is_empty() {
        return Err(SamlError::Rejected("the SAML provider has no private key to decrypt the assertion".into()));
    }
    let data = child(held, |c| xmlenc::is_xenc(c, "EncryptedData"))
        .ok_or_else(|| SamlError::Malformed("the EncryptedAssertion has no EncryptedData".into()))?;
    let siblings: Vec<_> = held.children().filter(|c| xmlenc::is_xenc(c, "EncryptedKey")).collect();
    let plain = xmlenc::decrypt_element(data, &siblings, keys).map_err(|e| match e {
        XmlEncError::Undecryptable => SamlError::Signature(e.to_string()),
        e => SamlError::Malformed(e.to_string()),
    })?;
    // Not UTF-8 says something about the plaintext: answered as a decryption failure.
    let text = std::str::from_utf8(&plain)
        .map_err(|_| SamlError::Signature("the decrypted assertion is not UTF-8".into()))?
        .trim_start_matches('\u{feff}');
    let text = match text.trim_start().strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map(|(_, r)| r).unwrap_or_default(),
        None => text,
    };
    let mut wrapper = String::from("<gatehouse-decrypted");
    for ns in held.namespaces() {
        match ns.name() {
            Some("xml") => continue,
            Some(prefix) => wrapper.push_str(&format!(" xmlns:{prefix}=\"{}\"", attr_escape(ns.uri()))),
            None => wrapper.push_str(&format!(" xmlns=\"{}\"", attr_escape(ns.uri()))),
        }
    }
    wrapper.push('>');
    wrapper.push_str(&xmldsig::normalize_line_ends(text));
    wrapper.push_str("</gatehouse-decrypted>");
    Ok(wrapper)
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
}

/// The Assertion's own signature (a direct child of it) verified when present; it or the Response's must be.
fn signed_assertion(assertion: Node<'_, '_>, response_signed: bool, keys: &[VerifyKey]) -> Result<(), SamlError> {
    if assertion.attribute("Version") != Some("2.0") {
        return Err(SamlError::Malformed("the Assertion must be a SAML 2.0 Assertion in the Response".into()));
    }
    match signature_of(assertion)? {
        Some(sig) => {
            if xmldsig::verify_enveloped(sig, keys).map_err(dsig)?.id() != assertion.id() {
                return Err(SamlError::Signature("a signature covers something else".into()));
            }
            Ok(())
        }
        None if response_signed => Ok(()),
        None => Err(SamlError::Signature("neither the Response nor the Assertion is signed".into())),
    }
}

/// What the signed `assertion` of `response` says, checked.
fn read(
    response: Node<'_, '_>,
    assertion: Node<'_, '_>,
    entity_id: &str,
    audiences: &[String],
    now: i64,
) -> Result<Assertion, SamlError> {
    // Destination, when the IdP names one (SAML's HTTP-POST binding requires it of signed responses).
    if let Some(d) = response.attribute("Destination") {
        if !audiences.iter().any(|a| a == d) {
            return Err(SamlError::Rejected(format!("the Response's Destination {d} is not accepted")));
        }
    }

    // Issuer.
    let issuer = child(assertion, |c| is_saml(c, "Issuer")).map(text).unwrap_or_default();
    if issuer != entity_id {
        return Err(SamlError::Rejected(format!("the Issuer {issuer} is not the provider's entity id")));
    }
    if let Some(outer) = child(response, |c| is_saml(c, "Issuer")).map(text) {
        if outer != entity_id {
            return Err(SamlError::Rejected(format!("the Response's Issuer {outer} is not the provider's entity id")));
        }
    }

    // Issuance, AWS's five minutes.
    for node in [response, assertion] {
        let issued =
            time(node, "IssueInstant")?.ok_or_else(|| SamlError::Malformed("an IssueInstant is missing".into()))?;
        if now - issued > REDEEM_WITHIN_SECS {
            return Err(SamlError::TooOld);
        }
        if issued - now > SKEW_SECS {
            return Err(SamlError::Expired("the response was issued in the future".into()));
        }
    }

    // Conditions.
    if let Some(conditions) = child(assertion, |c| is_saml(c, "Conditions")) {
        if time(conditions, "NotBefore")?.is_some_and(|t| now + SKEW_SECS < t) {
            return Err(SamlError::Expired("the assertion is not valid yet (NotBefore)".into()));
        }
        if time(conditions, "NotOnOrAfter")?.is_some_and(|t| now - SKEW_SECS >= t) {
            return Err(SamlError::Expired("the assertion has expired (NotOnOrAfter)".into()));
        }
        let mut restricted = false;
        for restriction in conditions.children().filter(|c| is_saml(c, "AudienceRestriction")) {
            restricted = true;
            let ok = restriction.children().filter(|c| is_saml(c, "Audience")).any(|a| audiences.contains(&text(a)));
            if !ok {
                return Err(SamlError::Rejected("the assertion's audience is not accepted".into()));
            }
        }
        if !restricted {
            return Err(SamlError::Rejected("the assertion has no AudienceRestriction".into()));
        }
    } else {
        return Err(SamlError::Rejected("the assertion has no Conditions".into()));
    }

    // Subject.
    let subject_node = child(assertion, |c| is_saml(c, "Subject"))
        .ok_or_else(|| SamlError::Malformed("the assertion has no Subject".into()))?;
    let name_id = child(subject_node, |c| is_saml(c, "NameID"))
        .ok_or_else(|| SamlError::Malformed("the Subject has no NameID".into()))?;
    let subject = text(name_id);
    if subject.is_empty() {
        return Err(SamlError::Malformed("the NameID is empty".into()));
    }
    let mut recipient = None;
    let mut why = SamlError::Rejected("the Subject has no bearer SubjectConfirmation".into());
    for confirmation in subject_node.children().filter(|c| is_saml(c, "SubjectConfirmation")) {
        if confirmation.attribute("Method") != Some(BEARER) {
            continue;
        }
        let Some(data) = child(confirmation, |c| is_saml(c, "SubjectConfirmationData")) else { continue };
        let r = data.attribute("Recipient").unwrap_or_default();
        if !audiences.iter().any(|a| a == r) {
            why = SamlError::Rejected(format!("the SubjectConfirmationData Recipient {r} is not accepted"));
            continue;
        }
        if time(data, "NotOnOrAfter")?.is_none_or(|t| now - SKEW_SECS >= t) {
            why = SamlError::Expired("the SubjectConfirmationData has expired (NotOnOrAfter)".into());
            continue;
        }
        if time(data, "NotBefore")?.is_some_and(|t| now + SKEW_SECS < t) {
            why = SamlError::Expired("the SubjectConfirmationData is not valid yet (NotBefore)".into());
            continue;
        }
        recipient = Some(r.to_string());
        break;
    }
    let Some(recipient) = recipient else { return Err(why) };

    // Attributes.
    let mut attributes: Vec<(String, Vec<String>)> = Vec::new();
    for statement in assertion.children().filter(|c| is_saml(c, "AttributeStatement")) {
        for attribute in statement.children().filter(|c| is_saml(c, "Attribute")) {
            let Some(name) = attribute.attribute("Name") else { continue };
            let values: Vec<String> = attribute.children().filter(|c| is_saml(c, "AttributeValue")).map(text).collect();
            match attributes.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) => v.extend(values),
                None => attributes.push((name.to_string(), values)),
            }
        }
    }
    Ok(Assertion {
        issuer,
        subject,
        subject_format: name_id.attribute("Format").map(str::to_string),
        recipient,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn check(xml: &str) -> Result<Assertion, SamlError> {
        verify(&b64(xml), &[], "https://idp", &[AWS_AUDIENCE.to_string()], Decryption::default(), 1_800_000_000)
    }

    #[test]
    fn refuses_what_is_not_a_response_without_trouble() {
        let deep = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
        assert!(matches!(verify(&b64(&deep), &[], "x", &[], Decryption::default(), 0), Err(SamlError::Malformed(_))));
        let nested = format!(
            "<samlp:Response xmlns:samlp=\"{PROTOCOL_NS}\" Version=\"2.0\">{}{}</samlp:Response>",
            "<x>".repeat(10_000),
            "</x>".repeat(10_000)
        );
        assert_eq!(check(&nested), Err(SamlError::Malformed("elements nested too deeply".into())));
        let dtd = "<!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>";
        assert!(matches!(check(dtd), Err(SamlError::Malformed(_))));
        assert!(matches!(verify("not base64!", &[], "x", &[], Decryption::default(), 0), Err(SamlError::Malformed(_))));
        assert!(matches!(
            verify(&"A".repeat(MAX_ASSERTION_CHARS + 1), &[], "x", &[], Decryption::default(), 0),
            Err(SamlError::Malformed(_))
        ));
        let failed = format!(
            "<samlp:Response xmlns:samlp=\"{PROTOCOL_NS}\" Version=\"2.0\"><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\"/></samlp:Status></samlp:Response>"
        );
        assert!(matches!(check(&failed), Err(SamlError::NotSuccess(_))));
        let unsigned = format!(
            "<samlp:Response xmlns:samlp=\"{PROTOCOL_NS}\" Version=\"2.0\"><samlp:Status><samlp:StatusCode Value=\"{SUCCESS}\"/></samlp:Status><saml:Assertion xmlns:saml=\"{ASSERTION_NS}\" Version=\"2.0\" ID=\"a\"/></samlp:Response>"
        );
        assert!(matches!(check(&unsigned), Err(SamlError::Signature(_))));
    }

    #[test]
    fn subject_types_as_aws_reports_them() {
        let mut a = Assertion {
            issuer: String::new(),
            subject: String::new(),
            subject_format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:transient".into()),
            recipient: String::new(),
            attributes: Vec::new(),
        };
        assert_eq!(a.subject_type(), "transient");
        a.subject_format = Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into());
        assert_eq!(a.subject_type(), "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    }
}
