//! Console passwords: each account's password policy, each user's login profile (an argon2id hash, never the
//! password) and the hashes of its recent passwords for reuse prevention.

use sqlx::AnyConnection;

use super::Result;

/// An account's password policy as stored; booleans are 0 or 1.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PolicyRow {
    pub account_id: String,
    pub minimum_password_length: i64,
    pub require_symbols: i64,
    pub require_numbers: i64,
    pub require_uppercase: i64,
    pub require_lowercase: i64,
    pub allow_users_to_change: i64,
    pub max_password_age: Option<i64>,
    pub password_reuse_prevention: Option<i64>,
    pub hard_expiry: Option<i64>,
}

const POLICY_COLUMNS: &str = "account_id, minimum_password_length, require_symbols, require_numbers, \
    require_uppercase, require_lowercase, allow_users_to_change, max_password_age, password_reuse_prevention, hard_expiry";

pub async fn policy(conn: &mut AnyConnection, account_id: &str) -> Result<Option<PolicyRow>> {
    let sql = format!("SELECT {POLICY_COLUMNS} FROM password_policies WHERE account_id = $1");
    Ok(sqlx::query_as(&sql).bind(account_id).fetch_optional(conn).await?)
}

/// Replaces the account's policy (UpdateAccountPasswordPolicy sets the whole policy, never part of it).
pub async fn put_policy(conn: &mut AnyConnection, p: &PolicyRow) -> Result<()> {
    sqlx::query("DELETE FROM password_policies WHERE account_id = $1").bind(&p.account_id).execute(&mut *conn).await?;
    let sql =
        format!("INSERT INTO password_policies ({POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
    sqlx::query(&sql)
        .bind(&p.account_id)
        .bind(p.minimum_password_length)
        .bind(p.require_symbols)
        .bind(p.require_numbers)
        .bind(p.require_uppercase)
        .bind(p.require_lowercase)
        .bind(p.allow_users_to_change)
        .bind(p.max_password_age)
        .bind(p.password_reuse_prevention)
        .bind(p.hard_expiry)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the account's policy; whether there was one.
pub async fn delete_policy(conn: &mut AnyConnection, account_id: &str) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM password_policies WHERE account_id = $1").bind(account_id).execute(conn).await?;
    Ok(done.rows_affected() > 0)
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoginProfileRow {
    pub user_id: String,
    /// The argon2id PHC string of the current password.
    pub password_hash: String,
    pub password_reset_required: i64,
    pub created_at: i64,
    pub password_set_at: i64,
}

// A hand-written Debug: a hash is not the password, but it is what an offline guesser needs, so it stays out of logs.
impl std::fmt::Debug for LoginProfileRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginProfileRow")
            .field("user_id", &self.user_id)
            .field("password_reset_required", &self.password_reset_required)
            .field("created_at", &self.created_at)
            .field("password_set_at", &self.password_set_at)
            .finish_non_exhaustive()
    }
}

const PROFILE_COLUMNS: &str = "user_id, password_hash, password_reset_required, created_at, password_set_at";

pub async fn profile(conn: &mut AnyConnection, user_id: &str) -> Result<Option<LoginProfileRow>> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM login_profiles WHERE user_id = $1");
    Ok(sqlx::query_as(&sql).bind(user_id).fetch_optional(conn).await?)
}

/// The login profiles of `user_ids`, for those that have one.
pub async fn profiles_of(conn: &mut AnyConnection, user_ids: &[String]) -> Result<Vec<LoginProfileRow>> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM login_profiles WHERE user_id IN ({{ids}})");
    super::fetch_batched(conn, &sql, &[], user_ids).await
}

pub async fn insert_profile(conn: &mut AnyConnection, p: &LoginProfileRow) -> Result<()> {
    let sql = format!("INSERT INTO login_profiles ({PROFILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5)");
    sqlx::query(&sql)
        .bind(&p.user_id)
        .bind(&p.password_hash)
        .bind(p.password_reset_required)
        .bind(p.created_at)
        .bind(p.password_set_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the profile's password (hash and time set) and reset flag.
pub async fn update_profile(conn: &mut AnyConnection, p: &LoginProfileRow) -> Result<()> {
    sqlx::query(
        "UPDATE login_profiles SET password_hash = $2, password_reset_required = $3, password_set_at = $4
         WHERE user_id = $1",
    )
    .bind(&p.user_id)
    .bind(&p.password_hash)
    .bind(p.password_reset_required)
    .bind(p.password_set_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_profile(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_profiles WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}

/// The hashes of the user's most recent passwords, newest first, at most `limit`.
pub async fn recent_hashes(conn: &mut AnyConnection, user_id: &str, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY seq DESC LIMIT $2")
            .bind(user_id)
            .bind(limit)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(h,)| h).collect())
}

/// Records a newly set password's hash, then keeps only the newest `keep` of the user's hashes.
pub async fn remember(conn: &mut AnyConnection, user_id: &str, hash: &str, at: i64, keep: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO password_history (user_id, seq, password_hash, set_at)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM password_history WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(hash)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM password_history WHERE user_id = $1 AND seq NOT IN
         (SELECT seq FROM password_history WHERE user_id = $1 ORDER BY seq DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets every remembered hash of the user (before the user itself is deleted).
pub async fn forget_history(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM password_history WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}
