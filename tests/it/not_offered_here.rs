//! The IAM operations of features that exist only inside AWS (Organizations, role templates, partner delegation
//! requests, account properties), answered through aws-sdk-iam as AWS answers an account that has none of them.

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(organizations, templates_and_delegation, account_properties);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn organizations(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let none = err(
        "OrganizationNotFoundException",
        "The request was rejected because no organization is associated with your account.",
        400,
    );
    assert_eq!(aws_err(iam.list_organizations_features().send().await), none);
    assert_eq!(aws_err(iam.enable_organizations_root_sessions().send().await), none);
    assert_eq!(aws_err(iam.disable_organizations_root_sessions().send().await), none);
    assert_eq!(aws_err(iam.enable_organizations_root_credentials_management().send().await), none);
    assert_eq!(aws_err(iam.disable_organizations_root_credentials_management().send().await), none);
    let e = aws_err(
        iam.generate_organizations_access_report().entity_path("o-a1b2c3d4e5/r-f6g7h8i9j0example").send().await,
    );
    assert_eq!(e, none);
    let job = "examplea-1234-b567-cde8-90fg123abcd4";
    let e = aws_err(iam.get_organizations_access_report().job_id(job).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("The report with job ID {job} cannot be found."), 404));
    s.stop().await;
}

async fn templates_and_delegation(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let template = "arn:aws:iam::aws:role-template/ec2.amazonaws.com/Example:1";
    let missing = err("NoSuchEntity", &format!("The role template {template} cannot be found."), 404);
    assert_eq!(aws_err(iam.get_role_template_version().template_arn(template).send().await), missing);
    assert_eq!(aws_err(iam.acquire_role().template_arn(template).send().await), missing);
    let listed = iam.list_delegation_requests().send().await.unwrap();
    assert!(listed.delegation_requests().is_empty());
    let id = "example-delegation-request-id";
    let gone = err("NoSuchEntity", &format!("The delegation request with ID {id} cannot be found."), 404);
    assert_eq!(aws_err(iam.get_delegation_request().delegation_request_id(id).send().await), gone);
    assert_eq!(aws_err(iam.accept_delegation_request().delegation_request_id(id).send().await), gone);
    assert_eq!(aws_err(iam.reject_delegation_request().delegation_request_id(id).send().await), gone);
    assert_eq!(aws_err(iam.send_delegation_token().delegation_request_id(id).send().await), gone);
    let arn = format!("arn:aws:iam::000000000000:delegation-request/{id}");
    let e = aws_err(iam.get_human_readable_summary().entity_arn(&arn).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("The entity {arn} cannot be found."), 404));
    let e = aws_err(iam.get_human_readable_summary().entity_arn("arn:aws:iam::000000000000:user/alice").send().await);
    assert_eq!(e, err("InvalidInput", "Only delegation-request entities can be summarized.", 400));
    s.stop().await;
}

async fn account_properties(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let got = iam.get_account_properties().send().await.unwrap();
    assert!(got.properties().is_none_or(|p| p.is_empty()));
    let e = aws_err(iam.put_account_properties().properties("RoleManager/Enabled", "true").send().await);
    assert_eq!(e, err("InvalidInput", "The account property RoleManager/Enabled is not supported.", 400));
    s.stop().await;
}
