//! AssumeRoleWithWebIdentity through aws-sdk-sts against the project's test OIDC issuer (real HTTPS with a
//! self-signed certificate trusted by its thumbprint, real ES256/ES384 signatures): the session and what it may
//! do, trust conditions on the provider's keys, and every way a token is refused; and the Rust SDK's own
//! web-identity credential provider, from a profile with `web_identity_token_file`.

use std::sync::Arc;

use gatehouse::test_idp::OidcIssuer;
use jsonwebtoken::Algorithm;
use serde_json::json;

use crate::both_stores;
use crate::harness::{aws_err, AwsErr, Backend, Creds, TestServer};

both_stores!(
    a_token_from_a_registered_provider,
    refused_tokens,
    configured_keys_for_offline_issuers,
    the_sdk_web_identity_provider
);

fn err(code: &str, message: &str) -> AwsErr {
    AwsErr { code: code.into(), message: message.into(), status: 400 }
}

async fn issuer() -> Arc<OidcIssuer> {
    Arc::new(OidcIssuer::start("127.0.0.1:0".parse().unwrap()).await.unwrap())
}

/// The provider's URL as IAM shows it, and as its condition keys start (`localhost:PORT`).
fn host(i: &OidcIssuer) -> String {
    i.url().trim_start_matches("https://").to_string()
}

async fn register(s: &TestServer, i: &OidcIssuer, thumbprint: &str) -> String {
    let out = s
        .root_iam()
        .create_open_id_connect_provider()
        .url(i.url())
        .client_id_list("sts.amazonaws.com")
        .thumbprint_list(thumbprint)
        .send()
        .await
        .unwrap();
    out.open_id_connect_provider_arn().unwrap().to_string()
}

async fn ci_role(s: &TestServer, i: &OidcIssuer, provider_arn: &str) {
    let h = host(i);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider_arn}"}},
            "Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{{"StringEquals":{{"{h}:aud":"sts.amazonaws.com"}},"StringLike":{{"{h}:sub":"repo:acme/*"}}}}}}]}}"#
    );
    let iam = s.root_iam();
    iam.create_role().role_name("ci").assume_role_policy_document(trust).send().await.unwrap();
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}"#;
    iam.put_role_policy().role_name("ci").policy_name("p").policy_document(p).send().await.unwrap();
}

const ROLE: &str = "arn:aws:iam::000000000000:role/ci";

async fn a_token_from_a_registered_provider(backend: Backend) {
    let s = TestServer::start(backend).await;
    let i = issuer().await;
    let arn = register(&s, &i, i.thumbprint()).await;
    assert_eq!(arn, format!("arn:aws:iam::000000000000:oidc-provider/{}", host(&i)));
    ci_role(&s, &i, &arn).await;

    for alg in [Algorithm::ES256, Algorithm::ES384] {
        let token =
            i.mint(json!({"sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"}), alg).unwrap();
        let out = s
            .sts(&s.root)
            .assume_role_with_web_identity()
            .role_arn(ROLE)
            .role_session_name("gha-1")
            .web_identity_token(token)
            .send()
            .await
            .unwrap();
        assert_eq!(out.subject_from_web_identity_token(), Some("repo:acme/app:ref:refs/heads/main"));
        assert_eq!(out.audience(), Some("sts.amazonaws.com"));
        assert_eq!(out.provider(), Some(host(&i).as_str()));
        assert_eq!(out.assumed_role_user().unwrap().arn(), "arn:aws:sts::000000000000:assumed-role/ci/gha-1");
        let session = Creds::from_sts(out.credentials().unwrap());
        let who = s.sts(&session).get_caller_identity().send().await.unwrap();
        assert_eq!(who.arn(), Some("arn:aws:sts::000000000000:assumed-role/ci/gha-1"));
        s.iam(&session).list_roles().send().await.unwrap();
        let e = aws_err(s.iam(&session).list_users().send().await);
        assert_eq!(e.code, "AccessDenied");
    }
    s.stop().await;
}

async fn refused_tokens(backend: Backend) {
    let s = TestServer::start(backend).await;
    let i = issuer().await;
    let arn = register(&s, &i, i.thumbprint()).await;
    ci_role(&s, &i, &arn).await;
    let sts = s.sts(&s.root);
    let call = |token: String| {
        sts.assume_role_with_web_identity().role_arn(ROLE).role_session_name("x1").web_identity_token(token).send()
    };
    let good = json!({"sub": "repo:acme/app", "aud": "sts.amazonaws.com"});

    // The trust policy's conditions on the provider's keys.
    let token = i.mint(json!({"sub": "repo:evil/app", "aud": "sts.amazonaws.com"}), Algorithm::ES256).unwrap();
    let e = aws_err(call(token).await);
    assert_eq!(
        e,
        AwsErr {
            code: "AccessDenied".into(),
            message: "Not authorized to perform sts:AssumeRoleWithWebIdentity".into(),
            status: 403
        }
    );
    // An audience that is not a client id.
    let token = i.mint(json!({"sub": "repo:acme/app", "aud": "someone-else"}), Algorithm::ES256).unwrap();
    assert_eq!(aws_err(call(token).await), err("InvalidIdentityToken", "Incorrect token audience"));
    // An issuer with no provider in the role's account.
    let stranger = issuer().await;
    let token = stranger.mint(good.clone(), Algorithm::ES256).unwrap();
    assert_eq!(
        aws_err(call(token).await),
        err("InvalidIdentityToken", &format!("No OpenIDConnect provider found in your account for {}", stranger.url()))
    );
    // Another key claiming to be the registered issuer: the signature does not verify.
    let mut forged = good.clone();
    forged["iss"] = json!(i.url());
    let token = stranger.mint(forged, Algorithm::ES256).unwrap();
    let e = aws_err(call(token).await);
    assert_eq!((e.code.as_str(), e.status), ("InvalidIdentityToken", 400), "{}", e.message);
    // A payload altered after signing.
    let token = i.mint(good.clone(), Algorithm::ES256).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    use base64::Engine as _;
    let evil = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        json!({"iss": i.url(), "sub": "repo:acme/admin", "aud": "sts.amazonaws.com", "exp": 9_999_999_999u64})
            .to_string(),
    );
    let e = aws_err(call(format!("{}.{evil}.{}", parts[0], parts[2])).await);
    assert_eq!(e.code, "InvalidIdentityToken");
    // An unsigned token, and something that is not a JWT at all.
    let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let e = aws_err(call(format!("{none_header}.{}.", parts[1])).await);
    assert_eq!(e.code, "InvalidIdentityToken");
    let e = aws_err(call("not-a-jwt".into()).await);
    assert_eq!(e.code, "InvalidIdentityToken");
    // Expired.
    let token = i
        .mint(json!({"sub": "repo:acme/app", "aud": "sts.amazonaws.com", "exp": 1_700_000_000}), Algorithm::ES256)
        .unwrap();
    let e = aws_err(call(token).await);
    assert_eq!(e.code, "ExpiredTokenException");
    assert!(e.message.starts_with("Token expired: current date/time "), "{}", e.message);
    // The thumbprint changed to one that is not the issuer's certificate.
    s.root_iam()
        .update_open_id_connect_provider_thumbprint()
        .open_id_connect_provider_arn(&arn)
        .thumbprint_list("0".repeat(40))
        .send()
        .await
        .unwrap();
    let token = i.mint(good.clone(), Algorithm::ES256).unwrap();
    assert_eq!(
        aws_err(call(token).await),
        err("InvalidIdentityToken", "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")
    );
    s.stop().await;
}

async fn configured_keys_for_offline_issuers(backend: Backend) {
    let i = issuer().await;
    let dir = std::env::temp_dir().join(format!("gatehouse-jwks-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jwks.json");
    std::fs::write(&path, serde_json::to_string(i.jwks()).unwrap()).unwrap();
    let configured = format!("{}={}", i.url(), path.display());
    let s = TestServer::start_args(backend, |a| a.oidc_jwks = configured).await;
    // The registered thumbprint is wrong, but the keys are configured: nothing is fetched.
    let arn = register(&s, &i, &"0".repeat(40)).await;
    ci_role(&s, &i, &arn).await;
    let token = i.mint(json!({"sub": "repo:acme/app", "aud": "sts.amazonaws.com"}), Algorithm::ES384).unwrap();
    let out = s
        .sts(&s.root)
        .assume_role_with_web_identity()
        .role_arn(ROLE)
        .role_session_name("off")
        .web_identity_token(token)
        .send()
        .await;
    assert!(out.is_ok(), "{out:?}");
    s.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The Rust SDK's profile credential provider with `role_arn` + `web_identity_token_file`, as a workload in CI
/// would be configured: the token file written from the test issuer, the STS endpoint given by the profile's
/// `endpoint_url` (the providers' own STS clients do not see a client's endpoint).
async fn the_sdk_web_identity_provider(backend: Backend) {
    use aws_config::profile::ProfileFileCredentialsProvider;
    use aws_config::provider_config::ProviderConfig;
    use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
    use aws_sdk_iam::config::Region;

    let s = TestServer::start(backend).await;
    let i = issuer().await;
    let arn = register(&s, &i, i.thumbprint()).await;
    ci_role(&s, &i, &arn).await;
    let dir = std::env::temp_dir().join(format!("gatehouse-sdk-wi-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    let config_file = dir.join("config");
    let write_token = |sub: &str| {
        let token = i.mint(json!({"sub": sub, "aud": "sts.amazonaws.com"}), Algorithm::ES256).unwrap();
        std::fs::write(&token_file, token).unwrap();
    };
    std::fs::write(
        &config_file,
        format!(
            "[profile ci]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\nrole_session_name = sdk-wi\nendpoint_url = {}\n",
            token_file.display(),
            s.endpoint()
        ),
    )
    .unwrap();
    let provider = || {
        let files = EnvConfigFiles::builder().with_file(EnvConfigFileKind::Config, &config_file).build();
        ProfileFileCredentialsProvider::builder()
            .configure(&ProviderConfig::default().with_region(Some(Region::new("eu-west-1"))))
            .profile_files(files)
            .profile_name("ci")
            .build()
    };
    let iam_with = |p: ProfileFileCredentialsProvider| {
        let conf = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(s.endpoint())
            .credentials_provider(p)
            .build();
        aws_sdk_iam::Client::from_conf(conf)
    };

    write_token("repo:acme/app:ref:refs/heads/main");
    let iam = iam_with(provider());
    iam.list_roles().send().await.unwrap();
    let e = aws_err(iam.list_users().send().await);
    assert!(
        e.message.starts_with("User: arn:aws:sts::000000000000:assumed-role/ci/sdk-wi is not authorized"),
        "{}",
        e.message
    );
    // A token whose subject the trust policy does not name gets no credentials from the provider.
    write_token("repo:other/app:ref:refs/heads/main");
    let e = iam_with(provider()).list_roles().send().await.unwrap_err();
    let text = format!("{:?}", aws_sdk_iam::error::DisplayErrorContext(&e));
    assert!(text.contains("AccessDenied") && text.contains("AssumeRoleWithWebIdentity"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
    s.stop().await;
}
