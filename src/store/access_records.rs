//! The record of authenticated requests per entity and action, and the service last accessed report jobs.

use sqlx::AnyConnection;

use super::{col, Result};

/// One entity's last request for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionAccess {
    pub entity_id: String,
    /// `iam:GetUser`, `sts:AssumeRole`, ...
    pub action: String,
    pub last_at: i64,
    pub region: String,
}

/// Records a request; an older record never replaces a newer one.
pub async fn record(
    conn: &mut AnyConnection,
    account_id: &str,
    entity_id: &str,
    action: &str,
    at: i64,
    region: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO action_access (entity_id, action, account_id, last_at, region) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (entity_id, action) DO UPDATE SET last_at = excluded.last_at, region = excluded.region
         WHERE excluded.last_at > action_access.last_at",
    )
    .bind(entity_id)
    .bind(action)
    .bind(account_id)
    .bind(at)
    .bind(region)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every record of one entity.
pub async fn of_entity(conn: &mut AnyConnection, entity_id: &str) -> Result<Vec<ActionAccess>> {
    let rows = sqlx::query("SELECT entity_id, action, last_at, region FROM action_access WHERE entity_id = $1")
        .bind(entity_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ActionAccess {
                entity_id: col(r, "entity_id")?,
                action: col(r, "action")?,
                last_at: col(r, "last_at")?,
                region: col(r, "region")?,
            })
        })
        .collect()
}

pub async fn forget_entity(conn: &mut AnyConnection, entity_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM action_access WHERE entity_id = $1").bind(entity_id).execute(conn).await?;
    Ok(())
}

pub async fn insert_report(
    conn: &mut AnyConnection,
    job_id: &str,
    account_id: &str,
    at: i64,
    content: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO access_reports (job_id, account_id, created_at, content) VALUES ($1, $2, $3, $4)")
        .bind(job_id)
        .bind(account_id)
        .bind(at)
        .bind(content)
        .execute(conn)
        .await?;
    Ok(())
}

/// A report of the account: when it was made, and its JSON.
pub async fn report(conn: &mut AnyConnection, account_id: &str, job_id: &str) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as("SELECT created_at, content FROM access_reports WHERE account_id = $1 AND job_id = $2")
        .bind(account_id)
        .bind(job_id)
        .fetch_optional(conn)
        .await?)
}
