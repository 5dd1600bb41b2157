//! Inline policies, written once for users, groups and roles (`PolicyHolder`): Put replaces a policy of the same
//! name, the documents of one entity share its aggregate size quota, and a service-linked role's are its service's.

use gatehouse_wire::AwsError;

use super::holders::{Holder, PolicyHolder};
use super::paging::{self, Page};
use crate::authz::Facts;
use crate::errors;
use crate::request::Ctx;
use crate::store::{inline_policies, EntityKind};

/// The aggregate quota of an entity's inline policies (characters without whitespace).
fn size_quota(ctx: &Ctx, kind: EntityKind) -> u32 {
    let q = &ctx.state.quotas;
    match kind {
        EntityKind::User => q.user_policy_size,
        EntityKind::Group => q.group_policy_size,
        EntityKind::Role => q.role_policy_size,
    }
}

fn refuse_if_protected(holder: &Holder) -> Result<(), AwsError> {
    if holder.protected {
        return Err(errors::protected_role(&holder.name));
    }
    Ok(())
}

pub async fn put<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    name: &str,
    document: &str,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, holder) = H::authorize(ctx, &mut tx, action, entity, Facts::new()).await?;
    refuse_if_protected(&holder)?;
    super::policies::validate_identity_document(document)?;
    let key = crate::store::users::name_key(name);
    let others: u32 = inline_policies::of_entity(tx.conn(&proof), &holder.id)
        .await?
        .iter()
        .filter(|p| crate::store::users::name_key(&p.name) != key)
        .map(|p| crate::quotas::size(&p.document))
        .sum();
    let limit = size_quota(ctx, H::KIND);
    if others.saturating_add(crate::quotas::size(document)) > limit {
        return Err(errors::inline_policy_size(limit, H::KIND.as_str(), &holder.name));
    }
    inline_policies::put(tx.conn(&proof), ctx.account(), H::KIND, &holder.id, name, document).await?;
    tx.commit(&proof).await
}

/// GetXPolicy: the entity's name as stored, the policy's name as stored, and its document as written.
pub async fn get<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    name: &str,
) -> Result<(String, String, String), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, holder) = H::authorize(ctx, &mut op, action, entity, Facts::new()).await?;
    let key = crate::store::users::name_key(name);
    let found = inline_policies::of_entity(op.conn(&proof), &holder.id)
        .await?
        .into_iter()
        .find(|p| crate::store::users::name_key(&p.name) == key)
        .ok_or_else(|| errors::inline_policy_not_found(H::KIND.as_str(), name))?;
    Ok((holder.name, found.name, found.document))
}

/// ListXPolicies: names in order, paged in memory (an entity's inline policies are bounded by its size quota).
pub async fn list<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<String>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, holder) = H::authorize(ctx, &mut op, action, entity, Facts::new()).await?;
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let names: Vec<String> = inline_policies::of_entity(op.conn(&proof), &holder.id)
        .await?
        .into_iter()
        .map(|p| p.name)
        .filter(|n| crate::store::users::name_key(n) > after)
        .collect();
    Ok(paging::paginate(names, page, |n| crate::store::users::name_key(n)))
}

pub async fn delete<H: PolicyHolder>(
    ctx: &Ctx,
    action: &'static str,
    entity: &str,
    name: &str,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, holder) = H::authorize(ctx, &mut tx, action, entity, Facts::new()).await?;
    refuse_if_protected(&holder)?;
    if !inline_policies::delete(tx.conn(&proof), &holder.id, name).await? {
        return Err(errors::inline_policy_not_found(H::KIND.as_str(), name));
    }
    tx.commit(&proof).await
}
