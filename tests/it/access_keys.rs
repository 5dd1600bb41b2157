//! Access keys through aws-sdk-iam: the two-key quota, keys that sign the next requests, Inactive keys that
//! stop authenticating, deletion, and last use.

use aws_sdk_iam::types::StatusType;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(
    quota_and_listing,
    new_keys_sign_requests,
    inactive_keys_stop_working,
    last_used,
    users_are_denied_until_policies_exist,
    root_manages_its_own_keys
);

async fn quota_and_listing(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    let listed = iam.list_access_keys().user_name("alice").send().await.unwrap();
    assert!(listed.access_key_metadata().is_empty());
    assert!(!listed.is_truncated());
    let k1 = iam.create_access_key().user_name("alice").send().await.unwrap().access_key.unwrap();
    assert!(k1.access_key_id().starts_with("AKIA") && k1.access_key_id().len() == 20);
    assert_eq!(k1.secret_access_key().len(), 40);
    assert_eq!(k1.status(), &StatusType::Active);
    assert_eq!(k1.user_name(), "alice");
    iam.create_access_key().user_name("alice").send().await.unwrap();
    let e = aws_err(iam.create_access_key().user_name("alice").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "LimitExceeded".into(),
            message: "Cannot exceed quota for AccessKeysPerUser: 2".into(),
            status: 409
        }
    );
    let listed = iam.list_access_keys().user_name("alice").send().await.unwrap();
    assert_eq!(listed.access_key_metadata().len(), 2);
    assert!(listed
        .access_key_metadata()
        .iter()
        .all(|m| m.user_name() == Some("alice") && m.status() == Some(&StatusType::Active)));
    let e = aws_err(iam.create_access_key().user_name("nonexistent-user").send().await);
    assert_eq!(e.message, "The user with name nonexistent-user cannot be found.");
    let e = aws_err(
        iam.update_access_key()
            .user_name("alice")
            .access_key_id("AKIAIOSFODNN7EXAMPLE")
            .status(StatusType::Inactive)
            .send()
            .await,
    );
    assert_eq!(
        e,
        AwsErr {
            code: "NoSuchEntity".into(),
            message: "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.".into(),
            status: 404
        }
    );
    s.stop().await;
}

async fn new_keys_sign_requests(backend: Backend) {
    let s = TestServer::start(backend).await;
    let key = s.user_with_key("alice").await;
    let user = s.root_iam().get_user().user_name("alice").send().await.unwrap().user.unwrap();
    let who = s.sts(&key).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:user/alice"));
    assert_eq!(who.user_id(), Some(user.user_id()));
    assert_eq!(who.account(), Some("000000000000"));

    let wrong = Creds::new(&key.id, "0".repeat(40));
    let e = aws_err(s.sts(&wrong).get_caller_identity().send().await);
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert_eq!(e.status, 403);
    assert_eq!(e.message, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");

    let unknown = Creds::new("AKIAIOSFODNN7EXAMPLE", "0".repeat(40));
    let e = aws_err(s.iam(&unknown).list_users().send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "InvalidClientTokenId".into(),
            message: "The security token included in the request is invalid.".into(),
            status: 403
        }
    );
    s.stop().await;
}

async fn inactive_keys_stop_working(backend: Backend) {
    let s = TestServer::start(backend).await;
    let key = s.user_with_key("alice").await;
    let iam = s.root_iam();
    iam.update_access_key()
        .user_name("alice")
        .access_key_id(&key.id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam.list_access_keys().user_name("alice").send().await.unwrap();
    assert_eq!(listed.access_key_metadata()[0].status(), Some(&StatusType::Inactive));
    let e = aws_err(s.sts(&key).get_caller_identity().send().await);
    assert_eq!((e.code.as_str(), e.status), ("InvalidClientTokenId", 403));
    iam.update_access_key().user_name("alice").access_key_id(&key.id).status(StatusType::Active).send().await.unwrap();
    s.sts(&key).get_caller_identity().send().await.unwrap();
    iam.delete_access_key().user_name("alice").access_key_id(&key.id).send().await.unwrap();
    let e = aws_err(s.sts(&key).get_caller_identity().send().await);
    assert_eq!(e.code, "InvalidClientTokenId");
    s.stop().await;
}

async fn last_used(backend: Backend) {
    let s = TestServer::start(backend).await;
    let key = s.user_with_key("alice").await;
    let iam = s.root_iam();
    let before = iam.get_access_key_last_used().access_key_id(&key.id).send().await.unwrap();
    assert_eq!(before.user_name(), Some("alice"));
    let lu = before.access_key_last_used().unwrap();
    assert_eq!((lu.service_name(), lu.region()), ("N/A", "N/A"));
    assert!(lu.last_used_date().is_none());

    s.sts(&key).get_caller_identity().send().await.unwrap();
    let after = iam.get_access_key_last_used().access_key_id(&key.id).send().await.unwrap();
    let lu = after.access_key_last_used().unwrap();
    assert_eq!((lu.service_name(), lu.region()), ("sts", "eu-west-1"));
    assert!(lu.last_used_date().is_some());

    let e = aws_err(iam.get_access_key_last_used().access_key_id("AKIAIOSFODNN7EXAMPLE").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "AccessDenied".into(),
            message: "User: arn:aws:iam::000000000000:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE".into(),
            status: 403
        }
    );
    s.stop().await;
}

async fn users_are_denied_until_policies_exist(backend: Backend) {
    let s = TestServer::start(backend).await;
    let key = s.user_with_key("alice").await;
    let e = aws_err(s.iam(&key).create_user().user_name("bob").send().await);
    assert_eq!(
        e,
        AwsErr {
            code: "AccessDenied".into(),
            message: "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/bob because no identity-based policy allows the iam:CreateUser action".into(),
            status: 403
        }
    );
    let e = aws_err(s.iam(&key).list_access_keys().send().await);
    assert_eq!(e.code, "AccessDenied");
    // Nothing was created by the denied call.
    assert_eq!(s.root_iam().list_users().send().await.unwrap().users().len(), 1);
    s.stop().await;
}

async fn root_manages_its_own_keys(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let listed = iam.list_access_keys().send().await.unwrap();
    let ids: Vec<_> = listed.access_key_metadata().iter().filter_map(|m| m.access_key_id()).collect();
    assert_eq!(ids, [crate::harness::ROOT_KEY_ID]);
    let second = iam.create_access_key().send().await.unwrap().access_key.unwrap();
    let creds = Creds::new(second.access_key_id(), second.secret_access_key());
    let who = s.sts(&creds).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:root"));
    assert_eq!(who.user_id(), Some("000000000000"));
    let e = aws_err(iam.create_access_key().send().await);
    assert_eq!(e.message, "Cannot exceed quota for AccessKeysPerUser: 2");
    s.stop().await;
}
