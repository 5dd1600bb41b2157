//! Outbound web identity federation: the keys Gatehouse signs GetWebIdentityToken's JWTs with, and the issuer
//! endpoints relying parties verify them through (`/ISSUER_ID/.well-known/openid-configuration` and
//! `/ISSUER_ID/.well-known/jwks.json`, served on a listener of their own, unauthenticated, as any OIDC issuer's).
//!
//! Each account has its own keys, one per algorithm (RS256, ES384), sealed at rest under the master key. A key
//! signs for `ROTATE_AFTER`, then a new one is made; the old one stays in the JWKS for `PUBLISHED_FOR` in all,
//! far longer than the longest token (an hour), so a token always verifies for as long as it lives.

use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;
use zeroize::Zeroizing;

use crate::crypto::Keyring;
use crate::ids::Randomness;
use crate::state::State;
use crate::store::outbound::{self, SigningKeyRow};

const DAY_MS: i64 = 86_400_000;
/// How long a key signs before the next one is made.
pub const ROTATE_AFTER_MS: i64 = 7 * DAY_MS;
/// How long a key is published (and kept) from its creation: its signing time and a day of overlap.
pub const PUBLISHED_FOR_MS: i64 = ROTATE_AFTER_MS + DAY_MS;

/// The algorithms GetWebIdentityToken signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlg {
    Rs256,
    Es384,
}

impl SigningAlg {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(Self::Rs256),
            "ES384" => Some(Self::Es384),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es384 => "ES384",
        }
    }

    fn jwt(self) -> Algorithm {
        match self {
            Self::Rs256 => Algorithm::RS256,
            Self::Es384 => Algorithm::ES384,
        }
    }
}

/// A new private key: PKCS#1 DER for RSA (2048 bits), PKCS#8 DER for P-384.
pub fn generate(alg: SigningAlg) -> Result<Zeroizing<Vec<u8>>, String> {
    match alg {
        SigningAlg::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey as _;
            let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
            let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
            Ok(Zeroizing::new(der.as_bytes().to_vec()))
        }
        SigningAlg::Es384 => {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).map_err(|e| e.to_string())?;
            Ok(Zeroizing::new(pair.serialize_der()))
        }
    }
}

fn encoding_key(alg: SigningAlg, der: &[u8]) -> EncodingKey {
    match alg {
        SigningAlg::Rs256 => EncodingKey::from_rsa_der(der),
        SigningAlg::Es384 => EncodingKey::from_ec_der(der),
    }
}

/// What a signing key's sealed bytes are bound to: the account, the key id and the algorithm.
fn binding(account: &str, key_id: &str, alg: &str) -> Vec<u8> {
    format!("gatehouse outbound signing key v1\0{account}\0{key_id}\0{alg}").into_bytes()
}

/// A new signing key of `account`, sealed, ready to be stored.
pub fn new_key(
    keyring: &Keyring,
    rng: &dyn Randomness,
    account: &str,
    alg: SigningAlg,
    now: i64,
) -> Result<SigningKeyRow, String> {
    let der = generate(alg)?;
    let key_id = uuid::Builder::from_random_bytes({
        let mut b = [0u8; 16];
        rng.fill(&mut b);
        b
    })
    .into_uuid()
    .simple()
    .to_string();
    let (master_key_id, sealed) =
        keyring.seal(rng, &der, &binding(account, &key_id, alg.as_str())).map_err(|e| e.to_string())?;
    Ok(SigningKeyRow {
        key_id,
        account_id: account.to_string(),
        algorithm: alg.as_str().to_string(),
        key_sealed: sealed,
        master_key_id,
        created_at: now,
    })
}

/// The key to sign with and its public JWK, from a stored row.
pub struct OpenKey {
    pub kid: String,
    pub alg: SigningAlg,
    key: EncodingKey,
}

impl OpenKey {
    pub fn open(keyring: &Keyring, row: &SigningKeyRow) -> Result<Self, String> {
        let alg = SigningAlg::parse(&row.algorithm).ok_or_else(|| format!("unknown algorithm {}", row.algorithm))?;
        let der = keyring
            .open(&row.master_key_id, &row.key_sealed, &binding(&row.account_id, &row.key_id, &row.algorithm))
            .map_err(|e| e.to_string())?;
        Ok(Self { kid: row.key_id.clone(), alg, key: encoding_key(alg, &der) })
    }

    pub fn sign(&self, claims: &serde_json::Value) -> Result<String, String> {
        let mut header = jsonwebtoken::Header::new(self.alg.jwt());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| e.to_string())
    }

    pub fn public_jwk(&self) -> Result<Jwk, String> {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg.jwt()).map_err(|e| e.to_string())?;
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(match self.alg {
            SigningAlg::Rs256 => KeyAlgorithm::RS256,
            SigningAlg::Es384 => KeyAlgorithm::ES384,
        });
        Ok(jwk)
    }
}

/// An account's issuer URL: the configured public base and the account's issuer id.
pub fn issuer_url(base: &str, issuer_id: &str) -> String {
    format!("{}/{issuer_id}", base.trim_end_matches('/'))
}

/// Serves the issuer endpoints on `listener` until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(respond(&state, &req).await) }
            });
            let io = hyper_util::rt::TokioIo::new(tcp);
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
    }
}

async fn respond(state: &State, req: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r.headers_mut()
            .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
        r
    };
    let not_found = || reply(StatusCode::NOT_FOUND, json!({"error": "not found"}).to_string());
    if req.method() != hyper::Method::GET {
        return not_found();
    }
    let path = req.uri().path().trim_start_matches('/');
    let Some((issuer_id, document)) = path.split_once('/') else { return not_found() };
    let valid_id = !issuer_id.is_empty() && issuer_id.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid_id || !matches!(document, ".well-known/openid-configuration" | ".well-known/jwks.json") {
        return not_found();
    }
    let result = async {
        let mut conn = state.store.pool().acquire().await?;
        let Some(row) = outbound::by_issuer(&mut conn, issuer_id).await? else { return Ok(None) };
        let url = issuer_url(&state.issuer_base, &row.issuer_id);
        if document == ".well-known/openid-configuration" {
            return Ok(Some(
                json!({
                    "issuer": url,
                    "jwks_uri": format!("{url}/.well-known/jwks.json"),
                    "response_types_supported": ["id_token"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256", "ES384"],
                })
                .to_string(),
            ));
        }
        let since = state.clock.now_millis() - PUBLISHED_FOR_MS;
        let rows = outbound::keys_since(&mut conn, &row.account_id, since).await?;
        let keys =
            rows.iter().filter_map(|r| OpenKey::open(&state.keyring, r).and_then(|k| k.public_jwk()).ok()).collect();
        Ok::<_, crate::store::StoreError>(Some(serde_json::to_string(&JwkSet { keys }).unwrap_or_default()))
    }
    .await;
    match result {
        Ok(Some(body)) => reply(StatusCode::OK, body),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::warn!(error = %e, "the issuer endpoints could not read the store");
            reply(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "unavailable"}).to_string())
        }
    }
}
