//! The IAM policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy and their GetContextKeysFor* pairs. The
//! decisions come from the same evaluator that authorises live requests (`gatehouse_policy::explain`); this module
//! turns the operation's inputs (and, for the principal variants, the policies a user, group or role holds) into a
//! policy set and a request context, and the explanations into AWS's shapes. Both simulations share one path from
//! the compiled policies on ([`simulate`]).
//!
//! What AWS reports, from its API reference and recorded responses: one result per action; when
//! `ResourceArns` names resources, one `ResourceSpecificResults` entry per resource and the top level
//! summing them up (most restrictive decision, union of the deciding statements, all missing keys);
//! statements of type `IAM Policy` (recorded for documents passed in and for a stored policy attached to a user, a
//! group or a role alike), named `PolicyInputList.N` for documents passed in and, for stored ones, by the managed
//! policy's name or `KIND_HOLDER_POLICY` for an inline policy; `EvalDecisionDetails` empty for a same-account
//! simulation on named resources, absent on `*`, filled in across accounts; SCP statements and SCP context keys
//! never listed.

use std::sync::Arc;

use gatehouse_policy::{
    self as policy, CompiledPolicy, ContextKeyType, EvalDecision, Explanation, PolicyKind, PolicySet, PolicyType,
    Principal, Request, RequestContext,
};
use gatehouse_wire::iam::{self, AttachmentType, PolicyIdentifierPolicyType as ExcludedType};
use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use super::{named, paging};
use crate::arn::Arn;
use crate::authz::{compiled, Authorized};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::grants::{self, Held, HeldPolicy};
use crate::store::groups::GroupRow;
use crate::store::roles::RoleRow;
use crate::store::users::UserRow;
use crate::store::EntityKind;

/// How the simulator labels the policy behind a matched statement, and the keys of `EvalDecisionDetails`.
const IAM_POLICY: &str = "IAM Policy";
const RESOURCE_POLICY: &str = "Resource Policy";
const RESOURCE_POLICY_ID: &str = "ResourcePolicy";

/// The EC2 scenarios of `ResourceHandlingOption` and the resource types each one needs.
const HANDLING_OPTIONS: [(&str, &[&str]); 4] = [
    ("EC2-VPC-InstanceStore", &["instance", "image", "security-group", "network-interface"]),
    ("EC2-VPC-InstanceStore-Subnet", &["instance", "image", "security-group", "network-interface", "subnet"]),
    ("EC2-VPC-EBS", &["instance", "image", "security-group", "network-interface", "volume"]),
    ("EC2-VPC-EBS-Subnet", &["instance", "image", "security-group", "network-interface", "subnet", "volume"]),
];

/// What both simulations take besides the policies, borrowed from either request.
struct Inputs<'a> {
    action_names: &'a [String],
    resource_arns: &'a [String],
    resource_policy: Option<&'a str>,
    resource_owner: Option<&'a str>,
    caller_arn: Option<&'a str>,
    context_entries: &'a [iam::ContextEntry],
    resource_handling_option: Option<&'a str>,
    max_items: Option<i32>,
    marker: Option<&'a str>,
}

/// The [`Inputs`] of a SimulateCustomPolicy or SimulatePrincipalPolicy request (the two shapes name and type these
/// members alike).
macro_rules! inputs_of {
    ($input:expr) => {
        Inputs {
            action_names: &$input.action_names,
            resource_arns: $input.resource_arns.as_deref().unwrap_or_default(),
            resource_policy: $input.resource_policy.as_deref(),
            resource_owner: $input.resource_owner.as_deref(),
            caller_arn: $input.caller_arn.as_deref(),
            context_entries: $input.context_entries.as_deref().unwrap_or_default(),
            resource_handling_option: $input.resource_handling_option.as_deref(),
            max_items: $input.max_items,
            marker: $input.marker.as_deref(),
        }
    };
}

pub fn simulate_custom(
    ctx: &Ctx,
    input: &iam::SimulateCustomPolicyRequest,
) -> Result<iam::SimulatePolicyResponse, AwsError> {
    ctx.authorize("iam:SimulateCustomPolicy", "*")?;
    let identity = compile_list(&input.policy_input_list, "PolicyInputList", PolicyKind::Identity)?;
    let boundary = input_boundary(input.permissions_boundary_policy_input_list.as_deref())?;
    let mut scp_levels = Vec::new();
    for (i, level) in input.ordered_organization_policy_input_list.iter().flatten().enumerate() {
        let prefix = format!("OrderedOrganizationPolicyInputList.{}.ServiceControlPolicyInputList", i + 1);
        let docs = level.service_control_policy_input_list.as_deref().unwrap_or_default();
        scp_levels.push(compile_list(docs, &prefix, PolicyKind::ServiceControl)?);
    }
    simulate(ctx.account(), &identity, boundary.as_deref(), &scp_levels, None, &inputs_of!(input))
}

/// SimulatePrincipalPolicy: the policies `PolicySourceArn` holds (for a user, its groups' too), less those of
/// `PolicyExclusionList`, then the documents of `PolicyInputList`; its stored permissions boundary, unless
/// `PermissionsBoundaryPolicyInputList` gives one, which AWS then uses instead. The caller defaults to the entity.
pub async fn simulate_principal(
    ctx: &Ctx,
    input: &iam::SimulatePrincipalPolicyRequest,
) -> Result<iam::SimulatePolicyResponse, AwsError> {
    let arn = input.policy_source_arn.as_str();
    let mut op = ctx.begin_read().await?;
    let (proof, source) = source(ctx, &mut op, "iam:SimulatePrincipalPolicy", arn).await?;
    let exclusions = exclusions(input.policy_exclusion_list.as_deref().unwrap_or_default())?;
    let added =
        compile_list(input.policy_input_list.as_deref().unwrap_or_default(), "PolicyInputList", PolicyKind::Identity)?;
    let given_boundary = input_boundary(input.permissions_boundary_policy_input_list.as_deref())?;

    let conn = op.conn(&proof);
    let mut identity = Vec::new();
    for p in grants::held_policies(&mut *conn, &source.id).await? {
        if !exclusions.iter().any(|e| e.excludes(&p)) {
            identity.push(compile_stored(&p, PolicyKind::Identity)?);
        }
    }
    identity.extend(added);
    let boundary = match (given_boundary, &source.boundary) {
        (Some(given), _) => Some(given),
        (None, Some(b)) if !exclusions.iter().any(Exclusion::excludes_boundary) => {
            Some(stored_boundary(conn, b).await?)
        }
        (None, _) => None,
    };
    drop(op);
    // The entity is the caller unless CallerArn names another (AWS: "it defaults to the ARN of the user, group, or
    // role that you specify in PolicySourceArn").
    let caller = Caller::parse(arn).ok_or_else(|| errors::invalid_arn(arn))?;
    simulate(ctx.account(), &identity, boundary.as_deref(), &[], Some(caller), &inputs_of!(input))
}

pub fn context_keys_for_custom(
    ctx: &Ctx,
    input: &iam::GetContextKeysForCustomPolicyRequest,
) -> Result<iam::GetContextKeysForPolicyResponse, AwsError> {
    ctx.authorize("iam:GetContextKeysForCustomPolicy", "*")?;
    let policies = compile_list(&input.policy_input_list, "PolicyInputList", PolicyKind::Identity)?;
    Ok(context_keys_of(&policies))
}

/// GetContextKeysForPrincipalPolicy: the keys of the identity-based policies `PolicySourceArn` holds (for a user,
/// its groups' too), then of `PolicyInputList`. AWS lists the keys of "the identity-based policies attached to the
/// specified entity, and any additional policies that you provide": a permissions boundary is neither.
pub async fn context_keys_for_principal(
    ctx: &Ctx,
    input: &iam::GetContextKeysForPrincipalPolicyRequest,
) -> Result<iam::GetContextKeysForPolicyResponse, AwsError> {
    let arn = input.policy_source_arn.as_str();
    let mut op = ctx.begin_read().await?;
    let (proof, source) = source(ctx, &mut op, "iam:GetContextKeysForPrincipalPolicy", arn).await?;
    let added =
        compile_list(input.policy_input_list.as_deref().unwrap_or_default(), "PolicyInputList", PolicyKind::Identity)?;
    let mut policies = Vec::new();
    for p in grants::held_policies(op.conn(&proof), &source.id).await? {
        policies.push(compile_stored(&p, PolicyKind::Identity)?);
    }
    drop(op);
    policies.extend(added);
    Ok(context_keys_of(&policies))
}

fn context_keys_of(policies: &[Arc<CompiledPolicy>]) -> iam::GetContextKeysForPolicyResponse {
    let keys = policy::context_keys(policies.iter().map(|p| &**p)).into_iter().map(str::to_string).collect();
    iam::GetContextKeysForPolicyResponse { context_key_names: Some(keys) }
}

/// The one simulation both operations run, from the compiled policies on: checks the common inputs, then
/// evaluates each action of the requested page on each resource. `default_caller` is who calls without a
/// `CallerArn` (for SimulateCustomPolicy no one: an unnamed user of the account, who cannot meet a resource policy).
fn simulate(
    account: &str,
    identity: &[Arc<CompiledPolicy>],
    boundary: Option<&CompiledPolicy>,
    scp_levels: &[Vec<Arc<CompiledPolicy>>],
    default_caller: Option<Caller>,
    input: &Inputs<'_>,
) -> Result<iam::SimulatePolicyResponse, AwsError> {
    let resource_policy =
        input.resource_policy.map(|p| compile(p, RESOURCE_POLICY_ID, PolicyKind::Resource)).transpose()?;
    let caller = match (input.caller_arn, default_caller) {
        (Some(arn), _) => Caller::parse(arn).ok_or_else(|| errors::invalid_arn(arn))?,
        (None, Some(caller)) => caller,
        (None, None) if resource_policy.is_some() => return Err(errors::caller_arn_required()),
        (None, None) => Caller { kind: CallerKind::Anonymous, account: account.to_string(), arn: String::new() },
    };
    let owner = match input.resource_owner {
        Some(arn) => root_account(arn).ok_or_else(|| errors::invalid_arn(arn))?.to_string(),
        None => caller.account.clone(),
    };
    for action in input.action_names {
        check_action(action)?;
    }
    let named: Vec<&str> = input.resource_arns.iter().map(String::as_str).filter(|r| *r != "*").collect();
    if let Some(option) = input.resource_handling_option {
        check_handling_option(option, &named)?;
    }
    let context = context_from_entries(input.context_entries)?;

    let sim = Simulation {
        identity,
        boundary,
        scp_levels: scp_levels.iter().map(Vec::as_slice).collect(),
        resource_policy: resource_policy.as_deref(),
        caller: &caller,
        owner: &owner,
        context: &context,
    };
    let actions = input.action_names;
    let start = start_index(input.marker, actions.len())?;
    let (page, _) = paging::fetch_limit(input.max_items);
    let end = actions.len().min(start.saturating_add(page));
    let results = actions.get(start..end).unwrap_or_default().iter().map(|a| sim.action(a, &named)).collect();
    let truncated = end < actions.len();
    Ok(iam::SimulatePolicyResponse {
        evaluation_results: Some(results),
        is_truncated: Some(truncated),
        marker: truncated.then(|| paging::encode_marker(&end.to_string())),
    })
}

fn compile(text: &str, id: &str, kind: PolicyKind) -> Result<Arc<CompiledPolicy>, AwsError> {
    CompiledPolicy::compile(text, kind, id)
        .map(Arc::new)
        .map_err(|e| iam::errors::malformed_policy_document(e.message()))
}

/// Compiles a list of documents named `PREFIX.1`, `PREFIX.2`... as the simulator names them in its results.
fn compile_list(docs: &[String], prefix: &str, kind: PolicyKind) -> Result<Vec<Arc<CompiledPolicy>>, AwsError> {
    docs.iter().enumerate().map(|(i, d)| compile(d, &format!("{prefix}.{}", i + 1), kind)).collect()
}

/// `PermissionsBoundaryPolicyInputList`: at most one document.
fn input_boundary(docs: Option<&[String]>) -> Result<Option<Arc<CompiledPolicy>>, AwsError> {
    match docs.unwrap_or_default() {
        [] => Ok(None),
        [one] => Ok(Some(compile(one, "PermissionsBoundaryPolicyInputList.1", PolicyKind::PermissionsBoundary)?)),
        _ => Err(errors::one_permissions_boundary()),
    }
}

/// The user, group or role `PolicySourceArn` names, as far as the simulation needs it.
struct Source {
    id: String,
    boundary: Option<String>,
}

/// Reads `PolicySourceArn` (an IAM user, group or role of the caller's account, its path included), decides
/// `action` on it before revealing whether it exists, then finds it. The kind's NoSuchEntity when nothing is at
/// that ARN (a different path included).
async fn source<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
) -> Result<(Authorized, Source), AwsError> {
    let invalid = || errors::invalid_arn(arn);
    let parsed = Arn::parse_iam(arn).filter(|a| a.account == ctx.account()).ok_or_else(invalid)?;
    let (kind, rest) = parsed.resource_type().ok_or_else(invalid)?;
    let name = rest.rsplit('/').next().unwrap_or(rest);
    if name.is_empty() {
        return Err(invalid());
    }
    Ok(match kind {
        "user" => {
            let (proof, u) = named::authorized_at::<UserRow, C>(ctx, op, action, arn, name).await?;
            (proof, Source { id: u.user_id, boundary: u.permissions_boundary })
        }
        "group" => {
            let (proof, g) = named::authorized_at::<GroupRow, C>(ctx, op, action, arn, name).await?;
            (proof, Source { id: g.group_id, boundary: None })
        }
        "role" => {
            let (proof, r) = named::authorized_at::<RoleRow, C>(ctx, op, action, arn, name).await?;
            (proof, Source { id: r.role_id, boundary: r.permissions_boundary })
        }
        _ => return Err(invalid()),
    })
}

/// How the simulator names a stored policy in `SourcePolicyId`: a managed policy by its name, an inline one as
/// `KIND_HOLDER_POLICY` (`role_deployer_s3-access`), as AWS's answers show them.
fn stored_id(p: &HeldPolicy) -> String {
    match p.held {
        Held::Inline => format!("{}_{}_{}", p.holder_kind.as_str(), p.holder_name, p.name),
        Held::Attached => p.name.clone(),
    }
}

/// A held policy, compiled (and cached: an AWS managed policy such as ReadOnlyAccess is costly to compile).
fn compile_stored(p: &HeldPolicy, kind: PolicyKind) -> Result<Arc<CompiledPolicy>, AwsError> {
    let id = stored_id(p);
    let text = crate::authz::grants::document_of(p)
        .ok_or_else(|| errors::unusable_stored_policy(&p.arn, "an attached policy has no document"))?;
    compiled::compile(&text, kind, &id).map_err(|e| errors::unusable_stored_policy(&id, e.message()))
}

/// The entity's permissions boundary, named by the managed policy's name like the policies it holds.
async fn stored_boundary(conn: &mut AnyConnection, arn: &str) -> Result<Arc<CompiledPolicy>, AwsError> {
    let text = crate::authz::grants::boundary_document(conn, arn)
        .await?
        .ok_or_else(|| errors::unusable_stored_policy(arn, "the permissions boundary does not exist"))?;
    let name = arn.rsplit('/').next().unwrap_or(arn);
    compiled::compile(&text, PolicyKind::PermissionsBoundary, name)
        .map_err(|e| errors::unusable_stored_policy(arn, e.message()))
}

/// One entry of `PolicyExclusionList`, checked. AWS: it identifies "policies to exclude by policy type, by Amazon
/// Resource Name (ARN), or by the name of an inline policy and the entity it is attached to"; identifiers that
/// match nothing, and those of SCPs and RCPs (none are part of a principal's simulation here), are ignored.
#[derive(Debug, PartialEq, Eq)]
enum Exclusion<'a> {
    Type(ExcludedType),
    /// Attached managed policies whose ARN starts with `prefix` (`arn:aws:iam::ACCOUNT:policy/`) and whose path and
    /// name match `pattern`, where `*` stands for any run of characters (at most one) and `?` for one.
    Managed {
        prefix: &'a str,
        pattern: &'a str,
    },
    /// One inline policy of one user, group or role (names compared regardless of case, as IAM looks them up).
    Inline {
        policy: &'a str,
        holder_kind: EntityKind,
        holder: &'a str,
    },
}

fn exclusions(list: &[iam::PolicyIdentifier]) -> Result<Vec<Exclusion<'_>>, AwsError> {
    list.iter()
        .map(|id| match (id.policy_type, id.policy_arn.as_deref(), id.inline_policy_identifier.as_ref()) {
            (Some(t), None, None) => Ok(Exclusion::Type(t)),
            (None, Some(arn), None) => managed_exclusion(arn).ok_or_else(|| errors::invalid_arn(arn)),
            (None, None, Some(inline)) => Ok(Exclusion::Inline {
                policy: &inline.policy_name,
                holder_kind: match inline.attachment_type {
                    AttachmentType::User => EntityKind::User,
                    AttachmentType::Group => EntityKind::Group,
                    AttachmentType::Role => EntityKind::Role,
                },
                holder: &inline.attachment_name,
            }),
            _ => Err(errors::one_policy_identifier()),
        })
        .collect()
}

/// A managed policy ARN, wildcards only in its path and name and at most one `*` (AWS refuses "wildcards in
/// disallowed positions" as InvalidInput).
fn managed_exclusion(arn: &str) -> Option<Exclusion<'_>> {
    let parsed = Arn::parse_iam(arn)?;
    let pattern = parsed.resource.strip_prefix("policy/")?;
    if pattern.is_empty() || pattern.matches('*').count() > 1 {
        return None;
    }
    let prefix = arn.strip_suffix(pattern)?;
    Some(Exclusion::Managed { prefix, pattern })
}

impl Exclusion<'_> {
    fn excludes(&self, p: &HeldPolicy) -> bool {
        let aws_managed = || Arn::parse(&p.arn).is_some_and(|a| a.account == "aws");
        match self {
            Exclusion::Type(ExcludedType::Inline) => p.held == Held::Inline,
            Exclusion::Type(ExcludedType::AwsManaged) => p.held == Held::Attached && aws_managed(),
            Exclusion::Type(ExcludedType::UserManaged) => p.held == Held::Attached && !aws_managed(),
            Exclusion::Type(ExcludedType::PermissionBoundary | ExcludedType::Scp | ExcludedType::Rcp) => false,
            Exclusion::Managed { prefix, pattern } => {
                p.held == Held::Attached && p.arn.strip_prefix(prefix).is_some_and(|rest| wildcard_match(pattern, rest))
            }
            Exclusion::Inline { policy, holder_kind, holder } => {
                p.held == Held::Inline
                    && p.holder_kind == *holder_kind
                    && p.name.eq_ignore_ascii_case(policy)
                    && p.holder_name.eq_ignore_ascii_case(holder)
            }
        }
    }

    fn excludes_boundary(&self) -> bool {
        *self == Exclusion::Type(ExcludedType::PermissionBoundary)
    }
}

/// `*` matches any run of characters, `?` any one; everything else itself, case-sensitively as ARNs compare.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it is currently taken to stop at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match (p.get(pi), t.get(ti)) {
            (Some('*'), _) => {
                star = Some((pi, ti));
                pi += 1;
            }
            (Some(pc), Some(tc)) if *pc == '?' || pc == tc => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    star = Some((sp, st + 1));
                    pi = sp + 1;
                    ti = st + 1;
                }
                None => return false,
            },
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|c| *c == '*')
}

/// The index of the first action of the page a marker names.
fn start_index(marker: Option<&str>, actions: usize) -> Result<usize, AwsError> {
    match marker {
        None => Ok(0),
        Some(_) => paging::decode_marker(marker)?
            .parse::<usize>()
            .ok()
            .filter(|i| *i < actions)
            .ok_or_else(errors::invalid_marker),
    }
}

/// An action to simulate names one operation of one service: `iam:CreateUser`, no wildcards.
fn check_action(action: &str) -> Result<(), AwsError> {
    let valid = match action.split_once(':') {
        Some((service, name)) => {
            !service.is_empty() && !name.is_empty() && !name.contains(':') && !action.contains(['*', '?'])
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(errors::invalid_simulation_action(action))
    }
}

fn check_handling_option(option: &str, resources: &[&str]) -> Result<(), AwsError> {
    let (_, needed) = HANDLING_OPTIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(option))
        .ok_or_else(|| errors::invalid_handling_option(option))?;
    let has = |kind: &str| {
        resources.iter().any(|r| {
            let mut parts = r.splitn(6, ':');
            // arn:PARTITION:SERVICE, then REGION:ACCOUNT:RESOURCE.
            parts.nth(2) == Some("ec2") && parts.nth(2).is_some_and(|res| res.split('/').next() == Some(kind))
        })
    };
    let missing: Vec<&str> = needed.iter().copied().filter(|k| !has(k)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(errors::handling_option_resources(option, &missing))
    }
}

/// `ContextEntries`: each key with its declared type and values.
fn context_from_entries(entries: &[iam::ContextEntry]) -> Result<RequestContext, AwsError> {
    let mut context = RequestContext::new();
    for entry in entries {
        let name = entry.context_key_name.as_deref().ok_or_else(errors::context_key_name_required)?;
        let declared = entry.context_key_type.ok_or_else(|| errors::context_key_type_required(name))?;
        let ty = ContextKeyType::parse(declared.as_str()).ok_or_else(|| errors::context_key_type_required(name))?;
        let values = entry.context_key_values.as_deref().unwrap_or_default();
        context
            .insert_typed(name, ty, values)
            .map_err(|e| errors::invalid_context_value(&e.key, &e.value, e.expected.as_str()))?;
    }
    Ok(context)
}

/// The account of `arn:aws:iam::ACCOUNT:root`, the form `ResourceOwner` takes.
fn root_account(arn: &str) -> Option<&str> {
    let arn = Arn::parse(arn)?;
    (arn.service == "iam" && arn.region.is_empty() && arn.resource == "root" && crate::arn::is_account_id(arn.account))
        .then_some(arn.account)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallerKind {
    /// No `CallerArn`: the identity-based policies are evaluated as if attached to an unnamed user.
    Anonymous,
    User,
    Role,
}

/// The simulated caller (`CallerArn`): an IAM user, group or role, never a session or a service.
struct Caller {
    kind: CallerKind,
    account: String,
    arn: String,
}

impl Caller {
    fn parse(arn: &str) -> Option<Caller> {
        let parsed = Arn::parse(arn)?;
        let account = parsed.account;
        if parsed.service != "iam" || !parsed.region.is_empty() || !crate::arn::is_account_id(account) {
            return None;
        }
        let (kind, name) = parsed.resource_type()?;
        let kind = match kind {
            "user" | "group" => CallerKind::User,
            "role" => CallerKind::Role,
            _ => return None,
        };
        (!name.is_empty()).then(|| Caller { kind, account: account.to_string(), arn: arn.to_string() })
    }

    fn principal(&self) -> Principal<'_> {
        match self.kind {
            CallerKind::Role => Principal::assumed_role(&self.account, &self.arn, &self.arn),
            CallerKind::User | CallerKind::Anonymous => Principal::user(&self.account, &self.arn),
        }
    }
}

/// Everything but the action and the resource, ready to evaluate.
struct Simulation<'a> {
    identity: &'a [Arc<CompiledPolicy>],
    boundary: Option<&'a CompiledPolicy>,
    scp_levels: Vec<&'a [Arc<CompiledPolicy>]>,
    resource_policy: Option<&'a CompiledPolicy>,
    caller: &'a Caller,
    /// The account owning resources whose ARN names none, and the resource policy.
    owner: &'a str,
    context: &'a RequestContext,
}

/// The outcome on one resource.
struct Outcome {
    resource: String,
    decision: EvalDecision,
    matched: Vec<iam::Statement>,
    missing: Vec<String>,
    /// The per-type decisions, kept only for a cross-account simulation.
    details: Option<Vec<(&'static str, EvalDecision)>>,
    allowed_by_boundary: Option<bool>,
    allowed_by_organizations: Option<bool>,
}

impl Simulation<'_> {
    fn set(&self, with_scps: bool) -> PolicySet<'_, Arc<CompiledPolicy>> {
        let mut set = PolicySet::new(self.identity);
        if let Some(b) = self.boundary {
            set = set.with_boundary(b);
        }
        if let Some(r) = self.resource_policy {
            set = set.with_resource(r);
        }
        if with_scps && !self.scp_levels.is_empty() {
            set = set.with_service_control(&self.scp_levels);
        }
        set
    }

    fn on(&self, action: &str, resource: &str) -> Outcome {
        let account = crate::arn::account_of(resource).unwrap_or(self.owner);
        let request = Request {
            principal: self.caller.principal(),
            action,
            resource,
            resource_account: Some(account),
            context: self.context,
        };
        let explanation = policy::explain(&request, &self.set(true));
        // SCP context keys are not reported: look for missing keys without them.
        let missing = if self.scp_levels.is_empty() {
            explanation.missing_context_keys.clone()
        } else {
            policy::explain(&request, &self.set(false)).missing_context_keys
        };
        let cross_account = account != self.caller.account;
        Outcome {
            resource: resource.to_string(),
            decision: explanation.decision.decision,
            matched: matched_statements(&explanation),
            missing,
            details: cross_account.then(|| type_details(&explanation)),
            allowed_by_boundary: explanation.allowed_by_permissions_boundary(),
            allowed_by_organizations: explanation.allowed_by_organizations(),
        }
    }

    fn action(&self, action: &str, named: &[&str]) -> iam::EvaluationResult {
        let outcomes: Vec<Outcome> = if named.is_empty() {
            vec![self.on(action, "*")]
        } else {
            named.iter().map(|r| self.on(action, r)).collect()
        };
        let decision = most_restrictive(outcomes.iter().map(|o| o.decision));
        let mut matched: Vec<iam::Statement> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        for o in outcomes.iter().filter(|o| o.decision == decision) {
            for s in &o.matched {
                if !matched.contains(s) {
                    matched.push(s.clone());
                }
            }
        }
        for o in &outcomes {
            for k in &o.missing {
                if !missing.iter().any(|m| m.eq_ignore_ascii_case(k)) {
                    missing.push(k.clone());
                }
            }
        }
        let cross_account = outcomes.iter().any(|o| o.details.is_some());
        let scp_denied = outcomes.iter().any(|o| o.allowed_by_organizations == Some(false));
        let details = if scp_denied || (named.is_empty() && !cross_account) {
            None
        } else {
            Some(merge_details(outcomes.iter().filter_map(|o| o.details.as_deref())))
        };
        let all = |f: fn(&Outcome) -> Option<bool>| {
            outcomes.iter().map(f).collect::<Option<Vec<bool>>>().map(|v| v.into_iter().all(|b| b))
        };
        let allowed_by_boundary = all(|o| o.allowed_by_boundary);
        let allowed_by_organizations = all(|o| o.allowed_by_organizations);
        let resource_name = match named {
            [one] => (*one).to_string(),
            _ => "*".to_string(),
        };
        let resource_specific = (!named.is_empty()).then(|| outcomes.into_iter().map(resource_result).collect());
        iam::EvaluationResult {
            eval_action_name: action.to_string(),
            eval_resource_name: Some(resource_name),
            eval_decision: wire_decision(decision),
            matched_statements: Some(matched),
            missing_context_values: Some(missing),
            organizations_decision_detail: allowed_by_organizations
                .map(|a| iam::OrganizationsDecisionDetail { allowed_by_organizations: Some(a) }),
            permissions_boundary_decision_detail: allowed_by_boundary.map(boundary_detail),
            eval_decision_details: details,
            resource_specific_results: resource_specific,
        }
    }
}

fn resource_result(o: Outcome) -> iam::ResourceSpecificResult {
    iam::ResourceSpecificResult {
        eval_resource_name: o.resource,
        eval_resource_decision: wire_decision(o.decision),
        matched_statements: Some(o.matched),
        // An empty list too, as at the top level: `aws-responses.json` records `"MissingContextValues": []` in
        // each ResourceSpecificResults entry of SimulatePrincipalPolicy.
        missing_context_values: Some(o.missing),
        eval_decision_details: o.details.as_deref().map(|d| merge_details(std::iter::once(d))),
        permissions_boundary_decision_detail: o.allowed_by_boundary.map(boundary_detail),
    }
}

fn boundary_detail(allowed: bool) -> iam::PermissionsBoundaryDecisionDetail {
    iam::PermissionsBoundaryDecisionDetail { allowed_by_permissions_boundary: Some(allowed) }
}

/// The statements that decided, SCP statements left out as AWS leaves them out.
fn matched_statements(e: &Explanation<'_>) -> Vec<iam::Statement> {
    e.matched_statements
        .iter()
        .filter(|m| !matches!(m.policy_type, PolicyType::ServiceControl | PolicyType::ResourceControl))
        .map(|m| {
            let position = |p: policy::Position| iam::Position {
                line: i32::try_from(p.line).ok(),
                column: i32::try_from(p.column).ok(),
            };
            let label = if m.policy_type == PolicyType::Resource { RESOURCE_POLICY } else { IAM_POLICY };
            iam::Statement {
                source_policy_id: Some(m.statement.policy_id().to_string()),
                source_policy_type: Some(label.to_string()),
                start_position: Some(position(m.statement.start())),
                end_position: Some(position(m.statement.end())),
            }
        })
        .collect()
}

/// How the caller's side and the resource's side each decided, for a cross-account simulation.
fn type_details(e: &Explanation<'_>) -> Vec<(&'static str, EvalDecision)> {
    let mut out = Vec::new();
    if let Some(d) = e.types.identity {
        out.push((IAM_POLICY, d));
    }
    out.push((RESOURCE_POLICY, e.types.resource.unwrap_or(EvalDecision::ImplicitDeny)));
    out
}

/// The most restrictive decision per policy type across resources.
fn merge_details<'a>(
    per_resource: impl Iterator<Item = &'a [(&'static str, EvalDecision)]>,
) -> std::collections::BTreeMap<String, iam::PolicyEvaluationDecisionType> {
    let mut merged: std::collections::BTreeMap<String, EvalDecision> = std::collections::BTreeMap::new();
    for details in per_resource {
        for (kind, d) in details {
            let entry = merged.entry((*kind).to_string()).or_insert(*d);
            *entry = most_restrictive([*entry, *d].into_iter());
        }
    }
    merged.into_iter().map(|(k, d)| (k, wire_decision(d))).collect()
}

fn most_restrictive(decisions: impl Iterator<Item = EvalDecision>) -> EvalDecision {
    let rank = |d: EvalDecision| match d {
        EvalDecision::Allowed => 0,
        EvalDecision::ImplicitDeny => 1,
        EvalDecision::ExplicitDeny => 2,
    };
    decisions.max_by_key(|d| rank(*d)).unwrap_or(EvalDecision::ImplicitDeny)
}

fn wire_decision(d: EvalDecision) -> iam::PolicyEvaluationDecisionType {
    match d {
        EvalDecision::Allowed => iam::PolicyEvaluationDecisionType::Allowed,
        EvalDecision::ExplicitDeny => iam::PolicyEvaluationDecisionType::ExplicitDeny,
        EvalDecision::ImplicitDeny => iam::PolicyEvaluationDecisionType::ImplicitDeny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_arns() {
        assert_eq!(Caller::parse("arn:aws:iam::123456789012:user/a/b").map(|c| c.kind), Some(CallerKind::User));
        assert_eq!(Caller::parse("arn:aws:iam::123456789012:role/r").map(|c| c.kind), Some(CallerKind::Role));
        assert!(Caller::parse("arn:aws:sts::123456789012:assumed-role/r/s").is_none());
        assert!(Caller::parse("arn:aws:iam::123456789012:root").is_none());
        assert!(Caller::parse("arn:aws:iam::12345:user/a").is_none());
        assert!(Caller::parse("ec2.amazonaws.com").is_none());
    }

    #[test]
    fn owners_and_actions() {
        assert_eq!(root_account("arn:aws:iam::112233445566:root"), Some("112233445566"));
        assert_eq!(root_account("arn:aws:iam::112233445566:user/x"), None);
        assert!(check_action("iam:CreateUser").is_ok());
        for bad in ["iam:*", "s3:Get*", "CreateUser", "iam:", ":x", "a:b:c"] {
            assert_eq!(check_action(bad).unwrap_err().code, "InvalidInput", "{bad}");
        }
    }

    #[test]
    fn handling_options_need_their_resources() {
        let ec2 = |kind: &str| format!("arn:aws:ec2:us-east-1:123456789012:{kind}/x");
        let all: Vec<String> = ["instance", "image", "security-group", "network-interface"].map(ec2).to_vec();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        assert!(check_handling_option("EC2-VPC-InstanceStore", &refs).is_ok());
        let e = check_handling_option("EC2-VPC-EBS", &refs).unwrap_err();
        assert!(e.message.contains("volume"), "{}", e.message);
        assert!(check_handling_option("EC2-Classic-EBS", &refs).is_err());
    }

    #[test]
    fn wildcards() {
        for (pattern, text) in [("*", ""), ("a*", "abc"), ("*c", "abc"), ("a?c", "abc"), ("a*c?", "abxcd"), ("x", "x")]
        {
            assert!(wildcard_match(pattern, text), "{pattern} {text}");
        }
        for (pattern, text) in [("a?c", "ac"), ("a*d", "abc"), ("?", ""), ("abc", "ABC"), ("a", "ab")] {
            assert!(!wildcard_match(pattern, text), "{pattern} {text}");
        }
    }

    #[test]
    fn exclusion_identifiers() {
        let arn = |a: &str| iam::PolicyIdentifier { policy_arn: Some(a.to_string()), ..Default::default() };
        let list = [arn("arn:aws:iam::aws:policy/service-role/AWS*"), arn("arn:aws:iam::123456789012:policy/p?")];
        assert_eq!(
            exclusions(&list).unwrap(),
            [
                Exclusion::Managed { prefix: "arn:aws:iam::aws:policy/", pattern: "service-role/AWS*" },
                Exclusion::Managed { prefix: "arn:aws:iam::123456789012:policy/", pattern: "p?" },
            ]
        );
        for bad in ["arn:aws:iam::aws:policy/*a*", "arn:aws:iam:*:aws:policy/a", "arn:aws:s3:::policy/a", "policy/a"] {
            assert_eq!(exclusions(&[arn(bad)]).unwrap_err().message, format!("ARN {bad} is not valid."));
        }
        // A union names exactly one member.
        let two = iam::PolicyIdentifier {
            policy_type: Some(ExcludedType::Inline),
            policy_arn: Some("arn:aws:iam::aws:policy/a".into()),
            inline_policy_identifier: None,
        };
        for id in [two, iam::PolicyIdentifier::default()] {
            assert_eq!(exclusions(&[id]).unwrap_err().code, "InvalidInput");
        }
    }

    #[test]
    fn restrictiveness() {
        use EvalDecision::*;
        assert_eq!(most_restrictive([Allowed, ImplicitDeny].into_iter()), ImplicitDeny);
        assert_eq!(most_restrictive([ImplicitDeny, ExplicitDeny, Allowed].into_iter()), ExplicitDeny);
        assert_eq!(most_restrictive([Allowed].into_iter()), Allowed);
    }
}
