//! Users' SSH public keys, for CodeCommit: at most five per user, each Active or Inactive, readable in the
//! OpenSSH or the PEM encoding.

use gatehouse_wire::AwsError;

use super::credential_owner::owning_user;
use super::paging::{self, Page};
use super::ssh_key_format::{self, SshKeyError};
use crate::errors;
use crate::request::Ctx;
use crate::store::keys::KeyStatus;
use crate::store::ssh_keys::{self, SshKeyRow};
use crate::store::StoreError;

/// AWS's quota of SSH public keys per user.
pub const MAX_KEYS_PER_USER: usize = 5;

/// A key with the name of its user, as every response shows it.
pub struct UserKey {
    pub key: SshKeyRow,
    pub user_name: String,
}

pub async fn upload(ctx: &Ctx, user_name: &str, body: &str) -> Result<UserKey, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:UploadSSHPublicKey", Some(user_name)).await?;
    let parsed = ssh_key_format::parse(body).map_err(|e| match e {
        SshKeyError::Unrecognized => errors::unrecognized_ssh_public_key_encoding(),
        SshKeyError::Invalid => errors::invalid_ssh_public_key(),
    })?;
    let existing = ssh_keys::of_user(tx.conn(&proof), &user.user_id).await?;
    if existing.iter().any(|k| k.fingerprint == parsed.fingerprint) {
        return Err(errors::duplicate_ssh_public_key());
    }
    if existing.len() >= MAX_KEYS_PER_USER {
        return Err(errors::ssh_public_keys_quota(MAX_KEYS_PER_USER));
    }
    let key = SshKeyRow {
        ssh_public_key_id: crate::ids::ssh_public_key_id(&*ctx.state.rng),
        account_id: ctx.account().to_string(),
        user_id: user.user_id.clone(),
        fingerprint: parsed.fingerprint,
        body_ssh: parsed.ssh,
        body_pem: parsed.pem,
        status: KeyStatus::Active,
        uploaded_at: ctx.now,
    };
    match ssh_keys::insert(tx.conn(&proof), &key).await {
        // The same key uploaded twice at once: the unique (user, fingerprint) pair decides.
        Err(StoreError::Conflict) => return Err(errors::duplicate_ssh_public_key()),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(UserKey { key, user_name: user.name })
}

pub async fn get(ctx: &Ctx, user_name: &str, id: &str) -> Result<UserKey, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, user) = owning_user(ctx, &mut op, "iam:GetSSHPublicKey", Some(user_name)).await?;
    let key = ssh_keys::of_user_by_id(op.conn(&proof), &user.user_id, id)
        .await?
        .ok_or_else(|| errors::no_such_ssh_public_key(id))?;
    Ok(UserKey { key, user_name: user.name })
}

pub async fn list(
    ctx: &Ctx,
    user_name: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(Page<SshKeyRow>, String), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, user) = owning_user(ctx, &mut op, "iam:ListSSHPublicKeys", user_name).await?;
    let all = ssh_keys::of_user(op.conn(&proof), &user.user_id).await?;
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let rest: Vec<SshKeyRow> = all.into_iter().filter(|k| after.is_empty() || sort_key(k) > after).collect();
    Ok((paging::paginate(rest, page, sort_key), user.name))
}

/// The listing's order (upload time, then id) as a string that compares alike: the marker of a page.
fn sort_key(k: &SshKeyRow) -> String {
    format!("{:020}/{}", k.uploaded_at.max(0), k.ssh_public_key_id)
}

pub async fn update(ctx: &Ctx, user_name: &str, id: &str, status: Result<KeyStatus, AwsError>) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:UpdateSSHPublicKey", Some(user_name)).await?;
    // The status is checked after the authorisation decision (a caller without permission learns nothing).
    let status = status?;
    ssh_keys::of_user_by_id(tx.conn(&proof), &user.user_id, id)
        .await?
        .ok_or_else(|| errors::no_such_ssh_public_key(id))?;
    ssh_keys::set_status(tx.conn(&proof), id, status).await?;
    tx.commit(&proof).await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx, user_name: &str, id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:DeleteSSHPublicKey", Some(user_name)).await?;
    ssh_keys::of_user_by_id(tx.conn(&proof), &user.user_id, id)
        .await?
        .ok_or_else(|| errors::no_such_ssh_public_key(id))?;
    ssh_keys::delete(tx.conn(&proof), id).await?;
    tx.commit(&proof).await?;
    Ok(())
}
