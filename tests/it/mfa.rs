//! Virtual MFA devices through aws-sdk-iam (create, enable with two consecutive codes, list, get, tags, resync,
//! deactivate, delete, AWS's errors) and MFA in use through aws-sdk-sts: GetSessionToken and AssumeRole with a code,
//! sessions that pass `aws:MultiFactorAuthPresent` conditions the plain key fails, a code never accepted twice.

use aws_sdk_iam::types::{AssignmentStatusType, Tag};
use gatehouse::domain::totp::{code_at, step_of};

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(virtual_devices, mfa_sessions);

const SERIAL: &str = "arn:aws:iam::000000000000:mfa/alice-phone";

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

fn step_now() -> i64 {
    use gatehouse::clock::Clock as _;
    step_of(gatehouse::clock::SystemClock.now_millis())
}

/// Creates the device and answers its seed (the bytes the Base32 text stands for).
async fn device(s: &TestServer, name: &str) -> Vec<u8> {
    let out = s.root_iam().create_virtual_mfa_device().virtual_mfa_device_name(name).send().await.unwrap();
    let d = out.virtual_mfa_device().unwrap();
    let text = std::str::from_utf8(d.base32_string_seed().unwrap().as_ref()).unwrap().to_string();
    data_encoding::BASE32_NOPAD.decode(text.as_bytes()).unwrap()
}

async fn enable(s: &TestServer, user: &str, serial: &str, seed: &[u8], first_step: i64) {
    let (c1, c2) = (code_at(seed, first_step), code_at(seed, first_step + 1));
    let iam = s.root_iam();
    let r = iam.enable_mfa_device().user_name(user).serial_number(serial).authentication_code1(c1);
    r.authentication_code2(c2).send().await.unwrap();
}

async fn virtual_devices(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let tag = Tag::builder().key("owner").value("alice").build().unwrap();
    let out = iam.create_virtual_mfa_device().virtual_mfa_device_name("alice-phone").tags(tag).send().await.unwrap();
    let d = out.virtual_mfa_device().unwrap();
    assert_eq!(d.serial_number(), SERIAL);
    let seed_text = std::str::from_utf8(d.base32_string_seed().unwrap().as_ref()).unwrap().to_string();
    assert_eq!(seed_text.len(), 64);
    assert!(d.qr_code_png().unwrap().as_ref().starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(d.tags().len(), 1);
    let seed = data_encoding::BASE32_NOPAD.decode(seed_text.as_bytes()).unwrap();
    let e = aws_err(iam.create_virtual_mfa_device().virtual_mfa_device_name("ALICE-phone").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "MFA device already exists.", 409));

    let listed = |status| iam.list_virtual_mfa_devices().assignment_status(status).send();
    let unassigned = listed(AssignmentStatusType::Unassigned).await.unwrap();
    assert_eq!(unassigned.virtual_mfa_devices().len(), 1);
    assert!(unassigned.virtual_mfa_devices()[0].base32_string_seed().is_none());
    let listed_tags: Vec<_> = unassigned.virtual_mfa_devices()[0].tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(listed_tags, [("owner", "alice")]);
    assert!(listed(AssignmentStatusType::Assigned).await.unwrap().virtual_mfa_devices().is_empty());

    // Enabling: the user must exist, the codes must be two consecutive ones of the device.
    let enable_with = |user: &str, c1: String, c2: String| {
        iam.enable_mfa_device().user_name(user).serial_number(SERIAL).authentication_code1(c1).authentication_code2(c2)
    };
    let now = step_now();
    let e = aws_err(enable_with("nonexistent-user", code_at(&seed, now - 1), code_at(&seed, now)).send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404));
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_user().user_name("bob").send().await.unwrap();
    let bad = err("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403);
    let e = aws_err(enable_with("alice", code_at(&seed, now), code_at(&seed, now - 1)).send().await);
    assert_eq!(e, bad);
    let e = aws_err(enable_with("alice", "000000".into(), "000000".into()).send().await);
    assert_eq!(e, bad);
    let e = aws_err(
        iam.enable_mfa_device()
            .user_name("alice")
            .serial_number("arn:aws:iam::000000000000:mfa/nothing")
            .authentication_code1("123456")
            .authentication_code2("654321")
            .send()
            .await,
    );
    assert_eq!(
        e,
        err("NoSuchEntity", "MFA Device with serial number arn:aws:iam::000000000000:mfa/nothing does not exist.", 404)
    );
    enable_with("alice", code_at(&seed, now - 1), code_at(&seed, now)).send().await.unwrap();
    let e = aws_err(enable_with("bob", code_at(&seed, now), code_at(&seed, now + 1)).send().await);
    assert_eq!(e, err("EntityAlreadyExists", "MFA Device is already in use.", 409));

    // Listed and got as alice's.
    let mine = iam.list_mfa_devices().user_name("alice").send().await.unwrap();
    assert_eq!(mine.mfa_devices().len(), 1);
    assert_eq!(mine.mfa_devices()[0].serial_number(), SERIAL);
    assert_eq!(mine.mfa_devices()[0].user_name(), "alice");
    assert!(iam.list_mfa_devices().user_name("bob").send().await.unwrap().mfa_devices().is_empty());
    let got = iam.get_mfa_device().serial_number(SERIAL).user_name("alice").send().await.unwrap();
    assert_eq!(got.user_name(), Some("alice"));
    assert!(got.enable_date().is_some());
    let e = aws_err(iam.get_mfa_device().serial_number(SERIAL).user_name("bob").send().await);
    assert_eq!(e.code, "NoSuchEntity");
    let assigned = listed(AssignmentStatusType::Assigned).await.unwrap();
    assert_eq!(assigned.virtual_mfa_devices()[0].user().unwrap().user_name(), "alice");
    assert_eq!(assigned.virtual_mfa_devices()[0].tags().len(), 1);
    assert!(listed(AssignmentStatusType::Unassigned).await.unwrap().virtual_mfa_devices().is_empty());
    let summary = iam.get_account_summary().send().await.unwrap();
    let map = summary.summary_map().unwrap();
    use aws_sdk_iam::types::SummaryKeyType as K;
    assert_eq!((map.get(&K::MfaDevices), map.get(&K::MfaDevicesInUse)), (Some(&1), Some(&1)));

    // What must go first.
    let e = aws_err(iam.delete_user().user_name("alice").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete MFA device first.", 409));
    let e = aws_err(iam.delete_virtual_mfa_device().serial_number(SERIAL).send().await);
    assert_eq!(e.code, "DeleteConflict");

    // Tags.
    let t = Tag::builder().key("team").value("core").build().unwrap();
    iam.tag_mfa_device().serial_number(SERIAL).tags(t).send().await.unwrap();
    let tags = iam.list_mfa_device_tags().serial_number(SERIAL).send().await.unwrap();
    assert_eq!(tags.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), ["owner", "team"]);
    iam.untag_mfa_device().serial_number(SERIAL).tag_keys("owner").send().await.unwrap();
    assert_eq!(iam.list_mfa_device_tags().serial_number(SERIAL).send().await.unwrap().tags().len(), 1);

    // Resync: two consecutive codes of a device whose clock runs ten minutes fast.
    let ahead = step_now() + 20;
    let resync = |c1: String, c2: String| {
        iam.resync_mfa_device()
            .user_name("alice")
            .serial_number(SERIAL)
            .authentication_code1(c1)
            .authentication_code2(c2)
    };
    assert_eq!(aws_err(resync("111111".into(), "222222".into()).send().await), bad);
    resync(code_at(&seed, ahead), code_at(&seed, ahead + 1)).send().await.unwrap();

    // Deactivate, then delete; then it is gone.
    let e = aws_err(iam.deactivate_mfa_device().user_name("bob").serial_number(SERIAL).send().await);
    assert_eq!(e.code, "NoSuchEntity");
    iam.deactivate_mfa_device().user_name("alice").serial_number(SERIAL).send().await.unwrap();
    assert!(iam.list_mfa_devices().user_name("alice").send().await.unwrap().mfa_devices().is_empty());
    iam.delete_virtual_mfa_device().serial_number(SERIAL).send().await.unwrap();
    let e = aws_err(iam.delete_virtual_mfa_device().serial_number(SERIAL).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("MFA Device with serial number {SERIAL} does not exist."), 404));
    iam.delete_user().user_name("alice").send().await.unwrap();

    // A user without permission may do none of it.
    let carol = s.user_with_key("carol").await;
    let e = aws_err(s.iam(&carol).create_virtual_mfa_device().virtual_mfa_device_name("x").send().await);
    assert!(e.message.contains("iam:CreateVirtualMFADevice on resource: arn:aws:iam::000000000000:mfa/x"), "{e:?}");
    s.stop().await;
}

async fn mfa_sessions(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let alice = s.user_with_key("alice").await;
    let seed = device(&s, "alice-phone").await;
    enable(&s, "alice", SERIAL, &seed, step_now() - 2).await;
    // alice may list users and roles only with MFA, and only within the hour.
    let p = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles","sts:AssumeRole"],"Resource":"*",
         "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}"#;
    iam.put_user_policy().user_name("alice").policy_name("mfa").policy_document(p).send().await.unwrap();
    assert_eq!(aws_err(s.iam(&alice).list_users().send().await).code, "AccessDenied");

    // GetSessionToken with the current code: the session may call IAM, and passes the condition.
    let code = code_at(&seed, step_now());
    let out = s.sts(&alice).get_session_token().serial_number(SERIAL).token_code(&code).send().await.unwrap();
    let session = Creds::from_sts(out.credentials().unwrap());
    s.iam(&session).list_users().send().await.unwrap();
    // The same code again: refused, as is a wrong one and a device alice does not hold.
    let wrong = err("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403);
    let again = s.sts(&alice).get_session_token().serial_number(SERIAL).token_code(&code).send().await;
    assert_eq!(aws_err(again), wrong);
    let other = s.sts(&alice).get_session_token().serial_number(SERIAL).token_code("000000").send().await;
    assert_eq!(aws_err(other), wrong);
    let e = aws_err(
        s.sts(&alice)
            .get_session_token()
            .serial_number("arn:aws:iam::000000000000:mfa/bobs")
            .token_code(code_at(&seed, step_now() + 1))
            .send()
            .await,
    );
    assert!(e.message.starts_with("MultiFactorAuthentication failed, unable to validate MFA code."), "{e:?}");
    // Without MFA the session may not call IAM at all.
    let plain = Creds::from_sts(s.sts(&alice).get_session_token().send().await.unwrap().credentials().unwrap());
    assert_eq!(aws_err(s.iam(&plain).list_users().send().await).code, "InvalidClientTokenId");

    // AssumeRole into a role whose trust policy demands MFA.
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},
        "Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
    iam.create_role().role_name("admin").assume_role_policy_document(trust).send().await.unwrap();
    let rp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*",
        "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
    iam.put_role_policy().role_name("admin").policy_name("p").policy_document(rp).send().await.unwrap();
    let role = "arn:aws:iam::000000000000:role/admin";
    // alice's own policy requires MFA for sts:AssumeRole too, so the plain key is refused either way.
    let e = aws_err(s.sts(&alice).assume_role().role_arn(role).role_session_name("alice-mfa").send().await);
    assert_eq!(e.code, "AccessDenied");
    let next = code_at(&seed, step_now() + 1);
    let out = s
        .sts(&alice)
        .assume_role()
        .role_arn(role)
        .role_session_name("alice-mfa")
        .serial_number(SERIAL)
        .token_code(&next)
        .send()
        .await
        .unwrap();
    let admin = Creds::from_sts(out.credentials().unwrap());
    s.iam(&admin).list_roles().send().await.unwrap();
    let e = aws_err(
        s.sts(&alice)
            .assume_role()
            .role_arn(role)
            .role_session_name("alice-mfa2")
            .serial_number(SERIAL)
            .token_code(&next)
            .send()
            .await,
    );
    assert_eq!(e, wrong);
    s.stop().await;
}
