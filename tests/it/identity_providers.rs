//! The identity-provider registry through aws-sdk-iam: OpenID Connect providers (URL rules, client ids,
//! thumbprints, tags, quotas) and SAML providers (metadata with a real self-signed certificate, private keys,
//! encryption mode, tags), AWS's recorded errors, and trust policies naming providers.

use aws_sdk_iam::types::{AssertionEncryptionModeType, Tag};
use base64::Engine as _;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, TestServer};

both_stores!(
    oidc_create_get_list_delete,
    oidc_client_ids_and_thumbprints,
    oidc_tags,
    oidc_quotas,
    saml_create_get_list_delete,
    saml_update_and_private_keys,
    saml_tags_and_quota,
    trust_policies_name_existing_providers,
);

const ACCOUNT: &str = "000000000000";

fn err(code: &str, message: &str, status: u16) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status }
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

fn oidc_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{name}")
}

fn saml_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:saml-provider/{name}")
}

fn not_found_oidc(arn: &str) -> AwsErr {
    err("NoSuchEntity", &format!("OpenIDConnect Provider not found for arn {arn}"), 404)
}

fn not_found_saml(arn: &str) -> AwsErr {
    err("NoSuchEntity", &format!("Manifest not found for arn {arn}"), 404)
}

fn thumb(c: char) -> String {
    c.to_string().repeat(40)
}

/// A fresh self-signed certificate, base64 DER, as metadata carries it.
fn certificate() -> String {
    let c = rcgen::generate_simple_self_signed(vec!["idp.example.com".to_string()]).unwrap();
    base64::engine::general_purpose::STANDARD.encode(c.cert.der())
}

/// IdP metadata (over the model's 1000 characters) with one signing certificate.
pub fn metadata(entity_id: &str, valid_until: Option<&str>) -> String {
    let valid = valid_until.map(|v| format!(r#" validUntil="{v}""#)).unwrap_or_default();
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}"{valid}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>{cert}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/saml"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#,
        cert = certificate()
    );
    assert!(doc.len() >= 1000, "fixture is {} characters", doc.len());
    doc
}

async fn oidc_create_get_list_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let out = iam
        .create_open_id_connect_provider()
        .url("https://token.example.com/realms/main")
        .client_id_list("app-1")
        .client_id_list("app-2")
        .client_id_list("app-1")
        .thumbprint_list(thumb('a'))
        .tags(tag("team", "core"))
        .send()
        .await
        .unwrap();
    let arn = oidc_arn("token.example.com/realms/main");
    assert_eq!(out.open_id_connect_provider_arn(), Some(arn.as_str()));
    assert_eq!(out.tags().len(), 1);

    let got = iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.url(), Some("token.example.com/realms/main"));
    assert_eq!(got.client_id_list(), ["app-1", "app-2"]);
    assert_eq!(got.thumbprint_list(), [thumb('a')]);
    assert!(got.create_date().is_some());
    assert_eq!(got.tags().iter().map(|t| (t.key(), t.value())).collect::<Vec<_>>(), [("team", "core")]);

    // A port is part of the host; with no thumbprints none are stored (nothing is fetched).
    let out = iam.create_open_id_connect_provider().url("https://idp.local:8443").send().await.unwrap();
    let port_arn = oidc_arn("idp.local:8443");
    assert_eq!(out.open_id_connect_provider_arn(), Some(port_arn.as_str()));
    assert!(out.tags().is_empty());
    let got = iam.get_open_id_connect_provider().open_id_connect_provider_arn(&port_arn).send().await.unwrap();
    assert!(got.thumbprint_list().is_empty() && got.client_id_list().is_empty() && got.tags().is_empty());

    let e = aws_err(iam.create_open_id_connect_provider().url("https://idp.local:8443").send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Provider with url https://idp.local:8443 already exists.", 409));
    for bad in ["example.org", "http://example.org", "https://example.org?a=b", "https://"] {
        let e = aws_err(iam.create_open_id_connect_provider().url(bad).send().await);
        assert_eq!(e, err("ValidationError", "Invalid Open ID Connect Provider URL", 400), "{bad}");
    }
    let mut six = iam.create_open_id_connect_provider().url("https://six.example.com");
    for c in ['a', 'b', 'c', 'd', 'e', 'f'] {
        six = six.thumbprint_list(thumb(c));
    }
    assert_eq!(
        aws_err(six.send().await),
        err("InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400)
    );
    let e = aws_err(
        iam.create_open_id_connect_provider().url("https://hex.example.com").thumbprint_list(thumb('z')).send().await,
    );
    assert_eq!(e.code, "InvalidInput");
    let e = aws_err(
        iam.create_open_id_connect_provider().url("https://len.example.com").thumbprint_list("abc").send().await,
    );
    assert_eq!(
        e,
        err(
            "ValidationError",
            "1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]",
            400
        )
    );

    let listed = iam.list_open_id_connect_providers().send().await.unwrap();
    let arns: Vec<&str> = listed.open_id_connect_provider_list().iter().filter_map(|p| p.arn()).collect();
    assert_eq!(arns, [port_arn.as_str(), arn.as_str()]);

    iam.delete_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    let e = aws_err(iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await);
    assert_eq!(e, not_found_oidc(&arn));
    let e = aws_err(iam.delete_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await);
    assert_eq!(e, err("NoSuchEntity", &format!("OpenId connect Provider {arn} cannot be found."), 404));
    // Recreated, it starts without the old one's tags and client ids.
    iam.create_open_id_connect_provider().url("https://token.example.com/realms/main").send().await.unwrap();
    let got = iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert!(got.tags().is_empty() && got.client_id_list().is_empty());
    let summary = iam.get_account_summary().send().await.unwrap();
    let providers = summary.summary_map().unwrap().get(&aws_sdk_iam::types::SummaryKeyType::Providers);
    assert_eq!(providers, Some(&2));
    s.stop().await;
}

async fn oidc_client_ids_and_thumbprints(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_open_id_connect_provider().url("https://idp.example.com").client_id_list("a").send().await.unwrap();
    let arn = oidc_arn("idp.example.com");
    let add = |id: &str| {
        iam.add_client_id_to_open_id_connect_provider().open_id_connect_provider_arn(&arn).client_id(id).send()
    };
    add("b").await.unwrap();
    add("a").await.unwrap(); // already there: a no-op
    let remove = |id: &str| {
        iam.remove_client_id_from_open_id_connect_provider().open_id_connect_provider_arn(&arn).client_id(id).send()
    };
    remove("a").await.unwrap();
    remove("never-added").await.unwrap();
    add("c").await.unwrap();
    let got = iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.client_id_list(), ["b", "c"]);

    let update = |t: Vec<String>| {
        iam.update_open_id_connect_provider_thumbprint()
            .open_id_connect_provider_arn(&arn)
            .set_thumbprint_list(Some(t))
            .send()
    };
    update(vec![thumb('c'), thumb('d')]).await.unwrap();
    update(vec![thumb('e'), thumb('c')]).await.unwrap();
    let got = iam.get_open_id_connect_provider().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.thumbprint_list(), [thumb('e'), thumb('c')]);
    let e = aws_err(update(['a', 'b', 'c', 'd', 'e', 'f'].into_iter().map(thumb).collect()).await);
    assert_eq!(e, err("InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400));

    let missing = oidc_arn("nobody.example.com");
    let e = aws_err(
        iam.add_client_id_to_open_id_connect_provider()
            .open_id_connect_provider_arn(&missing)
            .client_id("x")
            .send()
            .await,
    );
    assert_eq!(e, not_found_oidc(&missing));
    let e = aws_err(
        iam.update_open_id_connect_provider_thumbprint()
            .open_id_connect_provider_arn(&missing)
            .thumbprint_list(thumb('a'))
            .send()
            .await,
    );
    assert_eq!(e, not_found_oidc(&missing));
    // Another account's provider is another account's resource: even root is refused without its grant.
    let elsewhere = "arn:aws:iam::111122223333:oidc-provider/idp.example.com";
    let e = aws_err(iam.get_open_id_connect_provider().open_id_connect_provider_arn(elsewhere).send().await);
    assert_eq!((e.code.as_str(), e.status), ("AccessDenied", 403));
    s.stop().await;
}

async fn oidc_tags(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_open_id_connect_provider().url("https://idp.example.com").tags(tag("k1", "v1")).send().await.unwrap();
    let arn = oidc_arn("idp.example.com");
    iam.tag_open_id_connect_provider().open_id_connect_provider_arn(&arn).tags(tag("k2", "v2")).send().await.unwrap();
    let listed = iam.list_open_id_connect_provider_tags().open_id_connect_provider_arn(&arn).send().await.unwrap();
    let kv: Vec<(&str, &str)> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(kv, [("k1", "v1"), ("k2", "v2")]);
    assert!(!listed.is_truncated());
    iam.untag_open_id_connect_provider().open_id_connect_provider_arn(&arn).tag_keys("K1").send().await.unwrap();
    let listed = iam.list_open_id_connect_provider_tags().open_id_connect_provider_arn(&arn).send().await.unwrap();
    assert_eq!(listed.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), ["k2"]);
    let mut many = iam.tag_open_id_connect_provider().open_id_connect_provider_arn(&arn);
    for i in 0..50 {
        many = many.tags(tag(&format!("t{i}"), "v"));
    }
    assert_eq!(
        aws_err(many.send().await),
        err("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
    );
    let missing = oidc_arn("nobody.example.com");
    let e = aws_err(iam.list_open_id_connect_provider_tags().open_id_connect_provider_arn(&missing).send().await);
    assert_eq!(e, not_found_oidc(&missing));
    s.stop().await;
}

async fn oidc_quotas(backend: Backend) {
    let s = TestServer::start_args(backend, |a| {
        a.quotas.oidc_providers = 2;
        a.quotas.client_ids_per_oidc_provider = 2;
    })
    .await;
    let iam = s.root_iam();
    let e = aws_err(
        iam.create_open_id_connect_provider()
            .url("https://a.example.com")
            .set_client_id_list(Some(vec!["1".into(), "2".into(), "3".into()]))
            .send()
            .await,
    );
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 2", 409));
    for url in ["https://a.example.com", "https://b.example.com"] {
        iam.create_open_id_connect_provider().url(url).client_id_list("1").client_id_list("2").send().await.unwrap();
    }
    let e = aws_err(iam.create_open_id_connect_provider().url("https://c.example.com").send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 2", 409));
    let arn = oidc_arn("a.example.com");
    let add = |id: &str| {
        iam.add_client_id_to_open_id_connect_provider().open_id_connect_provider_arn(&arn).client_id(id).send()
    };
    add("2").await.unwrap(); // held already: no quota is met
    let e = aws_err(add("3").await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 2", 409));
    s.stop().await;
}

async fn saml_create_get_list_delete(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let doc = metadata("https://idp.example.com/metadata", Some("2040-01-02T03:04:05Z"));
    let out = iam.create_saml_provider().name("Okta").saml_metadata_document(&doc).send().await.unwrap();
    let arn = saml_arn("Okta");
    assert_eq!(out.saml_provider_arn(), Some(arn.as_str()));
    assert!(out.tags().is_empty());

    let got = iam.get_saml_provider().saml_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.saml_metadata_document(), Some(doc.as_str()));
    assert_eq!(got.valid_until().unwrap().secs(), 2_209_086_245);
    assert!(got.create_date().is_some());
    assert_eq!(got.assertion_encryption_mode(), Some(&AssertionEncryptionModeType::Allowed));
    assert!(got.private_key_list().is_empty() && got.tags().is_empty());
    let uuid = got.saml_provider_uuid().unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(uuid.matches('-').count(), 4);

    // Without validUntil, a hundred years from the upload.
    let out = iam
        .create_saml_provider()
        .name("adfs")
        .saml_metadata_document(metadata("https://adfs.example.com", None))
        .send()
        .await
        .unwrap();
    let got = iam.get_saml_provider().saml_provider_arn(out.saml_provider_arn().unwrap()).send().await.unwrap();
    let (created, valid) = (got.create_date().unwrap().secs(), got.valid_until().unwrap().secs());
    assert!((valid - created - 100 * 365 * 24 * 3600).abs() <= 1, "{created} {valid}");

    let e = aws_err(iam.create_saml_provider().name("okta").saml_metadata_document(&doc).send().await);
    assert_eq!(e, err("EntityAlreadyExists", "Provider with name okta already exists.", 409));
    let broken = format!("{}<", doc);
    let e = aws_err(iam.create_saml_provider().name("broken").saml_metadata_document(broken).send().await);
    assert_eq!((e.code.as_str(), e.status), ("InvalidInput", 400));
    assert!(e.message.starts_with("Could not parse metadata"), "{}", e.message);
    let no_cert = doc.replace(r#"use="signing""#, r#"use="encryption""#);
    let e = aws_err(iam.create_saml_provider().name("nocert").saml_metadata_document(no_cert).send().await);
    assert_eq!(
        e,
        err("InvalidInput", "Could not parse metadata: the IDPSSODescriptor has no signing certificate", 400)
    );
    let e = aws_err(iam.create_saml_provider().name("bad name").saml_metadata_document(&doc).send().await);
    assert_eq!(e.code, "ValidationError");

    let listed = iam.list_saml_providers().send().await.unwrap();
    let arns: Vec<&str> = listed.saml_provider_list().iter().filter_map(|p| p.arn()).collect();
    assert_eq!(arns, [saml_arn("adfs").as_str(), arn.as_str()]);
    assert_eq!(listed.saml_provider_list()[1].valid_until().unwrap().secs(), 2_209_086_245);

    iam.delete_saml_provider().saml_provider_arn(&arn).send().await.unwrap();
    assert_eq!(aws_err(iam.get_saml_provider().saml_provider_arn(&arn).send().await), not_found_saml(&arn));
    assert_eq!(aws_err(iam.delete_saml_provider().saml_provider_arn(&arn).send().await), not_found_saml(&arn));
    s.stop().await;
}

async fn saml_update_and_private_keys(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let doc = metadata("https://idp.example.com/metadata", None);
    let key = || {
        use rsa::pkcs8::EncodePrivateKey as _;
        let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        k.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string()
    };
    let e = aws_err(
        iam.create_saml_provider()
            .name("p")
            .saml_metadata_document(&doc)
            .assertion_encryption_mode(AssertionEncryptionModeType::Required)
            .send()
            .await,
    );
    assert_eq!(e, err("InvalidInput", "AssertionEncryptionMode Required needs at least one private key.", 400));
    let first = key();
    iam.create_saml_provider()
        .name("p")
        .saml_metadata_document(&doc)
        .assertion_encryption_mode(AssertionEncryptionModeType::Required)
        .add_private_key(&first)
        .send()
        .await
        .unwrap();
    let arn = saml_arn("p");
    let got = iam.get_saml_provider().saml_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.assertion_encryption_mode(), Some(&AssertionEncryptionModeType::Required));
    let keys = got.private_key_list();
    assert_eq!(keys.len(), 1);
    let first_id = keys[0].key_id().unwrap().to_string();
    assert!(first_id.len() >= 22 && first_id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert!(keys[0].timestamp().is_some());

    let update = || iam.update_saml_provider().saml_provider_arn(&arn);
    let out = update().add_private_key(key()).send().await.unwrap();
    assert_eq!(out.saml_provider_arn(), Some(arn.as_str()));
    let e = aws_err(update().add_private_key(key()).send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for PrivateKeysPerSAMLProvider: 2", 409));
    let e = aws_err(update().add_private_key("not a key").send().await);
    assert_eq!(e, err("InvalidInput", "AddPrivateKey must be a PEM-encoded RSA private key.", 400));
    // An EC key could never decrypt an assertion (IdPs transport content keys with RSA-OAEP).
    let e = aws_err(update().add_private_key(rcgen::KeyPair::generate().unwrap().serialize_pem()).send().await);
    assert_eq!(e, err("InvalidInput", "AddPrivateKey must be a PEM-encoded RSA private key.", 400));
    let e = aws_err(update().remove_private_key("ABCDEFGHIJKLMNOPQRSTUVWXYZ").send().await);
    assert_eq!(e, err("NoSuchEntity", "The private key with id ABCDEFGHIJKLMNOPQRSTUVWXYZ cannot be found.", 404));
    // Rotation: remove the old key and add a new one in one request.
    update().remove_private_key(&first_id).add_private_key(key()).send().await.unwrap();
    let got = iam.get_saml_provider().saml_provider_arn(&arn).send().await.unwrap();
    let ids: Vec<&str> = got.private_key_list().iter().filter_map(|k| k.key_id()).collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&first_id.as_str()));
    // The key material is never shown.
    let body = format!("{got:?}");
    assert!(!body.contains("PRIVATE KEY") && !body.contains(&first[30..60]));

    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    update().remove_private_key(&a).send().await.unwrap();
    let e = aws_err(update().remove_private_key(&b).send().await);
    assert_eq!(e, err("InvalidInput", "AssertionEncryptionMode Required needs at least one private key.", 400));
    update()
        .assertion_encryption_mode(AssertionEncryptionModeType::Allowed)
        .remove_private_key(&b)
        .send()
        .await
        .unwrap();

    let new_doc = metadata("https://idp2.example.com/metadata", Some("2035-05-05T00:00:00Z"));
    update().saml_metadata_document(&new_doc).send().await.unwrap();
    let got = iam.get_saml_provider().saml_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.saml_metadata_document(), Some(new_doc.as_str()));
    assert_eq!(got.valid_until().unwrap().secs(), 2_061_936_000);
    assert!(got.private_key_list().is_empty());
    assert_eq!(got.assertion_encryption_mode(), Some(&AssertionEncryptionModeType::Allowed));
    let e = aws_err(update().saml_metadata_document(new_doc.replace("X509Certificate>", "Nothing>")).send().await);
    assert_eq!(e.code, "InvalidInput");
    let missing = saml_arn("nobody");
    let e = aws_err(iam.update_saml_provider().saml_provider_arn(&missing).saml_metadata_document(&doc).send().await);
    assert_eq!(e, not_found_saml(&missing));
    s.stop().await;
}

async fn saml_tags_and_quota(backend: Backend) {
    let s = TestServer::start_args(backend, |a| a.quotas.saml_providers = 1).await;
    let iam = s.root_iam();
    let doc = metadata("https://idp.example.com/metadata", None);
    let out =
        iam.create_saml_provider().name("p").saml_metadata_document(&doc).tags(tag("a", "1")).send().await.unwrap();
    assert_eq!(out.tags().len(), 1);
    let arn = saml_arn("p");
    let e = aws_err(iam.create_saml_provider().name("q").saml_metadata_document(&doc).send().await);
    assert_eq!(e, err("LimitExceeded", "Cannot exceed quota for SAMLProvidersPerAccount: 1", 409));
    iam.tag_saml_provider().saml_provider_arn(&arn).tags(tag("b", "2")).send().await.unwrap();
    let listed = iam.list_saml_provider_tags().saml_provider_arn(&arn).send().await.unwrap();
    let kv: Vec<(&str, &str)> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(kv, [("a", "1"), ("b", "2")]);
    iam.untag_saml_provider().saml_provider_arn(&arn).tag_keys("a").send().await.unwrap();
    let got = iam.get_saml_provider().saml_provider_arn(&arn).send().await.unwrap();
    assert_eq!(got.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), ["b"]);
    let e =
        aws_err(iam.tag_saml_provider().saml_provider_arn(&arn).tags(tag("x", "1")).tags(tag("X", "2")).send().await);
    assert_eq!(
        e,
        err("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    );
    let missing = saml_arn("nobody");
    let e = aws_err(iam.list_saml_provider_tags().saml_provider_arn(&missing).send().await);
    assert_eq!(e, not_found_saml(&missing));
    s.stop().await;
}

fn trusting(key: &str, value: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"{key}":"{value}"}},"Action":["sts:AssumeRoleWithSAML","sts:AssumeRoleWithWebIdentity"]}}]}}"#
    )
}

async fn trust_policies_name_existing_providers(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    let oidc = oidc_arn("token.actions.githubusercontent.com");
    let saml = saml_arn("okta");
    for arn in [&oidc, &saml] {
        let e = aws_err(
            iam.create_role().role_name("r").assume_role_policy_document(trusting("Federated", arn)).send().await,
        );
        assert_eq!(
            e,
            err("MalformedPolicyDocument", &format!(r#"Invalid principal in policy: "Federated":"{arn}""#), 400)
        );
    }
    iam.create_open_id_connect_provider().url("https://token.actions.githubusercontent.com").send().await.unwrap();
    iam.create_saml_provider()
        .name("okta")
        .saml_metadata_document(metadata("https://okta.example.com", None))
        .send()
        .await
        .unwrap();
    iam.create_role().role_name("gh").assume_role_policy_document(trusting("Federated", &oidc)).send().await.unwrap();
    iam.create_role().role_name("sso").assume_role_policy_document(trusting("Federated", &saml)).send().await.unwrap();
    // ARNs are exact: the SAML provider's name in another case names nothing.
    let other_case = saml_arn("OKTA");
    let e = aws_err(
        iam.create_role().role_name("r").assume_role_policy_document(trusting("Federated", &other_case)).send().await,
    );
    assert_eq!(e.code, "MalformedPolicyDocument");
    // The well-known web-identity providers need no registration.
    iam.create_role()
        .role_name("google")
        .assume_role_policy_document(trusting("Federated", "accounts.google.com"))
        .send()
        .await
        .unwrap();
    // Deleting a provider leaves the roles that trust it as they are (as AWS documents).
    iam.delete_open_id_connect_provider().open_id_connect_provider_arn(&oidc).send().await.unwrap();
    iam.delete_saml_provider().saml_provider_arn(&saml).send().await.unwrap();
    for role in ["gh", "sso"] {
        iam.get_role().role_name(role).send().await.unwrap();
        iam.delete_role().role_name(role).send().await.unwrap();
    }
    s.stop().await;
}
