//! SAML 2.0 metadata of an identity provider (OASIS saml-metadata-2.0-os), as CreateSAMLProvider and
//! UpdateSAMLProvider receive it: an `md:EntityDescriptor` (alone, or the one IdP inside an `md:EntitiesDescriptor`)
//! with an `entityID`, an `md:IDPSSODescriptor` that supports the SAML 2.0 protocol, and at least one signing
//! certificate (`md:KeyDescriptor` with `use="signing"` or no `use`, holding `ds:KeyInfo/ds:X509Data/
//! ds:X509Certificate`), each one a well-formed X.509 certificate. Pure: no I/O, no clock. AssumeRoleWithSAML
//! reuses [`parse`] and the certificates it returns to verify assertions.
//!
//! The XML parser refuses DTDs (so no entity expansion) and the document size is bounded by the model (10 MB).

use base64::Engine as _;
use x509_cert::der::Decode as _;

/// The metadata namespace.
pub const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// XML Signature's namespace, where KeyInfo lives.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The protocol an IdP's `protocolSupportEnumeration` must name.
pub const SAML2_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

/// What a SAML provider keeps from its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    /// The IdP's `entityID`: the Issuer its assertions carry.
    pub entity_id: String,
    /// The `validUntil` of the entity (or of the descriptor list around it), in seconds since the epoch.
    pub valid_until: Option<i64>,
    /// The IdP's signing certificates, DER, in document order (duplicates dropped).
    pub signing_certificates: Vec<Vec<u8>>,
}

/// Why a document is not usable IdP metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataError {
    /// Not well-formed XML (or it has a DTD).
    Xml(String),
    /// The root is neither an EntityDescriptor nor an EntitiesDescriptor holding exactly one IdP.
    NotEntityDescriptor,
    NoEntityId,
    /// No IDPSSODescriptor that supports the SAML 2.0 protocol.
    NoIdpDescriptor,
    NoSigningCertificate,
    /// A signing certificate that is not base64 DER of an X.509 certificate.
    BadCertificate(String),
    /// A `validUntil` that is not an xs:dateTime.
    BadValidUntil(String),
}

impl std::fmt::Display for MetadataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Xml(e) => write!(f, "the document is not well-formed XML ({e})"),
            Self::NotEntityDescriptor => {
                f.write_str("the document is not a SAML 2.0 EntityDescriptor of one identity provider")
            }
            Self::NoEntityId => f.write_str("the EntityDescriptor has no entityID"),
            Self::NoIdpDescriptor => {
                f.write_str("the EntityDescriptor has no IDPSSODescriptor for the SAML 2.0 protocol")
            }
            Self::NoSigningCertificate => f.write_str("the IDPSSODescriptor has no signing certificate"),
            Self::BadCertificate(e) => write!(f, "a signing certificate is not a valid X.509 certificate ({e})"),
            Self::BadValidUntil(v) => write!(f, "validUntil {v} is not a valid dateTime"),
        }
    }
}

impl std::error::Error for MetadataError {}

type Node<'a, 'input> = roxmltree::Node<'a, 'input>;

fn is_md(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(METADATA_NS)
}

fn is_ds(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(DSIG_NS)
}

/// The IDPSSODescriptor of an entity that supports SAML 2.0, if it has one.
fn idp_descriptor<'a, 'input>(entity: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    entity.children().find(|c| {
        is_md(c, "IDPSSODescriptor")
            && c.attribute("protocolSupportEnumeration")
                .is_some_and(|p| p.split_ascii_whitespace().any(|uri| uri == SAML2_PROTOCOL))
    })
}

fn valid_until(node: Node<'_, '_>) -> Result<Option<i64>, MetadataError> {
    match node.attribute("validUntil") {
        None => Ok(None),
        Some(v) => gatehouse_wire::Timestamp::parse(v.trim())
            .filter(|_| !v.trim().chars().all(|c| c.is_ascii_digit()))
            .map(|t| Some(t.unix()))
            .ok_or_else(|| MetadataError::BadValidUntil(v.to_string())),
    }
}

/// Parses and checks IdP metadata.
pub fn parse(text: &str) -> Result<IdpMetadata, MetadataError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| MetadataError::Xml(e.to_string()))?;
    let root = doc.root_element();
    let (entity, outer_valid_until) = if is_md(&root, "EntityDescriptor") {
        (root, None)
    } else if is_md(&root, "EntitiesDescriptor") {
        let mut idps = root.descendants().filter(|n| is_md(n, "EntityDescriptor") && idp_descriptor(*n).is_some());
        match (idps.next(), idps.next()) {
            (Some(one), None) => (one, valid_until(root)?),
            _ => return Err(MetadataError::NotEntityDescriptor),
        }
    } else {
        return Err(MetadataError::NotEntityDescriptor);
    };
    let entity_id = entity.attribute("entityID").map(str::trim).filter(|id| !id.is_empty());
    let entity_id = entity_id.ok_or(MetadataError::NoEntityId)?.to_string();
    let idp = idp_descriptor(entity).ok_or(MetadataError::NoIdpDescriptor)?;

    let mut signing_certificates: Vec<Vec<u8>> = Vec::new();
    let signing_keys = idp
        .children()
        .filter(|k| is_md(k, "KeyDescriptor") && k.attribute("use").is_none_or(|u| u.trim() == "signing"));
    for key in signing_keys {
        for cert in key.descendants().filter(|n| is_ds(n, "X509Certificate")) {
            let b64: String = cert.text().unwrap_or_default().chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| MetadataError::BadCertificate(e.to_string()))?;
            x509_cert::Certificate::from_der(&der).map_err(|e| MetadataError::BadCertificate(e.to_string()))?;
            if !signing_certificates.contains(&der) {
                signing_certificates.push(der);
            }
        }
    }
    if signing_certificates.is_empty() {
        return Err(MetadataError::NoSigningCertificate);
    }
    // The entity's own validUntil, else its list's; when both are given the earlier one binds.
    let valid_until = match (valid_until(entity)?, outer_valid_until) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Ok(IdpMetadata { entity_id, valid_until, signing_certificates })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate_b64() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert =
            rcgen::CertificateParams::new(vec!["idp.example.com".to_string()]).unwrap().self_signed(&key).unwrap();
        base64::engine::general_purpose::STANDARD.encode(cert.der())
    }

    fn metadata(entity_attrs: &str, idp_attrs: &str, keys: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" {entity_attrs}>
  <md:IDPSSODescriptor {idp_attrs}>
    {keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    fn key(use_attr: &str, b64: &str) -> String {
        format!(
            r#"<md:KeyDescriptor {use_attr}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
<ds:X509Certificate>
{b64}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
        )
    }

    const ENTITY: &str = r#"entityID="https://idp.example.com/metadata""#;
    const SAML2: &str = r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol""#;

    #[test]
    fn reads_entity_id_validity_and_signing_certificates() {
        let (a, b) = (certificate_b64(), certificate_b64());
        let keys = [key(r#"use="signing""#, &a), key("", &b), key(r#"use="encryption""#, &certificate_b64())];
        let attrs = format!(r#"{ENTITY} validUntil="2030-01-02T03:04:05Z""#);
        let m = parse(&metadata(&attrs, SAML2, &keys.concat())).unwrap();
        assert_eq!(m.entity_id, "https://idp.example.com/metadata");
        assert_eq!(m.valid_until, Some(1_893_553_445));
        let decode = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
        assert_eq!(m.signing_certificates, vec![decode(&a), decode(&b)]);
    }

    #[test]
    fn refuses_what_is_not_idp_metadata() {
        let good = key(r#"use="signing""#, &certificate_b64());
        assert!(matches!(parse("<not xml"), Err(MetadataError::Xml(_))));
        let dtd = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", metadata(ENTITY, SAML2, &good));
        assert!(matches!(parse(&dtd.replace("<?xml version=\"1.0\"?>", "")), Err(MetadataError::Xml(_))));
        assert_eq!(parse("<EntityDescriptor entityID=\"x\"/>"), Err(MetadataError::NotEntityDescriptor));
        assert_eq!(parse(&metadata("", SAML2, &good)), Err(MetadataError::NoEntityId));
        let saml1 = r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol""#;
        assert_eq!(parse(&metadata(ENTITY, saml1, &good)), Err(MetadataError::NoIdpDescriptor));
        assert_eq!(parse(&metadata(ENTITY, SAML2, "")), Err(MetadataError::NoSigningCertificate));
        let encryption_only = key(r#"use="encryption""#, &certificate_b64());
        assert_eq!(parse(&metadata(ENTITY, SAML2, &encryption_only)), Err(MetadataError::NoSigningCertificate));
        let not_a_cert = key("", "aGVsbG8gd29ybGQ=");
        assert!(matches!(parse(&metadata(ENTITY, SAML2, &not_a_cert)), Err(MetadataError::BadCertificate(_))));
        let not_b64 = key("", "***");
        assert!(matches!(parse(&metadata(ENTITY, SAML2, &not_b64)), Err(MetadataError::BadCertificate(_))));
        let attrs = format!(r#"{ENTITY} validUntil="next tuesday""#);
        assert!(matches!(parse(&metadata(&attrs, SAML2, &good)), Err(MetadataError::BadValidUntil(_))));
    }

    #[test]
    fn takes_the_one_idp_of_an_entities_descriptor() {
        let inner = metadata(ENTITY, SAML2, &key("", &certificate_b64())).replace("<?xml version=\"1.0\"?>", "");
        let doc = format!(
            r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" validUntil="2031-01-01T00:00:00Z">{inner}</md:EntitiesDescriptor>"#
        );
        let m = parse(&doc).unwrap();
        assert_eq!((m.entity_id.as_str(), m.valid_until), ("https://idp.example.com/metadata", Some(1_924_992_000)));
        let two = format!(
            r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">{inner}{inner}</md:EntitiesDescriptor>"#
        );
        assert_eq!(parse(&two), Err(MetadataError::NotEntityDescriptor));
    }
}
