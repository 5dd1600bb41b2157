//! Persistence: Postgres in production, SQLite as the embedded default, behind one interface.
//!
//! Both dialects run the same SQL (`$N` parameters work in both; only types that both map alike are used:
//! TEXT, BIGINT and bytes), through sqlx's `Any` driver, so one set of queries and one conformance suite
//! cover both. Writes happen in one transaction that first bumps the account's revision: on Postgres that row
//! lock serialises writers of one account (so limits such as "two access keys per user" hold under
//! concurrency), and the revision tells other instances that cached state is stale. SQLite additionally
//! serialises writers in-process, because two deferred transactions upgrading to writers would fail with
//! SQLITE_BUSY instead of waiting.

pub mod access_records;
pub mod account_settings;
pub mod accounts;
pub mod attachments;
pub mod changes;
pub mod deletion_tasks;
pub mod grants;
pub mod groups;
pub mod inline_policies;
pub mod instance_profiles;
pub mod keys;
pub mod mfa_devices;
pub mod oidc_providers;
pub mod outbound;
pub mod passwords;
pub mod policies;
pub mod prefix;
pub mod read_cache;
pub mod roles;
pub mod saml_providers;
pub mod server_certificates;
pub mod service_credentials;
pub mod signing_certificates;
pub mod ssh_keys;
pub mod tags;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor};
use tokio::sync::{Mutex, MutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug)]
pub enum StoreError {
    /// A unique constraint was violated (a name or id already taken).
    Conflict,
    /// A foreign key still points at the row being deleted.
    StillReferenced,
    /// Anything else: the database is unreachable, a query failed, a row has an unexpected shape.
    Database(sqlx::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Conflict => f.write_str("unique constraint violated"),
            Self::StillReferenced => f.write_str("row still referenced"),
            Self::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return Self::Conflict,
                sqlx::error::ErrorKind::ForeignKeyViolation => return Self::StillReferenced,
                _ => {}
            }
        }
        Self::Database(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A closed set of values stored as TEXT: the enum, its stored spelling (`as_str`), and the `TryFrom<String>` that
/// `#[sqlx(try_from = "String")]` uses to read it back (an unknown value is a store error, never a guess).
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> std::result::Result<Self, String> {
                match s.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(concat!("unknown ", stringify!($name), " {:?}"), s)),
                }
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// The kinds of entity that hold policies (inline and attached), as `entity_kind` stores them.
    EntityKind { User = "user", Group = "group", Role = "role" }
);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct Store {
    pool: AnyPool,
    backend: Backend,
    sqlite_writer: Option<Mutex<()>>,
    /// SQLite only: the revision of each account, kept in memory (see [`Revisions`]).
    revisions: Option<Revisions>,
}

/// The accounts' revisions as this process knows them, for SQLite: one process owns a SQLite store (`serve` locks
/// it) and every write goes through [`Store::write`], which raises the account's revision here after it commits
/// and before its operation answers. So a request that starts after a change has been answered sees its revision
/// without reading the database, and a revision read here is never older than the database's for a change this
/// process answered. A revision is only ever raised (a reader that fetched an older one while a writer committed
/// cannot lower it), and an account not seen yet is read from the database once.
#[derive(Debug, Default)]
struct Revisions {
    by_account: std::sync::RwLock<std::collections::HashMap<String, i64>>,
}

impl Revisions {
    fn get(&self, account_id: &str) -> Option<i64> {
        // A poisoned lock only means a thread panicked while holding it; the map itself is always whole.
        self.by_account.read().unwrap_or_else(|e| e.into_inner()).get(account_id).copied()
    }

    fn raise(&self, account_id: &str, revision: i64) {
        let mut map = self.by_account.write().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(account_id) {
            Some(r) => *r = (*r).max(revision),
            None => {
                map.insert(account_id.to_string(), revision);
            }
        }
    }

    fn forget_all(&self) {
        self.by_account.write().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

/// One write transaction. Dropping it without `commit` rolls everything back.
pub struct WriteTx<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _writer: Option<MutexGuard<'a, ()>>,
    /// What the commit tells the in-memory revisions (SQLite).
    publish: Publish<'a>,
}

/// What a committed write changes in [`Revisions`].
enum Publish<'a> {
    /// Postgres: nothing (every request reads the revision from the database).
    Nothing,
    /// An account's write: its new revision, if the account exists.
    Account(&'a Revisions, String, Option<i64>),
    /// A write outside any account's revision (bootstrap, `account create`): forget every revision, so the next
    /// request of each account reads it from the database again.
    Everything(&'a Revisions),
}

impl WriteTx<'_> {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        match self.publish {
            Publish::Nothing | Publish::Account(_, _, None) => {}
            Publish::Account(revisions, account_id, Some(revision)) => revisions.raise(&account_id, revision),
            Publish::Everything(revisions) => revisions.forget_all(),
        }
        Ok(())
    }
}

impl Store {
    /// Connects to `url` and applies the migrations of its dialect. Safe to run from several instances at
    /// once: sqlx takes an advisory lock on Postgres while migrating.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "the database URL must start with postgres://, postgresql:// or sqlite:".into(),
            )));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let in_memory = backend == Backend::Sqlite && url.contains(":memory:");
        let pool_options = AnyPoolOptions::new().after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers proceed during a write; synchronous=FULL makes every commit durable
                    // ("nothing lost on a crash", power loss included); foreign keys back our own checks.
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;").await?;
                    if !in_memory {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").await?;
                    }
                }
                Ok(())
            })
        });
        let pool_options = if in_memory {
            // Every connection to `:memory:` is a separate database: keep exactly one, forever.
            pool_options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
        } else {
            pool_options.max_connections(16).acquire_timeout(Duration::from_secs(10))
        };
        // No round trip to test a pooled connection before every use (sqlx's default): it doubled the cost of a
        // read. A SQLite connection cannot break; a Postgres one that did fails its query (a 500 the SDKs retry)
        // and is not returned to the pool.
        let pool_options = pool_options.test_before_acquire(false);
        let pool = pool_options.connect_with(options).await?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await.map_err(|e| StoreError::Database(e.into()))?;
        let sqlite_writer = (backend == Backend::Sqlite).then(|| Mutex::new(()));
        let revisions = (backend == Backend::Sqlite).then(Revisions::default);
        Ok(Self { pool, backend, sqlite_writer, revisions })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts the one transaction of a write in `account_id`, locking the account's revision row first.
    pub async fn write(&self, account_id: &str) -> Result<WriteTx<'_>> {
        let writer = match &self.sqlite_writer {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        let revision = accounts::bump_revision(&mut tx, account_id).await?;
        let publish = match &self.revisions {
            Some(r) => Publish::Account(r, account_id.to_string(), revision),
            None => Publish::Nothing,
        };
        Ok(WriteTx { tx, _writer: writer, publish })
    }

    /// The account's current revision (`None` if there is no such account): on SQLite from memory once known
    /// ([`Revisions`]), on Postgres one indexed read, since another instance may have written.
    pub async fn revision(&self, account_id: &str) -> Result<Option<i64>> {
        if let Some(known) = self.revisions.as_ref().and_then(|r| r.get(account_id)) {
            return Ok(Some(known));
        }
        let mut conn = self.pool.acquire().await?;
        let read = accounts::revision(&mut conn, account_id).await?;
        if let (Some(r), Some(revisions)) = (read, &self.revisions) {
            revisions.raise(account_id, r);
        }
        Ok(read)
    }

    /// A transaction that touches no account yet (bootstrap creates the account itself).
    pub async fn write_global(&self) -> Result<WriteTx<'_>> {
        let writer = match &self.sqlite_writer {
            Some(m) => Some(m.lock().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        let publish = match &self.revisions {
            Some(r) => Publish::Everything(r),
            None => Publish::Nothing,
        };
        Ok(WriteTx { tx, _writer: writer, publish })
    }

    /// Forgets the in-memory revisions (SQLite), so that each is read from the database again.
    pub(crate) fn forget_revisions(&self) {
        if let Some(r) = &self.revisions {
            r.forget_all();
        }
    }

    /// A trivial query, for the health probe: whether the database answers at all.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes this process the only server of a SQLite store, as [`Revisions`] requires: an exclusive lock on a file
/// beside the database (`DATABASE.serve-lock`), held while the returned file is open and released by the system
/// however the process ends. A second `gatehouse serve` of the same store is refused at start; the offline
/// commands (`account create`, `root-key create`) do not take it, and only ever add keys or accounts, which no
/// cached state can hide (a key or account not in memory is read from the database). Postgres and in-memory
/// stores need no lock (`None`).
pub fn claim_sole_server(url: &str) -> std::result::Result<Option<std::fs::File>, String> {
    let Some(rest) = url.strip_prefix("sqlite:") else { return Ok(None) };
    if rest.contains(":memory:") {
        return Ok(None);
    }
    let path = rest.trim_start_matches("//");
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let lock_path = format!("{path}.serve-lock");
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open the store's lock file {lock_path}: {e}"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another gatehouse server is serving the SQLite store {path} (it holds {lock_path}): a SQLite store has \
             one server process; use Postgres (GATEHOUSE_DATABASE_URL) for several instances"
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {lock_path}: {e}")),
    }
}

/// Values per `IN (...)` of the batched reads: their parameters stay under 999, the lowest limit any SQLite build
/// has had (`SQLITE_MAX_VARIABLE_NUMBER` before 3.32).
pub(crate) const BATCH: usize = 500;

/// The rows of `sql` for every one of `ids`, a query per [`BATCH`] of them rather than one per id: `sql` has `{ids}`
/// where the `IN (...)` list goes, after the `leading` parameters ($1...). Rows come batch by batch, each batch in
/// the statement's order.
pub(crate) async fn fetch_batched<R>(
    conn: &mut AnyConnection,
    sql: &str,
    leading: &[&str],
    ids: &[String],
) -> Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut rows = Vec::with_capacity(ids.len());
    for batch in ids.chunks(BATCH) {
        let list = (leading.len() + 1..=leading.len() + batch.len()).map(|n| format!("${n}")).collect::<Vec<_>>();
        let sql = sql.replace("{ids}", &list.join(", "));
        let mut query = sqlx::query_as(&sql);
        for value in leading {
            query = query.bind(*value);
        }
        for id in batch {
            query = query.bind(id);
        }
        rows.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}

/// Reads a column, turning a type mismatch into a store error rather than a panic.
pub(crate) fn col<'r, T>(row: &'r sqlx::any::AnyRow, name: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row as _;
    row.try_get::<T, _>(name).map_err(StoreError::Database)
}
