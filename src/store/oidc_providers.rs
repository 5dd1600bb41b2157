//! OpenID Connect providers, their client ids (audiences) and their certificate thumbprints.

use sqlx::AnyConnection;

use super::{col, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OidcProviderRow {
    /// Internal: the id its tags are stored under.
    pub provider_id: String,
    pub account_id: String,
    /// The provider's URL without `https://`, as its ARN shows it.
    pub url: String,
    pub created_at: i64,
}

impl OidcProviderRow {
    pub fn arn(&self) -> String {
        arn(&self.account_id, &self.url)
    }
}

/// `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`
pub fn arn(account_id: &str, url: &str) -> String {
    format!("arn:aws:iam::{account_id}:oidc-provider/{url}")
}

const COLUMNS: &str = "provider_id, account_id, url, created_at";

pub async fn insert(conn: &mut AnyConnection, p: &OidcProviderRow) -> Result<()> {
    sqlx::query("INSERT INTO oidc_providers (provider_id, account_id, url, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&p.provider_id)
        .bind(&p.account_id)
        .bind(&p.url)
        .bind(p.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn by_url(conn: &mut AnyConnection, account_id: &str, url: &str) -> Result<Option<OidcProviderRow>> {
    let sql = format!("SELECT {COLUMNS} FROM oidc_providers WHERE account_id = $1 AND url = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(url).fetch_optional(conn).await?)
}

/// The account's providers, ordered by URL.
pub async fn list(conn: &mut AnyConnection, account_id: &str) -> Result<Vec<OidcProviderRow>> {
    let sql = format!("SELECT {COLUMNS} FROM oidc_providers WHERE account_id = $1 ORDER BY url");
    Ok(sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?)
}

/// How many OIDC providers the account has (the OpenIdConnectProviders quota).
pub async fn count(conn: &mut AnyConnection, account_id: &str) -> Result<i64> {
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM oidc_providers WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await?;
    Ok(n.0)
}

/// The provider's client ids in the order they were added.
pub async fn client_ids(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT client_id FROM oidc_client_ids WHERE provider_id = $1 ORDER BY seq")
        .bind(provider_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| col(r, "client_id")).collect()
}

/// Adds a client id after the others; one the provider has already is left as it is.
pub async fn add_client_id(conn: &mut AnyConnection, provider_id: &str, client_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO oidc_client_ids (provider_id, seq, client_id)
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM oidc_client_ids WHERE provider_id = $1), $2)
         ON CONFLICT (provider_id, client_id) DO NOTHING",
    )
    .bind(provider_id)
    .bind(client_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_client_id(conn: &mut AnyConnection, provider_id: &str, client_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM oidc_client_ids WHERE provider_id = $1 AND client_id = $2")
        .bind(provider_id)
        .bind(client_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn thumbprints(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT thumbprint FROM oidc_thumbprints WHERE provider_id = $1 ORDER BY seq")
        .bind(provider_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| col(r, "thumbprint")).collect()
}

/// Replaces the provider's thumbprints with `thumbprints`, in that order.
pub async fn set_thumbprints(conn: &mut AnyConnection, provider_id: &str, thumbprints: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM oidc_thumbprints WHERE provider_id = $1").bind(provider_id).execute(&mut *conn).await?;
    for (seq, t) in (1_i64..).zip(thumbprints) {
        sqlx::query("INSERT INTO oidc_thumbprints (provider_id, seq, thumbprint) VALUES ($1, $2, $3)")
            .bind(provider_id)
            .bind(seq)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes the provider with its client ids and thumbprints (its tags are the caller's to remove).
pub async fn delete(conn: &mut AnyConnection, provider_id: &str) -> Result<()> {
    for sql in [
        "DELETE FROM oidc_client_ids WHERE provider_id = $1",
        "DELETE FROM oidc_thumbprints WHERE provider_id = $1",
        "DELETE FROM oidc_providers WHERE provider_id = $1",
    ] {
        sqlx::query(sql).bind(provider_id).execute(&mut *conn).await?;
    }
    Ok(())
}
