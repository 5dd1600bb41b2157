//! Enforcement, tried as a new user would: identity policies (inline, attached, through groups), boundaries,
//! policy variables and conditions decide every request through `aws-sdk-iam`, with AWS's AccessDenied forms, and
//! a change is enforced on the very next request.

use crate::both_stores;
use crate::harness::{aws_err, Backend, TestServer};

both_stores!(
    a_user_with_only_list_users,
    self_service_keys_with_the_username_variable,
    a_group_deny_beats_a_managed_allow,
    a_boundary_caps_an_admin_policy,
    conditions_on_tags_decide,
    conditions_on_source_ip_and_time_decide,
    action_condition_keys_decide,
    changes_are_enforced_on_the_next_request,
    audit_mode_decides_but_lets_denials_through,
    behind_a_trusted_proxy_the_forwarded_client_decides
);

const ALICE: &str = "arn:aws:iam::000000000000:user/alice";

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn statement_policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

async fn put_user_policy(s: &TestServer, user: &str, name: &str, document: &str) {
    s.root_iam().put_user_policy().user_name(user).policy_name(name).policy_document(document).send().await.unwrap();
}

/// The message of an implicit deny by identity-based policies.
fn no_allow(action: &str, resource: &str) -> String {
    format!(
        "User: {ALICE} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"
    )
}

async fn a_user_with_only_list_users(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    s.root_iam().create_user().user_name("bob").send().await.unwrap();
    put_user_policy(&s, "alice", "list", &allow("iam:ListUsers", "*")).await;
    let iam = s.iam(&alice);

    let users = iam.list_users().send().await.unwrap();
    let names: Vec<&str> = users.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(names, ["alice", "bob"]);

    let e = aws_err(iam.get_user().user_name("bob").send().await);
    assert_eq!((e.code.as_str(), e.status), ("AccessDenied", 403));
    assert_eq!(e.message, no_allow("iam:GetUser", "arn:aws:iam::000000000000:user/bob"));
    let e = aws_err(iam.create_user().user_name("carol").send().await);
    assert_eq!(e.message, no_allow("iam:CreateUser", "arn:aws:iam::000000000000:user/carol"));
    let e = aws_err(iam.list_roles().send().await);
    assert_eq!(e.message, no_allow("iam:ListRoles", "arn:aws:iam::000000000000:role/"));
    let e = aws_err(iam.get_account_summary().send().await);
    assert_eq!(e.message, no_allow("iam:GetAccountSummary", "*"));
    // Its own name is no permission either: GetUser without a name is decided on the caller.
    let e = aws_err(iam.get_user().send().await);
    assert_eq!(e.message, no_allow("iam:GetUser", ALICE));
    s.stop().await;
}

async fn self_service_keys_with_the_username_variable(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    s.root_iam().create_user().user_name("bob").send().await.unwrap();
    let own_keys = allow("iam:*AccessKey*", "arn:aws:iam::*:user/${aws:username}");
    s.root_iam().create_group().group_name("self-service").send().await.unwrap();
    s.root_iam()
        .put_group_policy()
        .group_name("self-service")
        .policy_name("own-keys")
        .policy_document(&own_keys)
        .send()
        .await
        .unwrap();
    s.root_iam().add_user_to_group().group_name("self-service").user_name("alice").send().await.unwrap();
    let iam = s.iam(&alice);

    let created = iam.create_access_key().user_name("alice").send().await.unwrap();
    let second = created.access_key().unwrap().access_key_id().to_string();
    let listed = iam.list_access_keys().send().await.unwrap();
    assert_eq!(listed.access_key_metadata().len(), 2);
    iam.update_access_key()
        .access_key_id(&second)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    iam.delete_access_key().access_key_id(&second).send().await.unwrap();

    let bob = "arn:aws:iam::000000000000:user/bob";
    let e = aws_err(iam.create_access_key().user_name("bob").send().await);
    assert_eq!(e.message, no_allow("iam:CreateAccessKey", bob));
    let e = aws_err(iam.list_access_keys().user_name("bob").send().await);
    assert_eq!(e.message, no_allow("iam:ListAccessKeys", bob));
    s.stop().await;
}

async fn a_group_deny_beats_a_managed_allow(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let root = s.root_iam();
    let policy = root.create_policy().policy_name("everything-iam").policy_document(allow("iam:*", "*")).send().await;
    let arn = policy.unwrap().policy().unwrap().arn().unwrap().to_string();
    root.attach_user_policy().user_name("alice").policy_arn(&arn).send().await.unwrap();
    let iam = s.iam(&alice);
    iam.list_users().send().await.unwrap();

    root.create_group().group_name("no-listing").send().await.unwrap();
    let deny = statement_policy(r#"{"Effect":"Deny","Action":"iam:List*","Resource":"*"}"#);
    root.put_group_policy().group_name("no-listing").policy_name("deny").policy_document(deny).send().await.unwrap();
    root.add_user_to_group().group_name("no-listing").user_name("alice").send().await.unwrap();

    let e = aws_err(iam.list_users().send().await);
    assert_eq!((e.code.as_str(), e.status), ("AccessDenied", 403));
    assert_eq!(
        e.message,
        format!(
            "User: {ALICE} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::000000000000:user/ with an explicit deny in an identity-based policy"
        )
    );
    // What the deny does not name stays allowed.
    iam.get_user().user_name("alice").send().await.unwrap();
    s.stop().await;
}

async fn a_boundary_caps_an_admin_policy(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let root = s.root_iam();
    root.attach_user_policy()
        .user_name("alice")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let iam = s.iam(&alice);
    iam.create_user().user_name("made-by-alice").send().await.unwrap();

    let read_only = statement_policy(r#"{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}"#);
    let b = root.create_policy().policy_name("read-only-boundary").policy_document(read_only).send().await.unwrap();
    let boundary = b.policy().unwrap().arn().unwrap().to_string();
    root.put_user_permissions_boundary().user_name("alice").permissions_boundary(&boundary).send().await.unwrap();

    iam.list_users().send().await.unwrap();
    let e = aws_err(iam.create_user().user_name("another").send().await);
    assert_eq!(
        e.message,
        format!(
            "User: {ALICE} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/another because no permissions boundary allows the iam:CreateUser action"
        )
    );
    // A deny in the boundary is an explicit deny in a permissions boundary.
    let deny_delete = statement_policy(
        r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}"#,
    );
    root.create_policy_version()
        .policy_arn(&boundary)
        .policy_document(deny_delete)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let e = aws_err(iam.delete_user().user_name("made-by-alice").send().await);
    assert_eq!(
        e.message,
        format!(
            "User: {ALICE} is not authorized to perform: iam:DeleteUser on resource: arn:aws:iam::000000000000:user/made-by-alice with an explicit deny in a permissions boundary"
        )
    );
    iam.create_user().user_name("another").send().await.unwrap();
    s.stop().await;
}

async fn conditions_on_tags_decide(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let root = s.root_iam();
    let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap();
    root.tag_user().user_name("alice").tags(tag("team", "blue")).send().await.unwrap();
    root.create_user().user_name("blue-bob").tags(tag("Team", "blue")).send().await.unwrap();
    root.create_user().user_name("red-rita").tags(tag("team", "red")).send().await.unwrap();
    // Same team as the caller: resource tags against principal tags, keys without regard to case.
    let same_team = statement_policy(
        r#"{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
           {"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
           {"Effect":"Allow","Action":"iam:UntagUser","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["note"]}}}"#,
    );
    put_user_policy(&s, "alice", "team", &same_team).await;
    let iam = s.iam(&alice);

    iam.get_user().user_name("blue-bob").send().await.unwrap();
    let e = aws_err(iam.get_user().user_name("red-rita").send().await);
    assert_eq!(e.message, no_allow("iam:GetUser", "arn:aws:iam::000000000000:user/red-rita"));

    iam.create_user().user_name("new-blue").tags(tag("team", "blue")).send().await.unwrap();
    let e = aws_err(iam.create_user().user_name("new-red").tags(tag("team", "red")).send().await);
    assert_eq!(e.message, no_allow("iam:CreateUser", "arn:aws:iam::000000000000:user/new-red"));
    // A create without tags has no aws:RequestTag/team for StringEquals to match.
    let e = aws_err(iam.create_user().user_name("untagged").send().await);
    assert_eq!(e.code, "AccessDenied");
    let e = aws_err(iam.create_user().user_name("extra").tags(tag("team", "blue")).tags(tag("cost", "1")).send().await);
    assert_eq!(e.code, "AccessDenied");

    iam.untag_user().user_name("blue-bob").tag_keys("note").send().await.unwrap();
    let e = aws_err(iam.untag_user().user_name("blue-bob").tag_keys("Team").send().await);
    assert_eq!(e.message, no_allow("iam:UntagUser", "arn:aws:iam::000000000000:user/blue-bob"));
    s.stop().await;
}

async fn conditions_on_source_ip_and_time_decide(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let policy = statement_policy(
        r#"{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
           {"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
           {"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}},
           {"Effect":"Allow","Action":"iam:ListPolicies","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}},
           {"Effect":"Deny","Action":"iam:ListInstanceProfiles","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
           {"Effect":"Allow","Action":"iam:ListInstanceProfiles","Resource":"*"}"#,
    );
    put_user_policy(&s, "alice", "where-and-when", &policy).await;
    let iam = s.iam(&alice);
    iam.list_users().send().await.unwrap();
    assert_eq!(aws_err(iam.list_groups().send().await).code, "AccessDenied");
    iam.list_roles().send().await.unwrap();
    assert_eq!(aws_err(iam.list_policies().send().await).code, "AccessDenied");
    // Plain HTTP: aws:SecureTransport is false.
    let e = aws_err(iam.list_instance_profiles().send().await);
    assert!(e.message.ends_with(" with an explicit deny in an identity-based policy"), "{}", e.message);
    s.stop().await;
}

async fn action_condition_keys_decide(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let root = s.root_iam();
    root.create_user().user_name("bob").send().await.unwrap();
    let read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let policy = statement_policy(&format!(
        r#"{{"Effect":"Allow","Action":["iam:AttachUserPolicy","iam:DetachUserPolicy"],"Resource":"*","Condition":{{"ArnEquals":{{"iam:PolicyARN":"{read_only}"}}}}}},
           {{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{{"StringEquals":{{"iam:PermissionsBoundary":"{read_only}"}}}}}}"#
    ));
    put_user_policy(&s, "alice", "delegate", &policy).await;
    let iam = s.iam(&alice);

    iam.attach_user_policy().user_name("bob").policy_arn(read_only).send().await.unwrap();
    iam.detach_user_policy().user_name("bob").policy_arn(read_only).send().await.unwrap();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let e = aws_err(iam.attach_user_policy().user_name("bob").policy_arn(admin).send().await);
    assert_eq!(e.message, no_allow("iam:AttachUserPolicy", "arn:aws:iam::000000000000:user/bob"));

    iam.create_user().user_name("bounded").permissions_boundary(read_only).send().await.unwrap();
    let e = aws_err(iam.create_user().user_name("unbounded").send().await);
    assert_eq!(e.message, no_allow("iam:CreateUser", "arn:aws:iam::000000000000:user/unbounded"));
    s.stop().await;
}

async fn changes_are_enforced_on_the_next_request(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let root = s.root_iam();
    let iam = s.iam(&alice);
    for round in 0..5 {
        put_user_policy(&s, "alice", "list", &allow("iam:ListUsers", "*")).await;
        assert!(iam.list_users().send().await.is_ok(), "round {round}: allowed after the put");
        root.delete_user_policy().user_name("alice").policy_name("list").send().await.unwrap();
        assert_eq!(aws_err(iam.list_users().send().await).code, "AccessDenied", "round {round}: after the delete");
        // Through a group, and taken away by leaving it.
        root.create_group().group_name(format!("g{round}")).send().await.unwrap();
        root.put_group_policy()
            .group_name(format!("g{round}"))
            .policy_name("list")
            .policy_document(allow("iam:ListUsers", "*"))
            .send()
            .await
            .unwrap();
        root.add_user_to_group().group_name(format!("g{round}")).user_name("alice").send().await.unwrap();
        assert!(iam.list_users().send().await.is_ok(), "round {round}: allowed through the group");
        root.remove_user_from_group().group_name(format!("g{round}")).user_name("alice").send().await.unwrap();
        assert_eq!(aws_err(iam.list_users().send().await).code, "AccessDenied", "round {round}: after leaving");
    }
    // A deactivated key stops working on the next request.
    root.update_access_key()
        .user_name("alice")
        .access_key_id(&alice.id)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    assert_eq!(aws_err(iam.list_users().send().await).code, "InvalidClientTokenId");
    s.stop().await;
}

async fn audit_mode_decides_but_lets_denials_through(backend: Backend) {
    let s = TestServer::start_args(backend, |a| a.enforcement = gatehouse::config::Enforcement::Audit).await;
    let alice = s.user_with_key("alice").await;
    let iam = s.iam(&alice);
    // No policy allows it, yet it is answered (and logged as a would-be denial).
    iam.list_users().send().await.unwrap();
    let deny = statement_policy(r#"{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}"#);
    put_user_policy(&s, "alice", "deny", &deny).await;
    iam.create_user().user_name("made-in-audit").send().await.unwrap();
    // Authentication is never audited: a bad signature is still refused.
    let forged = crate::harness::Creds::new(alice.id.clone(), "not-the-secret");
    assert_eq!(aws_err(s.iam(&forged).list_users().send().await).code, "SignatureDoesNotMatch");
    s.stop().await;
}

/// Behind a trusted proxy, aws:SourceIp and aws:SecureTransport come from its forwarded headers; from anyone else
/// those headers are ignored (a client cannot choose its own source address).
async fn behind_a_trusted_proxy_the_forwarded_client_decides(backend: Backend) {
    use crate::auth::{now, send_raw, signed_post};
    let proxied = |trust: bool| {
        move |a: &mut gatehouse::config::ServeArgs| {
            if trust {
                a.trusted_proxies = gatehouse::origin::TrustedProxies::parse("127.0.0.1").unwrap();
            }
        }
    };
    for trusted in [true, false] {
        let s = TestServer::start_args(backend, proxied(trusted)).await;
        let alice = s.user_with_key("alice").await;
        let office_over_tls = statement_policy(
            r#"{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:SecureTransport":"true"}}}"#,
        );
        put_user_policy(&s, "alice", "office", &office_over_tls).await;
        let ep = s.endpoint();
        let host = ep.trim_start_matches("http://").to_string();
        let body = "Action=ListUsers&Version=2010-05-08";
        let mut headers = signed_post(&host, &alice, "iam", body, now());
        headers.push(("x-forwarded-for".into(), "198.51.100.7, 203.0.113.9".into()));
        headers.push(("x-forwarded-proto".into(), "https".into()));
        let r = send_raw(&ep, "POST", "/", &headers, body.as_bytes()).await;
        assert_eq!(r.status, if trusted { 200 } else { 403 }, "trusted proxy: {trusted}: {}", r.body);
        s.stop().await;
    }
}
