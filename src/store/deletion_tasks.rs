//! DeleteServiceLinkedRole's tasks, which GetServiceLinkedRoleDeletionStatus reports on.

use sqlx::AnyConnection;

use super::{text_enum, Result};

text_enum!(
    /// Where a deletion task stands (IAM's DeletionTaskStatusType).
    TaskStatus { Succeeded = "SUCCEEDED", InProgress = "IN_PROGRESS", Failed = "FAILED", NotStarted = "NOT_STARTED" }
);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeletionTaskRow {
    pub deletion_task_id: String,
    pub account_id: String,
    pub role_name: String,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub reason: Option<String>,
    pub created_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, t: &DeletionTaskRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO role_deletion_tasks (deletion_task_id, account_id, role_name, status, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&t.deletion_task_id)
    .bind(&t.account_id)
    .bind(&t.role_name)
    .bind(t.status.as_str())
    .bind(&t.reason)
    .bind(t.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_id(conn: &mut AnyConnection, account_id: &str, id: &str) -> Result<Option<DeletionTaskRow>> {
    Ok(sqlx::query_as(
        "SELECT deletion_task_id, account_id, role_name, status, reason, created_at FROM role_deletion_tasks
         WHERE account_id = $1 AND deletion_task_id = $2",
    )
    .bind(account_id)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}
