//! Service-specific credentials through aws-sdk-iam: CodeCommit and Keyspaces passwords, Bedrock API keys with an
//! age, the unsupported-service answer, two per user per service, listing (by service, all users, pages), reset,
//! status, delete, DeleteUser while one remains, and denial without permission.

use aws_sdk_iam::types::StatusType;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    passwords_for_codecommit_and_keyspaces,
    bedrock_api_keys_and_their_age,
    listing_reset_update_delete,
    delete_user_while_a_credential_remains,
    service_credentials_without_permission_are_denied
);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

async fn passwords_for_codecommit_and_keyspaces(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let create = |service: &str| {
        iam.create_service_specific_credential().user_name("dev").service_name(service.to_string()).send()
    };
    let c = create("codecommit.amazonaws.com").await.unwrap().service_specific_credential.unwrap();
    let id = c.service_specific_credential_id();
    assert!(id.starts_with("ACCA") && id.len() == 21, "{id}");
    assert_eq!(c.service_name(), "codecommit.amazonaws.com");
    assert_eq!(c.service_user_name(), "dev-at-000000000000");
    assert_eq!(c.user_name(), "dev");
    assert_eq!(c.status(), &StatusType::Active);
    let password = c.service_password();
    assert_eq!(password.len(), 44);
    assert!(c.service_credential_alias().is_none() && c.service_credential_secret().is_none());
    assert!(c.expiration_date().is_none());

    let second = create("codecommit.amazonaws.com").await.unwrap().service_specific_credential.unwrap();
    assert_ne!(second.service_password(), password);
    let e = aws_err(create("codecommit.amazonaws.com").await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2", 409));
    // The quota is per service.
    let k = create("cassandra.amazonaws.com").await.unwrap().service_specific_credential.unwrap();
    assert_eq!(k.service_user_name(), "dev-at-000000000000");

    for bad in ["lambda.amazonaws.com", "nonexistentservice.amazonaws.com", "o3on3n3onosneo"] {
        let e = aws_err(create(bad).await);
        assert_eq!(
            e,
            err("NoSuchEntity", &format!("No such service {bad} is supported for Service Specific Credentials"), 404)
        );
    }
    // The user is checked first (recorded).
    let e = aws_err(
        iam.create_service_specific_credential()
            .user_name("non-existent-user")
            .service_name("o3on3n3onosneo")
            .send()
            .await,
    );
    assert_eq!(e, err("NoSuchEntity", "The user with name non-existent-user cannot be found.", 404));
    // An age is for API keys only.
    let e = aws_err(
        iam.create_service_specific_credential()
            .user_name("dev")
            .service_name("cassandra.amazonaws.com")
            .credential_age_days(30)
            .send()
            .await,
    );
    assert_eq!(
        e,
        err("ValidationError", "CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.", 400)
    );
    s.stop().await;
}

async fn bedrock_api_keys_and_their_age(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("ml").send().await.unwrap();
    let c = iam
        .create_service_specific_credential()
        .user_name("ml")
        .service_name("bedrock.amazonaws.com")
        .credential_age_days(30)
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    // This SDK's model still calls both required, and reads their absence as empty.
    assert!(c.service_password().is_empty() && c.service_user_name().is_empty());
    let alias = c.service_credential_alias().unwrap();
    assert!(alias.starts_with("ml-at-000000000000-v1-"), "{alias}");
    assert_eq!(c.service_credential_secret().unwrap().len(), 44);
    let created = c.create_date().secs();
    assert_eq!(c.expiration_date().unwrap().secs() - created, 30 * 86_400);
    let listed = iam.list_service_specific_credentials().user_name("ml").send().await.unwrap();
    let m = &listed.service_specific_credentials()[0];
    assert_eq!(m.service_credential_alias(), Some(alias));
    assert_eq!(m.expiration_date().unwrap().secs() - created, 30 * 86_400);
    assert_eq!(m.status(), &StatusType::Active);
    // A reset gives a new secret in the same member.
    let r = iam
        .reset_service_specific_credential()
        .user_name("ml")
        .service_specific_credential_id(c.service_specific_credential_id())
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert_ne!(r.service_credential_secret().unwrap(), c.service_credential_secret().unwrap());
    assert!(r.service_password().is_empty());
    // CloudWatch Logs API keys are the same kind; without an age they do not expire.
    let l = iam
        .create_service_specific_credential()
        .user_name("ml")
        .service_name("logs.amazonaws.com")
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert!(l.service_credential_secret().is_some() && l.expiration_date().is_none());
    s.stop().await;
}

async fn listing_reset_update_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    for user in ["a", "b"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    let create = |user: &str, service: &str| {
        iam.create_service_specific_credential().user_name(user.to_string()).service_name(service.to_string()).send()
    };
    let c1 = create("a", "codecommit.amazonaws.com").await.unwrap().service_specific_credential.unwrap();
    let c2 = create("a", "cassandra.amazonaws.com").await.unwrap().service_specific_credential.unwrap();
    let c3 = create("b", "codecommit.amazonaws.com").await.unwrap().service_specific_credential.unwrap();
    let id1 = c1.service_specific_credential_id().to_string();

    let ids = |l: &aws_sdk_iam::operation::list_service_specific_credentials::ListServiceSpecificCredentialsOutput| {
        l.service_specific_credentials()
            .iter()
            .map(|c| c.service_specific_credential_id().to_string())
            .collect::<Vec<_>>()
    };
    let all_a = iam.list_service_specific_credentials().user_name("a").send().await.unwrap();
    assert_eq!(ids(&all_a), [id1.clone(), c2.service_specific_credential_id().to_string()]);
    assert!(!all_a.is_truncated());
    let only_cc = iam
        .list_service_specific_credentials()
        .user_name("a")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&only_cc), vec![id1.clone()]);
    let none = iam
        .list_service_specific_credentials()
        .user_name("b")
        .service_name("cassandra.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert!(none.service_specific_credentials().is_empty());
    let e = aws_err(
        iam.list_service_specific_credentials()
            .user_name("a")
            .service_name("nonexistentservice.amazonaws.com")
            .send()
            .await,
    );
    assert_eq!(
        e,
        err(
            "NoSuchEntity",
            "No such service nonexistentservice.amazonaws.com is supported for Service Specific Credentials",
            404
        )
    );
    let everyone = iam
        .list_service_specific_credentials()
        .all_users(true)
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&everyone), [id1.clone(), c3.service_specific_credential_id().to_string()]);
    assert_eq!(everyone.service_specific_credentials()[1].user_name(), "b");
    let e = aws_err(iam.list_service_specific_credentials().all_users(true).user_name("a").send().await);
    assert_eq!(e, err("ValidationError", "AllUsers cannot be specified together with UserName.", 400));
    let page = iam.list_service_specific_credentials().user_name("a").max_items(1).send().await.unwrap();
    assert!(page.is_truncated());
    let rest =
        iam.list_service_specific_credentials().user_name("a").marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(ids(&rest), [c2.service_specific_credential_id().to_string()]);

    // Update, then reset: the status is kept and a new password returned.
    iam.update_service_specific_credential()
        .user_name("a")
        .service_specific_credential_id(&id1)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let r = iam
        .reset_service_specific_credential()
        .user_name("a")
        .service_specific_credential_id(&id1)
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert_eq!(r.status(), &StatusType::Inactive);
    assert_eq!(r.service_user_name(), "a-at-000000000000");
    assert_ne!(r.service_password(), c1.service_password());

    let missing = err("NoSuchEntity", "No such credential satisfiesregexbutstillinvalid exists", 404);
    let bogus = "satisfiesregexbutstillinvalid";
    let e = aws_err(
        iam.update_service_specific_credential()
            .user_name("a")
            .service_specific_credential_id(bogus)
            .status(StatusType::Active)
            .send()
            .await,
    );
    assert_eq!(e, missing);
    let e = aws_err(
        iam.reset_service_specific_credential().user_name("a").service_specific_credential_id(bogus).send().await,
    );
    assert_eq!(e, missing);
    let e = aws_err(
        iam.delete_service_specific_credential().user_name("a").service_specific_credential_id(bogus).send().await,
    );
    assert_eq!(e, missing);
    // Another user's credential is not found through this user.
    let e = aws_err(
        iam.delete_service_specific_credential().user_name("b").service_specific_credential_id(&id1).send().await,
    );
    assert_eq!(e, err("NoSuchEntity", &format!("No such credential {id1} exists"), 404));
    let e = aws_err(
        iam.delete_service_specific_credential()
            .user_name("wrong-user-name")
            .service_specific_credential_id(&id1)
            .send()
            .await,
    );
    assert_eq!(e, err("NoSuchEntity", "The user with name wrong-user-name cannot be found.", 404));
    iam.delete_service_specific_credential().user_name("a").service_specific_credential_id(&id1).send().await.unwrap();
    assert_eq!(
        ids(&iam.list_service_specific_credentials().user_name("a").send().await.unwrap()),
        [c2.service_specific_credential_id().to_string()]
    );
    s.stop().await;
}

async fn delete_user_while_a_credential_remains(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let c = iam
        .create_service_specific_credential()
        .user_name("dev")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    let e = aws_err(iam.delete_user().user_name("dev").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must remove referenced objects first.", 409));
    iam.delete_service_specific_credential()
        .user_name("dev")
        .service_specific_credential_id(c.service_specific_credential_id())
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("dev").send().await.unwrap();
    s.stop().await;
}

async fn service_credentials_without_permission_are_denied(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("target").send().await.unwrap();
    let frank = s.iam(&s.user_with_key("frank").await);
    let denied = |action: &str, resource: &str| {
        err(
            "AccessDenied",
            &format!("User: arn:aws:iam::000000000000:user/frank is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"),
            403,
        )
    };
    let target = "arn:aws:iam::000000000000:user/target";
    // Refused before the service is looked at.
    let e = aws_err(
        frank
            .create_service_specific_credential()
            .user_name("target")
            .service_name("lambda.amazonaws.com")
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:CreateServiceSpecificCredential", target));
    let e = aws_err(frank.list_service_specific_credentials().send().await);
    assert_eq!(e, denied("iam:ListServiceSpecificCredentials", "arn:aws:iam::000000000000:user/frank"));
    let e = aws_err(frank.list_service_specific_credentials().all_users(true).send().await);
    assert_eq!(e, denied("iam:ListServiceSpecificCredentials", "arn:aws:iam::000000000000:user/*"));
    let e = aws_err(
        frank
            .reset_service_specific_credential()
            .user_name("target")
            .service_specific_credential_id("ACCAXXXXXXXXXXXXXXXXX")
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:ResetServiceSpecificCredential", target));

    // The service name is a condition key: a policy may allow one service only.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceSpecificCredential","Resource":"*","Condition":{"StringEquals":{"iam:ServiceSpecificCredentialServiceName":"codecommit.amazonaws.com"}}}]}"#;
    iam.put_user_policy().user_name("frank").policy_name("cc").policy_document(doc).send().await.unwrap();
    frank
        .create_service_specific_credential()
        .user_name("target")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    let e = aws_err(
        frank
            .create_service_specific_credential()
            .user_name("target")
            .service_name("cassandra.amazonaws.com")
            .send()
            .await,
    );
    assert_eq!(e.code, "AccessDenied");
    s.stop().await;
}
