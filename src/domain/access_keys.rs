//! Long-term access keys: at most two per user (and per root user), Active or Inactive, with last use.

use gatehouse_wire::AwsError;
use zeroize::Zeroizing;

use super::paging::{self, Page};
use super::users::authorized_user;
use crate::authz::Authorized;
use crate::crypto::{CryptoError, Keyring, KEY_SEAL_VERSION};
use crate::errors;
use crate::ids::Randomness;
use crate::request::{Ctx, Op, OpConnection};
use crate::secret::Secret;
use crate::store::keys::{self, AccessKeyRow, KeyStatus, OwnerKind};
use crate::store::users::UserRow;

/// IAM's quota of access keys per user.
pub const MAX_KEYS_PER_USER: usize = 2;

/// Whose keys an operation acts on.
#[derive(Debug)]
pub enum Owner {
    Root,
    User(UserRow),
}

impl Owner {
    fn user_id(&self) -> Option<&str> {
        match self {
            Owner::Root => None,
            Owner::User(u) => Some(&u.user_id),
        }
    }

    /// The name AWS reports as the key's UserName: the user's, or for root keys the account id.
    pub fn display_name(&self, account_id: &str) -> String {
        match self {
            Owner::Root => account_id.to_string(),
            Owner::User(u) => u.name.clone(),
        }
    }
}

/// The named user, or when no name is given the caller itself (an IAM user, or the root user).
async fn owner<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    user_name: Option<&str>,
) -> Result<(Authorized, Owner), AwsError> {
    let name = match (user_name, ctx.caller.user_name()) {
        (Some(n), _) | (None, Some(n)) => n.to_string(),
        (None, None) if ctx.caller.is_root() => {
            let proof = ctx.authorize(action, &crate::arn::root(ctx.account()))?;
            return Ok((proof, Owner::Root));
        }
        (None, None) => return Err(errors::must_specify_user_name()),
    };
    let (proof, user) = authorized_user(ctx, op, action, &name).await?;
    Ok((proof, Owner::User(user)))
}

/// A new Active key of the user `user_id` (of the root user when `None`), its secret sealed to it.
pub fn sealed_row(
    keyring: &Keyring,
    rng: &dyn Randomness,
    account_id: &str,
    user_id: Option<&str>,
    access_key_id: String,
    secret: &Secret,
    now: i64,
) -> Result<AccessKeyRow, CryptoError> {
    let mut row = AccessKeyRow {
        access_key_id,
        account_id: account_id.to_string(),
        user_id: user_id.map(str::to_string),
        owner_kind: if user_id.is_some() { OwnerKind::User } else { OwnerKind::Root },
        secret_sealed: Vec::new(),
        master_key_id: String::new(),
        seal_version: KEY_SEAL_VERSION,
        status: KeyStatus::Active,
        created_at: now,
        last_used_at: None,
        last_used_service: None,
        last_used_region: None,
    };
    (row.master_key_id, row.secret_sealed) = keyring.seal_key_secret(rng, &row.binding(), secret.expose())?;
    Ok(row)
}

/// The secret of a stored key, opened with the rule of the row's sealing format.
pub fn open_secret(keyring: &Keyring, row: &AccessKeyRow) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    keyring.open_key_secret(&row.master_key_id, &row.secret_sealed, row.seal_version, &row.binding())
}

pub struct CreatedKey {
    pub row: AccessKeyRow,
    pub secret: Secret,
    pub user_name: String,
}

pub async fn create(ctx: &Ctx, user_name: Option<&str>) -> Result<CreatedKey, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, owner) = owner(ctx, &mut tx, "iam:CreateAccessKey", user_name).await?;
    let state = &ctx.state;
    let (access_key_id, secret) = crate::ids::long_term_key(&*state.rng, ctx.account());
    let row = sealed_row(&state.keyring, &*state.rng, ctx.account(), owner.user_id(), access_key_id, &secret, ctx.now)
        .map_err(|e| {
            tracing::error!(error = %e, "sealing a new secret failed");
            gatehouse_wire::iam::errors::service_failure("Service failure.")
        })?;
    let quota = ctx.state.quotas.access_keys_per_user;
    if keys::of_owner(tx.conn(&proof), ctx.account(), owner.user_id()).await?.len() >= quota as usize {
        return Err(errors::access_key_quota(quota));
    }
    keys::insert(tx.conn(&proof), &row).await?;
    tx.commit(&proof).await?;
    Ok(CreatedKey { row, secret, user_name: owner.display_name(ctx.account()) })
}

pub async fn list(
    ctx: &Ctx,
    user_name: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(Page<AccessKeyRow>, String), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, owner) = owner(ctx, &mut op, "iam:ListAccessKeys", user_name).await?;
    let all = keys::of_owner(op.conn(&proof), ctx.account(), owner.user_id()).await?;
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    // The store lists keys oldest first (creation time, then id): the marker is that same sort key, so a page
    // starts right after the last key of the one before.
    let rest: Vec<AccessKeyRow> = all.into_iter().filter(|k| after.is_empty() || list_sort_key(k) > after).collect();
    Ok((paging::paginate(rest, page, list_sort_key), owner.display_name(ctx.account())))
}

/// The order of ListAccessKeys as a string that compares like (created_at, access_key_id): the time zero-padded
/// to a fixed width (creation times are never negative).
fn list_sort_key(k: &AccessKeyRow) -> String {
    format!("{:020}/{}", k.created_at.max(0), k.access_key_id)
}

/// The key, which must belong to `owner`; otherwise AWS answers as if it did not exist.
async fn owned_key(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    owner: &Owner,
    access_key_id: &str,
) -> Result<AccessKeyRow, AwsError> {
    match keys::by_id(conn, access_key_id).await? {
        Some(k) if k.account_id == ctx.account() && k.user_id.as_deref() == owner.user_id() => Ok(k),
        _ => Err(errors::no_such_access_key(access_key_id)),
    }
}

pub async fn update(
    ctx: &Ctx,
    user_name: Option<&str>,
    access_key_id: &str,
    status: KeyStatus,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, owner) = owner(ctx, &mut tx, "iam:UpdateAccessKey", user_name).await?;
    owned_key(ctx, tx.conn(&proof), &owner, access_key_id).await?;
    keys::set_status(tx.conn(&proof), access_key_id, status).await?;
    tx.commit(&proof).await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx, user_name: Option<&str>, access_key_id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, owner) = owner(ctx, &mut tx, "iam:DeleteAccessKey", user_name).await?;
    owned_key(ctx, tx.conn(&proof), &owner, access_key_id).await?;
    keys::delete(tx.conn(&proof), ctx.account(), access_key_id, ctx.now).await?;
    tx.commit(&proof).await?;
    Ok(())
}

pub struct LastUsed {
    pub user_name: String,
    pub at: Option<i64>,
    pub service: String,
    pub region: String,
}

/// GetAccessKeyLastUsed. AWS answers a key it cannot find (or that belongs to another account) with an
/// AccessDenied naming the key, in words slightly different from the usual denial (no colon after
/// "perform"): see aws-errors.md.
pub async fn last_used(ctx: &Ctx, access_key_id: &str) -> Result<LastUsed, AwsError> {
    let mut op = ctx.begin_read().await?;
    let found = keys::with_owner(op.lookup(), access_key_id).await?.filter(|k| k.key.account_id == ctx.account());
    let Some(found) = found else {
        return Err(gatehouse_wire::AwsError::access_denied(format!(
            "User: {} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key {access_key_id}",
            ctx.caller.arn()
        )));
    };
    let (owner_arn, user_name) = match (&found.user_name, &found.user_path) {
        (Some(name), Some(path)) => (crate::arn::iam(ctx.account(), "user", path, name), name.clone()),
        _ => (crate::arn::root(ctx.account()), ctx.account().to_string()),
    };
    ctx.authorize("iam:GetAccessKeyLastUsed", &owner_arn)?;
    let k = found.key;
    Ok(LastUsed {
        user_name,
        at: k.last_used_at,
        // AWS reports "N/A" for a key that has never been used.
        service: k.last_used_service.unwrap_or_else(|| "N/A".into()),
        region: k.last_used_region.unwrap_or_else(|| "N/A".into()),
    })
}
