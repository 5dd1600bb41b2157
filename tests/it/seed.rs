//! `gatehouse seed` (`gatehouse::seed::seed`, what the command runs): seeded users, roles and policies answer
//! through aws-sdk-iam exactly as ones created through the API do, and seeding refuses what it must.

use aws_sdk_iam::types::{PolicyScopeType, SummaryKeyType as K, Tag};
use gatehouse::ids::OsRandom;
use gatehouse::seed::{self, Plan, SeedError, Seeded};

use crate::both_stores;
use crate::harness::{aws_err, Backend, TestServer};

both_stores!(seeded_entities_answer_like_created_ones, seeding_refuses_unknown_accounts_and_taken_names);

const ACCOUNT: &str = "000000000000";

async fn seed_into(s: &TestServer, users: u32, roles: u32, policies: u32) -> Result<Seeded, SeedError> {
    let (store, _) = s.running.state.store_and_keys_for_tests();
    let now = s.running.state.clock.now_millis();
    seed::seed(store, &OsRandom, now, &Plan { account_id: ACCOUNT.into(), users, roles, policies }).await
}

async fn seeded_entities_answer_like_created_ones(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    // The references: what the API stores for the same shapes as seed-user-000010, seed-role-000010 and
    // seed-policy-000030 (all under /seed/, the user with two tags, the role trusting the account, the policy
    // with a description).
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    iam.create_user()
        .user_name("api-user")
        .path("/seed/")
        .tags(tag("team", "team-3"))
        .tags(tag("cost-center", "cc-0010"))
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("api-role")
        .path("/seed/")
        .assume_role_policy_document(seed::trust_policy(ACCOUNT, 10))
        .description("Seeded role 10")
        .send()
        .await
        .unwrap();
    iam.create_policy()
        .policy_name("api-policy")
        .path("/seed/")
        .policy_document(seed::policy_document(30))
        .description("Seeded policy 30")
        .send()
        .await
        .unwrap();

    let seeded = seed_into(&s, 250, 30, 30).await.unwrap();
    assert_eq!(seeded, Seeded { users: 250, roles: 30, policies: 30, tags: 50 });

    // ListUsers pages through all of them by name, with markers.
    let mut names = Vec::new();
    let mut marker = None;
    let mut pages = 0;
    loop {
        let out = iam.list_users().max_items(100).set_marker(marker.clone()).send().await.unwrap();
        pages += 1;
        names.extend(out.users().iter().map(|u| u.user_name().to_string()));
        if !out.is_truncated() {
            break;
        }
        marker = out.marker().map(str::to_string);
        assert!(marker.is_some());
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = (1..=250).map(|i| seed::name(seed::USER_PREFIX, i)).collect();
    expected.insert(0, "api-user".into());
    assert_eq!(names, expected);
    let under_seed = iam.list_users().path_prefix("/seed/").max_items(1000).send().await.unwrap();
    assert_eq!(under_seed.users().len(), 126);

    // GetUser: the same fields, with the values of their kind.
    let api = iam.get_user().user_name("api-user").send().await.unwrap().user.unwrap();
    let got = iam.get_user().user_name("seed-user-000010").send().await.unwrap().user.unwrap();
    assert_eq!(got.path(), api.path());
    assert_eq!(got.arn(), format!("arn:aws:iam::{ACCOUNT}:user/seed/seed-user-000010"));
    assert!(got.user_id().starts_with("AIDA") && got.user_id().len() == api.user_id().len(), "{}", got.user_id());
    assert_ne!(got.user_id(), api.user_id());
    assert_eq!(got.create_date().secs() / 600, api.create_date().secs() / 600);
    assert_eq!(got.password_last_used.is_some(), api.password_last_used.is_some());
    assert_eq!(got.permissions_boundary.is_some(), api.permissions_boundary.is_some());
    assert_eq!(got.tags(), api.tags());
    let plain = iam.get_user().user_name("seed-user-000001").send().await.unwrap().user.unwrap();
    assert_eq!((plain.path(), plain.tags().len()), ("/", 0));
    let tags = iam.list_user_tags().user_name("seed-user-000010").send().await.unwrap();
    assert_eq!(tags.tags(), api.tags());

    // GetRole.
    let api = iam.get_role().role_name("api-role").send().await.unwrap().role.unwrap();
    let got = iam.get_role().role_name("seed-role-000010").send().await.unwrap().role.unwrap();
    assert_eq!(got.path(), api.path());
    assert_eq!(got.arn(), format!("arn:aws:iam::{ACCOUNT}:role/seed/seed-role-000010"));
    assert!(got.role_id().starts_with("AROA") && got.role_id().len() == api.role_id().len(), "{}", got.role_id());
    assert_eq!(got.assume_role_policy_document(), api.assume_role_policy_document());
    assert_eq!(got.description(), api.description());
    assert_eq!(got.max_session_duration(), api.max_session_duration());
    assert_eq!(got.role_last_used.is_some(), api.role_last_used.is_some());
    assert_eq!(got.permissions_boundary.is_some(), api.permissions_boundary.is_some());
    assert_eq!(got.tags(), api.tags());
    let ec2 = iam.get_role().role_name("seed-role-000001").send().await.unwrap().role.unwrap();
    assert!(ec2.assume_role_policy_document().unwrap().contains("ec2.amazonaws.com"));
    let roles = iam.list_roles().max_items(1000).send().await.unwrap();
    assert_eq!(roles.roles().len(), 31);

    // GetPolicy and GetPolicyVersion.
    let api = iam
        .get_policy()
        .policy_arn(format!("arn:aws:iam::{ACCOUNT}:policy/seed/api-policy"))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/seed/seed-policy-000030");
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap().policy.unwrap();
    assert_eq!(got.arn(), Some(arn.as_str()));
    assert_eq!(got.path(), api.path());
    assert!(got.policy_id().unwrap().starts_with("ANPA"));
    assert_eq!(got.policy_id().map(str::len), api.policy_id().map(str::len));
    assert_eq!(got.default_version_id(), api.default_version_id());
    assert_eq!(got.default_version_id(), Some("v1"));
    assert_eq!(got.attachment_count(), api.attachment_count());
    assert_eq!(got.permissions_boundary_usage_count(), api.permissions_boundary_usage_count());
    assert_eq!(got.is_attachable(), api.is_attachable());
    assert_eq!(got.description(), api.description());
    assert_eq!(got.create_date.is_some(), api.create_date.is_some());
    assert_eq!(got.create_date, got.update_date);
    assert_eq!(got.tags(), api.tags());
    let api_v1 = iam
        .get_policy_version()
        .policy_arn(api.arn().unwrap())
        .version_id("v1")
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap();
    let v1 = iam.get_policy_version().policy_arn(&arn).version_id("v1").send().await.unwrap().policy_version.unwrap();
    assert_eq!(v1.document(), api_v1.document());
    assert_eq!((v1.version_id(), v1.is_default_version()), (Some("v1"), true));
    let undescribed = iam
        .get_policy()
        .policy_arn(format!("arn:aws:iam::{ACCOUNT}:policy/seed-policy-000001"))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert_eq!(undescribed.description(), None);
    let local = iam.list_policies().scope(PolicyScopeType::Local).max_items(1000).send().await.unwrap();
    assert_eq!(local.policies().len(), 31);

    // GetAccountSummary counts them.
    let summary = iam.get_account_summary().send().await.unwrap();
    let map = summary.summary_map().unwrap();
    assert_eq!((map.get(&K::Users), map.get(&K::Roles), map.get(&K::Policies)), (Some(&251), Some(&31), Some(&31)));

    // A seeded user, tags and all, is deleted as any other.
    iam.delete_user().user_name("seed-user-000010").send().await.unwrap();
    let e = aws_err(iam.get_user().user_name("seed-user-000010").send().await);
    assert_eq!((e.code.as_str(), e.status), ("NoSuchEntity", 404));
    iam.create_user().user_name("seed-user-000010").send().await.unwrap();
    let again = iam.list_user_tags().user_name("seed-user-000010").send().await.unwrap();
    assert!(again.tags().is_empty(), "{:?}", again.tags());
    s.stop().await;
}

async fn seeding_refuses_unknown_accounts_and_taken_names(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let (store, _) = s.running.state.store_and_keys_for_tests();
    let now = s.running.state.clock.now_millis();
    let plan = Plan { account_id: "123456789012".into(), users: 5, roles: 0, policies: 0 };
    let e = seed::seed(store, &OsRandom, now, &plan).await.unwrap_err();
    assert!(matches!(&e, SeedError::NoSuchAccount(a) if a == "123456789012"), "{e}");

    // A name the seed would use is taken: nothing at all is written.
    iam.create_user().user_name("Seed-User-002000").send().await.unwrap();
    let e = seed_into(&s, 2_500, 3, 3).await.unwrap_err();
    assert!(matches!(e, SeedError::AlreadySeeded { kind: "user", .. }), "{e}");
    let summary = iam.get_account_summary().send().await.unwrap();
    let map = summary.summary_map().unwrap();
    assert_eq!((map.get(&K::Users), map.get(&K::Roles), map.get(&K::Policies)), (Some(&1), Some(&0), Some(&0)));

    // Kinds are independent; seeding a kind twice is refused the second time.
    assert_eq!(seed_into(&s, 0, 3, 0).await.unwrap(), Seeded { roles: 3, ..Seeded::default() });
    let e = seed_into(&s, 0, 3, 0).await.unwrap_err();
    assert!(matches!(e, SeedError::AlreadySeeded { kind: "role", .. }), "{e}");
    let roles = iam.list_roles().send().await.unwrap();
    assert_eq!(roles.roles().len(), 3);
    s.stop().await;
}
