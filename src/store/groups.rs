//! IAM groups and their members.

use sqlx::AnyConnection;

use super::prefix::{self, Page};
use super::users::{name_key, UserRow};
use super::{col, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupRow {
    pub group_id: String,
    pub account_id: String,
    pub name: String,
    pub path: String,
    pub created_at: i64,
}

impl GroupRow {
    pub fn arn(&self) -> String {
        crate::arn::iam(&self.account_id, "group", &self.path, &self.name)
    }
}

const COLUMNS: &str = "g.group_id, g.account_id, g.name, g.path, g.created_at";

pub async fn insert(conn: &mut AnyConnection, g: &GroupRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO iam_groups (group_id, account_id, name, name_key, path, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&g.group_id)
    .bind(&g.account_id)
    .bind(&g.name)
    .bind(name_key(&g.name))
    .bind(&g.path)
    .bind(g.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<GroupRow>> {
    let sql = format!("SELECT {COLUMNS} FROM iam_groups g WHERE g.account_id = $1 AND g.name_key = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(name_key(name)).fetch_optional(conn).await?)
}

pub async fn by_id(conn: &mut AnyConnection, group_id: &str) -> Result<Option<GroupRow>> {
    let sql = format!("SELECT {COLUMNS} FROM iam_groups g WHERE g.group_id = $1");
    Ok(sqlx::query_as(&sql).bind(group_id).fetch_optional(conn).await?)
}

/// How many groups the account has (for the GroupsPerAccount quota).
pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM iam_groups WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    col(&row, "n")
}

/// Groups whose path starts with `path_prefix`, ordered by name, after the name key `after` (the marker),
/// at most `limit` of them.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    path_prefix: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<GroupRow>> {
    let select_from = format!("SELECT {COLUMNS} FROM iam_groups g");
    let page = Page { account_id, path_prefix, after, inclusive: false, limit };
    prefix::list(conn, &select_from, "g.", "name_key", page).await
}

pub async fn rename(conn: &mut AnyConnection, group_id: &str, name: &str, path: &str) -> Result<()> {
    sqlx::query("UPDATE iam_groups SET name = $2, name_key = $3, path = $4 WHERE group_id = $1")
        .bind(group_id)
        .bind(name)
        .bind(name_key(name))
        .bind(path)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, group_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM iam_groups WHERE group_id = $1").bind(group_id).execute(conn).await?;
    Ok(())
}

/// Makes the user a member; returns false when it already was one.
pub async fn add_member(conn: &mut AnyConnection, g: &GroupRow, user_id: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO group_members (group_id, user_id, account_id, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(&g.group_id)
    .bind(user_id)
    .bind(&g.account_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends the membership; returns false when the user was not a member.
pub async fn remove_member(conn: &mut AnyConnection, group_id: &str, user_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn is_member(conn: &mut AnyConnection, group_id: &str, user_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Whether the group still has a member (its deletion must wait).
pub async fn any_members(conn: &mut AnyConnection, group_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM group_members WHERE group_id = $1 LIMIT 1")
        .bind(group_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// How many groups the user is in (for the GroupsPerUser quota).
pub async fn count_for_user(conn: &mut AnyConnection, user_id: &str) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM group_members WHERE user_id = $1").bind(user_id).fetch_one(conn).await?;
    col(&row, "n")
}

/// The group's members, ordered by user name, after the name key `after`, at most `limit` of them.
pub async fn members(conn: &mut AnyConnection, group_id: &str, after: &str, limit: i64) -> Result<Vec<UserRow>> {
    Ok(sqlx::query_as(
        "SELECT u.user_id, u.account_id, u.name, u.path, u.permissions_boundary, u.created_at, u.password_last_used
         FROM group_members m JOIN users u ON u.user_id = m.user_id
         WHERE m.group_id = $1 AND u.name_key > $2
         ORDER BY u.name_key LIMIT $3",
    )
    .bind(group_id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The groups the user is in, ordered by group name, after the name key `after`, at most `limit` of them.
pub async fn of_user(conn: &mut AnyConnection, user_id: &str, after: &str, limit: i64) -> Result<Vec<GroupRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM group_members m JOIN iam_groups g ON g.group_id = m.group_id
         WHERE m.user_id = $1 AND g.name_key > $2
         ORDER BY g.name_key LIMIT $3"
    );
    Ok(sqlx::query_as(&sql).bind(user_id).bind(after).bind(limit).fetch_all(conn).await?)
}

/// Whether the user is in any group (DeleteUser must wait).
pub async fn any_for_user(conn: &mut AnyConnection, user_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM group_members WHERE user_id = $1 LIMIT 1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Every membership of the account: (user id, group name), by group name (the account views).
pub async fn memberships_of_account(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT m.user_id AS user_id, g.name AS name FROM group_members m JOIN iam_groups g ON g.group_id = m.group_id
         WHERE g.account_id = $1 ORDER BY g.name_key",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((col(r, "user_id")?, col(r, "name")?))).collect()
}
