//! Instance profiles: containers that pass one role to EC2 instances. Create, read, list (all, or those holding a
//! role), add and remove the role, delete, and tag.

use gatehouse_wire::AwsError;

use super::paging::{self, Page};
use super::roles::authorized_role;
use super::tagging;
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::instance_profiles::{self as profiles, InstanceProfileRow};
use crate::store::roles::RoleRow;
use crate::store::tags::{self, Tag};
use crate::store::StoreError;

/// An instance profile with the roles it holds.
#[derive(Debug, Clone)]
pub struct Described {
    pub profile: InstanceProfileRow,
    pub roles: Vec<RoleRow>,
}

/// Authorises `action` on the named instance profile (looked up in `op`), then requires that it exists.
pub async fn authorized_profile<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    name: &str,
) -> Result<(Authorized, InstanceProfileRow), AwsError> {
    super::named::authorized(ctx, op, action, name).await
}

pub async fn create(
    ctx: &Ctx,
    name: &str,
    path: Option<&str>,
    new_tags: Vec<Tag>,
) -> Result<(InstanceProfileRow, Vec<Tag>), AwsError> {
    let path = path.unwrap_or("/");
    let arn = crate::arn::iam(ctx.account(), "instance-profile", path, name);
    let proof = ctx.authorize_with("iam:CreateInstanceProfile", &arn, &Facts::new().request_tags(&new_tags))?;
    tagging::check_unique_keys(new_tags.iter().map(|t| t.key.as_str()))?;
    let profile = InstanceProfileRow {
        instance_profile_id: crate::ids::unique_id(&*ctx.state.rng, "AIPA"),
        account_id: ctx.account().to_string(),
        name: name.to_string(),
        path: path.to_string(),
        created_at: ctx.now,
    };
    let mut tx = ctx.begin_write().await?;
    if profiles::by_name(tx.conn(&proof), ctx.account(), name).await?.is_some() {
        return Err(errors::instance_profile_exists(name));
    }
    let limit = ctx.state.quotas.instance_profiles;
    if profiles::count(tx.conn(&proof), ctx.account()).await? >= i64::from(limit) {
        return Err(errors::instance_profiles_quota(limit));
    }
    match profiles::insert(tx.conn(&proof), &profile).await {
        Err(StoreError::Conflict) => return Err(errors::instance_profile_exists(name)),
        other => other?,
    }
    tags::put(tx.conn(&proof), &profile.instance_profile_id, &new_tags).await?;
    tx.commit(&proof).await?;
    Ok((profile, new_tags))
}

pub async fn get(ctx: &Ctx, name: &str) -> Result<(Described, Vec<Tag>), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, profile) = authorized_profile(ctx, &mut op, "iam:GetInstanceProfile", name).await?;
    let roles = profiles::roles(op.conn(&proof), &profile.instance_profile_id).await?;
    let tags = tags::list(op.conn(&proof), &profile.instance_profile_id).await?;
    Ok((Described { profile, roles }, tags))
}

pub async fn list(
    ctx: &Ctx,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Described>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, page) =
        super::named::list(ctx, &mut op, "iam:ListInstanceProfiles", path_prefix, marker, max_items).await?;
    with_roles(op.conn(&proof), page).await
}

/// ListInstanceProfilesForRole: the profiles that hold the role, each with its roles.
pub async fn list_for_role(
    ctx: &Ctx,
    role_name: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Described>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, role) = authorized_role(ctx, &mut op, "iam:ListInstanceProfilesForRole", role_name).await?;
    let after = paging::decode_marker(marker)?;
    let (page, limit) = paging::fetch_limit(max_items);
    let rows = profiles::for_role(op.conn(&proof), &role.role_id, &after, limit).await?;
    let page = paging::paginate(rows, page, |p| profiles::name_key(&p.name));
    with_roles(op.conn(&proof), page).await
}

async fn with_roles(
    conn: &mut sqlx::AnyConnection,
    page: Page<InstanceProfileRow>,
) -> Result<Page<Described>, AwsError> {
    let mut items = Vec::with_capacity(page.items.len());
    for profile in page.items {
        let roles = profiles::roles(conn, &profile.instance_profile_id).await?;
        items.push(Described { profile, roles });
    }
    Ok(Page { items, next_marker: page.next_marker })
}

/// AddRoleToInstanceProfile: authorised on the profile, and (AWS: "the caller of this operation must be granted the
/// PassRole permission on the IAM role") iam:PassRole on the role. A profile holds at most
/// RolesPerInstanceProfile roles (AWS: 1); adding the role it already holds meets that quota first.
pub async fn add_role(ctx: &Ctx, profile_name: &str, role_name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, profile) = authorized_profile(ctx, &mut tx, "iam:AddRoleToInstanceProfile", profile_name).await?;
    // The role is passed to EC2, whose instances use the profile.
    let to_ec2 = Facts::new().key("iam:PassedToService", "ec2.amazonaws.com");
    let (_pass, role) =
        super::named::authorized_with::<RoleRow, _>(ctx, &mut tx, "iam:PassRole", role_name, to_ec2).await?;
    let held = profiles::roles(tx.conn(&proof), &profile.instance_profile_id).await?;
    let limit = ctx.state.quotas.roles_per_instance_profile;
    if held.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
        return Err(errors::roles_per_instance_profile_quota(limit));
    }
    if held.iter().any(|r| r.role_id == role.role_id) {
        return Err(errors::role_already_in_instance_profile(&role.name, &profile.name));
    }
    match profiles::add_role(tx.conn(&proof), &profile.instance_profile_id, &role.role_id).await {
        Err(StoreError::Conflict) => return Err(errors::role_already_in_instance_profile(&role.name, &profile.name)),
        other => other?,
    }
    tx.commit(&proof).await
}

pub async fn remove_role(ctx: &Ctx, profile_name: &str, role_name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, profile) = authorized_profile(ctx, &mut tx, "iam:RemoveRoleFromInstanceProfile", profile_name).await?;
    let role = crate::store::roles::by_name(tx.conn(&proof), ctx.account(), role_name)
        .await?
        .ok_or_else(|| errors::no_such_role(role_name))?;
    if !profiles::remove_role(tx.conn(&proof), &profile.instance_profile_id, &role.role_id).await? {
        return Err(errors::role_not_in_instance_profile(role_name, profile_name));
    }
    tx.commit(&proof).await
}

/// DeleteInstanceProfile waits until its role was removed. Its tags go with it.
pub async fn delete(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, profile) = authorized_profile(ctx, &mut tx, "iam:DeleteInstanceProfile", name).await?;
    if !profiles::roles(tx.conn(&proof), &profile.instance_profile_id).await?.is_empty() {
        return Err(errors::delete_conflict("remove roles from instance profile"));
    }
    tags::remove_all(tx.conn(&proof), &profile.instance_profile_id).await?;
    profiles::delete(tx.conn(&proof), &profile.instance_profile_id).await?;
    tx.commit(&proof).await
}

/// Instance profiles carry tags: found by name, authorised as `instance-profile/PATH/NAME`.
pub struct InstanceProfileTags;

impl tagging::Taggable for InstanceProfileTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, profile) =
            super::named::authorized_with::<InstanceProfileRow, C>(ctx, op, action, name, facts).await?;
        Ok((proof, profile.instance_profile_id))
    }
}
