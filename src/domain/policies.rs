//! Managed policies: the account's own (customer managed, stored with their versions) and AWS's (the built-in
//! catalogue, read-only, one version each). Both are named by ARN; this module resolves an ARN to either and
//! holds the rules of CreatePolicy, GetPolicy, ListPolicies, DeletePolicy and the version operations.

use std::collections::HashMap;

use gatehouse_catalogue::AwsPolicy;
use gatehouse_policy::PolicyKind;
use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use super::paging::{self, Page};
use super::tagging;
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::policies::{self, PolicyRow, VersionRow};
use crate::store::tags::{self, Tag};
use crate::store::{attachments, StoreError};

/// A managed policy of either kind.
#[derive(Debug, Clone)]
pub enum Managed {
    Aws(&'static AwsPolicy),
    Customer(PolicyRow),
}

impl Managed {
    pub fn arn(&self) -> String {
        match self {
            Managed::Aws(p) => p.arn(),
            Managed::Customer(p) => p.arn.clone(),
        }
    }
    pub fn name(&self) -> &str {
        match self {
            Managed::Aws(p) => p.name,
            Managed::Customer(p) => &p.name,
        }
    }
    pub fn path(&self) -> &str {
        match self {
            Managed::Aws(p) => p.path,
            Managed::Customer(p) => &p.path,
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Managed::Aws(p) => p.policy_id,
            Managed::Customer(p) => &p.policy_id,
        }
    }
    pub fn default_version(&self) -> i64 {
        match self {
            Managed::Aws(p) => i64::from(p.default_version),
            Managed::Customer(p) => p.default_version,
        }
    }
    pub fn created_at(&self) -> i64 {
        match self {
            Managed::Aws(p) => p.created_at,
            Managed::Customer(p) => p.created_at,
        }
    }
    pub fn updated_at(&self) -> i64 {
        match self {
            Managed::Aws(p) => p.updated_at,
            Managed::Customer(p) => p.updated_at,
        }
    }
    pub fn description(&self) -> Option<&str> {
        match self {
            Managed::Aws(_) => None,
            Managed::Customer(p) => p.description.as_deref(),
        }
    }
    /// Whether customers may attach it (AWS keeps its `/aws-service-role/` policies for service-linked roles).
    pub fn attachable(&self) -> bool {
        match self {
            Managed::Aws(p) => p.attachable(),
            Managed::Customer(_) => true,
        }
    }
    fn sort_key(&self) -> ListKey {
        ListKey { name_key: crate::store::users::name_key(self.name()), local: matches!(self, Managed::Customer(_)) }
    }
}

/// A managed policy with the counts AWS reports beside it.
#[derive(Debug, Clone)]
pub struct Described {
    pub policy: Managed,
    pub attachment_count: i64,
    pub boundary_usage_count: i64,
    /// Present for GetPolicy (and CreatePolicy with tags), absent in lists.
    pub tags: Option<Vec<Tag>>,
}

/// `v3` → 3. Anything else names no version of ours (the model's pattern also allows `v1.x` suffixes).
pub fn parse_version_id(id: &str) -> Option<i64> {
    id.strip_prefix('v').filter(|d| !d.starts_with('0')).and_then(|d| d.parse().ok()).filter(|v| *v > 0)
}

pub fn version_id(v: i64) -> String {
    format!("v{v}")
}

/// Checks that `arn` is an ARN at all (IAM's first check on a PolicyArn parameter).
pub fn check_arn_syntax(arn: &str) -> Result<(), AwsError> {
    match crate::arn::Arn::parse(arn) {
        Some(_) => Ok(()),
        None => Err(errors::policy_arn_not_valid(arn)),
    }
}

/// The managed policy an ARN names, as the caller's account sees it: an AWS managed policy, one of the account's
/// own, or none (another account's policies are not visible: IAM has no cross-account managed policies).
pub async fn resolve(conn: &mut AnyConnection, account: &str, arn: &str) -> Result<Option<Managed>, AwsError> {
    let Some(parsed) = crate::arn::Arn::parse_iam(arn) else { return Ok(None) };
    if !parsed.resource.starts_with("policy/") {
        return Ok(None);
    }
    if parsed.account == "aws" {
        return Ok(gatehouse_catalogue::by_arn(arn).map(Managed::Aws));
    }
    if parsed.account != account {
        return Ok(None);
    }
    Ok(policies::by_arn(conn, arn).await?.map(Managed::Customer))
}

/// Validates a document for a managed or inline identity policy: IAM's grammar and rules, then the size quota
/// (characters without whitespace).
pub fn validate_identity_document(document: &str) -> Result<(), AwsError> {
    gatehouse_policy::parse_document(document, PolicyKind::Identity)
        .map(|_| ())
        .map_err(|e| gatehouse_wire::iam::errors::malformed_policy_document(e.message()))
}

fn check_managed_document(ctx: &Ctx, document: &str) -> Result<(), AwsError> {
    validate_identity_document(document)?;
    let limit = ctx.state.quotas.policy_size;
    if crate::quotas::size(document) > limit {
        return Err(errors::quota_exceeded("PolicySize", limit));
    }
    Ok(())
}

pub struct NewPolicy<'a> {
    pub name: &'a str,
    pub path: Option<&'a str>,
    pub document: &'a str,
    pub description: Option<&'a str>,
    pub tags: Vec<Tag>,
}

pub async fn create(ctx: &Ctx, new: NewPolicy<'_>) -> Result<Described, AwsError> {
    let path = new.path.unwrap_or("/");
    let arn = crate::arn::iam(ctx.account(), "policy", path, new.name);
    let proof = ctx.authorize_with("iam:CreatePolicy", &arn, &Facts::new().request_tags(&new.tags))?;
    check_policy_tag_keys(&new.tags)?;
    check_managed_document(ctx, new.document)?;
    let row = PolicyRow {
        policy_id: crate::ids::unique_id(&*ctx.state.rng, "ANPA"),
        account_id: ctx.account().to_string(),
        name: new.name.to_string(),
        path: path.to_string(),
        arn,
        description: new.description.map(str::to_string),
        default_version: 1,
        next_version: 2,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let mut tx = ctx.begin_write().await?;
    if policies::by_name(tx.conn(&proof), ctx.account(), new.name).await?.is_some() {
        return Err(errors::policy_exists(new.name));
    }
    let quota = ctx.state.quotas.policies;
    if policies::count(tx.conn(&proof), ctx.account()).await? >= i64::from(quota) {
        return Err(errors::quota_exceeded("PoliciesPerAccount", quota));
    }
    match policies::insert(tx.conn(&proof), &row, new.document).await {
        Err(StoreError::Conflict) => return Err(errors::policy_exists(new.name)),
        other => other?,
    }
    tags::put(tx.conn(&proof), &row.policy_id, &new.tags).await?;
    tx.commit(&proof).await?;
    let tags = (!new.tags.is_empty()).then_some(new.tags);
    Ok(Described { policy: Managed::Customer(row), attachment_count: 0, boundary_usage_count: 0, tags })
}

/// Decides `action` on the policy `arn` (before revealing whether it exists), then requires that it does.
/// `missing` words the answer when it does not (`was not found` for most operations, `does not exist or is not
/// attachable` for some).
async fn authorized_policy<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    missing: impl FnOnce(&str) -> AwsError,
) -> Result<(Authorized, Managed), AwsError> {
    authorized_policy_with(ctx, op, action, arn, missing, Facts::new()).await
}

/// [`authorized_policy`] with what the request adds; a customer managed policy's tags are its resource tags.
async fn authorized_policy_with<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    missing: impl FnOnce(&str) -> AwsError,
    facts: Facts<'_>,
) -> Result<(Authorized, Managed), AwsError> {
    check_arn_syntax(arn)?;
    let policy = resolve(op.lookup(), ctx.account(), arn).await?;
    let tags = match &policy {
        Some(Managed::Customer(p)) if ctx.wants_resource_tags(action, arn) => {
            Some(tags::list(op.lookup(), &p.policy_id).await?)
        }
        _ => None,
    };
    let facts = match &tags {
        Some(t) => facts.resource_tags(t),
        None => facts,
    };
    let proof = ctx.authorize_with(action, arn, &facts)?;
    let policy = policy.ok_or_else(|| missing(arn))?;
    Ok((proof, policy))
}

async fn counts(conn: &mut AnyConnection, account: &str, arn: &str) -> Result<(i64, i64), AwsError> {
    let attached = attachments::count_of_policy(&mut *conn, account, arn).await?;
    let boundary = policies::boundary_usage(conn, account, arn).await?;
    Ok((attached, boundary))
}

pub async fn get(ctx: &Ctx, arn: &str) -> Result<Described, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, policy) = authorized_policy(ctx, &mut op, "iam:GetPolicy", arn, errors::policy_not_found).await?;
    let (attachment_count, boundary_usage_count) = counts(op.conn(&proof), ctx.account(), arn).await?;
    let tags = match &policy {
        Managed::Aws(_) => Vec::new(),
        Managed::Customer(p) => tags::list(op.conn(&proof), &p.policy_id).await?,
    };
    Ok(Described { policy, attachment_count, boundary_usage_count, tags: Some(tags) })
}

/// Where a ListPolicies page starts: after this policy in the listing's order (name without case, AWS's policy
/// before the account's own of the same name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ListKey {
    name_key: String,
    local: bool,
}

impl ListKey {
    fn encode(&self) -> String {
        format!("{}/{}", if self.local { "l" } else { "a" }, self.name_key)
    }
    fn decode(s: &str) -> Option<Self> {
        let (kind, name_key) = s.split_once('/')?;
        let local = match kind {
            "l" => true,
            "a" => false,
            _ => return None,
        };
        Some(Self { name_key: name_key.to_string(), local })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Aws,
    Local,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Permissions,
    Boundary,
}

pub struct ListQuery<'a> {
    pub scope: Scope,
    pub only_attached: bool,
    pub path_prefix: &'a str,
    pub usage: Option<Usage>,
    pub marker: Option<&'a str>,
    pub max_items: Option<i32>,
}

/// ListPolicies: AWS's catalogue and the account's own policies as one listing ordered by name, filtered by
/// scope, path, attachment and use, paged with a marker that holds the last policy's place in that order.
pub async fn list(ctx: &Ctx, q: ListQuery<'_>) -> Result<Page<Described>, AwsError> {
    let proof = ctx.authorize("iam:ListPolicies", &crate::arn::iam(ctx.account(), "policy", q.path_prefix, ""))?;
    let after = match q.marker {
        None => None,
        Some(_) => Some(ListKey::decode(&paging::decode_marker(q.marker)?).ok_or_else(errors::invalid_marker)?),
    };
    let (page, limit) = paging::fetch_limit(q.max_items);
    let mut op = ctx.begin_read().await?;
    let attached: HashMap<String, i64> =
        attachments::counts(op.conn(&proof), ctx.account()).await?.into_iter().collect();
    let boundaries: HashMap<String, i64> =
        policies::boundary_usage_all(op.conn(&proof), ctx.account()).await?.into_iter().collect();
    let keep = |arn: &str| {
        let a = attached.get(arn).copied().unwrap_or(0);
        let b = boundaries.get(arn).copied().unwrap_or(0);
        let used = match q.usage {
            None => true,
            Some(Usage::Permissions) => a > 0,
            Some(Usage::Boundary) => b > 0,
        };
        used && (!q.only_attached || a > 0 || (q.usage == Some(Usage::Boundary) && b > 0))
    };
    let mut found: Vec<Managed> = Vec::new();
    let want = usize::try_from(limit).unwrap_or(usize::MAX);
    if q.scope != Scope::Local {
        let start = after.as_ref().map_or(0, |k| gatehouse_catalogue::position_after(&k.name_key));
        let catalogue = gatehouse_catalogue::all().get(start..).unwrap_or_default();
        found.extend(
            catalogue
                .iter()
                .filter(|p| p.path.starts_with(q.path_prefix) && keep(&p.arn()))
                .take(want)
                .map(Managed::Aws),
        );
    }
    if q.scope != Scope::Aws {
        // The account's policies after the marker: the same name as the marker's only when it was AWS's.
        let (mut from, mut inclusive) = match &after {
            None => (String::new(), true),
            Some(k) => (k.name_key.clone(), !k.local),
        };
        // Filters that SQL does not see (attachment, use) may drop rows: read on until enough are kept.
        loop {
            let rows = policies::list(op.conn(&proof), ctx.account(), q.path_prefix, &from, inclusive, limit).await?;
            let done = rows.len() < want;
            if let Some(last) = rows.last() {
                from = crate::store::users::name_key(&last.name);
                inclusive = false;
            }
            found.extend(rows.into_iter().filter(|p| keep(&p.arn)).map(Managed::Customer));
            if done || found.iter().filter(|p| matches!(p, Managed::Customer(_))).count() >= want {
                break;
            }
        }
    }
    found.sort_by_key(Managed::sort_key);
    found.truncate(want);
    let described = found
        .into_iter()
        .map(|policy| {
            let arn = policy.arn();
            Described {
                // ListPolicies returns a subset of a policy's attributes: neither tags nor descriptions.
                policy: match policy {
                    Managed::Customer(row) => Managed::Customer(PolicyRow { description: None, ..row }),
                    aws => aws,
                },
                attachment_count: attached.get(&arn).copied().unwrap_or(0),
                boundary_usage_count: boundaries.get(&arn).copied().unwrap_or(0),
                tags: None,
            }
        })
        .collect();
    Ok(paging::paginate(described, page, |d| d.policy.sort_key().encode()))
}

pub async fn delete(ctx: &Ctx, arn: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, policy) = authorized_policy(ctx, &mut tx, "iam:DeletePolicy", arn, errors::policy_not_found).await?;
    let Managed::Customer(row) = policy else { return Err(errors::aws_policy_unmodifiable("delete policies")) };
    let (attached, boundary) = counts(tx.conn(&proof), ctx.account(), arn).await?;
    if attached > 0 || boundary > 0 {
        return Err(errors::policy_attached());
    }
    if policies::versions(tx.conn(&proof), &row.policy_id).await?.len() > 1 {
        return Err(errors::policy_has_versions());
    }
    tags::remove_all(tx.conn(&proof), &row.policy_id).await?;
    policies::delete(tx.conn(&proof), &row.policy_id).await?;
    tx.commit(&proof).await
}

/// One version of a managed policy, as the version operations describe it.
#[derive(Debug, Clone)]
pub struct Version {
    pub version: i64,
    pub document: String,
    pub is_default: bool,
    pub created_at: i64,
}

pub(crate) fn version_of(row: VersionRow, default: i64) -> Version {
    Version {
        is_default: row.version == default,
        version: row.version,
        document: row.document,
        created_at: row.created_at,
    }
}

/// The catalogue holds an AWS policy's default version only.
pub(crate) fn aws_version(p: &AwsPolicy) -> Version {
    Version {
        version: i64::from(p.default_version),
        document: p.document().to_string(),
        is_default: true,
        created_at: p.updated_at,
    }
}

pub async fn create_version(ctx: &Ctx, arn: &str, document: &str, set_as_default: bool) -> Result<Version, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, policy) =
        authorized_policy(ctx, &mut tx, "iam:CreatePolicyVersion", arn, errors::policy_not_found).await?;
    let Managed::Customer(row) = policy else {
        return Err(errors::aws_policy_unmodifiable("create policy versions for policies"));
    };
    check_managed_document(ctx, document)?;
    let limit = ctx.state.quotas.versions_per_policy;
    if policies::versions(tx.conn(&proof), &row.policy_id).await?.len() >= limit as usize {
        return Err(errors::policy_version_limit(limit));
    }
    policies::add_version(tx.conn(&proof), &row, document, set_as_default, ctx.now).await?;
    tx.commit(&proof).await?;
    Ok(Version {
        version: row.next_version,
        document: document.to_string(),
        is_default: set_as_default,
        created_at: ctx.now,
    })
}

pub async fn get_version(ctx: &Ctx, arn: &str, version_id: &str) -> Result<Version, AwsError> {
    let missing = |arn: &str| errors::policy_version_not_found(arn, version_id);
    let mut op = ctx.begin_read().await?;
    check_arn_syntax(arn)?;
    let policy = resolve(op.lookup(), ctx.account(), arn).await?;
    let proof = ctx.authorize("iam:GetPolicyVersion", arn)?;
    let wanted = parse_version_id(version_id);
    match policy {
        Some(Managed::Aws(p)) if wanted == Some(i64::from(p.default_version)) => Ok(aws_version(p)),
        Some(Managed::Customer(row)) => match wanted {
            Some(v) => match policies::version(op.conn(&proof), &row.policy_id, v).await? {
                Some(found) => Ok(version_of(found, row.default_version)),
                None => Err(missing(arn)),
            },
            None => Err(missing(arn)),
        },
        _ => Err(missing(arn)),
    }
}

/// ListPolicyVersions: newest first. At most a handful exist (5 by default), so they are paged in memory.
pub async fn list_versions(
    ctx: &Ctx,
    arn: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<Version>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, policy) =
        authorized_policy(ctx, &mut op, "iam:ListPolicyVersions", arn, errors::policy_not_found).await?;
    let all = match policy {
        Managed::Aws(p) => vec![aws_version(p)],
        Managed::Customer(row) => policies::versions(op.conn(&proof), &row.policy_id)
            .await?
            .into_iter()
            .map(|v| version_of(v, row.default_version))
            .collect(),
    };
    let before: Option<i64> = match marker {
        None => None,
        Some(_) => Some(paging::decode_marker(marker)?.parse().map_err(|_| errors::invalid_marker())?),
    };
    let (page, _) = paging::fetch_limit(max_items);
    let rest: Vec<Version> = all.into_iter().filter(|v| before.is_none_or(|b| v.version < b)).collect();
    Ok(paging::paginate(rest, page, |v| v.version.to_string()))
}

pub async fn delete_version(ctx: &Ctx, arn: &str, version_id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, policy) = authorized_policy(ctx, &mut tx, "iam:DeletePolicyVersion", arn, |a| {
        errors::policy_version_not_found(a, version_id)
    })
    .await?;
    let Managed::Customer(row) = policy else {
        return Err(errors::aws_policy_unmodifiable("delete policy versions for policies"));
    };
    let Some(v) = parse_version_id(version_id) else { return Err(errors::policy_version_not_found(arn, version_id)) };
    if policies::version(tx.conn(&proof), &row.policy_id, v).await?.is_none() {
        return Err(errors::policy_version_not_found(arn, version_id));
    }
    if v == row.default_version {
        return Err(errors::delete_default_version());
    }
    policies::delete_version(tx.conn(&proof), &row.policy_id, v).await?;
    tx.commit(&proof).await
}

pub async fn set_default_version(ctx: &Ctx, arn: &str, version_id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, policy) = authorized_policy(ctx, &mut tx, "iam:SetDefaultPolicyVersion", arn, |a| {
        errors::policy_version_not_found(a, version_id)
    })
    .await?;
    let Managed::Customer(row) = policy else { return Err(errors::aws_policy_unmodifiable("update policies")) };
    let Some(v) = parse_version_id(version_id) else { return Err(errors::policy_version_not_found(arn, version_id)) };
    if policies::version(tx.conn(&proof), &row.policy_id, v).await?.is_none() {
        return Err(errors::policy_version_not_found(arn, version_id));
    }
    policies::set_default(tx.conn(&proof), &row.policy_id, v, ctx.now).await?;
    tx.commit(&proof).await
}

/// IAM words a duplicate tag key on a policy without the note it adds for users and roles.
fn check_policy_tag_keys(new_tags: &[Tag]) -> Result<(), AwsError> {
    tagging::check_unique_keys(new_tags.iter().map(|t| t.key.as_str())).map_err(|_| errors::duplicate_policy_tag_keys())
}

/// Customer managed policies carry tags: named by ARN, tagged under their policy id. AWS managed policies list no
/// tags and cannot be tagged.
pub struct PolicyTags;

impl tagging::Taggable for PolicyTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        arn: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, policy) = authorized_policy_with(ctx, op, action, arn, errors::policy_not_found, facts).await?;
        match policy {
            Managed::Customer(row) => Ok((proof, row.policy_id)),
            Managed::Aws(p) if action == "iam:ListPolicyTags" => Ok((proof, p.policy_id.to_string())),
            Managed::Aws(_) => Err(errors::aws_policy_unmodifiable("tag policies")),
        }
    }

    fn duplicate_keys() -> AwsError {
        errors::duplicate_policy_tag_keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids() {
        assert_eq!(parse_version_id("v1"), Some(1));
        assert_eq!(parse_version_id("v12"), Some(12));
        for bad in ["v0", "v01", "1", "v", "v1.2", "V1"] {
            assert_eq!(parse_version_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn list_keys_order_aws_before_local_and_round_trip() {
        let aws = ListKey { name_key: "readonlyaccess".into(), local: false };
        let local = ListKey { name_key: "readonlyaccess".into(), local: true };
        let next = ListKey { name_key: "readonlyaccessb".into(), local: false };
        assert!(aws < local && local < next);
        assert_eq!(ListKey::decode(&local.encode()), Some(local));
        assert_eq!(ListKey::decode("x/y"), None);
    }
}
