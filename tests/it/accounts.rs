//! Several accounts on one server: declared for CI in GATEHOUSE_EXTRA_ACCOUNTS (created at start, root keys
//! under the same rules as the default account's), or made with `gatehouse account create`. Each account's root
//! user acts in its own account only, and each sees only its own users.

use gatehouse::secret::Secret;
use gatehouse::server::Runtime;

use crate::both_stores;
use crate::harness::{Backend, Creds, TestServer};

both_stores!(extra_accounts_are_separate_accounts, accounts_made_by_the_command);

const OTHER: &str = "111111111111";
const OTHER_KEY: &str = "AKIAGATEHOUSEOTHER01";
const OTHER_SECRET: &str = "other/account/root/secret/for/tests/0001";

async fn whoami(s: &TestServer, c: &Creds) -> (String, String) {
    let out = s.sts(c).get_caller_identity().send().await.unwrap();
    (out.account().unwrap().to_string(), out.arn().unwrap().to_string())
}

async fn user_names(s: &TestServer, c: &Creds) -> Vec<String> {
    let out = s.iam(c).list_users().send().await.unwrap();
    out.users().iter().map(|u| u.user_name().to_string()).collect()
}

async fn extra_accounts_are_separate_accounts(backend: Backend) {
    let extra =
        format!("{OTHER}={OTHER_KEY}:{OTHER_SECRET}, 222222222222=AKIAGATEHOUSEOTHER02:second/account/secret/0002");
    let s = TestServer::start_args(backend, |a| a.extra_accounts = Some(Secret::new(extra))).await;
    let other = Creds::new(OTHER_KEY, OTHER_SECRET);
    assert_eq!(whoami(&s, &other).await, (OTHER.to_string(), format!("arn:aws:iam::{OTHER}:root")));
    let third = Creds::new("AKIAGATEHOUSEOTHER02", "second/account/secret/0002");
    assert_eq!(whoami(&s, &third).await.0, "222222222222");

    // The same user name in two accounts: two users, each account listing its own.
    s.iam(&other).create_user().user_name("alice").send().await.unwrap();
    s.root_iam().create_user().user_name("alice").send().await.unwrap();
    s.root_iam().create_user().user_name("bob").send().await.unwrap();
    assert_eq!(user_names(&s, &other).await, ["alice"]);
    assert_eq!(user_names(&s, &s.root).await, ["alice", "bob"]);
    assert!(user_names(&s, &third).await.is_empty());
    let alice = s.iam(&other).get_user().user_name("alice").send().await.unwrap();
    assert_eq!(alice.user().unwrap().arn(), format!("arn:aws:iam::{OTHER}:user/alice"));
    s.stop().await;
}

async fn accounts_made_by_the_command(backend: Backend) {
    // An SQLite file rather than memory, so that the command can open the same store.
    let dir = std::env::temp_dir().join(format!("gatehouse-it-{}", uuid::Uuid::new_v4().simple()));
    let file = format!("sqlite://{}?mode=rwc", dir.join("gatehouse.db").display());
    std::fs::create_dir_all(&dir).unwrap();
    let s = TestServer::start_args(backend, |a| {
        if backend == Backend::Sqlite {
            a.database_url = Some(file);
        }
    })
    .await;
    // The command runs against the same store, as an operator would run it beside the server.
    let mut args = gatehouse::config::ServeArgs::ephemeral();
    args.database_url = Some(s.database_url.clone());
    args.master_key = Some(Secret::new("7".repeat(64)));
    let generated = gatehouse::server::create_account(&args, OTHER, None, Runtime::default()).await.unwrap();
    let generated = Creds::new(&generated.access_key_id, generated.secret.expose());
    assert_eq!(whoami(&s, &generated).await.0, OTHER);

    let given = Secret::new(OTHER_SECRET.into());
    let e = gatehouse::server::create_account(&args, OTHER, Some((OTHER_KEY, &given)), Runtime::default()).await;
    assert!(e.err().unwrap().to_string().contains("already exists"));
    gatehouse::server::create_account(&args, "333333333333", Some((OTHER_KEY, &given)), Runtime::default())
        .await
        .unwrap();
    assert_eq!(whoami(&s, &Creds::new(OTHER_KEY, OTHER_SECRET)).await.0, "333333333333");
    // A key id can belong to one account only.
    let e = gatehouse::server::create_account(&args, "444444444444", Some((OTHER_KEY, &given)), Runtime::default());
    assert!(e.await.err().unwrap().to_string().contains("already taken"));
    let e = gatehouse::server::create_account(&args, "12345", None, Runtime::default()).await;
    assert!(e.err().unwrap().to_string().contains("12 digits"));
    s.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
