//! GetSessionToken and GetFederationToken: temporary credentials for the calling IAM user (or root) itself, and for
//! a federated user whose permissions are the calling user's intersected with the session policies. Both need the
//! caller's long-term key (`sessions::limits` refuses temporary credentials before either runs).

use gatehouse_wire::sts;
use gatehouse_wire::AwsError;

use super::sessions::{self, Issued};
use crate::authz::Facts;
use crate::identity::Principal;
use crate::request::Ctx;
use crate::sessions::{SessionClaims, SessionKind, SessionTag, UserRef};
use crate::store::tags::Tag;

/// The IAM user behind the caller (none for root).
fn user_ref(ctx: &Ctx) -> Option<UserRef> {
    match &ctx.caller.principal {
        Principal::User { user_id, name, path } => {
            Some(UserRef { id: user_id.clone(), name: name.clone(), path: path.clone() })
        }
        _ => None,
    }
}

fn claims(ctx: &Ctx, kind: SessionKind, duration: i64) -> SessionClaims {
    SessionClaims {
        kind,
        access_key_id: String::new(),
        secret: String::new(),
        account_id: ctx.account().to_string(),
        issued_at: ctx.now,
        expires_at: ctx.now + duration * 1000,
        role: None,
        user: user_ref(ctx),
        session_name: String::new(),
        policy: None,
        policy_arns: Vec::new(),
        tags: Vec::new(),
        source_identity: None,
        chained: false,
        provider: None,
        mfa_at: None,
    }
}

/// GetSessionToken needs no permission (AWS: "you cannot use policies to control authentication operations").
/// With SerialNumber and TokenCode the code is checked against the caller's MFA device, and the session carries
/// `aws:MultiFactorAuthPresent` (and may then call IAM).
pub async fn get_session_token(ctx: &Ctx, req: &sts::GetSessionTokenRequest) -> Result<Issued, AwsError> {
    let mfa_at = sessions::checked_mfa(ctx, req.serial_number.as_deref(), req.token_code.as_ref()).await?;
    let duration = sessions::user_session_duration(req.duration_seconds, ctx.caller.is_root());
    let mut claims = claims(ctx, SessionKind::SessionToken, duration);
    claims.mfa_at = mfa_at;
    sessions::issue(&ctx.state, claims, req.minimum_session_token_size)
}

/// A federated user's session, issued.
#[derive(Debug)]
pub struct FederatedSession {
    pub issued: Issued,
    pub arn: String,
    /// `ACCOUNT:NAME`.
    pub federated_user_id: String,
    pub packed_policy_size: i32,
}

/// GetFederationToken: decided on `arn:aws:sts::ACCOUNT:federated-user/NAME` (with `sts:TagSession` too when tags
/// are passed); the session policies are checked in the caller's account.
pub async fn get_federation_token(
    ctx: &Ctx,
    req: &sts::GetFederationTokenRequest,
) -> Result<FederatedSession, AwsError> {
    let arn = crate::arn::federated_user(ctx.account(), &req.name);
    let tags = sessions::session_tags(req.tags.as_deref().unwrap_or_default(), &[], None)?;
    let request_tags: Vec<Tag> = tags.iter().map(SessionTag::tag).collect();
    let facts = Facts::new().request_tags(&request_tags);
    let proof = ctx.authorize_with("sts:GetFederationToken", &arn, &facts)?;
    if !tags.is_empty() {
        ctx.authorize_with("sts:TagSession", &arn, &facts)?;
    }
    let mut op = ctx.begin_read().await?;
    let (policy, policy_arns) = sessions::check_policies(
        op.conn(&proof),
        ctx.account(),
        req.policy.as_deref(),
        req.policy_arns.as_deref().unwrap_or_default(),
    )
    .await?;
    drop(op);
    let packed = sessions::packed_size(policy.as_deref(), &policy_arns, &tags)?;
    let duration = sessions::user_session_duration(req.duration_seconds, ctx.caller.is_root());
    let claims = SessionClaims {
        session_name: req.name.clone(),
        policy,
        policy_arns,
        tags,
        ..claims(ctx, SessionKind::Federated, duration)
    };
    let issued = sessions::issue(&ctx.state, claims, req.minimum_session_token_size)?;
    Ok(FederatedSession {
        issued,
        arn,
        federated_user_id: format!("{}:{}", ctx.account(), req.name),
        packed_policy_size: packed,
    })
}
