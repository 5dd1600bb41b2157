//! SAML providers: the metadata document, what was parsed from it for verifying assertions (the IdP's entity id
//! and signing certificates), and the sealed private keys that decrypt encrypted assertions.

use sqlx::AnyConnection;

pub use super::users::name_key;
use super::Result;

super::text_enum! {
    /// Whether assertions must be encrypted (IAM's AssertionEncryptionModeType).
    EncryptionMode { Required = "Required", Allowed = "Allowed" }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SamlProviderRow {
    /// The SAMLProviderUUID; also the id its tags are stored under.
    pub provider_id: String,
    pub account_id: String,
    pub name: String,
    pub metadata: String,
    /// The metadata's EntityDescriptor entityID: the issuer its assertions must name.
    pub entity_id: String,
    pub valid_until: i64,
    #[sqlx(try_from = "String")]
    pub encryption_mode: EncryptionMode,
    pub created_at: i64,
}

impl SamlProviderRow {
    pub fn arn(&self) -> String {
        arn(&self.account_id, &self.name)
    }
}

/// `arn:aws:iam::ACCOUNT:saml-provider/NAME`
pub fn arn(account_id: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:saml-provider/{name}")
}

/// A private key as stored: sealed, with the id of the master key that sealed it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PrivateKeyRow {
    pub key_id: String,
    pub key_sealed: Vec<u8>,
    pub master_key_id: String,
    pub created_at: i64,
}

const COLUMNS: &str = "provider_id, account_id, name, metadata, entity_id, valid_until, encryption_mode, created_at";

pub async fn insert(conn: &mut AnyConnection, p: &SamlProviderRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO saml_providers (provider_id, account_id, name, name_key, metadata, entity_id, valid_until,
                                     encryption_mode, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&p.provider_id)
    .bind(&p.account_id)
    .bind(&p.name)
    .bind(name_key(&p.name))
    .bind(&p.metadata)
    .bind(&p.entity_id)
    .bind(p.valid_until)
    .bind(p.encryption_mode.as_str())
    .bind(p.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<SamlProviderRow>> {
    let sql = format!("SELECT {COLUMNS} FROM saml_providers WHERE account_id = $1 AND name_key = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(name_key(name)).fetch_optional(conn).await?)
}

/// The account's providers, ordered by name.
pub async fn list(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<SamlProviderRow>> {
    let sql = format!("SELECT {COLUMNS} FROM saml_providers WHERE account_id = $1 ORDER BY name_key");
    Ok(sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?)
}

/// How many SAML providers the account has (the SAMLProviders quota).
pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM saml_providers WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    Ok(n.0)
}

/// Replaces the metadata and what was parsed from it (entity id, validity, signing certificates in order).
pub async fn set_metadata(
    conn: &mut AnyConnection,
    provider_id: &str,
    metadata: &str,
    entity_id: &str,
    valid_until: i64,
    certificates: &[Vec<u8>],
) -> Result<()> {
    sqlx::query("UPDATE saml_providers SET metadata = $2, entity_id = $3, valid_until = $4 WHERE provider_id = $1")
        .bind(provider_id)
        .bind(metadata)
        .bind(entity_id)
        .bind(valid_until)
        .execute(&mut *conn)
        .await?;
    set_certificates(conn, provider_id, certificates).await
}

/// Replaces the provider's signing certificates (DER) with `certificates`, in that order.
pub async fn set_certificates(conn: &mut AnyConnection, provider_id: &str, certificates: &[Vec<u8>]) -> Result<()> {
    sqlx::query("DELETE FROM saml_signing_certificates WHERE provider_id = $1")
        .bind(provider_id)
        .execute(&mut *conn)
        .await?;
    for (seq, der) in (1_i64..).zip(certificates) {
        sqlx::query("INSERT INTO saml_signing_certificates (provider_id, seq, der) VALUES ($1, $2, $3)")
            .bind(provider_id)
            .bind(seq)
            .bind(der.as_slice())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The provider's signing certificates (DER), in metadata order: what AssumeRoleWithSAML verifies against.
pub async fn certificates(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<Vec<u8>>> {
    let rows: Vec<(Vec<u8>,)> =
        sqlx::query_as("SELECT der FROM saml_signing_certificates WHERE provider_id = $1 ORDER BY seq")
            .bind(provider_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(der,)| der).collect())
}

pub async fn set_encryption_mode(conn: &mut AnyConnection, provider_id: &str, mode: EncryptionMode) -> Result<()> {
    sqlx::query("UPDATE saml_providers SET encryption_mode = $2 WHERE provider_id = $1")
        .bind(provider_id)
        .bind(mode.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// The provider's private keys, oldest first.
pub async fn private_keys(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<PrivateKeyRow>> {
    Ok(sqlx::query_as(
        "SELECT key_id, key_sealed, master_key_id, created_at FROM saml_private_keys
         WHERE provider_id = $1 ORDER BY created_at, key_id",
    )
    .bind(provider_id)
    .fetch_all(conn)
    .await?)
}

pub async fn add_private_key(conn: &mut AnyConnection, provider_id: &str, key: &PrivateKeyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO saml_private_keys (provider_id, key_id, key_sealed, master_key_id, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(provider_id)
    .bind(&key.key_id)
    .bind(key.key_sealed.as_slice())
    .bind(&key.master_key_id)
    .bind(key.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the private key; whether the provider had it.
pub async fn remove_private_key(conn: &mut AnyConnection, provider_id: &str, key_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM saml_private_keys WHERE provider_id = $1 AND key_id = $2")
        .bind(provider_id)
        .bind(key_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many sealed private keys the store holds (a master key is never generated over sealed secrets).
pub async fn count_sealed(conn: &mut AnyConnection) -> Result<i64> {
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM saml_private_keys").fetch_one(conn).await?;
    Ok(n.0)
}

/// Deletes the provider with its certificates and private keys (its tags are the caller's to remove).
pub async fn delete(conn: &mut AnyConnection, provider_id: &str) -> Result<()> {
    for sql in [
        "DELETE FROM saml_signing_certificates WHERE provider_id = $1",
        "DELETE FROM saml_private_keys WHERE provider_id = $1",
        "DELETE FROM saml_providers WHERE provider_id = $1",
    ] {
        sqlx::query(sql).bind(provider_id).execute(&mut *conn).await?;
    }
    Ok(())
}
