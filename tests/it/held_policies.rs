//! Policies held by users (and, through the same generic code, groups and roles): inline policies, attached
//! managed policies, permissions boundaries, ListEntitiesForPolicy, and the deletes they block.

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};
use crate::policies::{decoded, document_of_size, DOC, DOC2};

both_stores!(
    user_inline_policies,
    user_attached_policies,
    user_boundaries,
    entities_for_policy,
    deletes_wait_for_policies,
    group_policies,
    role_policies_and_service_access
);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn user_inline_policies(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("ann").send().await.unwrap();
    iam.put_user_policy().user_name("ann").policy_name("b-read").policy_document(DOC).send().await.unwrap();
    iam.put_user_policy().user_name("ANN").policy_name("a-queue").policy_document(DOC2).send().await.unwrap();
    let got = iam.get_user_policy().user_name("ann").policy_name("B-READ").send().await.unwrap();
    assert_eq!((got.user_name(), got.policy_name()), ("ann", "b-read"));
    assert_eq!(decoded(got.policy_document()), DOC);
    let names = iam.list_user_policies().user_name("ann").send().await.unwrap();
    assert_eq!(names.policy_names(), ["a-queue", "b-read"]);
    let page = iam.list_user_policies().user_name("ann").max_items(1).send().await.unwrap();
    assert!(page.is_truncated());
    let rest = iam.list_user_policies().user_name("ann").marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.policy_names(), ["b-read"]);
    // Put replaces a policy of the same name.
    iam.put_user_policy().user_name("ann").policy_name("b-read").policy_document(DOC2).send().await.unwrap();
    let got = iam.get_user_policy().user_name("ann").policy_name("b-read").send().await.unwrap();
    assert_eq!(decoded(got.policy_document()), DOC2);

    // The user's inline policies share 2,048 characters (whitespace not counted).
    let e = aws_err(
        iam.put_user_policy().user_name("ann").policy_name("big").policy_document(document_of_size(1900)).send().await,
    );
    assert_eq!(e, err("LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user ann", 409));
    let e = aws_err(iam.put_user_policy().user_name("ann").policy_name("bad").policy_document("{").send().await);
    assert_eq!(e, err("MalformedPolicyDocument", "Syntax errors in policy.", 400));

    let e = aws_err(iam.get_user_policy().user_name("ann").policy_name("nope").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user policy with name nope cannot be found.", 404));
    let e = aws_err(iam.delete_user_policy().user_name("ann").policy_name("nope").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user policy with name nope cannot be found.", 404));
    let e = aws_err(iam.put_user_policy().user_name("ghost").policy_name("p").policy_document(DOC).send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name ghost cannot be found.", 404));

    let e = aws_err(iam.delete_user().user_name("ann").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete policies first.", 409));
    for name in ["a-queue", "b-read"] {
        iam.delete_user_policy().user_name("ann").policy_name(name).send().await.unwrap();
    }
    assert!(iam.list_user_policies().user_name("ann").send().await.unwrap().policy_names().is_empty());
    iam.delete_user().user_name("ann").send().await.unwrap();
    s.stop().await;
}

async fn user_attached_policies(backend: Backend) {
    let s = TestServer::start_args(backend, |a| {
        a.quotas = gatehouse::quotas::Quotas::parse("AttachedPoliciesPerUser=3").unwrap()
    })
    .await;
    let iam = s.root_iam();
    iam.create_user().user_name("bob").send().await.unwrap();
    let mine = iam.create_policy().policy_name("mine").path("/team/").policy_document(DOC).send().await.unwrap();
    let mine = mine.policy().unwrap().arn().unwrap().to_string();
    let ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let lambda = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    for arn in [ro, mine.as_str(), ro, lambda] {
        iam.attach_user_policy().user_name("bob").policy_arn(arn).send().await.unwrap();
    }
    let listed = iam.list_attached_user_policies().user_name("bob").send().await.unwrap();
    let got: Vec<_> =
        listed.attached_policies().iter().map(|p| (p.policy_name().unwrap(), p.policy_arn().unwrap())).collect();
    assert_eq!(
        got,
        [("mine", mine.as_str()), ("ReadOnlyAccess", ro), ("AWSLambdaBasicExecutionRole", lambda)],
        "ordered by ARN, attaching twice attaches once"
    );
    let team = iam.list_attached_user_policies().user_name("bob").path_prefix("/team/").send().await.unwrap();
    assert_eq!(team.attached_policies().len(), 1);
    let page = iam.list_attached_user_policies().user_name("bob").max_items(2).send().await.unwrap();
    assert!(page.is_truncated());
    let rest = iam.list_attached_user_policies().user_name("bob").marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.attached_policies()[0].policy_arn(), Some(lambda));

    let p = iam.get_policy().policy_arn(&mine).send().await.unwrap();
    assert_eq!(p.policy().unwrap().attachment_count(), Some(1));
    let e = aws_err(iam.delete_policy().policy_arn(&mine).send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete a policy attached to entities.", 409));

    let extra = "arn:aws:iam::aws:policy/IAMUserChangePassword";
    let e = aws_err(iam.attach_user_policy().user_name("bob").policy_arn(extra).send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 3", 409));
    let missing = "arn:aws:iam::000000000000:policy/nonexistent";
    let e = aws_err(iam.attach_user_policy().user_name("bob").policy_arn(missing).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {missing} does not exist or is not attachable."), 404));
    let e = aws_err(iam.attach_user_policy().user_name("bob").policy_arn("longpolicynamebutnoarn").send().await);
    assert_eq!(e, err("ValidationError", "ARN longpolicynamebutnoarn is not valid.", 400));
    let service = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy";
    iam.detach_user_policy().user_name("bob").policy_arn(lambda).send().await.unwrap();
    let e = aws_err(iam.attach_user_policy().user_name("bob").policy_arn(service).send().await);
    assert_eq!(e, err("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400));

    let e = aws_err(iam.detach_user_policy().user_name("bob").policy_arn(lambda).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {lambda} was not found."), 404));
    let e = aws_err(iam.delete_user().user_name("bob").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409));
    iam.detach_user_policy().user_name("bob").policy_arn(ro).send().await.unwrap();
    iam.detach_user_policy().user_name("bob").policy_arn(&mine).send().await.unwrap();
    iam.delete_user().user_name("bob").send().await.unwrap();
    iam.delete_policy().policy_arn(&mine).send().await.unwrap();
    s.stop().await;
}

async fn user_boundaries(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let b = iam.create_policy().policy_name("boundary").policy_document(DOC).send().await.unwrap();
    let b = b.policy().unwrap().arn().unwrap().to_string();
    let out = iam.create_user().user_name("carl").permissions_boundary(&b).send().await.unwrap();
    let pb = out.user().unwrap().permissions_boundary().unwrap();
    assert_eq!(pb.permissions_boundary_arn(), Some(b.as_str()));
    let got = iam.get_user().user_name("carl").send().await.unwrap();
    assert_eq!(got.user().unwrap().permissions_boundary().unwrap().permissions_boundary_arn(), Some(b.as_str()));
    let p = iam.get_policy().policy_arn(&b).send().await.unwrap();
    assert_eq!(p.policy().unwrap().permissions_boundary_usage_count(), Some(1));
    let e = aws_err(iam.delete_policy().policy_arn(&b).send().await);
    assert_eq!(e.code, "DeleteConflict");

    let aws = "arn:aws:iam::aws:policy/PowerUserAccess";
    iam.put_user_permissions_boundary().user_name("carl").permissions_boundary(aws).send().await.unwrap();
    let got = iam.get_user().user_name("carl").send().await.unwrap();
    assert_eq!(got.user().unwrap().permissions_boundary().unwrap().permissions_boundary_arn(), Some(aws));
    let missing = "arn:aws:iam::000000000000:policy/nonexistent-policy";
    let e = aws_err(iam.put_user_permissions_boundary().user_name("carl").permissions_boundary(missing).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Scope ARN: {missing} does not exist or is not attachable."), 404));
    let bad = "arn:aws:iam::000000000000:not_a_policy/invalid";
    let e = aws_err(iam.create_user().user_name("dora").permissions_boundary(bad).send().await);
    assert_eq!(e, err("InvalidInput", &format!("ARN {bad} is not valid."), 400));
    let e = aws_err(iam.put_user_permissions_boundary().user_name("ghost").permissions_boundary(aws).send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name ghost cannot be found.", 404));

    iam.delete_user_permissions_boundary().user_name("carl").send().await.unwrap();
    let got = iam.get_user().user_name("carl").send().await.unwrap();
    assert!(got.user().unwrap().permissions_boundary().is_none());
    iam.delete_policy().policy_arn(&b).send().await.unwrap();
    s.stop().await;
}

async fn entities_for_policy(backend: Backend) {
    use aws_sdk_iam::types::{EntityType, PolicyUsageType};
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let p = iam.create_policy().policy_name("shared").policy_document(DOC).send().await.unwrap();
    let arn = p.policy().unwrap().arn().unwrap().to_string();
    for u in ["zed", "amy"] {
        iam.create_user().user_name(u).send().await.unwrap();
        iam.attach_user_policy().user_name(u).policy_arn(&arn).send().await.unwrap();
    }
    iam.create_user().user_name("bounded").path("/b/").permissions_boundary(&arn).send().await.unwrap();
    let all = iam.list_entities_for_policy().policy_arn(&arn).send().await.unwrap();
    let users: Vec<_> = all.policy_users().iter().map(|u| u.user_name().unwrap()).collect();
    assert_eq!(users, ["amy", "bounded", "zed"]);
    assert!(all.policy_users().iter().all(|u| u.user_id().unwrap().starts_with("AIDA")));
    assert!(all.policy_groups().is_empty() && all.policy_roles().is_empty());
    let attached = iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .policy_usage_filter(PolicyUsageType::PermissionsPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(attached.policy_users().len(), 2);
    let bounded = iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .policy_usage_filter(PolicyUsageType::PermissionsBoundary)
        .send()
        .await
        .unwrap();
    assert_eq!(bounded.policy_users()[0].user_name(), Some("bounded"));
    let by_path = iam.list_entities_for_policy().policy_arn(&arn).path_prefix("/b/").send().await.unwrap();
    assert_eq!(by_path.policy_users().len(), 1);
    let roles = iam.list_entities_for_policy().policy_arn(&arn).entity_filter(EntityType::Role).send().await.unwrap();
    assert!(roles.policy_users().is_empty());
    let page = iam.list_entities_for_policy().policy_arn(&arn).max_items(2).send().await.unwrap();
    assert!(page.is_truncated());
    let rest = iam.list_entities_for_policy().policy_arn(&arn).marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.policy_users()[0].user_name(), Some("zed"));
    let missing = "arn:aws:iam::000000000000:policy/NonExistentPolicy";
    let e = aws_err(iam.list_entities_for_policy().policy_arn(missing).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {missing} does not exist or is not attachable."), 404));
    s.stop().await;
}

/// The counts are kept exact under concurrency: parallel attachments of one policy to many users count each once.
async fn deletes_wait_for_policies(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let p = iam.create_policy().policy_name("busy").policy_document(DOC).send().await.unwrap();
    let arn = p.policy().unwrap().arn().unwrap().to_string();
    let mut tasks = Vec::new();
    for n in 0..12 {
        let iam = iam.clone();
        let arn = arn.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("u{n}");
            iam.create_user().user_name(&name).send().await.unwrap();
            iam.attach_user_policy().user_name(&name).policy_arn(&arn).send().await.unwrap();
            iam.attach_user_policy().user_name(&name).policy_arn(&arn).send().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(got.policy().unwrap().attachment_count(), Some(12));
    s.stop().await;
}

/// Groups hold policies through the same code as users: their own quota and wording, and ListEntitiesForPolicy
/// lists them.
async fn group_policies(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.put_group_policy().group_name("DEVS").policy_name("q").policy_document(DOC2).send().await.unwrap();
    let got = iam.get_group_policy().group_name("devs").policy_name("Q").send().await.unwrap();
    assert_eq!((got.group_name(), got.policy_name()), ("devs", "q"));
    assert_eq!(decoded(got.policy_document()), DOC2);
    assert_eq!(iam.list_group_policies().group_name("devs").send().await.unwrap().policy_names(), ["q"]);
    let e = aws_err(
        iam.put_group_policy()
            .group_name("devs")
            .policy_name("big")
            .policy_document(document_of_size(5100))
            .send()
            .await,
    );
    assert_eq!(e, err("LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group devs", 409));
    let e = aws_err(iam.get_group_policy().group_name("devs").policy_name("nope").send().await);
    assert_eq!(e, err("NoSuchEntity", "The group policy with name nope cannot be found.", 404));

    let ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    iam.attach_group_policy().group_name("devs").policy_arn(ro).send().await.unwrap();
    let listed = iam.list_attached_group_policies().group_name("devs").send().await.unwrap();
    assert_eq!(listed.attached_policies()[0].policy_arn(), Some(ro));
    let entities = iam.list_entities_for_policy().policy_arn(ro).send().await.unwrap();
    assert_eq!(entities.policy_groups()[0].group_name(), Some("devs"));
    assert!(entities.policy_groups()[0].group_id().unwrap().starts_with("AGPA"));

    let e = aws_err(iam.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete policies first.", 409));
    iam.delete_group_policy().group_name("devs").policy_name("q").send().await.unwrap();
    let e = aws_err(iam.delete_group().group_name("devs").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409));
    let e = aws_err(
        iam.detach_group_policy().group_name("devs").policy_arn("arn:aws:iam::000000000000:policy/p").send().await,
    );
    assert_eq!(e, err("NoSuchEntity", "Policy arn:aws:iam::000000000000:policy/p was not found.", 404));
    iam.detach_group_policy().group_name("devs").policy_arn(ro).send().await.unwrap();
    iam.delete_group().group_name("devs").send().await.unwrap();
    let e = aws_err(iam.put_group_policy().group_name("devs").policy_name("q").policy_document(DOC).send().await);
    assert_eq!(e, err("NoSuchEntity", "The group with name devs cannot be found.", 404));
    s.stop().await;
}

/// Roles hold policies through the same code, with their own quota and boundary; ListPoliciesGrantingServiceAccess
/// reports what each identity holds (a user's groups included).
async fn role_policies_and_service_access(backend: Backend) {
    use crate::roles::TRUST;
    use aws_sdk_iam::types::{PolicyOwnerEntityType, PolicyType};
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
    iam.put_role_policy().role_name("app").policy_name("q").policy_document(DOC2).send().await.unwrap();
    let got = iam.get_role_policy().role_name("APP").policy_name("q").send().await.unwrap();
    assert_eq!((got.role_name(), decoded(got.policy_document())), ("app", DOC2.to_string()));
    assert_eq!(iam.list_role_policies().role_name("app").send().await.unwrap().policy_names(), ["q"]);
    let e = aws_err(
        iam.put_role_policy().role_name("app").policy_name("big").policy_document(document_of_size(10300)).send().await,
    );
    assert_eq!(e, err("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role app", 409));
    let e = aws_err(iam.delete_role_policy().role_name("app").policy_name("nope").send().await);
    assert_eq!(e, err("NoSuchEntity", "The role policy with name nope cannot be found.", 404));
    let s3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    iam.attach_role_policy().role_name("app").policy_arn(s3).send().await.unwrap();
    let listed = iam.list_attached_role_policies().role_name("app").send().await.unwrap();
    assert_eq!(listed.attached_policies()[0].policy_name(), Some("AmazonS3ReadOnlyAccess"));
    let pb = "arn:aws:iam::aws:policy/PowerUserAccess";
    iam.put_role_permissions_boundary().role_name("app").permissions_boundary(pb).send().await.unwrap();
    let role = iam.get_role().role_name("app").send().await.unwrap();
    assert_eq!(role.role().unwrap().permissions_boundary().unwrap().permissions_boundary_arn(), Some(pb));
    let e = aws_err(iam.delete_role().role_name("app").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete policies first.", 409));
    iam.delete_role_policy().role_name("app").policy_name("q").send().await.unwrap();
    let e = aws_err(iam.delete_role().role_name("app").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409));
    iam.detach_role_policy().role_name("app").policy_arn(s3).send().await.unwrap();
    assert!(iam.list_attached_role_policies().role_name("app").send().await.unwrap().attached_policies().is_empty());
    iam.delete_role_permissions_boundary().role_name("app").send().await.unwrap();
    let role_now = iam.get_role().role_name("app").send().await.unwrap();
    assert!(role_now.role().unwrap().permissions_boundary().is_none());
    iam.put_role_policy().role_name("app").policy_name("q").policy_document(DOC2).send().await.unwrap();
    iam.attach_role_policy().role_name("app").policy_arn(s3).send().await.unwrap();

    let role_arn = role.role().unwrap().arn().to_string();
    let out = iam
        .list_policies_granting_service_access()
        .arn(&role_arn)
        .service_namespaces("sqs")
        .service_namespaces("s3")
        .service_namespaces("ec2")
        .send()
        .await
        .unwrap();
    let entries = out.policies_granting_service_access();
    assert_eq!(entries.len(), 3);
    let sqs = &entries[0];
    assert_eq!(sqs.service_namespace(), Some("sqs"));
    let p = &sqs.policies()[0];
    assert_eq!(
        (p.policy_name(), p.policy_type(), p.entity_type(), p.entity_name()),
        ("q", &PolicyType::Inline, Some(&PolicyOwnerEntityType::Role), Some("app"))
    );
    let s3_entry = &entries[1].policies()[0];
    assert_eq!((s3_entry.policy_type(), s3_entry.policy_arn()), (&PolicyType::Managed, Some(s3)));
    assert!(entries[2].policies().is_empty());

    // A user's answer includes the policies of its groups.
    iam.create_user().user_name("u").send().await.unwrap();
    iam.create_group().group_name("g").send().await.unwrap();
    iam.add_user_to_group().group_name("g").user_name("u").send().await.unwrap();
    iam.put_group_policy().group_name("g").policy_name("gq").policy_document(DOC2).send().await.unwrap();
    let out = iam
        .list_policies_granting_service_access()
        .arn("arn:aws:iam::000000000000:user/u")
        .service_namespaces("sqs")
        .send()
        .await
        .unwrap();
    let p = &out.policies_granting_service_access()[0].policies()[0];
    assert_eq!(
        (p.policy_name(), p.entity_type(), p.entity_name()),
        ("gq", Some(&PolicyOwnerEntityType::Group), Some("g"))
    );
    let e = aws_err(
        iam.list_policies_granting_service_access()
            .arn("arn:aws:iam::000000000000:user/ghost")
            .service_namespaces("s3")
            .send()
            .await,
    );
    assert_eq!(e, err("NoSuchEntity", "The user with name ghost cannot be found.", 404));
    s.stop().await;
}
