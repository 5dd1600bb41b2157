//! Inline policies of users, groups and roles, keyed by the entity's unique id.

use sqlx::AnyConnection;

use super::Result;

/// Whether the entity still has an inline policy (its deletion must wait: `must delete policies first`).
pub async fn any_for(conn: &mut AnyConnection, entity_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM inline_policies WHERE entity_id = $1 LIMIT 1")
        .bind(entity_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}
