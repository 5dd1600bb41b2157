//! The signing keys of OpenID Connect issuers: found the standard way (the issuer's discovery document at
//! `/.well-known/openid-configuration` names its `jwks_uri`), fetched over HTTPS with the provider's trust
//! (`https`), and cached; or configured for an issuer that Gatehouse cannot reach (offline installs).
//! Verification itself is `jsonwebtoken`'s, with the algorithms AWS accepts from identity providers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use rustls::RootCertStore;
use serde_json::{Map, Value};

use super::https::{self, FetchError};

/// Fetched keys are kept this long; a token naming a key id the set lacks refreshes it, at most this often.
const KEYS_TTL: Duration = Duration::from_secs(3600);
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(30);

/// Asymmetric signatures only: a symmetric (`HS*`) or unsigned (`none`) token could be made by anyone who knows
/// the audience.
const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The issuer's certificate matched neither the CA roots nor a registered thumbprint.
    Untrusted,
    /// The discovery document or key set could not be fetched, or is not what it should be.
    Unreachable(String),
}

/// A token whose header and claims were read, not yet verified.
#[derive(Debug)]
pub struct Unverified {
    pub header: Header,
    pub claims: Map<String, Value>,
}

/// Reads a compact JWS (`header.payload.signature`) without trusting it; `None` if it is not one.
pub fn peek(token: &str) -> Option<Unverified> {
    use base64::Engine as _;
    let header = jsonwebtoken::decode_header(token).ok()?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(Unverified { header, claims }),
        _ => None,
    }
}

/// Whether `token` is signed by a key of `keys` (the one its `kid` names, or any when it names none), with an
/// algorithm AWS accepts and the key allows. Times and audiences are the caller's to check (with its clock).
pub fn signature_valid(token: &str, header: &Header, keys: &JwkSet) -> bool {
    if !ALGORITHMS.contains(&header.alg) {
        return false;
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let candidates = keys.keys.iter().filter(|k| match (&header.kid, &k.common.key_id) {
        (Some(want), Some(have)) => want == have,
        (Some(_), None) => false,
        (None, _) => true,
    });
    candidates
        .filter_map(|jwk| DecodingKey::from_jwk(jwk).ok())
        .any(|key| jsonwebtoken::decode::<Value>(token, &key, &validation).is_ok())
}

struct Cached {
    fetched: Instant,
    keys: Arc<JwkSet>,
}

/// Issuers' key sets: configured ones, and those fetched and cached.
pub struct IssuerKeys {
    /// The CA roots, read at the first fetch (reading the system's store is not worth a slower start).
    roots: std::sync::OnceLock<Arc<RootCertStore>>,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    configured: HashMap<String, Arc<JwkSet>>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl std::fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKeys").field("configured", &self.configured.keys().collect::<Vec<_>>()).finish()
    }
}

impl IssuerKeys {
    /// `configured`: key sets by issuer URL (`https://...`), used instead of fetching.
    /// `extra_roots`: CA certificates trusted besides the system's.
    pub fn new(
        extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
        configured: HashMap<String, JwkSet>,
    ) -> Self {
        let configured = configured.into_iter().map(|(k, v)| (normalize(&k), Arc::new(v))).collect();
        Self { roots: std::sync::OnceLock::new(), extra_roots, configured, cache: Mutex::new(HashMap::new()) }
    }

    /// The key set of `issuer` (`https://HOST/PATH`), trusting its certificate as `thumbprints` and the roots say.
    /// A set that lacks `kid` is fetched again (a key rotation), at most every few seconds.
    pub async fn keys(&self, issuer: &str, thumbprints: &[String], kid: Option<&str>) -> Result<Arc<JwkSet>, KeyError> {
        let issuer = normalize(issuer);
        if let Some(set) = self.configured.get(&issuer) {
            return Ok(set.clone());
        }
        let mut sorted: Vec<String> = thumbprints.iter().map(|t| t.to_ascii_lowercase()).collect();
        sorted.sort();
        let cache_key = format!("{issuer} {}", sorted.join(","));
        if let Some(hit) = self.cached(&cache_key, kid) {
            return Ok(hit);
        }
        let set = Arc::new(self.fetch(&issuer, thumbprints).await?);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 1000 {
            cache.clear();
        }
        cache.insert(cache_key, Cached { fetched: Instant::now(), keys: set.clone() });
        Ok(set)
    }

    fn cached(&self, cache_key: &str, kid: Option<&str>) -> Option<Arc<JwkSet>> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let c = cache.get(cache_key)?;
        let age = c.fetched.elapsed();
        let has_kid = kid.is_none_or(|k| c.keys.find(k).is_some());
        (age < KEYS_TTL && (has_kid || age < REFRESH_AT_MOST_EVERY)).then(|| c.keys.clone())
    }

    async fn fetch(&self, issuer: &str, thumbprints: &[String]) -> Result<JwkSet, KeyError> {
        let discovery_url = format!("{issuer}/.well-known/openid-configuration");
        let roots = self.roots.get_or_init(|| https::roots(&self.extra_roots));
        let discovery: Value = fetch_json(&discovery_url, roots, thumbprints).await?;
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::Unreachable("the discovery document names no jwks_uri".into()))?;
        let keys: JwkSet = fetch_json(jwks_uri, roots, thumbprints).await?;
        Ok(keys)
    }
}

async fn fetch_json<T: serde::de::DeserializeOwned>(
    url: &str,
    roots: &Arc<RootCertStore>,
    thumbprints: &[String],
) -> Result<T, KeyError> {
    let body = https::get(url, roots, thumbprints).await.map_err(|e| match e {
        FetchError::Untrusted => KeyError::Untrusted,
        FetchError::BadUrl => KeyError::Unreachable(format!("{url} is not an https URL")),
        FetchError::Unreachable(why) => KeyError::Unreachable(format!("{url}: {why}")),
    })?;
    serde_json::from_slice(&body).map_err(|e| KeyError::Unreachable(format!("{url}: {e}")))
}

/// The issuers' keys as configured: `GATEHOUSE_OIDC_JWKS` (`ISSUER=PATH,...`, each file a JWKS) and the CA roots
/// (the system's and `GATEHOUSE_OIDC_CA_FILE`'s). A file that does not read or parse refuses the start.
pub fn configured(args: &crate::config::ServeArgs) -> Result<IssuerKeys, String> {
    let mut sets = HashMap::new();
    for entry in args.oidc_jwks.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((issuer, path)) = entry.rsplit_once('=') else {
            return Err(format!("GATEHOUSE_OIDC_JWKS: `{entry}` is not ISSUER_URL=PATH"));
        };
        if !issuer.starts_with("https://") {
            return Err(format!("GATEHOUSE_OIDC_JWKS: the issuer `{issuer}` is not an https:// URL"));
        }
        let text = std::fs::read(path).map_err(|e| format!("GATEHOUSE_OIDC_JWKS: cannot read {path}: {e}"))?;
        let set: JwkSet =
            serde_json::from_slice(&text).map_err(|e| format!("GATEHOUSE_OIDC_JWKS: {path} is not a JWKS: {e}"))?;
        sets.insert(issuer.to_string(), set);
    }
    let mut extra = Vec::new();
    if let Some(path) = &args.oidc_ca_file {
        use rustls::pki_types::pem::PemObject as _;
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("GATEHOUSE_OIDC_CA_FILE: cannot read {}: {e}", path.display()))?;
        for c in certs {
            extra.push(c.map_err(|e| format!("GATEHOUSE_OIDC_CA_FILE: {}: {e}", path.display()))?);
        }
    }
    Ok(IssuerKeys::new(extra, sets))
}

/// Issuer URLs compare without a trailing slash.
fn normalize(issuer: &str) -> String {
    issuer.trim_end_matches('/').to_string()
}
