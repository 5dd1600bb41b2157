//! AssumeRole through aws-sdk-sts, and the session credentials it returns used through aws-sdk-iam: trust policies
//! (principal forms, conditions), identity-side permission, cross-account roles, durations and chaining, session
//! policies, session tags and source identity, expiry, tampered tokens, presigned requests, revocation by
//! aws:TokenIssueTime, and a role deleted under its sessions.

// PackedPolicySize is deprecated in the model (for SessionTokenUtilization), but AWS still returns it.
#![allow(deprecated)]

use std::sync::Arc;

use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use gatehouse::clock::ManualClock;
use gatehouse::secret::Secret;

use crate::auth::{now, send_raw};
use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(
    a_user_assumes_a_role_and_acts_as_it,
    the_trust_policy_decides,
    trust_conditions_decide,
    roles_of_another_account,
    session_policies_limit_the_session,
    durations_chaining_and_expiry,
    session_tags,
    source_identity,
    tampered_and_foreign_tokens_are_refused,
    presigned_requests_carry_the_token,
    sessions_are_revoked_by_token_issue_time,
    a_deleted_role_leaves_its_sessions_nothing
);

const ACCOUNT: &str = "000000000000";

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn trust_statements(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

fn denied(who: &str, action: &str, resource: &str) -> AwsErr {
    AwsErr {
        code: "AccessDenied".into(),
        message: format!("User: {who} is not authorized to perform: {action} on resource: {resource}"),
        status: 403,
    }
}

fn invalid(code: &str, message: &str) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status: 400 }
}

async fn role(s: &TestServer, name: &str, trust_policy: &str, policy: Option<&str>) {
    let iam = s.root_iam();
    iam.create_role().role_name(name).assume_role_policy_document(trust_policy).send().await.unwrap();
    if let Some(p) = policy {
        iam.put_role_policy().role_name(name).policy_name("p").policy_document(p).send().await.unwrap();
    }
}

async fn user_allowed_to_assume(s: &TestServer, name: &str) -> Creds {
    let creds = s.user_with_key(name).await;
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*",
        "Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}"#;
    s.root_iam().put_user_policy().user_name(name).policy_name("assume").policy_document(p).send().await.unwrap();
    creds
}

async fn assume(s: &TestServer, caller: &Creds, role: &str, session: &str) -> Creds {
    let out = s.sts(caller).assume_role().role_arn(role).role_session_name(session).send().await.unwrap();
    Creds::from_sts(out.credentials().unwrap())
}

async fn a_user_assumes_a_role_and_acts_as_it(backend: Backend) {
    let s = TestServer::start(backend).await;
    role(&s, "deployer", &trust(r#"{"AWS":"arn:aws:iam::000000000000:root"}"#), Some(&allow("iam:ListUsers", "*")))
        .await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let before = now();
    let out = s.sts(&alice).assume_role().role_arn(role_arn("deployer")).role_session_name("build-1").send().await;
    let out = out.unwrap();
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA") && c.access_key_id().len() == 20, "{}", c.access_key_id());
    assert_eq!(c.secret_access_key().len(), 40);
    assert!(!c.session_token().is_empty());
    let expires = c.expiration().secs();
    assert!((before + 3600..=before + 3602).contains(&expires), "{expires} vs {before}");
    let user = out.assumed_role_user().unwrap();
    assert_eq!(user.arn(), "arn:aws:sts::000000000000:assumed-role/deployer/build-1");
    let role_id = s.root_iam().get_role().role_name("deployer").send().await.unwrap().role.unwrap().role_id;
    assert_eq!(user.assumed_role_id(), format!("{role_id}:build-1"));
    assert_eq!(out.packed_policy_size(), None);
    assert!(out.session_token_size().unwrap() > 0 && out.session_token_utilization().unwrap() <= 100);

    let session = Creds::from_sts(c);
    let who = s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:sts::000000000000:assumed-role/deployer/build-1"));
    assert_eq!(who.user_id(), Some(format!("{role_id}:build-1").as_str()));
    assert_eq!(who.account(), Some(ACCOUNT));

    let iam = s.iam(&session);
    assert_eq!(iam.list_users().send().await.unwrap().users().len(), 1);
    let e = aws_err(iam.create_user().user_name("mallory").send().await);
    let me = "arn:aws:sts::000000000000:assumed-role/deployer/build-1";
    let target = "arn:aws:iam::000000000000:user/mallory";
    assert_eq!(
        e.message,
        format!("User: {me} is not authorized to perform: iam:CreateUser on resource: {target} because no identity-based policy allows the iam:CreateUser action")
    );
    let e = aws_err(iam.get_user().send().await);
    assert_eq!(e, invalid("ValidationError", "Must specify userName when calling with non-User credentials"));

    // The role's last use is recorded, in the region STS was called in.
    let got = s.root_iam().get_role().role_name("deployer").send().await.unwrap().role.unwrap();
    let used = got.role_last_used().unwrap();
    assert_eq!(used.region(), Some("eu-west-1"));
    assert!(used.last_used_date().is_some_and(|d| d.secs() >= before));
    s.stop().await;
}

async fn the_trust_policy_decides(backend: Backend) {
    let s = TestServer::start(backend).await;
    let bob_arn = "arn:aws:iam::000000000000:user/bob";
    // A role trusting bob by name; bob has no policy of his own.
    let bob = s.user_with_key("bob").await;
    role(&s, "bobs", &trust(&format!(r#"{{"AWS":"{bob_arn}"}}"#)), None).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    assume(&s, &bob, &role_arn("bobs"), "ss").await;

    // Alice may assume any role as far as her own policies go; the trust policy does not name her.
    let alice_arn = "arn:aws:iam::000000000000:user/alice";
    let e = aws_err(s.sts(&alice).assume_role().role_arn(role_arn("bobs")).role_session_name("ss").send().await);
    assert_eq!(e, denied(alice_arn, "sts:AssumeRole", &role_arn("bobs")));
    // A role that does not exist is refused in the same words.
    let e = aws_err(s.sts(&alice).assume_role().role_arn(role_arn("nobody")).role_session_name("ss").send().await);
    assert_eq!(e, denied(alice_arn, "sts:AssumeRole", &role_arn("nobody")));

    // Trusting the account delegates to the caller's policies: carol has none.
    role(&s, "any-in-account", &trust(r#"{"AWS":"000000000000"}"#), None).await;
    assume(&s, &alice, &role_arn("any-in-account"), "ss").await;
    let carol = s.user_with_key("carol").await;
    let e =
        aws_err(s.sts(&carol).assume_role().role_arn(role_arn("any-in-account")).role_session_name("ss").send().await);
    assert_eq!(e, denied("arn:aws:iam::000000000000:user/carol", "sts:AssumeRole", &role_arn("any-in-account")));

    // An explicit deny in the caller's policies wins even over a trust policy that names the caller.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    s.root_iam().put_user_policy().user_name("bob").policy_name("no").policy_document(deny).send().await.unwrap();
    let e = aws_err(s.sts(&bob).assume_role().role_arn(role_arn("bobs")).role_session_name("ss").send().await);
    assert_eq!(e, denied(bob_arn, "sts:AssumeRole", &role_arn("bobs")));

    // Role sessions may assume roles that trust them (role chaining), by the role's ARN or the session's.
    let chained = trust(r#"{"AWS":"arn:aws:sts::000000000000:assumed-role/any-in-account/hop"}"#);
    role(&s, "second-hop", &chained, None).await;
    let hop = assume(&s, &alice, &role_arn("any-in-account"), "hop").await;
    assume(&s, &hop, &role_arn("second-hop"), "s2").await;
    let other = assume(&s, &alice, &role_arn("any-in-account"), "other").await;
    let e = aws_err(s.sts(&other).assume_role().role_arn(role_arn("second-hop")).role_session_name("ss").send().await);
    let other_arn = "arn:aws:sts::000000000000:assumed-role/any-in-account/other";
    assert_eq!(e, denied(other_arn, "sts:AssumeRole", &role_arn("second-hop")));

    // The root user cannot assume roles at all.
    let e =
        aws_err(s.sts(&s.root).assume_role().role_arn(role_arn("any-in-account")).role_session_name("ss").send().await);
    let message = "Roles may not be assumed by root accounts.".to_string();
    assert_eq!(e, AwsErr { code: "AccessDenied".into(), message, status: 403 });

    // What is not an ARN is AWS's ValidationError; a session name outside the model's pattern too.
    let e = aws_err(s.sts(&alice).assume_role().role_arn("nothing-valid-in-here").role_session_name("ss").send().await);
    assert_eq!(e, invalid("ValidationError", "nothing-valid-in-here is invalid"));
    let e = aws_err(s.sts(&alice).assume_role().role_arn("arn:a:a::aaaaaaaaaa:").role_session_name("ss").send().await);
    assert_eq!(e, invalid("ValidationError", "arn:a:a::aaaaaaaaaa: is invalid"));
    let e =
        aws_err(s.sts(&alice).assume_role().role_arn(role_arn("bobs")).role_session_name("Session1:2").send().await);
    assert_eq!(
        e,
        invalid("ValidationError", "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    );
    s.stop().await;
}

async fn trust_conditions_decide(backend: Backend) {
    let s = TestServer::start(backend).await;
    let statements = r#"{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole",
        "Condition":{"StringEquals":{"sts:ExternalId":"s3cret","aws:PrincipalTag/team":"blue"},
                     "StringLike":{"sts:RoleSessionName":"ci-*"}}}"#;
    role(&s, "partner", &trust_statements(statements), None).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let alice_arn = "arn:aws:iam::000000000000:user/alice";
    let try_assume = |external: Option<&str>, session: &str| {
        let mut r = s.sts(&alice).assume_role().role_arn(role_arn("partner")).role_session_name(session);
        if let Some(x) = external {
            r = r.external_id(x);
        }
        r.send()
    };
    let refused = denied(alice_arn, "sts:AssumeRole", &role_arn("partner"));
    // Untagged: refused whatever else is right.
    assert_eq!(aws_err(try_assume(Some("s3cret"), "ci-1").await), refused);
    let tag = aws_sdk_iam::types::Tag::builder().key("team").value("blue").build().unwrap();
    s.root_iam().tag_user().user_name("alice").tags(tag).send().await.unwrap();
    assert_eq!(aws_err(try_assume(None, "ci-1").await), refused);
    assert_eq!(aws_err(try_assume(Some("wrong"), "ci-1").await), refused);
    assert_eq!(aws_err(try_assume(Some("s3cret"), "laptop").await), refused);
    try_assume(Some("s3cret"), "ci-1").await.unwrap();

    // aws:PrincipalArn names the caller's identity (for a session, its role).
    let by_arn = r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
        "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/hop*"}}}"#;
    role(&s, "for-hops", &trust_statements(by_arn), None).await;
    role(&s, "hop-a", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("sts:AssumeRole", "*"))).await;
    let e = aws_err(s.sts(&alice).assume_role().role_arn(role_arn("for-hops")).role_session_name("xx").send().await);
    assert_eq!(e, denied(alice_arn, "sts:AssumeRole", &role_arn("for-hops")));
    let hop = assume(&s, &alice, &role_arn("hop-a"), "xx").await;
    assume(&s, &hop, &role_arn("for-hops"), "yy").await;
    s.stop().await;
}

async fn roles_of_another_account(backend: Backend) {
    const OTHER: &str = "111111111111";
    let extra = format!("{OTHER}=AKIAGATEHOUSEOTHER01:other/account/root/secret/for/tests/0001");
    let s = TestServer::start_args(backend, |a| a.extra_accounts = Some(Secret::new(extra))).await;
    let other_root = Creds::new("AKIAGATEHOUSEOTHER01", "other/account/root/secret/for/tests/0001");
    let alice = s.user_with_key("alice").await;
    let other_iam = s.iam(&other_root);
    let cross = format!("arn:aws:iam::{OTHER}:role/cross");
    other_iam
        .create_role()
        .role_name("cross")
        .assume_role_policy_document(trust(r#"{"AWS":"arn:aws:iam::000000000000:user/alice"}"#))
        .send()
        .await
        .unwrap();
    let p = allow("iam:ListRoles", "*");
    other_iam.put_role_policy().role_name("cross").policy_name("p").policy_document(p).send().await.unwrap();

    // Across accounts the caller's own account must allow as well, even when the trust policy names the caller.
    let e = aws_err(s.sts(&alice).assume_role().role_arn(&cross).role_session_name("xx").send().await);
    assert_eq!(e, denied("arn:aws:iam::000000000000:user/alice", "sts:AssumeRole", &cross));
    let p = allow("sts:AssumeRole", &cross);
    s.root_iam().put_user_policy().user_name("alice").policy_name("a").policy_document(p).send().await.unwrap();
    let session = assume(&s, &alice, &cross, "xx").await;
    let who = s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.account(), Some(OTHER));
    assert_eq!(who.arn(), Some("arn:aws:sts::111111111111:assumed-role/cross/xx"));
    let roles = s.iam(&session).list_roles().send().await.unwrap();
    assert_eq!(roles.roles().iter().map(|r| r.arn()).collect::<Vec<_>>(), [cross.as_str()]);
    // Bob, trusted by nobody there, is refused even with his account's permission.
    let bob = user_allowed_to_assume(&s, "bob").await;
    let e = aws_err(s.sts(&bob).assume_role().role_arn(&cross).role_session_name("xx").send().await);
    assert_eq!(e, denied("arn:aws:iam::000000000000:user/bob", "sts:AssumeRole", &cross));
    s.stop().await;
}

async fn session_policies_limit_the_session(backend: Backend) {
    let s = TestServer::start(backend).await;
    role(&s, "reader", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("iam:List*", "*"))).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let only_users = allow("iam:ListUsers", "*");
    let out = s
        .sts(&alice)
        .assume_role()
        .role_arn(role_arn("reader"))
        .role_session_name("narrow")
        .policy(&only_users)
        .send()
        .await
        .unwrap();
    let packed = out.packed_policy_size().unwrap();
    assert!((1..=100).contains(&packed), "{packed}");
    let narrow = Creds::from_sts(out.credentials().unwrap());
    let iam = s.iam(&narrow);
    iam.list_users().send().await.unwrap();
    let e = aws_err(iam.list_roles().send().await);
    assert_eq!(
        e.message,
        "User: arn:aws:sts::000000000000:assumed-role/reader/narrow is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::000000000000:role/ because no session policy allows the iam:ListRoles action"
    );
    // A session policy grants nothing the role lacks.
    let everything = allow("iam:*", "*");
    let wide = s
        .sts(&alice)
        .assume_role()
        .role_arn(role_arn("reader"))
        .role_session_name("wide")
        .policy(&everything)
        .send()
        .await
        .unwrap();
    let e = aws_err(s.iam(&Creds::from_sts(wide.credentials().unwrap())).create_user().user_name("x").send().await);
    assert!(e.message.ends_with("because no identity-based policy allows the iam:CreateUser action"), "{}", e.message);

    // Managed session policies: AWS's and the account's own.
    let managed = PolicyDescriptorType::builder().arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess").build();
    let out = s
        .sts(&alice)
        .assume_role()
        .role_arn(role_arn("reader"))
        .role_session_name("managed")
        .policy_arns(managed)
        .send()
        .await
        .unwrap();
    s.iam(&Creds::from_sts(out.credentials().unwrap())).list_groups().send().await.unwrap();
    let missing = PolicyDescriptorType::builder().arn("arn:aws:iam::000000000000:policy/nope").build();
    let e = aws_err(
        s.sts(&alice)
            .assume_role()
            .role_arn(role_arn("reader"))
            .role_session_name("mm")
            .policy_arns(missing)
            .send()
            .await,
    );
    assert_eq!(
        e,
        invalid(
            "InvalidParameterValue",
            "Policy arn:aws:iam::000000000000:policy/nope does not exist or is not attachable."
        )
    );
    let e = aws_err(
        s.sts(&alice).assume_role().role_arn(role_arn("reader")).role_session_name("mm").policy("{nope").send().await,
    );
    assert_eq!((e.code.as_str(), e.status), ("MalformedPolicyDocument", 400));
    s.stop().await;
}

async fn durations_chaining_and_expiry(backend: Backend) {
    let clock = Arc::new(ManualClock::new(now() * 1000));
    let s = TestServer::start_with(backend, clock.clone()).await;
    let iam = s.root_iam();
    iam.create_role()
        .role_name("long")
        .assume_role_policy_document(trust(r#"{"AWS":"000000000000"}"#))
        .max_session_duration(7200)
        .send()
        .await
        .unwrap();
    iam.put_role_policy().role_name("long").policy_name("p").policy_document(allow("*", "*")).send().await.unwrap();
    let alice = user_allowed_to_assume(&s, "alice").await;
    let sts = s.sts(&alice);
    let go =
        |secs: i32| sts.assume_role().role_arn(role_arn("long")).role_session_name("dd").duration_seconds(secs).send();
    let out = go(7200).await.unwrap();
    assert_eq!(out.credentials().unwrap().expiration().secs(), clock_secs(&clock) + 7200);
    let e = aws_err(go(7201).await);
    assert_eq!(
        e,
        invalid("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    );
    let e = aws_err(go(899).await);
    assert_eq!((e.code.as_str(), e.status), ("ValidationError", 400));

    // A session assuming a role (chaining) gets at most an hour. The server's clock is set back (within the
    // signatures' 15 minutes) so that the 900-second session can expire while the client's clock signs.
    clock.set((now() - 890) * 1000);
    let session = Creds::from_sts(go(900).await.unwrap().credentials().unwrap());
    let chain = s.sts(&session);
    let e = aws_err(
        chain.assume_role().role_arn(role_arn("long")).role_session_name("cc").duration_seconds(3601).send().await,
    );
    assert_eq!(
        e,
        invalid(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    );
    chain.assume_role().role_arn(role_arn("long")).role_session_name("cc").duration_seconds(3600).send().await.unwrap();

    // The 900-second session expires: ExpiredToken, on every use.
    s.iam(&session).list_users().send().await.unwrap();
    clock.set((now() + 11) * 1000);
    let e = aws_err(s.iam(&session).list_users().send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "ExpiredToken".into(),
            message: "The security token included in the request is expired".into(),
            status: 403
        }
    );
    s.stop().await;
}

fn clock_secs(c: &ManualClock) -> i64 {
    use gatehouse::clock::Clock as _;
    c.now_millis() / 1000
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

async fn session_tags(backend: Backend) {
    let s = TestServer::start(backend).await;
    let by_team = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
        "Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
        {"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}"#;
    let tagging = trust_statements(
        r#"{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":["sts:AssumeRole","sts:TagSession"]}"#,
    );
    role(&s, "tagged", &tagging, Some(by_team)).await;
    role(&s, "untagging", &trust(r#"{"AWS":"000000000000"}"#), Some(by_team)).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let alice_arn = "arn:aws:iam::000000000000:user/alice";
    let sts = s.sts(&alice);

    // Without sts:TagSession in the trust policy, tags are refused.
    let e = aws_err(
        sts.assume_role()
            .role_arn(role_arn("untagging"))
            .role_session_name("tt")
            .tags(tag("team", "blue"))
            .send()
            .await,
    );
    assert_eq!(e, denied(alice_arn, "sts:TagSession", &role_arn("untagging")));

    let out = sts
        .assume_role()
        .role_arn(role_arn("tagged"))
        .role_session_name("tt")
        .tags(tag("team", "blue"))
        .tags(tag("project", "x"))
        .transitive_tag_keys("project")
        .send()
        .await
        .unwrap();
    assert!(out.packed_policy_size().is_some());
    let tagged = Creds::from_sts(out.credentials().unwrap());
    s.iam(&tagged).list_users().send().await.unwrap();
    let plain = assume(&s, &alice, &role_arn("tagged"), "pp").await;
    let e = aws_err(s.iam(&plain).list_users().send().await);
    assert_eq!(e.code, "AccessDenied");

    // AWS's rules for the tags themselves.
    let e = aws_err(
        sts.assume_role()
            .role_arn(role_arn("tagged"))
            .role_session_name("tt")
            .tags(tag("SessionTag1", "a"))
            .tags(tag("sessiontag1", "b"))
            .send()
            .await,
    );
    assert_eq!(
        e,
        invalid("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    );
    let e = aws_err(
        sts.assume_role()
            .role_arn(role_arn("tagged"))
            .role_session_name("tt")
            .tags(tag("a", "b"))
            .transitive_tag_keys("InvalidKey")
            .send()
            .await,
    );
    assert_eq!(
        e,
        invalid("InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.")
    );
    // A transitive tag is carried into the next session, which may not set it again.
    let e = aws_err(
        s.sts(&tagged)
            .assume_role()
            .role_arn(role_arn("tagged"))
            .role_session_name("nn")
            .tags(tag("PROJECT", "y"))
            .send()
            .await,
    );
    assert_eq!(
        e,
        invalid("InvalidParameterValue", "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
    );
    // The carried tag needs sts:TagSession in the next role's trust policy too.
    let e = aws_err(s.sts(&tagged).assume_role().role_arn(role_arn("untagging")).role_session_name("nn").send().await);
    assert_eq!(e, denied("arn:aws:sts::000000000000:assumed-role/tagged/tt", "sts:TagSession", &role_arn("untagging")));
    let next = assume(&s, &tagged, &role_arn("tagged"), "nn").await;
    // The carried tag is there (project), the other one is not (team): the role's policy no longer allows.
    let e = aws_err(s.iam(&next).list_users().send().await);
    assert_eq!(e.code, "AccessDenied");
    s.stop().await;
}

async fn source_identity(backend: Backend) {
    let s = TestServer::start(backend).await;
    let with_si = trust_statements(
        r#"{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],
            "Condition":{"StringLike":{"sts:SourceIdentity":"alice*"}}}"#,
    );
    role(&s, "audited", &with_si, Some(&allow("sts:*", "*"))).await;
    role(&s, "plain", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("sts:*", "*"))).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let alice_arn = "arn:aws:iam::000000000000:user/alice";
    let sts = s.sts(&alice);
    let e = aws_err(
        sts.assume_role().role_arn(role_arn("plain")).role_session_name("ss").source_identity("alice").send().await,
    );
    assert_eq!(e, denied(alice_arn, "sts:SetSourceIdentity", &role_arn("plain")));
    let e = aws_err(
        sts.assume_role().role_arn(role_arn("audited")).role_session_name("ss").source_identity("bob").send().await,
    );
    assert_eq!(e, denied(alice_arn, "sts:AssumeRole", &role_arn("audited")));
    let out = sts
        .assume_role()
        .role_arn(role_arn("audited"))
        .role_session_name("ss")
        .source_identity("alice@corp")
        .send()
        .await
        .unwrap();
    assert_eq!(out.source_identity(), Some("alice@corp"));
    let session = Creds::from_sts(out.credentials().unwrap());
    // It persists through the chain: the next role must allow sts:SetSourceIdentity, and it cannot change.
    let e = aws_err(s.sts(&session).assume_role().role_arn(role_arn("plain")).role_session_name("nn").send().await);
    assert_eq!(
        e,
        denied("arn:aws:sts::000000000000:assumed-role/audited/ss", "sts:SetSourceIdentity", &role_arn("plain"))
    );
    let e = aws_err(
        s.sts(&session)
            .assume_role()
            .role_arn(role_arn("audited"))
            .role_session_name("nn")
            .source_identity("alice2")
            .send()
            .await,
    );
    assert_eq!((e.code.as_str(), e.status), ("InvalidParameterValue", 400));
    let next =
        s.sts(&session).assume_role().role_arn(role_arn("audited")).role_session_name("nn").send().await.unwrap();
    assert_eq!(next.source_identity(), Some("alice@corp"));
    s.stop().await;
}

async fn tampered_and_foreign_tokens_are_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    role(&s, "r", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("iam:ListUsers", "*"))).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let a = assume(&s, &alice, &role_arn("r"), "aa").await;
    let b = assume(&s, &alice, &role_arn("r"), "bb").await;
    s.iam(&a).list_users().send().await.unwrap();
    let invalid_token = AwsErr {
        code: "InvalidClientTokenId".into(),
        message: "The security token included in the request is invalid.".into(),
        status: 403,
    };
    let token = a.token.clone().unwrap();
    let mut chars: Vec<char> = token.chars().collect();
    for i in [0, 10, chars.len() / 2, chars.len() - 3] {
        let original = chars[i];
        chars[i] = if original == 'A' { 'B' } else { 'A' };
        let altered = Creds { token: Some(chars.iter().collect()), ..a.clone() };
        assert_eq!(aws_err(s.iam(&altered).list_users().send().await), invalid_token, "position {i}");
        chars[i] = original;
    }
    // One session's token with another's key, or with a long-term key: no credential.
    let swapped = Creds { token: b.token.clone(), ..a.clone() };
    assert_eq!(aws_err(s.iam(&swapped).list_users().send().await), invalid_token);
    let with_long_term = Creds { token: a.token.clone(), ..alice.clone() };
    assert_eq!(aws_err(s.iam(&with_long_term).list_users().send().await), invalid_token);
    let without_token = Creds { token: None, ..a.clone() };
    assert_eq!(aws_err(s.iam(&without_token).list_users().send().await), invalid_token);
    // The wrong secret with the right token: the signature does not match.
    let wrong_secret = Creds { secret: b.secret.clone(), ..a.clone() };
    assert_eq!(aws_err(s.iam(&wrong_secret).list_users().send().await).code, "SignatureDoesNotMatch");
    // Still fine after all that (the cache never kept a bad token).
    s.iam(&a).list_users().send().await.unwrap();
    s.stop().await;
}

async fn presigned_requests_carry_the_token(backend: Backend) {
    let s = TestServer::start(backend).await;
    role(&s, "r", &trust(r#"{"AWS":"000000000000"}"#), None).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let session = assume(&s, &alice, &role_arn("r"), "presigned").await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let date = gatehouse_wire::Timestamp(now()).to_amz_date();
    let day = &date[..8];
    let enc = |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    let cred = enc(&format!("{}/{day}/us-east-1/sts/aws4_request", session.id));
    let token = enc(session.token.as_deref().unwrap());
    let base = format!(
        "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={cred}&X-Amz-Date={date}&X-Amz-Expires=300&X-Amz-Security-Token={token}&X-Amz-SignedHeaders=host"
    );
    let headers = [("host".to_string(), host)];
    let placeholder = format!("{base}&X-Amz-Signature={}", "0".repeat(64));
    let refs: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let req = gatehouse_sigv4::Request::new("GET", "/", &placeholder, &refs, b"");
    let auth = gatehouse_sigv4::parse(&req).unwrap();
    let key = auth.signing_key(&session.secret);
    let sig = gatehouse_sigv4::signature(&auth, &req, &key, gatehouse_sigv4::QueryToken::Signed);
    let r = send_raw(&ep, "GET", &format!("/?{base}&X-Amz-Signature={sig}"), &headers, b"").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<Arn>arn:aws:sts::000000000000:assumed-role/r/presigned</Arn>"), "{}", r.body);
    s.stop().await;
}

async fn sessions_are_revoked_by_token_issue_time(backend: Backend) {
    let clock = Arc::new(ManualClock::new(now() * 1000));
    let s = TestServer::start_with(backend, clock.clone()).await;
    role(&s, "r", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("iam:ListUsers", "*"))).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let old = assume(&s, &alice, &role_arn("r"), "old").await;
    s.iam(&old).list_users().send().await.unwrap();
    clock.advance(10_000);
    // What the console's "Revoke active sessions" attaches: deny everything to tokens issued before now.
    let cutoff = gatehouse_wire::Timestamp(clock_secs(&clock) - 1).to_iso8601();
    let revoke = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"DateLessThan":{{"aws:TokenIssueTime":"{cutoff}"}}}}}}]}}"#
    );
    let iam = s.root_iam();
    iam.put_role_policy()
        .role_name("r")
        .policy_name("AWSRevokeOlderSessions")
        .policy_document(revoke)
        .send()
        .await
        .unwrap();
    let e = aws_err(s.iam(&old).list_users().send().await);
    assert!(e.message.ends_with("with an explicit deny in an identity-based policy"), "{}", e.message);
    let fresh = assume(&s, &alice, &role_arn("r"), "fresh").await;
    s.iam(&fresh).list_users().send().await.unwrap();
    s.stop().await;
}

async fn a_deleted_role_leaves_its_sessions_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    role(&s, "temp", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("iam:ListUsers", "*"))).await;
    let alice = user_allowed_to_assume(&s, "alice").await;
    let session = assume(&s, &alice, &role_arn("temp"), "ss").await;
    s.iam(&session).list_users().send().await.unwrap();
    let iam = s.root_iam();
    iam.delete_role_policy().role_name("temp").policy_name("p").send().await.unwrap();
    iam.delete_role().role_name("temp").send().await.unwrap();
    // A new role of the same name and policy is another role: the old session does not become it.
    role(&s, "temp", &trust(r#"{"AWS":"000000000000"}"#), Some(&allow("iam:ListUsers", "*"))).await;
    let e = aws_err(s.iam(&session).list_users().send().await);
    assert_eq!(e.code, "AccessDenied");
    s.stop().await;
}
