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

both_stores!(
    server_certificates_upload_get_list_update_delete,
    server_certificate_refusals,
    server_certificate_tags,
    server_certificates_without_permission_are_denied
);

/// An RSA key (PKCS#8 PEM) and a certificate for it.
fn rsa_server_certificate(name: &str) -> (String, String) {
    use rsa::pkcs8::EncodePrivateKey as _;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let pem = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
    let pair = rcgen::KeyPair::from_pem(&pem).unwrap();
    let cert = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap().self_signed(&pair).unwrap();
    (cert.pem(), pem)
}

/// An ECDSA P-256 key and a certificate for it, valid until the start of 2031.
fn ec_server_certificate(name: &str) -> (String, String) {
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
    params.not_after = rcgen::date_time_ymd(2031, 1, 1);
    (params.self_signed(&pair).unwrap().pem(), pair.serialize_pem())
}

/// Every response's raw text must be free of the private key: its PEM and its base64 body lines.
fn assert_no_key(text: &str, key_pem: &str) {
    for line in key_pem.lines().filter(|l| !l.starts_with("-----") && l.len() > 16) {
        assert!(!text.contains(line), "a response carries the private key");
    }
}

async fn server_certificates_upload_get_list_update_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let (body, key) = rsa_server_certificate("www.example.com");
    let (chain, _) = ec_server_certificate("ca.example.com");
    let up = iam
        .upload_server_certificate()
        .server_certificate_name("web")
        .path("/cloudfront/")
        .certificate_body(&body)
        .private_key(&key)
        .certificate_chain(&chain)
        .send()
        .await
        .unwrap();
    assert_no_key(&format!("{up:?}"), &key);
    assert!(up.tags().is_empty());
    let m = up.server_certificate_metadata.unwrap();
    assert_eq!(m.arn(), "arn:aws:iam::000000000000:server-certificate/cloudfront/web");
    assert_eq!((m.server_certificate_name(), m.path()), ("web", "/cloudfront/"));
    assert!(m.server_certificate_id().starts_with("ASCA") && m.server_certificate_id().len() == 21);
    assert!(m.upload_date().is_some());
    // rcgen's default notAfter is 4096-01-01.
    assert_eq!(m.expiration().unwrap().secs(), 67_090_118_400);

    let got = iam.get_server_certificate().server_certificate_name("WEB").send().await.unwrap();
    assert_no_key(&format!("{got:?}"), &key);
    let c = got.server_certificate.unwrap();
    assert_eq!(c.certificate_body(), body);
    assert_eq!(c.certificate_chain(), Some(chain.as_str()));
    assert!(c.tags().is_empty());
    assert_eq!(c.server_certificate_metadata().unwrap().server_certificate_id(), m.server_certificate_id());

    // An ECDSA key, and listing with a path prefix and pages.
    let (body2, key2) = ec_server_certificate("api.example.com");
    let up2 = iam
        .upload_server_certificate()
        .server_certificate_name("api")
        .certificate_body(&body2)
        .private_key(&key2)
        .send()
        .await
        .unwrap();
    let m2 = up2.server_certificate_metadata.unwrap();
    assert_eq!(m2.path(), "/");
    assert_eq!(m2.expiration().unwrap().secs(), 1_924_992_000);
    let all = iam.list_server_certificates().send().await.unwrap();
    assert_no_key(&format!("{all:?}"), &key);
    let names: Vec<&str> = all.server_certificate_metadata_list().iter().map(|m| m.server_certificate_name()).collect();
    assert_eq!(names, ["api", "web"]);
    let cf = iam.list_server_certificates().path_prefix("/cloudfront/").send().await.unwrap();
    assert_eq!(cf.server_certificate_metadata_list().len(), 1);
    let page = iam.list_server_certificates().max_items(1).send().await.unwrap();
    assert!(page.is_truncated());
    let rest = iam.list_server_certificates().marker(page.marker().unwrap()).send().await.unwrap();
    assert_eq!(rest.server_certificate_metadata_list()[0].server_certificate_name(), "web");

    // Rename and move; the old name is gone, a taken name is refused.
    iam.update_server_certificate()
        .server_certificate_name("web")
        .new_server_certificate_name("www")
        .new_path("/elb/")
        .send()
        .await
        .unwrap();
    let moved = iam.get_server_certificate().server_certificate_name("www").send().await.unwrap();
    let mm = moved.server_certificate.unwrap().server_certificate_metadata.unwrap();
    assert_eq!(mm.arn(), "arn:aws:iam::000000000000:server-certificate/elb/www");
    assert_eq!(mm.server_certificate_id(), m.server_certificate_id());
    let e = aws_err(iam.get_server_certificate().server_certificate_name("web").send().await);
    assert_eq!(e, err("NoSuchEntity", "The Server Certificate with name web cannot be found.", 404));
    let e = aws_err(
        iam.update_server_certificate().server_certificate_name("www").new_server_certificate_name("API").send().await,
    );
    assert_eq!(e, err("EntityAlreadyExists", "The Server Certificate with name API already exists.", 409));
    // A new path alone keeps the name.
    iam.update_server_certificate().server_certificate_name("www").new_path("/").send().await.unwrap();

    iam.delete_server_certificate().server_certificate_name("www").send().await.unwrap();
    let e = aws_err(iam.delete_server_certificate().server_certificate_name("www").send().await);
    assert_eq!(e, err("NoSuchEntity", "The Server Certificate with name www cannot be found.", 404));
    s.stop().await;
}

async fn server_certificate_refusals(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let (body, key) = ec_server_certificate("www.example.com");
    let (other_body, other_key) = ec_server_certificate("other.example.com");
    let upload = |name: &str, body: &str, key: &str| {
        iam.upload_server_certificate()
            .server_certificate_name(name.to_string())
            .certificate_body(body.to_string())
            .private_key(key.to_string())
            .send()
    };
    let e = aws_err(upload("web", &body, &other_key).await);
    assert_eq!(e, err("KeyPairMismatch", "The public key certificate and the private key do not match.", 400));
    assert_no_key(&e.message, &other_key);
    let (_, rsa_key) = rsa_server_certificate("x.example.com");
    assert_eq!(aws_err(upload("web", &body, &rsa_key).await).code, "KeyPairMismatch");
    let e = aws_err(upload("web", "certificate-body", &key).await);
    assert_eq!(e, err("MalformedCertificate", "Certificate certificate-body is malformed.", 400));
    let e = aws_err(upload("web", &body, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").await);
    assert_eq!(e, err("MalformedCertificate", "The private key is malformed.", 400));
    let e = aws_err(
        iam.upload_server_certificate()
            .server_certificate_name("web")
            .certificate_body(&body)
            .private_key(&key)
            .certificate_chain("not a chain")
            .send()
            .await,
    );
    assert_eq!(e, err("MalformedCertificate", "The certificate chain is malformed.", 400));

    upload("web", &body, &key).await.unwrap();
    let e = aws_err(upload("WEB", &other_body, &other_key).await);
    assert_eq!(e, err("EntityAlreadyExists", "The Server Certificate with name WEB already exists.", 409));
    let e = aws_err(iam.get_server_certificate().server_certificate_name("nonexistent-certificate").send().await);
    assert_eq!(
        e,
        err("NoSuchEntity", "The Server Certificate with name nonexistent-certificate cannot be found.", 404)
    );
    s.stop().await;
}

async fn server_certificate_tags(backend: Backend) {
    use aws_sdk_iam::types::Tag;
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let (body, key) = ec_server_certificate("www.example.com");
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let up = iam
        .upload_server_certificate()
        .server_certificate_name("web")
        .certificate_body(&body)
        .private_key(&key)
        .tags(tag("team", "edge"))
        .send()
        .await
        .unwrap();
    assert_eq!(up.tags().len(), 1);
    iam.tag_server_certificate().server_certificate_name("web").tags(tag("env", "prod")).send().await.unwrap();
    let listed = iam.list_server_certificate_tags().server_certificate_name("web").send().await.unwrap();
    let keys: Vec<&str> = listed.tags().iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["team", "env"]);
    iam.untag_server_certificate().server_certificate_name("web").tag_keys("TEAM").send().await.unwrap();
    let got = iam.get_server_certificate().server_certificate_name("web").send().await.unwrap();
    let tags = got.server_certificate.unwrap().tags;
    assert_eq!(tags.unwrap().iter().map(|t| t.key()).collect::<Vec<_>>(), ["env"]);
    let e = aws_err(iam.list_server_certificate_tags().server_certificate_name("nope").send().await);
    assert_eq!(e, err("NoSuchEntity", "The Server Certificate with name nope cannot be found.", 404));
    // Deleting the certificate forgets its tags: one uploaded again under the name starts without any.
    iam.delete_server_certificate().server_certificate_name("web").send().await.unwrap();
    iam.upload_server_certificate()
        .server_certificate_name("web")
        .certificate_body(&body)
        .private_key(&key)
        .send()
        .await
        .unwrap();
    let listed = iam.list_server_certificate_tags().server_certificate_name("web").send().await.unwrap();
    assert!(listed.tags().is_empty());
    s.stop().await;
}

async fn server_certificates_without_permission_are_denied(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let (body, key) = ec_server_certificate("www.example.com");
    iam.upload_server_certificate()
        .server_certificate_name("web")
        .certificate_body(&body)
        .private_key(&key)
        .send()
        .await
        .unwrap();
    let frank = s.iam(&s.user_with_key("frank").await);
    let denied = |action: &str, resource: &str| {
        err(
            "AccessDenied",
            &format!("User: arn:aws:iam::000000000000:user/frank is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"),
            403,
        )
    };
    let arn = "arn:aws:iam::000000000000:server-certificate/web";
    // Refused before the body is parsed or the name looked up.
    let e = aws_err(
        frank
            .upload_server_certificate()
            .server_certificate_name("new")
            .certificate_body("junk")
            .private_key("junk")
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:UploadServerCertificate", "arn:aws:iam::000000000000:server-certificate/new"));
    let e = aws_err(frank.get_server_certificate().server_certificate_name("web").send().await);
    assert_eq!(e, denied("iam:GetServerCertificate", arn));
    let e = aws_err(frank.list_server_certificates().send().await);
    assert_eq!(e, denied("iam:ListServerCertificates", "arn:aws:iam::000000000000:server-certificate/"));
    let e = aws_err(frank.delete_server_certificate().server_certificate_name("web").send().await);
    assert_eq!(e, denied("iam:DeleteServerCertificate", arn));
    // Moving needs the permission on the target too.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UpdateServerCertificate","Resource":"arn:aws:iam::000000000000:server-certificate/web"}]}"#;
    iam.put_user_policy().user_name("frank").policy_name("move").policy_document(doc).send().await.unwrap();
    let e = aws_err(
        frank
            .update_server_certificate()
            .server_certificate_name("web")
            .new_server_certificate_name("www")
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:UpdateServerCertificate", "arn:aws:iam::000000000000:server-certificate/www"));
    s.stop().await;
}
