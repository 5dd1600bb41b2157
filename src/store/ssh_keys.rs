//! Users' SSH public keys (for CodeCommit).

use sqlx::AnyConnection;

use super::keys::KeyStatus;
use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SshKeyRow {
    pub ssh_public_key_id: String,
    pub account_id: String,
    pub user_id: String,
    /// MD5 of the key blob, `xx:xx:...`.
    pub fingerprint: String,
    /// The key as one OpenSSH line, `ssh-rsa AAAA...`.
    pub body_ssh: String,
    /// The key as a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo).
    pub body_pem: String,
    #[sqlx(try_from = "String")]
    pub status: KeyStatus,
    pub uploaded_at: i64,
}

const COLUMNS: &str = "ssh_public_key_id, account_id, user_id, fingerprint, body_ssh, body_pem, status, uploaded_at";

pub async fn insert(conn: &mut AnyConnection, k: &SshKeyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO ssh_public_keys (ssh_public_key_id, account_id, user_id, fingerprint, body_ssh, body_pem, status,
                                      uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&k.ssh_public_key_id)
    .bind(&k.account_id)
    .bind(&k.user_id)
    .bind(&k.fingerprint)
    .bind(&k.body_ssh)
    .bind(&k.body_pem)
    .bind(k.status.as_str())
    .bind(k.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's keys, oldest first.
pub async fn of_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<SshKeyRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM ssh_public_keys WHERE user_id = $1 ORDER BY uploaded_at, ssh_public_key_id");
    Ok(sqlx::query_as(&sql).bind(user_id).fetch_all(conn).await?)
}

/// The key with this id, if it belongs to the user.
pub async fn of_user_by_id(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<Option<SshKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM ssh_public_keys WHERE user_id = $1 AND ssh_public_key_id = $2");
    Ok(sqlx::query_as(&sql).bind(user_id).bind(id).fetch_optional(conn).await?)
}

pub async fn set_status(conn: &mut AnyConnection, id: &str, status: KeyStatus) -> Result<()> {
    sqlx::query("UPDATE ssh_public_keys SET status = $2 WHERE ssh_public_key_id = $1")
        .bind(id)
        .bind(status.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM ssh_public_keys WHERE ssh_public_key_id = $1").bind(id).execute(conn).await?;
    Ok(())
}
