//! Account-level settings: the account alias, the STS global endpoint token version, and the last credential
//! report.

use sqlx::AnyConnection;

use super::Result;

/// The account's alias, if it has one.
pub async fn alias(conn: &mut AnyConnection, account_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT alias FROM account_aliases WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0))
}

/// Which account holds an alias, if any.
pub async fn alias_holder(conn: &mut AnyConnection, alias: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT account_id FROM account_aliases WHERE alias = $1")
        .bind(alias)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0))
}

/// Gives the account `alias`, replacing the one it had.
pub async fn set_alias(conn: &mut AnyConnection, account_id: &str, alias: &str, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM account_aliases WHERE account_id = $1").bind(account_id).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO account_aliases (alias, account_id, created_at) VALUES ($1, $2, $3)")
        .bind(alias)
        .bind(account_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_alias(conn: &mut AnyConnection, account_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM account_aliases WHERE account_id = $1").bind(account_id).execute(conn).await?;
    Ok(())
}

/// SetSecurityTokenServicePreferences' version (`v1Token`, `v2Token`), if one was set.
pub async fn token_version(conn: &mut AnyConnection, account_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT global_endpoint_token_version FROM account_settings WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.0))
}

pub async fn set_token_version(conn: &mut AnyConnection, account_id: &str, version: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_settings (account_id, global_endpoint_token_version) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET global_endpoint_token_version = excluded.global_endpoint_token_version",
    )
    .bind(account_id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// The last credential report: when it was generated, and its CSV.
pub async fn credential_report(conn: &mut AnyConnection, account_id: &str) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(sqlx::query_as("SELECT generated_at, content FROM credential_reports WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?)
}

pub async fn put_credential_report(conn: &mut AnyConnection, account_id: &str, at: i64, csv: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO credential_reports (account_id, generated_at, content) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET generated_at = excluded.generated_at, content = excluded.content",
    )
    .bind(account_id)
    .bind(at)
    .bind(csv)
    .execute(conn)
    .await?;
    Ok(())
}
