//! SSH public keys through aws-sdk-iam: upload in the OpenSSH and PEM encodings, the MD5 fingerprint, Get in
//! either encoding, listing with pages, status, delete, the refusals (malformed, unsupported, too short,
//! duplicate, the five-key quota), DeleteUser while a key remains, and denial without permission.

use aws_sdk_iam::types::{EncodingType, StatusType};
use base64::Engine as _;
use md5::{Digest as _, Md5};
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::{DecodePublicKey as _, EncodePublicKey as _, LineEnding};

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    upload_get_list_update_delete,
    malformed_unsupported_duplicate_and_quota,
    delete_user_while_a_key_remains,
    users_without_permission_are_denied
);

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

fn rsa_key(bits: usize) -> rsa::RsaPublicKey {
    rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits).unwrap().to_public_key()
}

/// The key as one OpenSSH line, written by ssh-key (independently of the server's conversion).
fn openssh_line(k: &rsa::RsaPublicKey, comment: &str) -> String {
    use rsa::traits::PublicKeyParts as _;
    let e = ssh_key::Mpint::from_positive_bytes(&k.e().to_bytes_be()).unwrap();
    let n = ssh_key::Mpint::from_positive_bytes(&k.n().to_bytes_be()).unwrap();
    let data = ssh_key::public::KeyData::Rsa(ssh_key::public::RsaPublicKey { e, n });
    ssh_key::PublicKey::new(data, comment).to_openssh().unwrap()
}

/// MD5 of the base64 blob of an OpenSSH line, `xx:xx:...`: `ssh-keygen -E md5 -l`'s fingerprint.
fn md5_fingerprint(line: &str) -> String {
    let blob = base64::engine::general_purpose::STANDARD.decode(line.split(' ').nth(1).unwrap()).unwrap();
    Md5::digest(&blob).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

async fn upload_get_list_update_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let k1 = rsa_key(2048);
    let line = openssh_line(&k1, "dev@laptop");
    let up = iam.upload_ssh_public_key().user_name("dev").ssh_public_key_body(&line).send().await.unwrap();
    let key = up.ssh_public_key.unwrap();
    let id = key.ssh_public_key_id().to_string();
    assert!(id.starts_with("APKA") && id.len() == 20, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(key.user_name(), "dev");
    assert_eq!(key.ssh_public_key_body(), line);
    assert_eq!(key.fingerprint(), md5_fingerprint(&line));
    assert_eq!(key.status(), &StatusType::Active);
    assert!(key.upload_date().is_some());

    let get = |encoding: EncodingType| {
        iam.get_ssh_public_key().user_name("dev").ssh_public_key_id(&id).encoding(encoding).send()
    };
    let ssh = get(EncodingType::Ssh).await.unwrap().ssh_public_key.unwrap();
    assert_eq!(ssh.ssh_public_key_body(), line);
    assert_eq!(ssh.fingerprint(), md5_fingerprint(&line));
    let pem = get(EncodingType::Pem).await.unwrap().ssh_public_key.unwrap();
    assert!(pem.ssh_public_key_body().starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(rsa::RsaPublicKey::from_public_key_pem(pem.ssh_public_key_body()).unwrap(), k1);

    // A PKCS#1 PEM upload is answered in SSH's encoding, and the PEM comes back as uploaded.
    let k2 = rsa_key(3072);
    let pkcs1 = k2.to_pkcs1_pem(LineEnding::LF).unwrap();
    let up2 = iam.upload_ssh_public_key().user_name("dev").ssh_public_key_body(pkcs1.as_str()).send().await.unwrap();
    let key2 = up2.ssh_public_key.unwrap();
    assert_eq!(key2.ssh_public_key_body(), openssh_line(&k2, ""));
    assert_eq!(key2.fingerprint(), md5_fingerprint(&openssh_line(&k2, "")));
    let id2 = key2.ssh_public_key_id().to_string();
    let pem2 = iam
        .get_ssh_public_key()
        .user_name("dev")
        .ssh_public_key_id(&id2)
        .encoding(EncodingType::Pem)
        .send()
        .await
        .unwrap();
    assert_eq!(pem2.ssh_public_key.unwrap().ssh_public_key_body(), pkcs1.trim());

    // Listing, one per page.
    let page1 = iam.list_ssh_public_keys().user_name("dev").max_items(1).send().await.unwrap();
    assert!(page1.is_truncated());
    let listed = page1.ssh_public_keys();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].ssh_public_key_id(), listed[0].user_name()), (id.as_str(), "dev"));
    let page2 =
        iam.list_ssh_public_keys().user_name("dev").max_items(1).marker(page1.marker().unwrap()).send().await.unwrap();
    assert!(!page2.is_truncated());
    assert_eq!(page2.ssh_public_keys()[0].ssh_public_key_id(), id2);
    let e = aws_err(iam.list_ssh_public_keys().user_name("dev").marker("garbage!").send().await);
    assert_eq!(e, err("ValidationError", "Invalid Marker.", 400));

    iam.update_ssh_public_key()
        .user_name("dev")
        .ssh_public_key_id(&id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    assert_eq!(get(EncodingType::Ssh).await.unwrap().ssh_public_key.unwrap().status(), &StatusType::Inactive);
    let e = aws_err(
        iam.update_ssh_public_key().user_name("dev").ssh_public_key_id(&id).status(StatusType::Expired).send().await,
    );
    assert_eq!(e.code, "ValidationError");

    // The key belongs to dev alone: another user's name does not find it.
    iam.create_user().user_name("other").send().await.unwrap();
    let missing = "The Public Key with id ".to_string() + &id + " cannot be found.";
    let e = aws_err(
        iam.get_ssh_public_key().user_name("other").ssh_public_key_id(&id).encoding(EncodingType::Ssh).send().await,
    );
    assert_eq!(e, err("NoSuchEntity", &missing, 404));
    let e = aws_err(iam.delete_ssh_public_key().user_name("other").ssh_public_key_id(&id).send().await);
    assert_eq!(e, err("NoSuchEntity", &missing, 404));

    iam.delete_ssh_public_key().user_name("dev").ssh_public_key_id(&id).send().await.unwrap();
    let e = aws_err(get(EncodingType::Ssh).await);
    assert_eq!(e, err("NoSuchEntity", &missing, 404));
    let e = aws_err(
        iam.update_ssh_public_key()
            .user_name("dev")
            .ssh_public_key_id("APKAXXXXXXXXXXXXXXXXX")
            .status(StatusType::Inactive)
            .send()
            .await,
    );
    assert_eq!(e, err("NoSuchEntity", "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.", 404));
    let e = aws_err(iam.upload_ssh_public_key().user_name("nobody").ssh_public_key_body(&line).send().await);
    assert_eq!(e, err("NoSuchEntity", "The user with name nobody cannot be found.", 404));
    s.stop().await;
}

async fn malformed_unsupported_duplicate_and_quota(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let upload = |body: String| iam.upload_ssh_public_key().user_name("dev").ssh_public_key_body(body).send();
    let invalid = err("InvalidPublicKey", "The public key is malformed or otherwise invalid.", 400);
    let unrecognized =
        err("UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized.", 400);
    assert_eq!(aws_err(upload("not a key".into()).await), unrecognized);
    assert_eq!(
        aws_err(
            upload("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzvfE+qS09w+okgrO0gY7jryF0lSCxdEO/O0UaUhuZe a@b".into()).await
        ),
        unrecognized
    );
    assert_eq!(aws_err(upload("ssh-rsa AAAAnotbase64!!".into()).await), invalid);
    assert_eq!(aws_err(upload("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----".into()).await), invalid);
    // AWS's minimum is 2048 bits.
    let short = rsa_key(1024);
    assert_eq!(aws_err(upload(openssh_line(&short, "")).await), invalid);
    assert_eq!(aws_err(upload(short.to_public_key_pem(LineEnding::LF).unwrap()).await), invalid);

    // The same key again, in either encoding, is a duplicate for this user; another user may hold it too.
    let k = rsa_key(2048);
    upload(openssh_line(&k, "first")).await.unwrap();
    let duplicate =
        err("DuplicateSSHPublicKey", "The SSH public key is already associated with the specified IAM user.", 400);
    assert_eq!(aws_err(upload(openssh_line(&k, "second")).await), duplicate);
    assert_eq!(aws_err(upload(k.to_public_key_pem(LineEnding::LF).unwrap()).await), duplicate);
    iam.create_user().user_name("pair").send().await.unwrap();
    iam.upload_ssh_public_key().user_name("pair").ssh_public_key_body(openssh_line(&k, "")).send().await.unwrap();

    for _ in 0..4 {
        upload(openssh_line(&rsa_key(2048), "")).await.unwrap();
    }
    let e = aws_err(upload(openssh_line(&rsa_key(2048), "")).await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5", 409));
    assert_eq!(iam.list_ssh_public_keys().user_name("dev").send().await.unwrap().ssh_public_keys().len(), 5);
    s.stop().await;
}

async fn delete_user_while_a_key_remains(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let key = iam
        .upload_ssh_public_key()
        .user_name("dev")
        .ssh_public_key_body(openssh_line(&rsa_key(2048), ""))
        .send()
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    let e = aws_err(iam.delete_user().user_name("dev").send().await);
    assert_eq!(e, err("DeleteConflict", "Cannot delete entity, must delete SSH public keys first.", 409));
    iam.delete_ssh_public_key().user_name("dev").ssh_public_key_id(key.ssh_public_key_id()).send().await.unwrap();
    iam.delete_user().user_name("dev").send().await.unwrap();
    s.stop().await;
}

async fn users_without_permission_are_denied(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("target").send().await.unwrap();
    let creds = s.user_with_key("frank").await;
    let frank = s.iam(&creds);
    let denied = |action: &str, resource: &str| {
        err(
            "AccessDenied",
            &format!("User: arn:aws:iam::000000000000:user/frank is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action"),
            403,
        )
    };
    let target = "arn:aws:iam::000000000000:user/target";
    // Refused before the body is looked at: a malformed key is not reported to a caller without permission.
    let e = aws_err(frank.upload_ssh_public_key().user_name("target").ssh_public_key_body("junk").send().await);
    assert_eq!(e, denied("iam:UploadSSHPublicKey", target));
    let e = aws_err(frank.list_ssh_public_keys().send().await);
    assert_eq!(e, denied("iam:ListSSHPublicKeys", "arn:aws:iam::000000000000:user/frank"));
    let e = aws_err(
        frank
            .get_ssh_public_key()
            .user_name("target")
            .ssh_public_key_id("APKAXXXXXXXXXXXXXXXX")
            .encoding(EncodingType::Pem)
            .send()
            .await,
    );
    assert_eq!(e, denied("iam:GetSSHPublicKey", target));
    let e = aws_err(
        frank.delete_ssh_public_key().user_name("target").ssh_public_key_id("APKAXXXXXXXXXXXXXXXX").send().await,
    );
    assert_eq!(e, denied("iam:DeleteSSHPublicKey", target));
    s.stop().await;
}
