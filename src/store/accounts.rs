//! Accounts: the 12-digit containers of every other entity.

use sqlx::AnyConnection;

use super::Result;

/// Creates the account unless it exists (idempotent, so several instances may bootstrap at once). Returns whether
/// this call created it: on Postgres a racing insert waits for the other transaction and then reports `false`.
pub async fn ensure(conn: &mut AnyConnection, account_id: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO accounts (account_id, created_at, revision) VALUES ($1, $2, 0) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The root access key id the environment configured last, if any.
pub async fn configured_root_key(conn: &mut AnyConnection, account_id: &str) -> Result<Option<String>> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT configured_root_key_id FROM accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get::<Option<String>, _>(0)).transpose()?.flatten())
}

pub async fn set_configured_root_key(conn: &mut AnyConnection, account_id: &str, key_id: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET configured_root_key_id = $2 WHERE account_id = $1")
        .bind(account_id)
        .bind(key_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// When the account was created (milliseconds since the epoch; the root user's creation date), if it exists.
pub async fn created_at(conn: &mut AnyConnection, account_id: &str) -> Result<Option<i64>> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT created_at FROM accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
}

/// The account's revision (see `bump_revision`), if the account exists.
pub async fn revision(conn: &mut AnyConnection, account_id: &str) -> Result<Option<i64>> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT revision FROM accounts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
}

/// Bumps the account's revision: the first statement of every write, whose row lock serialises the writers of one
/// account on Postgres and tells other instances that what they cached is stale. On Postgres the same statement
/// notifies the listening instances (`changes`), so every bump, the bootstrap's included, is announced.
///
/// Returns the new revision on SQLite (`None` if there is no such account), where the commit publishes it in
/// memory; on Postgres, where nothing is kept in memory, `None`.
pub async fn bump_revision(conn: &mut AnyConnection, account_id: &str) -> Result<Option<i64>> {
    use sqlx::Row as _;
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query(super::changes::BUMP_AND_NOTIFY).bind(account_id).execute(conn).await?;
        return Ok(None);
    }
    let row = sqlx::query("UPDATE accounts SET revision = revision + 1 WHERE account_id = $1 RETURNING revision")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
}

/// What GetAccountSummary counts in an account.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Counts {
    pub users: i64,
    pub groups: i64,
    pub roles: i64,
    pub policies: i64,
    pub instance_profiles: i64,
    /// Managed policies attached to the account's users, groups and roles, counted per attachment.
    pub attachments: i64,
    /// Active and inactive access keys of the root user.
    pub root_keys: i64,
    /// OpenID Connect and SAML providers together (the summary's `Providers`).
    pub providers: i64,
    /// Virtual MFA devices, and those of them assigned to a user.
    pub mfa_devices: i64,
    pub mfa_devices_in_use: i64,
    /// SetSecurityTokenServicePreferences' version, when one was set.
    pub token_version: Option<String>,
    pub server_certificates: i64,
}

pub async fn counts(conn: &mut AnyConnection, account_id: &str) -> Result<Counts> {
    Ok(sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users WHERE account_id = $1) AS users,
                (SELECT COUNT(*) FROM iam_groups WHERE account_id = $1) AS groups,
                (SELECT COUNT(*) FROM roles WHERE account_id = $1) AS roles,
                (SELECT COUNT(*) FROM managed_policies WHERE account_id = $1) AS policies,
                (SELECT COUNT(*) FROM instance_profiles WHERE account_id = $1) AS instance_profiles,
                (SELECT COUNT(*) FROM policy_attachments WHERE account_id = $1) AS attachments,
                (SELECT COUNT(*) FROM access_keys WHERE account_id = $1 AND owner_kind = 'root') AS root_keys,
                (SELECT COUNT(*) FROM oidc_providers WHERE account_id = $1)
                  + (SELECT COUNT(*) FROM saml_providers WHERE account_id = $1) AS providers,
                (SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1) AS mfa_devices,
                (SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND user_id IS NOT NULL)
                  AS mfa_devices_in_use,
                (SELECT global_endpoint_token_version FROM account_settings WHERE account_id = $1)
                  AS token_version,
                (SELECT COUNT(*) FROM server_certificates WHERE account_id = $1) AS server_certificates",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await?)
}
