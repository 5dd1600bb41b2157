//! Inline policies of users, groups and roles, keyed by the entity's unique id and the policy name (unique per
//! entity regardless of case, as every IAM name).

use sqlx::AnyConnection;

use super::{EntityKind, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InlinePolicyRow {
    pub entity_id: String,
    #[sqlx(try_from = "String")]
    pub entity_kind: EntityKind,
    pub name: String,
    pub document: String,
}

const COLUMNS: &str = "entity_id, entity_kind, name, document";

/// Whether the entity still has an inline policy (its deletion must wait: `must delete policies first`).
pub async fn any_for(conn: &mut AnyConnection, entity_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM inline_policies WHERE entity_id = $1 LIMIT 1")
        .bind(entity_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// The entity's inline policies, ordered by name key.
pub async fn of_entity(conn: &mut AnyConnection, entity_id: &str) -> Result<Vec<InlinePolicyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM inline_policies WHERE entity_id = $1 ORDER BY name_key");
    Ok(sqlx::query_as(&sql).bind(entity_id).fetch_all(conn).await?)
}

/// Every inline policy of the account (the account views).
pub async fn of_account(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<InlinePolicyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM inline_policies WHERE account_id = $1 ORDER BY entity_id, name_key");
    Ok(sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?)
}

/// Adds the policy or replaces the one of that name (PutXPolicy replaces; the name keeps the new spelling).
pub async fn put(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: EntityKind,
    entity_id: &str,
    name: &str,
    document: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO inline_policies (entity_id, entity_kind, account_id, name, name_key, document)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (entity_id, name_key) DO UPDATE SET name = excluded.name, document = excluded.document",
    )
    .bind(entity_id)
    .bind(kind.as_str())
    .bind(account_id)
    .bind(name)
    .bind(super::users::name_key(name))
    .bind(document)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes; false when the entity has no policy of that name.
pub async fn delete(conn: &mut AnyConnection, entity_id: &str, name: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM inline_policies WHERE entity_id = $1 AND name_key = $2")
        .bind(entity_id)
        .bind(super::users::name_key(name))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes every one the entity holds (a service-linked role's, deleted with it).
pub async fn remove_all(conn: &mut AnyConnection, entity_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM inline_policies WHERE entity_id = $1").bind(entity_id).execute(conn).await?;
    Ok(())
}
