//! The account's server certificates (for load balancers and CloudFront): the certificate, its chain, and its
//! private key sealed (never returned).

use sqlx::AnyConnection;

use super::prefix::{self, Page};
use super::Result;

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ServerCertificateRow {
    pub server_certificate_id: String,
    pub account_id: String,
    pub name: String,
    pub path: String,
    pub body: String,
    pub chain: Option<String>,
    /// The private key's PEM, sealed (`crypto::CredentialBinding`).
    pub key_sealed: Vec<u8>,
    pub master_key_id: String,
    /// The certificate's notAfter.
    pub expires_at: i64,
    pub uploaded_at: i64,
}

impl std::fmt::Debug for ServerCertificateRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCertificateRow")
            .field("server_certificate_id", &self.server_certificate_id)
            .field("name", &self.name)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl ServerCertificateRow {
    pub fn arn(&self) -> String {
        crate::arn::iam(&self.account_id, "server-certificate", &self.path, &self.name)
    }
}

const COLUMNS: &str = "server_certificate_id, account_id, name, path, body, chain, key_sealed, master_key_id, \
                       expires_at, uploaded_at";

pub async fn insert(conn: &mut AnyConnection, c: &ServerCertificateRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO server_certificates (server_certificate_id, account_id, name, name_lower, path, body, chain,
                                          key_sealed, master_key_id, expires_at, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&c.server_certificate_id)
    .bind(&c.account_id)
    .bind(&c.name)
    .bind(super::users::name_key(&c.name))
    .bind(&c.path)
    .bind(&c.body)
    .bind(&c.chain)
    .bind(&c.key_sealed)
    .bind(&c.master_key_id)
    .bind(c.expires_at)
    .bind(c.uploaded_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_name(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<Option<ServerCertificateRow>> {
    let sql = format!("SELECT {COLUMNS} FROM server_certificates WHERE account_id = $1 AND name_lower = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(super::users::name_key(name)).fetch_optional(conn).await?)
}

/// Those whose path starts with `path_prefix`, ordered by name key, after the key `after`, at most `limit`.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    path_prefix: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<ServerCertificateRow>> {
    let select_from = format!("SELECT {COLUMNS} FROM server_certificates");
    let page = Page { account_id, path_prefix, after, inclusive: false, limit };
    prefix::list(conn, &select_from, "", "name_lower", page).await
}

pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM server_certificates WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")?)
}

/// Renames and/or moves a certificate.
pub async fn rename(conn: &mut AnyConnection, id: &str, name: &str, path: &str) -> Result<()> {
    sqlx::query(
        "UPDATE server_certificates SET name = $2, name_lower = $3, path = $4 WHERE server_certificate_id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(super::users::name_key(name))
    .bind(path)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM server_certificates WHERE server_certificate_id = $1").bind(id).execute(conn).await?;
    Ok(())
}
