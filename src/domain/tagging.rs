//! Tags, written once for every taggable kind (users, roles, managed policies, instance profiles, MFA devices,
//! OIDC and SAML providers, server certificates): keys unique regardless of case, at most 50 per resource, the
//! three operations of each kind (TagX, UntagX, ListXTags) on the store's one tags table.

use gatehouse_wire::AwsError;

use super::paging::{self, Page};
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::tags::{self, Tag};

/// A kind of entity that carries tags: how to find one by name (in the operation's transaction) and decide an
/// action on it. Returns the proof and the id the entity's tags are stored under (its unique id).
pub trait Taggable {
    fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> impl std::future::Future<Output = Result<(Authorized, String), AwsError>> + Send;

    /// The answer to a request that names one key twice (policies word it differently from users and roles).
    fn duplicate_keys() -> AwsError {
        errors::duplicate_tag_keys()
    }
}

/// TagX: adds or overwrites tags (keys compared without regard to case), at most 50 in all.
pub async fn tag<T: Taggable>(ctx: &Ctx, action: &'static str, name: &str, new_tags: Vec<Tag>) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, id) = T::authorize(ctx, &mut tx, action, name, Facts::new().request_tags(&new_tags)).await?;
    check_unique_keys(new_tags.iter().map(|t| t.key.as_str())).map_err(|_| T::duplicate_keys())?;
    let keys: Vec<String> = new_tags.iter().map(|t| t.key.clone()).collect();
    if tags::count_after_put(tx.conn(&proof), &id, &keys).await? > MAX_TAGS_PER_RESOURCE {
        return Err(errors::tag_limit());
    }
    tags::put(tx.conn(&proof), &id, &new_tags).await?;
    tx.commit(&proof).await
}

/// UntagX: removes the named keys; keys the entity does not have are ignored, as AWS ignores them.
pub async fn untag<T: Taggable>(ctx: &Ctx, action: &'static str, name: &str, keys: &[String]) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, id) = T::authorize(ctx, &mut tx, action, name, Facts::new().tag_keys(keys)).await?;
    tags::remove(tx.conn(&proof), &id, keys).await?;
    tx.commit(&proof).await
}

/// ListXTags: the tags in the order their keys were first added, paged. At most 50 exist, so they are paged in
/// memory, the marker being the position of the last tag returned.
pub async fn list<T: Taggable>(
    ctx: &Ctx,
    action: &'static str,
    name: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Tag>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, id) = T::authorize(ctx, &mut op, action, name, Facts::new()).await?;
    let all = tags::list(op.conn(&proof), &id).await?;
    let after: usize = match marker {
        None => 0,
        Some(_) => paging::decode_marker(marker)?.parse().map_err(|_| errors::invalid_marker())?,
    };
    let (page, _) = paging::fetch_limit(max_items);
    let rest: Vec<(usize, Tag)> = all.into_iter().enumerate().skip(after).map(|(i, t)| (i + 1, t)).collect();
    let p = paging::paginate(rest, page, |(pos, _)| pos.to_string());
    Ok(Page { items: p.items.into_iter().map(|(_, t)| t).collect(), next_marker: p.next_marker })
}

pub const MAX_TAGS_PER_RESOURCE: usize = 50;

/// Rejects a request that names one key twice (IAM compares keys without regard to case).
pub fn check_unique_keys<'a>(keys: impl Iterator<Item = &'a str>) -> Result<(), AwsError> {
    let mut seen = std::collections::HashSet::new();
    for k in keys {
        if !seen.insert(k.to_lowercase()) {
            return Err(crate::errors::duplicate_tag_keys());
        }
    }
    Ok(())
}

pub fn from_wire(tags: &[gatehouse_wire::iam::Tag]) -> Vec<Tag> {
    tags.iter().map(|t| Tag { key: t.key.clone(), value: t.value.clone() }).collect()
}

pub fn to_wire(tags: Vec<Tag>) -> Vec<gatehouse_wire::iam::Tag> {
    tags.into_iter().map(|t| gatehouse_wire::iam::Tag { key: t.key, value: t.value }).collect()
}
