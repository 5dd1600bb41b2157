//! AssumeRoleWithSAML through aws-sdk-sts against the project's test SAML IdP (real RSA-SHA256 XML signatures
//! over exclusive canonicalisation): the session and what the response reports, trust conditions on `saml:*`
//! keys, and the ways a response is refused (tampering, signature wrapping, another key, audience, age, the Role
//! attribute), and assertions encrypted (XML Encryption, RSA-OAEP with AES-GCM or AES-CBC) for the provider's
//! private keys.

use aws_sdk_iam::types::AssertionEncryptionModeType;
use base64::Engine as _;
use gatehouse::test_idp::{ContentCipher, SamlAssertion, SamlIdp};

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(
    a_signed_response_from_a_registered_provider,
    refused_responses,
    wrapped_signatures,
    configured_audience,
    encrypted_assertions,
    expired_metadata
);

const ROLE: &str = "arn:aws:iam::000000000000:role/sso";
const PROVIDER: &str = "arn:aws:iam::000000000000:saml-provider/TestIdP";
const ENTITY: &str = "https://idp.gatehouse.test/metadata";

fn err(code: &str, message: &str) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status: 400 }
}

fn denied(message: &str) -> AwsErr {
    AwsErr { code: "AccessDenied".into(), message: message.into(), status: 403 }
}

async fn setup(s: &TestServer) -> SamlIdp {
    let idp = SamlIdp::new(ENTITY).unwrap();
    let iam = s.root_iam();
    let out = iam.create_saml_provider().name("TestIdP").saml_metadata_document(idp.metadata()).send().await.unwrap();
    assert_eq!(out.saml_provider_arn(), Some(PROVIDER));
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},
            "Action":["sts:AssumeRoleWithSAML","sts:TagSession"],
            "Condition":{{"StringEquals":{{"saml:aud":"https://signin.aws.amazon.com/saml","saml:iss":"{ENTITY}"}},
                          "StringLike":{{"saml:sub":"alice*"}}}}}}]}}"#
    );
    iam.create_role().role_name("sso").assume_role_policy_document(trust).send().await.unwrap();
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}"#;
    iam.put_role_policy().role_name("sso").policy_name("p").policy_document(p).send().await.unwrap();
    idp
}

fn good() -> SamlAssertion {
    SamlAssertion::new("alice@example.com", ROLE, PROVIDER, "alice")
}

async fn call(
    s: &TestServer,
    assertion: String,
) -> Result<aws_sdk_sts::operation::assume_role_with_saml::AssumeRoleWithSamlOutput, AwsErr> {
    s.sts(&s.root)
        .assume_role_with_saml()
        .role_arn(ROLE)
        .principal_arn(PROVIDER)
        .saml_assertion(assertion)
        .send()
        .await
        .map_err(|e| aws_err::<(), _>(Err(e)))
}

fn b64(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

async fn a_signed_response_from_a_registered_provider(backend: Backend) {
    let s = TestServer::start(backend).await;
    let idp = setup(&s).await;
    for (sign_assertion, sign_response) in [(true, false), (false, true), (true, true)] {
        let a = SamlAssertion { sign_assertion, sign_response, ..good() }
            .attribute("https://aws.amazon.com/SAML/Attributes/SessionDuration", &["1800"])
            .attribute("https://aws.amazon.com/SAML/Attributes/PrincipalTag:team", &["blue"]);
        let out = call(&s, idp.response(&a).unwrap()).await.unwrap();
        assert_eq!(out.subject(), Some("alice@example.com"));
        assert_eq!(out.subject_type(), Some("persistent"));
        assert_eq!(out.issuer(), Some(ENTITY));
        assert_eq!(out.audience(), Some("https://signin.aws.amazon.com/saml"));
        let qualifier = {
            use sha1::Digest as _;
            let d = sha1::Sha1::digest(format!("{ENTITY}000000000000/TestIdP").as_bytes());
            base64::engine::general_purpose::STANDARD.encode(d)
        };
        assert_eq!(out.name_qualifier(), Some(qualifier.as_str()));
        assert_eq!(out.assumed_role_user().unwrap().arn(), "arn:aws:sts::000000000000:assumed-role/sso/alice");
        let c = out.credentials().unwrap();
        let lifetime = c.expiration().secs() - aws_smithy_now();
        assert!((1700..=1800).contains(&lifetime), "{lifetime}");
        let session = Creds::from_sts(c);
        let who = s.sts(&session).get_caller_identity().send().await.unwrap();
        assert_eq!(who.arn(), Some("arn:aws:sts::000000000000:assumed-role/sso/alice"));
        s.iam(&session).list_roles().send().await.unwrap();
        assert_eq!(aws_err(s.iam(&session).list_users().send().await).code, "AccessDenied");
    }
    s.stop().await;
}

fn aws_smithy_now() -> i64 {
    use gatehouse::clock::Clock as _;
    gatehouse::clock::SystemClock.now_millis() / 1000
}

async fn refused_responses(backend: Backend) {
    let s = TestServer::start(backend).await;
    let idp = setup(&s).await;
    let invalid_signature = err("InvalidIdentityToken", "Response signature invalid");

    // Changed after signing: the NameID, an attribute.
    let xml = idp.response_xml(&good()).unwrap();
    assert_eq!(
        call(&s, b64(&xml.replace(">alice@example.com<", ">alice@evil.com<"))).await,
        Err(invalid_signature.clone())
    );
    let xml = idp
        .response_xml(&good().attribute("https://aws.amazon.com/SAML/Attributes/PrincipalTag:team", &["blue"]))
        .unwrap();
    assert_eq!(call(&s, b64(&xml.replace(">blue<", ">red<"))).await, Err(invalid_signature.clone()));
    // Signed by another key.
    let other = SamlIdp::new(ENTITY).unwrap();
    assert_eq!(call(&s, other.response(&good()).unwrap()).await, Err(invalid_signature.clone()));
    // Not signed at all.
    let unsigned = SamlAssertion { sign_assertion: false, ..good() };
    assert_eq!(call(&s, idp.response(&unsigned).unwrap()).await, Err(invalid_signature.clone()));

    // The audience and recipient.
    let a = SamlAssertion { audience: "https://elsewhere.example/saml".into(), ..good() };
    assert_eq!(
        call(&s, idp.response(&a).unwrap()).await,
        Err(err("InvalidIdentityToken", "Invalid SAML assertion: the assertion's audience is not accepted"))
    );
    let a = SamlAssertion { recipient: "https://elsewhere.example/saml".into(), ..good() };
    assert_eq!(call(&s, idp.response(&a).unwrap()).await.unwrap_err().code, "InvalidIdentityToken");

    // Issued too long ago.
    let a = SamlAssertion { issued_at: Some(aws_smithy_now() - 600), lifetime_secs: 3600, ..good() };
    assert_eq!(
        call(&s, idp.response(&a).unwrap()).await,
        Err(err("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance"))
    );

    // A Role attribute that does not name this role with this provider.
    let a = SamlAssertion { roles: vec![format!("arn:aws:iam::000000000000:role/other,{PROVIDER}")], ..good() };
    let not_authorized = denied("Not authorized to perform sts:AssumeRoleWithSAML");
    assert_eq!(call(&s, idp.response(&a).unwrap()).await, Err(not_authorized.clone()));
    // Either order is accepted.
    let a = SamlAssertion { roles: vec![format!("{PROVIDER},{ROLE}")], ..good() };
    call(&s, idp.response(&a).unwrap()).await.unwrap();

    // The trust policy's conditions on saml:sub and saml:aud.
    let a = SamlAssertion::new("mallory@example.com", ROLE, PROVIDER, "mallory");
    assert_eq!(call(&s, idp.response(&a).unwrap()).await, Err(not_authorized.clone()));

    // A missing session name.
    let a = SamlAssertion { session_name: None, ..good() };
    assert_eq!(call(&s, idp.response(&a).unwrap()).await.unwrap_err().code, "InvalidIdentityToken");
    // A provider that does not exist.
    let e = s
        .sts(&s.root)
        .assume_role_with_saml()
        .role_arn(ROLE)
        .principal_arn("arn:aws:iam::000000000000:saml-provider/Nope")
        .saml_assertion(idp.response(&good()).unwrap())
        .send()
        .await;
    assert_eq!(aws_err(e).code, "InvalidIdentityToken");
    // Not base64, not XML.
    assert_eq!(call(&s, "%%%%".into()).await.unwrap_err().code, "InvalidIdentityToken");
    assert_eq!(call(&s, b64("<not xml")).await.unwrap_err().code, "InvalidIdentityToken");
    s.stop().await;
}

/// Signature wrapping: the assertion acted on must be the element the verified signature covers.
async fn wrapped_signatures(backend: Backend) {
    let s = TestServer::start(backend).await;
    let idp = setup(&s).await;
    let invalid = |e: Result<_, AwsErr>| e.map(|_| ()).unwrap_err().code;
    let xml = idp.response_xml(&good()).unwrap();
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed = &xml[start..end];
    // An evil unsigned copy: another subject, another ID, no signature.
    let sig_start = signed.find("<ds:Signature").unwrap();
    let sig_end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let evil_unsigned = format!("{}{}", &signed[..sig_start], &signed[sig_end..])
        .replace("alice@example.com", "alice-admin@example.com")
        .replacen("ID=\"_a", "ID=\"_evil", 1);
    // An evil copy keeping the original's signature (which references the original's ID).
    let evil_with_sig = signed.replace("alice@example.com", "alice-admin@example.com");

    // A second assertion before or after the signed one.
    let before = format!("{}{evil_unsigned}{}", &xml[..start], &xml[start..]);
    assert_eq!(invalid(call(&s, b64(&before)).await), "InvalidIdentityToken");
    let after = format!("{}{evil_unsigned}{}", &xml[..end], &xml[end..]);
    assert_eq!(invalid(call(&s, b64(&after)).await), "InvalidIdentityToken");
    // The signed assertion moved into Extensions, an evil one with its signature in its place.
    let moved = format!("{}<samlp:Extensions>{signed}</samlp:Extensions>{evil_with_sig}{}", &xml[..start], &xml[end..]);
    assert_eq!(invalid(call(&s, b64(&moved)).await), "InvalidIdentityToken");
    // The signed assertion moved into the evil one's ds:Object.
    let object = format!("<ds:Object xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">{signed}</ds:Object>");
    let in_object = format!(
        "{}{}{}",
        &xml[..start],
        evil_unsigned.replace("</saml:Assertion>", &format!("{object}</saml:Assertion>")),
        &xml[end..]
    );
    assert_eq!(invalid(call(&s, b64(&in_object)).await), "InvalidIdentityToken");
    // Only one Assertion, carrying the original's signature, the original turned into another element: the
    // signature's reference no longer resolves to one element that holds it.
    let renamed = signed.replace("saml:Assertion", "saml:Evidence");
    let disguised =
        format!("{}<samlp:Extensions>{renamed}</samlp:Extensions>{evil_with_sig}{}", &xml[..start], &xml[end..]);
    assert_eq!(call(&s, b64(&disguised)).await, Err(err("InvalidIdentityToken", "Response signature invalid")));
    let one = err("InvalidIdentityToken", "Error parsing SAML assertion: the Response must hold exactly one Assertion");
    assert_eq!(call(&s, b64(&before)).await, Err(one.clone()));
    assert_eq!(call(&s, b64(&moved)).await, Err(one));
    // A duplicate ID elsewhere (an element claiming the signed assertion's ID).
    let id = signed.split("ID=\"").nth(1).unwrap().split('"').next().unwrap();
    let dup = xml.replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions><x ID=\"{id}\"/></samlp:Extensions><samlp:Status>"),
        1,
    );
    assert_eq!(call(&s, b64(&dup)).await, Err(err("InvalidIdentityToken", "Response signature invalid")));
    // A signed Response around an added assertion.
    let both = idp.response_xml(&SamlAssertion { sign_response: true, sign_assertion: false, ..good() }).unwrap();
    let at = both.find("</samlp:Response>").unwrap();
    let added = format!("{}{evil_unsigned}{}", &both[..at], &both[at..]);
    assert_eq!(invalid(call(&s, b64(&added)).await), "InvalidIdentityToken");
    // The untouched response still works.
    call(&s, b64(&xml)).await.unwrap();
    s.stop().await;
}

async fn configured_audience(backend: Backend) {
    let s = TestServer::start_args(backend, |a| a.saml_audience = "https://gatehouse.example/saml".into()).await;
    let idp = SamlIdp::new(ENTITY).unwrap();
    let iam = s.root_iam();
    iam.create_saml_provider().name("TestIdP").saml_metadata_document(idp.metadata()).send().await.unwrap();
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},
            "Action":"sts:AssumeRoleWithSAML","Condition":{{"StringEquals":{{"saml:aud":"https://gatehouse.example/saml"}}}}}}]}}"#
    );
    iam.create_role().role_name("sso").assume_role_policy_document(trust).send().await.unwrap();
    let ours = "https://gatehouse.example/saml".to_string();
    let a = SamlAssertion { audience: ours.clone(), recipient: ours.clone(), ..good() };
    let out = call(&s, idp.response(&a).unwrap()).await.unwrap();
    assert_eq!(out.audience(), Some(ours.as_str()));
    // This role's trust allows neither sts:TagSession nor sts:SetSourceIdentity.
    let tagged = SamlAssertion { audience: ours.clone(), recipient: ours.clone(), ..good() }
        .attribute("https://aws.amazon.com/SAML/Attributes/PrincipalTag:team", &["blue"]);
    assert_eq!(call(&s, idp.response(&tagged).unwrap()).await, Err(denied("Not authorized to perform sts:TagSession")));
    let sourced = SamlAssertion { audience: ours.clone(), recipient: ours.clone(), ..good() }
        .attribute("https://aws.amazon.com/SAML/Attributes/SourceIdentity", &["alice"]);
    assert_eq!(
        call(&s, idp.response(&sourced).unwrap()).await,
        Err(denied("Not authorized to perform sts:SetSourceIdentity"))
    );
    // AWS's audience is still accepted by the server, but this trust policy wants the configured one.
    assert_eq!(call(&s, idp.response(&good()).unwrap()).await.unwrap_err().code, "AccessDenied");
    s.stop().await;
}

/// An RSA key pair for assertion encryption: the PEM private key for AddPrivateKey and the public half the IdP
/// encrypts for.
fn encryption_key() -> (String, rsa::RsaPublicKey) {
    use rsa::pkcs8::EncodePrivateKey as _;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let pem = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
    (pem, key.to_public_key())
}

async fn encrypted_assertions(backend: Backend) {
    let s = TestServer::start(backend).await;
    let idp = setup(&s).await;
    let iam = s.root_iam();
    let update = || iam.update_saml_provider().saml_provider_arn(PROVIDER);
    let (pem, public) = encryption_key();
    let encrypted = |cipher| SamlAssertion { encrypt_for: Some(public.clone()), cipher, ..good() };
    let invalid_signature = err("InvalidIdentityToken", "Response signature invalid");

    // Allowed, but no key to decrypt with yet.
    assert_eq!(
        call(&s, idp.response(&encrypted(ContentCipher::Aes256Gcm)).unwrap()).await,
        Err(err(
            "InvalidIdentityToken",
            "Invalid SAML assertion: the SAML provider has no private key to decrypt the assertion"
        ))
    );
    update().add_private_key(&pem).send().await.unwrap();
    // Allowed: encrypted (either cipher; the assertion signed, or the response, or both) and plain both work.
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes128Cbc] {
        for (sign_assertion, sign_response) in [(true, false), (false, true), (true, true)] {
            let a = SamlAssertion { sign_assertion, sign_response, ..encrypted(cipher) };
            let out = call(&s, idp.response(&a).unwrap()).await.unwrap();
            assert_eq!(out.subject(), Some("alice@example.com"));
            let session = Creds::from_sts(out.credentials().unwrap());
            s.iam(&session).list_roles().send().await.unwrap();
        }
    }
    call(&s, idp.response(&good()).unwrap()).await.unwrap();

    // Required: plain assertions are refused.
    update().assertion_encryption_mode(AssertionEncryptionModeType::Required).send().await.unwrap();
    assert_eq!(
        call(&s, idp.response(&good()).unwrap()).await,
        Err(err("InvalidIdentityToken", "Invalid SAML assertion: the SAML provider accepts only encrypted assertions"))
    );
    call(&s, idp.response(&encrypted(ContentCipher::Aes256Gcm)).unwrap()).await.unwrap();

    // Encrypted for another key, tampered with, or unsigned inside and out: one answer that says nothing more.
    let (_, stranger) = encryption_key();
    let a = SamlAssertion { encrypt_for: Some(stranger), ..good() };
    assert_eq!(call(&s, idp.response(&a).unwrap()).await, Err(invalid_signature.clone()));
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes128Cbc] {
        let xml = idp.response_xml(&encrypted(cipher)).unwrap();
        let (start, end) = {
            let start = xml.rfind("<xenc:CipherValue>").unwrap() + "<xenc:CipherValue>".len();
            (start, xml[start..].find('<').unwrap() + start)
        };
        let mut data = base64::engine::general_purpose::STANDARD.decode(&xml[start..end]).unwrap();
        let last = data.len() - 1;
        data[last] ^= 0x01;
        let tampered = format!("{}{}{}", &xml[..start], b64_bytes(&data), &xml[end..]);
        assert_eq!(call(&s, b64(&tampered)).await, Err(invalid_signature.clone()));
    }
    let unsigned = SamlAssertion { sign_assertion: false, sign_response: false, ..encrypted(ContentCipher::Aes256Gcm) };
    assert_eq!(call(&s, idp.response(&unsigned).unwrap()).await, Err(invalid_signature.clone()));
    // Signed inside by another IdP's key.
    let other = SamlIdp::new(ENTITY).unwrap();
    assert_eq!(call(&s, other.response(&encrypted(ContentCipher::Aes256Gcm)).unwrap()).await, Err(invalid_signature));

    // PKCS#1 v1.5 key transport is refused by name.
    let xml = idp.response_xml(&encrypted(ContentCipher::Aes256Gcm)).unwrap();
    let v15 = xml.replace("xmlenc#rsa-oaep-mgf1p", "xmlenc#rsa-1_5");
    assert_eq!(
        call(&s, b64(&v15)).await,
        Err(err(
            "InvalidIdentityToken",
            "Error parsing SAML assertion: unsupported encryption algorithm http://www.w3.org/2001/04/xmlenc#rsa-1_5"
        ))
    );
    // An encrypted assertion next to a plain one (the plain one unsigned) is refused.
    let plain = idp.response_xml(&SamlAssertion { sign_assertion: false, ..good() }).unwrap();
    let plain_assertion = &plain[plain.find("<saml:Assertion").unwrap()..plain.find("</saml:Assertion>").unwrap() + 17];
    let both = xml.replace("</samlp:Response>", &format!("{plain_assertion}</samlp:Response>"));
    assert_eq!(
        call(&s, b64(&both)).await,
        Err(err("InvalidIdentityToken", "Error parsing SAML assertion: the Response must hold exactly one Assertion"))
    );

    // Rotation: a second key, then the first removed; assertions for the old key stop working.
    let got = iam.get_saml_provider().saml_provider_arn(PROVIDER).send().await.unwrap();
    let [first] = got.private_key_list() else { panic!("{got:?}") };
    let first = first.key_id().unwrap().to_string();
    let (pem2, public2) = encryption_key();
    update().add_private_key(&pem2).send().await.unwrap();
    let a2 = SamlAssertion { encrypt_for: Some(public2), ..good() };
    call(&s, idp.response(&a2).unwrap()).await.unwrap();
    call(&s, idp.response(&encrypted(ContentCipher::Aes256Gcm)).unwrap()).await.unwrap();
    update().remove_private_key(&first).send().await.unwrap();
    call(&s, idp.response(&a2).unwrap()).await.unwrap();
    assert_eq!(
        call(&s, idp.response(&encrypted(ContentCipher::Aes256Gcm)).unwrap()).await,
        Err(err("InvalidIdentityToken", "Response signature invalid"))
    );
    s.stop().await;
}

fn b64_bytes(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Metadata past its validUntil is kept (GetSAMLProvider shows it), but no assertion is accepted under it until
/// fresh metadata is uploaded.
async fn expired_metadata(backend: Backend) {
    let s = TestServer::start(backend).await;
    let idp = setup(&s).await;
    let iam = s.root_iam();
    let stale = idp.metadata().replacen(
        "<md:EntityDescriptor ",
        r#"<md:EntityDescriptor validUntil="2020-01-01T00:00:00Z" "#,
        1,
    );
    iam.update_saml_provider().saml_provider_arn(PROVIDER).saml_metadata_document(stale).send().await.unwrap();
    let got = iam.get_saml_provider().saml_provider_arn(PROVIDER).send().await.unwrap();
    assert_eq!(got.valid_until().unwrap().secs(), 1_577_836_800);
    assert_eq!(
        call(&s, idp.response(&good()).unwrap()).await,
        Err(err("InvalidIdentityToken", "The SAML provider's metadata has expired (validUntil)"))
    );
    iam.update_saml_provider().saml_provider_arn(PROVIDER).saml_metadata_document(idp.metadata()).send().await.unwrap();
    call(&s, idp.response(&good()).unwrap()).await.unwrap();
    s.stop().await;
}
