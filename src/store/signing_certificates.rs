//! Users' X.509 signing certificates.

use sqlx::AnyConnection;

use super::keys::KeyStatus;
use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SigningCertificateRow {
    pub certificate_id: String,
    pub account_id: String,
    pub user_id: String,
    /// SHA-256 of the certificate's DER, hex: what makes it a duplicate in its account.
    pub der_sha256: String,
    /// The PEM body as uploaded.
    pub body: String,
    #[sqlx(try_from = "String")]
    pub status: KeyStatus,
    pub uploaded_at: i64,
}

const COLUMNS: &str = "certificate_id, account_id, user_id, der_sha256, body, status, uploaded_at";

pub async fn insert(conn: &mut AnyConnection, c: &SigningCertificateRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO signing_certificates (certificate_id, account_id, user_id, der_sha256, body, status, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.certificate_id)
    .bind(&c.account_id)
    .bind(&c.user_id)
    .bind(&c.der_sha256)
    .bind(&c.body)
    .bind(c.status.as_str())
    .bind(c.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's certificates, oldest first.
pub async fn of_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<SigningCertificateRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM signing_certificates WHERE user_id = $1 ORDER BY uploaded_at, certificate_id");
    Ok(sqlx::query_as(&sql).bind(user_id).fetch_all(conn).await?)
}

/// The signing certificates of `user_ids`, by user, then as [`of_user`] orders one user's.
pub async fn of_users(conn: &mut AnyConnection, user_ids: &[String]) -> Result<Vec<SigningCertificateRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM signing_certificates WHERE user_id IN ({{ids}}) ORDER BY user_id, uploaded_at, certificate_id"
    );
    super::fetch_batched(conn, &sql, &[], user_ids).await
}

/// Whether the account already holds this certificate (for any user).
pub async fn exists_in_account(conn: &mut AnyConnection, account_id: &str, der_sha256: &str) -> Result<bool> {
    let row = sqlx::query("SELECT certificate_id FROM signing_certificates WHERE account_id = $1 AND der_sha256 = $2")
        .bind(account_id)
        .bind(der_sha256)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

pub async fn of_user_by_id(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<Option<SigningCertificateRow>> {
    let sql = format!("SELECT {COLUMNS} FROM signing_certificates WHERE user_id = $1 AND certificate_id = $2");
    Ok(sqlx::query_as(&sql).bind(user_id).bind(id).fetch_optional(conn).await?)
}

pub async fn set_status(conn: &mut AnyConnection, id: &str, status: KeyStatus) -> Result<()> {
    sqlx::query("UPDATE signing_certificates SET status = $2 WHERE certificate_id = $1")
        .bind(id)
        .bind(status.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM signing_certificates WHERE certificate_id = $1").bind(id).execute(conn).await?;
    Ok(())
}
