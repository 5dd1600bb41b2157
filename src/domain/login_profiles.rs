//! Login profiles (a user's console password: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
//! DeleteLoginProfile) and ChangePassword, the caller's change of its own password. Every new password is checked
//! against the account's password policy, and against the user's recent passwords when the policy prevents reuse,
//! before it is hashed; no password is ever stored, logged or returned.

use gatehouse_wire::AwsError;

use super::password_hashing::{self, Ahead};
use super::password_policy::{self, Rule};
use super::users::authorized_user;
use crate::authz::Authorized;
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
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

/// The hashes a new password must not match: the user's recent passwords when `rule` prevents reuse, and `current`,
/// the hash being replaced, if any (one of the user's latest passwords even when the reuse window was smaller when it
/// was set).
async fn reuse_candidates(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    rule: &Rule,
    current: Option<&str>,
) -> Result<Vec<String>, AwsError> {
    let window = rule.policy().map_or(0, |p| p.reuse_window());
    if window == 0 {
        return Ok(Vec::new());
    }
    let mut recent = passwords::recent_hashes(conn, user_id, i64::from(window)).await?;
    if let Some(current) = current.filter(|c| !recent.iter().any(|h| h == c)) {
        recent.push(current.to_string());
    }
    Ok(recent)
}

/// Checks the new password (`new`'s) against `rule` and the user's recent passwords, then hashes it and remembers
/// the hash for later reuse checks; `current` is the hash being replaced, if any. The argon2 work comes from `new`
/// where it was done ahead of the transaction.
async fn new_password_hash(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    new: &mut Ahead,
    rule: &Rule,
    current: Option<&str>,
) -> Result<String, AwsError> {
    if !rule.allows(new.password().expose()) {
        return Err(errors::password_policy_violation());
    }
    let candidates = reuse_candidates(conn, user_id, rule, current).await?;
    if new.matches_any(candidates).await? {
        return Err(errors::password_policy_violation());
    }
    let hash = new.hash(password_hashing::salt(&*ctx.state.rng)).await?;
    let window = rule.policy().map_or(0, |p| p.reuse_window());
    passwords::remember(conn, user_id, &hash, ctx.now, i64::from(window)).await?;
    Ok(hash)
}

/// The argon2 work of the user's new password, done ahead of the write transaction (see [`Ahead`]): on a read
/// connection, after the decision the write makes too, for the state as it is now. `has_profile` is what the
/// operation requires (CreateLoginProfile: none yet; UpdateLoginProfile: one). Whatever refuses or fails here leaves
/// all the work to the transaction, which decides, and answers, as if this had not run.
async fn ahead_for_new(ctx: &Ctx, action: &'static str, name: &str, password: &Secret, has_profile: bool) -> Ahead {
    let worked = async {
        let mut op = ctx.begin_read().await?;
        let (proof, user) = authorized_user(ctx, &mut op, action, name).await?;
        let conn = op.conn(&proof);
        let current = passwords::profile(conn, &user.user_id).await?.map(|row| row.password_hash);
        let rule = password_policy::rule(conn, ctx.account()).await?;
        if current.is_some() != has_profile || !rule.allows(password.expose()) {
            return Ok(None);
        }
        let candidates = reuse_candidates(conn, &user.user_id, &rule, current.as_deref()).await?;
        drop(op);
        let salt = password_hashing::salt(&*ctx.state.rng);
        Ok::<_, AwsError>(Some(Ahead::work_out(password, candidates, Some(salt)).await?))
    };
    worked.await.ok().flatten().unwrap_or_else(|| Ahead::none(password))
}

pub async fn create(
    ctx: &Ctx,
    user_name: Option<&str>,
    password: Option<&Secret>,
    password_reset_required: bool,
) -> Result<Profile, AwsError> {
    let name = target(ctx, user_name)?;
    let mut ahead = match password {
        Some(password) => Some(ahead_for_new(ctx, "iam:CreateLoginProfile", name, password, false).await),
        None => None,
    };
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:CreateLoginProfile", name).await?;
    let new = ahead.as_mut().ok_or_else(errors::password_required)?;
    let conn = tx.conn(&proof);
    if passwords::profile(conn, &user.user_id).await?.is_some() {
        return Err(errors::login_profile_exists(&user.name));
    }
    let rule = password_policy::rule(conn, ctx.account()).await?;
    let password_hash = new_password_hash(ctx, conn, &user.user_id, new, &rule, None).await?;
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
    let mut ahead = match password {
        Some(password) => Some(ahead_for_new(ctx, "iam:UpdateLoginProfile", user_name, password, true).await),
        None => None,
    };
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:UpdateLoginProfile", user_name).await?;
    let conn = tx.conn(&proof);
    let mut row =
        passwords::profile(conn, &user.user_id).await?.ok_or_else(|| errors::no_such_login_profile(&user.name))?;
    if let Some(new) = ahead.as_mut() {
        let rule = password_policy::rule(conn, ctx.account()).await?;
        row.password_hash = new_password_hash(ctx, conn, &user.user_id, new, &rule, Some(&row.password_hash)).await?;
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
    let (old, mut new) = ahead_for_change(ctx, name, old_password, new_password).await;
    let mut tx = ctx.begin_write().await?;
    let (proof, user, mut row, rule) = changing(ctx, &mut tx, name).await?;
    let conn = tx.conn(&proof);
    if !old.matches_any(vec![row.password_hash.clone()]).await? {
        return Err(errors::wrong_old_password());
    }
    row.password_hash = new_password_hash(ctx, conn, &user.user_id, &mut new, &rule, Some(&row.password_hash)).await?;
    row.password_set_at = ctx.now;
    row.password_reset_required = 0;
    passwords::update_profile(conn, &row).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// ChangePassword's argon2 work done ahead of its write transaction, as [`ahead_for_new`] does it: the old password
/// against the current hash and, when it matches and the new one is allowed, the new one against the user's recent
/// passwords, and its hash.
async fn ahead_for_change(ctx: &Ctx, name: &str, old: &Secret, new: &Secret) -> (Ahead, Ahead) {
    let worked = async {
        let mut op = ctx.begin_read().await?;
        let (proof, user, row, rule) = changing(ctx, &mut op, name).await?;
        let candidates = reuse_candidates(op.conn(&proof), &user.user_id, &rule, Some(&row.password_hash)).await?;
        drop(op);
        let old = Ahead::work_out(old, vec![row.password_hash.clone()], None).await?;
        if !old.matches_any(vec![row.password_hash]).await? || !rule.allows(new.expose()) {
            return Ok((old, Ahead::none(new)));
        }
        let salt = password_hashing::salt(&*ctx.state.rng);
        Ok::<_, AwsError>((old, Ahead::work_out(new, candidates, Some(salt)).await?))
    };
    worked.await.unwrap_or_else(|_| (Ahead::none(old), Ahead::none(new)))
}

/// What ChangePassword decides and checks before any password is compared, the same ahead of the transaction and in
/// it: the decision, on the caller's own user ARN with the grant of AllowUsersToChangePassword when the account's
/// policy has it; the user and its login profile; and that HardExpiry does not refuse the change. Gives the rule
/// the new password must follow.
async fn changing<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    name: &str,
) -> Result<(Authorized, UserRow, LoginProfileRow, Rule), AwsError> {
    let policy = password_policy::load(op.lookup(), ctx.account()).await?;
    let users_may_change = policy.as_ref().is_some_and(|p| p.allow_users_to_change);
    let proof = super::self_service::authorize(ctx, "iam:ChangePassword", &ctx.caller.arn(), users_may_change)?;
    let conn = op.conn(&proof);
    let user = users::by_name(conn, ctx.account(), name).await?.ok_or_else(|| errors::no_such_user(name))?;
    let row =
        passwords::profile(conn, &user.user_id).await?.ok_or_else(|| errors::no_such_login_profile(&user.name))?;
    if policy.as_ref().is_some_and(|p| p.hard_expiry() && p.expired(row.password_set_at, ctx.now)) {
        return Err(errors::password_expired_hard());
    }
    Ok((proof, user, row, policy.map_or(Rule::AwsDefault, Rule::Account)))
}
