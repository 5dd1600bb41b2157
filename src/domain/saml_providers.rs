//! SAML providers: the identity providers whose assertions AssumeRoleWithSAML accepts. Each is named
//! (`saml-provider/NAME`), holds its IdP's metadata (checked and parsed by [`super::saml_metadata`], its signing
//! certificates kept for verifying assertions), the assertion encryption mode, the private keys that decrypt
//! encrypted assertions (sealed at rest, never shown: only their ids and dates), and tags.

use gatehouse_wire::AwsError;

use super::saml_metadata;
use super::tagging;
use crate::authz::{Authorized, Facts};
use crate::crypto::SamlKeyBinding;
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::saml_providers::{self as saml, EncryptionMode, PrivateKeyRow, SamlProviderRow};
use crate::store::tags::{self, Tag};
use crate::store::StoreError;

/// Private keys a provider holds at once: the one in use and its replacement (UpdateSAMLProvider: "To rotate
/// private keys, add your new private key and then remove the old key in a separate request").
pub const MAX_PRIVATE_KEYS: usize = 2;

/// What ValidUntil shows for metadata without a `validUntil`: a hundred years after the upload (ours).
const DEFAULT_VALIDITY_MILLIS: i64 = 100 * 365 * 24 * 3600 * 1000;

/// A provider's private key as GetSAMLProvider shows it: its id and when it was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub key_id: String,
    pub created_at: i64,
}

/// A provider with its private keys' ids.
#[derive(Debug, Clone)]
pub struct Described {
    pub provider: SamlProviderRow,
    pub private_keys: Vec<KeyInfo>,
}

/// The metadata checked and parsed, with the validity it gives (or the default from `now`).
struct Checked {
    parsed: saml_metadata::IdpMetadata,
    valid_until: i64,
}

fn check_metadata(text: &str, now: i64) -> Result<Checked, AwsError> {
    let parsed = saml_metadata::parse(text).map_err(errors::invalid_saml_metadata)?;
    let valid_until = match parsed.valid_until {
        Some(secs) => secs.saturating_mul(1000),
        None => now.saturating_add(DEFAULT_VALIDITY_MILLIS),
    };
    Ok(Checked { parsed, valid_until })
}

/// An RSA private key in PEM (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), as the AddPrivateKey documentation
/// asks for (".pem file"). RSA because it is what decrypts: IdPs transport assertions' content keys with RSA-OAEP
/// (see [`crate::federation::xmlenc`]); a key of another kind could never decrypt one, so it is refused here rather
/// than accepted and useless.
fn check_private_key(pem: &str) -> Result<(), AwsError> {
    match crate::federation::xmlenc::rsa_private_key(pem) {
        Some(_) => Ok(()),
        None => Err(errors::invalid_saml_private_key()),
    }
}

/// Seals a new private key to its provider and account.
fn sealed_key(ctx: &Ctx, provider_id: &str, pem: &str) -> Result<PrivateKeyRow, AwsError> {
    let key_id = crate::ids::saml_private_key_id(&*ctx.state.rng);
    let binding = SamlKeyBinding { account_id: ctx.account(), provider_id, key_id: &key_id };
    let (master_key_id, key_sealed) = ctx.state.keyring.seal_saml_key(&*ctx.state.rng, &binding, pem).map_err(|e| {
        tracing::error!(error = %e, "sealing a SAML private key failed");
        gatehouse_wire::iam::errors::service_failure("Service failure.")
    })?;
    Ok(PrivateKeyRow { key_id, key_sealed, master_key_id, created_at: ctx.now })
}

/// The provider an ARN names in the caller's account, if it exists: `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
async fn by_arn(conn: &mut sqlx::AnyConnection, account: &str, arn: &str) -> Result<Option<SamlProviderRow>, AwsError> {
    let name = crate::arn::Arn::parse_iam(arn)
        .filter(|a| a.account == account)
        .and_then(|a| a.resource.strip_prefix("saml-provider/"));
    match name {
        Some(name) if !name.is_empty() && !name.contains('/') => {
            Ok(saml::by_name(conn, account, name).await?.filter(|p| p.name == name))
        }
        _ => Ok(None),
    }
}

/// Looks the provider up by ARN, decides `action` on that ARN (with the provider's tags when it exists), then
/// requires that it exists (AWS's recorded `Manifest not found for arn ARN`).
pub async fn authorized_provider<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    facts: Facts<'_>,
) -> Result<(Authorized, SamlProviderRow), AwsError> {
    let found = by_arn(op.lookup(), ctx.account(), arn).await?;
    let owner = found.as_ref().map(|p| p.provider_id.as_str());
    let proof = super::named::decide_on(ctx, op, action, arn, owner, facts).await?;
    if crate::arn::Arn::parse(arn).is_none() {
        return Err(errors::invalid_arn(arn));
    }
    let found = found.ok_or_else(|| errors::no_such_saml_provider(arn))?;
    Ok((proof, found))
}

fn key_infos(rows: Vec<PrivateKeyRow>) -> Vec<KeyInfo> {
    rows.into_iter().map(|k| KeyInfo { key_id: k.key_id, created_at: k.created_at }).collect()
}

pub async fn create(
    ctx: &Ctx,
    name: &str,
    metadata: &str,
    mode: Option<EncryptionMode>,
    private_key: Option<&str>,
    new_tags: Vec<Tag>,
) -> Result<SamlProviderRow, AwsError> {
    let arn = saml::arn(ctx.account(), name);
    let proof = ctx.authorize_with("iam:CreateSAMLProvider", &arn, &Facts::new().request_tags(&new_tags))?;
    let checked = check_metadata(metadata, ctx.now)?;
    tagging::check_unique_keys(new_tags.iter().map(|t| t.key.as_str()))?;
    if let Some(pem) = private_key {
        check_private_key(pem)?;
    }
    let mode = mode.unwrap_or(EncryptionMode::Allowed);
    if mode == EncryptionMode::Required && private_key.is_none() {
        return Err(errors::encryption_needs_private_key());
    }
    let provider = SamlProviderRow {
        provider_id: crate::ids::uuid(&*ctx.state.rng),
        account_id: ctx.account().to_string(),
        name: name.to_string(),
        metadata: metadata.to_string(),
        entity_id: checked.parsed.entity_id.clone(),
        valid_until: checked.valid_until,
        encryption_mode: mode,
        created_at: ctx.now,
    };
    let key = private_key.map(|pem| sealed_key(ctx, &provider.provider_id, pem)).transpose()?;
    let mut tx = ctx.begin_write().await?;
    if saml::by_name(tx.conn(&proof), ctx.account(), name).await?.is_some() {
        return Err(errors::saml_provider_exists(name));
    }
    let limit = ctx.state.quotas.saml_providers;
    if saml::count(tx.conn(&proof), ctx.account()).await? >= i64::from(limit) {
        return Err(errors::saml_providers_quota(limit));
    }
    match saml::insert(tx.conn(&proof), &provider).await {
        Err(StoreError::Conflict) => return Err(errors::saml_provider_exists(name)),
        other => other?,
    }
    saml::set_certificates(tx.conn(&proof), &provider.provider_id, &checked.parsed.signing_certificates).await?;
    if let Some(key) = &key {
        saml::add_private_key(tx.conn(&proof), &provider.provider_id, key).await?;
    }
    tags::put(tx.conn(&proof), &provider.provider_id, &new_tags).await?;
    tx.commit(&proof).await?;
    Ok(provider)
}

pub async fn get(ctx: &Ctx, arn: &str) -> Result<(Described, Vec<Tag>), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, provider) = authorized_provider(ctx, &mut op, "iam:GetSAMLProvider", arn, Facts::new()).await?;
    let private_keys = key_infos(saml::private_keys(op.conn(&proof), &provider.provider_id).await?);
    let tags = tags::list(op.conn(&proof), &provider.provider_id).await?;
    Ok((Described { provider, private_keys }, tags))
}

/// ListSAMLProviders: every provider of the account (no filter, not paged), authorised on `*`.
pub async fn list(ctx: &Ctx) -> Result<Vec<SamlProviderRow>, AwsError> {
    let proof = ctx.authorize("iam:ListSAMLProviders", "*")?;
    let mut op = ctx.begin_read().await?;
    Ok(saml::list(op.conn(&proof), ctx.account()).await?)
}

/// What UpdateSAMLProvider changes; `None` leaves that part as it is.
#[derive(Debug, Default)]
pub struct Update<'a> {
    pub metadata: Option<&'a str>,
    pub mode: Option<EncryptionMode>,
    pub add_private_key: Option<&'a str>,
    pub remove_private_key: Option<&'a str>,
}

/// UpdateSAMLProvider: new metadata (checked as on create), a private key added (at most two held) and/or one
/// removed, the encryption mode; Required must be left with a key to decrypt with.
pub async fn update(ctx: &Ctx, arn: &str, change: Update<'_>) -> Result<SamlProviderRow, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, provider) = authorized_provider(ctx, &mut tx, "iam:UpdateSAMLProvider", arn, Facts::new()).await?;
    let checked = change.metadata.map(|m| check_metadata(m, ctx.now)).transpose()?;
    if let Some(pem) = change.add_private_key {
        check_private_key(pem)?;
    }
    let id = provider.provider_id.clone();
    let mut held = saml::private_keys(tx.conn(&proof), &id).await?.len();
    if let Some(key_id) = change.remove_private_key {
        if !saml::remove_private_key(tx.conn(&proof), &id, key_id).await? {
            return Err(errors::no_such_saml_private_key(key_id));
        }
        held -= 1;
    }
    if let Some(pem) = change.add_private_key {
        if held >= MAX_PRIVATE_KEYS {
            return Err(errors::saml_private_keys_quota(MAX_PRIVATE_KEYS));
        }
        let key = sealed_key(ctx, &id, pem)?;
        saml::add_private_key(tx.conn(&proof), &id, &key).await?;
        held += 1;
    }
    let mode = change.mode.unwrap_or(provider.encryption_mode);
    if mode == EncryptionMode::Required && held == 0 {
        return Err(errors::encryption_needs_private_key());
    }
    if mode != provider.encryption_mode {
        saml::set_encryption_mode(tx.conn(&proof), &id, mode).await?;
    }
    if let (Some(text), Some(c)) = (change.metadata, &checked) {
        let entity = &c.parsed.entity_id;
        saml::set_metadata(tx.conn(&proof), &id, text, entity, c.valid_until, &c.parsed.signing_certificates).await?;
    }
    tx.commit(&proof).await?;
    Ok(provider)
}

/// DeleteSAMLProvider: roles that trust the provider keep their trust policies (as in AWS). Its certificates,
/// private keys and tags go with it.
pub async fn delete(ctx: &Ctx, arn: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, provider) = authorized_provider(ctx, &mut tx, "iam:DeleteSAMLProvider", arn, Facts::new()).await?;
    tags::remove_all(tx.conn(&proof), &provider.provider_id).await?;
    saml::delete(tx.conn(&proof), &provider.provider_id).await?;
    tx.commit(&proof).await
}

/// SAML providers carry tags: found by ARN (the `name` the tagging operations pass).
pub struct SamlProviderTags;

impl tagging::Taggable for SamlProviderTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        arn: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, provider) = authorized_provider(ctx, op, action, arn, facts).await?;
        Ok((proof, provider.provider_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_must_be_pem_rsa_private_keys() {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        use rsa::pkcs8::EncodePrivateKey as _;
        let rsa_key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pkcs8 = rsa_key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
        let pkcs1 = rsa_key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
        assert!(check_private_key(&pkcs8).is_ok());
        assert!(check_private_key(&pkcs1).is_ok());
        assert!(check_private_key(&format!("\n  {pkcs8}  \n")).is_ok());
        // An EC key cannot decrypt what IdPs encrypt with RSA-OAEP.
        let ec = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["x".to_string()]).unwrap().self_signed(&ec).unwrap();
        for bad in [
            ec.serialize_pem(),
            cert.pem(),
            "not a key".to_string(),
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----".into(),
        ] {
            let e = check_private_key(&bad).unwrap_err();
            assert_eq!(e.code.as_ref(), "InvalidInput", "{bad}");
        }
    }
}
