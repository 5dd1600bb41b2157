//! IAM users: create, read, list, rename or move, delete, and tag.

use gatehouse_wire::AwsError;

use super::paging::Page;
use super::tagging;
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::tags::{self, Tag};
use crate::store::{
    groups, keys, passwords, service_credentials, signing_certificates, ssh_keys, users, users::UserRow, StoreError,
};

/// Authorises `action` on the named user (looked up in `op`), then requires that it exists.
pub async fn authorized_user<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    name: &str,
) -> Result<(Authorized, UserRow), AwsError> {
    super::named::authorized(ctx, op, action, name).await
}

pub struct NewUser<'a> {
    pub name: &'a str,
    pub path: Option<&'a str>,
    pub permissions_boundary: Option<&'a str>,
    pub tags: Vec<Tag>,
}

pub async fn create(ctx: &Ctx, new: NewUser<'_>) -> Result<(UserRow, Vec<Tag>), AwsError> {
    let path = new.path.unwrap_or("/");
    let arn = crate::arn::iam(ctx.account(), "user", path, new.name);
    let mut facts = Facts::new().request_tags(&new.tags);
    if let Some(b) = new.permissions_boundary {
        facts = facts.key("iam:PermissionsBoundary", b);
    }
    let proof = ctx.authorize_with("iam:CreateUser", &arn, &facts)?;
    tagging::check_unique_keys(new.tags.iter().map(|t| t.key.as_str()))?;
    let user = UserRow {
        user_id: crate::ids::unique_id(&*ctx.state.rng, "AIDA"),
        account_id: ctx.account().to_string(),
        name: new.name.to_string(),
        path: path.to_string(),
        permissions_boundary: new.permissions_boundary.map(str::to_string),
        created_at: ctx.now,
        password_last_used: None,
    };
    let mut tx = ctx.begin_write().await?;
    if let Some(boundary) = new.permissions_boundary {
        super::boundaries::check(tx.conn(&proof), ctx.account(), boundary).await?;
    }
    if users::by_name(tx.conn(&proof), ctx.account(), new.name).await?.is_some() {
        return Err(errors::user_exists(new.name));
    }
    let quota = ctx.state.quotas.users;
    if users::count(tx.conn(&proof), ctx.account()).await? >= i64::from(quota) {
        return Err(errors::quota_exceeded("UsersPerAccount", quota));
    }
    match users::insert(tx.conn(&proof), &user).await {
        Err(StoreError::Conflict) => return Err(errors::user_exists(new.name)),
        other => other?,
    }
    tags::put(tx.conn(&proof), &user.user_id, &new.tags).await?;
    tx.commit(&proof).await?;
    Ok((user, new.tags))
}

/// What GetUser describes: an IAM user, or the root user of the caller's account.
#[derive(Debug)]
pub enum Described {
    User(UserRow, Vec<Tag>),
    /// The root user: the account id is its id, the account's creation its creation date.
    Root {
        account_id: String,
        created_at: i64,
    },
}

/// GetUser: the named user, or the caller's own user when no name is given.
pub async fn get(ctx: &Ctx, name: Option<&str>) -> Result<Described, AwsError> {
    let name = match name {
        Some(n) => n.to_string(),
        None => match ctx.caller.user_name() {
            Some(n) => n.to_string(),
            None if ctx.caller.is_root() => return get_root(ctx).await,
            None => return Err(crate::errors::must_specify_user_name()),
        },
    };
    let (_proof, user, tags) = super::named::authorized_read::<UserRow>(ctx, "iam:GetUser", &name).await?;
    Ok(Described::User(user, tags))
}

async fn get_root(ctx: &Ctx) -> Result<Described, AwsError> {
    let proof = ctx.authorize("iam:GetUser", &crate::arn::root(ctx.account()))?;
    let created_at = super::account::created_at(ctx, &proof).await?;
    Ok(Described::Root { account_id: ctx.account().to_string(), created_at })
}

pub async fn list(
    ctx: &Ctx,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<UserRow>, AwsError> {
    let mut op = ctx.begin_read().await?;
    Ok(super::named::list(ctx, &mut op, "iam:ListUsers", path_prefix, marker, max_items).await?.1)
}

/// UpdateUser renames or moves a user. AWS: "the caller must have permission on both the source object and the
/// target object", so iam:UpdateUser is authorised twice: on the user as it is (before its existence is revealed),
/// then on the user as it will be, under its new name and path; either denial refuses the operation.
pub async fn update(ctx: &Ctx, name: &str, new_name: Option<&str>, new_path: Option<&str>) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:UpdateUser", name).await?;
    let target_name = new_name.unwrap_or(&user.name);
    let target_path = new_path.unwrap_or(&user.path);
    let _target_proof = authorize_target(|action, arn| ctx.authorize(action, arn), &user, target_name, target_path)?;
    if let Some(other) = users::by_name(tx.conn(&proof), ctx.account(), target_name).await? {
        if other.user_id != user.user_id {
            return Err(errors::user_exists(target_name));
        }
    }
    match users::rename(tx.conn(&proof), &user.user_id, target_name, target_path).await {
        Err(StoreError::Conflict) => return Err(errors::user_exists(target_name)),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(())
}

/// UpdateUser's second decision: iam:UpdateUser on the target, `user/NEW_PATH/NEW_NAME` in the user's account.
/// `authorize` is [`Ctx::authorize`]; it is a parameter so that a test can watch and refuse the decision.
fn authorize_target(
    authorize: impl FnOnce(&'static str, &str) -> Result<Authorized, AwsError>,
    user: &UserRow,
    target_name: &str,
    target_path: &str,
) -> Result<Authorized, AwsError> {
    authorize("iam:UpdateUser", &crate::arn::iam(&user.account_id, "user", target_path, target_name))
}

pub async fn delete(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:DeleteUser", name).await?;
    // The login profile heads AWS's DeleteUser list of what to remove first (the password, then access keys, ...).
    if super::login_profiles::exists(tx.conn(&proof), &user.user_id).await? {
        return Err(errors::delete_conflict("delete login profile"));
    }
    if !keys::of_owner(tx.conn(&proof), ctx.account(), Some(&user.user_id)).await?.is_empty() {
        return Err(errors::delete_conflict("delete access keys"));
    }
    // Next in AWS's list: signing certificates, then SSH public keys. AWS's words for these two are unrecorded;
    // ours follow the access keys' answer.
    if !signing_certificates::of_user(tx.conn(&proof), &user.user_id).await?.is_empty() {
        return Err(errors::delete_conflict("delete signing certificates"));
    }
    if !ssh_keys::of_user(tx.conn(&proof), &user.user_id).await?.is_empty() {
        return Err(errors::delete_conflict("delete SSH public keys"));
    }
    // Then service-specific credentials: AWS's recorded answer is the generic one.
    if !service_credentials::of_user(tx.conn(&proof), &user.user_id).await?.is_empty() {
        return Err(errors::delete_conflict("remove referenced objects"));
    }
    // MFA devices follow the credentials in AWS's list. The words are ours, after AWS's pattern.
    if super::mfa_devices::any_for_user(tx.conn(&proof), &user.user_id).await? {
        return Err(errors::delete_conflict("delete MFA device"));
    }
    super::holders::refuse_while_holding_policies(tx.conn(&proof), &user.user_id).await?;
    // Group memberships come last in AWS's DeleteUser list of what to remove first. AWS's words are not in our
    // recordings; a reported AWS answer to DeleteUser for a user still in a group is "Cannot delete entity, must
    // remove users from group first." (mozilla-services/userplex#17), the same words as DeleteGroup's.
    if groups::any_for_user(tx.conn(&proof), &user.user_id).await? {
        return Err(errors::delete_conflict("remove users from group"));
    }
    tags::remove_all(tx.conn(&proof), &user.user_id).await?;
    crate::store::access_records::forget_entity(tx.conn(&proof), &user.user_id).await?;
    passwords::forget_history(tx.conn(&proof), &user.user_id).await?;
    match users::delete(tx.conn(&proof), &user.user_id).await {
        Err(StoreError::StillReferenced) => return Err(errors::delete_conflict("remove referenced objects")),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(())
}

/// Users carry tags: found by name, authorised as `user/PATH/NAME`, tagged under their unique id.
pub struct UserTags;

impl tagging::Taggable for UserTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, user) = super::named::authorized_with::<UserRow, C>(ctx, op, action, name, facts).await?;
        Ok((proof, user.user_id))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::identity::{Caller, Principal};

    fn root() -> Caller {
        Caller::long_term("000000000000", Principal::Root, "AKIA")
    }

    fn frank() -> UserRow {
        UserRow {
            user_id: "AIDAFRANK".into(),
            account_id: "000000000000".into(),
            name: "frank".into(),
            path: "/".into(),
            permissions_boundary: None,
            created_at: 0,
            password_last_used: None,
        }
    }

    /// UpdateUser asks for iam:UpdateUser on the new name and path, and a denial there refuses the rename even
    /// though the source was allowed (the caller may act on `user/frank` but not on `user/moved/frank2`).
    #[test]
    fn update_user_is_authorised_on_the_target() {
        let target = "arn:aws:iam::000000000000:user/moved/frank2";
        let asked = RefCell::new(Vec::new());
        let allow_all = |action: &'static str, arn: &str| {
            asked.borrow_mut().push((action, arn.to_string()));
            crate::authz::authorize(&root(), action, arn)
        };
        assert!(authorize_target(allow_all, &frank(), "frank2", "/moved/").is_ok());
        assert_eq!(asked.borrow().as_slice(), [("iam:UpdateUser", target.to_string())]);

        let deny_target = |action: &'static str, arn: &str| {
            if arn == target {
                Err(crate::authz::denied(&root(), action, arn))
            } else {
                crate::authz::authorize(&root(), action, arn)
            }
        };
        let e = authorize_target(deny_target, &frank(), "frank2", "/moved/").unwrap_err();
        assert_eq!((e.code.as_ref(), e.status), ("AccessDenied", 403));
        assert!(e.message.contains("iam:UpdateUser on resource: arn:aws:iam::000000000000:user/moved/frank2"));
    }
}
