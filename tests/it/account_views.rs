//! The account views: GetAccountSummary's counts and quotas.

use aws_sdk_iam::types::SummaryKeyType as K;

use crate::both_stores;
use crate::harness::{Backend, TestServer};
use crate::policies::DOC;

both_stores!(summary_counts_and_quotas);

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
