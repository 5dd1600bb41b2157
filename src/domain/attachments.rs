//! Attaching managed policies, written once for users, groups and roles (`PolicyHolder`), and the reverse view
//! (ListEntitiesForPolicy). An attachment names the policy by ARN, so AWS's catalogue and the account's own
//! policies attach alike; the per-entity quota is counted in the write's transaction.

use gatehouse_wire::AwsError;

use super::holders::PolicyHolder;
use super::paging::{self, Page};
use super::policies::{self, Managed};
use crate::authz::Facts;
use crate::errors;
use crate::request::Ctx;
use crate::store::{attachments, EntityKind};

fn quota(ctx: &Ctx, kind: EntityKind) -> (&'static str, u32) {
    let q = &ctx.state.quotas;
    match kind {
        EntityKind::User => ("PoliciesPerUser", q.attached_policies_per_user),
        EntityKind::Group => ("PoliciesPerGroup", q.attached_policies_per_group),
        EntityKind::Role => ("PoliciesPerRole", q.attached_policies_per_role),
    }
}

pub async fn attach<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    policy_arn: &str,
) -> Result<(), AwsError> {
    policies::check_arn_syntax(policy_arn)?;
    let mut tx = ctx.begin_write().await?;
    let facts = Facts::new().key("iam:PolicyARN", policy_arn);
    let (proof, holder) = H::authorize(ctx, &mut tx, action, entity, facts).await?;
    if holder.protected {
        return Err(errors::protected_role(&holder.name));
    }
    let policy = policies::resolve(tx.conn(&proof), ctx.account(), policy_arn)
        .await?
        .ok_or_else(|| errors::policy_not_attachable(policy_arn))?;
    if !policy.attachable() {
        return Err(errors::service_role_policy_not_attachable());
    }
    let attached = attachments::of_entity(tx.conn(&proof), &holder.id).await?;
    if attached.iter().any(|a| a.policy_arn == policy_arn) {
        return tx.commit(&proof).await; // attaching twice changes nothing, as in IAM
    }
    let (quota_name, limit) = quota(ctx, H::KIND);
    if attached.len() >= limit as usize {
        return Err(errors::quota_exceeded(quota_name, limit));
    }
    attachments::attach(tx.conn(&proof), ctx.account(), H::KIND, &holder.id, policy_arn, policy.name(), ctx.now)
        .await?;
    tx.commit(&proof).await
}

pub async fn detach<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    policy_arn: &str,
) -> Result<(), AwsError> {
    policies::check_arn_syntax(policy_arn)?;
    let mut tx = ctx.begin_write().await?;
    let facts = Facts::new().key("iam:PolicyARN", policy_arn);
    let (proof, holder) = H::authorize(ctx, &mut tx, action, entity, facts).await?;
    if holder.protected {
        return Err(errors::protected_role(&holder.name));
    }
    if !attachments::detach(tx.conn(&proof), &holder.id, policy_arn).await? {
        return Err(errors::policy_not_found(policy_arn));
    }
    tx.commit(&proof).await
}

/// One attached policy: (name, ARN).
pub type Attached = (String, String);

/// ListAttachedXPolicies: ordered by ARN, filtered by the policies' path, paged in memory (the quota keeps an
/// entity's attachments few).
pub async fn list<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Attached>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, holder) = H::authorize(ctx, &mut op, action, entity, Facts::new()).await?;
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let prefix = path_prefix.unwrap_or("/");
    let rows: Vec<Attached> = attachments::of_entity(op.conn(&proof), &holder.id)
        .await?
        .into_iter()
        .filter(|a| a.policy_arn > after && policy_path(&a.policy_arn).starts_with(prefix))
        .map(|a| (a.policy_name, a.policy_arn))
        .collect();
    Ok(paging::paginate(rows, page, |(_, arn)| arn.clone()))
}

/// The path of `arn:aws:iam::ACCOUNT:policy/PATH/NAME` (`/PATH/`).
fn policy_path(arn: &str) -> &str {
    let Some(start) = arn.find(":policy/") else { return "/" };
    let rest = arn.get(start + 7..).unwrap_or("/");
    match rest.rfind('/') {
        Some(end) => rest.get(..=end).unwrap_or("/"),
        None => "/",
    }
}

/// One entity in ListEntitiesForPolicy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEntity {
    pub kind: EntityKind,
    pub name: String,
    pub id: String,
}

pub struct EntitiesQuery<'a> {
    pub arn: &'a str,
    pub kinds: Option<EntityKind>,
    pub path_prefix: &'a str,
    pub usage: Option<policies::Usage>,
    pub marker: Option<&'a str>,
    pub max_items: Option<i32>,
}

/// ListEntitiesForPolicy: the users, groups and roles the policy is attached to (PermissionsPolicy), or that use it
/// as their boundary (PermissionsBoundary), or both when no use is named; grouped by kind, by name within a kind.
pub async fn entities_for_policy(ctx: &Ctx, q: EntitiesQuery<'_>) -> Result<Page<PolicyEntity>, AwsError> {
    policies::check_arn_syntax(q.arn)?;
    let mut op = ctx.begin_read().await?;
    let policy: Option<Managed> = policies::resolve(op.lookup(), ctx.account(), q.arn).await?;
    let proof = ctx.authorize("iam:ListEntitiesForPolicy", q.arn)?;
    policy.ok_or_else(|| errors::policy_not_attachable(q.arn))?;
    let mut found: Vec<(EntityKind, String, String, String)> = Vec::new();
    if q.usage != Some(policies::Usage::Boundary) {
        found.extend(attachments::entities_of_policy(op.conn(&proof), ctx.account(), q.arn).await?);
    }
    if q.usage != Some(policies::Usage::Permissions) {
        for e in attachments::entities_with_boundary(op.conn(&proof), ctx.account(), q.arn).await? {
            if !found.iter().any(|f| f.2 == e.2) {
                found.push(e);
            }
        }
    }
    let after = paging::decode_marker(q.marker)?;
    let (page, _) = paging::fetch_limit(q.max_items);
    let key = |kind: EntityKind, name: &str| format!("{}/{}", kind.as_str(), crate::store::users::name_key(name));
    let mut rows: Vec<PolicyEntity> = found
        .into_iter()
        .filter(|(kind, _, _, path)| q.kinds.is_none_or(|k| k == *kind) && path.starts_with(q.path_prefix))
        .map(|(kind, name, id, _)| PolicyEntity { kind, name, id })
        .filter(|e| key(e.kind, &e.name) > after)
        .collect();
    rows.sort_by_key(|e| key(e.kind, &e.name));
    Ok(paging::paginate(rows, page, |e| key(e.kind, &e.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_policy_arns() {
        assert_eq!(policy_path("arn:aws:iam::aws:policy/AdministratorAccess"), "/");
        assert_eq!(policy_path("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"), "/service-role/");
        assert_eq!(policy_path("arn:aws:iam::000000000000:policy/a/b/p"), "/a/b/");
    }
}
