//! Users' service-specific credentials (CodeCommit and Keyspaces passwords, Bedrock and CloudWatch Logs API keys).

use sqlx::AnyConnection;

use super::keys::KeyStatus;
use super::Result;

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServiceCredentialRow {
    pub credential_id: String,
    pub account_id: String,
    pub user_id: String,
    pub service_name: String,
    /// `USER-at-ACCOUNT` for the password services; `None` for API keys.
    pub service_user_name: Option<String>,
    /// The public half of an API key; `None` for the password services.
    pub credential_alias: Option<String>,
    /// The password or API-key secret, sealed (`crypto::CredentialBinding`).
    pub secret_sealed: Vec<u8>,
    pub master_key_id: String,
    #[sqlx(try_from = "String")]
    pub status: KeyStatus,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

impl std::fmt::Debug for ServiceCredentialRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceCredentialRow")
            .field("credential_id", &self.credential_id)
            .field("service_name", &self.service_name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "credential_id, account_id, user_id, service_name, service_user_name, credential_alias, \
                       secret_sealed, master_key_id, status, created_at, expires_at";

pub async fn insert(conn: &mut AnyConnection, c: &ServiceCredentialRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_specific_credentials (credential_id, account_id, user_id, service_name, service_user_name,
                                                   credential_alias, secret_sealed, master_key_id, status, created_at,
                                                   expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&c.credential_id)
    .bind(&c.account_id)
    .bind(&c.user_id)
    .bind(&c.service_name)
    .bind(&c.service_user_name)
    .bind(&c.credential_alias)
    .bind(&c.secret_sealed)
    .bind(&c.master_key_id)
    .bind(c.status.as_str())
    .bind(c.created_at)
    .bind(c.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's credentials, oldest first.
pub async fn of_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<ServiceCredentialRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM service_specific_credentials WHERE user_id = $1 ORDER BY created_at, credential_id"
    );
    Ok(sqlx::query_as(&sql).bind(user_id).fetch_all(conn).await?)
}

/// Every credential of the account with the owner's name, for ListServiceSpecificCredentials with AllUsers.
pub async fn of_account(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<(ServiceCredentialRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct WithName {
        #[sqlx(flatten)]
        row: ServiceCredentialRow,
        user_name: String,
    }
    let sql = format!(
        "SELECT {}, u.name AS user_name FROM service_specific_credentials c JOIN users u ON u.user_id = c.user_id
         WHERE c.account_id = $1 ORDER BY c.created_at, c.credential_id",
        COLUMNS.split(", ").map(|c| format!("c.{}", c.trim())).collect::<Vec<_>>().join(", ")
    );
    let rows: Vec<WithName> = sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| (r.row, r.user_name)).collect())
}

pub async fn of_user_by_id(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<Option<ServiceCredentialRow>> {
    let sql = format!("SELECT {COLUMNS} FROM service_specific_credentials WHERE user_id = $1 AND credential_id = $2");
    Ok(sqlx::query_as(&sql).bind(user_id).bind(id).fetch_optional(conn).await?)
}

pub async fn set_status(conn: &mut AnyConnection, id: &str, status: KeyStatus) -> Result<()> {
    sqlx::query("UPDATE service_specific_credentials SET status = $2 WHERE credential_id = $1")
        .bind(id)
        .bind(status.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the sealed secret (ResetServiceSpecificCredential).
pub async fn set_secret(conn: &mut AnyConnection, id: &str, sealed: &[u8], master_key_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE service_specific_credentials SET secret_sealed = $2, master_key_id = $3 WHERE credential_id = $1",
    )
    .bind(id)
    .bind(sealed)
    .bind(master_key_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM service_specific_credentials WHERE credential_id = $1").bind(id).execute(conn).await?;
    Ok(())
}
