//! Virtual MFA devices: the sealed TOTP seed, the user a device is assigned to, and the last time step a code was
//! accepted at (so that no code is accepted twice, whichever instance sees it).

use sqlx::AnyConnection;

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MfaDeviceRow {
    /// Internal: the id its tags are stored under and its seed is sealed to.
    pub device_id: String,
    pub account_id: String,
    /// The device's ARN, `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`.
    pub serial_number: String,
    pub path: String,
    pub name: String,
    pub seed_sealed: Vec<u8>,
    pub master_key_id: String,
    /// The user it is assigned to, if any.
    pub user_id: Option<String>,
    pub enabled_at: Option<i64>,
    pub last_step: Option<i64>,
    pub drift_steps: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "device_id, account_id, serial_number, path, name, seed_sealed, master_key_id, user_id, \
                       enabled_at, last_step, drift_steps, created_at";

pub async fn insert(conn: &mut AnyConnection, d: &MfaDeviceRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO mfa_devices (device_id, account_id, serial_number, path, name, name_key, seed_sealed,
                                  master_key_id, user_id, enabled_at, last_step, drift_steps, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&d.device_id)
    .bind(&d.account_id)
    .bind(&d.serial_number)
    .bind(&d.path)
    .bind(&d.name)
    .bind(d.name.to_lowercase())
    .bind(&d.seed_sealed)
    .bind(&d.master_key_id)
    .bind(&d.user_id)
    .bind(d.enabled_at)
    .bind(d.last_step)
    .bind(d.drift_steps)
    .bind(d.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_serial(conn: &mut AnyConnection, account_id: &str, serial: &str) -> Result<Option<MfaDeviceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM mfa_devices WHERE account_id = $1 AND serial_number = $2");
    Ok(sqlx::query_as(&sql).bind(account_id).bind(serial).fetch_optional(conn).await?)
}

/// Whether a device of this name (without regard to case) exists in the account.
pub async fn name_taken(conn: &mut AnyConnection, account_id: &str, name: &str) -> Result<bool> {
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM mfa_devices WHERE account_id = $1 AND name_key = $2")
        .bind(account_id)
        .bind(name.to_lowercase())
        .fetch_one(conn)
        .await?;
    Ok(n.0 > 0)
}

/// The devices assigned to a user, by serial number.
pub async fn of_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<MfaDeviceRow>> {
    let sql = format!("SELECT {COLUMNS} FROM mfa_devices WHERE user_id = $1 ORDER BY serial_number");
    Ok(sqlx::query_as(&sql).bind(user_id).fetch_all(conn).await?)
}

/// Which of `user_ids` hold an MFA device: a query per batch of users.
pub async fn users_with_devices(conn: &mut AnyConnection, user_ids: &[String]) -> Result<Vec<String>> {
    let sql = "SELECT DISTINCT user_id FROM mfa_devices WHERE user_id IN ({ids})";
    let rows: Vec<(String,)> = super::fetch_batched(conn, sql, &[], user_ids).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The account's devices by serial number, after `after` (a serial number), at most `limit`; `assigned` filters
/// on whether a user holds them.
pub async fn page(
    conn: &mut AnyConnection,
    account_id: &str,
    assigned: Option<bool>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<MfaDeviceRow>> {
    let filter = match assigned {
        Some(true) => " AND user_id IS NOT NULL",
        Some(false) => " AND user_id IS NULL",
        None => "",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM mfa_devices WHERE account_id = $1 AND serial_number > $2{filter}
         ORDER BY serial_number LIMIT $3"
    );
    Ok(sqlx::query_as(&sql).bind(account_id).bind(after.unwrap_or("")).bind(limit).fetch_all(conn).await?)
}

/// Assigns the device to a user, enabled at `now`, with the step the enabling codes reached. Only an unassigned
/// device is assigned (false otherwise: another request won).
pub async fn assign(conn: &mut AnyConnection, device_id: &str, user_id: &str, now: i64, step: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE mfa_devices SET user_id = $2, enabled_at = $3, last_step = $4, drift_steps = 0
         WHERE device_id = $1 AND user_id IS NULL",
    )
    .bind(device_id)
    .bind(user_id)
    .bind(now)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn unassign(conn: &mut AnyConnection, device_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE mfa_devices SET user_id = NULL, enabled_at = NULL, last_step = NULL, drift_steps = 0
         WHERE device_id = $1",
    )
    .bind(device_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that a code at `step` was accepted, unless one at that step or later already was: true when this
/// call is the one that advanced it (so a code is accepted once, even by two instances at the same moment).
pub async fn advance_step(conn: &mut AnyConnection, device_id: &str, step: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE mfa_devices SET last_step = $2 WHERE device_id = $1 AND (last_step IS NULL OR last_step < $2)",
    )
    .bind(device_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// ResyncMFADevice: the measured drift, and the step the codes reached.
pub async fn resync(conn: &mut AnyConnection, device_id: &str, drift_steps: i64, step: i64) -> Result<()> {
    sqlx::query("UPDATE mfa_devices SET drift_steps = $2, last_step = $3 WHERE device_id = $1")
        .bind(device_id)
        .bind(drift_steps)
        .bind(step)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, device_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM mfa_devices WHERE device_id = $1").bind(device_id).execute(conn).await?;
    Ok(())
}
