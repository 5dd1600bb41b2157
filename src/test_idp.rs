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
