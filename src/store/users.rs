//! IAM users.

use sqlx::AnyConnection;

use super::prefix::{self, Page};
use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub user_id: String,
    pub account_id: String,
    pub name: String,
    pub path: String,
    pub permissions_boundary: Option<String>,
    pub created_at: i64,
    pub password_last_used: Option<i64>,
}

impl UserRow {
    pub fn arn(&self) -> String {
        crate::arn::iam(&self.account_id, "user", &self.path, &self.name)
    }
}

const COLUMNS: &str = "user_id, account_id, name, path, permissions_boundary, created_at, password_last_used";

/// The key under which names are unique: IAM names are ASCII and compared without regard to case.
pub fn name_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

pub async fn insert(conn: &mut AnyConnection, u: &UserRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (user_id, account_id, name, name_key, path, permissions_boundary, created_at, password_last_used)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&u.user_id)
    .bind(&u.account_id)
    .bind(&u.name)
    .bind(name_key(&u.name))
    .bind(&u.path)
    .bind(&u.permissions_boundary)
    .bind(u.created_at)
    .bind(u.password_last_used)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE account_id = $1 AND name_key = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(name_key(name)).fetch_optional(conn).await?)
}

pub async fn by_id(conn: &mut AnyConnection, user_id: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE user_id = $1");
    Ok(sqlx::query_as(&sql).bind(user_id).fetch_optional(conn).await?)
}

/// The users with the ids `user_ids` that exist, in no particular order: a query per batch of ids.
pub async fn by_ids(conn: &mut AnyConnection, user_ids: &[String]) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE user_id IN ({{ids}})");
    super::fetch_batched(conn, &sql, &[], user_ids).await
}

/// Users whose path starts with `path_prefix`, ordered by name, after the name key `after` (the marker),
/// at most `limit` of them.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    path_prefix: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<UserRow>> {
    let select_from = format!("SELECT {COLUMNS} FROM users");
    let page = Page { account_id, path_prefix, after, inclusive: false, limit };
    prefix::list(conn, &select_from, "", "name_key", page).await
}

pub async fn rename(conn: &mut AnyConnection, user_id: &str, name: &str, path: &str) -> Result<()> {
    sqlx::query("UPDATE users SET name = $2, name_key = $3, path = $4 WHERE user_id = $1")
        .bind(user_id)
        .bind(name)
        .bind(name_key(name))
        .bind(path)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM users WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}

pub async fn set_boundary(conn: &mut AnyConnection, user_id: &str, boundary: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE users SET permissions_boundary = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(boundary)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM users WHERE account_id = $1").bind(account_id).fetch_one(conn).await?;
    super::col(&row, "n")
}
