//! The store conformance suite: the same expectations of the storage layer on SQLite and on Postgres.

use gatehouse::store::keys::{self, AccessKeyRow};
use gatehouse::store::passwords;
use gatehouse::store::tags::{self, Tag};
use gatehouse::store::users::{self, UserRow};
use gatehouse::store::{accounts, Store, StoreError};

use crate::both_stores;
use crate::harness::{database_url, Backend};

both_stores!(
    migrations_are_idempotent,
    unique_names_ignore_case,
    foreign_keys_hold,
    listing_order_prefix_and_marker,
    tags_upsert_case_insensitively,
    rollback_leaves_nothing,
    password_history_keeps_the_newest
);

const ACCOUNT: &str = "123456789012";

async fn open(backend: Backend) -> (Store, String) {
    let url = database_url(backend).await;
    let store = Store::open(&url).await.expect("open store");
    let mut tx = store.write_global().await.unwrap();
    accounts::ensure(tx.conn(), ACCOUNT, 1).await.unwrap();
    tx.commit().await.unwrap();
    (store, url)
}

fn user(id: &str, name: &str, path: &str) -> UserRow {
    UserRow {
        user_id: id.into(),
        account_id: ACCOUNT.into(),
        name: name.into(),
        path: path.into(),
        permissions_boundary: None,
        created_at: 1_700_000_000_000,
        password_last_used: None,
    }
}

async fn migrations_are_idempotent(backend: Backend) {
    let (store, url) = open(backend).await;
    if backend == Backend::Postgres {
        // A second instance starting on the same database applies nothing and sees the same data.
        let again = Store::open(&url).await.expect("reopen");
        let mut c = again.pool().acquire().await.unwrap();
        assert!(accounts::created_at(&mut c, ACCOUNT).await.unwrap().is_some());
        assert!(accounts::created_at(&mut c, "999999999999").await.unwrap().is_none());
        drop(c);
        again.close().await;
    }
    let mut tx = store.write_global().await.unwrap();
    accounts::ensure(tx.conn(), ACCOUNT, 2).await.unwrap();
    tx.commit().await.unwrap();
    store.close().await;
}

async fn unique_names_ignore_case(backend: Backend) {
    let (store, _) = open(backend).await;
    let mut tx = store.write(ACCOUNT).await.unwrap();
    users::insert(tx.conn(), &user("AIDA1", "Alice", "/")).await.unwrap();
    let err = users::insert(tx.conn(), &user("AIDA2", "alice", "/")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    drop(tx);
    let mut c = store.pool().acquire().await.unwrap();
    assert!(users::by_name(&mut c, ACCOUNT, "ALICE").await.unwrap().is_none(), "the dropped transaction rolled back");
    drop(c);
    store.close().await;
}

async fn foreign_keys_hold(backend: Backend) {
    let (store, _) = open(backend).await;
    let mut tx = store.write(ACCOUNT).await.unwrap();
    users::insert(tx.conn(), &user("AIDA1", "alice", "/")).await.unwrap();
    let key = AccessKeyRow {
        access_key_id: "AKIATEST".into(),
        account_id: ACCOUNT.into(),
        user_id: Some("AIDA1".into()),
        owner_kind: keys::OwnerKind::User,
        secret_sealed: vec![1, 2, 3],
        master_key_id: "k".into(),
        seal_version: 2,
        status: keys::KeyStatus::Active,
        created_at: 5,
        last_used_at: None,
        last_used_service: None,
        last_used_region: None,
    };
    keys::insert(tx.conn(), &key).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write(ACCOUNT).await.unwrap();
    let err = users::delete(tx.conn(), "AIDA1").await.unwrap_err();
    assert!(matches!(err, StoreError::StillReferenced), "{err:?}");
    drop(tx);
    let mut c = store.pool().acquire().await.unwrap();
    let found = keys::with_owner(&mut c, "AKIATEST").await.unwrap().unwrap();
    assert_eq!(found.user_name.as_deref(), Some("alice"));
    assert_eq!(found.key.secret_sealed, vec![1, 2, 3]);
    drop(c);
    store.close().await;
}

async fn listing_order_prefix_and_marker(backend: Backend) {
    let (store, _) = open(backend).await;
    let mut tx = store.write(ACCOUNT).await.unwrap();
    for (i, (name, path)) in [("b", "/x/"), ("A", "/"), ("c", "/x/y/"), ("d", "/xy/")].iter().enumerate() {
        users::insert(tx.conn(), &user(&format!("AIDA{i}"), name, path)).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut c = store.pool().acquire().await.unwrap();
    let all: Vec<_> = users::list(&mut c, ACCOUNT, "/", "", 10).await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(all, ["A", "b", "c", "d"]);
    let x: Vec<_> = users::list(&mut c, ACCOUNT, "/x/", "", 10).await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(x, ["b", "c"]);
    let after: Vec<_> = users::list(&mut c, ACCOUNT, "/", "b", 1).await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(after, ["c"]);
    // Prefix characters that are LIKE wildcards elsewhere match only themselves.
    assert!(users::list(&mut c, ACCOUNT, "/_/", "", 10).await.unwrap().is_empty());
    drop(c);
    store.close().await;
}

async fn tags_upsert_case_insensitively(backend: Backend) {
    let (store, _) = open(backend).await;
    let t = |k: &str, v: &str| Tag { key: k.into(), value: v.into() };
    let mut tx = store.write(ACCOUNT).await.unwrap();
    tags::put(tx.conn(), "AIDA1", &[t("Env", "a"), t("Team", "b")]).await.unwrap();
    tags::put(tx.conn(), "AIDA1", &[t("env", "c")]).await.unwrap();
    assert_eq!(tags::count_after_put(tx.conn(), "AIDA1", &["TEAM".into(), "new".into()]).await.unwrap(), 3);
    tx.commit().await.unwrap();
    let mut c = store.pool().acquire().await.unwrap();
    assert_eq!(tags::list(&mut c, "AIDA1").await.unwrap(), vec![t("env", "c"), t("Team", "b")]);
    drop(c);
    store.close().await;
}

async fn rollback_leaves_nothing(backend: Backend) {
    let (store, _) = open(backend).await;
    {
        let mut tx = store.write(ACCOUNT).await.unwrap();
        users::insert(tx.conn(), &user("AIDA9", "zed", "/")).await.unwrap();
        // Dropped without commit.
    }
    let mut c = store.pool().acquire().await.unwrap();
    assert!(users::by_id(&mut c, "AIDA9").await.unwrap().is_none());
    drop(c);
    store.close().await;
}

/// The password history keeps the newest `keep` hashes of a user, newest first, and no other user's; keeping none
/// empties it.
async fn password_history_keeps_the_newest(backend: Backend) {
    let (store, _) = open(backend).await;
    let mut tx = store.write(ACCOUNT).await.unwrap();
    users::insert(tx.conn(), &user("AIDAHIST1", "hist1", "/")).await.unwrap();
    users::insert(tx.conn(), &user("AIDAHIST2", "hist2", "/")).await.unwrap();
    for (i, h) in ["h1", "h2", "h3", "h4"].iter().enumerate() {
        passwords::remember(tx.conn(), "AIDAHIST1", h, i as i64, 3).await.unwrap();
    }
    passwords::remember(tx.conn(), "AIDAHIST2", "other", 0, 3).await.unwrap();
    assert_eq!(passwords::recent_hashes(tx.conn(), "AIDAHIST1", 24).await.unwrap(), ["h4", "h3", "h2"]);
    assert_eq!(passwords::recent_hashes(tx.conn(), "AIDAHIST1", 2).await.unwrap(), ["h4", "h3"]);
    passwords::remember(tx.conn(), "AIDAHIST1", "h5", 5, 0).await.unwrap();
    assert!(passwords::recent_hashes(tx.conn(), "AIDAHIST1", 24).await.unwrap().is_empty());
    assert_eq!(passwords::recent_hashes(tx.conn(), "AIDAHIST2", 24).await.unwrap(), ["other"]);
    // Once its history is forgotten, the user can be deleted.
    passwords::forget_history(tx.conn(), "AIDAHIST2").await.unwrap();
    users::delete(tx.conn(), "AIDAHIST2").await.unwrap();
    tx.commit().await.unwrap();
}
