//! Long-term access keys of users and of root users.

use sqlx::AnyConnection;

use super::Result;

super::text_enum! {
    /// Whether a key authenticates.
    KeyStatus { Active = "Active", Inactive = "Inactive" }
}

super::text_enum! {
    /// Who a key belongs to: the explicit marker of a root key (a missing `user_id` alone never means root).
    OwnerKind { Root = "root", User = "user" }
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessKeyRow {
    pub access_key_id: String,
    pub account_id: String,
    /// `None` for the account's root user.
    pub user_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub owner_kind: OwnerKind,
    pub secret_sealed: Vec<u8>,
    pub master_key_id: String,
    /// The sealing format of `secret_sealed` (see `crypto::KeyBinding`).
    pub seal_version: i64,
    #[sqlx(try_from = "String")]
    pub status: KeyStatus,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

impl std::fmt::Debug for AccessKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyRow")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .field("user_id", &self.user_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl AccessKeyRow {
    /// Whether this is a key of the account's root user: the explicit marker, and no user.
    pub fn is_root(&self) -> bool {
        self.owner_kind == OwnerKind::Root && self.user_id.is_none()
    }

    /// What the key's secret is sealed to.
    pub fn binding(&self) -> crate::crypto::KeyBinding<'_> {
        crate::crypto::KeyBinding {
            account_id: &self.account_id,
            user_id: self.user_id.as_deref(),
            access_key_id: &self.access_key_id,
        }
    }
}

const COLUMNS: &str = "k.access_key_id, k.account_id, k.user_id, k.owner_kind, k.secret_sealed, k.master_key_id, \
                       k.seal_version, k.status, k.created_at, k.last_used_at, k.last_used_service, k.last_used_region";

pub async fn insert(conn: &mut AnyConnection, k: &AccessKeyRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_keys (access_key_id, account_id, user_id, owner_kind, secret_sealed, master_key_id,
                                  seal_version, status, created_at, last_used_at, last_used_service, last_used_region)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&k.access_key_id)
    .bind(&k.account_id)
    .bind(&k.user_id)
    .bind(k.owner_kind.as_str())
    .bind(&k.secret_sealed)
    .bind(&k.master_key_id)
    .bind(k.seal_version)
    .bind(k.status.as_str())
    .bind(k.created_at)
    .bind(k.last_used_at)
    .bind(&k.last_used_service)
    .bind(&k.last_used_region)
    .execute(conn)
    .await?;
    Ok(())
}

/// Re-seals the (unchanged) secret of a key in the current format, or under the current master key. Only a row
/// still sealed as `old_version` is changed, so two instances re-sealing at once do not undo each other.
pub async fn reseal(
    conn: &mut AnyConnection,
    access_key_id: &str,
    old_version: i64,
    sealed: &[u8],
    master_key_id: &str,
    version: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE access_keys SET secret_sealed = $3, master_key_id = $4, seal_version = $5
         WHERE access_key_id = $1 AND seal_version = $2",
    )
    .bind(access_key_id)
    .bind(old_version)
    .bind(sealed)
    .bind(master_key_id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many access keys are stored, in any account: a new master key must not be generated while any exists.
pub async fn count_all(conn: &mut AnyConnection) -> Result<i64> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM access_keys").fetch_one(conn).await?;
    Ok(row.try_get::<i64, _>("n")?)
}

/// Whether `access_key_id` was deleted through the API (deleted ids are remembered, never reissued).
pub async fn was_deleted(conn: &mut AnyConnection, access_key_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT access_key_id FROM deleted_access_keys WHERE access_key_id = $1")
        .bind(access_key_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Forgets that `access_key_id` was deleted: only the explicit recovery command does this.
pub async fn forget_deletion(conn: &mut AnyConnection, access_key_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM deleted_access_keys WHERE access_key_id = $1").bind(access_key_id).execute(conn).await?;
    Ok(())
}

/// A key with its owner's name and path (absent for root keys): what authentication needs, in one query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyWithOwner {
    #[sqlx(flatten)]
    pub key: AccessKeyRow,
    pub user_name: Option<String>,
    pub user_path: Option<String>,
    /// The account of the owning user row, which must be the key's own.
    pub user_account_id: Option<String>,
    /// The owning user's permissions boundary (ARN).
    pub user_boundary: Option<String>,
    /// The key's account's revision, read in the same statement: what the row is current for.
    pub account_revision: i64,
}

pub async fn with_owner(conn: &mut AnyConnection, access_key_id: &str) -> Result<Option<KeyWithOwner>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.name AS user_name, u.path AS user_path, u.account_id AS user_account_id,
                u.permissions_boundary AS user_boundary, a.revision AS account_revision
         FROM access_keys k JOIN accounts a ON a.account_id = k.account_id
         LEFT JOIN users u ON u.user_id = k.user_id WHERE k.access_key_id = $1"
    );
    Ok(sqlx::query_as(&sql).bind(access_key_id).fetch_optional(conn).await?)
}

pub async fn by_id(conn: &mut AnyConnection, access_key_id: &str) -> Result<Option<AccessKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM access_keys k WHERE k.access_key_id = $1");
    Ok(sqlx::query_as(&sql).bind(access_key_id).fetch_optional(conn).await?)
}

/// The keys of a user, or of the account's root user when `user_id` is `None`, oldest first.
pub async fn of_owner(conn: &mut AnyConnection, account_id: &str, user_id: Option<&str>) -> Result<Vec<AccessKeyRow>> {
    let rows = match user_id {
        Some(u) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM access_keys k WHERE k.user_id = $1 ORDER BY k.created_at, k.access_key_id"
            );
            sqlx::query_as(&sql).bind(u).fetch_all(conn).await?
        }
        None => {
            let sql = format!(
                "SELECT {COLUMNS} FROM access_keys k WHERE k.account_id = $1 AND k.user_id IS NULL ORDER BY k.created_at, k.access_key_id"
            );
            sqlx::query_as(&sql).bind(account_id).fetch_all(conn).await?
        }
    };
    Ok(rows)
}

/// The access keys of the account's users `user_ids`, by user, then as [`of_owner`] orders one user's: a query per
/// batch of users where `of_owner` per user would be as many as the users.
pub async fn of_users(conn: &mut AnyConnection, account_id: &str, user_ids: &[String]) -> Result<Vec<AccessKeyRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM access_keys k WHERE k.account_id = $1 AND k.user_id IN ({{ids}})
         ORDER BY k.user_id, k.created_at, k.access_key_id"
    );
    super::fetch_batched(conn, &sql, &[account_id], user_ids).await
}

pub async fn set_status(conn: &mut AnyConnection, access_key_id: &str, status: KeyStatus) -> Result<()> {
    sqlx::query("UPDATE access_keys SET status = $2 WHERE access_key_id = $1")
        .bind(access_key_id)
        .bind(status.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes a key and remembers its id (see `was_deleted`).
pub async fn delete(conn: &mut AnyConnection, account_id: &str, access_key_id: &str, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM access_keys WHERE access_key_id = $1").bind(access_key_id).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO deleted_access_keys (access_key_id, account_id, deleted_at) VALUES ($1, $2, $3)
         ON CONFLICT (access_key_id) DO NOTHING",
    )
    .bind(access_key_id)
    .bind(account_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_use(
    conn: &mut AnyConnection,
    access_key_id: &str,
    at: i64,
    service: &str,
    region: &str,
) -> Result<()> {
    sqlx::query("UPDATE access_keys SET last_used_at = $2, last_used_service = $3, last_used_region = $4 WHERE access_key_id = $1")
        .bind(access_key_id)
        .bind(at)
        .bind(service)
        .bind(region)
        .execute(conn)
        .await?;
    Ok(())
}
