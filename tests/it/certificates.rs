//! Signing certificates (and, below, server certificates) through aws-sdk-iam: upload, list with pages, status,
//! delete, the refusals (malformed, expired, duplicate in the account, the quota of two), DeleteUser while one
//! remains, and denial without permission.

use aws_sdk_iam::types::StatusType;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    signing_certificates_upload_list_update_delete,
    signing_certificate_refusals,
    delete_user_while_a_signing_certificate_remains,
    signing_certificates_without_permission_are_denied
);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

/// A self-signed certificate (ECDSA P-256) valid from 1975 to 4096 (rcgen's defaults).
fn certificate(name: &str) -> String {
    rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap().cert.pem()
}

/// A certificate whose validity ended in 2001.
fn expired_certificate() -> String {
    let pair = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["old.example".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    params.self_signed(&pair).unwrap().pem()
}

async fn signing_certificates_upload_list_update_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("signer").send().await.unwrap();
    let body = certificate("one.example");
    let up = iam.upload_signing_certificate().user_name("signer").certificate_body(&body).send().await.unwrap();
    let c = up.certificate.unwrap();
    let id = c.certificate_id().to_string();
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{id}");
    assert_eq!((c.user_name(), c.certificate_body(), c.status()), ("signer", body.as_str(), &StatusType::Active));
    assert!(c.upload_date().is_some());
    let body2 = certificate("two.example");
    let id2 = iam
        .upload_signing_certificate()
        .user_name("signer")
        .certificate_body(&body2)
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap()
        .certificate_id
        .clone();

    let page1 = iam.list_signing_certificates().user_name("signer").max_items(1).send().await.unwrap();
    assert!(page1.is_truncated());
    assert_eq!(page1.certificates().len(), 1);
    assert_eq!(page1.certificates()[0].certificate_id(), id);
    assert_eq!(page1.certificates()[0].certificate_body(), body);
    let page2 =
        iam.list_signing_certificates().user_name("signer").marker(page1.marker().unwrap()).send().await.unwrap();
    assert!(!page2.is_truncated());
    assert_eq!(page2.certificates()[0].certificate_id(), id2);

    iam.update_signing_certificate()
        .user_name("signer")
        .certificate_id(&id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam.list_signing_certificates().user_name("signer").send().await.unwrap();
    assert_eq!(listed.certificates()[0].status(), &StatusType::Inactive);
    assert_eq!(listed.certificates()[1].status(), &StatusType::Active);

    iam.delete_signing_certificate().user_name("signer").certificate_id(&id).send().await.unwrap();
    let missing = format!("The Certificate with id {id} cannot be found.");
    let e = aws_err(iam.delete_signing_certificate().user_name("signer").certificate_id(&id).send().await);
    assert_eq!(e, err("NoSuchEntity", &missing, 404));
    let e = aws_err(
        iam.update_signing_certificate()
            .user_name("signer")
            .certificate_id("NONEXISTENTCERTID12345678901")
            .status(StatusType::Inactive)
            .send()
            .await,
    );
    assert_eq!(e, err("NoSuchEntity", "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found.", 404));
    let e = aws_err(iam.list_signing_certificates().user_name("nonexistent-user").send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name nonexistent-user cannot be found.", 404));
    // Another user's name does not reach the certificate.
    iam.create_user().user_name("other").send().await.unwrap();
    let e = aws_err(iam.delete_signing_certificate().user_name("other").certificate_id(&id2).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("The Certificate with id {id2} cannot be found."), 404));

    // Without a UserName the calling user's own certificates are meant.
    let creds = s.user_with_key("self").await;
    iam.put_user_policy()
        .user_name("self")
        .policy_name("own")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*SigningCertificate*","Resource":"arn:aws:iam::000000000000:user/self"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let own = s.iam(&creds);
    let mine = own.upload_signing_certificate().certificate_body(certificate("self.example")).send().await.unwrap();
    assert_eq!(mine.certificate.unwrap().user_name(), "self");
    assert_eq!(own.list_signing_certificates().send().await.unwrap().certificates().len(), 1);
    // The root user has no signing certificates of its own here and must name a user.
    let e = aws_err(iam.list_signing_certificates().send().await);
    assert_eq!(e, err("ValidationError", "Must specify userName when calling with non-User credentials", 400));
    s.stop().await;
}

async fn signing_certificate_refusals(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("signer").send().await.unwrap();
    let upload = |body: String| iam.upload_signing_certificate().user_name("signer").certificate_body(body).send();
    let e = aws_err(upload("invalid-certificate-body".into()).await);
    assert_eq!(e, err("MalformedCertificate", "Certificate invalid-certificate-body is malformed.", 400));
    let truncated = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    let e = aws_err(upload(truncated.into()).await);
    assert_eq!(e, err("MalformedCertificate", &format!("Certificate {truncated} is malformed."), 400));
    let two = format!("{}{}", certificate("a.example"), certificate("b.example"));
    assert_eq!(aws_err(upload(two).await).code, "MalformedCertificate");
    let e = aws_err(upload(expired_certificate()).await);
    assert_eq!(e, err("InvalidCertificate", "The certificate is expired.", 400));

    let body = certificate("one.example");
    upload(body.clone()).await.unwrap();
    let duplicate =
        err("DuplicateCertificate", "The same certificate is already associated with an IAM user in the account.", 409);
    assert_eq!(aws_err(upload(body.clone()).await), duplicate);
    // Unique in the account: another user cannot hold it either.
    iam.create_user().user_name("other").send().await.unwrap();
    let e = aws_err(iam.upload_signing_certificate().user_name("other").certificate_body(&body).send().await);
    assert_eq!(e, duplicate);

    upload(certificate("two.example")).await.unwrap();
    let e = aws_err(upload(certificate("three.example")).await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2", 409));
    s.stop().await;
}

async fn delete_user_while_a_signing_certificate_remains(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("signer").send().await.unwrap();
    let c = iam
        .upload_signing_certificate()
        .user_name("signer")
        .certificate_body(certificate("one.example"))
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap();
    let e = aws_err(iam.delete_user().user_name("signer").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete signing certificates first.", 409));
    iam.delete_signing_certificate().user_name("signer").certificate_id(c.certificate_id()).send().await.unwrap();
    iam.delete_user().user_name("signer").send().await.unwrap();
    s.stop().await;
}

async fn signing_certificates_without_permission_are_denied(backend: Backend) {
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
    let e = aws_err(frank.upload_signing_certificate().user_name("target").certificate_body("junk").send().await);
    assert_eq!(e, denied("iam:UploadSigningCertificate", target));
    let e = aws_err(frank.list_signing_certificates().send().await);
    assert_eq!(e, denied("iam:ListSigningCertificates", "arn:aws:iam::000000000000:user/frank"));
    let e = aws_err(
        frank
            .update_signing_certificate()
            .user_name("target")
            .certificate_id("NONEXISTENTCERTID12345678901")
            .status(StatusType::Inactive)
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:UpdateSigningCertificate", target));
    let e = aws_err(
        frank
            .delete_signing_certificate()
            .user_name("target")
            .certificate_id("NONEXISTENTCERTID12345678901")
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:DeleteSigningCertificate", target));
    s.stop().await;
}
