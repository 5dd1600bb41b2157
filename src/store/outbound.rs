//! Outbound web identity federation: each account's switch and issuer id, and its sealed signing keys.

use sqlx::AnyConnection;

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FederationRow {
    pub account_id: String,
    pub issuer_id: String,
    pub enabled: i64,
    pub changed_at: i64,
}

impl FederationRow {
    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SigningKeyRow {
    pub key_id: String,
    pub account_id: String,
    /// `RS256` or `ES384`.
    pub algorithm: String,
    pub key_sealed: Vec<u8>,
    pub master_key_id: String,
    pub created_at: i64,
}

pub async fn of_account(conn: &mut AnyConnection, account_id: &str) -> Result<Option<FederationRow>> {
    Ok(sqlx::query_as(
        "SELECT account_id, issuer_id, enabled, changed_at FROM outbound_federation WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn by_issuer(conn: &mut AnyConnection, issuer_id: &str) -> Result<Option<FederationRow>> {
    Ok(sqlx::query_as(
        "SELECT account_id, issuer_id, enabled, changed_at FROM outbound_federation WHERE issuer_id = $1",
    )
    .bind(issuer_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert(conn: &mut AnyConnection, row: &FederationRow) -> Result<()> {
    sqlx::query("INSERT INTO outbound_federation (account_id, issuer_id, enabled, changed_at) VALUES ($1, $2, $3, $4)")
        .bind(&row.account_id)
        .bind(&row.issuer_id)
        .bind(row.enabled)
        .bind(row.changed_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_enabled(conn: &mut AnyConnection, account_id: &str, enabled: bool, at: i64) -> Result<()> {
    sqlx::query("UPDATE outbound_federation SET enabled = $2, changed_at = $3 WHERE account_id = $1")
        .bind(account_id)
        .bind(i64::from(enabled))
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account's signing keys made at or after `since`, newest first.
pub async fn keys_since(conn: &mut AnyConnection, account_id: &str, since: i64) -> Result<Vec<SigningKeyRow>> {
    Ok(sqlx::query_as(
        "SELECT key_id, account_id, algorithm, key_sealed, master_key_id, created_at FROM outbound_signing_keys
         WHERE account_id = $1 AND created_at >= $2 ORDER BY created_at DESC, key_id",
    )
    .bind(account_id)
    .bind(since)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_key(conn: &mut AnyConnection, k: &SigningKeyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbound_signing_keys (key_id, account_id, algorithm, key_sealed, master_key_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&k.key_id)
    .bind(&k.account_id)
    .bind(&k.algorithm)
    .bind(k.key_sealed.as_slice())
    .bind(&k.master_key_id)
    .bind(k.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keys past their publication are forgotten.
pub async fn delete_keys_before(conn: &mut AnyConnection, account_id: &str, before: i64) -> Result<()> {
    sqlx::query("DELETE FROM outbound_signing_keys WHERE account_id = $1 AND created_at < $2")
        .bind(account_id)
        .bind(before)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many sealed signing keys the store holds (a master key is never generated over sealed secrets).
pub async fn count_sealed(conn: &mut AnyConnection) -> Result<i64> {
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbound_signing_keys").fetch_one(conn).await?;
    Ok(n.0)
}
