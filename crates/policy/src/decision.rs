//! The decision flow: one function of all the policies that apply to a request.
//!
//! `[EVAL]` reference_policies_evaluation-logic (and its cross-account page `[XACCT]`), `[BOUND]`
//! and `[SESS]`, in this order:
//! 1. a matching `Deny` in any applicable policy is an explicit deny;
//! 2. service control policies, then resource control policies, must allow at every level of
//!    the organization (they bind the root user too);
//! 3. the root user is allowed in its own account (identity policies cannot restrict it); in
//!    another account's resource it needs a resource-based grant;
//! 4. in the same account, a resource-based policy that names the caller directly allows; one
//!    that names the role behind a session (or the user behind a federated session) still
//!    needs the boundary and the session policy; one that names the account delegates;
//! 5. otherwise identity-based policies, then the permissions boundary, then the session
//!    policies must allow (a federated user without a session policy is denied);
//! 6. across accounts both sides must allow; a role's trust policy must always allow.
//!
//! [`authorize`] runs it without allocating; [`explain`] adds what SimulateCustomPolicy
//! reports (every matched statement, missing context keys, per-type decisions).

use std::borrow::Borrow;

use crate::compile::{CompiledPolicy, CompiledStatement, Effect};
use crate::context::RequestContext;
use crate::evaluate::{applies, OrgSummary, Summary, Target};
use crate::json::Position;
use crate::principal::{Grant, Principal, PrincipalKind};
use crate::PolicyKind;

/// One request to authorize.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub principal: Principal<'a>,
    /// `service:Action`, e.g. `iam:CreateUser` (compared without regard to case).
    pub action: &'a str,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: &'a str,
    /// The account owning the resource; `None` means the caller's own account.
    pub resource_account: Option<&'a str>,
    pub context: &'a RequestContext,
}

/// Every policy that applies to one request, grouped by type. `P` is how the server holds
/// compiled policies: `&CompiledPolicy`, `Arc<CompiledPolicy>`, `CompiledPolicy`...
#[derive(Debug)]
pub struct PolicySet<'a, P: Borrow<CompiledPolicy> = &'a CompiledPolicy> {
    /// The user's inline and managed policies and those of its groups, or the role's.
    pub identity: &'a [P],
    pub permissions_boundary: Option<&'a CompiledPolicy>,
    /// Session policies passed to AssumeRole*/GetFederationToken; `None` when none were
    /// passed (which differs from an empty list only for federated users: none allows).
    pub session: Option<&'a [P]>,
    /// The resource's policy, or for `sts:AssumeRole*` the role's trust policy.
    pub resource: Option<&'a CompiledPolicy>,
    /// Service control policies by level (root, OUs, account); empty when none apply.
    pub service_control: &'a [&'a [P]],
    /// Resource control policies by level; empty when none apply.
    pub resource_control: &'a [&'a [P]],
}

impl<P: Borrow<CompiledPolicy>> Clone for PolicySet<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Borrow<CompiledPolicy>> Copy for PolicySet<'_, P> {}

impl<'a, P: Borrow<CompiledPolicy>> PolicySet<'a, P> {
    /// Identity-based policies only; set the other fields as needed.
    pub fn new(identity: &'a [P]) -> PolicySet<'a, P> {
        PolicySet {
            identity,
            permissions_boundary: None,
            session: None,
            resource: None,
            service_control: &[],
            resource_control: &[],
        }
    }

    pub fn with_boundary(self, boundary: &'a CompiledPolicy) -> Self {
        PolicySet { permissions_boundary: Some(boundary), ..self }
    }

    pub fn with_session(self, session: &'a [P]) -> Self {
        PolicySet { session: Some(session), ..self }
    }

    pub fn with_resource(self, resource: &'a CompiledPolicy) -> Self {
        PolicySet { resource: Some(resource), ..self }
    }

    pub fn with_service_control(self, levels: &'a [&'a [P]]) -> Self {
        PolicySet { service_control: levels, ..self }
    }

    pub fn with_resource_control(self, levels: &'a [&'a [P]]) -> Self {
        PolicySet { resource_control: levels, ..self }
    }
}

/// The three outcomes, spelled as SimulateCustomPolicy's `EvalDecision` by `as_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvalDecision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl EvalDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            EvalDecision::Allowed => "allowed",
            EvalDecision::ExplicitDeny => "explicitDeny",
            EvalDecision::ImplicitDeny => "implicitDeny",
        }
    }
}

/// The policy types an AccessDenied message can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyType {
    Identity,
    PermissionsBoundary,
    Session,
    Resource,
    ServiceControl,
    ResourceControl,
}

impl PolicyType {
    /// As AWS names it in access-denied messages (troubleshoot_access-denied).
    pub fn name(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
            PolicyType::Resource => "resource-based policy",
            PolicyType::ServiceControl => "service control policy",
            PolicyType::ResourceControl => "resource control policy",
        }
    }

    fn article(self) -> &'static str {
        if self == PolicyType::Identity {
            "an"
        } else {
            "a"
        }
    }
}

/// A statement inside a compiled policy (borrowed: a decision never copies policies).
#[derive(Clone, Copy, Debug)]
pub struct StatementRef<'p> {
    pub(crate) policy: &'p CompiledPolicy,
    pub(crate) index: usize,
}

impl<'p> StatementRef<'p> {
    pub fn policy(&self) -> &'p CompiledPolicy {
        self.policy
    }

    /// The id the policy was compiled with (SimulateCustomPolicy's `SourcePolicyId`).
    pub fn policy_id(&self) -> &'p str {
        self.policy.id()
    }

    /// 0-based index of the statement in its policy.
    pub fn index(&self) -> usize {
        self.index
    }

    fn statement(&self) -> Option<&'p CompiledStatement> {
        self.policy.statements().get(self.index)
    }

    pub fn sid(&self) -> Option<&'p str> {
        self.statement().and_then(|s| s.sid.as_deref())
    }

    pub fn effect(&self) -> Effect {
        self.statement().map_or(Effect::Deny, |s| s.effect)
    }

    /// `StartPosition`: line and column after the statement's `{`, in the document as submitted.
    pub fn start(&self) -> Position {
        self.statement().map_or_else(Position::default, |s| s.start)
    }

    /// `EndPosition`: line and column after the statement's `}`.
    pub fn end(&self) -> Position {
        self.statement().map_or_else(Position::default, |s| s.end)
    }
}

impl PartialEq for StatementRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.policy, other.policy) && self.index == other.index
    }
}

/// The result of [`authorize`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision<'p> {
    pub decision: EvalDecision,
    /// Explicit deny: the type whose statement denied. Implicit deny: the type that failed to
    /// allow. Allowed: the type whose allow decided (`None` for the root user in its own
    /// account and for `sts:GetCallerIdentity`, which nothing needs to allow).
    pub policy_type: Option<PolicyType>,
    /// The deciding statement: the deny, or the allow that decided.
    pub statement: Option<StatementRef<'p>>,
}

impl<'p> Decision<'p> {
    fn new(decision: EvalDecision, policy_type: Option<PolicyType>, statement: Option<StatementRef<'p>>) -> Self {
        Decision { decision, policy_type, statement }
    }

    pub fn is_allowed(&self) -> bool {
        self.decision == EvalDecision::Allowed
    }

    /// The clause AWS adds to AccessDenied messages: `with an explicit deny in a
    /// resource-based policy` or `because no identity-based policy allows the s3:GetObject
    /// action`. `None` when allowed.
    pub fn reason(&self, action: &str) -> Option<String> {
        let t = self.policy_type?;
        match self.decision {
            EvalDecision::Allowed => None,
            EvalDecision::ExplicitDeny => Some(format!("with an explicit deny in {} {}", t.article(), t.name())),
            EvalDecision::ImplicitDeny => Some(format!("because no {} allows the {action} action", t.name())),
        }
    }
}

/// `sts:GetCallerIdentity` succeeds even under an explicit deny (GetCallerIdentity API
/// reference: "No permissions are required to perform this operation").
fn always_allowed(action: &str) -> bool {
    action.eq_ignore_ascii_case("sts:GetCallerIdentity")
}

/// Decides a request, without allocating. The decision borrows the deciding statement from
/// `policies`.
pub fn authorize<'p, P: Borrow<CompiledPolicy>>(req: &Request<'_>, policies: &PolicySet<'p, P>) -> Decision<'p> {
    if always_allowed(req.action) {
        return Decision::new(EvalDecision::Allowed, None, None);
    }
    decide(req, &summarize(req, policies)).0
}

struct Summaries<'p> {
    resource_kind: Option<PolicyKind>,
    scp: OrgSummary<'p>,
    rcp: OrgSummary<'p>,
    resource: Summary<'p>,
    identity: Summary<'p>,
    boundary: Option<Summary<'p>>,
    session: Option<Summary<'p>>,
}

fn summarize<'p, P: Borrow<CompiledPolicy>>(req: &Request<'_>, policies: &PolicySet<'p, P>) -> Summaries<'p> {
    let has_boundary = policies.permissions_boundary.is_some();
    let mut buf = [0u8; 128];
    let fields = Target::new(req.action, req.resource, &mut buf);
    let mut resource = Summary::default();
    if let Some(r) = policies.resource {
        resource.add(r, req, &fields, has_boundary);
    }
    // Identity-based policies, boundaries and session policies cannot apply to the root
    // user or to callers without an identity of their own.
    let own = req.principal.has_identity_policies();
    let identity = if own { Summary::of(policies.identity, req, &fields, false) } else { Summary::default() };
    let boundary = policies.permissions_boundary.filter(|_| own).map(|b| {
        let mut s = Summary::default();
        s.add(b, req, &fields, false);
        s
    });
    let session = policies.session.filter(|_| own).map(|s| Summary::of(s, req, &fields, false));
    Summaries {
        resource_kind: policies.resource.map(CompiledPolicy::kind),
        scp: OrgSummary::of(policies.service_control, req, &fields),
        rcp: OrgSummary::of(policies.resource_control, req, &fields),
        resource,
        identity,
        boundary,
        session,
    }
}

/// Per-type outcomes, for SimulateCustomPolicy's decision details.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TypeDecisions {
    pub identity: Option<EvalDecision>,
    pub permissions_boundary: Option<EvalDecision>,
    pub session: Option<EvalDecision>,
    pub resource: Option<EvalDecision>,
    pub service_control: Option<EvalDecision>,
    pub resource_control: Option<EvalDecision>,
}

fn decide<'p>(req: &Request<'_>, s: &Summaries<'p>) -> (Decision<'p>, TypeDecisions) {
    use EvalDecision::*;
    use PolicyType as T;
    let of = |sum: &Summary<'_>| match (sum.deny, sum.allow) {
        (Some(_), _) => ExplicitDeny,
        (None, Some(_)) => Allowed,
        (None, None) => ImplicitDeny,
    };
    let org = |o: &OrgSummary<'_>, present: bool| {
        present.then_some(if o.deny.is_some() {
            ExplicitDeny
        } else if o.allowed {
            Allowed
        } else {
            ImplicitDeny
        })
    };
    let own = req.principal.has_identity_policies();
    let details = TypeDecisions {
        identity: own.then(|| of(&s.identity)),
        permissions_boundary: s.boundary.as_ref().map(of),
        session: s.session.as_ref().map(of),
        resource: s.resource_kind.map(|_| of(&s.resource)),
        service_control: org(&s.scp, s.scp.present),
        resource_control: org(&s.rcp, s.rcp.present),
    };
    let deny = |t: PolicyType, stmt: Option<StatementRef<'p>>| Decision::new(ExplicitDeny, Some(t), stmt);
    let implicit = |t: PolicyType| Decision::new(ImplicitDeny, Some(t), None);

    // 1. explicit denies, in the order AWS's flow chart visits the policy types.
    let denies = [
        (T::ServiceControl, s.scp.deny),
        (T::ResourceControl, s.rcp.deny),
        (T::Resource, s.resource.deny),
        (T::Identity, s.identity.deny),
        (T::PermissionsBoundary, s.boundary.and_then(|b| b.deny)),
        (T::Session, s.session.and_then(|b| b.deny)),
    ];
    if let Some((t, stmt)) = denies.into_iter().find(|(_, d)| d.is_some()) {
        return (deny(t, stmt), details);
    }
    // 2. organization guardrails.
    if !s.scp.allowed {
        return (implicit(T::ServiceControl), details);
    }
    if !s.rcp.allowed {
        return (implicit(T::ResourceControl), details);
    }
    let res_allow = s.resource.allow;
    let allowed_by_resource =
        |(stmt, _): (StatementRef<'p>, Grant)| Decision::new(Allowed, Some(T::Resource), Some(stmt));
    let trust = s.resource_kind == Some(PolicyKind::Trust);
    let same_account = req.resource_account.is_none_or(|a| a == req.principal.account);

    // 3. callers without identity-based policies.
    match req.principal.kind {
        PrincipalKind::Root if same_account && !trust => return (Decision::new(Allowed, None, None), details),
        PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser => {}
        _ => {
            let d = res_allow.map_or_else(|| implicit(T::Resource), allowed_by_resource);
            return (d, details);
        }
    }

    // 4, 5. identity ∩ boundary ∩ session.
    let boundary_ok = s.boundary.is_none_or(|b| b.allows());
    let session_ok = match (s.session, req.principal.kind) {
        (Some(sess), _) => sess.allows(),
        // [SESS]: a GetFederationToken session without a session policy has no permissions.
        (None, PrincipalKind::FederatedUser) => false,
        (None, _) => true,
    };
    let limited_failure = if !boundary_ok {
        Some(T::PermissionsBoundary)
    } else if !session_ok {
        Some(T::Session)
    } else {
        None
    };
    let chain_failure = if s.identity.allows() { limited_failure } else { Some(T::Identity) };
    let allowed_by_identity = || Decision::new(Allowed, Some(T::Identity), s.identity.allow.map(|(stmt, _)| stmt));

    let d = if same_account {
        match res_allow {
            Some(a @ (_, Grant::Direct)) => allowed_by_resource(a),
            Some(a @ (_, Grant::Limited)) => match limited_failure {
                None => allowed_by_resource(a),
                Some(t) => implicit(t),
            },
            // A trust policy must always allow the principal explicitly.
            None if trust => implicit(T::Resource),
            _ => match chain_failure {
                None => allowed_by_identity(),
                Some(t) => implicit(t),
            },
        }
    } else {
        // 6. across accounts, both the caller's side and the resource's side must allow.
        match (chain_failure, res_allow) {
            (Some(t), _) => implicit(t),
            (None, None) => implicit(T::Resource),
            (None, Some(_)) => allowed_by_identity(),
        }
    };
    (d, details)
}

/// A statement that applied to the request, with the type of its policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatchedStatement<'p> {
    pub statement: StatementRef<'p>,
    pub policy_type: PolicyType,
}

/// What SimulateCustomPolicy / SimulatePrincipalPolicy report for one action and resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation<'p> {
    /// The same decision [`authorize`] makes, except that the simulator does not apply the
    /// `sts:GetCallerIdentity` exemption.
    pub decision: Decision<'p>,
    /// For an allow, every `Allow` statement that applied; for an explicit deny, every `Deny`
    /// that applied; empty for an implicit deny. In policy order, tagged with their type.
    pub matched_statements: Vec<MatchedStatement<'p>>,
    /// Context keys that statements matching the action and resource use but the request
    /// lacks (condition keys, and variables without a default), as written, each once.
    pub missing_context_keys: Vec<String>,
    /// How each policy type came out (absent types are `None`).
    pub types: TypeDecisions,
}

impl Explanation<'_> {
    /// `PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary`, when a boundary was given.
    pub fn allowed_by_permissions_boundary(&self) -> Option<bool> {
        self.types.permissions_boundary.map(|d| d == EvalDecision::Allowed)
    }

    /// `OrganizationsDecisionDetail.AllowedByOrganizations`, when SCPs were given.
    pub fn allowed_by_organizations(&self) -> Option<bool> {
        self.types.service_control.map(|d| d == EvalDecision::Allowed)
    }
}

/// Decides a request and explains the decision the way the IAM policy simulator does.
pub fn explain<'p, P: Borrow<CompiledPolicy>>(req: &Request<'_>, policies: &PolicySet<'p, P>) -> Explanation<'p> {
    let (decision, types) = decide(req, &summarize(req, policies));
    let has_boundary = policies.permissions_boundary.is_some();
    let own = req.principal.has_identity_policies();

    let mut groups: Vec<(PolicyType, &'p CompiledPolicy)> = Vec::new();
    for level in policies.service_control {
        groups.extend(level.iter().map(|p| (PolicyType::ServiceControl, p.borrow())));
    }
    for level in policies.resource_control {
        groups.extend(level.iter().map(|p| (PolicyType::ResourceControl, p.borrow())));
    }
    if own {
        groups.extend(policies.identity.iter().map(|p| (PolicyType::Identity, p.borrow())));
        groups.extend(policies.permissions_boundary.map(|p| (PolicyType::PermissionsBoundary, p)));
        groups.extend(policies.session.into_iter().flatten().map(|p| (PolicyType::Session, p.borrow())));
    }
    groups.extend(policies.resource.map(|p| (PolicyType::Resource, p)));

    let wanted = match decision.decision {
        EvalDecision::Allowed => Some(Effect::Allow),
        EvalDecision::ExplicitDeny => Some(Effect::Deny),
        EvalDecision::ImplicitDeny => None,
    };
    let mut buf = [0u8; 128];
    let fields = Target::new(req.action, req.resource, &mut buf);
    let mut matched = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for (policy_type, policy) in groups {
        for (index, s) in policy.statements().iter().enumerate() {
            let boundary_rule = policy_type == PolicyType::Resource && has_boundary;
            let reaches = s.action_matches(&fields)
                && s.resource_may_match(&fields.resource, req.context)
                && s.principal_grant(&req.principal, boundary_rule).is_some();
            if reaches {
                for k in s.missing_keys(req.context) {
                    if !missing.iter().any(|m| m.eq_ignore_ascii_case(k)) {
                        missing.push(k.to_owned());
                    }
                }
            }
            if Some(s.effect) == wanted && applies(s, req, &fields, boundary_rule).is_some() {
                matched.push(MatchedStatement { statement: StatementRef { policy, index }, policy_type });
            }
        }
    }
    Explanation { decision, matched_statements: matched, missing_context_keys: missing, types }
}
