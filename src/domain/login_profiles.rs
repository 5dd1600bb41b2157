//! Login profiles (a user's console password: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
//! DeleteLoginProfile) and ChangePassword, the caller's change of its own password. Every new password is checked
//! against the account's password policy, and against the user's recent passwords when the policy prevents reuse,
//! before it is hashed; no password is ever stored, logged or returned.

use gatehouse_wire::AwsError;

use super::password_hashing;
use super::password_policy::{self, Rule};
use super::users::authorized_user;
use crate::errors;
use crate::request::Ctx;
use crate::secret::Secret;
use crate::store::passwords::{self, LoginProfileRow};
use crate::store::users::{self, UserRow};
use crate::store::StoreError;

/// A login profile as the operations describe it.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user_name: String,
    pub created_at: i64,
    pub password_reset_required: bool,
}

impl Profile {
    fn of(user: &UserRow, row: &LoginProfileRow) -> Self {
        Profile {
            user_name: user.name.clone(),
            created_at: row.created_at,
            password_reset_required: row.password_reset_required != 0,
        }
    }
}

/// The named user, or when no name is given the calling IAM user (the API reference: UserName "defaults to the
/// principal making the request"; other callers must name one).
fn target<'a>(ctx: &'a Ctx, user_name: Option<&'a str>) -> Result<&'a str, AwsError> {
    user_name.or(ctx.caller.user_name()).ok_or_else(errors::must_specify_user_name)
}

/// Checks `password` against `rule` and the user's recent passwords, then hashes it and remembers the hash for
/// later reuse checks. `current` is the hash being replaced, if any: it is one of the user's latest passwords even
/// when the reuse window was smaller when it was set.
async fn new_password_hash(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    password: &Secret,
    rule: &Rule,
    current: Option<&str>,
) -> Result<String, AwsError> {
    if !rule.allows(password.expose()) {
        return Err(errors::password_policy_violation());
    }
    let window = rule.policy().map_or(0, |p| p.reuse_window());
    if window > 0 {
        let mut recent = passwords::recent_hashes(conn, user_id, i64::from(window)).await?;
        if let Some(current) = current.filter(|c| !recent.iter().any(|h| h == c)) {
            recent.push(current.to_string());
        }
        if password_hashing::matches_any(password.clone(), recent).await? {
            return Err(errors::password_policy_violation());
        }
    }
    let hash = password_hashing::hash(password.clone(), password_hashing::salt(&*ctx.state.rng)).await?;
    passwords::remember(conn, user_id, &hash, ctx.now, i64::from(window)).await?;
    Ok(hash)
}

pub async fn create(
    ctx: &Ctx,
    user_name: Option<&str>,
    password: Option<&Secret>,
    password_reset_required: bool,
) -> Result<Profile, AwsError> {
    let name = target(ctx, user_name)?;
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:CreateLoginProfile", name).await?;
    let password = password.ok_or_else(errors::password_required)?;
    let conn = tx.conn(&proof);
    if passwords::profile(conn, &user.user_id).await?.is_some() {
        return Err(errors::login_profile_exists(&user.name));
    }
    let rule = password_policy::rule(conn, ctx.account()).await?;
    let password_hash = new_password_hash(ctx, conn, &user.user_id, password, &rule, None).await?;
    let row = LoginProfileRow {
        user_id: user.user_id.clone(),
        password_hash,
        password_reset_required: i64::from(password_reset_required),
        created_at: ctx.now,
        password_set_at: ctx.now,
    };
    match passwords::insert_profile(conn, &row).await {
        Err(StoreError::Conflict) => return Err(errors::login_profile_exists(&user.name)),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(Profile::of(&user, &row))
}

pub async fn get(ctx: &Ctx, user_name: Option<&str>) -> Result<Profile, AwsError> {
    let name = target(ctx, user_name)?;
    let mut op = ctx.begin_read().await?;
    let (proof, user) = authorized_user(ctx, &mut op, "iam:GetLoginProfile", name).await?;
    let row = passwords::profile(op.conn(&proof), &user.user_id).await?;
    let row = row.ok_or_else(|| errors::no_such_login_profile(&user.name))?;
    Ok(Profile::of(&user, &row))
}

/// UpdateLoginProfile: a new password (checked as any new password is) and/or the reset flag; what is left out
/// stays as it is.
pub async fn update(
    ctx: &Ctx,
    user_name: &str,
    password: Option<&Secret>,
    password_reset_required: Option<bool>,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:UpdateLoginProfile", user_name).await?;
    let conn = tx.conn(&proof);
    let mut row =
        passwords::profile(conn, &user.user_id).await?.ok_or_else(|| errors::no_such_login_profile(&user.name))?;
    if let Some(password) = password {
        let rule = password_policy::rule(conn, ctx.account()).await?;
        row.password_hash =
            new_password_hash(ctx, conn, &user.user_id, password, &rule, Some(&row.password_hash)).await?;
        row.password_set_at = ctx.now;
    }
    if let Some(required) = password_reset_required {
        row.password_reset_required = i64::from(required);
    }
    passwords::update_profile(conn, &row).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// DeleteLoginProfile. The user's remembered password hashes stay (reuse prevention still holds if a profile is
/// made again) until the user is deleted.
pub async fn delete(ctx: &Ctx, user_name: Option<&str>) -> Result<(), AwsError> {
    let name = target(ctx, user_name)?;
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:DeleteLoginProfile", name).await?;
    let conn = tx.conn(&proof);
    if passwords::profile(conn, &user.user_id).await?.is_none() {
        return Err(errors::no_such_login_profile(&user.name));
    }
    passwords::delete_profile(conn, &user.user_id).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// Whether the user has a login profile (DeleteUser refuses while it does).
pub async fn exists(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<bool, AwsError> {
    Ok(passwords::profile(conn, user_id).await?.is_some())
}

/// ChangePassword: the calling IAM user's own password. Decided on the caller's own user ARN, with the grant of
/// AllowUsersToChangePassword when the account's policy has it; then the old password must match, and with
/// HardExpiry an expired password cannot be changed by its user. A successful change clears
/// PasswordResetRequired.
pub async fn change_password(ctx: &Ctx, old_password: &Secret, new_password: &Secret) -> Result<(), AwsError> {
    let Some(name) = ctx.caller.user_name() else {
        // Decided first, as every operation is; the root user is always allowed, and then refused for its type.
        ctx.authorize("iam:ChangePassword", &ctx.caller.arn())?;
        return Err(errors::only_users_change_passwords());
    };
    let mut tx = ctx.begin_write().await?;
    let policy = password_policy::load(tx.lookup(), ctx.account()).await?;
    let users_may_change = policy.as_ref().is_some_and(|p| p.allow_users_to_change);
    let proof = super::self_service::authorize(ctx, "iam:ChangePassword", &ctx.caller.arn(), users_may_change)?;
    let conn = tx.conn(&proof);
    let user = users::by_name(conn, ctx.account(), name).await?.ok_or_else(|| errors::no_such_user(name))?;
    let mut row =
        passwords::profile(conn, &user.user_id).await?.ok_or_else(|| errors::no_such_login_profile(&user.name))?;
    if policy.as_ref().is_some_and(|p| p.hard_expiry() && p.expired(row.password_set_at, ctx.now)) {
        return Err(errors::password_expired_hard());
    }
    if !password_hashing::matches_any(old_password.clone(), vec![row.password_hash.clone()]).await? {
        return Err(errors::wrong_old_password());
    }
    let rule = policy.map_or(Rule::AwsDefault, Rule::Account);
    row.password_hash =
        new_password_hash(ctx, conn, &user.user_id, new_password, &rule, Some(&row.password_hash)).await?;
    row.password_set_at = ctx.now;
    row.password_reset_required = 0;
    passwords::update_profile(conn, &row).await?;
    tx.commit(&proof).await?;
    Ok(())
}
