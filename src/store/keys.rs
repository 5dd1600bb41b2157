//! Long-term access keys of users and of root users.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::{col, Result};

#[derive(Clone, PartialEq, Eq)]
pub struct AccessKeyRow {
    pub access_key_id: String,
    pub account_id: String,
    /// `None` for the account's root user.
    pub user_id: Option<String>,
    pub secret_sealed: Vec<u8>,
    pub master_key_id: String,
    pub status: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

impl std::fmt::Debug for AccessKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyRow")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .field("user_id", &self.user_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl AccessKeyRow {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Self {
            access_key_id: col(r, "access_key_id")?,
            account_id: col(r, "account_id")?,
            user_id: col(r, "user_id")?,
            secret_sealed: col(r, "secret_sealed")?,
            master_key_id: col(r, "master_key_id")?,
            status: col(r, "status")?,
            created_at: col(r, "created_at")?,
            last_used_at: col(r, "last_used_at")?,
            last_used_service: col(r, "last_used_service")?,
            last_used_region: col(r, "last_used_region")?,
        })
    }
}

const COLUMNS: &str =
    "k.access_key_id, k.account_id, k.user_id, k.secret_sealed, k.master_key_id, k.status, k.created_at, \
                       k.last_used_at, k.last_used_service, k.last_used_region";

pub async fn insert(conn: &mut AnyConnection, k: &AccessKeyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_keys (access_key_id, account_id, user_id, secret_sealed, master_key_id, status, created_at,
                                  last_used_at, last_used_service, last_used_region)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&k.access_key_id)
    .bind(&k.account_id)
    .bind(&k.user_id)
    .bind(&k.secret_sealed)
    .bind(&k.master_key_id)
    .bind(&k.status)
    .bind(k.created_at)
    .bind(k.last_used_at)
    .bind(&k.last_used_service)
    .bind(&k.last_used_region)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the secret of an existing key (bootstrap with configured root credentials).
pub async fn reseal(conn: &mut AnyConnection, access_key_id: &str, sealed: &[u8], master_key_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE access_keys SET secret_sealed = $2, master_key_id = $3, status = 'Active' WHERE access_key_id = $1",
    )
    .bind(access_key_id)
    .bind(sealed)
    .bind(master_key_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A key with its owner's name and path (absent for root keys): what authentication needs, in one query.
#[derive(Debug, Clone)]
pub struct KeyWithOwner {
    pub key: AccessKeyRow,
    pub user_name: Option<String>,
    pub user_path: Option<String>,
}

pub async fn with_owner(conn: &mut AnyConnection, access_key_id: &str) -> Result<Option<KeyWithOwner>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.name AS user_name, u.path AS user_path
         FROM access_keys k LEFT JOIN users u ON u.user_id = k.user_id WHERE k.access_key_id = $1"
    );
    let row = sqlx::query(&sql).bind(access_key_id).fetch_optional(conn).await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some(KeyWithOwner {
            key: AccessKeyRow::from_row(&r)?,
            user_name: col(&r, "user_name")?,
            user_path: col(&r, "user_path")?,
        })),
    }
}

pub async fn by_id(conn: &mut AnyConnection, access_key_id: &str) -> Result<Option<AccessKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM access_keys k WHERE k.access_key_id = $1");
    let row = sqlx::query(&sql).bind(access_key_id).fetch_optional(conn).await?;
    row.as_ref().map(AccessKeyRow::from_row).transpose()
}

/// The keys of a user, or of the account's root user when `user_id` is `None`, oldest first.
pub async fn of_owner(conn: &mut AnyConnection, account_id: &str, user_id: Option<&str>) -> Result<Vec<AccessKeyRow>> {
    let rows = match user_id {
        Some(u) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM access_keys k WHERE k.user_id = $1 ORDER BY k.created_at, k.access_key_id"
            );
            sqlx::query(&sql).bind(u).fetch_all(conn).await?
        }
        None => {
            let sql = format!(
                "SELECT {COLUMNS} FROM access_keys k WHERE k.account_id = $1 AND k.user_id IS NULL ORDER BY k.created_at, k.access_key_id"
            );
            sqlx::query(&sql).bind(account_id).fetch_all(conn).await?
        }
    };
    rows.iter().map(AccessKeyRow::from_row).collect()
}

pub async fn set_status(conn: &mut AnyConnection, access_key_id: &str, status: &str) -> Result<()> {
    sqlx::query("UPDATE access_keys SET status = $2 WHERE access_key_id = $1")
        .bind(access_key_id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, access_key_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM access_keys WHERE access_key_id = $1").bind(access_key_id).execute(conn).await?;
    Ok(())
}

pub async fn record_use(
    conn: &mut AnyConnection,
    access_key_id: &str,
    at: i64,
    service: &str,
    region: &str,
) -> Result<()> {
    sqlx::query("UPDATE access_keys SET last_used_at = $2, last_used_service = $3, last_used_region = $4 WHERE access_key_id = $1")
        .bind(access_key_id)
        .bind(at)
        .bind(service)
        .bind(region)
        .execute(conn)
        .await?;
    Ok(())
}
