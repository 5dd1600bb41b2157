//! GetSessionToken and GetFederationToken through aws-sdk-sts, what their credentials may and may not call, and the
//! small STS operations: GetAccessKeyInfo, DecodeAuthorizationMessage, GetDelegatedAccessToken, AssumeRoot.

// PackedPolicySize is deprecated in the model (for SessionTokenUtilization), but AWS still returns it.
#![allow(deprecated)]

use aws_sdk_sts::types::Tag;

use crate::auth::now;
use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(session_tokens, federation_tokens, access_key_info, what_only_aws_could_issue);

const ACCOUNT: &str = "000000000000";

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

fn cannot_call(op: &str) -> AwsErr {
    err("AccessDenied", &format!("Cannot call {op} with session credentials"), 403)
}

fn invalid_token() -> AwsErr {
    err("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
}

async fn put_user_policy(s: &TestServer, user: &str, document: &str) {
    s.root_iam().put_user_policy().user_name(user).policy_name("p").policy_document(document).send().await.unwrap();
}

async fn session_tokens(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    put_user_policy(
        &s,
        "alice",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .await;
    // No permission is needed, and the default is twelve hours.
    let before = now();
    let out = s.sts(&alice).get_session_token().send().await.unwrap();
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"));
    assert!((before + 43_200..=before + 43_202).contains(&c.expiration().secs()));
    assert!(out.session_token_size().unwrap() > 0);
    let session = Creds::from_sts(c);

    // The credentials are the user's own.
    let who = s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:user/alice"));
    // No IAM without MFA; of STS only AssumeRole and GetCallerIdentity.
    assert_eq!(aws_err(s.iam(&session).list_users().send().await), invalid_token());
    assert_eq!(aws_err(s.sts(&session).get_session_token().send().await), cannot_call("GetSessionToken"));
    let e = aws_err(s.sts(&session).get_access_key_info().access_key_id(&alice.id).send().await);
    assert_eq!(e, cannot_call("GetAccessKeyInfo"));
    // AssumeRole is allowed, as role chaining: an hour at most.
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole"}]}"#;
    s.root_iam()
        .create_role()
        .role_name("r")
        .assume_role_policy_document(trust)
        .max_session_duration(7200)
        .send()
        .await
        .unwrap();
    let role = "arn:aws:iam::000000000000:role/r";
    let e = aws_err(
        s.sts(&session).assume_role().role_arn(role).role_session_name("rr").duration_seconds(3601).send().await,
    );
    assert_eq!(
        e,
        err(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            400
        )
    );
    let role_session = s.sts(&session).assume_role().role_arn(role).role_session_name("rr").send().await.unwrap();
    let role_session = Creds::from_sts(role_session.credentials().unwrap());
    // A role session may not ask for session tokens either.
    assert_eq!(aws_err(s.sts(&role_session).get_session_token().send().await), cannot_call("GetSessionToken"));
    assert_eq!(
        aws_err(s.sts(&role_session).get_federation_token().name("fed").send().await),
        cannot_call("GetFederationToken")
    );

    // Durations: 900..129600 for users; the root user's sessions last at most an hour.
    let out = s.sts(&alice).get_session_token().duration_seconds(129_600).send().await.unwrap();
    assert!(out.credentials().unwrap().expiration().secs() >= before + 129_600);
    let e = aws_err(s.sts(&alice).get_session_token().duration_seconds(129_601).send().await);
    assert_eq!((e.code.as_str(), e.status), ("ValidationError", 400));
    let root = s.sts(&s.root).get_session_token().duration_seconds(7200).send().await.unwrap();
    assert!(root.credentials().unwrap().expiration().secs() <= now() + 3601);
    let root_session = Creds::from_sts(root.credentials().unwrap());
    let who = s.sts(&root_session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:root"));
    // A serial number of no device alice holds (tests/it/mfa.rs has devices).
    let e = aws_err(
        s.sts(&alice)
            .get_session_token()
            .serial_number("arn:aws:iam::000000000000:mfa/alice")
            .token_code("123456")
            .send()
            .await,
    );
    let unable = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.";
    assert_eq!(e, err("AccessDenied", unable, 403));
    // A code without a serial number is a wrong code.
    let e = aws_err(s.sts(&alice).get_session_token().token_code("123456").send().await);
    assert_eq!(e, err("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403));
    s.stop().await;
}

async fn federation_tokens(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let bob = "arn:aws:sts::000000000000:federated-user/bob";
    let e = aws_err(s.sts(&alice).get_federation_token().name("bob").send().await);
    assert_eq!(
        e.message,
        format!("User: arn:aws:iam::000000000000:user/alice is not authorized to perform: sts:GetFederationToken on resource: {bob} because no identity-based policy allows the sts:GetFederationToken action")
    );
    put_user_policy(
        &s,
        "alice",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}"#,
    )
    .await;
    let out = s.sts(&alice).get_federation_token().name("bob").duration_seconds(900).send().await.unwrap();
    let user = out.federated_user().unwrap();
    assert_eq!((user.arn(), user.federated_user_id()), (bob, "000000000000:bob"));
    assert_eq!(out.packed_policy_size(), Some(0));
    let fed = Creds::from_sts(out.credentials().unwrap());
    let who = s.sts(&fed).get_caller_identity().send().await.unwrap();
    assert_eq!((who.arn(), who.user_id(), who.account()), (Some(bob), Some("000000000000:bob"), Some(ACCOUNT)));
    // No IAM at all, and of STS only GetCallerIdentity.
    assert_eq!(aws_err(s.iam(&fed).list_users().send().await), invalid_token());
    assert_eq!(
        aws_err(s.sts(&fed).get_federation_token().name("carol").send().await),
        cannot_call("GetFederationToken")
    );
    let e = aws_err(
        s.sts(&fed).assume_role().role_arn("arn:aws:iam::000000000000:role/x").role_session_name("xx").send().await,
    );
    assert_eq!(e, cannot_call("AssumeRole"));

    // A session policy is packed; tags need sts:TagSession.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let out = s.sts(&alice).get_federation_token().name("bob").policy(policy).send().await.unwrap();
    assert!(out.packed_policy_size().unwrap() > 0);
    let tag = Tag::builder().key("team").value("blue").build().unwrap();
    let e = aws_err(s.sts(&alice).get_federation_token().name("bob").tags(tag.clone()).send().await);
    assert!(
        e.message.contains(
            "is not authorized to perform: sts:TagSession on resource: arn:aws:sts::000000000000:federated-user/bob"
        ),
        "{}",
        e.message
    );
    let e = aws_err(s.sts(&alice).get_federation_token().name("bob").policy("{").send().await);
    assert_eq!((e.code.as_str(), e.status), ("MalformedPolicyDocument", 400));
    // The root user may federate too.
    let out = s.sts(&s.root).get_federation_token().name("ops").policy(policy).send().await.unwrap();
    assert_eq!(out.federated_user().unwrap().arn(), "arn:aws:sts::000000000000:federated-user/ops");
    s.stop().await;
}

async fn access_key_info(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let sts = s.sts(&s.root);
    let account = |id: &str| {
        let sts = sts.clone();
        let id = id.to_string();
        async move { sts.get_access_key_info().access_key_id(id).send().await.map(|o| o.account().map(str::to_string)) }
    };
    assert_eq!(account(&alice.id).await.unwrap().as_deref(), Some(ACCOUNT));
    assert_eq!(account(&s.root.id).await.unwrap().as_deref(), Some(ACCOUNT));
    // Any key id in AWS's form names its account, as AWS's does: here a published AWS example.
    assert_eq!(account("ASIAY34FZKBOKMUTVV7A").await.unwrap().as_deref(), Some("609629065308"));
    let session = s.sts(&s.root).get_session_token().send().await.unwrap();
    let asia = session.credentials().unwrap().access_key_id().to_string();
    assert_eq!(account(&asia).await.unwrap().as_deref(), Some(ACCOUNT));
    let e = aws_err(account("AKIA0000000000000000").await);
    assert_eq!(e, err("InvalidParameterValue", "The access key ID AKIA0000000000000000 is not valid.", 400));
    let e = aws_err(s.sts(&alice).get_access_key_info().access_key_id(&alice.id).send().await);
    assert_eq!(e.code, "AccessDenied");
    s.stop().await;
}

async fn what_only_aws_could_issue(backend: Backend) {
    let s = TestServer::start(backend).await;
    let sts = s.sts(&s.root);
    let e = aws_err(sts.decode_authorization_message().encoded_message("bXDzNlS-encoded").send().await);
    assert_eq!((e.code.as_str(), e.status), ("InvalidAuthorizationMessageException", 400));
    let e = aws_err(sts.get_delegated_access_token().trade_in_token("partner-token").send().await);
    assert_eq!((e.code.as_str(), e.status), ("ExpiredTradeInTokenException", 400));
    let task = aws_sdk_sts::types::PolicyDescriptorType::builder()
        .arn("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")
        .build();
    let e = aws_err(sts.assume_root().target_principal("111111111111").task_policy_arn(task).send().await);
    assert_eq!(
        e,
        err("AccessDenied", "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::111111111111:root", 403)
    );
    // A user without permission is refused before anything else.
    let alice = s.user_with_key("alice").await;
    let e = aws_err(s.sts(&alice).decode_authorization_message().encoded_message("x").send().await);
    assert_eq!(e.code, "AccessDenied");
    s.stop().await;
}
