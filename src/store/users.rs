//! IAM users.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use super::{col, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
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

    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Self {
            user_id: col(r, "user_id")?,
            account_id: col(r, "account_id")?,
            name: col(r, "name")?,
            path: col(r, "path")?,
            permissions_boundary: col(r, "permissions_boundary")?,
            created_at: col(r, "created_at")?,
            password_last_used: col(r, "password_last_used")?,
        })
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
    let row = sqlx::query(&sql).bind(account_id).bind(name_key(name)).fetch_optional(conn).await?;
    row.as_ref().map(UserRow::from_row).transpose()
}

pub async fn by_id(conn: &mut AnyConnection, user_id: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE user_id = $1");
    let row = sqlx::query(&sql).bind(user_id).fetch_optional(conn).await?;
    row.as_ref().map(UserRow::from_row).transpose()
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
    let sql = format!(
        "SELECT {COLUMNS} FROM users
         WHERE account_id = $1 AND substr(path, 1, length($2)) = $2 AND name_key > $3
         ORDER BY name_key LIMIT $4"
    );
    let rows = sqlx::query(&sql).bind(account_id).bind(path_prefix).bind(after).bind(limit).fetch_all(conn).await?;
    rows.iter().map(UserRow::from_row).collect()
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
