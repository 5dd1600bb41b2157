//! The request context's global keys: what the server knows about every request, whatever the action
//! (AWS's global condition context keys, reference_policies_condition-keys). Keys that do not apply are absent,
//! as in AWS: `aws:username` for callers that are not IAM users, `aws:SourceIp` when the address is unknown,
//! `aws:MultiFactorAuthPresent` for long-term access keys (AWS omits it for them: a policy that must see MFA
//! tests it with `BoolIfExists` or `Null`; temporary credentials carry it, `false` unless made with MFA),
//! `aws:TokenIssueTime` and `aws:SourceIdentity` for long-term keys.

use std::net::IpAddr;
use std::sync::Arc;

use gatehouse_policy::{ContextValue, RequestContext, Timestamp};

use crate::identity::{Caller, Principal};
use crate::store::tags::Tag;

/// Where the request came from and how, as far as the server can tell.
#[derive(Debug, Clone, Copy, Default)]
pub struct Transport<'a> {
    pub source_ip: Option<IpAddr>,
    pub secure: bool,
    pub user_agent: Option<&'a str>,
}

/// The keys of `caller` itself, the same for every request it makes while its account does not change: made once
/// per principal cache entry and shared by its requests as their context's parent.
pub fn principal_keys(caller: &Caller, tags: &[Tag]) -> RequestContext {
    let mut ctx = RequestContext::new();
    ctx.insert("aws:PrincipalAccount", ContextValue::string(&caller.account_id));
    ctx.insert("aws:PrincipalArn", ContextValue::arn(caller.principal_arn()));
    ctx.insert("aws:userid", ContextValue::string(caller.user_id()));
    let kind = match &caller.principal {
        Principal::Root => "Account",
        Principal::User { name, .. } => {
            ctx.insert("aws:username", ContextValue::string(name));
            "User"
        }
        Principal::AssumedRole { .. } => "AssumedRole",
        Principal::FederatedUser { .. } => "FederatedUser",
        Principal::Anonymous => "Anonymous",
    };
    if let Some(s) = &caller.session {
        ctx.insert("aws:TokenIssueTime", ContextValue::date(timestamp(s.issued_at)));
        ctx.insert("aws:MultiFactorAuthPresent", ContextValue::bool(s.mfa_at.is_some()));
        if let Some(p) = &s.provider {
            ctx.insert("aws:FederatedProvider", ContextValue::string(p));
        }
        if let Some(si) = &s.source_identity {
            ctx.insert("aws:SourceIdentity", ContextValue::string(si));
        }
    }
    ctx.insert("aws:PrincipalType", ContextValue::string(kind));
    for t in tags {
        ctx.insert(&format!("aws:PrincipalTag/{}", t.key), ContextValue::string(&t.value));
    }
    // Requests to Gatehouse come from the caller itself, never from a service acting for it.
    ctx.insert("aws:PrincipalIsAWSService", ContextValue::bool(false));
    ctx.insert("aws:ViaAWSService", ContextValue::bool(false));
    ctx
}

/// The global keys of one request, over its principal's keys: made at `now_ms`, signed for `region`, to `service`
/// (`iam`, `sts`).
pub fn request_keys(
    principal: Arc<RequestContext>,
    now_ms: i64,
    service: &str,
    region: &str,
    transport: Transport<'_>,
) -> RequestContext {
    let mut ctx = RequestContext::layered(principal).with_time(timestamp(now_ms));
    // IAM is a global service: AWS decides its requests with the region it runs in, us-east-1, whatever the
    // signature's region. STS is regional: the region signed for.
    let requested = if service == "iam" { "us-east-1" } else { region };
    ctx.insert("aws:RequestedRegion", ContextValue::string(requested));
    ctx.insert("aws:SecureTransport", ContextValue::bool(transport.secure));
    if let Some(ip) = transport.source_ip {
        ctx.insert("aws:SourceIp", ContextValue::ip(ip));
    }
    if let Some(ua) = transport.user_agent {
        ctx.insert("aws:UserAgent", ContextValue::string(ua));
    }
    ctx
}

/// `aws:MultiFactorAuthAge` of a session made with MFA at `mfa_at`: whole seconds since, at `now_ms`.
pub fn add_mfa_age(ctx: &mut RequestContext, mfa_at: i64, now_ms: i64) {
    ctx.insert("aws:MultiFactorAuthAge", ContextValue::number(((now_ms - mfa_at).max(0) / 1000) as f64));
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_unix(ms.div_euclid(1000), (ms.rem_euclid(1000) * 1_000_000) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_keys() {
        let alice = Caller::long_term(
            "123456789012",
            Principal::User { user_id: "AIDA1".into(), name: "alice".into(), path: "/dev/".into() },
            "AKIA",
        );
        let tags = [Tag { key: "Team".into(), value: "blue".into() }];
        let t =
            Transport { source_ip: Some("10.1.2.3".parse().unwrap()), secure: false, user_agent: Some("aws-cli/2") };
        let ctx = request_keys(Arc::new(principal_keys(&alice, &tags)), 1_700_000_000_500, "iam", "eu-west-1", t);
        let get = |k: &str| ctx.get(k).map(|(v, _)| v[0].text().to_string());
        assert_eq!(get("aws:username").as_deref(), Some("alice"));
        assert_eq!(get("aws:PrincipalArn").as_deref(), Some("arn:aws:iam::123456789012:user/dev/alice"));
        assert_eq!(get("aws:PrincipalTag/team").as_deref(), Some("blue"));
        assert_eq!(get("aws:RequestedRegion").as_deref(), Some("us-east-1"));
        assert_eq!(get("aws:SourceIp").as_deref(), Some("10.1.2.3"));
        assert_eq!(get("aws:SecureTransport").as_deref(), Some("false"));
        assert_eq!(get("aws:EpochTime").as_deref(), Some("1700000000"));
        assert!(ctx.get("aws:MultiFactorAuthPresent").is_none());
    }
}
