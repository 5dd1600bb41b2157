//! Managed policies attached to users, groups and roles, keyed by the entity's unique id and the policy's ARN.

use sqlx::AnyConnection;

use super::Result;

/// Whether a managed policy is still attached to the entity (its deletion must wait: `must detach all policies
/// first`).
pub async fn any_for(conn: &mut AnyConnection, entity_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM policy_attachments WHERE entity_id = $1 LIMIT 1")
        .bind(entity_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}
