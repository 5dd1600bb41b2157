//! Service-linked roles through aws-sdk-iam: what AWS creates per service, the protection, and deletion tasks.

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};
use crate::policies::{decoded, DOC};

both_stores!(create_protect_delete, names_and_suffixes);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn create_protect_delete(backend: Backend) {
    use aws_sdk_iam::types::DeletionTaskStatusType;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam.create_service_linked_role().aws_service_name("batch.amazonaws.com").send().await.unwrap();
    let role = out.role().unwrap();
    assert_eq!(role.role_name(), "AWSServiceRoleForBatch");
    assert_eq!(role.path(), "/aws-service-role/batch.amazonaws.com/");
    assert_eq!(
        role.arn(),
        "arn:aws:iam::000000000000:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"
    );
    assert_eq!(role.max_session_duration(), Some(3600));
    let trust = decoded(role.assume_role_policy_document().unwrap());
    assert!(trust.contains(r#""Principal":{"Service":"batch.amazonaws.com"}"#), "{trust}");
    let attached = iam.list_attached_role_policies().role_name("AWSServiceRoleForBatch").send().await.unwrap();
    let arns: Vec<_> = attached.attached_policies().iter().map(|p| p.policy_arn().unwrap()).collect();
    assert_eq!(arns, ["arn:aws:iam::aws:policy/aws-service-role/BatchServiceRolePolicy"]);

    let e = aws_err(iam.create_service_linked_role().aws_service_name("batch.amazonaws.com").send().await);
    assert_eq!(
        e,
        err(
            "InvalidInput",
            "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix.",
            400
        )
    );
    let protected = "Cannot perform the operation on the protected role 'AWSServiceRoleForBatch' - this role is only modifiable by AWS";
    let name = "AWSServiceRoleForBatch";
    let e = aws_err(iam.delete_role().role_name(name).send().await);
    assert_eq!(e, err("UnmodifiableEntity", protected, 400));
    let e = aws_err(iam.put_role_policy().role_name(name).policy_name("p").policy_document(DOC).send().await);
    assert_eq!(e, err("UnmodifiableEntity", protected, 400));
    let ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let e = aws_err(iam.attach_role_policy().role_name(name).policy_arn(ro).send().await);
    assert_eq!(e, err("UnmodifiableEntity", protected, 400));
    let e = aws_err(iam.put_role_permissions_boundary().role_name(name).permissions_boundary(ro).send().await);
    assert_eq!(e, err("UnmodifiableEntity", protected, 400));

    let task = iam.delete_service_linked_role().role_name(name).send().await.unwrap();
    let id = task.deletion_task_id();
    assert!(id.starts_with("task/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch/"), "{id}");
    let status = iam.get_service_linked_role_deletion_status().deletion_task_id(id).send().await.unwrap();
    assert_eq!(status.status(), &DeletionTaskStatusType::Succeeded);
    let e = aws_err(iam.get_role().role_name(name).send().await);
    assert_eq!(e.code, "NoSuchEntity");
    let e = aws_err(iam.delete_service_linked_role().role_name(name).send().await);
    assert_eq!(e, err("NoSuchEntity", "The role with name AWSServiceRoleForBatch cannot be found.", 404));
    s.stop().await;
}

async fn names_and_suffixes(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let e = aws_err(
        iam.create_service_linked_role().aws_service_name("batch.amazonaws.com").custom_suffix("x").send().await,
    );
    assert_eq!(e, err("InvalidInput", "Custom suffix is not allowed for batch.amazonaws.com", 400));
    let out = iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .custom_suffix("fleet")
        .send()
        .await
        .unwrap();
    assert_eq!(out.role().unwrap().role_name(), "AWSServiceRoleForAutoScaling_fleet");
    let rds = iam.create_service_linked_role().aws_service_name("rds.amazonaws.com").send().await.unwrap();
    assert_eq!(rds.role().unwrap().description(), Some("Allows Amazon RDS to manage AWS resources on your behalf"));
    let other = iam
        .create_service_linked_role()
        .aws_service_name("lambda.amazonaws.com")
        .description("mine")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (other.role().unwrap().role_name(), other.role().unwrap().description()),
        ("AWSServiceRoleForLambda", Some("mine"))
    );
    let e = aws_err(iam.create_service_linked_role().aws_service_name("nosuchthing").send().await);
    assert_eq!(e, err("InvalidInput", "Service principal nosuchthing is not valid.", 400));
    iam.create_role().role_name("plain").assume_role_policy_document(crate::roles::TRUST).send().await.unwrap();
    let e = aws_err(iam.delete_service_linked_role().role_name("plain").send().await);
    assert_eq!(e, err("InvalidInput", "Role plain is not a service-linked role.", 400));
    s.stop().await;
}
