//! Starting a real Gatehouse on port 0 for a test, on SQLite or on a fresh Postgres database, and real
//! `aws-sdk-iam` / `aws-sdk-sts` clients pointed at it.

use std::sync::Arc;

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use gatehouse::clock::{Clock, SystemClock};
use gatehouse::config::ServeArgs;
use gatehouse::ids::OsRandom;
use gatehouse::secret::Secret;
use gatehouse::server::{Running, Runtime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const ROOT_KEY_ID: &str = "AKIAGATEHOUSEROOT001";
pub const ROOT_SECRET: &str = "gatehouse/root/secret/for/tests/only0000";

#[derive(Debug, Clone)]
pub struct Creds {
    pub id: String,
    pub secret: String,
    /// The session token of temporary credentials.
    pub token: Option<String>,
}

impl Creds {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self { id: id.into(), secret: secret.into(), token: None }
    }

    /// Temporary credentials, as STS returned them.
    pub fn from_sts(c: &aws_sdk_sts::types::Credentials) -> Self {
        Self {
            id: c.access_key_id().to_string(),
            secret: c.secret_access_key().to_string(),
            token: Some(c.session_token().to_string()),
        }
    }
}

pub struct TestServer {
    pub running: Running,
    pub root: Creds,
    /// The store the server runs on, for tests that open it beside the server (as the offline commands do).
    pub database_url: String,
}

/// The URL of the Postgres server the tests use: without it the Postgres half of the suite fails, loudly,
/// because a skipped test cannot fail.
fn postgres_admin_url() -> String {
    match std::env::var("GATEHOUSE_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "GATEHOUSE_TEST_DATABASE_URL is not set: run scripts/test.sh (it starts a throwaway Postgres) \
             or point it at a Postgres server where the tests may create databases"
        ),
    }
}

/// A new, empty database on the test Postgres server; returns its URL.
pub async fn fresh_postgres_database() -> String {
    use sqlx::Connection as _;
    let admin = postgres_admin_url();
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect to the test Postgres");
    let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create a test database");
    let _ = conn.close().await;
    match admin.rfind('/') {
        Some(i) if admin[..i].contains("://") && admin[i..].len() > 1 && !admin[..i].ends_with('/') => {
            let (base, rest) = admin.split_at(i);
            let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
            format!("{base}/{name}{query}")
        }
        _ => format!("{}/{name}", admin.trim_end_matches('/')),
    }
}

pub async fn database_url(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => "sqlite::memory:".to_string(),
        Backend::Postgres => fresh_postgres_database().await,
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, Arc::new(SystemClock)).await
    }

    pub async fn start_with(backend: Backend, clock: Arc<dyn Clock>) -> Self {
        Self::start_full(backend, clock, |_| {}).await
    }

    /// A server whose settings `tweak` changes after the test defaults are applied (limits, timeouts).
    pub async fn start_args(backend: Backend, tweak: impl FnOnce(&mut ServeArgs)) -> Self {
        Self::start_full(backend, Arc::new(SystemClock), tweak).await
    }

    async fn start_full(backend: Backend, clock: Arc<dyn Clock>, tweak: impl FnOnce(&mut ServeArgs)) -> Self {
        let mut args = ServeArgs::ephemeral();
        args.database_url = Some(database_url(backend).await);
        args.root_access_key_id = Some(ROOT_KEY_ID.into());
        args.root_secret_access_key = Some(Secret::new(ROOT_SECRET.into()));
        args.master_key = Some(Secret::new("7".repeat(64)));
        tweak(&mut args);
        let running =
            gatehouse::server::start(&args, Runtime { clock, rng: Arc::new(OsRandom) }).await.expect("start gatehouse");
        let database_url = args.database_url.clone().unwrap_or_default();
        Self { running, root: Creds::new(ROOT_KEY_ID, ROOT_SECRET), database_url }
    }

    pub fn endpoint(&self) -> String {
        self.running.endpoint()
    }

    pub fn iam(&self, creds: &Creds) -> aws_sdk_iam::Client {
        iam_client(&self.endpoint(), creds)
    }

    pub fn sts(&self, creds: &Creds) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("eu-west-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(aws_sdk_sts::config::Credentials::new(
                &creds.id,
                &creds.secret,
                creds.token.clone(),
                None,
                "gatehouse-tests",
            ))
            .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    pub fn root_iam(&self) -> aws_sdk_iam::Client {
        self.iam(&self.root)
    }

    /// Creates a user with an access key; returns the key.
    pub async fn user_with_key(&self, name: &str) -> Creds {
        let iam = self.root_iam();
        iam.create_user().user_name(name).send().await.expect("create user");
        let key = iam.create_access_key().user_name(name).send().await.expect("create key");
        let k = key.access_key().expect("key in response");
        Creds::new(k.access_key_id(), k.secret_access_key())
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// An aws-sdk-iam client for `endpoint`, signing with `creds`, without retries (a failure is the test's to see).
pub fn iam_client(endpoint: &str, creds: &Creds) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(&creds.id, &creds.secret, creds.token.clone(), None, "gatehouse-tests"))
        .retry_config(aws_sdk_iam::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

/// What an AWS error response carried: code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsErr {
    pub code: String,
    pub message: String,
    pub status: u16,
}

/// The error of a call that must fail; panics (failing the test) if it succeeded.
pub fn aws_err<T: std::fmt::Debug, E>(
    res: Result<T, aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>>,
) -> AwsErr
where
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::fmt::Debug,
{
    use aws_sdk_iam::error::ProvideErrorMetadata as _;
    let err = res.expect_err("the call should have failed");
    AwsErr {
        code: err.code().unwrap_or_default().to_string(),
        message: err.message().unwrap_or_default().to_string(),
        status: err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0),
    }
}

/// Runs a test body once on SQLite and once on Postgres, as two tests named `sqlite` and `postgres` in a
/// module named after the body.
#[macro_export]
macro_rules! both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::harness::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::harness::Backend::Postgres).await
                }
            }
        )*
    };
}
