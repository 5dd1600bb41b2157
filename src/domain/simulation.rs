//! The IAM policy simulator: SimulateCustomPolicy and GetContextKeysForCustomPolicy. The decisions come
//! from the same evaluator that authorises live requests (`gatehouse_policy::explain`); this module turns
//! the operation's inputs into a policy set and a request context, and the explanations into AWS's shapes.
//!
//! What AWS reports, from its API reference and recorded responses: one result per action; when
//! `ResourceArns` names resources, one `ResourceSpecificResults` entry per resource and the top level
//! summing them up (most restrictive decision, union of the deciding statements, all missing keys);
//! statements named `PolicyInputList.N` of type `IAM Policy`; `EvalDecisionDetails` empty for a
//! same-account simulation on named resources, absent on `*`, filled in across accounts; SCP statements
//! and SCP context keys never listed.

use gatehouse_policy::{
    self as policy, CompiledPolicy, ContextKeyType, EvalDecision, Explanation, PolicyKind, PolicySet, PolicyType,
    Principal, Request, RequestContext,
};
use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::paging;
use crate::arn::Arn;
use crate::errors;
use crate::request::Ctx;

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

pub fn simulate_custom(
    ctx: &Ctx,
    input: &iam::SimulateCustomPolicyRequest,
) -> Result<iam::SimulatePolicyResponse, AwsError> {
    ctx.authorize("iam:SimulateCustomPolicy", "*")?;
    let identity = compile_list(&input.policy_input_list, "PolicyInputList", PolicyKind::Identity)?;
    let boundary = match input.permissions_boundary_policy_input_list.as_deref().unwrap_or_default() {
        [] => None,
        [one] => Some(compile(one, "PermissionsBoundaryPolicyInputList.1", PolicyKind::PermissionsBoundary)?),
        _ => return Err(errors::one_permissions_boundary()),
    };
    let mut scp_levels = Vec::new();
    for (i, level) in input.ordered_organization_policy_input_list.iter().flatten().enumerate() {
        let prefix = format!("OrderedOrganizationPolicyInputList.{}.ServiceControlPolicyInputList", i + 1);
        let docs = level.service_control_policy_input_list.as_deref().unwrap_or_default();
        scp_levels.push(compile_list(docs, &prefix, PolicyKind::ServiceControl)?);
    }
    let resource_policy =
        input.resource_policy.as_deref().map(|p| compile(p, RESOURCE_POLICY_ID, PolicyKind::Resource)).transpose()?;

    let caller = match input.caller_arn.as_deref() {
        Some(arn) => Caller::parse(arn).ok_or_else(|| errors::invalid_arn(arn))?,
        None if resource_policy.is_some() => return Err(errors::caller_arn_required()),
        None => Caller { kind: CallerKind::Anonymous, account: ctx.account().to_string(), arn: String::new() },
    };
    let owner = match input.resource_owner.as_deref() {
        Some(arn) => root_account(arn).ok_or_else(|| errors::invalid_arn(arn))?.to_string(),
        None => caller.account.clone(),
    };
    for action in &input.action_names {
        check_action(action)?;
    }
    let named: Vec<&str> = input.resource_arns.iter().flatten().map(String::as_str).filter(|r| *r != "*").collect();
    if let Some(option) = input.resource_handling_option.as_deref() {
        check_handling_option(option, &named)?;
    }
    let context = context_from_entries(input.context_entries.as_deref().unwrap_or_default())?;

    let sim = Simulation {
        identity: &identity,
        boundary: boundary.as_ref(),
        scp_levels: scp_levels.iter().map(Vec::as_slice).collect(),
        resource_policy: resource_policy.as_ref(),
        caller: &caller,
        owner: &owner,
        context: &context,
    };
    let start = start_index(input.marker.as_deref(), input.action_names.len())?;
    let (page, _) = paging::fetch_limit(input.max_items);
    let end = input.action_names.len().min(start.saturating_add(page));
    let results =
        input.action_names.get(start..end).unwrap_or_default().iter().map(|a| sim.action(a, &named)).collect();
    let truncated = end < input.action_names.len();
    Ok(iam::SimulatePolicyResponse {
        evaluation_results: Some(results),
        is_truncated: Some(truncated),
        marker: truncated.then(|| paging::encode_marker(&end.to_string())),
    })
}

pub fn context_keys_for_custom(
    ctx: &Ctx,
    input: &iam::GetContextKeysForCustomPolicyRequest,
) -> Result<iam::GetContextKeysForPolicyResponse, AwsError> {
    ctx.authorize("iam:GetContextKeysForCustomPolicy", "*")?;
    let policies = compile_list(&input.policy_input_list, "PolicyInputList", PolicyKind::Identity)?;
    let keys = policy::context_keys(&policies).into_iter().map(str::to_string).collect();
    Ok(iam::GetContextKeysForPolicyResponse { context_key_names: Some(keys) })
}

fn compile(text: &str, id: &str, kind: PolicyKind) -> Result<CompiledPolicy, AwsError> {
    CompiledPolicy::compile(text, kind, id).map_err(|e| iam::errors::malformed_policy_document(e.message()))
}

/// Compiles a list of documents named `PREFIX.1`, `PREFIX.2`... as the simulator names them in its results.
fn compile_list(docs: &[String], prefix: &str, kind: PolicyKind) -> Result<Vec<CompiledPolicy>, AwsError> {
    docs.iter().enumerate().map(|(i, d)| compile(d, &format!("{prefix}.{}", i + 1), kind)).collect()
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
    identity: &'a [CompiledPolicy],
    boundary: Option<&'a CompiledPolicy>,
    scp_levels: Vec<&'a [CompiledPolicy]>,
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
    fn set(&self, with_scps: bool) -> PolicySet<'_, CompiledPolicy> {
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
        // Recorded in 2026: IAM leaves an empty list out here, unlike at the top level.
        missing_context_values: (!o.missing.is_empty()).then_some(o.missing),
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
    fn restrictiveness() {
        use EvalDecision::*;
        assert_eq!(most_restrictive([Allowed, ImplicitDeny].into_iter()), ImplicitDeny);
        assert_eq!(most_restrictive([ImplicitDeny, ExplicitDeny, Allowed].into_iter()), ExplicitDeny);
        assert_eq!(most_restrictive([Allowed].into_iter()), Allowed);
    }
}
