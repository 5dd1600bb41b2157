//! The last step of AssumeRoleWithWebIdentity and AssumeRoleWithSAML, once the token or assertion is verified: the
//! role's trust policy decides for the provider (the `Federated` principal) with the provider's condition keys,
//! then `sts:TagSession` and `sts:SetSourceIdentity` when the session carries tags or a source identity, each
//! decision seeing the whole request context (AWS supplies every key to each); then the session is issued.

use gatehouse_wire::AwsError;

use super::assume_role::{issue_role_session, NewRoleSession, RoleSession};
use super::sessions;
use crate::authz::{compiled, Facts, ResourcePolicy};
use crate::request::Ctx;
use crate::sessions::SessionTag;
use crate::store::roles;
use crate::store::tags::{self, Tag};

/// What a verified federated caller asks of a role.
pub(crate) struct FederatedAssumption<'a> {
    /// `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML`.
    pub action: &'static str,
    /// The RoleArn as requested, and its account, path and name ([`super::assume_role::role_arn`]).
    pub role_arn: &'a str,
    pub account: &'a str,
    pub path: &'a str,
    pub name: &'a str,
    /// The principal the trust policy sees (`Principal::web_identity`, `Principal::saml`).
    pub principal: gatehouse_policy::Principal<'a>,
    /// The provider's ARN (`aws:FederatedProvider`, and what the session records).
    pub provider_arn: &'a str,
    /// The provider's own condition keys (`HOST/PATH:sub`, `saml:aud`, ...), with their values.
    pub provider_keys: Vec<(String, Vec<String>)>,
    pub session_name: &'a str,
    pub tags: Vec<SessionTag>,
    pub transitive: &'a [String],
    pub source_identity: Option<String>,
    pub duration_seconds: Option<i32>,
    /// A bound the provider puts on the session (SAML's SessionDuration attribute), seconds.
    pub duration_cap: Option<i64>,
    pub policy: Option<&'a str>,
    pub policy_arns: &'a [gatehouse_wire::sts::PolicyDescriptorType],
    pub min_token_size: Option<i32>,
}

pub(crate) async fn assume(ctx: &Ctx, a: FederatedAssumption<'_>) -> Result<RoleSession, AwsError> {
    let not_authorized = |action: &str| AwsError::access_denied(format!("Not authorized to perform {action}"));
    let mut op = ctx.begin_read().await?;
    let role = roles::by_name(op.lookup(), a.account, a.name).await?.filter(|r| r.path == a.path);
    let Some(role) = role else { return Err(not_authorized(a.action)) };
    let trust = compiled::compile(&role.trust_policy, gatehouse_policy::PolicyKind::Trust, &role.arn()).map_err(|e| {
        tracing::error!(role = %role.arn(), error = %e, "a stored trust policy does not compile; nobody may assume the role");
        not_authorized(a.action)
    })?;
    let on = ResourcePolicy { policy: &trust, account: &role.account_id };
    let role_tags = tags::list(op.lookup(), &role.role_id).await?;
    let request_tags: Vec<Tag> = a.tags.iter().map(SessionTag::tag).collect();
    let transitive_keys: Vec<&str> = a.transitive.iter().map(String::as_str).collect();
    let facts = || {
        let mut facts = Facts::new()
            .resource_tags(&role_tags)
            .request_tags(&request_tags)
            .key("sts:RoleSessionName", a.session_name)
            .key_list("sts:TransitiveTagKeys", transitive_keys.clone())
            .named_key("aws:FederatedProvider".to_string(), vec![a.provider_arn.to_string()]);
        for (key, values) in &a.provider_keys {
            facts = facts.named_key(key.clone(), values.clone());
        }
        if let Some(si) = &a.source_identity {
            facts = facts.key("sts:SourceIdentity", si);
        }
        facts
    };
    let proof = ctx.authorize_federated(a.principal, a.action, a.role_arn, &facts(), on)?;
    if !a.tags.is_empty() {
        ctx.authorize_federated(a.principal, "sts:TagSession", a.role_arn, &facts(), on)
            .map_err(|_| not_authorized("sts:TagSession"))?;
    }
    if a.source_identity.is_some() {
        ctx.authorize_federated(a.principal, "sts:SetSourceIdentity", a.role_arn, &facts(), on)
            .map_err(|_| not_authorized("sts:SetSourceIdentity"))?;
    }

    let duration = sessions::role_duration(a.duration_seconds, role.max_session_duration, false)?;
    let duration = a.duration_cap.map_or(duration, |cap| cap.min(duration));
    let (policy, policy_arns) =
        sessions::check_policies(op.conn(&proof), &role.account_id, a.policy, a.policy_arns).await?;
    drop(op);
    let packed = sessions::packed_size(policy.as_deref(), &policy_arns, &a.tags)?;
    let new = NewRoleSession {
        session_name: a.session_name,
        duration,
        policy,
        policy_arns,
        tags: a.tags,
        packed,
        source_identity: a.source_identity,
        chained: false,
        provider: Some(a.provider_arn.to_string()),
        min_token_size: a.min_token_size,
        mfa_at: None,
    };
    issue_role_session(ctx, &role, new).await
}
