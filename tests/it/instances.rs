//! Two servers on one store: a change made through one is enforced by the other on its next request. A caller
//! hammers the second instance while the first grants and revokes, many rounds; every call that started after a
//! change had committed, and ended before the next one began, must have been decided by that change. No stale
//! allow, and no stale deny either.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::both_stores;
use crate::harness::{Backend, TestServer};

both_stores!(two_instances_enforce_each_others_changes_at_once);

/// On Postgres a change also reaches the other instance as a notification, which drops what it cached for the
/// account before any request asks (the revision check alone would reload it on the next request).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_notification_drops_the_other_instances_cache() {
    let url = crate::harness::database_url(Backend::Postgres).await;
    let first_url = url.clone();
    let a = TestServer::start_args(Backend::Postgres, move |args| args.database_url = Some(first_url)).await;
    let b = TestServer::start_args(Backend::Postgres, move |args| args.database_url = Some(url)).await;
    let alice = a.user_with_key("alice").await;
    use aws_sdk_sts::error::ProvideErrorMetadata as _;
    b.sts(&alice).get_caller_identity().send().await.map_err(|e| e.code().map(str::to_string)).unwrap();
    assert_eq!(b.running.state.cached_principals(), 1);
    a.root_iam().create_user().user_name("bob").send().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.running.state.cached_principals() != 0 {
        assert!(Instant::now() < deadline, "the notification did not reach the other instance");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    a.stop().await;
    b.stop().await;
}

const ROUNDS: usize = 25;

/// One call to the second instance: when it started and ended, and whether it was allowed.
#[derive(Debug, Clone, Copy)]
struct Call {
    start: Instant,
    end: Instant,
    allowed: bool,
}

/// One change through the first instance: when it was sent and when it had committed, and what it made true.
#[derive(Debug, Clone, Copy)]
struct Change {
    sent: Instant,
    committed: Instant,
    allows: bool,
}

/// Postgres: two instances over one database, the changes made through one and the calls sent to the other.
/// SQLite has one server process per store (a second is refused, below), so there the calls go to the instance
/// that makes the changes, concurrently, which is what its in-memory revisions must get right.
async fn two_instances_enforce_each_others_changes_at_once(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("gatehouse-it-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display()),
        Backend::Postgres => crate::harness::database_url(backend).await,
    };
    let first_url = url.clone();
    let a = TestServer::start_args(backend, move |args| args.database_url = Some(first_url)).await;
    let second = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(TestServer::start_args(backend, move |args| args.database_url = Some(url)).await),
    };
    let b = second.as_ref().unwrap_or(&a);
    let alice = a.user_with_key("alice").await;
    let root = a.root_iam();
    let allow = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}"#;

    let calls = Arc::new(Mutex::new(Vec::<Call>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut callers = Vec::new();
    for _ in 0..2 {
        let (calls, stop, iam) = (calls.clone(), stop.clone(), b.iam(&alice));
        callers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let start = Instant::now();
                let result = iam.list_users().send().await;
                let end = Instant::now();
                if let Err(e) = &result {
                    use aws_sdk_iam::error::ProvideErrorMetadata as _;
                    assert_eq!(e.code(), Some("AccessDenied"), "{e:?}");
                }
                calls.lock().unwrap().push(Call { start, end, allowed: result.is_ok() });
            }
        }));
    }

    let mut changes = Vec::new();
    for _ in 0..ROUNDS {
        for allows in [true, false] {
            let sent = Instant::now();
            if allows {
                root.put_user_policy()
                    .user_name("alice")
                    .policy_name("list")
                    .policy_document(allow)
                    .send()
                    .await
                    .map(|_| ())
                    .unwrap();
            } else {
                root.delete_user_policy().user_name("alice").policy_name("list").send().await.map(|_| ()).unwrap();
            }
            changes.push(Change { sent, committed: Instant::now(), allows });
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in callers {
        c.await.unwrap();
    }

    let calls = calls.lock().unwrap().clone();
    let mut judged = 0;
    let mut wrong = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        let next_sent = changes.get(i + 1).map(|n| n.sent);
        for call in &calls {
            let inside = call.start > change.committed && next_sent.is_none_or(|n| call.end < n);
            if inside {
                judged += 1;
                if call.allowed != change.allows {
                    wrong.push(format!("change {i} (allows: {}) but a later call was {:?}", change.allows, call));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {judged} calls decided on stale grants:\n{}", wrong.len(), wrong.join("\n"));
    // The rounds must have exercised the race, not passed vacuously.
    assert!(judged >= ROUNDS, "only {judged} calls fell between changes");
    if let Some(b) = second {
        b.stop().await;
    }
    a.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A SQLite store's revisions live in its one server's memory, so a second server of the same store would decide on
/// stale grants: it is refused at start, with the reason, and may start once the first has stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_of_one_sqlite_store_is_refused() {
    let dir = std::env::temp_dir().join(format!("gatehouse-it-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display());
    let first_url = url.clone();
    let a = TestServer::start_args(Backend::Sqlite, move |args| args.database_url = Some(first_url)).await;
    let mut args = gatehouse::config::ServeArgs::ephemeral();
    args.database_url = Some(url);
    args.data_dir = dir.clone();
    args.master_key = Some(gatehouse::secret::Secret::new("7".repeat(64)));
    let runtime = || gatehouse::server::Runtime {
        clock: Arc::new(gatehouse::clock::SystemClock),
        rng: Arc::new(gatehouse::ids::OsRandom),
    };
    let refused = gatehouse::server::start(&args, runtime()).await.err().expect("a second server is refused");
    let message = refused.to_string();
    assert!(message.contains("another gatehouse server is serving the SQLite store"), "{message}");
    assert!(message.contains("use Postgres (GATEHOUSE_DATABASE_URL) for several instances"), "{message}");
    // Nor may the bulk path write behind the server's back: the server would not see what it added.
    let plan = gatehouse::seed::Plan { account_id: "000000000000".into(), users: 1, roles: 0, policies: 0 };
    let refused = gatehouse::seed::run(&args, &plan, runtime()).await.expect_err("seeding is refused");
    assert!(refused.to_string().contains("another gatehouse server"), "{refused}");
    assert!(refused.to_string().ends_with("; stop it to seed"), "{refused}");
    a.stop().await;
    let again = gatehouse::server::start(&args, runtime()).await.expect("starts once the first has stopped");
    again.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
