//! The account views: GetAccountSummary's counts and quotas.

use aws_sdk_iam::types::SummaryKeyType as K;

use crate::both_stores;
use crate::harness::{Backend, TestServer};
use crate::policies::{decoded, DOC, DOC2};

both_stores!(summary_counts_and_quotas, authorization_details);

async fn summary_counts_and_quotas(backend: Backend) {
    let s = TestServer::start_args(backend, |a| {
        a.quotas = gatehouse::quotas::Quotas::parse("Users=7,PolicySize=10240").unwrap();
    })
    .await;
    let iam = s.root_iam();
    let before = iam.get_account_summary().send().await.unwrap();
    let m = before.summary_map().unwrap();
    assert_eq!(m.get(&K::Users), Some(&0));
    assert_eq!(m.get(&K::UsersQuota), Some(&7));
    assert_eq!(m.get(&K::PolicySizeQuota), Some(&10240));
    assert_eq!(m.get(&K::GroupsPerUserQuota), Some(&10));
    assert_eq!(m.get(&K::AccessKeysPerUserQuota), Some(&2));
    assert_eq!(m.get(&K::AccountAccessKeysPresent), Some(&1), "the root user has the harness's key");
    assert_eq!(m.len(), 34, "every key AWS reports");

    iam.create_user().user_name("a").send().await.unwrap();
    iam.create_user().user_name("b").send().await.unwrap();
    let p = iam.create_policy().policy_name("p").policy_document(DOC).send().await.unwrap();
    let arn = p.policy().unwrap().arn().unwrap().to_string();
    iam.attach_user_policy().user_name("a").policy_arn(&arn).send().await.unwrap();
    iam.attach_user_policy().user_name("b").policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess").send().await.unwrap();
    for n in 0..5 {
        iam.create_user().user_name(format!("fill{n}")).send().await.unwrap();
    }
    let e = crate::harness::aws_err(iam.create_user().user_name("one-too-many").send().await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        ("LimitExceeded", "Cannot exceed quota for UsersPerAccount: 7", 409)
    );
    let after = iam.get_account_summary().send().await.unwrap();
    let m = after.summary_map().unwrap();
    assert_eq!((m.get(&K::Users), m.get(&K::Policies), m.get(&K::PolicyVersionsInUse)), (Some(&7), Some(&1), Some(&2)));
    s.stop().await;
}

async fn authorization_details(backend: Backend) {
    use aws_sdk_iam::types::EntityType;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let p = iam.create_policy().policy_name("custom").policy_document(DOC).send().await.unwrap();
    let custom = p.policy().unwrap().arn().unwrap().to_string();
    iam.create_policy_version().policy_arn(&custom).policy_document(DOC2).set_as_default(true).send().await.unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.attach_group_policy().group_name("devs").policy_arn(&custom).send().await.unwrap();
    iam.put_group_policy().group_name("devs").policy_name("g-inline").policy_document(DOC).send().await.unwrap();
    for u in ["ann", "bob"] {
        iam.create_user().user_name(u).send().await.unwrap();
        iam.add_user_to_group().group_name("devs").user_name(u).send().await.unwrap();
    }
    let ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    iam.put_user_policy().user_name("ann").policy_name("u-inline").policy_document(DOC2).send().await.unwrap();
    iam.attach_user_policy().user_name("bob").policy_arn(ro).send().await.unwrap();
    iam.put_user_permissions_boundary().user_name("bob").permissions_boundary(&custom).send().await.unwrap();
    iam.create_role().role_name("app").assume_role_policy_document(crate::roles::TRUST).send().await.unwrap();
    iam.put_role_policy().role_name("app").policy_name("r-inline").policy_document(DOC).send().await.unwrap();
    iam.attach_role_policy().role_name("app").policy_arn(ro).send().await.unwrap();
    iam.create_instance_profile().instance_profile_name("app-profile").send().await.unwrap();
    iam.add_role_to_instance_profile().instance_profile_name("app-profile").role_name("app").send().await.unwrap();

    let all = iam.get_account_authorization_details().send().await.unwrap();
    assert!(!all.is_truncated());
    let users = all.user_detail_list();
    assert_eq!(users.iter().map(|u| u.user_name().unwrap()).collect::<Vec<_>>(), ["ann", "bob"]);
    assert_eq!(users[0].group_list(), ["devs"]);
    let inline = &users[0].user_policy_list()[0];
    assert_eq!(inline.policy_name(), Some("u-inline"));
    assert_eq!(decoded(inline.policy_document().unwrap()), DOC2);
    assert_eq!(users[1].attached_managed_policies()[0].policy_arn(), Some(ro));
    assert_eq!(users[1].permissions_boundary().unwrap().permissions_boundary_arn(), Some(custom.as_str()));
    let groups = all.group_detail_list();
    assert_eq!(groups[0].group_name(), Some("devs"));
    assert_eq!(groups[0].group_policy_list()[0].policy_name(), Some("g-inline"));
    assert_eq!(groups[0].attached_managed_policies()[0].policy_arn(), Some(custom.as_str()));
    let roles = all.role_detail_list();
    assert_eq!(roles[0].role_name(), Some("app"));
    assert_eq!(decoded(roles[0].assume_role_policy_document().unwrap()), crate::roles::TRUST);
    assert_eq!(roles[0].role_policy_list()[0].policy_name(), Some("r-inline"));
    assert_eq!(roles[0].attached_managed_policies()[0].policy_arn(), Some(ro));
    let profile = &roles[0].instance_profile_list()[0];
    assert_eq!((profile.instance_profile_name(), profile.roles()[0].role_name()), ("app-profile", "app"));
    let policies = all.policies();
    let names: Vec<_> = policies.iter().map(|p| p.policy_name().unwrap()).collect();
    assert_eq!(names, ["custom", "ReadOnlyAccess"], "the account's own policies, then the AWS ones it uses");
    let versions = policies[0].policy_version_list();
    assert_eq!(
        versions.iter().map(|v| (v.version_id().unwrap(), v.is_default_version())).collect::<Vec<_>>(),
        [("v2", true), ("v1", false)]
    );
    assert_eq!(decoded(versions[1].document().unwrap()), DOC);
    assert_eq!((policies[0].attachment_count(), policies[0].permissions_boundary_usage_count()), (Some(1), Some(1)));
    assert_eq!(policies[1].policy_version_list().len(), 1);

    let only_groups = iam.get_account_authorization_details().filter(EntityType::Group).send().await.unwrap();
    assert!(only_groups.user_detail_list().is_empty() && only_groups.policies().is_empty());
    assert_eq!(only_groups.group_detail_list().len(), 1);
    let mut seen = 0;
    let mut marker = None;
    loop {
        let page = iam.get_account_authorization_details().max_items(1).set_marker(marker).send().await.unwrap();
        seen += page.user_detail_list().len()
            + page.group_detail_list().len()
            + page.role_detail_list().len()
            + page.policies().len();
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_string);
    }
    assert_eq!(seen, 6, "two users, one group, one role, two policies, one per page");
    s.stop().await;
}
