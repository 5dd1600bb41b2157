//! Instance profiles and the roles they hold.

use sqlx::AnyConnection;

use super::prefix::{self, Page};
use super::roles::{RoleRow, COLUMNS_R};
pub use super::users::name_key;
use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InstanceProfileRow {
    pub instance_profile_id: String,
    pub account_id: String,
    pub name: String,
    pub path: String,
    pub created_at: i64,
}

impl InstanceProfileRow {
    pub fn arn(&self) -> String {
        crate::arn::iam(&self.account_id, "instance-profile", &self.path, &self.name)
    }
}

const COLUMNS: &str = "instance_profile_id, account_id, name, path, created_at";
const COLUMNS_P: &str = "p.instance_profile_id, p.account_id, p.name, p.path, p.created_at";

pub async fn insert(conn: &mut AnyConnection, p: &InstanceProfileRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO instance_profiles (instance_profile_id, account_id, name, name_key, path, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&p.instance_profile_id)
    .bind(&p.account_id)
    .bind(&p.name)
    .bind(name_key(&p.name))
    .bind(&p.path)
    .bind(p.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<InstanceProfileRow>> {
    let sql = format!("SELECT {COLUMNS} FROM instance_profiles WHERE account_id = $1 AND name_key = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(name_key(name)).fetch_optional(conn).await?)
}

/// Instance profiles whose path starts with `path_prefix`, ordered by name, after the name key `after`.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    path_prefix: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<InstanceProfileRow>> {
    let select_from = format!("SELECT {COLUMNS} FROM instance_profiles");
    let page = Page { account_id, path_prefix, after, inclusive: false, limit };
    prefix::list(conn, &select_from, "", "name_key", page).await
}

/// The instance profiles that hold the role, ordered by name, after the name key `after`.
pub async fn for_role(
    conn: &mut AnyConnection,
    role_id: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<InstanceProfileRow>> {
    let sql = format!(
        "SELECT {COLUMNS_P} FROM instance_profiles p
         JOIN instance_profile_roles ipr ON ipr.instance_profile_id = p.instance_profile_id
         WHERE ipr.role_id = $1 AND p.name_key > $2
         ORDER BY p.name_key LIMIT $3"
    );
    Ok(sqlx::query_as(&sql).bind(role_id).bind(after).bind(limit).fetch_all(conn).await?)
}

/// How many instance profiles the account has (the InstanceProfiles quota).
pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instance_profiles WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    Ok(n.0)
}

/// The roles in the profile, ordered by name.
pub async fn roles(conn: &mut AnyConnection, instance_profile_id: &str) -> Result<Vec<RoleRow>> {
    let sql = format!(
        "SELECT {COLUMNS_R} FROM roles r
         JOIN instance_profile_roles ipr ON ipr.role_id = r.role_id
         WHERE ipr.instance_profile_id = $1
         ORDER BY r.name_key"
    );
    Ok(sqlx::query_as(&sql).bind(instance_profile_id).fetch_all(conn).await?)
}

/// Whether the role is in any instance profile (its deletion must wait).
pub async fn any_for_role(conn: &mut AnyConnection, role_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM instance_profile_roles WHERE role_id = $1 LIMIT 1")
        .bind(role_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

pub async fn add_role(conn: &mut AnyConnection, instance_profile_id: &str, role_id: &str) -> Result<()> {
    sqlx::query("INSERT INTO instance_profile_roles (instance_profile_id, role_id) VALUES ($1, $2)")
        .bind(instance_profile_id)
        .bind(role_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the role from the profile; whether it was there.
pub async fn remove_role(conn: &mut AnyConnection, instance_profile_id: &str, role_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM instance_profile_roles WHERE instance_profile_id = $1 AND role_id = $2")
        .bind(instance_profile_id)
        .bind(role_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete(conn: &mut AnyConnection, instance_profile_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM instance_profiles WHERE instance_profile_id = $1")
        .bind(instance_profile_id)
        .execute(conn)
        .await?;
    Ok(())
}
