//! Tags of any taggable entity, keyed by the entity's unique id.

use sqlx::AnyConnection;

use super::{col, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

pub async fn list(conn: &mut AnyConnection, resource_id: &str) -> Result<Vec<Tag>> {
    let rows = sqlx::query("SELECT tag_key, tag_value FROM tags WHERE resource_id = $1 ORDER BY seq")
        .bind(resource_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(Tag { key: col(r, "tag_key")?, value: col(r, "tag_value")? })).collect()
}

/// The tags of each of `resource_ids`, as [`list`] orders one entity's, keyed by the id: a query per batch of
/// entities, not one per entity.
pub async fn of_each(
    conn: &mut AnyConnection,
    resource_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<Tag>>> {
    let sql = "SELECT resource_id, tag_key, tag_value FROM tags WHERE resource_id IN ({ids}) ORDER BY resource_id, seq";
    let rows: Vec<(String, String, String)> = super::fetch_batched(conn, sql, &[], resource_ids).await?;
    let mut of_each: std::collections::HashMap<String, Vec<Tag>> = std::collections::HashMap::new();
    for (id, key, value) in rows {
        of_each.entry(id).or_default().push(Tag { key, value });
    }
    Ok(of_each)
}

/// Adds or replaces tags. A key that differs only in case from an existing one replaces it, as in IAM.
pub async fn put(conn: &mut AnyConnection, resource_id: &str, tags: &[Tag]) -> Result<()> {
    for t in tags {
        sqlx::query(
            "INSERT INTO tags (resource_id, key_lower, tag_key, tag_value, seq)
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tags WHERE resource_id = $1))
             ON CONFLICT (resource_id, key_lower) DO UPDATE SET tag_key = excluded.tag_key, tag_value = excluded.tag_value",
        )
        .bind(resource_id)
        .bind(t.key.to_lowercase())
        .bind(&t.key)
        .bind(&t.value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn remove(conn: &mut AnyConnection, resource_id: &str, keys: &[String]) -> Result<()> {
    for k in keys {
        sqlx::query("DELETE FROM tags WHERE resource_id = $1 AND key_lower = $2")
            .bind(resource_id)
            .bind(k.to_lowercase())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn remove_all(conn: &mut AnyConnection, resource_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM tags WHERE resource_id = $1").bind(resource_id).execute(conn).await?;
    Ok(())
}

/// How many distinct keys the resource would carry after adding `new_keys`.
pub async fn count_after_put(conn: &mut AnyConnection, resource_id: &str, new_keys: &[String]) -> Result<usize> {
    let existing: Vec<String> = sqlx::query("SELECT key_lower FROM tags WHERE resource_id = $1")
        .bind(resource_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| col(r, "key_lower"))
        .collect::<Result<_>>()?;
    let mut all: std::collections::BTreeSet<String> = existing.into_iter().collect();
    all.extend(new_keys.iter().map(|k| k.to_lowercase()));
    Ok(all.len())
}
