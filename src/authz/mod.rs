//! Authorisation. Every operation asks here before it reads or changes anything, and the domain functions
//! that touch the store take the `Authorized` proof this module alone can make, so no code path can skip it.
//!
//! Every decision is the policy evaluator's (`gatehouse_policy::authorize`): the caller's identity-based policies
//! (inline, attached, through groups) and permissions boundary, in the request context of `context`, with the
//! keys the operation adds for the action it decides (`Facts`). The root user is allowed in its own account and
//! in AWS's (managed policies), as AWS allows it; a resource of another account needs a resource-based grant,
//! which IAM resources cannot give. A denial answers AWS's AccessDenied with the reason AWS gives.

pub mod cache;
pub mod compiled;
pub mod context;
pub mod grants;

use std::sync::Arc;

use gatehouse_policy::{
    CompiledPolicy, ContextValue, PolicySet, Principal as PolicyPrincipal, Request, RequestContext,
};
use gatehouse_wire::AwsError;

use crate::identity::{Caller, Principal};
use crate::store::tags::Tag;
use grants::Grants;

/// Proof that the caller may perform `action` on `resource`. It has no public constructor.
#[derive(Debug)]
pub struct Authorized {
    action: &'static str,
    resource: String,
}

impl Authorized {
    pub fn action(&self) -> &'static str {
        self.action
    }
    pub fn resource(&self) -> &str {
        &self.resource
    }
}

/// What the operation knows about one decision beyond the request's global keys: the resource's tags, the tags
/// the request sets or removes, and the action's own condition keys (`iam:PolicyARN`, ...). Each action-specific
/// key is set only for the actions AWS sets it for (the Service Authorization Reference, as the generated action
/// table carries it): lookups may offer every fact they know, and the decision keeps what the action supplies.
#[derive(Debug, Default)]
pub struct Facts<'a> {
    resource_tags: Option<&'a [Tag]>,
    request_tags: Option<&'a [Tag]>,
    tag_keys: Option<Vec<&'a str>>,
    keys: Vec<(&'static str, &'a str)>,
    lists: Vec<(&'static str, Vec<&'a str>)>,
    /// Keys named at run time (an identity provider's `HOST/PATH:sub`), set whatever the action table lists.
    named: Vec<(String, Vec<String>)>,
    /// The request itself carries an MFA code (AssumeRole's SerialNumber and TokenCode).
    mfa_in_request: bool,
}

impl<'a> Facts<'a> {
    pub fn new() -> Self {
        Facts::default()
    }

    /// `aws:ResourceTag/K` and `iam:ResourceTag/K` of the resource decided on.
    pub fn resource_tags(mut self, tags: &'a [Tag]) -> Self {
        self.resource_tags = Some(tags);
        self
    }

    /// `aws:RequestTag/K` for each tag the request sets, and `aws:TagKeys` (their keys).
    pub fn request_tags(mut self, tags: &'a [Tag]) -> Self {
        self.request_tags = Some(tags);
        self.tag_keys = Some(tags.iter().map(|t| t.key.as_str()).collect());
        self
    }

    /// `aws:TagKeys` alone: the keys an Untag operation removes.
    pub fn tag_keys(mut self, keys: &'a [String]) -> Self {
        self.tag_keys = Some(keys.iter().map(String::as_str).collect());
        self
    }

    /// A single-valued key of the action (`iam:PolicyARN`, `iam:PermissionsBoundary`, `iam:PassedToService`, ...).
    pub fn key(mut self, key: &'static str, value: &'a str) -> Self {
        self.keys.push((key, value));
        self
    }

    /// A multivalued key of the action (`sts:TransitiveTagKeys`).
    pub fn key_list(mut self, key: &'static str, values: Vec<&'a str>) -> Self {
        self.lists.push((key, values));
        self
    }

    /// A key whose name is known only at run time (an identity provider's claims: `HOST/PATH:aud`).
    pub fn named_key(mut self, key: String, values: Vec<String>) -> Self {
        self.named.push((key, values));
        self
    }

    /// The request authenticates with MFA itself (AssumeRole with SerialNumber and TokenCode, the code checked
    /// before the session is issued): `aws:MultiFactorAuthPresent` true and `aws:MultiFactorAuthAge` 0, as AWS
    /// sets them for a trust policy to decide on.
    pub fn mfa_in_request(mut self) -> Self {
        self.mfa_in_request = true;
        self
    }

    /// [`Facts::key`] unless the key is set already: the entity's current boundary is `iam:PermissionsBoundary`
    /// of most actions on it, but the new one of PutUserPermissionsBoundary and its siblings.
    pub fn key_unless_set(self, key: &'static str, value: &'a str) -> Self {
        if self.keys.iter().any(|(k, _)| *k == key) {
            self
        } else {
            self.key(key, value)
        }
    }

    fn is_empty(&self) -> bool {
        self.resource_tags.is_none()
            && self.tag_keys.is_none()
            && self.keys.is_empty()
            && self.lists.is_empty()
            && self.named.is_empty()
            && !self.mfa_in_request
    }

    /// The request's context with these keys added; `supplied` is the action's row of the action table.
    fn apply(&self, base: &Arc<RequestContext>, supplied: &[&str]) -> RequestContext {
        let supplies = |key: &str| supplied.iter().any(|k| k.eq_ignore_ascii_case(key));
        let mut ctx = RequestContext::layered(base.clone());
        // The resource's tags are keys of its resource type, whatever the action.
        for t in self.resource_tags.unwrap_or_default() {
            ctx.insert(&format!("aws:ResourceTag/{}", t.key), ContextValue::string(&t.value));
            ctx.insert(&format!("iam:ResourceTag/{}", t.key), ContextValue::string(&t.value));
        }
        if supplies("aws:RequestTag/${TagKey}") {
            for t in self.request_tags.unwrap_or_default() {
                ctx.insert(&format!("aws:RequestTag/{}", t.key), ContextValue::string(&t.value));
            }
        }
        if let Some(keys) = self.tag_keys.as_ref().filter(|_| supplies("aws:TagKeys")) {
            ctx.insert_list("aws:TagKeys", keys.iter().map(|k| ContextValue::string(*k)));
        }
        for (k, v) in self.keys.iter().filter(|(k, _)| supplies(k)) {
            ctx.insert(k, ContextValue::string(*v));
        }
        for (k, values) in self.lists.iter().filter(|(k, _)| supplies(k)) {
            ctx.insert_list(k, values.iter().map(|v| ContextValue::string(*v)));
        }
        for (k, values) in &self.named {
            ctx.insert_list(k, values.iter().map(ContextValue::string));
        }
        if self.mfa_in_request {
            ctx.insert("aws:MultiFactorAuthPresent", ContextValue::bool(true));
            ctx.insert("aws:MultiFactorAuthAge", ContextValue::number(0.0));
        }
        ctx
    }
}

/// A resource-based policy that takes part in a decision: for `sts:AssumeRole` and the actions decided with it
/// (`sts:TagSession`, `sts:SetSourceIdentity`), the role's trust policy. `account` owns the resource.
#[derive(Clone, Copy)]
pub struct ResourcePolicy<'a> {
    pub policy: &'a CompiledPolicy,
    pub account: &'a str,
}

/// One decision: who asks, with which grants, in which request context.
pub struct Decider<'a> {
    pub caller: &'a Caller,
    pub grants: &'a Grants,
    /// Audit mode: a denial is logged and let through.
    pub audit: bool,
    pub request_id: &'a str,
}

impl Decider<'_> {
    /// Decides whether the caller may perform `action` (`iam:CreateUser`) on `resource` (an ARN, or `*`).
    /// `context` gives the request's global keys (`context::request_keys`); it is not called for the root user.
    pub fn decide<'c>(
        &self,
        context: impl FnOnce() -> &'c Arc<RequestContext>,
        action: &'static str,
        resource: &str,
        facts: &Facts<'_>,
    ) -> Result<Authorized, AwsError> {
        self.decide_on(context, action, resource, facts, None)
    }

    /// [`Decider::decide`] with a resource-based policy in the decision. STS names no reason in the denials it
    /// decides this way (`User: ARN is not authorized to perform: sts:AssumeRole on resource: ROLE`), as AWS.
    pub fn decide_on<'c>(
        &self,
        context: impl FnOnce() -> &'c Arc<RequestContext>,
        action: &'static str,
        resource: &str,
        facts: &Facts<'_>,
        on: Option<ResourcePolicy<'_>>,
    ) -> Result<Authorized, AwsError> {
        let proof = || Authorized { action, resource: resource.to_string() };
        // AWS managed policies (`arn:aws:iam::aws:...`) belong to no customer account: every account sees them as
        // its own.
        let account = self.caller.account_id.as_str();
        let resource_account = on.map_or_else(|| crate::arn::account_of(resource), |r| Some(r.account));
        let other_account = resource_account.filter(|a| *a != account && *a != "aws");
        let arn = self.caller.arn();
        let principal_arn = self.caller.principal_arn();
        let base_arn = self.caller.base_arn().unwrap_or_default();
        let principal = match &self.caller.principal {
            Principal::Root if other_account.is_none() && on.is_none() => return Ok(proof()),
            // No policy of an unusable principal allows anything: the implicit-deny wording below.
            _ if self.grants.unusable => None,
            // IAM resources of another account have no resource-based policy that could grant the root user.
            Principal::Root if on.is_none() => None,
            Principal::Root => Some(PolicyPrincipal::root(account, &arn)),
            Principal::User { user_id, .. } => Some(PolicyPrincipal::user(account, &arn).with_unique_id(user_id)),
            Principal::AssumedRole { user_id, .. } => {
                Some(PolicyPrincipal::assumed_role(account, &arn, &principal_arn).with_unique_id(user_id))
            }
            Principal::FederatedUser { .. } => Some(PolicyPrincipal::federated_user(account, &arn, &base_arn)),
            Principal::Anonymous => None,
        };
        let denial = match principal {
            Some(principal) => {
                let base = context();
                let extended;
                let context: &RequestContext = if facts.is_empty() {
                    base
                } else {
                    extended = facts.apply(base, supplied_keys(action));
                    &extended
                };
                let request = Request { principal, action, resource, resource_account: other_account, context };
                let mut set = PolicySet::new(&self.grants.identity);
                if let Some(b) = &self.grants.boundary {
                    set = set.with_boundary(b);
                }
                if let Some(s) = &self.grants.session {
                    set = set.with_session(s);
                }
                if let Some(r) = on {
                    set = set.with_resource(r.policy);
                }
                let decision = gatehouse_policy::authorize(&request, &set);
                if decision.is_allowed() {
                    return Ok(proof());
                }
                decision.reason(action)
            }
            None => None,
        };
        let reason = denial.unwrap_or_else(|| format!("because no identity-based policy allows the {action} action"));
        let message = if on.is_some() {
            format!("User: {arn} is not authorized to perform: {action} on resource: {resource}")
        } else {
            format!("User: {arn} is not authorized to perform: {action} on resource: {resource} {reason}")
        };
        self.deny(&arn, action, resource, &reason, message)?;
        Ok(proof())
    }

    /// A denial: AccessDenied with `message`, or in audit mode (Ok) logged and let through.
    fn deny(
        &self,
        principal: &str,
        action: &str,
        resource: &str,
        reason: &str,
        message: String,
    ) -> Result<(), AwsError> {
        if !self.audit {
            return Err(AwsError::access_denied(message));
        }
        tracing::warn!(
            audit = true,
            request_id = self.request_id,
            principal,
            action,
            resource,
            reason,
            "AUDIT MODE: this request would be denied; it is let through"
        );
        Ok(())
    }
}

impl Decider<'_> {
    /// A caller an identity provider vouches for (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): unsigned, with
    /// no policies of its own, so only the role's trust policy can allow it. AWS's denial names the action only:
    /// `Not authorized to perform sts:AssumeRoleWithWebIdentity`.
    pub fn decide_federated<'c>(
        &self,
        context: impl FnOnce() -> &'c Arc<RequestContext>,
        principal: PolicyPrincipal<'_>,
        action: &'static str,
        resource: &str,
        facts: &Facts<'_>,
        trust: ResourcePolicy<'_>,
    ) -> Result<Authorized, AwsError> {
        let who = principal.federated_provider.unwrap_or(principal.arn);
        let extended = facts.apply(context(), supplied_keys(action));
        let request =
            Request { principal, action, resource, resource_account: Some(trust.account), context: &extended };
        let none: [Arc<CompiledPolicy>; 0] = [];
        let decision = gatehouse_policy::authorize(&request, &PolicySet::new(&none).with_resource(trust.policy));
        if decision.is_allowed() {
            return Ok(Authorized { action, resource: resource.to_string() });
        }
        let message = format!("Not authorized to perform {action}");
        self.deny(who, action, resource, "the trust policy does not allow it", message)?;
        Ok(Authorized { action, resource: resource.to_string() })
    }
}

/// The condition keys the action table lists for an action (`iam:AttachUserPolicy`). iam:PassRole,
/// sts:TagSession and sts:SetSourceIdentity are no operations, so the generated table has no row for them: their
/// keys are the Service Authorization Reference's.
/// Any other action takes none of its own.
pub fn supplied_keys(action: &str) -> &'static [&'static str] {
    let Some((service, name)) = action.split_once(':') else { return &[] };
    let keys = match service {
        "iam" if name == "PassRole" => Some(&["iam:AssociatedResourceArn", "iam:PassedToService"][..]),
        "sts" if name == "TagSession" => {
            Some(&["aws:RequestTag/${TagKey}", "aws:TagKeys", "sts:TransitiveTagKeys"][..])
        }
        "sts" if name == "SetSourceIdentity" => Some(&["sts:SourceIdentity"][..]),
        "iam" => gatehouse_wire::iam::Action::from_name(name).map(|a| a.auth().condition_keys),
        "sts" => gatehouse_wire::sts::Action::from_name(name).map(|a| a.auth().condition_keys),
        _ => None,
    };
    keys.unwrap_or_default()
}

/// AWS's wording when no identity-based policy allows the action, for denials decided before any policy is read.
pub fn denied(caller: &Caller, action: &str, resource: &str) -> AwsError {
    gatehouse_wire::AwsError::access_denied(format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        caller.arn()
    ))
}

/// A decision without policies or context (the root user's, in unit tests of the domain).
#[cfg(test)]
pub fn authorize(caller: &Caller, action: &'static str, resource: &str) -> Result<Authorized, AwsError> {
    let ctx = Arc::new(RequestContext::new());
    Decider { caller, grants: &Grants::default(), audit: false, request_id: "test" }.decide(
        || &ctx,
        action,
        resource,
        &Facts::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    fn caller(principal: Principal) -> Caller {
        Caller::long_term("000000000000", principal, "AKIA")
    }

    fn alice() -> Caller {
        caller(Principal::User { user_id: "AIDA1".into(), name: "alice".into(), path: "/".into() })
    }

    fn decide(c: &Caller, grants: &Grants, action: &'static str, resource: &str) -> Result<Authorized, AwsError> {
        let ctx = Arc::new(RequestContext::new().with("aws:username", ContextValue::string("alice")));
        Decider { caller: c, grants, audit: false, request_id: "r" }.decide(|| &ctx, action, resource, &Facts::new())
    }

    fn grants(identity: &[&str], boundary: Option<&str>) -> Grants {
        let compile = |t: &str, k| Arc::new(gatehouse_policy::CompiledPolicy::compile(t, k, "p").unwrap());
        Grants {
            identity: identity.iter().map(|t| compile(t, gatehouse_policy::PolicyKind::Identity)).collect(),
            boundary: boundary.map(|t| compile(t, gatehouse_policy::PolicyKind::PermissionsBoundary)),
            ..Grants::default()
        }
    }

    const USER_BOB: &str = "arn:aws:iam::000000000000:user/bob";

    #[test]
    fn root_may_act_in_its_own_account_only() {
        let root = caller(Principal::Root);
        assert!(decide(&root, &Grants::default(), "iam:CreateUser", USER_BOB).is_ok());
        assert!(decide(&root, &Grants::default(), "iam:CreateUser", "arn:aws:iam::111111111111:user/bob").is_err());
        assert!(decide(&root, &Grants::default(), "iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
    }

    #[test]
    fn users_are_denied_with_aws_wording() {
        let e = decide(&alice(), &Grants::default(), "iam:CreateUser", USER_BOB).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (403, "AccessDenied"));
        assert_eq!(
            e.message,
            "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/bob because no identity-based policy allows the iam:CreateUser action"
        );
    }

    #[test]
    fn policies_decide_with_variables_denies_and_boundaries() {
        let own = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/${aws:username}"}}"#;
        let g = grants(&[own], None);
        assert!(decide(&alice(), &g, "iam:GetUser", "arn:aws:iam::000000000000:user/alice").is_ok());
        assert!(decide(&alice(), &g, "iam:GetUser", USER_BOB).is_err());

        let deny = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:Get*","Resource":"*"}}"#;
        let e = decide(&alice(), &grants(&[own, deny], None), "iam:GetUser", "arn:aws:iam::000000000000:user/alice");
        assert!(e.unwrap_err().message.ends_with(" with an explicit deny in an identity-based policy"));

        let boundary = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}"#;
        let e =
            decide(&alice(), &grants(&[own], Some(boundary)), "iam:GetUser", "arn:aws:iam::000000000000:user/alice");
        assert!(e.unwrap_err().message.ends_with(" because no permissions boundary allows the iam:GetUser action"));
    }

    #[test]
    fn federated_users_need_a_session_policy_and_role_sessions_are_limited_by_theirs() {
        let all = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        let get = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
        let base = Box::new(Principal::User { user_id: "AIDA1".into(), name: "alice".into(), path: "/".into() });
        let fed = caller(Principal::FederatedUser { name: "bob".into(), user_id: "000000000000:bob".into(), base });
        let mut g = grants(&[all], None);
        let e = decide(&fed, &g, "iam:GetUser", USER_BOB).unwrap_err();
        assert!(
            e.message.starts_with("User: arn:aws:sts::000000000000:federated-user/bob is not authorized"),
            "{}",
            e.message
        );
        assert!(e.message.ends_with("because no session policy allows the iam:GetUser action"), "{}", e.message);
        let session = grants(&[get], None).identity;
        g.session = Some(session.clone());
        assert!(decide(&fed, &g, "iam:GetUser", USER_BOB).is_ok());
        assert!(decide(&fed, &g, "iam:ListUsers", "*").is_err());

        let role = caller(Principal::AssumedRole {
            role_id: "AROA1".into(),
            role_name: "r".into(),
            role_path: "/".into(),
            session_name: "s".into(),
            user_id: "AROA1:s".into(),
        });
        let mut g = grants(&[all], None);
        assert!(decide(&role, &g, "iam:ListUsers", "*").is_ok(), "no session policy: the role's policies decide");
        g.session = Some(session);
        let e = decide(&role, &g, "iam:ListUsers", "*").unwrap_err();
        assert_eq!(
            e.message,
            "User: arn:aws:sts::000000000000:assumed-role/r/s is not authorized to perform: iam:ListUsers on resource: * because no session policy allows the iam:ListUsers action"
        );
    }

    #[test]
    fn unusable_grants_allow_nothing_and_audit_lets_through() {
        let all = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        let mut g = grants(&[all], None);
        assert!(decide(&alice(), &g, "iam:GetUser", USER_BOB).is_ok());
        g.unusable = true;
        assert!(decide(&alice(), &g, "iam:GetUser", USER_BOB).is_err());
        let ctx = Arc::new(RequestContext::new());
        let audit = Decider { caller: &alice(), grants: &g, audit: true, request_id: "r" };
        assert!(audit.decide(|| &ctx, "iam:GetUser", USER_BOB, &Facts::new()).is_ok());
    }
}
