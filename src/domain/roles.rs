//! IAM roles: create, read, list, update their settings and trust policy, delete, and tag. Service-linked roles
//! (`service_name` set) are created and deleted by their service only; here they refuse the changes AWS refuses.

use gatehouse_wire::AwsError;

use super::holders::{Holder, PolicyHolder};
use super::paging::Page;
use super::{tagging, trust};
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::roles::{self, RoleRow};
use crate::store::tags::{self, Tag};
use crate::store::{instance_profiles, EntityKind, StoreError};

/// AWS's default MaxSessionDuration (one hour).
pub const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

/// Authorises `action` on the named role (looked up in `op`), then requires that it exists.
pub async fn authorized_role<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    name: &str,
) -> Result<(Authorized, RoleRow), AwsError> {
    super::named::authorized(ctx, op, action, name).await
}

/// A service-linked role refuses the change: only its service may make it.
fn refuse_if_service_linked(role: &RoleRow) -> Result<(), AwsError> {
    if role.is_service_linked() {
        return Err(errors::protected_role(&role.name));
    }
    Ok(())
}

/// An empty Description clears it (the model allows the empty string; a role without one shows none).
fn description(d: Option<&str>) -> Option<String> {
    d.filter(|d| !d.is_empty()).map(str::to_string)
}

pub struct NewRole<'a> {
    pub name: &'a str,
    pub path: Option<&'a str>,
    pub trust_policy: &'a str,
    pub description: Option<&'a str>,
    /// Already within 3600..=43200: the request decoder enforces the model's range with AWS's ValidationError.
    pub max_session_duration: Option<i32>,
    pub permissions_boundary: Option<&'a str>,
    pub tags: Vec<Tag>,
}

pub async fn create(ctx: &Ctx, new: NewRole<'_>) -> Result<(RoleRow, Vec<Tag>), AwsError> {
    let path = new.path.unwrap_or("/");
    let arn = crate::arn::iam(ctx.account(), "role", path, new.name);
    let mut facts = Facts::new().request_tags(&new.tags);
    if let Some(b) = new.permissions_boundary {
        facts = facts.key("iam:PermissionsBoundary", b);
    }
    let proof = ctx.authorize_with("iam:CreateRole", &arn, &facts)?;
    tagging::check_unique_keys(new.tags.iter().map(|t| t.key.as_str()))?;
    let doc = trust::parse(new.trust_policy, ctx.state.quotas.assume_role_policy_size)?;
    let role = RoleRow {
        role_id: crate::ids::unique_id(&*ctx.state.rng, "AROA"),
        account_id: ctx.account().to_string(),
        name: new.name.to_string(),
        path: path.to_string(),
        trust_policy: new.trust_policy.to_string(),
        description: description(new.description),
        max_session_duration: new.max_session_duration.map_or(DEFAULT_MAX_SESSION_DURATION, i64::from),
        permissions_boundary: new.permissions_boundary.map(str::to_string),
        service_name: None,
        created_at: ctx.now,
        last_used_at: None,
        last_used_region: None,
    };
    let mut tx = ctx.begin_write().await?;
    if let Some(boundary) = new.permissions_boundary {
        super::boundaries::check(tx.conn(&proof), ctx.account(), boundary).await?;
    }
    trust::check_principals(tx.conn(&proof), &doc).await?;
    if roles::by_name(tx.conn(&proof), ctx.account(), new.name).await?.is_some() {
        return Err(errors::role_exists(new.name));
    }
    let limit = ctx.state.quotas.roles;
    if roles::count(tx.conn(&proof), ctx.account()).await? >= i64::from(limit) {
        return Err(errors::roles_quota(limit));
    }
    match roles::insert(tx.conn(&proof), &role).await {
        Err(StoreError::Conflict) => return Err(errors::role_exists(new.name)),
        other => other?,
    }
    tags::put(tx.conn(&proof), &role.role_id, &new.tags).await?;
    tx.commit(&proof).await?;
    Ok((role, new.tags))
}

pub async fn get(ctx: &Ctx, name: &str) -> Result<(RoleRow, Vec<Tag>), AwsError> {
    let (_proof, role, tags) = super::named::authorized_read::<RoleRow>(ctx, "iam:GetRole", name).await?;
    Ok((role, tags))
}

pub async fn list(
    ctx: &Ctx,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<RoleRow>, AwsError> {
    let mut op = ctx.begin_read().await?;
    Ok(super::named::list(ctx, &mut op, "iam:ListRoles", path_prefix, marker, max_items).await?.1)
}

/// UpdateRole: a new description and/or maximum session duration; what is not given stays as it is. A
/// service-linked role's description may be edited (AWS documents it), its session duration may not.
pub async fn update(
    ctx: &Ctx,
    name: &str,
    new_description: Option<&str>,
    max_session_duration: Option<i32>,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, role) = authorized_role(ctx, &mut tx, "iam:UpdateRole", name).await?;
    if max_session_duration.is_some() {
        refuse_if_service_linked(&role)?;
    }
    let desc = match new_description {
        Some(d) => description(Some(d)),
        None => role.description.clone(),
    };
    let max = max_session_duration.map_or(role.max_session_duration, i64::from);
    roles::set_settings(tx.conn(&proof), &role.role_id, desc.as_deref(), max).await?;
    tx.commit(&proof).await
}

/// UpdateRoleDescription: the older operation, which answers with the role as it now is.
pub async fn update_description(ctx: &Ctx, name: &str, new_description: &str) -> Result<RoleRow, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, mut role) = authorized_role(ctx, &mut tx, "iam:UpdateRoleDescription", name).await?;
    role.description = description(Some(new_description));
    roles::set_settings(tx.conn(&proof), &role.role_id, role.description.as_deref(), role.max_session_duration).await?;
    tx.commit(&proof).await?;
    Ok(role)
}

pub async fn update_trust_policy(ctx: &Ctx, name: &str, document: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, role) = authorized_role(ctx, &mut tx, "iam:UpdateAssumeRolePolicy", name).await?;
    refuse_if_service_linked(&role)?;
    let doc = trust::parse(document, ctx.state.quotas.assume_role_policy_size)?;
    trust::check_principals(tx.conn(&proof), &doc).await?;
    roles::set_trust_policy(tx.conn(&proof), &role.role_id, document).await?;
    tx.commit(&proof).await
}

/// DeleteRole refuses a service-linked role (DeleteServiceLinkedRole is its way out), then, in this order, a role
/// still in an instance profile, with inline policies, or with attached managed policies. Its tags go with it.
pub async fn delete(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, role) = authorized_role(ctx, &mut tx, "iam:DeleteRole", name).await?;
    refuse_if_service_linked(&role)?;
    if instance_profiles::any_for_role(tx.conn(&proof), &role.role_id).await? {
        return Err(errors::delete_conflict("remove roles from instance profile"));
    }
    super::holders::refuse_while_holding_policies(tx.conn(&proof), &role.role_id).await?;
    tags::remove_all(tx.conn(&proof), &role.role_id).await?;
    crate::store::access_records::forget_entity(tx.conn(&proof), &role.role_id).await?;
    match roles::delete(tx.conn(&proof), &role.role_id).await {
        Err(StoreError::StillReferenced) => return Err(errors::delete_conflict("remove referenced objects")),
        other => other?,
    }
    tx.commit(&proof).await
}

/// Roles carry tags: found by name, authorised as `role/PATH/NAME`, tagged under their unique id.
pub struct RoleTags;

impl tagging::Taggable for RoleTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, role) = super::named::authorized_with::<RoleRow, C>(ctx, op, action, name, facts).await?;
        Ok((proof, role.role_id))
    }
}

/// Roles hold policies under their role id; a service-linked role's policies belong to its service.
pub struct Roles;

impl PolicyHolder for Roles {
    const KIND: EntityKind = EntityKind::Role;

    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, Holder), AwsError> {
        let (proof, role) = super::named::authorized_with::<RoleRow, C>(ctx, op, action, name, facts).await?;
        let arn = role.arn();
        let protected = role.is_service_linked();
        Ok((proof, Holder { kind: EntityKind::Role, id: role.role_id, name: role.name, arn, protected }))
    }
}
