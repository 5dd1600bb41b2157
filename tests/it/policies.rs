//! Managed policies through aws-sdk-iam: customer policies and their versions and tags, the AWS catalogue, and
//! AWS's errors.

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    create_get_list_delete,
    versions_up_to_five,
    aws_managed_catalogue,
    list_policies_scopes_paging_and_filters,
    tags_of_policies,
    documents_are_validated,
    size_quota
);

pub const DOC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
pub const DOC2: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Two", "Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"}]}"#;

pub fn decoded(doc: &str) -> String {
    percent_encoding::percent_decode_str(doc).decode_utf8().unwrap().into_owned()
}

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn create_get_list_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam
        .create_policy()
        .policy_name("ReadThings")
        .path("/team/")
        .description("reads")
        .policy_document(DOC)
        .send()
        .await
        .unwrap();
    let p = out.policy().unwrap();
    let arn = "arn:aws:iam::000000000000:policy/team/ReadThings";
    assert_eq!(p.arn(), Some(arn));
    assert_eq!(p.policy_name(), Some("ReadThings"));
    assert_eq!(p.path(), Some("/team/"));
    assert_eq!(p.default_version_id(), Some("v1"));
    assert_eq!((p.attachment_count(), p.permissions_boundary_usage_count()), (Some(0), Some(0)));
    assert!(p.is_attachable());
    assert_eq!(p.description(), Some("reads"));
    let id = p.policy_id().unwrap().to_string();
    assert!(id.starts_with("ANPA") && id.len() == 21, "{id}");
    assert!(p.tags().is_empty());

    let got = iam.get_policy().policy_arn(arn).send().await.unwrap();
    let g = got.policy().unwrap();
    assert_eq!(g.policy_id(), Some(id.as_str()));
    assert_eq!(g.description(), Some("reads"));

    let e = aws_err(iam.create_policy().policy_name("readthings").policy_document(DOC).send().await);
    assert_eq!(
        e,
        err("EntityAlreadyExists", "A policy called readthings already exists. Duplicate names are not allowed.", 409)
    );

    let v = iam.get_policy_version().policy_arn(arn).version_id("v1").send().await.unwrap();
    let v = v.policy_version().unwrap();
    assert_eq!(decoded(v.document().unwrap()), DOC);
    assert!(v.is_default_version());

    let local = iam.list_policies().scope(aws_sdk_iam::types::PolicyScopeType::Local).send().await.unwrap();
    assert_eq!(local.policies().len(), 1);
    assert!(local.policies()[0].description().is_none(), "ListPolicies leaves descriptions out");
    assert!(!local.is_truncated());

    iam.delete_policy().policy_arn(arn).send().await.unwrap();
    let e = aws_err(iam.get_policy().policy_arn(arn).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {arn} was not found."), 404));
    let e = aws_err(iam.delete_policy().policy_arn(arn).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {arn} was not found."), 404));
    s.stop().await;
}

async fn versions_up_to_five(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let arn = iam.create_policy().policy_name("p").policy_document(DOC).send().await.unwrap();
    let arn = arn.policy().unwrap().arn().unwrap().to_string();
    for n in 2..=5 {
        let v = iam.create_policy_version().policy_arn(&arn).policy_document(DOC2).send().await.unwrap();
        let v = v.policy_version().unwrap();
        assert_eq!(v.version_id(), Some(format!("v{n}").as_str()));
        assert!(!v.is_default_version());
        assert!(v.document().is_none(), "CreatePolicyVersion sends no document");
    }
    let e = aws_err(iam.create_policy_version().policy_arn(&arn).policy_document(DOC2).send().await);
    assert_eq!(
        e,
        err(
            "LimitExceeded",
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
            409
        )
    );
    let listed = iam.list_policy_versions().policy_arn(&arn).send().await.unwrap();
    let ids: Vec<_> = listed.versions().iter().map(|v| v.version_id().unwrap()).collect();
    assert_eq!(ids, ["v5", "v4", "v3", "v2", "v1"]);
    let page = iam.list_policy_versions().policy_arn(&arn).max_items(2).send().await.unwrap();
    assert!(page.is_truncated());
    let rest = iam.list_policy_versions().policy_arn(&arn).marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.versions().iter().map(|v| v.version_id().unwrap()).collect::<Vec<_>>(), ["v3", "v2", "v1"]);

    let e = aws_err(iam.delete_policy_version().policy_arn(&arn).version_id("v1").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete the default version of a policy.", 409));
    let e = aws_err(iam.delete_policy_version().policy_arn(&arn).version_id("v9").send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {arn} version v9 does not exist or is not attachable."), 404));
    let e = aws_err(iam.set_default_policy_version().policy_arn(&arn).version_id("v9").send().await);
    assert_eq!(e.message, format!("Policy {arn} version v9 does not exist or is not attachable."));

    iam.set_default_policy_version().policy_arn(&arn).version_id("v3").send().await.unwrap();
    let p = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(p.policy().unwrap().default_version_id(), Some("v3"));
    let e = aws_err(iam.delete_policy().policy_arn(&arn).send().await);
    assert_eq!(e.code, "DeleteConflict");
    assert!(e.message.starts_with("This policy has more than one version."), "{}", e.message);
    for v in ["v1", "v2", "v4", "v5"] {
        iam.delete_policy_version().policy_arn(&arn).version_id(v).send().await.unwrap();
    }
    // A new version takes the next number, never a freed one, and may become the default at once.
    let v = iam.create_policy_version().policy_arn(&arn).policy_document(DOC).set_as_default(true).send().await;
    assert_eq!(v.unwrap().policy_version().unwrap().version_id(), Some("v6"));
    iam.delete_policy_version().policy_arn(&arn).version_id("v3").send().await.unwrap();
    iam.delete_policy().policy_arn(&arn).send().await.unwrap();

    let missing = "arn:aws:iam::000000000000:policy/TestNonExistingPolicy";
    let e = aws_err(iam.get_policy_version().policy_arn(missing).version_id("v1").send().await);
    assert_eq!(
        e,
        err("NoSuchEntity", &format!("Policy {missing} version v1 does not exist or is not attachable."), 404)
    );
    s.stop().await;
}

async fn aws_managed_catalogue(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    let p = iam.get_policy().policy_arn(arn).send().await.unwrap();
    let p = p.policy().unwrap();
    assert_eq!(p.path(), Some("/service-role/"));
    assert!(p.is_attachable());
    assert!(p.policy_id().unwrap().starts_with("ANPA"));
    let version = p.default_version_id().unwrap().to_string();
    let v = iam.get_policy_version().policy_arn(arn).version_id(&version).send().await.unwrap();
    let doc = decoded(v.policy_version().unwrap().document().unwrap());
    assert!(doc.contains("logs:CreateLogGroup"), "{doc}");
    let versions = iam.list_policy_versions().policy_arn(arn).send().await.unwrap();
    assert_eq!(versions.versions().len(), 1, "the catalogue holds the default version only");

    let admin = iam.get_policy().policy_arn("arn:aws:iam::aws:policy/AdministratorAccess").send().await.unwrap();
    assert_eq!(admin.policy().unwrap().default_version_id(), Some("v1"));
    // The same id on every server: derived from the ARN.
    let again = TestServer::start(backend).await;
    let other = again.root_iam().get_policy().policy_arn(arn).send().await.unwrap();
    assert_eq!(other.policy().unwrap().policy_id(), p.policy_id());
    again.stop().await;

    let e = aws_err(iam.delete_policy().policy_arn(arn).send().await);
    assert_eq!(e, err("AccessDenied", "Cannot delete policies outside your own account.", 403));
    let e = aws_err(iam.delete_policy_version().policy_arn(arn).version_id("v2").send().await);
    assert_eq!(e, err("AccessDenied", "Cannot delete policy versions for policies outside your own account.", 403));
    let e = aws_err(iam.set_default_policy_version().policy_arn(arn).version_id("v1").send().await);
    assert_eq!(e, err("AccessDenied", "Cannot update policies outside your own account.", 403));
    let e = aws_err(iam.create_policy_version().policy_arn(arn).policy_document(DOC).send().await);
    assert_eq!(e.code, "AccessDenied");
    let e = aws_err(iam.get_policy().policy_arn("arn:aws:iam::aws:policy/Nonexistent").send().await);
    assert_eq!(e, err("NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nonexistent was not found.", 404));
    let e = aws_err(iam.get_policy().policy_arn("longpolicynamebutnoarn").send().await);
    assert_eq!(e, err("ValidationError", "ARN longpolicynamebutnoarn is not valid.", 400));
    let tags = iam.list_policy_tags().policy_arn(arn).send().await.unwrap();
    assert!(tags.tags().is_empty());
    s.stop().await;
}

async fn list_policies_scopes_paging_and_filters(backend: Backend) {
    use aws_sdk_iam::types::{PolicyScopeType, PolicyUsageType};
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    // A customer policy named like an AWS one: both are listed, AWS's first.
    for (name, path) in [("ReadOnlyAccess", "/"), ("zeta", "/x/"), ("alpha", "/x/")] {
        iam.create_policy().policy_name(name).path(path).policy_document(DOC).send().await.unwrap();
    }
    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = iam.list_policies().max_items(400).set_marker(marker.clone()).send().await.unwrap();
        seen.extend(page.policies().iter().map(|p| p.arn().unwrap().to_string()));
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_string);
    }
    let catalogue = iam.list_policies().scope(PolicyScopeType::Aws).max_items(1000).send().await.unwrap();
    assert!(catalogue.is_truncated() && catalogue.policies().len() == 1000);
    assert!(seen.len() > 1000 + 3, "{}", seen.len());
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no policy listed twice across pages");
    let aws_ro = seen.iter().position(|a| a == "arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap();
    assert_eq!(seen[aws_ro + 1], "arn:aws:iam::000000000000:policy/ReadOnlyAccess");

    let x = iam.list_policies().path_prefix("/x/").send().await.unwrap();
    let names: Vec<_> = x.policies().iter().map(|p| p.policy_name().unwrap()).collect();
    assert_eq!(names, ["alpha", "zeta"]);
    let roles = iam.list_policies().scope(PolicyScopeType::Aws).path_prefix("/service-role/").send().await.unwrap();
    assert!(roles.policies().iter().all(|p| p.path() == Some("/service-role/")) && !roles.policies().is_empty());

    let attached = iam.list_policies().only_attached(true).send().await.unwrap();
    assert!(attached.policies().is_empty());
    iam.create_user().user_name("u").send().await.unwrap();
    iam.attach_user_policy().user_name("u").policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess").send().await.unwrap();
    iam.attach_user_policy().user_name("u").policy_arn("arn:aws:iam::000000000000:policy/x/zeta").send().await.unwrap();
    let attached = iam.list_policies().only_attached(true).send().await.unwrap();
    let names: Vec<_> =
        attached.policies().iter().map(|p| (p.policy_name().unwrap(), p.attachment_count().unwrap())).collect();
    assert_eq!(names, [("ReadOnlyAccess", 1), ("zeta", 1)]);
    let local_attached = iam.list_policies().only_attached(true).scope(PolicyScopeType::Local).send().await.unwrap();
    assert_eq!(local_attached.policies().len(), 1);
    let boundaries = iam
        .list_policies()
        .only_attached(true)
        .policy_usage_filter(PolicyUsageType::PermissionsBoundary)
        .send()
        .await
        .unwrap();
    assert!(boundaries.policies().is_empty());
    let e = aws_err(iam.list_policies().marker("bm90IGEgbWFya2Vy").send().await);
    assert_eq!(e, err("ValidationError", "Invalid Marker.", 400));
    s.stop().await;
}

async fn tags_of_policies(backend: Backend) {
    use aws_sdk_iam::types::Tag;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let created =
        iam.create_policy().policy_name("tagged").policy_document(DOC).tags(tag("team", "a")).send().await.unwrap();
    let arn = created.policy().unwrap().arn().unwrap().to_string();
    assert_eq!(created.policy().unwrap().tags().len(), 1);
    iam.tag_policy().policy_arn(&arn).tags(tag("TEAM", "b")).tags(tag("env", "x")).send().await.unwrap();
    let got = iam.list_policy_tags().policy_arn(&arn).send().await.unwrap();
    let tags: Vec<_> = got.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, [("TEAM", "b"), ("env", "x")]);
    let p = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(p.policy().unwrap().tags().len(), 2);
    iam.untag_policy().policy_arn(&arn).tag_keys("team").send().await.unwrap();
    assert_eq!(iam.list_policy_tags().policy_arn(&arn).send().await.unwrap().tags().len(), 1);
    let e = aws_err(iam.tag_policy().policy_arn(&arn).tags(tag("0", "")).tags(tag("0", "")).send().await);
    assert_eq!(e, err("InvalidInput", "Duplicate tag keys found.", 400));
    let e = aws_err(
        iam.create_policy().policy_name("dup").policy_document(DOC).tags(tag("k", "")).tags(tag("K", "")).send().await,
    );
    assert_eq!(e, err("InvalidInput", "Duplicate tag keys found.", 400));
    let missing = "arn:aws:iam::000000000000:policy/NotAPolicy";
    let e = aws_err(iam.tag_policy().policy_arn(missing).tags(tag("some", "value")).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {missing} was not found."), 404));
    let e = aws_err(iam.untag_policy().policy_arn(missing).tag_keys("somevalue").send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("Policy {missing} was not found."), 404));
    s.stop().await;
}

async fn documents_are_validated(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let cases = [
        ("{", "Syntax errors in policy."),
        (
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            "Policy document must be version 2012-10-17 or greater.",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"sdfsadf"}]}"#,
            r#"Resource sdfsadf must be in ARN format or "*"."#,
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            "Policy statement must contain actions.",
        ),
    ];
    for (doc, message) in cases {
        let e = aws_err(iam.create_policy().policy_name("bad").policy_document(doc).send().await);
        assert_eq!(e, err("MalformedPolicyDocument", message, 400), "{doc}");
    }
    let arn = iam.create_policy().policy_name("good").policy_document(DOC).send().await.unwrap();
    let arn = arn.policy().unwrap().arn().unwrap().to_string();
    let e = aws_err(iam.create_policy_version().policy_arn(&arn).policy_document("{").send().await);
    assert_eq!(e, err("MalformedPolicyDocument", "Syntax errors in policy.", 400));
    s.stop().await;
}

/// A statement list of `n` characters without whitespace, give or take a few.
pub fn document_of_size(n: usize) -> String {
    let head =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::"#;
    let tail = r#""}]}"#;
    format!("{head}{}{tail}", "a".repeat(n.saturating_sub(head.len() + tail.len())))
}

async fn size_quota(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let e = aws_err(iam.create_policy().policy_name("big").policy_document(document_of_size(6145)).send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409));
    // Whitespace does not count.
    let spaced = document_of_size(6144).replace(',', ",          ");
    iam.create_policy().policy_name("big").policy_document(spaced).send().await.unwrap();
    s.stop().await;
}
