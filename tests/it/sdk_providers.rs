//! The Rust SDK's own assume-role credential provider (`aws_config::sts::AssumeRoleProvider`, with an external id,
//! from a user's long-term key) against Gatehouse, the credentials it obtains then used for calls the role allows
//! and denies. (The web-identity provider is tried from a profile in web_identity.rs, and through the AWS CLI
//! and boto3 in tests/compat.)

use aws_config::sts::AssumeRoleProvider;
use aws_config::BehaviorVersion;
use aws_sdk_iam::config::{Credentials, Region};

use crate::both_stores;
use crate::harness::{aws_err, Backend, TestServer};

both_stores!(assume_role_provider);

const ROLE: &str = "arn:aws:iam::000000000000:role/deployer";

async fn role(s: &TestServer, trust: &str) {
    let iam = s.root_iam();
    iam.create_role().role_name("deployer").assume_role_policy_document(trust).send().await.unwrap();
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}"#;
    iam.put_role_policy().role_name("deployer").policy_name("p").policy_document(p).send().await.unwrap();
}

/// An IAM client whose credentials come from `provider`, as an application would build one.
fn iam_with(s: &TestServer, provider: impl aws_sdk_iam::config::ProvideCredentials + 'static) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(s.endpoint())
        .credentials_provider(provider)
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

/// The SDK config the providers' own STS clients are made from: the server's endpoint (the providers do not see
/// a client's `endpoint_url`, so it goes here).
async fn sdk_config(s: &TestServer) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(s.endpoint())
        .no_credentials()
        .load()
        .await
}

async fn assume_role_provider(backend: Backend) {
    let s = TestServer::start(backend).await;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},
        "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-42"}}}]}"#;
    role(&s, trust).await;
    let alice = s.user_with_key("alice").await;
    let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    s.root_iam().put_user_policy().user_name("alice").policy_name("a").policy_document(p).send().await.unwrap();
    let source = Credentials::new(&alice.id, &alice.secret, None, None, "alice");
    let provider = AssumeRoleProvider::builder(ROLE)
        .session_name("sdk-provider")
        .external_id("ext-42")
        .configure(&sdk_config(&s).await)
        .build_from_provider(source)
        .await;
    let iam = iam_with(&s, provider);
    iam.list_roles().send().await.unwrap();
    let e = aws_err(iam.list_users().send().await);
    assert!(
        e.message.starts_with("User: arn:aws:sts::000000000000:assumed-role/deployer/sdk-provider is not authorized"),
        "{}",
        e.message
    );
    s.stop().await;
}
