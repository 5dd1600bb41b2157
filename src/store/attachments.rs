//! Managed policies attached to users, groups and roles, keyed by the entity's unique id and the policy's ARN.
//! AWS managed policies are not rows of managed_policies, so the ARN (with the name kept beside it) is what an
//! attachment names.

use sqlx::AnyConnection;

use super::{col, EntityKind, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub entity_id: String,
    #[sqlx(try_from = "String")]
    pub entity_kind: EntityKind,
    pub policy_arn: String,
    pub policy_name: String,
}

const COLUMNS: &str = "entity_id, entity_kind, policy_arn, policy_name";

/// Whether a managed policy is still attached to the entity (its deletion must wait: `must detach all policies
/// first`).
pub async fn any_for(conn: &mut AnyConnection, entity_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM policy_attachments WHERE entity_id = $1 LIMIT 1")
        .bind(entity_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Attaches; false when the policy was attached already (attaching is idempotent in IAM).
pub async fn attach(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: EntityKind,
    entity_id: &str,
    policy_arn: &str,
    policy_name: &str,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO policy_attachments (entity_id, entity_kind, account_id, policy_arn, policy_name, attached_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (entity_id, policy_arn) DO NOTHING",
    )
    .bind(entity_id)
    .bind(kind.as_str())
    .bind(account_id)
    .bind(policy_arn)
    .bind(policy_name)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Detaches; false when the policy was not attached.
pub async fn detach(conn: &mut AnyConnection, entity_id: &str, policy_arn: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM policy_attachments WHERE entity_id = $1 AND policy_arn = $2")
        .bind(entity_id)
        .bind(policy_arn)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn count_for(conn: &mut AnyConnection, entity_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM policy_attachments WHERE entity_id = $1")
        .bind(entity_id)
        .fetch_one(conn)
        .await?;
    col(&row, "n")
}

/// The entity's attached policies, ordered by ARN (a handful: the quota is 10 by default, so the domain filters
/// and pages them in memory).
pub async fn of_entity(conn: &mut AnyConnection, entity_id: &str) -> Result<Vec<AttachmentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM policy_attachments WHERE entity_id = $1 ORDER BY policy_arn");
    Ok(sqlx::query_as(&sql).bind(entity_id).fetch_all(conn).await?)
}

/// Every attachment of the account (the account views).
pub async fn of_account(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<AttachmentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM policy_attachments WHERE account_id = $1 ORDER BY entity_id, policy_arn");
    Ok(sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?)
}

/// The entities a policy is attached to in the account.
pub async fn of_policy(conn: &mut AnyConnection, account_id: &str, policy_arn: &str) -> Result<Vec<AttachmentRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM policy_attachments WHERE account_id = $1 AND policy_arn = $2 ORDER BY entity_id"
    );
    Ok(sqlx::query_as(&sql).bind(account_id).bind(policy_arn).fetch_all(conn).await?)
}

/// How many entities of the account the policy is attached to (its AttachmentCount).
pub async fn count_of_policy(conn: &mut AnyConnection, account_id: &str, policy_arn: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM policy_attachments WHERE account_id = $1 AND policy_arn = $2")
        .bind(account_id)
        .bind(policy_arn)
        .fetch_one(conn)
        .await?;
    col(&row, "n")
}

/// AttachmentCount of every policy attached in the account: (policy ARN, count).
pub async fn counts(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT policy_arn, COUNT(*) AS n FROM policy_attachments WHERE account_id = $1 GROUP BY policy_arn",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((col(r, "policy_arn")?, col(r, "n")?))).collect()
}

/// The entities a policy is attached to in the account, each as (kind, name, unique id, path).
pub async fn entities_of_policy(
    conn: &mut AnyConnection,
    account_id: &str,
    policy_arn: &str,
) -> Result<Vec<(EntityKind, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT a.entity_kind AS kind, a.entity_id AS id,
                COALESCE(u.name, g.name, r.name) AS name, COALESCE(u.path, g.path, r.path) AS path
         FROM policy_attachments a
         LEFT JOIN users u ON u.user_id = a.entity_id
         LEFT JOIN iam_groups g ON g.group_id = a.entity_id
         LEFT JOIN roles r ON r.role_id = a.entity_id
         WHERE a.account_id = $1 AND a.policy_arn = $2",
    )
    .bind(account_id)
    .bind(policy_arn)
    .fetch_all(conn)
    .await?;
    rows.iter().map(entity).collect()
}

/// The users and roles of the account whose permissions boundary is `policy_arn`, as (kind, name, id, path).
pub async fn entities_with_boundary(
    conn: &mut AnyConnection,
    account_id: &str,
    policy_arn: &str,
) -> Result<Vec<(EntityKind, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT 'user' AS kind, user_id AS id, name, path FROM users WHERE account_id = $1 AND permissions_boundary = $2
         UNION ALL
         SELECT 'role' AS kind, role_id AS id, name, path FROM roles WHERE account_id = $1 AND permissions_boundary = $2",
    )
    .bind(account_id)
    .bind(policy_arn)
    .fetch_all(conn)
    .await?;
    rows.iter().map(entity).collect()
}

fn entity(r: &sqlx::any::AnyRow) -> Result<(EntityKind, String, String, String)> {
    let kind: String = col(r, "kind")?;
    let kind = EntityKind::try_from(kind).map_err(|e| super::StoreError::Database(sqlx::Error::Decode(e.into())))?;
    Ok((kind, col(r, "name")?, col(r, "id")?, col(r, "path")?))
}

/// Removes every one the entity holds (a service-linked role's, deleted with it).
pub async fn remove_all(conn: &mut AnyConnection, entity_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM policy_attachments WHERE entity_id = $1").bind(entity_id).execute(conn).await?;
    Ok(())
}
