//! What decisions about one principal need from the store: every policy document that applies to a user (its
//! own inline and attached policies and those of its groups), a group or a role, and its permissions boundary's
//! document. One statement each, so that a cache miss costs few round trips.

use sqlx::AnyConnection;

use super::{col, EntityKind, Result};

/// Where a held policy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// An inline policy of the entity itself or of one of its groups.
    Inline,
    /// An attached managed policy; `document` is `None` for AWS managed ones (the catalogue has them).
    Attached,
}

/// One policy that applies to the principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPolicy {
    pub held: Held,
    /// Who holds it: the entity itself, or a group the user is a member of.
    pub holder_kind: EntityKind,
    pub holder_name: String,
    /// The inline policy's name, or the managed policy's name.
    pub name: String,
    /// The managed policy's ARN (empty for inline policies).
    pub arn: String,
    /// The inline document, or the default version of a customer managed policy; `None` for AWS managed ones.
    pub document: Option<String>,
}

/// The entity's policies, the user's own first, then its groups' (by group name), inline before attached.
/// `entity_id` is a user id, a group id or a role id (only a user is a member of groups; for the others the
/// membership part finds nothing).
pub async fn held_policies(conn: &mut AnyConnection, entity_id: &str) -> Result<Vec<HeldPolicy>> {
    // Holders: the entity (rank 0) and a user's groups (rank 1), with the name each is shown by.
    const HOLDERS: &str = "SELECT u.user_id AS id, 'user' AS kind, u.name AS holder_name, 0 AS rank FROM users u \
             WHERE u.user_id = $1 \
         UNION ALL SELECT r.role_id, 'role', r.name, 0 FROM roles r WHERE r.role_id = $1 \
         UNION ALL SELECT g.group_id, 'group', g.name, 0 FROM iam_groups g WHERE g.group_id = $1 \
         UNION ALL SELECT g.group_id, 'group', g.name, 1 FROM group_members m \
             JOIN iam_groups g ON g.group_id = m.group_id WHERE m.user_id = $1";
    let sql = format!(
        "WITH holders AS ({HOLDERS}) \
         SELECT 'inline' AS held, h.kind, h.holder_name, h.rank, i.name_key AS sort_key, i.name, '' AS arn, \
                i.document \
           FROM holders h JOIN inline_policies i ON i.entity_id = h.id \
         UNION ALL \
         SELECT 'attached', h.kind, h.holder_name, h.rank, a.policy_arn, a.policy_name, a.policy_arn, v.document \
           FROM holders h JOIN policy_attachments a ON a.entity_id = h.id \
           LEFT JOIN managed_policies p ON p.arn = a.policy_arn \
           LEFT JOIN policy_versions v ON v.policy_id = p.policy_id AND v.version = p.default_version \
         ORDER BY 4, 3, 1 DESC, 5"
    );
    let rows = sqlx::query(&sql).bind(entity_id).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let held = match col::<String>(r, "held")?.as_str() {
                "inline" => Held::Inline,
                _ => Held::Attached,
            };
            let holder_kind = EntityKind::try_from(col::<String>(r, "kind")?)
                .map_err(|e| super::StoreError::Database(sqlx::Error::Decode(e.into())))?;
            Ok(HeldPolicy {
                held,
                holder_kind,
                holder_name: col(r, "holder_name")?,
                name: col(r, "name")?,
                arn: col(r, "arn")?,
                document: col(r, "document")?,
            })
        })
        .collect()
}

/// The default version's document of the customer managed policy `arn` (a permissions boundary), if it exists.
pub async fn managed_document(conn: &mut AnyConnection, arn: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT v.document FROM managed_policies p \
         JOIN policy_versions v ON v.policy_id = p.policy_id AND v.version = p.default_version WHERE p.arn = $1",
    )
    .bind(arn)
    .fetch_optional(conn)
    .await?;
    row.map(|r| col(&r, "document")).transpose()
}
