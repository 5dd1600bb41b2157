//! Root keys across restarts: the environment's root key never overrides what the API did to it, generated
//! credentials appear only when the account is created, explicit recovery (`gatehouse root-key create`), and the
//! master key's file rules. Each test restarts a server on one persistent store (an SQLite file, or a Postgres
//! database).

use std::path::PathBuf;

use gatehouse::bootstrap::RootKeyOutcome;
use gatehouse::config::ServeArgs;
use gatehouse::secret::Secret;
use gatehouse::server::{Running, Runtime};

use crate::both_stores;
use crate::harness::{database_url, iam_client, Backend, Creds};

both_stores!(
    deactivated_or_deleted_root_keys_stay_so,
    a_configured_key_keeps_its_secret,
    a_new_configured_id_retires_the_previous_one,
    generated_root_keys_only_when_the_account_is_created
);

const K1: &str = "AKIAGATEHOUSEROOTK01";
const K2: &str = "AKIAGATEHOUSEROOTK02";
const K3: &str = "AKIAGATEHOUSEROOTK03";
const S1: &str = "root/secret/number/one/for/tests/000001";
const S2: &str = "root/secret/number/two/for/tests/000002";

/// A store that outlives the servers started on it.
struct Persistent {
    dir: PathBuf,
    url: String,
}

impl Persistent {
    async fn new(backend: Backend) -> Self {
        let dir = std::env::temp_dir().join(format!("gatehouse-it-{}", uuid::Uuid::new_v4().simple()));
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display()),
            Backend::Postgres => database_url(backend).await,
        };
        Self { dir, url }
    }

    fn args(&self, root: Option<(&str, &str)>) -> ServeArgs {
        let mut args = ServeArgs::ephemeral();
        args.data_dir = self.dir.clone();
        args.database_url = Some(self.url.clone());
        args.master_key = Some(Secret::new("5".repeat(64)));
        args.root_access_key_id = root.map(|(id, _)| id.to_string());
        args.root_secret_access_key = root.map(|(_, s)| Secret::new(s.to_string()));
        args
    }

    async fn start(&self, root: Option<(&str, &str)>) -> Running {
        gatehouse::server::start(&self.args(root), Runtime::default()).await.expect("start gatehouse")
    }

    async fn start_err(&self, root: Option<(&str, &str)>) -> String {
        match gatehouse::server::start(&self.args(root), Runtime::default()).await {
            Ok(r) => {
                r.stop().await;
                panic!("the start should have been refused")
            }
            Err(e) => e.to_string(),
        }
    }

    async fn recover(&self, root: Option<(&str, &str)>) -> RootKeyOutcome {
        gatehouse::server::create_root_key(&self.args(root), root.is_some(), Runtime::default())
            .await
            .expect("root-key create")
    }
}

impl Drop for Persistent {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn iam(r: &Running, id: &str, secret: &str) -> aws_sdk_iam::Client {
    iam_client(&r.endpoint(), &Creds::new(id, secret))
}

/// Whether the key authenticates: ListUsers answers, or fails with InvalidClientTokenId.
async fn works(r: &Running, id: &str, secret: &str) -> bool {
    use aws_sdk_iam::error::ProvideErrorMetadata as _;
    match iam(r, id, secret).list_users().send().await {
        Ok(_) => true,
        Err(e) => {
            assert_eq!(e.code(), Some("InvalidClientTokenId"), "{e:?}");
            false
        }
    }
}

async fn deactivated_or_deleted_root_keys_stay_so(backend: Backend) {
    let store = Persistent::new(backend).await;
    let root = Some((K1, S1));
    let r = store.start(root).await;
    assert!(works(&r, K1, S1).await);
    // The root user deactivates its own configured key through the API.
    iam(&r, K1, S1)
        .update_access_key()
        .access_key_id(K1)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    r.stop().await;

    let r = store.start(root).await;
    assert!(!works(&r, K1, S1).await, "a restart must not reactivate a key the API deactivated");
    r.stop().await;
    assert_eq!(store.recover(root).await, RootKeyOutcome::Reactivated { access_key_id: K1.into() });
    assert_eq!(store.recover(root).await, RootKeyOutcome::AlreadyActive { access_key_id: K1.into() });

    let r = store.start(root).await;
    assert!(works(&r, K1, S1).await, "root-key create --from-env reactivates it");
    iam(&r, K1, S1).delete_access_key().access_key_id(K1).send().await.unwrap();
    r.stop().await;

    let r = store.start(root).await;
    assert!(!works(&r, K1, S1).await, "a restart must not recreate a key the API deleted");
    r.stop().await;
    assert_eq!(store.recover(root).await, RootKeyOutcome::Restored { access_key_id: K1.into() });
    let r = store.start(root).await;
    assert!(works(&r, K1, S1).await, "root-key create --from-env recreates it");

    // Without --from-env, a new key is made and shown once; root then holds two, and a third is refused.
    r.stop().await;
    let RootKeyOutcome::Created(new) = store.recover(None).await else { panic!("a new key should have been created") };
    let fresh = Creds::new(&new.access_key_id, new.secret.expose());
    let r = store.start(root).await;
    assert!(works(&r, &fresh.id, &fresh.secret).await);
    r.stop().await;
    let e = gatehouse::server::create_root_key(&store.args(None), false, Runtime::default()).await.unwrap_err();
    assert!(e.to_string().contains("already has two access keys"), "{e}");
}

async fn a_configured_key_keeps_its_secret(backend: Backend) {
    let store = Persistent::new(backend).await;
    store.start(Some((K1, S1))).await.stop().await;
    let e = store.start_err(Some((K1, S2))).await;
    assert!(e.contains("already exists with a different secret"), "{e}");
    // The refused start changed nothing: the original secret still works.
    let r = store.start(Some((K1, S1))).await;
    assert!(works(&r, K1, S1).await);
    let e = iam(&r, K1, S2).list_users().send().await.unwrap_err();
    assert_eq!(aws_sdk_iam::error::ProvideErrorMetadata::code(&e), Some("SignatureDoesNotMatch"));
    r.stop().await;
}

async fn a_new_configured_id_retires_the_previous_one(backend: Backend) {
    let store = Persistent::new(backend).await;
    store.start(Some((K1, S1))).await.stop().await;
    let r = store.start(Some((K2, S2))).await;
    assert!(works(&r, K2, S2).await);
    assert!(!works(&r, K1, S1).await, "the previously configured key is deactivated");
    let keys = iam(&r, K2, S2).list_access_keys().send().await.unwrap();
    let status: Vec<_> =
        keys.access_key_metadata().iter().map(|k| (k.access_key_id().unwrap(), k.status().unwrap().as_str())).collect();
    assert_eq!(status, [(K1, "Inactive"), (K2, "Active")]);
    r.stop().await;
    // A third configured id would give root three keys: refused, with a message that says what to do.
    let e = store.start_err(Some((K3, S1))).await;
    assert!(e.contains("already has two access keys") && e.contains(K1) && e.contains(K2), "{e}");
    // Going back to the second one is fine.
    let r = store.start(Some((K2, S2))).await;
    assert!(works(&r, K2, S2).await);
    r.stop().await;
}

async fn generated_root_keys_only_when_the_account_is_created(backend: Backend) {
    let store = Persistent::new(backend).await;
    let r = store.start(None).await;
    let generated = r.generated_root.as_ref().expect("the first start generates root credentials");
    let creds = Creds::new(&generated.access_key_id, generated.secret.expose());
    assert!(works(&r, &creds.id, &creds.secret).await);
    r.stop().await;
    let r = store.start(None).await;
    assert!(r.generated_root.is_none(), "root already has a key");
    // The administrator deletes root's only key, as AWS recommends.
    iam(&r, &creds.id, &creds.secret).delete_access_key().access_key_id(&creds.id).send().await.unwrap();
    r.stop().await;
    let r = store.start(None).await;
    assert!(r.generated_root.is_none(), "keys are generated only when the account is created");
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_generated_master_key_is_not_replaced() {
    let store = Persistent::new(Backend::Sqlite).await;
    let mut args = store.args(None);
    args.master_key = None;
    let r = gatehouse::server::start(&args, Runtime::default()).await.unwrap();
    assert!(r.generated_root.is_some());
    r.stop().await;
    std::fs::remove_file(store.dir.join("master.key")).unwrap();
    let e = gatehouse::server::start(&args, Runtime::default()).await.err().expect("start must be refused");
    assert!(e.to_string().contains("master key file") && e.to_string().contains("is missing"), "{e}");
    assert!(!store.dir.join("master.key").exists(), "no new key was generated");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn master_key_files_must_be_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let store = Persistent::new(Backend::Sqlite).await;
    let r = store.start(None).await;
    let mode = std::fs::metadata(&store.dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data directory is created private");
    r.stop().await;

    let file = store.dir.join("given.key");
    std::fs::write(&file, "5".repeat(64)).unwrap();
    let mut args = store.args(None);
    args.master_key = None;
    args.master_key_file = Some(file.clone());
    let start = |args: ServeArgs| async move {
        match gatehouse::server::start(&args, Runtime::default()).await {
            Ok(r) => {
                r.stop().await;
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    };
    let chmod = |m: u32| std::fs::set_permissions(&file, std::fs::Permissions::from_mode(m)).unwrap();

    chmod(0o666);
    let e = start(args.clone()).await.unwrap_err();
    assert!(e.contains("writable by others"), "{e}");
    chmod(0o620);
    assert!(start(args.clone()).await.unwrap_err().contains("writable by others"));
    chmod(0o600);
    start(args.clone()).await.unwrap();
    // World-readable: only a root-owned file (a mounted container secret) is accepted.
    chmod(0o644);
    let is_root = std::fs::metadata(&store.dir).map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap();
    if is_root {
        start(args.clone()).await.unwrap();
        std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
    }
    let e = start(args.clone()).await.unwrap_err();
    assert!(e.contains("readable by everyone"), "{e}");
}

#[test]
fn help_never_shows_the_database_url() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["serve", "--help"])
        .env("GATEHOUSE_DATABASE_URL", "postgres://gatehouse:hunter2-password@db:5432/gatehouse")
        .env("GATEHOUSE_ROOT_SECRET_ACCESS_KEY", "root-secret-value-0000")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("GATEHOUSE_DATABASE_URL"), "{help}");
    assert!(!help.contains("hunter2") && !help.contains("root-secret-value"), "{help}");
}
