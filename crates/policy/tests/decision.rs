//! The decision flow, one case per rule of policy-semantics.md §4 and [EVAL], [BOUND], [SESS],
//! [XACCT], [NP], plus what the simulator reports (matched statements with positions, missing
//! context values, per-type details) and context-key listing.

// Test code: helpers outside #[test] functions may unwrap and panic too (clippy.toml only
// exempts the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_policy::*;

const ACCT: &str = "111111111111";
const OTHER: &str = "222222222222";
const USER: &str = "arn:aws:iam::111111111111:user/alice";
const ROLE: &str = "arn:aws:iam::111111111111:role/app";
const SESSION: &str = "arn:aws:sts::111111111111:assumed-role/app/s1";
const FED: &str = "arn:aws:sts::111111111111:federated-user/fred";
const BUCKET: &str = "arn:aws:s3:::bucket/key";

fn p(kind: PolicyKind, json: &str) -> CompiledPolicy {
    CompiledPolicy::compile(json, kind, "test").unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn stmt(kind: PolicyKind, statements: &str) -> CompiledPolicy {
    p(kind, &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#))
}

fn allow(action: &str) -> CompiledPolicy {
    stmt(PolicyKind::Identity, &format!(r#"{{"Effect":"Allow","Action":"{action}","Resource":"*"}}"#))
}

fn deny(action: &str) -> CompiledPolicy {
    stmt(PolicyKind::Identity, &format!(r#"{{"Effect":"Deny","Action":"{action}","Resource":"*"}}"#))
}

/// A resource policy granting `s3:GetObject` to `principal` (JSON).
fn grant(principal: &str) -> CompiledPolicy {
    stmt(
        PolicyKind::Resource,
        &format!(r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"*"}}"#),
    )
}

fn req<'a>(principal: Principal<'a>, action: &'a str, ctx: &'a RequestContext) -> Request<'a> {
    Request { principal, action, resource: BUCKET, resource_account: None, context: ctx }
}

fn user() -> Principal<'static> {
    Principal::user(ACCT, USER)
}

fn session() -> Principal<'static> {
    Principal::assumed_role(ACCT, SESSION, ROLE)
}

fn fed() -> Principal<'static> {
    Principal::federated_user(ACCT, FED, USER)
}

fn outcome(d: Decision<'_>) -> (EvalDecision, Option<PolicyType>) {
    (d.decision, d.policy_type)
}

use EvalDecision::{Allowed, ExplicitDeny, ImplicitDeny};
use PolicyType as T;

#[test]
fn identity_policies() {
    let ctx = RequestContext::new();
    let r = req(user(), "s3:GetObject", &ctx);
    let none: [&CompiledPolicy; 0] = [];
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&none))), (ImplicitDeny, Some(T::Identity)));
    let a = allow("s3:GetObject");
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&a]))), (Allowed, Some(T::Identity)));
    // Explicit deny wins, in whichever policy and order.
    let d = deny("s3:*");
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&d, &a]))), (ExplicitDeny, Some(T::Identity)));
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&a, &d]))), (ExplicitDeny, Some(T::Identity)));
    // Action names ignore case; `s3:*` is not `s3express:*`; no prefix matching.
    assert!(authorize(&req(user(), "S3:getobject", &ctx), &PolicySet::new(&[&a])).is_allowed());
    assert!(!authorize(&req(user(), "s3express:CreateSession", &ctx), &PolicySet::new(&[&allow("s3:*")])).is_allowed());
    assert!(!authorize(&req(user(), "s3:GetObjectAcl", &ctx), &PolicySet::new(&[&a])).is_allowed());
    assert!(authorize(&req(user(), "iam:CreateUser", &ctx), &PolicySet::new(&[&allow("*")])).is_allowed());
}

#[test]
fn not_action_and_not_resource() {
    let ctx = RequestContext::new();
    // Allow + NotAction grants everything else.
    let na = stmt(PolicyKind::Identity, r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#);
    assert!(authorize(&req(user(), "s3:GetObject", &ctx), &PolicySet::new(&[&na])).is_allowed());
    assert!(!authorize(&req(user(), "iam:CreateUser", &ctx), &PolicySet::new(&[&na])).is_allowed());
    // Deny + NotResource denies everything except the listed resources.
    let all = allow("s3:*");
    let nr = stmt(
        PolicyKind::Identity,
        r#"{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::bucket/key","arn:aws:s3:::bucket/pub/*"]}"#,
    );
    let set = [&all, &nr];
    let at = |resource| {
        authorize(&Request { resource, ..req(user(), "s3:GetObject", &ctx) }, &PolicySet::new(&set)).decision
    };
    assert_eq!(at(BUCKET), Allowed);
    assert_eq!(at("arn:aws:s3:::bucket/pub/a/b"), Allowed);
    assert_eq!(at("arn:aws:s3:::bucket/private"), ExplicitDeny);
    // Resources are case-sensitive; `?` is one character.
    let r = stmt(PolicyKind::Identity, r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/k?y"}"#);
    let at = |resource| {
        authorize(&Request { resource, ..req(user(), "s3:GetObject", &ctx) }, &PolicySet::new(&[&r])).decision
    };
    assert_eq!(at(BUCKET), Allowed);
    assert_eq!(at("arn:aws:s3:::bucket/KEY"), ImplicitDeny);
    assert_eq!(at("arn:aws:s3:::bucket/ky"), ImplicitDeny);
}

#[test]
fn resource_wildcards_follow_arn_segments() {
    let ctx = RequestContext::new();
    let at = |pattern: &str, resource| {
        let policy =
            stmt(PolicyKind::Identity, &format!(r#"{{"Effect":"Allow","Action":"*","Resource":"{pattern}"}}"#));
        let set = [&policy];
        authorize(&Request { resource, ..req(user(), "s3:GetObject", &ctx) }, &PolicySet::new(&set)).is_allowed()
    };
    // [RES]: `*` may cross `/` within a segment, and a `*` ending a segment may run on over
    // the colons; `*` inside a segment may not.
    assert!(at("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c"));
    assert!(at("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/3/object.jpg"));
    assert!(at("arn:aws:sqs:*", "arn:aws:sqs:us-east-1:111111111111:queue"));
    assert!(!at("arn:aws:sqs:*", "arn:aws:sns:us-east-1:111111111111:topic"));
    assert!(at("arn:aws:iam::111111111111:*", "arn:aws:iam::111111111111:user/alice"));
    assert!(!at("arn:aws:ec2:us-*-1:111111111111:instance/*", "arn:aws:ec2:us-east-2:111111111111:instance/i-1"));
    assert!(at("arn:aws:ec2:us-*-1:111111111111:instance/*", "arn:aws:ec2:us-east-1:111111111111:instance/i-1"));
    assert!(!at("arn:aws:ec2:us-east-?:111111111111:instance/*", "arn:aws:ec2:us-east-10:111111111111:instance/i-1"));
    assert!(at("arn:aws:lambda:*:*:function:app-*", "arn:aws:lambda:eu-west-1:1:function:app-x:live"));
    assert!(!at("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key"));
}

#[test]
fn resource_variables() {
    let home = stmt(
        PolicyKind::Identity,
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"}"#,
    );
    let alice = RequestContext::new().with("aws:username", ContextValue::string("alice"));
    let at = |ctx: &RequestContext, resource| {
        authorize(&Request { resource, ..req(user(), "s3:GetObject", ctx) }, &PolicySet::new(&[&home])).decision
    };
    assert_eq!(at(&alice, "arn:aws:s3:::bucket/home/alice/x"), Allowed);
    assert_eq!(at(&alice, "arn:aws:s3:::bucket/home/bob/x"), ImplicitDeny);
    // A role session has no aws:username: the entry matches nothing.
    assert_eq!(at(&RequestContext::new(), "arn:aws:s3:::bucket/home//x"), ImplicitDeny);
    // ... and under NotResource it excludes nothing.
    let deny_others = stmt(
        PolicyKind::Identity,
        r#"{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::bucket/home/${aws:username}/*"}"#,
    );
    let a = allow("s3:*");
    assert_eq!(
        authorize(
            &Request {
                resource: "arn:aws:s3:::bucket/home/x/y",
                ..req(user(), "s3:GetObject", &RequestContext::new())
            },
            &PolicySet::new(&[&a, &deny_others])
        )
        .decision,
        ExplicitDeny
    );
}

#[test]
fn permissions_boundary() {
    let ctx = RequestContext::new();
    let r = req(user(), "s3:GetObject", &ctx);
    let a = allow("s3:*");
    let b_other = allow("ec2:*");
    let b_s3 = allow("s3:GetObject");
    let none: [&CompiledPolicy; 0] = [];
    // Identity allows, boundary does not.
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&[&a]).with_boundary(&b_other))),
        (ImplicitDeny, Some(T::PermissionsBoundary))
    );
    // Both allow.
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&a]).with_boundary(&b_s3))), (Allowed, Some(T::Identity)));
    // A boundary grants nothing by itself.
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&none).with_boundary(&b_s3))), (ImplicitDeny, Some(T::Identity)));
    // An explicit deny in the boundary.
    let bd = deny("s3:GetObject");
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&[&a]).with_boundary(&bd))),
        (ExplicitDeny, Some(T::PermissionsBoundary))
    );
}

#[test]
fn session_policies() {
    let ctx = RequestContext::new();
    let a = allow("s3:*");
    let s_ec2 = allow("ec2:*");
    let s_s3 = allow("s3:GetObject");
    let rs = req(session(), "s3:GetObject", &ctx);
    // A role session without session policy keeps the role's permissions.
    assert_eq!(outcome(authorize(&rs, &PolicySet::new(&[&a]))), (Allowed, Some(T::Identity)));
    assert_eq!(
        outcome(authorize(&rs, &PolicySet::new(&[&a]).with_session(&[&s_ec2]))),
        (ImplicitDeny, Some(T::Session))
    );
    assert_eq!(outcome(authorize(&rs, &PolicySet::new(&[&a]).with_session(&[&s_s3]))), (Allowed, Some(T::Identity)));
    // A session policy grants nothing by itself.
    let none: [&CompiledPolicy; 0] = [];
    assert_eq!(
        outcome(authorize(&rs, &PolicySet::new(&none).with_session(&[&s_s3]))),
        (ImplicitDeny, Some(T::Identity))
    );
    // A federated user without a session policy is denied.
    let rf = req(fed(), "s3:GetObject", &ctx);
    assert_eq!(outcome(authorize(&rf, &PolicySet::new(&[&a]))), (ImplicitDeny, Some(T::Session)));
    assert_eq!(outcome(authorize(&rf, &PolicySet::new(&[&a]).with_session(&[&s_s3]))), (Allowed, Some(T::Identity)));
    // ... unless a resource policy names the federated user itself.
    let named = grant(&format!(r#"{{"AWS":"{FED}"}}"#));
    assert_eq!(outcome(authorize(&rf, &PolicySet::new(&none).with_resource(&named))), (Allowed, Some(T::Resource)));
    // Naming the IAM user behind the federated session is limited by the session policy.
    let via_user = grant(&format!(r#"{{"AWS":"{USER}"}}"#));
    assert_eq!(
        outcome(authorize(&rf, &PolicySet::new(&none).with_resource(&via_user))),
        (ImplicitDeny, Some(T::Session))
    );
    assert_eq!(
        outcome(authorize(&rf, &PolicySet::new(&none).with_resource(&via_user).with_session(&[&s_s3]))),
        (Allowed, Some(T::Resource))
    );
    // Explicit deny in a session policy.
    let sd = deny("s3:*");
    assert_eq!(outcome(authorize(&rs, &PolicySet::new(&[&a]).with_session(&[&sd]))), (ExplicitDeny, Some(T::Session)));
}

#[test]
fn resource_policy_same_account() {
    let ctx = RequestContext::new();
    let none: [&CompiledPolicy; 0] = [];
    let b_ec2 = allow("ec2:*");
    let s_ec2 = allow("ec2:*");
    // Naming the IAM user: not limited by identity or boundary implicit deny.
    let to_user = grant(&format!(r#"{{"AWS":"{USER}"}}"#));
    let r = req(user(), "s3:GetObject", &ctx);
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&none).with_resource(&to_user))), (Allowed, Some(T::Resource)));
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&none).with_resource(&to_user).with_boundary(&b_ec2))),
        (Allowed, Some(T::Resource))
    );
    // Naming the session: not limited by identity, boundary or session policy.
    let to_session = grant(&format!(r#"{{"AWS":"{SESSION}"}}"#));
    let s_ec2_set = [&s_ec2];
    let rs = req(session(), "s3:GetObject", &ctx);
    let set = PolicySet::new(&none).with_resource(&to_session).with_boundary(&b_ec2).with_session(&s_ec2_set);
    assert_eq!(outcome(authorize(&rs, &set)), (Allowed, Some(T::Resource)));
    // Naming the role: limited by the boundary and the session policy, not by identity.
    let to_role = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#));
    assert_eq!(outcome(authorize(&rs, &PolicySet::new(&none).with_resource(&to_role))), (Allowed, Some(T::Resource)));
    assert_eq!(
        outcome(authorize(&rs, &PolicySet::new(&none).with_resource(&to_role).with_boundary(&b_ec2))),
        (ImplicitDeny, Some(T::PermissionsBoundary))
    );
    assert_eq!(
        outcome(authorize(&rs, &PolicySet::new(&none).with_resource(&to_role).with_session(&[&s_ec2]))),
        (ImplicitDeny, Some(T::Session))
    );
    // Naming the account delegates: the identity policy must allow.
    for account in [format!(r#"{{"AWS":"{ACCT}"}}"#), format!(r#"{{"AWS":"arn:aws:iam::{ACCT}:root"}}"#)] {
        let to_account = grant(&account);
        assert_eq!(
            outcome(authorize(&r, &PolicySet::new(&none).with_resource(&to_account))),
            (ImplicitDeny, Some(T::Identity))
        );
        let a = allow("s3:GetObject");
        assert_eq!(
            outcome(authorize(&r, &PolicySet::new(&[&a]).with_resource(&to_account))),
            (Allowed, Some(T::Identity))
        );
    }
    // In the same account, an identity allow suffices without any resource grant.
    let a = allow("s3:GetObject");
    let unrelated = grant(r#"{"AWS":"arn:aws:iam::111111111111:user/bob"}"#);
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&a]).with_resource(&unrelated))), (Allowed, Some(T::Identity)));
    // An explicit deny in the resource policy beats an identity allow.
    let rdeny = stmt(PolicyKind::Resource, r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&a]).with_resource(&rdeny))), (ExplicitDeny, Some(T::Resource)));
    // A unique id names the user too (IAM shows one for a deleted and re-created user).
    let by_id = grant(r#"{"AWS":"AIDAEXAMPLE000000001"}"#);
    let r_id = req(user().with_unique_id("AIDAEXAMPLE000000001"), "s3:GetObject", &ctx);
    assert!(authorize(&r_id, &PolicySet::new(&none).with_resource(&by_id)).is_allowed());
}

#[test]
fn cross_account() {
    let ctx = RequestContext::new();
    let none: [&CompiledPolicy; 0] = [];
    let a = allow("s3:GetObject");
    let cross = |principal| Request { resource_account: Some(OTHER), ..req(principal, "s3:GetObject", &ctx) };
    // Identity allows, no resource policy: denied.
    assert_eq!(outcome(authorize(&cross(user()), &PolicySet::new(&[&a]))), (ImplicitDeny, Some(T::Resource)));
    // Resource policy allows, identity does not: denied, whoever it names.
    let to_user = grant(&format!(r#"{{"AWS":"{USER}"}}"#));
    assert_eq!(
        outcome(authorize(&cross(user()), &PolicySet::new(&none).with_resource(&to_user))),
        (ImplicitDeny, Some(T::Identity))
    );
    // Both: allowed.
    let to_account = grant(&format!(r#"{{"AWS":"{ACCT}"}}"#));
    assert_eq!(
        outcome(authorize(&cross(user()), &PolicySet::new(&[&a]).with_resource(&to_account))),
        (Allowed, Some(T::Identity))
    );
    // The boundary still applies on the caller's side.
    let b = allow("ec2:*");
    assert_eq!(
        outcome(authorize(&cross(user()), &PolicySet::new(&[&a]).with_resource(&to_account).with_boundary(&b))),
        (ImplicitDeny, Some(T::PermissionsBoundary))
    );
    // A grant to another account does not cover this caller.
    let to_other = grant(&format!(r#"{{"AWS":"{OTHER}"}}"#));
    assert_eq!(
        outcome(authorize(&cross(user()), &PolicySet::new(&[&a]).with_resource(&to_other))),
        (ImplicitDeny, Some(T::Resource))
    );
}

#[test]
fn trust_policies() {
    let ctx = RequestContext::new();
    let none: [&CompiledPolicy; 0] = [];
    let trust = |principal: &str| {
        p(
            PolicyKind::Trust,
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
            ),
        )
    };
    let assume = |principal| Request { resource: ROLE, ..req(principal, "sts:AssumeRole", &ctx) };
    let a = allow("sts:AssumeRole");
    // Naming the user: no identity permission needed in the same account.
    let t_user = trust(&format!(r#"{{"AWS":"{USER}"}}"#));
    assert_eq!(
        outcome(authorize(&assume(user()), &PolicySet::new(&none).with_resource(&t_user))),
        (Allowed, Some(T::Resource))
    );
    // Naming the account: the identity policy must allow sts:AssumeRole.
    let t_acct = trust(&format!(r#"{{"AWS":"arn:aws:iam::{ACCT}:root"}}"#));
    assert_eq!(
        outcome(authorize(&assume(user()), &PolicySet::new(&none).with_resource(&t_acct))),
        (ImplicitDeny, Some(T::Identity))
    );
    assert_eq!(
        outcome(authorize(&assume(user()), &PolicySet::new(&[&a]).with_resource(&t_acct))),
        (Allowed, Some(T::Identity))
    );
    // The trust policy must always allow: an identity allow is not enough.
    let t_svc = trust(r#"{"Service":"ec2.amazonaws.com"}"#);
    assert_eq!(
        outcome(authorize(&assume(user()), &PolicySet::new(&[&a]).with_resource(&t_svc))),
        (ImplicitDeny, Some(T::Resource))
    );
    // Services and web identities are named directly.
    assert!(authorize(&assume(Principal::service("EC2.amazonaws.com")), &PolicySet::new(&none).with_resource(&t_svc))
        .is_allowed());
    let t_oidc = p(
        PolicyKind::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}"#,
    );
    let ctx_aud = RequestContext::new()
        .with("token.actions.githubusercontent.com:aud", ContextValue::string("sts.amazonaws.com"));
    let web = Request {
        resource: ROLE,
        ..req(Principal::web_identity("token.actions.githubusercontent.com"), "sts:AssumeRoleWithWebIdentity", &ctx_aud)
    };
    assert!(authorize(&web, &PolicySet::new(&none).with_resource(&t_oidc)).is_allowed());
    let web_wrong = Request { context: &ctx, ..web };
    assert!(!authorize(&web_wrong, &PolicySet::new(&none).with_resource(&t_oidc)).is_allowed());
    // Cross-account role assumption needs both sides.
    let t_other = trust(&format!(r#"{{"AWS":"{ACCT}"}}"#));
    let x = Request { resource: "arn:aws:iam::222222222222:role/r", resource_account: Some(OTHER), ..assume(user()) };
    assert_eq!(
        outcome(authorize(&x, &PolicySet::new(&none).with_resource(&t_other))),
        (ImplicitDeny, Some(T::Identity))
    );
    assert_eq!(outcome(authorize(&x, &PolicySet::new(&[&a]).with_resource(&t_other))), (Allowed, Some(T::Identity)));
}

#[test]
fn root_user() {
    let ctx = RequestContext::new();
    let none: [&CompiledPolicy; 0] = [];
    let root = Principal::root(ACCT, "arn:aws:iam::111111111111:root");
    let r = req(root, "s3:GetObject", &ctx);
    // Allowed in its own account with no policy at all; identity policies do not apply.
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&none))), (Allowed, None));
    let d = deny("*");
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&[&d]))), (Allowed, None));
    // SCPs bind the root user.
    let scp_deny = deny("s3:*");
    let full = allow("*");
    let levels: [&[&CompiledPolicy]; 1] = [&[&full, &scp_deny]];
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&none).with_service_control(&levels))),
        (ExplicitDeny, Some(T::ServiceControl))
    );
    let ec2_only = allow("ec2:*");
    let levels: [&[&CompiledPolicy]; 1] = [&[&ec2_only]];
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&none).with_service_control(&levels))),
        (ImplicitDeny, Some(T::ServiceControl))
    );
    // So does an explicit deny in a resource policy.
    let rdeny = stmt(PolicyKind::Resource, r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(outcome(authorize(&r, &PolicySet::new(&none).with_resource(&rdeny))), (ExplicitDeny, Some(T::Resource)));
    // Another account's resource needs a grant naming it.
    let cross = Request { resource_account: Some(OTHER), ..r };
    assert_eq!(outcome(authorize(&cross, &PolicySet::new(&none))), (ImplicitDeny, Some(T::Resource)));
    let to_acct = grant(&format!(r#"{{"AWS":"{ACCT}"}}"#));
    assert_eq!(
        outcome(authorize(&cross, &PolicySet::new(&none).with_resource(&to_acct))),
        (Allowed, Some(T::Resource))
    );
}

#[test]
fn organization_guardrails() {
    let ctx = RequestContext::new();
    let r = req(user(), "s3:GetObject", &ctx);
    let a = allow("s3:*");
    let full = allow("*");
    let s3 = allow("s3:*");
    let ec2 = allow("ec2:*");
    // Every level needs an allow of its own.
    let ok: [&[&CompiledPolicy]; 2] = [&[&full], &[&s3]];
    assert!(authorize(&r, &PolicySet::new(&[&a]).with_service_control(&ok)).is_allowed());
    let gap: [&[&CompiledPolicy]; 2] = [&[&full], &[&ec2]];
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&[&a]).with_service_control(&gap))),
        (ImplicitDeny, Some(T::ServiceControl))
    );
    // An SCP allow grants nothing by itself.
    let none: [&CompiledPolicy; 0] = [];
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&none).with_service_control(&ok))),
        (ImplicitDeny, Some(T::Identity))
    );
    // Resource control policies: Principal "*", deny binds everyone including same-account callers.
    let rcp_deny = stmt(
        PolicyKind::ResourceControl,
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}"#,
    );
    let rcp_full =
        stmt(PolicyKind::ResourceControl, r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#);
    let levels: [&[&CompiledPolicy]; 1] = [&[&rcp_full, &rcp_deny]];
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&[&a]).with_resource_control(&levels))),
        (ExplicitDeny, Some(T::ResourceControl))
    );
    let https = RequestContext::new().with("aws:SecureTransport", ContextValue::bool(true));
    assert!(authorize(&req(user(), "s3:GetObject", &https), &PolicySet::new(&[&a]).with_resource_control(&levels))
        .is_allowed());
    let only_ec2 =
        stmt(PolicyKind::ResourceControl, r#"{"Effect":"Allow","Principal":"*","Action":"ec2:*","Resource":"*"}"#);
    let levels: [&[&CompiledPolicy]; 1] = [&[&only_ec2]];
    assert_eq!(
        outcome(authorize(&r, &PolicySet::new(&[&a]).with_resource_control(&levels))),
        (ImplicitDeny, Some(T::ResourceControl))
    );
}

#[test]
fn not_principal() {
    let ctx = RequestContext::new();
    let a = allow("s3:*");
    let deny_all_but = |listed: &str| {
        stmt(
            PolicyKind::Resource,
            &format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}},{{"Effect":"Deny","NotPrincipal":{{"AWS":[{listed}]}},"Action":"s3:*","Resource":"*"}}"#
            ),
        )
    };
    let rs = req(session(), "s3:GetObject", &ctx);
    // Listing only the role does not exempt its sessions.
    let only_role = deny_all_but(&format!(r#""{ROLE}""#));
    assert_eq!(authorize(&rs, &PolicySet::new(&[&a]).with_resource(&only_role)).decision, ExplicitDeny);
    // Account, role and session together do.
    let all_three = deny_all_but(&format!(r#""{ACCT}","{ROLE}","{SESSION}""#));
    assert_eq!(authorize(&rs, &PolicySet::new(&[&a]).with_resource(&all_three)).decision, Allowed);
    // Other callers are denied.
    assert_eq!(
        authorize(&req(user(), "s3:GetObject", &ctx), &PolicySet::new(&[&a]).with_resource(&all_three)).decision,
        ExplicitDeny
    );
    // A caller with a permissions boundary is always denied by Deny + NotPrincipal [BOUND].
    let b = allow("s3:*");
    assert_eq!(
        authorize(&rs, &PolicySet::new(&[&a]).with_resource(&all_three).with_boundary(&b)).decision,
        ExplicitDeny
    );
    // A user is exempt when its account and ARN are listed.
    let user_listed = deny_all_but(&format!(r#""arn:aws:iam::{ACCT}:root","{USER}""#));
    assert_eq!(
        authorize(&req(user(), "s3:GetObject", &ctx), &PolicySet::new(&[&a]).with_resource(&user_listed)).decision,
        Allowed
    );
}

#[test]
fn anonymous_and_public_grants() {
    let ctx = RequestContext::new();
    let none: [&CompiledPolicy; 0] = [];
    let public = grant(r#""*""#);
    let anon = req(Principal::anonymous(), "s3:GetObject", &ctx);
    assert_eq!(outcome(authorize(&anon, &PolicySet::new(&none).with_resource(&public))), (Allowed, Some(T::Resource)));
    assert_eq!(outcome(authorize(&anon, &PolicySet::new(&none))), (ImplicitDeny, Some(T::Resource)));
    let aws_star = grant(r#"{"AWS":"*"}"#);
    assert!(authorize(&anon, &PolicySet::new(&none).with_resource(&aws_star)).is_allowed());
    // A same-account user needs no identity policy for a public grant.
    assert!(authorize(&req(user(), "s3:GetObject", &ctx), &PolicySet::new(&none).with_resource(&public)).is_allowed());
    // A wildcard is read cautiously for sessions: the session policy still applies.
    let s_ec2 = allow("ec2:*");
    let rs = req(session(), "s3:GetObject", &ctx);
    assert_eq!(
        outcome(authorize(&rs, &PolicySet::new(&none).with_resource(&public).with_session(&[&s_ec2]))),
        (ImplicitDeny, Some(T::Session))
    );
}

#[test]
fn get_caller_identity_always_succeeds() {
    let ctx = RequestContext::new();
    let d = deny("*");
    let r = req(user(), "sts:GetCallerIdentity", &ctx);
    assert!(authorize(&r, &PolicySet::new(&[&d])).is_allowed());
    // The simulator still reports what the policies say.
    assert_eq!(explain(&r, &PolicySet::new(&[&d])).decision.decision, ExplicitDeny);
}

#[test]
fn access_denied_phrases() {
    let ctx = RequestContext::new();
    let r = req(user(), "s3:GetObject", &ctx);
    let none: [&CompiledPolicy; 0] = [];
    assert_eq!(
        authorize(&r, &PolicySet::new(&none)).reason("s3:GetObject").as_deref(),
        Some("because no identity-based policy allows the s3:GetObject action")
    );
    let a = allow("s3:*");
    let b = allow("ec2:*");
    assert_eq!(
        authorize(&r, &PolicySet::new(&[&a]).with_boundary(&b)).reason("s3:GetObject").as_deref(),
        Some("because no permissions boundary allows the s3:GetObject action")
    );
    assert_eq!(
        authorize(&req(session(), "s3:GetObject", &ctx), &PolicySet::new(&[&a]).with_session(&[&b]))
            .reason("s3:GetObject")
            .as_deref(),
        Some("because no session policy allows the s3:GetObject action")
    );
    let rdeny = stmt(PolicyKind::Resource, r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        authorize(&r, &PolicySet::new(&[&a]).with_resource(&rdeny)).reason("s3:GetObject").as_deref(),
        Some("with an explicit deny in a resource-based policy")
    );
    let idd = deny("s3:*");
    assert_eq!(
        authorize(&r, &PolicySet::new(&[&idd])).reason("s3:GetObject").as_deref(),
        Some("with an explicit deny in an identity-based policy")
    );
    let levels: [&[&CompiledPolicy]; 1] = [&[&idd]];
    assert_eq!(
        authorize(&r, &PolicySet::new(&[&a]).with_service_control(&levels)).reason("s3:GetObject").as_deref(),
        Some("with an explicit deny in a service control policy")
    );
    assert_eq!(authorize(&r, &PolicySet::new(&[&a])).reason("s3:GetObject"), None);
}

#[test]
fn deciding_statement_and_positions() {
    // The AWS CLI example for simulate-custom-policy: StartPosition 1:38, EndPosition 1:167.
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;
    let policy = CompiledPolicy::compile(doc, PolicyKind::Identity, "PolicyInputList.1").unwrap();
    let one = [&policy];
    let later = RequestContext::new()
        .with("aws:CurrentTime", ContextValue::parse(ContextKeyType::Date, "2019-04-25T11:00:00Z").unwrap());
    let r = Request { resource: "*", ..req(user(), "dynamodb:CreateBackup", &later) };
    let e = explain(&r, &PolicySet::new(&one));
    assert_eq!(e.decision.decision, Allowed);
    assert_eq!(e.matched_statements.len(), 1);
    let m = e.matched_statements[0];
    assert_eq!((m.statement.policy_id(), m.policy_type), ("PolicyInputList.1", T::Identity));
    assert_eq!(
        (m.statement.start(), m.statement.end()),
        (Position { line: 1, column: 38 }, Position { line: 1, column: 167 })
    );
    assert!(e.missing_context_keys.is_empty());
    // Example 2: an earlier date, implicit deny, no matched statements.
    let earlier = RequestContext::new()
        .with("aws:CurrentTime", ContextValue::parse(ContextKeyType::Date, "2014-04-25T11:00:00Z").unwrap());
    let e = explain(&Request { context: &earlier, ..r }, &PolicySet::new(&one));
    assert_eq!(e.decision.decision, ImplicitDeny);
    assert!(e.matched_statements.is_empty());
    // No time at all: the key is reported missing.
    let empty = RequestContext::new();
    let e = explain(&Request { context: &empty, ..r }, &PolicySet::new(&one));
    assert_eq!(e.missing_context_keys, vec!["aws:CurrentTime".to_owned()]);

    // LocalStack's recorded SimulatePrincipalPolicy answer: json.dumps spacing, 1:41 to 1:113.
    let dumped = r#"{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}"#;
    let policy2 = CompiledPolicy::compile(dumped, PolicyKind::Identity, "p").unwrap();
    let two = [&policy2];
    let d = authorize(&req(user(), "s3:PutObject", &empty), &PolicySet::new(&two));
    let s = d.statement.unwrap();
    assert_eq!(
        (s.start(), s.end(), s.index(), s.sid()),
        (Position { line: 1, column: 41 }, Position { line: 1, column: 113 }, 0, Some(""))
    );

    // Multi-line documents report lines.
    let multi = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"},\n    {\n      \"Sid\": \"Two\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
    let policy3 = CompiledPolicy::compile(multi, PolicyKind::Identity, "m").unwrap();
    let three = [&policy3];
    let d = authorize(&req(user(), "s3:GetObject", &empty), &PolicySet::new(&three));
    let s = d.statement.unwrap();
    assert_eq!(
        (s.index(), s.effect(), s.start(), s.end()),
        (0, Effect::Deny, Position { line: 4, column: 6 }, Position { line: 4, column: 55 })
    );
}

#[test]
fn explanation_details() {
    let ctx = RequestContext::new();
    let a1 = stmt(
        PolicyKind::Identity,
        r#"{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"B","Effect":"Allow","Action":"s3:Get*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},{"Sid":"C","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#,
    );
    let b = allow("s3:GetObject");
    let r = req(user(), "s3:GetObject", &ctx);
    let a1s = [&a1];
    let e = explain(&r, &PolicySet::new(&a1s).with_boundary(&b));
    assert_eq!(e.decision.decision, Allowed);
    let sids: Vec<_> = e.matched_statements.iter().map(|m| (m.statement.sid(), m.policy_type)).collect();
    assert_eq!(sids, vec![(Some("A"), T::Identity), (Some("C"), T::Identity), (None, T::PermissionsBoundary)]);
    assert_eq!(e.missing_context_keys, vec!["aws:MultiFactorAuthPresent".to_owned()]);
    assert_eq!(e.allowed_by_permissions_boundary(), Some(true));
    assert_eq!(e.allowed_by_organizations(), None);
    assert_eq!(e.types.identity, Some(Allowed));
    assert_eq!(e.types.resource, None);
    // Explicit deny lists the denying statements.
    let d = deny("s3:Get*");
    let a1d = [&a1, &d];
    let e = explain(&r, &PolicySet::new(&a1d));
    assert_eq!(e.decision.decision, ExplicitDeny);
    assert_eq!(e.matched_statements.len(), 1);
    assert_eq!(e.matched_statements[0].statement.effect(), Effect::Deny);
    let full = allow("*");
    let levels: [&[&CompiledPolicy]; 1] = [&[&full]];
    let e = explain(&r, &PolicySet::new(&a1s).with_service_control(&levels));
    assert_eq!(e.allowed_by_organizations(), Some(true));
    // Variables without a value are missing context values too.
    let home = stmt(
        PolicyKind::Identity,
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${aws:username}/*"}"#,
    );
    let homes = [&home];
    let e = explain(&Request { resource: "arn:aws:s3:::bucket/x/y", ..r }, &PolicySet::new(&homes));
    assert_eq!(e.missing_context_keys, vec!["aws:username".to_owned()]);
}

#[test]
fn context_key_listing() {
    // The AWS CLI example for get-context-keys-for-custom-policy.
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}"#;
    let policy = CompiledPolicy::compile(doc, PolicyKind::Identity, "p").unwrap();
    assert_eq!(context_keys([&policy]), vec!["aws:username", "aws:CurrentTime"]);
    // Across policies, each key once whatever its case, in order of appearance.
    let other = stmt(
        PolicyKind::Identity,
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"AWS:USERNAME":"x","s3:prefix":"${aws:PrincipalTag/team, 'x'}"},"Bool":{"aws:SecureTransport":"true"}}}"#,
    );
    assert_eq!(
        context_keys([&policy, &other]),
        vec!["aws:username", "aws:CurrentTime", "s3:prefix", "aws:PrincipalTag/team", "aws:SecureTransport"]
    );
    // Version 2008-10-17: no variables.
    let old = p(
        PolicyKind::Resource,
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}"#,
    );
    assert!(old.context_keys().is_empty());
}

#[test]
fn shared_policies_through_arc() {
    use std::sync::Arc;
    let ctx = RequestContext::new();
    let policies: Vec<Arc<CompiledPolicy>> = vec![Arc::new(allow("s3:*")), Arc::new(deny("s3:DeleteObject"))];
    let set = PolicySet::new(&policies);
    assert!(authorize(&req(user(), "s3:GetObject", &ctx), &set).is_allowed());
    assert_eq!(authorize(&req(user(), "s3:DeleteObject", &ctx), &set).decision, ExplicitDeny);
    fn send_sync<T: Send + Sync>() {}
    send_sync::<CompiledPolicy>();
    send_sync::<RequestContext>();
}
