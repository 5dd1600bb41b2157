//! Fetching an identity provider's documents over HTTPS, trusting its certificate as AWS does: a chain that
//! verifies against the system's (or configured) CA roots, or one whose top certificate has a SHA-1 thumbprint
//! registered with the provider (AWS's rule: the top intermediate CA of the chain, which for a self-signed
//! certificate is the certificate itself). Every fetch has a timeout and a size limit, and follows no redirects.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha1::{Digest, Sha1};

/// How long a fetch may take, and how large a document may be.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The URL is not `https://HOST[:PORT]/PATH`.
    BadUrl,
    /// The server's certificate is trusted neither by the CA roots nor by a registered thumbprint.
    Untrusted,
    /// No connection, a timeout, a status other than 200, or a document too large.
    Unreachable(String),
}

/// The SHA-1 thumbprint of a certificate, as IAM shows it (40 lowercase hex digits).
pub fn thumbprint(der: &[u8]) -> String {
    hex::encode(Sha1::digest(der))
}

/// The CA roots fetches trust: the system's, and any configured.
pub fn roots(extra: &[CertificateDer<'static>]) -> Arc<RootCertStore> {
    let mut store = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = store.add(cert);
    }
    for cert in extra {
        let _ = store.add(cert.clone());
    }
    Arc::new(store)
}

/// GETs `url`, trusting `roots` or a certificate chain topped by one of `thumbprints`.
pub async fn get(url: &str, roots: &Arc<RootCertStore>, thumbprints: &[String]) -> Result<Vec<u8>, FetchError> {
    let uri: hyper::Uri = url.parse().map_err(|_| FetchError::BadUrl)?;
    if uri.scheme_str() != Some("https") || uri.host().is_none() {
        return Err(FetchError::BadUrl);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = ProviderTrust::new(roots.clone(), thumbprints, provider.clone());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Unreachable(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_only().enable_http1().build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Empty<Bytes>>(connector);
    let fetch = async {
        let response = client.get(uri).await.map_err(|e| classify(&e))?;
        if response.status() != hyper::StatusCode::OK {
            return Err(FetchError::Unreachable(format!("HTTP {}", response.status())));
        }
        let body = Limited::new(response.into_body(), MAX_DOCUMENT_BYTES)
            .collect()
            .await
            .map_err(|e| FetchError::Unreachable(e.to_string()))?;
        Ok(body.to_bytes().to_vec())
    };
    tokio::time::timeout(FETCH_TIMEOUT, fetch).await.map_err(|_| FetchError::Unreachable("timed out".into()))?
}

/// A failed certificate check is `Untrusted`; anything else is the network's.
fn classify(e: &hyper_util::client::legacy::Error) -> FetchError {
    if is_certificate_error(e) {
        FetchError::Untrusted
    } else {
        FetchError::Unreachable(e.to_string())
    }
}

/// Whether a rustls certificate error is somewhere inside `e` (the connector wraps it in I/O errors, twice).
fn is_certificate_error(e: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
        return true;
    }
    if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        if is_certificate_error(inner) {
            return true;
        }
    }
    e.source().is_some_and(is_certificate_error)
}

/// The CA roots, or a registered thumbprint of the chain's top certificate.
#[derive(Debug)]
struct ProviderTrust {
    roots: Option<Arc<WebPkiServerVerifier>>,
    thumbprints: Vec<String>,
    provider: Arc<CryptoProvider>,
}

impl ProviderTrust {
    fn new(roots: Arc<RootCertStore>, thumbprints: &[String], provider: Arc<CryptoProvider>) -> Self {
        // With no CA roots at all (a bare container) only thumbprints can vouch for a server.
        let roots = WebPkiServerVerifier::builder_with_provider(roots, provider.clone()).build().ok();
        let thumbprints = thumbprints.iter().map(|t| t.to_ascii_lowercase()).collect();
        Self { roots, thumbprints, provider }
    }
}

impl ServerCertVerifier for ProviderTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let by_roots = self
            .roots
            .as_ref()
            .map(|r| r.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now));
        if let Some(Ok(verified)) = by_roots {
            return Ok(verified);
        }
        let (top, below) = match intermediates.split_last() {
            Some((top, below)) => (top, below),
            None => (end_entity, &[][..]),
        };
        if !self.thumbprints.contains(&thumbprint(top)) {
            return Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer));
        }
        if intermediates.is_empty() {
            // A self-signed certificate registered by its thumbprint: the handshake's signature, which rustls
            // checks with this certificate's key, proves the server holds it.
            return Ok(ServerCertVerified::assertion());
        }
        // The registered top certificate anchors the rest of the chain, which must verify up to it.
        let mut anchor = RootCertStore::empty();
        anchor.add(top.clone().into_owned())?;
        let pinned = WebPkiServerVerifier::builder_with_provider(Arc::new(anchor), self.provider.clone())
            .build()
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))?;
        pinned.verify_server_cert(end_entity, below, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
