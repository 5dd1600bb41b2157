//! A test identity provider for people's CI (and this project's tests): an OpenID Connect issuer over HTTPS on
//! loopback, with a freshly generated self-signed certificate (register its thumbprint with
//! CreateOpenIDConnectProvider), a discovery document, a JWKS with an ES256 and an ES384 key, and token minting
//! with chosen claims. `gatehouse test-idp oidc` runs it and prints what to register.
//!
//! Endpoints: `GET /.well-known/openid-configuration`, `GET /jwks`, and `GET /token?sub=S&aud=A[&ttl=SECONDS]
//! [&alg=ES256|ES384]` (any other query parameter becomes a string claim), which answers the signed token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;

pub use crate::federation::xmlenc::ContentCipher;

/// One signing key of the issuer.
struct SigningKey {
    kid: String,
    alg: Algorithm,
    key: EncodingKey,
}

struct Issuer {
    url: String,
    keys: Vec<SigningKey>,
    jwks: JwkSet,
}

/// A running test OIDC issuer.
pub struct OidcIssuer {
    issuer: Arc<Issuer>,
    thumbprint: String,
    certificate_pem: String,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Debug)]
pub struct IdpError(pub String);

impl std::fmt::Display for IdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IdpError {}

fn err(e: impl std::fmt::Display) -> IdpError {
    IdpError(e.to_string())
}

impl OidcIssuer {
    /// Starts an issuer on `listen` (port 0 for any); its URL is `https://localhost:PORT`.
    pub async fn start(listen: SocketAddr) -> Result<Self, IdpError> {
        let listener = TcpListener::bind(listen).await.map_err(err)?;
        let port = listener.local_addr().map_err(err)?.port();
        let url = format!("https://localhost:{port}");

        let tls_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
        let params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).map_err(err)?;
        let cert = params.self_signed(&tls_key).map_err(err)?;
        let thumbprint = crate::federation::https::thumbprint(cert.der());
        let certificate_pem = cert.pem();
        let chain = vec![CertificateDer::from(cert.der().to_vec())];
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(tls_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(err)?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(err)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));

        let mut keys = Vec::new();
        let mut jwks = Vec::new();
        for (n, (alg, curve)) in
            [(Algorithm::ES256, &rcgen::PKCS_ECDSA_P256_SHA256), (Algorithm::ES384, &rcgen::PKCS_ECDSA_P384_SHA384)]
                .into_iter()
                .enumerate()
        {
            let pair = rcgen::KeyPair::generate_for(curve).map_err(err)?;
            let key = EncodingKey::from_ec_der(&pair.serialize_der());
            let mut jwk = Jwk::from_encoding_key(&key, alg).map_err(err)?;
            let kid = format!("gatehouse-test-{}", n + 1);
            jwk.common.key_id = Some(kid.clone());
            jwk.common.public_key_use = Some(PublicKeyUse::Signature);
            jwk.common.key_algorithm =
                Some(if alg == Algorithm::ES256 { KeyAlgorithm::ES256 } else { KeyAlgorithm::ES384 });
            jwks.push(jwk);
            keys.push(SigningKey { kid, alg, key });
        }
        let issuer = Arc::new(Issuer { url, keys, jwks: JwkSet { keys: jwks } });

        let served = issuer.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let acceptor = acceptor.clone();
                let issuer = served.clone();
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(tcp).await else { return };
                    let service = hyper::service::service_fn(move |req| {
                        let issuer = issuer.clone();
                        async move { Ok::<_, std::convert::Infallible>(respond(&issuer, &req)) }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
        Ok(Self { issuer, thumbprint, certificate_pem, task })
    }

    /// `https://localhost:PORT`: the `iss` of its tokens, and the URL to register.
    pub fn url(&self) -> &str {
        &self.issuer.url
    }

    /// The SHA-1 thumbprint of its certificate, for CreateOpenIDConnectProvider's ThumbprintList.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// Its certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// Its public keys.
    pub fn jwks(&self) -> &JwkSet {
        &self.issuer.jwks
    }

    /// A token with `claims` (`iss` is the issuer's unless given; `iat` now, `exp` in an hour unless given), signed
    /// with the key of `alg` (ES256 or ES384).
    pub fn mint(&self, claims: Value, alg: Algorithm) -> Result<String, IdpError> {
        mint(&self.issuer, claims, alg)
    }
}

impl Drop for OidcIssuer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn mint(issuer: &Issuer, claims: Value, alg: Algorithm) -> Result<String, IdpError> {
    let key = issuer.keys.iter().find(|k| k.alg == alg).ok_or_else(|| IdpError(format!("no {alg:?} key")))?;
    let now = unix_now();
    let mut full = Map::new();
    full.insert("iss".into(), json!(issuer.url));
    full.insert("iat".into(), json!(now));
    full.insert("exp".into(), json!(now + 3600));
    if let Value::Object(given) = claims {
        full.extend(given);
    }
    let mut header = Header::new(alg);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, &Value::Object(full), &key.key).map_err(err)
}

fn respond(issuer: &Issuer, req: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r.headers_mut()
            .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
        r
    };
    match req.uri().path() {
        "/.well-known/openid-configuration" => reply(
            StatusCode::OK,
            json!({
                "issuer": issuer.url,
                "jwks_uri": format!("{}/jwks", issuer.url),
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["ES256", "ES384"],
            })
            .to_string(),
        ),
        "/jwks" => reply(StatusCode::OK, serde_json::to_string(&issuer.jwks).unwrap_or_default()),
        "/token" => {
            let query: HashMap<String, String> = req
                .uri()
                .query()
                .map(|q| {
                    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
                })
                .unwrap_or_default();
            let alg =
                if query.get("alg").map(String::as_str) == Some("ES384") { Algorithm::ES384 } else { Algorithm::ES256 };
            let mut claims = Map::new();
            for (k, v) in &query {
                match k.as_str() {
                    "alg" => {}
                    "ttl" => {
                        let ttl: u64 = v.parse().unwrap_or(3600);
                        claims.insert("exp".into(), json!(unix_now() + ttl));
                    }
                    _ => {
                        claims.insert(k.clone(), json!(v));
                    }
                }
            }
            match mint(issuer, Value::Object(claims), alg) {
                Ok(t) => reply(StatusCode::OK, t),
                Err(e) => reply(StatusCode::BAD_REQUEST, json!({ "error": e.0 }).to_string()),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, json!({ "error": "not found" }).to_string()),
    }
}

/// The test IdP runs on the machine's clock, as a real identity provider would.
fn unix_now() -> u64 {
    use crate::clock::Clock as _;
    u64::try_from(crate::clock::SystemClock.now_millis() / 1000).unwrap_or(0)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// A test SAML 2.0 identity provider: an RSA-2048 key with a self-signed certificate, IdP metadata to register
/// with CreateSAMLProvider, and signed `samlp:Response`s for AssumeRoleWithSAML (XML-DSig enveloped signatures,
/// RSA-SHA256 over exclusive canonicalisation, made by [`crate::federation::xmldsig::sign_enveloped`]).
pub struct SamlIdp {
    entity_id: String,
    key: rsa::RsaPrivateKey,
    certificate_der: Vec<u8>,
}

/// What a test response asserts. [`SamlAssertion::new`] fills in what AWS expects; change fields for the rest.
#[derive(Debug, Clone)]
pub struct SamlAssertion {
    pub subject: String,
    /// The NameID Format (`urn:oasis:names:tc:SAML:2.0:nameid-format:persistent` by default).
    pub subject_format: String,
    /// `https://aws.amazon.com/SAML/Attributes/Role` values, each `ROLE_ARN,PROVIDER_ARN`.
    pub roles: Vec<String>,
    /// The RoleSessionName attribute (left out when `None`).
    pub session_name: Option<String>,
    /// Further attributes: name and values.
    pub attributes: Vec<(String, Vec<String>)>,
    pub audience: String,
    pub recipient: String,
    /// Issue instant, seconds since the epoch (now when `None`).
    pub issued_at: Option<i64>,
    /// How long the Conditions and SubjectConfirmationData last, seconds.
    pub lifetime_secs: i64,
    pub sign_assertion: bool,
    pub sign_response: bool,
    /// Encrypt the assertion (an EncryptedAssertion) for this key: the public half of the key the SAML provider was
    /// given with AddPrivateKey.
    pub encrypt_for: Option<rsa::RsaPublicKey>,
    /// The content cipher when encrypting.
    pub cipher: ContentCipher,
}

impl SamlAssertion {
    pub fn new(subject: &str, role_arn: &str, provider_arn: &str, session_name: &str) -> Self {
        Self {
            subject: subject.to_string(),
            subject_format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into(),
            roles: vec![format!("{role_arn},{provider_arn}")],
            session_name: Some(session_name.to_string()),
            attributes: Vec::new(),
            audience: crate::domain::saml_assertions::AWS_AUDIENCE.into(),
            recipient: crate::domain::saml_assertions::AWS_AUDIENCE.into(),
            issued_at: None,
            lifetime_secs: 300,
            sign_assertion: true,
            sign_response: false,
            encrypt_for: None,
            cipher: ContentCipher::Aes256Gcm,
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, name: &str, values: &[&str]) -> Self {
        self.attributes.push((name.to_string(), values.iter().map(|v| v.to_string()).collect()));
        self
    }
}

/// The RSA public key a PEM file holds, for encrypting assertions: a `CERTIFICATE`, a `PUBLIC KEY`, or the RSA
/// private key itself (the file given to AddPrivateKey).
pub fn encryption_key_from_pem(pem: &str) -> Result<rsa::RsaPublicKey, IdpError> {
    use rsa::pkcs8::DecodePublicKey as _;
    if let Some(key) = crate::federation::xmlenc::rsa_private_key(pem) {
        return Ok(key.to_public_key());
    }
    let text = format!("{}\n", pem.trim());
    let (label, der) = pem_rfc7468::decode_vec(text.as_bytes()).map_err(err)?;
    match label {
        "PUBLIC KEY" => rsa::RsaPublicKey::from_public_key_der(&der).map_err(err),
        "CERTIFICATE" => crate::federation::xmldsig::rsa_key(&der)
            .ok_or_else(|| IdpError("the certificate does not hold an RSA public key".into())),
        other => Err(IdpError(format!("a PEM {other} is not an RSA certificate, public key or private key"))),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn saml_time(secs: i64) -> String {
    gatehouse_wire::Timestamp::from_unix(secs).to_iso8601()
}

impl SamlIdp {
    /// A provider whose entity id (the Issuer of its assertions) is `entity_id`, with a fresh key.
    pub fn new(entity_id: &str) -> Result<Self, IdpError> {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(err)?;
        Self::with_key(entity_id, key)
    }

    /// A provider with the RSA key of a PKCS#8 PEM document (as [`Self::key_pem`] writes it).
    pub fn from_key_pem(entity_id: &str, pem: &str) -> Result<Self, IdpError> {
        use rsa::pkcs8::DecodePrivateKey as _;
        Self::with_key(entity_id, rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(err)?)
    }

    /// Its private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> Result<String, IdpError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        Ok(self.key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).map_err(err)?.to_string())
    }

    fn with_key(entity_id: &str, key: rsa::RsaPrivateKey) -> Result<Self, IdpError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let pkcs8 = key.to_pkcs8_der().map_err(err)?;
        let pair = rcgen::KeyPair::try_from(pkcs8.as_bytes()).map_err(err)?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        params.distinguished_name.push(rcgen::DnType::CommonName, "Gatehouse test SAML IdP");
        let cert = params.self_signed(&pair).map_err(err)?;
        Ok(Self { entity_id: entity_id.to_string(), key, certificate_der: cert.der().to_vec() })
    }

    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The signing certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// SAML 2.0 IdP metadata naming the entity id and the signing certificate.
    pub fn metadata(&self) -> String {
        use base64::Engine as _;
        let cert = base64::engine::general_purpose::STANDARD.encode(&self.certificate_der);
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#,
            xml_escape(&self.entity_id),
            xml_escape(self.entity_id.trim_end_matches('/'))
        )
    }

    /// The signed Response, base64, as AssumeRoleWithSAML's SAMLAssertion.
    pub fn response(&self, a: &SamlAssertion) -> Result<String, IdpError> {
        use base64::Engine as _;
        Ok(base64::engine::general_purpose::STANDARD.encode(self.response_xml(a)?))
    }

    /// The signed Response, XML.
    pub fn response_xml(&self, a: &SamlAssertion) -> Result<String, IdpError> {
        use crate::federation::xmldsig::{marker, sign_enveloped, SignKey};
        let now = a.issued_at.unwrap_or_else(|| i64::try_from(unix_now()).unwrap_or(0));
        let (issued, until) = (saml_time(now), saml_time(now + a.lifetime_secs));
        let response_id = format!("_r{}", uuid::Uuid::new_v4().simple());
        let assertion_id = format!("_a{}", uuid::Uuid::new_v4().simple());
        let issuer = xml_escape(&self.entity_id);
        let mut attributes = Vec::new();
        if !a.roles.is_empty() {
            attributes.push(("https://aws.amazon.com/SAML/Attributes/Role".to_string(), a.roles.clone()));
        }
        if let Some(name) = &a.session_name {
            attributes.push(("https://aws.amazon.com/SAML/Attributes/RoleSessionName".to_string(), vec![name.clone()]));
        }
        attributes.extend(a.attributes.iter().cloned());
        let attributes: String = attributes
            .iter()
            .map(|(name, values)| {
                let values: String = values
                    .iter()
                    .map(|v| {
                        format!(r#"<saml:AttributeValue xsi:type="xs:string">{}</saml:AttributeValue>"#, xml_escape(v))
                    })
                    .collect();
                format!(r#"<saml:Attribute Name="{}">{values}</saml:Attribute>"#, xml_escape(name))
            })
            .collect();
        let assertion = format!(
            r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{assertion_id}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{issuer}</saml:Issuer>{}<saml:Subject><saml:NameID Format="{}">{}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{issued}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion>"#,
            if a.sign_assertion { marker(&assertion_id) } else { String::new() },
            xml_escape(&a.subject_format),
            xml_escape(&a.subject),
            xml_escape(&a.recipient),
            xml_escape(&a.audience),
        );
        // An encrypted assertion is signed on its own, then encrypted (exclusive canonicalisation makes its
        // signature independent of where it is put).
        let assertion = match &a.encrypt_for {
            Some(recipient) => {
                let signed = if a.sign_assertion {
                    sign_enveloped(&assertion, &assertion_id, SignKey::Rsa(&self.key), &self.certificate_der)
                        .map_err(err)?
                } else {
                    assertion
                };
                let data = crate::federation::xmlenc::encrypt_element(&signed, recipient, a.cipher).map_err(err)?;
                format!(
                    r#"<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{data}</saml:EncryptedAssertion>"#
                )
            }
            None => assertion,
        };
        let mut xml = format!(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="{response_id}" Version="2.0" IssueInstant="{issued}" Destination="{}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{issuer}</saml:Issuer>{}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{assertion}</samlp:Response>"#,
            xml_escape(&a.recipient),
            if a.sign_response { marker(&response_id) } else { String::new() },
        );
        if a.sign_assertion && a.encrypt_for.is_none() {
            xml = sign_enveloped(&xml, &assertion_id, SignKey::Rsa(&self.key), &self.certificate_der).map_err(err)?;
        }
        if a.sign_response {
            xml = sign_enveloped(&xml, &response_id, SignKey::Rsa(&self.key), &self.certificate_der).map_err(err)?;
        }
        Ok(xml)
    }
}
