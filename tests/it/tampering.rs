//! What a database writer without the master key can do to access-key rows, and must not achieve: a key without
//! its user never means root, and a sealed secret moved to another owner or account no longer opens. Also: rows
//! sealed by the foundation's format still open after an upgrade (and are re-sealed), and key listings page
//! without skipping keys.

use gatehouse::store::keys;

use crate::both_stores;
use crate::harness::{Backend, Creds, TestServer};

both_stores!(
    a_key_without_its_user_is_not_root,
    a_sealed_secret_moved_to_another_owner_does_not_open,
    rows_of_the_first_sealing_format_still_open,
    access_key_pages_skip_nothing
);

async fn exec(s: &TestServer, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let done = q.execute(s.running.state.store_and_keys_for_tests().0.pool()).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
    moved_on(s).await;
}

/// The server trusts what it verified for as long as the account's revision stays (every change through any
/// instance moves it). A writer behind its back is seen once it moves, or the cache is cold; the tests model
/// the worst case of the two: the rows are read again, and what was tampered with must still not work.
async fn moved_on(s: &TestServer) {
    sqlx::query("UPDATE accounts SET revision = revision + 1")
        .execute(s.running.state.store_and_keys_for_tests().0.pool())
        .await
        .unwrap();
    // SQLite keeps its revisions in the one server's memory: a writer behind its back is seen after a restart.
    s.running.state.forget_revisions_for_tests();
}

/// The caller's ARN, or the error code.
async fn identity(s: &TestServer, c: &Creds) -> Result<String, String> {
    use aws_sdk_sts::error::ProvideErrorMetadata as _;
    match s.sts(c).get_caller_identity().send().await {
        Ok(out) => Ok(out.arn().unwrap_or_default().to_string()),
        Err(e) => Err(e.code().unwrap_or_default().to_string()),
    }
}

async fn a_key_without_its_user_is_not_root(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    assert_eq!(identity(&s, &alice).await.unwrap(), "arn:aws:iam::000000000000:user/alice");
    // A writer clears the key's owner. The foundation then took the key for the root user's.
    exec(&s, "UPDATE access_keys SET user_id = NULL WHERE access_key_id = $1", &[&alice.id]).await;
    assert_eq!(identity(&s, &alice).await, Err("InvalidClientTokenId".into()));
    s.stop().await;
}

async fn a_sealed_secret_moved_to_another_owner_does_not_open(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    let bob = s.user_with_key("bob").await;
    // Alice's key is made a root key, markers and all: its secret was sealed to alice, so it no longer opens.
    exec(&s, "UPDATE access_keys SET user_id = NULL, owner_kind = 'root' WHERE access_key_id = $1", &[&alice.id]).await;
    assert_eq!(identity(&s, &alice).await, Err("InvalidClientTokenId".into()));
    // Bob's key is given to carol: no longer bob's, and not carol's either.
    s.root_iam().create_user().user_name("carol").send().await.unwrap();
    exec(
        &s,
        "UPDATE access_keys SET user_id = (SELECT user_id FROM users WHERE name = 'carol') WHERE access_key_id = $1",
        &[&bob.id],
    )
    .await;
    assert_eq!(identity(&s, &bob).await, Err("InvalidClientTokenId".into()));
    // The root key moved to another account on the same server.
    exec(&s, "INSERT INTO accounts (account_id, created_at, revision) VALUES ($1, 0, 0)", &["111111111111"]).await;
    exec(&s, "UPDATE access_keys SET account_id = $1 WHERE access_key_id = $2", &["111111111111", &s.root.id]).await;
    assert_eq!(identity(&s, &s.root).await, Err("InvalidClientTokenId".into()));
    s.stop().await;
}

async fn rows_of_the_first_sealing_format_still_open(backend: Backend) {
    let s = TestServer::start(backend).await;
    let alice = s.user_with_key("alice").await;
    // Seal alice's secret the way the foundation did (the key id alone as associated data), as an upgraded
    // database holds it.
    let state = &s.running.state;
    let (store, keyring) = state.store_and_keys_for_tests();
    let (master_key_id, sealed) = keyring.seal(&*state.rng, alice.secret.as_bytes(), alice.id.as_bytes()).unwrap();
    sqlx::query(
        "UPDATE access_keys SET secret_sealed = $1, master_key_id = $2, seal_version = 1 WHERE access_key_id = $3",
    )
    .bind(sealed)
    .bind(master_key_id)
    .bind(&alice.id)
    .execute(store.pool())
    .await
    .unwrap();
    moved_on(&s).await;
    assert_eq!(identity(&s, &alice).await.unwrap(), "arn:aws:iam::000000000000:user/alice");
    // The first use re-sealed it in the current format, bound to alice.
    let mut c = store.pool().acquire().await.unwrap();
    let row = keys::by_id(&mut c, &alice.id).await.unwrap().unwrap();
    drop(c);
    assert_eq!(row.seal_version, gatehouse::crypto::KEY_SEAL_VERSION);
    assert_eq!(identity(&s, &alice).await.unwrap(), "arn:aws:iam::000000000000:user/alice");
    s.stop().await;
}

async fn access_key_pages_skip_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    let iam = s.root_iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    // Keys are listed oldest first. The foundation's marker compared key ids, so when the newer key's id sorted
    // before the older one's, the second page skipped it. Make sure that case occurs (each try has an even
    // chance), then page through one key at a time.
    let mut all = Vec::new();
    for _ in 0..40 {
        for _ in 0..2 {
            iam.create_access_key().user_name("alice").send().await.unwrap();
        }
        all = iam.list_access_keys().user_name("alice").send().await.unwrap().access_key_metadata().to_vec();
        assert_eq!(all.len(), 2);
        if all[1].access_key_id() < all[0].access_key_id() {
            break;
        }
        for k in &all {
            iam.delete_access_key().user_name("alice").access_key_id(k.access_key_id().unwrap()).send().await.unwrap();
        }
    }
    assert!(all[1].access_key_id() < all[0].access_key_id(), "no pair of keys in the order that matters");
    let mut seen = Vec::new();
    let mut marker = None;
    loop {
        let page = iam.list_access_keys().user_name("alice").max_items(1).set_marker(marker).send().await.unwrap();
        seen.extend(page.access_key_metadata().iter().map(|k| k.access_key_id().unwrap().to_string()));
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_string);
    }
    let expected: Vec<String> = all.iter().map(|k| k.access_key_id().unwrap().to_string()).collect();
    assert_eq!(seen, expected);
    s.stop().await;
}
