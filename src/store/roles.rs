//! IAM roles. `service_name` is set for service-linked roles only.

use sqlx::AnyConnection;

use super::prefix::{self, Page};
pub use super::users::name_key;
use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RoleRow {
    pub role_id: String,
    pub account_id: String,
    pub name: String,
    pub path: String,
    /// The trust policy exactly as submitted.
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_duration: i64,
    pub permissions_boundary: Option<String>,
    pub service_name: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_region: Option<String>,
}

impl RoleRow {
    pub fn arn(&self) -> String {
        crate::arn::iam(&self.account_id, "role", &self.path, &self.name)
    }

    /// A service-linked role: only its service may change or delete it.
    pub fn is_service_linked(&self) -> bool {
        self.service_name.is_some()
    }
}

const COLUMNS: &str = "role_id, account_id, name, path, trust_policy, description, max_session_duration, \
                       permissions_boundary, service_name, created_at, last_used_at, last_used_region";

/// The same columns, qualified for joins.
pub(crate) const COLUMNS_R: &str = "r.role_id, r.account_id, r.name, r.path, r.trust_policy, r.description, \
     r.max_session_duration, r.permissions_boundary, r.service_name, r.created_at, r.last_used_at, r.last_used_region";

pub async fn insert(conn: &mut AnyConnection, r: &RoleRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO roles (role_id, account_id, name, name_key, path, trust_policy, description, max_session_duration,
                            permissions_boundary, service_name, created_at, last_used_at, last_used_region)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&r.role_id)
    .bind(&r.account_id)
    .bind(&r.name)
    .bind(name_key(&r.name))
    .bind(&r.path)
    .bind(&r.trust_policy)
    .bind(&r.description)
    .bind(r.max_session_duration)
    .bind(&r.permissions_boundary)
    .bind(&r.service_name)
    .bind(r.created_at)
    .bind(r.last_used_at)
    .bind(&r.last_used_region)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<RoleRow>> {
    let sql = format!("SELECT {COLUMNS} FROM roles WHERE account_id = $1 AND name_key = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(name_key(name)).fetch_optional(conn).await?)
}

pub async fn by_id(conn: &mut AnyConnection, role_id: &str) -> Result<Option<RoleRow>> {
    let sql = format!("SELECT {COLUMNS} FROM roles WHERE role_id = $1");
    Ok(sqlx::query_as(&sql).bind(role_id).fetch_optional(conn).await?)
}

/// Roles whose path starts with `path_prefix`, ordered by name, after the name key `after` (the marker),
/// at most `limit` of them.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    path_prefix: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<RoleRow>> {
    let select_from = format!("SELECT {COLUMNS} FROM roles");
    let page = Page { account_id, path_prefix, after, inclusive: false, limit };
    prefix::list(conn, &select_from, "", "name_key", page).await
}

/// How many roles the account has (the Roles quota).
pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let n: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM roles WHERE account_id = $1").bind(account_id).fetch_one(conn).await?;
    Ok(n.0)
}

pub async fn set_trust_policy(conn: &mut AnyConnection, role_id: &str, document: &str) -> Result<()> {
    sqlx::query("UPDATE roles SET trust_policy = $2 WHERE role_id = $1")
        .bind(role_id)
        .bind(document)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_settings(
    conn: &mut AnyConnection,
    role_id: &str,
    description: Option<&str>,
    max_session_duration: i64,
) -> Result<()> {
    sqlx::query("UPDATE roles SET description = $2, max_session_duration = $3 WHERE role_id = $1")
        .bind(role_id)
        .bind(description)
        .bind(max_session_duration)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, role_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM roles WHERE role_id = $1").bind(role_id).execute(conn).await?;
    Ok(())
}

pub async fn set_boundary(conn: &mut AnyConnection, role_id: &str, boundary: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE roles SET permissions_boundary = $2 WHERE role_id = $1")
        .bind(role_id)
        .bind(boundary)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every role of the account, by name (the account views).
pub async fn all(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<RoleRow>> {
    list(conn, account_id, "/", "", i64::MAX).await
}

/// RoleLastUsed: bookkeeping, written outside any operation's transaction and without a revision bump (it
/// changes no decision).
pub async fn record_use(conn: &mut AnyConnection, role_id: &str, at: i64, region: &str) -> Result<()> {
    sqlx::query("UPDATE roles SET last_used_at = $2, last_used_region = $3 WHERE role_id = $1")
        .bind(role_id)
        .bind(at)
        .bind(region)
        .execute(conn)
        .await?;
    Ok(())
}
