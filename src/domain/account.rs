//! The account views over the access model: GetAccountSummary (counts and the quotas in force) and
//! GetAccountAuthorizationDetails (every entity with the policies it holds).

use std::collections::HashMap;

use gatehouse_wire::AwsError;

use super::paging::{self, Page};
use super::policies::{Described, Managed, Version};
use crate::request::Ctx;
use crate::store::accounts::{self, Counts};
use crate::store::groups::{self, GroupRow};
use crate::store::instance_profiles;
use crate::store::policies::{self, VersionRow};
use crate::store::roles::{self, RoleRow};
use crate::store::tags::{self, Tag};
use crate::store::users::{self, name_key, UserRow};
use crate::store::{attachments, inline_policies};

/// GetAccountSummary: authorised on no particular resource (`*`), as the Service Authorization Reference lists it.
pub async fn summary(ctx: &Ctx) -> Result<Counts, AwsError> {
    let proof = ctx.authorize("iam:GetAccountSummary", "*")?;
    let mut op = ctx.begin_read().await?;
    Ok(accounts::counts(op.conn(&proof), ctx.account()).await?)
}

/// When the account was created (the root user's creation date), for the root user's GetUser: read once per
/// revision of the account and kept (`store::read_cache`).
pub async fn created_at(ctx: &Ctx, proof: &crate::authz::Authorized) -> Result<i64, AwsError> {
    let cache = &ctx.state.account_created;
    if let Some(at) = ctx.revision.and_then(|r| cache.get(ctx.account(), r, "")) {
        return Ok(*at);
    }
    let mut op = ctx.begin_read().await?;
    let at = accounts::created_at(op.conn(proof), ctx.account()).await?.unwrap_or_default();
    if let Some(r) = ctx.revision {
        cache.put(ctx.account(), r, "", std::sync::Arc::new(at));
    }
    Ok(at)
}

/// SetSecurityTokenServicePreferences: which tokens the global STS endpoint issues (`v1Token`, valid in the Regions
/// enabled by default, or `v2Token`, valid in all). Gatehouse's tokens are valid wherever it runs, so the setting
/// changes nothing but what GetAccountSummary reports, as it would for a client that reads it back.
pub async fn set_sts_preferences(ctx: &Ctx, version: &str) -> Result<(), AwsError> {
    let proof = ctx.authorize("iam:SetSecurityTokenServicePreferences", "*")?;
    let mut tx = ctx.begin_write().await?;
    crate::store::account_settings::set_token_version(tx.conn(&proof), ctx.account(), version).await?;
    tx.commit(&proof).await
}

/// The kinds GetAccountAuthorizationDetails can be filtered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailKind {
    User,
    Group,
    Role,
    LocalPolicy,
    AwsPolicy,
}

/// An entity's policies as the account view shows them: inline (name, document) and attached (name, ARN).
#[derive(Debug, Clone, Default)]
pub struct HeldPolicies {
    pub inline: Vec<(String, String)>,
    pub attached: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum Detail {
    User {
        user: UserRow,
        groups: Vec<String>,
        policies: HeldPolicies,
        tags: Vec<Tag>,
    },
    Group {
        group: GroupRow,
        policies: HeldPolicies,
    },
    /// A role with the instance profiles holding it (each with its roles).
    Role {
        role: RoleRow,
        policies: HeldPolicies,
        profiles: Vec<super::instance_profiles::Described>,
        tags: Vec<Tag>,
    },
    Policy {
        policy: Described,
        versions: Vec<Version>,
    },
}

impl Detail {
    /// Place in the listing: users, groups, roles, then policies, each by name without case (the marker).
    fn key(&self) -> String {
        let (order, name) = match self {
            Detail::User { user, .. } => ("0", name_key(&user.name)),
            Detail::Group { group, .. } => ("1", name_key(&group.name)),
            Detail::Role { role, .. } => ("2", name_key(&role.name)),
            Detail::Policy { policy, .. } => {
                let local = matches!(policy.policy, Managed::Customer(_));
                (if local { "3" } else { "4" }, name_key(policy.policy.name()))
            }
        };
        format!("{order}/{name}")
    }
}

fn held(
    id: &str,
    inline: &mut HashMap<String, Vec<(String, String)>>,
    attached: &mut HashMap<String, Vec<(String, String)>>,
) -> HeldPolicies {
    HeldPolicies { inline: inline.remove(id).unwrap_or_default(), attached: attached.remove(id).unwrap_or_default() }
}

/// GetAccountAuthorizationDetails: every user, group, role and managed policy of the account (the AWS managed ones
/// only where the account uses them) with the policies each holds, filtered by kind and paged in one order.
pub async fn authorization_details(
    ctx: &Ctx,
    filter: &[DetailKind],
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Detail>, AwsError> {
    let proof = ctx.authorize("iam:GetAccountAuthorizationDetails", "*")?;
    let wants = |k: DetailKind| filter.is_empty() || filter.contains(&k);
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let account = ctx.account();
    let mut op = ctx.begin_read().await?;
    let mut inline: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for p in inline_policies::of_account(op.conn(&proof), account).await? {
        inline.entry(p.entity_id).or_default().push((p.name, p.document));
    }
    let mut attached: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for a in attachments::of_account(op.conn(&proof), account).await? {
        attached.entry(a.entity_id).or_default().push((a.policy_name, a.policy_arn));
    }
    let mut details = Vec::new();
    if wants(DetailKind::User) {
        let mut groups_of: HashMap<String, Vec<String>> = HashMap::new();
        for (user_id, group) in groups::memberships_of_account(op.conn(&proof), account).await? {
            groups_of.entry(user_id).or_default().push(group);
        }
        for user in users::list(op.conn(&proof), account, "/", "", i64::MAX).await? {
            let tags = tags::list(op.conn(&proof), &user.user_id).await?;
            let groups = groups_of.remove(&user.user_id).unwrap_or_default();
            let policies = held(&user.user_id, &mut inline, &mut attached);
            details.push(Detail::User { user, groups, policies, tags });
        }
    }
    if wants(DetailKind::Group) {
        for group in groups::list(op.conn(&proof), account, "/", "", i64::MAX).await? {
            let policies = held(&group.group_id, &mut inline, &mut attached);
            details.push(Detail::Group { group, policies });
        }
    }
    if wants(DetailKind::Role) {
        for role in roles::all(op.conn(&proof), account).await? {
            let tags = tags::list(op.conn(&proof), &role.role_id).await?;
            let mut profiles = Vec::new();
            for profile in instance_profiles::for_role(op.conn(&proof), &role.role_id, "", i64::MAX).await? {
                let roles = instance_profiles::roles(op.conn(&proof), &profile.instance_profile_id).await?;
                profiles.push(super::instance_profiles::Described { profile, roles });
            }
            let policies = held(&role.role_id, &mut inline, &mut attached);
            details.push(Detail::Role { role, policies, profiles, tags });
        }
    }
    if wants(DetailKind::LocalPolicy) || wants(DetailKind::AwsPolicy) {
        let counts: HashMap<String, i64> = attachments::counts(op.conn(&proof), account).await?.into_iter().collect();
        let bounds: HashMap<String, i64> =
            policies::boundary_usage_all(op.conn(&proof), account).await?.into_iter().collect();
        let describe = |policy: Managed| {
            let arn = policy.arn();
            Described {
                attachment_count: counts.get(&arn).copied().unwrap_or(0),
                boundary_usage_count: bounds.get(&arn).copied().unwrap_or(0),
                policy,
                tags: None,
            }
        };
        if wants(DetailKind::LocalPolicy) {
            let mut versions: HashMap<String, Vec<VersionRow>> = HashMap::new();
            for v in policies::versions_of_account(op.conn(&proof), account).await? {
                versions.entry(v.policy_id.clone()).or_default().push(v);
            }
            for row in policies::all(op.conn(&proof), account).await? {
                let default = row.default_version;
                let vs = versions.remove(&row.policy_id).unwrap_or_default();
                let vs = vs.into_iter().map(|v| super::policies::version_of(v, default)).collect();
                details.push(Detail::Policy { policy: describe(Managed::Customer(row)), versions: vs });
            }
        }
        if wants(DetailKind::AwsPolicy) {
            let mut used: Vec<&'static gatehouse_catalogue::AwsPolicy> =
                counts.keys().chain(bounds.keys()).filter_map(|arn| gatehouse_catalogue::by_arn(arn)).collect();
            used.sort_by_key(|p| name_key(p.name));
            used.dedup();
            for p in used {
                let versions = vec![super::policies::aws_version(p)];
                details.push(Detail::Policy { policy: describe(Managed::Aws(p)), versions });
            }
        }
    }
    let mut details: Vec<Detail> = details.into_iter().filter(|d| d.key() > after).collect();
    details.sort_by_key(Detail::key);
    Ok(paging::paginate(details, page, Detail::key))
}
