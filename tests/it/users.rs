//! Users through aws-sdk-iam: create, read, list with paging, rename, tag, delete, and AWS's errors.

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    create_get_delete,
    duplicate_names_collide_case_insensitively,
    list_paginates_and_filters_by_path,
    lists_order_and_filter_bytewise,
    rename_and_move,
    tags,
    validation_errors,
    delete_conflict_while_keys_remain,
    get_user_describes_the_caller
);

async fn create_get_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam.create_user().user_name("alice").send().await.unwrap();
    let u = out.user().unwrap();
    assert_eq!(u.user_name(), "alice");
    assert_eq!(u.path(), "/");
    assert_eq!(u.arn(), "arn:aws:iam::000000000000:user/alice");
    assert!(u.user_id().starts_with("AIDA") && u.user_id().len() == 21, "{}", u.user_id());
    assert!(u.tags().is_empty());

    let got = iam.get_user().user_name("ALICE").send().await.unwrap();
    assert_eq!(got.user().unwrap().user_id(), u.user_id());
    assert_eq!(got.user().unwrap().user_name(), "alice");
    assert_eq!(got.user().unwrap().create_date().secs(), u.create_date().secs());

    iam.delete_user().user_name("alice").send().await.unwrap();
    let e = aws_err(iam.get_user().user_name("alice").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "NoSuchEntity".into(),
            message: "The user with name alice cannot be found.".into(),
            status: 404
        }
    );
    let e = aws_err(iam.delete_user().user_name("alice").send().await);
    assert_eq!(e.message, "The user with name alice cannot be found.");
    s.stop().await;
}

async fn duplicate_names_collide_case_insensitively(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("Bob").send().await.unwrap();
    let e = aws_err(iam.create_user().user_name("bob").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "EntityAlreadyExists".into(),
            message: "User with name bob already exists.".into(),
            status: 409
        }
    );
    s.stop().await;
}

async fn list_paginates_and_filters_by_path(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    for (name, path) in [("dave", "/eng/"), ("carol", "/"), ("erin", "/eng/backend/"), ("alice", "/"), ("bob", "/ops/")]
    {
        iam.create_user().user_name(name).path(path).send().await.unwrap();
    }
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = iam.list_users().max_items(2).set_marker(marker.clone()).send().await.unwrap();
        pages += 1;
        names.extend(out.users().iter().map(|u| u.user_name().to_string()));
        if !out.is_truncated() {
            assert!(out.marker().is_none());
            break;
        }
        assert_eq!(out.users().len(), 2);
        marker = out.marker().map(str::to_string);
        assert!(marker.is_some());
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["alice", "bob", "carol", "dave", "erin"]);

    let eng = iam.list_users().path_prefix("/eng/").send().await.unwrap();
    let eng: Vec<_> = eng.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(eng, ["dave", "erin"]);

    let e = aws_err(iam.list_users().marker("not-a-marker!").send().await);
    assert_eq!((e.code.as_str(), e.message.as_str(), e.status), ("ValidationError", "Invalid Marker.", 400));
    s.stop().await;
}

/// Names and paths with the punctuation IAM allows, where a linguistic collation (the postgres image's default
/// en_US.utf8, or the ICU en-US that `scripts/pg-throwaway.sh` gives the test cluster) orders otherwise than bytes:
/// Lists come in the order of the lowercased names' bytes, markers resume in it, and PathPrefix "/a/" matches only
/// the paths that start with it, not "/a+b/" or "/a=c/" (which sort between "/a/" and "/a0" linguistically). Users,
/// roles, groups, instance profiles and customer managed policies: each table's own columns.
async fn lists_order_and_filter_bytewise(backend: Backend) {
    use aws_sdk_iam::types::PolicyScopeType;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let entities = [
        ("ab", "/a/"),
        ("a_b", "/a+b/"),
        ("A+b", "/a/b/"),
        ("a-b", "/a=b/"),
        ("b", "/a=c/"),
        ("a,b", "/a-b/"),
        ("a=b", "/a/"),
        ("a@b", "/a_b/"),
        ("a.b", "/a.b/"),
        ("a", "/ab/"),
    ];
    for (name, path) in entities {
        iam.create_user().user_name(name).path(path).send().await.unwrap();
        iam.create_role().role_name(name).path(path).assume_role_policy_document(TRUST).send().await.unwrap();
        iam.create_policy().policy_name(name).path(path).policy_document(DOC).send().await.unwrap();
        iam.create_group().group_name(name).path(path).send().await.unwrap();
        iam.create_instance_profile().instance_profile_name(name).path(path).send().await.unwrap();
    }
    let by_name = ["a", "A+b", "a,b", "a-b", "a.b", "a=b", "a@b", "a_b", "ab", "b"];
    let under_a = ["A+b", "a=b", "ab"];
    for (prefix, expected) in [("/", &by_name[..]), ("/a/", &under_a[..]), ("/a", &by_name[..]), ("/a_", &["a@b"][..])]
    {
        // Pages of 3 through the SDK's paginators, so every page after the first resumes from a marker.
        let found = iam.list_users().path_prefix(prefix).into_paginator().page_size(3).items().send();
        let found = found.try_collect().await.unwrap();
        let users: Vec<&str> = found.iter().map(|u| u.user_name()).collect();
        let found = iam.list_roles().path_prefix(prefix).into_paginator().page_size(3).items().send();
        let found = found.try_collect().await.unwrap();
        let roles: Vec<&str> = found.iter().map(|r| r.role_name()).collect();
        let found = iam.list_groups().path_prefix(prefix).into_paginator().page_size(3).items().send();
        let found = found.try_collect().await.unwrap();
        let groups: Vec<&str> = found.iter().map(|g| g.group_name()).collect();
        let found = iam.list_instance_profiles().path_prefix(prefix).into_paginator().page_size(3).items().send();
        let found = found.try_collect().await.unwrap();
        let profiles: Vec<&str> = found.iter().map(|p| p.instance_profile_name()).collect();
        assert_eq!(users, expected, "ListUsers PathPrefix {prefix}");
        assert_eq!(roles, expected, "ListRoles PathPrefix {prefix}");
        assert_eq!(groups, expected, "ListGroups PathPrefix {prefix}");
        assert_eq!(profiles, expected, "ListInstanceProfiles PathPrefix {prefix}");
        // ListPolicies's PathPrefix is a whole path (its pattern ends in "/").
        if prefix.ends_with('/') {
            let list = iam.list_policies().scope(PolicyScopeType::Local).path_prefix(prefix);
            let found = list.into_paginator().page_size(3).items().send().try_collect().await.unwrap();
            let policies: Vec<&str> = found.iter().map(|p| p.policy_name().unwrap_or_default()).collect();
            assert_eq!(policies, expected, "ListPolicies PathPrefix {prefix}");
        }
    }
    s.stop().await;
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

async fn rename_and_move(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("frank").send().await.unwrap();
    iam.create_user().user_name("grace").send().await.unwrap();
    let e = aws_err(iam.update_user().user_name("frank").new_user_name("Grace").send().await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        ("EntityAlreadyExists", "User with name Grace already exists.", 409)
    );
    iam.update_user().user_name("frank").new_user_name("frank2").new_path("/moved/").send().await.unwrap();
    let u = iam.get_user().user_name("frank2").send().await.unwrap().user.unwrap();
    assert_eq!(u.path(), "/moved/");
    assert_eq!(u.arn(), "arn:aws:iam::000000000000:user/moved/frank2");
    let e = aws_err(iam.update_user().user_name("nonexistent-user").new_user_name("new-name").send().await);
    assert_eq!(e.message, "The user with name nonexistent-user cannot be found.");
    // A change of case alone is a rename of the same user, not a collision.
    iam.update_user().user_name("grace").new_user_name("Grace").send().await.unwrap();
    assert_eq!(iam.get_user().user_name("grace").send().await.unwrap().user.unwrap().user_name(), "Grace");
    s.stop().await;
}

async fn tags(backend: Backend) {
    use aws_sdk_iam::types::Tag;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let t = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let out = iam
        .create_user()
        .user_name("hank")
        .tags(t("Environment", "Test"))
        .tags(t("Team", "Platform"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.user().unwrap().tags().len(), 2);
    iam.tag_user().user_name("hank").tags(t("team", "Core")).tags(t("Cost", "1")).send().await.unwrap();
    let listed = iam.list_user_tags().user_name("hank").send().await.unwrap();
    let pairs: Vec<_> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, [("Environment", "Test"), ("team", "Core"), ("Cost", "1")]);
    assert!(!listed.is_truncated());
    let page = iam.list_user_tags().user_name("hank").max_items(2).send().await.unwrap();
    assert!(page.is_truncated());
    let rest = iam.list_user_tags().user_name("hank").marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.tags().len(), 1);
    assert_eq!(rest.tags()[0].key(), "Cost");

    iam.untag_user().user_name("hank").tag_keys("COST").tag_keys("absent").send().await.unwrap();
    assert_eq!(iam.list_user_tags().user_name("hank").send().await.unwrap().tags().len(), 2);
    assert_eq!(iam.get_user().user_name("hank").send().await.unwrap().user.unwrap().tags().len(), 2);

    let e = aws_err(iam.tag_user().user_name("hank").tags(t("dupkey", "a")).tags(t("DupKey", "b")).send().await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        ("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    );
    let mut req = iam.tag_user().user_name("hank");
    for i in 0..49 {
        req = req.tags(t(&format!("k{i}"), "v"));
    }
    let e = aws_err(req.send().await);
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        ("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
    );
    let e = aws_err(iam.tag_user().user_name("nonexistent-user").tags(t("key", "value")).send().await);
    assert_eq!((e.code.as_str(), e.status), ("NoSuchEntity", 404));
    let e = aws_err(iam.list_user_tags().user_name("nonexistent-user").send().await);
    assert_eq!(e.message, "The user with name nonexistent-user cannot be found.");
    let e = aws_err(iam.untag_user().user_name("nonexistent-user").tag_keys("key").send().await);
    assert_eq!(e.message, "The user with name nonexistent-user cannot be found.");
    s.stop().await;
}

async fn validation_errors(backend: Backend) {
    use aws_sdk_iam::types::Tag;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let e = aws_err(iam.create_user().user_name("bad name!").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "ValidationError".into(),
            message: r"1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+".into(),
            status: 400
        }
    );
    let e = aws_err(iam.create_user().user_name("x".repeat(65)).send().await);
    assert_eq!(e.message, "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64");
    let e = aws_err(
        iam.create_user().user_name("ok").tags(Tag::builder().key("NOWAY!").value("").build().unwrap()).send().await,
    );
    assert_eq!(
        e.message,
        r"1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+"
    );
    // Nothing was created by the rejected requests.
    assert!(iam.list_users().send().await.unwrap().users().is_empty());
    s.stop().await;
}

async fn delete_conflict_while_keys_remain(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let key = s.user_with_key("ivan").await;
    let e = aws_err(iam.delete_user().user_name("ivan").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "DeleteConflict".into(),
            message: "Cannot delete entity, must delete access keys first.".into(),
            status: 409
        }
    );
    iam.delete_access_key().user_name("ivan").access_key_id(&key.id).send().await.unwrap();
    iam.delete_user().user_name("ivan").send().await.unwrap();
    s.stop().await;
}

async fn get_user_describes_the_caller(backend: Backend) {
    let s = TestServer::start(backend).await;
    // The root user: the account id as its id, the root ARN, the account's creation date; no name, no path.
    let before = u64::try_from(gatehouse::clock::Clock::now_millis(&gatehouse::clock::SystemClock) / 1000).unwrap();
    let root = s.root_iam().get_user().send().await.unwrap().user.unwrap();
    assert_eq!(root.user_id(), "000000000000");
    assert_eq!(root.arn(), "arn:aws:iam::000000000000:root");
    assert_eq!((root.user_name(), root.path()), ("", ""), "absent in the response, defaulted by the SDK");
    let created = u64::try_from(root.create_date().secs()).unwrap();
    assert!(created <= before && created + 600 > before, "{created} vs {before}");
    // A user asking about itself still needs permission, which nothing grants yet.
    let alice = s.iam(&s.user_with_key("alice").await);
    let e = aws_err(alice.get_user().send().await);
    assert_eq!(e.code, "AccessDenied");
    assert_eq!(
        e.message,
        "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:GetUser on resource: arn:aws:iam::000000000000:user/alice because no identity-based policy allows the iam:GetUser action"
    );
    s.stop().await;
}
