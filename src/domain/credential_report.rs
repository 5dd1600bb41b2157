//! The credential report: one CSV row per IAM user (and the root user first) with AWS's columns and values, made by
//! GenerateCredentialReport and served by GetCredentialReport for four hours. Generation takes one read of the
//! account, so it finishes within the request: GenerateCredentialReport answers `STARTED` when it made a report
//! (AWS's first answer), `COMPLETE` while the last one is younger than four hours (AWS's reuse rule: no new report
//! then), and GetCredentialReport never has to answer `ReportInProgress`.

use std::collections::{HashMap, HashSet};

use gatehouse_wire::{iam, AwsError, Timestamp};

use crate::request::Ctx;
use crate::store::keys::{AccessKeyRow, KeyStatus};
use crate::store::passwords::LoginProfileRow;
use crate::store::signing_certificates::{self, SigningCertificateRow};
use crate::store::{account_settings, accounts, keys, mfa_devices, passwords, users};

/// A report is reused, and served, for four hours.
pub const FRESH_FOR_MS: i64 = 4 * 3600 * 1000;

pub const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

const NA: &str = "N/A";

/// The report's time format, as AWS writes it: `2026-12-02T14:20:00+00:00`.
fn time(ms: i64) -> String {
    let iso = Timestamp(ms.div_euclid(1000)).to_iso8601();
    match iso.strip_suffix('Z') {
        Some(t) => format!("{t}+00:00"),
        None => iso,
    }
}

fn flag(b: bool) -> String {
    b.to_string()
}

/// The eight key columns of a user's (or the root user's) first two keys, oldest first.
fn key_columns(keys: &[AccessKeyRow]) -> Vec<String> {
    let mut sorted: Vec<&AccessKeyRow> = keys.iter().collect();
    sorted.sort_by_key(|k| k.created_at);
    let mut out = Vec::with_capacity(10);
    for i in 0..2 {
        match sorted.get(i) {
            Some(k) => {
                out.push(flag(k.status == KeyStatus::Active));
                out.push(time(k.created_at));
                out.push(k.last_used_at.map_or_else(|| NA.to_string(), time));
                out.push(k.last_used_region.clone().unwrap_or_else(|| NA.to_string()));
                out.push(k.last_used_service.clone().unwrap_or_else(|| NA.to_string()));
            }
            None => out.extend(["false", NA, NA, NA, NA].map(str::to_string)),
        }
    }
    out
}

/// The four certificate columns of a user's first two signing certificates, oldest first.
fn cert_columns(certs: &[SigningCertificateRow]) -> Vec<String> {
    let mut sorted: Vec<&SigningCertificateRow> = certs.iter().collect();
    sorted.sort_by_key(|c| c.uploaded_at);
    let mut out = Vec::with_capacity(4);
    for i in 0..2 {
        match sorted.get(i) {
            Some(c) => {
                out.push(flag(c.status == KeyStatus::Active));
                out.push(time(c.uploaded_at));
            }
            None => out.extend(["false", NA].map(str::to_string)),
        }
    }
    out
}

/// One CSV field: quoted when it holds a comma, quote or line break (a path or name never does; kept safe).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Users per page of the report's reads: one query for the page's users, then four for what the report says of them.
const PAGE: i64 = 500;

/// The account's report, as of `now`.
async fn build(ctx: &Ctx, conn: &mut sqlx::AnyConnection) -> Result<Vec<u8>, AwsError> {
    let account = ctx.account();
    let max_age_days = passwords::policy(&mut *conn, account).await?.and_then(|p| p.max_password_age);
    let mut rows: Vec<Vec<String>> = Vec::new();

    // The root user: no console password or MFA here (both live in AWS's console), its own keys; the root user
    // holds no signing certificates here.
    let created = accounts::created_at(&mut *conn, account).await?.unwrap_or(ctx.now);
    let root_keys = keys::of_owner(&mut *conn, account, None).await?;
    let mut root = vec![
        "<root_account>".to_string(),
        crate::arn::root(account),
        time(created),
        "not_supported".into(),
        "no_information".into(),
        "not_supported".into(),
        "not_supported".into(),
        "false".into(),
    ];
    root.extend(key_columns(&root_keys));
    root.extend(["false", NA, "false", NA].map(str::to_string));
    rows.push(root);

    // Every user, by name, a page of the store at a time, and what the report says of them in four queries per page
    // (not four per user: 100,000 users would be 400,000 queries).
    let mut after = String::new();
    loop {
        let page = users::list(&mut *conn, account, "/", &after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = users::name_key(&last.name);
        let ids: Vec<String> = page.iter().map(|u| u.user_id.clone()).collect();
        let profiles: HashMap<String, LoginProfileRow> =
            passwords::profiles_of(&mut *conn, &ids).await?.into_iter().map(|p| (p.user_id.clone(), p)).collect();
        let with_mfa: HashSet<String> = mfa_devices::users_with_devices(&mut *conn, &ids).await?.into_iter().collect();
        let mut keys_of: HashMap<String, Vec<AccessKeyRow>> = HashMap::new();
        for key in keys::of_users(&mut *conn, account, &ids).await? {
            keys_of.entry(key.user_id.clone().unwrap_or_default()).or_default().push(key);
        }
        let mut certs_of: HashMap<String, Vec<SigningCertificateRow>> = HashMap::new();
        for cert in signing_certificates::of_users(&mut *conn, &ids).await? {
            certs_of.entry(cert.user_id.clone()).or_default().push(cert);
        }
        for u in &page {
            let profile = profiles.get(&u.user_id);
            let mfa = with_mfa.contains(&u.user_id);
            let user_keys = keys_of.remove(&u.user_id).unwrap_or_default();
            let (enabled, last_used, changed, next) = match profile {
                Some(p) => (
                    "true".to_string(),
                    u.password_last_used.map_or_else(|| "no_information".to_string(), time),
                    time(p.password_set_at),
                    max_age_days.map_or_else(|| NA.to_string(), |d| time(p.password_set_at + d * 86_400_000)),
                ),
                None => ("false".to_string(), NA.to_string(), NA.to_string(), NA.to_string()),
            };
            let mut row =
                vec![u.name.clone(), u.arn(), time(u.created_at), enabled, last_used, changed, next, flag(mfa)];
            row.extend(key_columns(&user_keys));
            row.extend(cert_columns(&certs_of.remove(&u.user_id).unwrap_or_default()));
            rows.push(row);
        }
        if page.len() < PAGE as usize {
            break;
        }
    }

    let mut csv = COLUMNS.join(",");
    for row in rows {
        csv.push('\n');
        csv.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
    }
    Ok(csv.into_bytes())
}

/// GenerateCredentialReport: the state and AWS's description of it.
pub async fn generate(ctx: &Ctx) -> Result<(iam::ReportStateType, &'static str), AwsError> {
    let proof = ctx.authorize("iam:GenerateCredentialReport", "*")?;
    // Built in a read, so that reading the whole account does not hold up other writers (on SQLite, all of them);
    // two requests racing both build, and the later write stands, as either report is of the moment it was made.
    let mut op = ctx.begin_read().await?;
    if let Some((at, _)) = account_settings::credential_report(op.conn(&proof), ctx.account()).await? {
        if ctx.now - at < FRESH_FOR_MS {
            return Ok((iam::ReportStateType::Complete, "Report generation completed"));
        }
    }
    let csv = build(ctx, op.conn(&proof)).await?;
    drop(op);
    let mut tx = ctx.begin_write().await?;
    account_settings::put_credential_report(tx.conn(&proof), ctx.account(), ctx.now, &csv).await?;
    tx.commit(&proof).await?;
    Ok((iam::ReportStateType::Started, "No report exists. Starting a new report generation task"))
}

/// GetCredentialReport: the CSV and when it was generated.
pub async fn get(ctx: &Ctx) -> Result<(Vec<u8>, i64), AwsError> {
    let proof = ctx.authorize("iam:GetCredentialReport", "*")?;
    let mut op = ctx.begin_read().await?;
    let Some((at, csv)) = account_settings::credential_report(op.conn(&proof), ctx.account()).await? else {
        // AWS's answer carries no message at all.
        return Err(iam::errors::credential_report_not_present(""));
    };
    if ctx.now - at >= FRESH_FOR_MS {
        return Err(iam::errors::credential_report_expired(
            "Credential report has expired. Call GenerateCredentialReport to generate a new one.",
        ));
    }
    Ok((csv, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_fields_as_aws_writes_them() {
        assert_eq!(time(1_764_684_000_000), "2025-12-02T14:00:00+00:00");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(key_columns(&[]), ["false", NA, NA, NA, NA, "false", NA, NA, NA, NA]);
    }
}
