//! AssumeRole: a role session for an IAM user or another session, in the same account or another one hosted
//! here. The role's trust policy must allow the caller (and `sts:TagSession` when the session gets tags,
//! `sts:SetSourceIdentity` when it carries a source identity); the caller's own policies must allow it too,
//! unless the trust policy names the caller itself in the same account (the policy crate's decision flow). A
//! role that does not exist is refused exactly as one whose trust policy does not allow the caller, as AWS does,
//! so that nobody learns which roles exist by trying.

use gatehouse_wire::sts;
use gatehouse_wire::AwsError;

use super::sessions::{self, Issued};
use crate::authz::{compiled, Facts, ResourcePolicy};
use crate::request::Ctx;
use crate::sessions::{RoleRef, SessionClaims, SessionKind, SessionTag};
use crate::store::roles::{self, RoleRow};
use crate::store::tags::{self, Tag};

/// A role session, issued.
#[derive(Debug)]
pub struct RoleSession {
    pub issued: Issued,
    pub arn: String,
    /// `AROA...:SESSION`.
    pub assumed_role_id: String,
    /// When session policies or tags were passed.
    pub packed_policy_size: Option<i32>,
    pub source_identity: Option<String>,
}

pub async fn assume_role(ctx: &Ctx, req: &sts::AssumeRoleRequest) -> Result<RoleSession, AwsError> {
    if ctx.caller.is_root() {
        return Err(AwsError::access_denied("Roles may not be assumed by root accounts."));
    }
    let (account, path, name) = role_arn(&req.role_arn)?;
    let caller_session = ctx.caller.session.as_deref();
    let tags = sessions::session_tags(
        req.tags.as_deref().unwrap_or_default(),
        req.transitive_tag_keys.as_deref().unwrap_or_default(),
        caller_session,
    )?;
    let inherited_identity = caller_session.and_then(|s| s.source_identity.as_deref());
    if let (Some(old), Some(new)) = (inherited_identity, req.source_identity.as_deref()) {
        if old != new {
            return Err(AwsError::invalid_parameter_value(
                "The source identity of a role session cannot be changed in a role chain.",
            ));
        }
    }
    let source_identity = req.source_identity.as_deref().or(inherited_identity);

    let mut op = ctx.begin_read().await?;
    let denied = || {
        AwsError::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
            ctx.caller.arn(),
            req.role_arn
        ))
    };
    let role = roles::by_name(op.lookup(), account, name).await?.filter(|r| r.path == path);
    let Some(role) = role else {
        // No trust policy allows a role that does not exist. The decision is still made (and logged in audit
        // mode); whatever it says, the answer is the one a trust policy's refusal gets.
        let _ = ctx.authorize_with("sts:AssumeRole", &req.role_arn, &Facts::new());
        return Err(denied());
    };
    let trust = compiled::compile(&role.trust_policy, gatehouse_policy::PolicyKind::Trust, &role.arn()).map_err(|e| {
        tracing::error!(role = %role.arn(), error = %e, "a stored trust policy does not compile; nobody may assume the role");
        denied()
    })?;
    let on = Some(ResourcePolicy { policy: &trust, account: &role.account_id });
    let role_tags = tags::list(op.lookup(), &role.role_id).await?;
    let request_tags: Vec<Tag> = tags.iter().map(SessionTag::tag).collect();
    let transitive: Vec<&str> = tags.iter().filter(|t| t.transitive).map(|t| t.key.as_str()).collect();

    let mut facts = Facts::new()
        .resource_tags(&role_tags)
        .request_tags(&request_tags)
        .key("sts:RoleSessionName", &req.role_session_name)
        .key_list("sts:TransitiveTagKeys", transitive.clone());
    if let Some(id) = &req.external_id {
        facts = facts.key("sts:ExternalId", id);
    }
    if req.serial_number.is_some() && req.token_code.is_some() {
        facts = facts.mfa_in_request();
    }
    if let Some(si) = source_identity {
        facts = facts.key("sts:SourceIdentity", si);
    }
    let proof = ctx.authorize_on("sts:AssumeRole", &req.role_arn, &facts, on)?;
    if !tags.is_empty() {
        let facts = Facts::new().request_tags(&request_tags).key_list("sts:TransitiveTagKeys", transitive);
        ctx.authorize_on("sts:TagSession", &req.role_arn, &facts, on)?;
    }
    if let Some(si) = source_identity {
        ctx.authorize_on("sts:SetSourceIdentity", &req.role_arn, &Facts::new().key("sts:SourceIdentity", si), on)?;
    }
    refuse_provided_contexts(req)?;

    let duration = sessions::role_duration(req.duration_seconds, role.max_session_duration, ctx.caller.is_temporary())?;
    let (policy, policy_arns) = sessions::check_policies(
        op.conn(&proof),
        &role.account_id,
        req.policy.as_deref(),
        req.policy_arns.as_deref().unwrap_or_default(),
    )
    .await?;
    let packed = sessions::packed_size(policy.as_deref(), &policy_arns, &tags)?;
    drop(op);
    // Decided above as if the code were good (the trust policy saw aws:MultiFactorAuthPresent), checked now.
    let mfa_at = sessions::checked_mfa(ctx, req.serial_number.as_deref(), req.token_code.as_ref()).await?;

    let session = NewRoleSession {
        session_name: &req.role_session_name,
        duration,
        policy,
        policy_arns,
        tags,
        packed,
        source_identity: source_identity.map(str::to_string),
        chained: ctx.caller.is_temporary(),
        provider: None,
        min_token_size: req.minimum_session_token_size,
        mfa_at,
    };
    issue_role_session(ctx, &role, session).await
}

/// What a new role session is, whichever operation makes it (AssumeRole, AssumeRoleWithWebIdentity, ...).
pub(crate) struct NewRoleSession<'a> {
    pub session_name: &'a str,
    /// Seconds.
    pub duration: i64,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<SessionTag>,
    /// PackedPolicySize, reported when session policies or tags were passed.
    pub packed: i32,
    pub source_identity: Option<String>,
    pub chained: bool,
    /// The identity provider that vouched for the caller (`aws:FederatedProvider`).
    pub provider: Option<String>,
    pub min_token_size: Option<i32>,
    /// When the session's MFA code was checked (AssumeRole with SerialNumber and TokenCode).
    pub mfa_at: Option<i64>,
}

/// Issues the credentials of a role session of `role` (no write but RoleLastUsed, coalesced).
pub(crate) async fn issue_role_session(
    ctx: &Ctx,
    role: &RoleRow,
    s: NewRoleSession<'_>,
) -> Result<RoleSession, AwsError> {
    let claims = SessionClaims {
        kind: SessionKind::Role,
        access_key_id: String::new(),
        secret: String::new(),
        account_id: role.account_id.clone(),
        issued_at: ctx.now,
        expires_at: ctx.now + s.duration * 1000,
        role: Some(RoleRef { id: role.role_id.clone(), name: role.name.clone(), path: role.path.clone() }),
        user: None,
        session_name: s.session_name.to_string(),
        policy: s.policy,
        policy_arns: s.policy_arns,
        tags: s.tags,
        source_identity: s.source_identity.clone(),
        chained: s.chained,
        provider: s.provider,
        mfa_at: s.mfa_at,
    };
    let passed_any = claims.has_session_policies() || !claims.tags.is_empty();
    let issued = sessions::issue(&ctx.state, claims, s.min_token_size)?;
    record_role_use(ctx, role).await;
    Ok(RoleSession {
        issued,
        arn: crate::arn::assumed_role(&role.account_id, &role.name, s.session_name),
        assumed_role_id: format!("{}:{}", role.role_id, s.session_name),
        packed_policy_size: passed_any.then_some(s.packed),
        source_identity: s.source_identity,
    })
}

/// The account, path and name of a role ARN. Anything that is not an ARN at all is AWS's ValidationError
/// (`X is invalid`); an ARN of something other than a role names no role this caller may assume.
pub(crate) fn role_arn(arn: &str) -> Result<(&str, String, &str), AwsError> {
    let invalid = || AwsError::validation_error(format!("{arn} is invalid"));
    let parsed = crate::arn::Arn::parse(arn).ok_or_else(invalid)?;
    if parsed.partition.is_empty() || parsed.service.is_empty() || parsed.resource.is_empty() {
        return Err(invalid());
    }
    let Some(("role", rest)) = parsed.resource_type() else { return Ok((parsed.account, String::new(), "")) };
    let (path, name) = match rest.rsplit_once('/') {
        Some((dirs, name)) => (format!("/{dirs}/"), name),
        None => ("/".to_string(), rest),
    };
    let iam_role = parsed.partition == "aws" && parsed.service == "iam" && parsed.region.is_empty();
    Ok((parsed.account, if iam_role { path } else { String::new() }, name))
}

/// Trusted context assertions are signed by AWS's IAM Identity Center, which no self-hosted server can verify.
fn refuse_provided_contexts(req: &sts::AssumeRoleRequest) -> Result<(), AwsError> {
    if req.provided_contexts.as_ref().is_some_and(|c| !c.is_empty()) {
        return Err(AwsError::invalid_parameter_value("The provided context assertion could not be verified."));
    }
    Ok(())
}

/// RoleLastUsed, at most once an interval per role (and per instance); a failure is logged, never the request's.
async fn record_role_use(ctx: &Ctx, role: &RoleRow) {
    if !ctx.state.role_uses.due(&role.role_id, ctx.now) {
        return;
    }
    let result = async {
        let mut conn = ctx.state.store.pool().acquire().await?;
        roles::record_use(&mut conn, &role.role_id, ctx.now, &ctx.region).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(role = %role.arn(), error = %e, "could not record a role's last use");
    }
}
