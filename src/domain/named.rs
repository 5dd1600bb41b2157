//! Users, groups, roles and instance profiles are found by name in the caller's account and authorised on their
//! ARN before their existence is revealed. Written once here; each kind says how to find one and how AWS words its
//! absence.

use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use std::sync::Arc;

use super::paging::{self, Page};
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::groups::{self, GroupRow};
use crate::store::instance_profiles::{self, InstanceProfileRow};
use crate::store::read_cache::ReadCache;
use crate::store::roles::{self, RoleRow};
use crate::store::tags::{self, Tag};
use crate::store::users::{self, UserRow};

/// A kind of entity named by account and name (unique regardless of case).
pub trait Named: Sized + Send {
    /// The resource type in its ARN (`user`, `group`, `role`, `instance-profile`).
    const KIND: &'static str;

    fn find(
        conn: &mut AnyConnection,
        account: &str,
        name: &str,
    ) -> impl std::future::Future<Output = crate::store::Result<Option<Self>>> + Send;

    /// Those whose path starts with `path_prefix`, by name key, after `after`, at most `limit`.
    fn list(
        conn: &mut AnyConnection,
        account: &str,
        path_prefix: &str,
        after: &str,
        limit: i64,
    ) -> impl std::future::Future<Output = crate::store::Result<Vec<Self>>> + Send;

    fn name(&self) -> &str;

    fn arn(&self) -> String;

    /// The id its tags are stored under (`aws:ResourceTag/*`), for the kinds that carry tags.
    fn tag_owner(&self) -> Option<&str>;

    /// Its permissions boundary (`iam:PermissionsBoundary` of the actions on it), for users and roles.
    fn boundary(&self) -> Option<&str>;

    /// AWS's NoSuchEntity for the name.
    fn missing(name: &str) -> AwsError;

    /// Where read-only operations keep what they looked up of this kind, if anywhere.
    fn snapshots(_all: &Snapshots) -> Option<&ReadCache<Snapshot<Self>>> {
        None
    }
}

/// An entity as a read-only operation finds it by name: there or not, with its tags.
#[derive(Debug)]
pub struct Snapshot<E> {
    pub entity: Option<E>,
    pub tags: Vec<Tag>,
}

/// The read caches of the four kinds (`State::snapshots`).
#[derive(Debug, Default)]
pub struct Snapshots {
    users: ReadCache<Snapshot<UserRow>>,
    groups: ReadCache<Snapshot<GroupRow>>,
    roles: ReadCache<Snapshot<RoleRow>>,
    instance_profiles: ReadCache<Snapshot<InstanceProfileRow>>,
}

/// ListUsers, ListGroups, ListRoles, ListInstanceProfiles: authorised on the listed type's prefix as AWS words it
/// (`user/PATH_PREFIX`), ordered by name, paged with the last name's key as marker.
pub async fn list<E: Named, C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(Authorized, Page<E>), AwsError> {
    let prefix = path_prefix.unwrap_or("/");
    let proof = ctx.authorize(action, &crate::arn::iam(ctx.account(), E::KIND, prefix, ""))?;
    let after = paging::decode_marker(marker)?;
    let (page, limit) = paging::fetch_limit(max_items);
    let rows = E::list(op.conn(&proof), ctx.account(), prefix, &after, limit).await?;
    Ok((proof, paging::paginate(rows, page, |e| users::name_key(e.name()))))
}

/// Looks the entity up (before the decision), decides `action` on its ARN, or on `KIND/NAME` when it does not
/// exist so that a caller without permission learns nothing, then requires that it exists.
pub async fn authorized<E: Named, C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    name: &str,
) -> Result<(Authorized, E), AwsError> {
    authorized_with(ctx, op, action, name, Facts::new()).await
}

/// [`authorized`] with what the request adds to the decision. The entity's own facts are added here: its tags
/// (looked up only when some policy of the caller reads resource tags) and its permissions boundary.
pub async fn authorized_with<E: Named, C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    name: &str,
    facts: Facts<'_>,
) -> Result<(Authorized, E), AwsError> {
    let (found, arn) = lookup::<E, C>(ctx, op, name).await?;
    let proof = decide(ctx, op, action, &arn, found.as_ref(), facts).await?;
    let found = found.ok_or_else(|| E::missing(name))?;
    Ok((proof, found))
}

/// For operations that name the entity by its ARN (path included): looks up `name`, decides `action` on `arn` as
/// given, with the entity's facts only when it is the one that ARN names, then requires that it is.
pub async fn authorized_at<E: Named, C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    name: &str,
) -> Result<(Authorized, E), AwsError> {
    let found = E::find(op.lookup(), ctx.account(), name).await?.filter(|e| e.arn() == arn);
    let proof = decide(ctx, op, action, arn, found.as_ref(), Facts::new()).await?;
    let found = found.ok_or_else(|| E::missing(name))?;
    Ok((proof, found))
}

/// The decision on `arn`, with what the entity found there adds: its tags (looked up only when some policy of the
/// caller reads resource tags) and its permissions boundary.
async fn decide<E: Named, C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    found: Option<&E>,
    facts: Facts<'_>,
) -> Result<Authorized, AwsError> {
    let tags = match found.and_then(E::tag_owner) {
        Some(id) if ctx.wants_resource_tags(action, arn) => Some(tags::list(op.lookup(), id).await?),
        _ => None,
    };
    decide_found(ctx, action, arn, found, tags.as_deref(), facts)
}

/// The decision on `arn` with the entity's facts: its tags (when given) and its permissions boundary.
fn decide_found<E: Named>(
    ctx: &Ctx,
    action: &'static str,
    arn: &str,
    found: Option<&E>,
    tags: Option<&[Tag]>,
    facts: Facts<'_>,
) -> Result<Authorized, AwsError> {
    let mut facts = facts;
    if let Some(tags) = tags {
        facts = facts.resource_tags(tags);
    }
    if let Some(b) = found.and_then(E::boundary) {
        facts = facts.key_unless_set("iam:PermissionsBoundary", b);
    }
    ctx.authorize_with(action, arn, &facts)
}

/// [`authorized`] for the operations that change nothing and answer with the entity and its tags (GetUser,
/// GetRole): what was found by the name, or that nothing was, is kept in the read cache for later requests of the
/// same revision of the account (`store::read_cache`), so a repeated read costs no query. The tags are read with
/// the entity, before the decision, but they leave only with its proof, as everything else the entity says.
pub async fn authorized_read<E: Named + Clone + Sync>(
    ctx: &Ctx,
    action: &'static str,
    name: &str,
) -> Result<(Authorized, E, Vec<Tag>), AwsError> {
    let key = users::name_key(name);
    let cache = E::snapshots(&ctx.state.snapshots);
    let cached = ctx.revision.zip(cache).and_then(|(r, c)| c.get(ctx.account(), r, &key));
    let snapshot = match cached {
        Some(s) => s,
        None => {
            let mut op = ctx.begin_read().await?;
            let entity = E::find(op.lookup(), ctx.account(), name).await?;
            let tags = match entity.as_ref().and_then(E::tag_owner) {
                Some(id) => tags::list(op.lookup(), id).await?,
                None => Vec::new(),
            };
            let s = Arc::new(Snapshot { entity, tags });
            if let Some((r, c)) = ctx.revision.zip(cache) {
                c.put(ctx.account(), r, &key, s.clone());
            }
            s
        }
    };
    let found = snapshot.entity.as_ref();
    let arn = arn_of(ctx, found, name);
    let tags = match found.and_then(E::tag_owner) {
        Some(_) if ctx.wants_resource_tags(action, &arn) => Some(snapshot.tags.as_slice()),
        _ => None,
    };
    let proof = decide_found(ctx, action, &arn, found, tags, Facts::new())?;
    let entity = found.ok_or_else(|| E::missing(name))?;
    Ok((proof, entity.clone(), snapshot.tags.clone()))
}

/// The decision on `arn` for an entity found some other way than by name (the identity providers, named by their
/// ARN): its tags, stored under `tag_owner`, are added when it exists and some policy of the caller reads them.
pub async fn decide_on<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    tag_owner: Option<&str>,
    facts: Facts<'_>,
) -> Result<Authorized, AwsError> {
    let tags = match tag_owner {
        Some(id) if ctx.wants_resource_tags(action, arn) => Some(tags::list(op.lookup(), id).await?),
        _ => None,
    };
    let mut facts = facts;
    if let Some(tags) = &tags {
        facts = facts.resource_tags(tags);
    }
    ctx.authorize_with(action, arn, &facts)
}

/// The entity, if any, and the ARN a decision about it is made on.
pub async fn lookup<E: Named, C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    name: &str,
) -> Result<(Option<E>, String), AwsError> {
    let found = E::find(op.lookup(), ctx.account(), name).await?;
    let arn = arn_of(ctx, found.as_ref(), name);
    Ok((found, arn))
}

/// The ARN a decision about `name` is made on: the entity's, or `KIND/NAME` at the root path when there is none.
fn arn_of<E: Named>(ctx: &Ctx, found: Option<&E>, name: &str) -> String {
    match found {
        Some(e) => e.arn(),
        None => crate::arn::iam(ctx.account(), E::KIND, "/", name),
    }
}

/// The four kinds differ only in their store module, ARN type and NoSuchEntity wording.
macro_rules! named {
    ($row:ty, $kind:literal, $store:ident, $missing:path, cache: $cache:ident, tags: $tags:expr, boundary: $boundary:expr) => {
        impl Named for $row {
            const KIND: &'static str = $kind;
            async fn find(conn: &mut AnyConnection, account: &str, name: &str) -> crate::store::Result<Option<Self>> {
                $store::by_name(conn, account, name).await
            }
            async fn list(
                conn: &mut AnyConnection,
                account: &str,
                path_prefix: &str,
                after: &str,
                limit: i64,
            ) -> crate::store::Result<Vec<Self>> {
                $store::list(conn, account, path_prefix, after, limit).await
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn arn(&self) -> String {
                <$row>::arn(self)
            }
            fn tag_owner(&self) -> Option<&str> {
                let f: fn(&Self) -> Option<&str> = $tags;
                f(self)
            }
            fn boundary(&self) -> Option<&str> {
                let f: fn(&Self) -> Option<&str> = $boundary;
                f(self)
            }
            fn missing(name: &str) -> AwsError {
                $missing(name)
            }
            fn snapshots(all: &Snapshots) -> Option<&ReadCache<Snapshot<Self>>> {
                Some(&all.$cache)
            }
        }
    };
}

named!(UserRow, "user", users, errors::no_such_user, cache: users,
    tags: |u| Some(&u.user_id), boundary: |u| u.permissions_boundary.as_deref());
named!(GroupRow, "group", groups, errors::no_such_group, cache: groups, tags: |_| None, boundary: |_| None);
named!(RoleRow, "role", roles, errors::no_such_role, cache: roles,
    tags: |r| Some(&r.role_id), boundary: |r| r.permissions_boundary.as_deref());
named!(InstanceProfileRow, "instance-profile", instance_profiles, errors::no_such_instance_profile,
    cache: instance_profiles, tags: |p| Some(&p.instance_profile_id), boundary: |_| None);
