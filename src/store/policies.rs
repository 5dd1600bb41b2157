//! Customer managed policies and their versions. AWS managed policies are not stored: they are the built-in
//! catalogue (`gatehouse_catalogue`); attachments and boundaries name both kinds by ARN.

use sqlx::AnyConnection;

use super::prefix::{self, Page};
use super::{col, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PolicyRow {
    pub policy_id: String,
    pub account_id: String,
    pub name: String,
    pub path: String,
    pub arn: String,
    pub description: Option<String>,
    /// The default version's number (`v3` is 3).
    pub default_version: i64,
    /// The number the next version gets: versions are never renumbered or reused.
    pub next_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VersionRow {
    pub policy_id: String,
    pub version: i64,
    pub document: String,
    pub created_at: i64,
}

const COLUMNS: &str =
    "policy_id, account_id, name, path, arn, description, default_version, next_version, created_at, updated_at";

/// Stores a new policy with its first version (v1, the default).
pub async fn insert(conn: &mut AnyConnection, p: &PolicyRow, document: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO managed_policies (policy_id, account_id, name, name_key, path, arn, description, default_version,
                                       next_version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&p.policy_id)
    .bind(&p.account_id)
    .bind(&p.name)
    .bind(super::users::name_key(&p.name))
    .bind(&p.path)
    .bind(&p.arn)
    .bind(&p.description)
    .bind(p.default_version)
    .bind(p.next_version)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(&mut *conn)
    .await?;
    insert_version(conn, &p.policy_id, p.default_version, document, p.created_at).await
}

async fn insert_version(conn: &mut AnyConnection, id: &str, version: i64, document: &str, at: i64) -> Result<()> {
    sqlx::query("INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(version)
        .bind(document)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn by_arn(conn: &mut AnyConnection, arn: &str) -> Result<Option<PolicyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM managed_policies WHERE arn = $1");
    Ok(sqlx::query_as(&sql).bind(arn).fetch_optional(conn).await?)
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<PolicyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM managed_policies WHERE account_id = $1 AND name_key = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(super::users::name_key(name)).fetch_optional(conn).await?)
}

pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM managed_policies WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    col(&row, "n")
}

/// The account's policies whose path starts with `path_prefix`, ordered by name key, from `from_key` (inclusive
/// when `inclusive`), at most `limit`.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    path_prefix: &str,
    from_key: &str,
    inclusive: bool,
    limit: i64,
) -> Result<Vec<PolicyRow>> {
    let select_from = format!("SELECT {COLUMNS} FROM managed_policies");
    let page = Page { account_id, path_prefix, after: from_key, inclusive, limit };
    prefix::list(conn, &select_from, "", "name_key", page).await
}

/// Every policy of the account (the account views, which list them all).
pub async fn all(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<PolicyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM managed_policies WHERE account_id = $1 ORDER BY name_key");
    Ok(sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?)
}

pub async fn versions(conn: &mut AnyConnection, policy_id: &str) -> Result<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT policy_id, version, document, created_at FROM policy_versions WHERE policy_id = $1 ORDER BY version DESC",
    )
    .bind(policy_id)
    .fetch_all(conn)
    .await?)
}

pub async fn version(conn: &mut AnyConnection, policy_id: &str, version: i64) -> Result<Option<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT policy_id, version, document, created_at FROM policy_versions WHERE policy_id = $1 AND version = $2",
    )
    .bind(policy_id)
    .bind(version)
    .fetch_optional(conn)
    .await?)
}

/// Adds version `next_version` and, when `make_default`, makes it the default.
pub async fn add_version(
    conn: &mut AnyConnection,
    p: &PolicyRow,
    document: &str,
    make_default: bool,
    at: i64,
) -> Result<()> {
    insert_version(&mut *conn, &p.policy_id, p.next_version, document, at).await?;
    let default = if make_default { p.next_version } else { p.default_version };
    sqlx::query(
        "UPDATE managed_policies SET next_version = $2, default_version = $3, updated_at = $4 WHERE policy_id = $1",
    )
    .bind(&p.policy_id)
    .bind(p.next_version + 1)
    .bind(default)
    .bind(if make_default { at } else { p.updated_at })
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_default(conn: &mut AnyConnection, policy_id: &str, version: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE managed_policies SET default_version = $2, updated_at = $3 WHERE policy_id = $1")
        .bind(policy_id)
        .bind(version)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_version(conn: &mut AnyConnection, policy_id: &str, version: i64) -> Result<()> {
    sqlx::query("DELETE FROM policy_versions WHERE policy_id = $1 AND version = $2")
        .bind(policy_id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the policy and all its versions.
pub async fn delete(conn: &mut AnyConnection, policy_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM policy_versions WHERE policy_id = $1").bind(policy_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM managed_policies WHERE policy_id = $1").bind(policy_id).execute(conn).await?;
    Ok(())
}

/// How many users and roles of the account use `arn` as their permissions boundary.
pub async fn boundary_usage(conn: &mut AnyConnection, account_id: &str, arn: &str) -> Result<i64> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM users WHERE account_id = $1 AND permissions_boundary = $2)
              + (SELECT COUNT(*) FROM roles WHERE account_id = $1 AND permissions_boundary = $2) AS n",
    )
    .bind(account_id)
    .bind(arn)
    .fetch_one(conn)
    .await?;
    col(&row, "n")
}

/// Boundary use of every policy the account uses as a boundary: (policy ARN, users and roles using it).
pub async fn boundary_usage_all(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT arn, COUNT(*) AS n FROM (
             SELECT permissions_boundary AS arn FROM users WHERE account_id = $1 AND permissions_boundary IS NOT NULL
             UNION ALL
             SELECT permissions_boundary AS arn FROM roles WHERE account_id = $1 AND permissions_boundary IS NOT NULL
         ) used GROUP BY arn",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((col(r, "arn")?, col(r, "n")?))).collect()
}

/// Every version of every policy of the account, newest first per policy (the account views).
pub async fn versions_of_account(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT v.policy_id, v.version, v.document, v.created_at FROM policy_versions v
         JOIN managed_policies p ON p.policy_id = v.policy_id
         WHERE p.account_id = $1 ORDER BY v.policy_id, v.version DESC",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}
