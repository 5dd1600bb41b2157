//! Service last accessed data through aws-sdk-iam: the server records authenticated requests per entity and
//! action, and GenerateServiceLastAccessedDetails reports them for a user, group, role or managed policy, at service
//! or action level, with the entities behind each service.

use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType as Granularity, JobStatusType};

use crate::both_stores;
use crate::harness::{aws_err, Backend, TestServer};

both_stores!(reports_of_recorded_requests);

const ALICE: &str = "arn:aws:iam::000000000000:user/alice";

async fn reports_of_recorded_requests(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let alice = s.user_with_key("alice").await;
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers","s3:GetObject"],"Resource":"*"}]}"#;
    iam.put_user_policy().user_name("alice").policy_name("p").policy_document(p).send().await.unwrap();
    s.iam(&alice).get_user().send().await.unwrap();
    // A denied request is an authenticated attempt too.
    let _ = s.iam(&alice).list_roles().send().await;

    let job = iam.generate_service_last_accessed_details().arn(ALICE).send().await.unwrap();
    let job = job.job_id().unwrap().to_string();
    let r = iam.get_service_last_accessed_details().job_id(&job).send().await.unwrap();
    assert_eq!(r.job_status(), &JobStatusType::Completed);
    assert_eq!(r.job_type(), Some(&Granularity::ServiceLevel));
    let names: Vec<&str> = r.services_last_accessed().iter().map(|s| s.service_namespace()).collect();
    assert_eq!(names, ["iam", "s3"]);
    let iam_line = &r.services_last_accessed()[0];
    assert_eq!(iam_line.service_name(), "AWS Identity and Access Management");
    assert_eq!(iam_line.last_authenticated_entity(), Some(ALICE));
    assert!(iam_line.last_authenticated().is_some() && iam_line.last_authenticated_region().is_some());
    assert_eq!(iam_line.total_authenticated_entities(), Some(1));
    assert!(iam_line.tracked_actions_last_accessed().is_empty());
    let s3_line = &r.services_last_accessed()[1];
    assert_eq!(s3_line.service_name(), "Amazon Simple Storage Service");
    assert!(s3_line.last_authenticated().is_none());
    assert_eq!(s3_line.total_authenticated_entities(), Some(0));

    // Action level: IAM's actions, each with its last request.
    let job2 = iam
        .generate_service_last_accessed_details()
        .arn(ALICE)
        .granularity(Granularity::ActionLevel)
        .send()
        .await
        .unwrap();
    let r = iam.get_service_last_accessed_details().job_id(job2.job_id().unwrap()).send().await.unwrap();
    assert_eq!(r.job_type(), Some(&Granularity::ActionLevel));
    let actions: Vec<&str> =
        r.services_last_accessed()[0].tracked_actions_last_accessed().iter().filter_map(|a| a.action_name()).collect();
    assert_eq!(actions, ["GetUser", "ListRoles"]);

    // A group: its members are the entities behind each service.
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("alice").send().await.unwrap();
    iam.create_user().user_name("bob").send().await.unwrap();
    iam.add_user_to_group().group_name("devs").user_name("bob").send().await.unwrap();
    let gp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;
    iam.put_group_policy().group_name("devs").policy_name("g").policy_document(gp).send().await.unwrap();
    let gjob =
        iam.generate_service_last_accessed_details().arn("arn:aws:iam::000000000000:group/devs").send().await.unwrap();
    let gjob = gjob.job_id().unwrap();
    let r = iam.get_service_last_accessed_details().job_id(gjob).send().await.unwrap();
    assert_eq!(r.services_last_accessed().iter().map(|s| s.service_namespace()).collect::<Vec<_>>(), ["iam"]);
    let e = iam.get_service_last_accessed_details_with_entities().job_id(gjob).service_namespace("iam").send();
    let e = e.await.unwrap();
    let who: Vec<(&str, bool)> = e
        .entity_details_list()
        .iter()
        .map(|d| (d.entity_info().unwrap().name(), d.last_authenticated().is_some()))
        .collect();
    assert_eq!(who, [("alice", true), ("bob", false)]);
    let missing = iam.get_service_last_accessed_details_with_entities().job_id(gjob).service_namespace("ec2").send();
    assert_eq!(aws_err(missing.await).code, "NoSuchEntity");

    // Errors: an entity that does not exist, a job that does not.
    let e =
        aws_err(iam.generate_service_last_accessed_details().arn("arn:aws:iam::000000000000:user/nobody").send().await);
    assert_eq!((e.code.as_str(), e.status), ("NoSuchEntity", 404));
    let e =
        aws_err(iam.get_service_last_accessed_details().job_id("00000000-0000-0000-0000-000000000000").send().await);
    assert_eq!((e.code.as_str(), e.status), ("NoSuchEntity", 404));
    s.stop().await;
}
