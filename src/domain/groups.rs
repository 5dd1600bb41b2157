//! IAM groups: create, read (with members), list, rename or move, delete, and membership.

use gatehouse_wire::AwsError;

use super::holders::{Holder, PolicyHolder};
use super::paging::{self, Page};
use super::users::authorized_user;
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::groups::{self, GroupRow};
use crate::store::users::{self, UserRow};
use crate::store::{EntityKind, StoreError};

/// Authorises `action` on the named group (looked up in `op`), then requires that it exists.
pub async fn authorized_group<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    name: &str,
) -> Result<(Authorized, GroupRow), AwsError> {
    super::named::authorized(ctx, op, action, name).await
}

/// Whether `count` more of something may be added under `quota` (counts are never negative).
fn within(count: i64, quota: u32) -> bool {
    count < i64::from(quota)
}

pub async fn create(ctx: &Ctx, name: &str, path: Option<&str>) -> Result<GroupRow, AwsError> {
    let path = path.unwrap_or("/");
    let proof = ctx.authorize("iam:CreateGroup", &crate::arn::iam(ctx.account(), "group", path, name))?;
    let group = GroupRow {
        group_id: crate::ids::unique_id(&*ctx.state.rng, "AGPA"),
        account_id: ctx.account().to_string(),
        name: name.to_string(),
        path: path.to_string(),
        created_at: ctx.now,
    };
    let mut tx = ctx.begin_write().await?;
    if groups::by_name(tx.conn(&proof), ctx.account(), name).await?.is_some() {
        return Err(errors::group_exists(name));
    }
    // Counted in the write's transaction, which serialises the account's writers: concurrent creations cannot
    // together pass the quota. AWS names this quota GroupsPerAccount (as it does InstanceProfilesPerAccount).
    let quota = ctx.state.quotas.groups;
    if !within(groups::count(tx.conn(&proof), ctx.account()).await?, quota) {
        return Err(errors::quota_exceeded("GroupsPerAccount", quota));
    }
    match groups::insert(tx.conn(&proof), &group).await {
        Err(StoreError::Conflict) => return Err(errors::group_exists(name)),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(group)
}

/// GetGroup: the group and a page of its members, ordered by user name.
pub async fn get(
    ctx: &Ctx,
    name: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(GroupRow, Page<UserRow>), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, group) = authorized_group(ctx, &mut op, "iam:GetGroup", name).await?;
    let after = paging::decode_marker(marker)?;
    let (page, limit) = paging::fetch_limit(max_items);
    let rows = groups::members(op.conn(&proof), &group.group_id, &after, limit).await?;
    Ok((group, paging::paginate(rows, page, |u| users::name_key(&u.name))))
}

/// ListGroups, authorised (as ListUsers is) on the path prefix: `group/PREFIX`.
pub async fn list(
    ctx: &Ctx,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<GroupRow>, AwsError> {
    let mut op = ctx.begin_read().await?;
    Ok(super::named::list(ctx, &mut op, "iam:ListGroups", path_prefix, marker, max_items).await?.1)
}

/// ListGroupsForUser: the user's groups, ordered by group name; authorised on the user (the Service
/// Authorization Reference gives the action the `user` resource type).
pub async fn list_for_user(
    ctx: &Ctx,
    user_name: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<GroupRow>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, user) = authorized_user(ctx, &mut op, "iam:ListGroupsForUser", user_name).await?;
    let after = paging::decode_marker(marker)?;
    let (page, limit) = paging::fetch_limit(max_items);
    let rows = groups::of_user(op.conn(&proof), &user.user_id, &after, limit).await?;
    Ok(paging::paginate(rows, page, |g| users::name_key(&g.name)))
}

/// UpdateGroup renames or moves a group; its members, policies and id stay. AWS: "the caller must have
/// permission on both the source object and the target object", so iam:UpdateGroup is authorised on the group
/// as it is (before its existence is revealed), then on the group as it will be; either denial refuses.
pub async fn update(ctx: &Ctx, name: &str, new_name: Option<&str>, new_path: Option<&str>) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, group) = authorized_group(ctx, &mut tx, "iam:UpdateGroup", name).await?;
    let target_name = new_name.unwrap_or(&group.name);
    let target_path = new_path.unwrap_or(&group.path);
    let _target_proof = authorize_target(|action, arn| ctx.authorize(action, arn), &group, target_name, target_path)?;
    if let Some(other) = groups::by_name(tx.conn(&proof), ctx.account(), target_name).await? {
        if other.group_id != group.group_id {
            return Err(errors::group_exists(target_name));
        }
    }
    match groups::rename(tx.conn(&proof), &group.group_id, target_name, target_path).await {
        Err(StoreError::Conflict) => return Err(errors::group_exists(target_name)),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(())
}

/// UpdateGroup's second decision: iam:UpdateGroup on `group/NEW_PATH/NEW_NAME` in the group's account.
/// `authorize` is [`Ctx::authorize`]; it is a parameter so that a test can watch and refuse the decision.
fn authorize_target(
    authorize: impl FnOnce(&'static str, &str) -> Result<Authorized, AwsError>,
    group: &GroupRow,
    target_name: &str,
    target_path: &str,
) -> Result<Authorized, AwsError> {
    authorize("iam:UpdateGroup", &crate::arn::iam(&group.account_id, "group", target_path, target_name))
}

/// DeleteGroup refuses while anything hangs on the group, in the order AWS's user guide gives for deleting a
/// group through the API ("you must first remove the users in the group. Then delete any inline policies ...
/// Next, detach any managed policies"): members, then inline policies, then attached policies.
pub async fn delete(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, group) = authorized_group(ctx, &mut tx, "iam:DeleteGroup", name).await?;
    if groups::any_members(tx.conn(&proof), &group.group_id).await? {
        return Err(errors::delete_conflict("remove users from group"));
    }
    super::holders::refuse_while_holding_policies(tx.conn(&proof), &group.group_id).await?;
    match groups::delete(tx.conn(&proof), &group.group_id).await {
        Err(StoreError::StillReferenced) => return Err(errors::delete_conflict("remove referenced objects")),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(())
}

/// The group and the user of a membership change, authorised on the group (the Service Authorization Reference
/// gives AddUserToGroup and RemoveUserFromGroup the `group` resource type). The user is required first: AWS
/// answers RemoveUserFromGroup naming an unknown group and an unknown user with the *user* message (and with
/// the group message when only the group is unknown); AddUserToGroup is taken to check in the same order.
async fn membership<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    group_name: &str,
    user_name: &str,
) -> Result<(Authorized, GroupRow, UserRow), AwsError> {
    let (group, arn) = super::named::lookup::<GroupRow, C>(ctx, op, group_name).await?;
    let user = users::by_name(op.lookup(), ctx.account(), user_name).await?;
    let proof = ctx.authorize(action, &arn)?;
    let user = user.ok_or_else(|| errors::no_such_user(user_name))?;
    let group = group.ok_or_else(|| errors::no_such_group(group_name))?;
    Ok((proof, group, user))
}

/// AddUserToGroup: idempotent (adding a member again succeeds and changes nothing); a new membership counts
/// against GroupsPerUser, counted in the write's transaction so concurrent additions cannot pass it.
pub async fn add_user(ctx: &Ctx, group_name: &str, user_name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, group, user) = membership(ctx, &mut tx, "iam:AddUserToGroup", group_name, user_name).await?;
    if groups::is_member(tx.conn(&proof), &group.group_id, &user.user_id).await? {
        return Ok(());
    }
    let quota = ctx.state.quotas.groups_per_user;
    if !within(groups::count_for_user(tx.conn(&proof), &user.user_id).await?, quota) {
        return Err(errors::quota_exceeded("GroupsPerUser", quota));
    }
    groups::add_member(tx.conn(&proof), &group, &user.user_id, ctx.now).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// RemoveUserFromGroup: ends the membership. Removing a user who is not a member succeeds and changes nothing, as
/// AWS answers it (reported from the real API in cloud-custodian/cloud-custodian#4730; the user and the group must
/// exist).
pub async fn remove_user(ctx: &Ctx, group_name: &str, user_name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, group, user) = membership(ctx, &mut tx, "iam:RemoveUserFromGroup", group_name, user_name).await?;
    groups::remove_member(tx.conn(&proof), &group.group_id, &user.user_id).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// Groups hold policies under their group id.
pub struct Groups;

impl PolicyHolder for Groups {
    const KIND: EntityKind = EntityKind::Group;

    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, Holder), AwsError> {
        let (proof, group) = super::named::authorized_with::<GroupRow, C>(ctx, op, action, name, facts).await?;
        let arn = group.arn();
        Ok((proof, Holder { kind: EntityKind::Group, id: group.group_id, name: group.name, arn, protected: false }))
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

    fn devs() -> GroupRow {
        GroupRow {
            group_id: "AGPADEVS".into(),
            account_id: "000000000000".into(),
            name: "devs".into(),
            path: "/".into(),
            created_at: 0,
        }
    }

    /// UpdateGroup asks for iam:UpdateGroup on the new name and path, and a denial there refuses the rename
    /// even though the source was allowed.
    #[test]
    fn update_group_is_authorised_on_the_target() {
        let target = "arn:aws:iam::000000000000:group/moved/devs2";
        let asked = RefCell::new(Vec::new());
        let allow_all = |action: &'static str, arn: &str| {
            asked.borrow_mut().push((action, arn.to_string()));
            crate::authz::authorize(&root(), action, arn)
        };
        assert!(authorize_target(allow_all, &devs(), "devs2", "/moved/").is_ok());
        assert_eq!(asked.borrow().as_slice(), [("iam:UpdateGroup", target.to_string())]);

        let deny_target = |action: &'static str, arn: &str| {
            if arn == target {
                Err(crate::authz::denied(&root(), action, arn))
            } else {
                crate::authz::authorize(&root(), action, arn)
            }
        };
        let e = authorize_target(deny_target, &devs(), "devs2", "/moved/").unwrap_err();
        assert_eq!((e.code.as_ref(), e.status), ("AccessDenied", 403));
        assert!(e.message.contains("iam:UpdateGroup on resource: arn:aws:iam::000000000000:group/moved/devs2"));
    }

    #[test]
    fn quotas_allow_up_to_the_limit() {
        assert!(within(0, 1));
        assert!(within(9, 10));
        assert!(!within(10, 10));
    }
}
