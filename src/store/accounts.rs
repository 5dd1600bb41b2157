//! Accounts: the 12-digit containers of every other entity.

use sqlx::AnyConnection;

use super::Result;

/// Creates the account unless it exists (idempotent, so several instances may bootstrap at once).
pub async fn ensure(conn: &mut AnyConnection, account_id: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO accounts (account_id, created_at, revision) VALUES ($1, $2, 0) ON CONFLICT (account_id) DO NOTHING")
        .bind(account_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// When the account was created (milliseconds since the epoch; the root user's creation date), if it exists.
pub async fn created_at(conn: &mut AnyConnection, account_id: &str) -> Result<Option<i64>> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT created_at FROM accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
}
