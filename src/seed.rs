//! `gatehouse seed`: many synthetic users, roles and customer managed policies written straight into the store, for
//! measuring the server at scale (issue 16: 100,000 users, 10,000 roles and 10,000 policies). Through the API that
//! would be 120,000 signed, authorised, one-row transactions; here it is one transaction per batch of 1,000
//! entities of multi-row INSERTs.
//!
//! Every row is what the API would have stored for the same request: the store's row types (`UserRow`, `RoleRow`,
//! `PolicyRow`) with ids from `crate::ids` (`AIDA`, `AROA`, `ANPA`), the same name keys and ARNs, a role's trust
//! policy and a policy's v1 stored as submitted (after the API's own validation of the documents), tags as
//! `tags::put` numbers them. Each batch is a write of the account (`Store::write`), so the account's revision is
//! bumped and every instance's caches see the change, as after any write through the API.

use std::fmt;

use crate::domain::{policies as policy_domain, trust};
use crate::ids::{unique_id, Randomness};
use crate::store::policies::PolicyRow;
use crate::store::roles::RoleRow;
use crate::store::users::{name_key, UserRow};
use crate::store::{accounts, Backend, Store, StoreError};

/// Entities per transaction.
pub const BATCH: usize = 1000;

/// Parameters per statement: 999 is the lowest limit any SQLite build has had (`SQLITE_MAX_VARIABLE_NUMBER` before
/// 3.32), far under Postgres's 65,535; a statement then carries 76 to 249 rows.
const MAX_PARAMS: usize = 999;

/// The names the seeded entities get, `PREFIX` and a six-digit number from 1; also what marks an account as seeded.
pub const USER_PREFIX: &str = "seed-user-";
pub const ROLE_PREFIX: &str = "seed-role-";
pub const POLICY_PREFIX: &str = "seed-policy-";

/// How many of each to create, in which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub account_id: String,
    pub users: u32,
    pub roles: u32,
    pub policies: u32,
}

/// What was created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    pub users: u64,
    pub roles: u64,
    pub policies: u64,
    pub tags: u64,
}

#[derive(Debug)]
pub enum SeedError {
    /// Seeding never creates an account: that is the bootstrap's or `gatehouse account create`'s job.
    NoSuchAccount(String),
    /// The account already has entities with the seeded names (`kind`, the prefix): nothing was written.
    AlreadySeeded {
        kind: &'static str,
        prefix: &'static str,
    },
    /// A batch hit a name or id that exists (a concurrent writer): that batch was rolled back, earlier ones stay.
    Conflict {
        kind: &'static str,
        first: String,
    },
    /// A generated document was refused by the API's own validation (a bug here, never the user's input).
    Invalid(String),
    Store(StoreError),
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchAccount(a) => {
                write!(f, "account {a} does not exist (start the server once, or `gatehouse account create {a}`)")
            }
            Self::AlreadySeeded { kind, prefix } => {
                write!(
                    f,
                    "the account already has {kind}s named {prefix}*: it has been seeded before; nothing was written"
                )
            }
            Self::Conflict { kind, first } => {
                write!(f, "a {kind} of the batch starting at {first} already exists; that batch was rolled back")
            }
            Self::Invalid(e) => write!(f, "a generated document is invalid: {e}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SeedError {}

impl From<StoreError> for SeedError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// The `i`th name of a kind: `seed-user-000001`.
pub fn name(prefix: &str, i: u32) -> String {
    format!("{prefix}{i:06}")
}

/// Half of each kind lives under `/seed/` (so that path-prefix listings have something to filter), the rest at `/`.
fn path(i: u32) -> &'static str {
    if i.is_multiple_of(2) {
        "/seed/"
    } else {
        "/"
    }
}

/// Every tenth user carries two tags, the shape of a team's cost allocation.
fn user_tags(i: u32) -> Vec<(String, String)> {
    if !i.is_multiple_of(10) {
        return Vec::new();
    }
    vec![("team".into(), format!("team-{}", i % 7)), ("cost-center".into(), format!("cc-{:04}", i % 97))]
}

/// A role's trust policy: EC2 for most, the account's own root (cross-role assumption) for every fifth.
pub fn trust_policy(account: &str, i: u32) -> String {
    let principal = if i.is_multiple_of(5) {
        format!(r#"{{"AWS":"arn:aws:iam::{account}:root"}}"#)
    } else {
        r#"{"Service":"ec2.amazonaws.com"}"#.to_string()
    };
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// A small realistic identity policy: read one bucket's objects, list it, in one region's objects only.
pub fn policy_document(i: u32) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ReadBucket","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::seed-bucket-{i}/*"}},{{"Sid":"ListBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::seed-bucket-{i}","Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/*"]}}}}}}]}}"#
    )
}

/// One bound value of a multi-row INSERT.
enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// `INSERT INTO table (columns) VALUES (...), (...)` for `rows`, in as many statements as the parameter limit
/// needs. `$N` placeholders serve both dialects.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> crate::store::Result<()> {
    let per_statement = (MAX_PARAMS / columns.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..columns.len() {
                n += 1;
                sql.push_str(if c == 0 { "$" } else { ", $" });
                sql.push_str(&n.to_string());
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::Text(s) => q.bind(s),
                    Value::OptText(s) => q.bind(s),
                    Value::Int(i) => q.bind(i),
                    Value::OptInt(i) => q.bind(i),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

const USER_COLUMNS: &[&str] =
    &["user_id", "account_id", "name", "name_key", "path", "permissions_boundary", "created_at", "password_last_used"];
const TAG_COLUMNS: &[&str] = &["resource_id", "key_lower", "tag_key", "tag_value", "seq"];
const ROLE_COLUMNS: &[&str] = &[
    "role_id",
    "account_id",
    "name",
    "name_key",
    "path",
    "trust_policy",
    "description",
    "max_session_duration",
    "permissions_boundary",
    "service_name",
    "created_at",
    "last_used_at",
    "last_used_region",
];
const POLICY_COLUMNS: &[&str] = &[
    "policy_id",
    "account_id",
    "name",
    "name_key",
    "path",
    "arn",
    "description",
    "default_version",
    "next_version",
    "created_at",
    "updated_at",
];
const VERSION_COLUMNS: &[&str] = &["policy_id", "version", "document", "created_at"];

fn user_values(u: UserRow) -> Vec<Value> {
    let key = name_key(&u.name);
    vec![
        Value::Text(u.user_id),
        Value::Text(u.account_id),
        Value::Text(u.name),
        Value::Text(key),
        Value::Text(u.path),
        Value::OptText(u.permissions_boundary),
        Value::Int(u.created_at),
        Value::OptInt(u.password_last_used),
    ]
}

fn role_values(r: RoleRow) -> Vec<Value> {
    let key = name_key(&r.name);
    vec![
        Value::Text(r.role_id),
        Value::Text(r.account_id),
        Value::Text(r.name),
        Value::Text(key),
        Value::Text(r.path),
        Value::Text(r.trust_policy),
        Value::OptText(r.description),
        Value::Int(r.max_session_duration),
        Value::OptText(r.permissions_boundary),
        Value::OptText(r.service_name),
        Value::Int(r.created_at),
        Value::OptInt(r.last_used_at),
        Value::OptText(r.last_used_region),
    ]
}

fn policy_values(p: PolicyRow) -> Vec<Value> {
    let key = name_key(&p.name);
    vec![
        Value::Text(p.policy_id),
        Value::Text(p.account_id),
        Value::Text(p.name),
        Value::Text(key),
        Value::Text(p.path),
        Value::Text(p.arn),
        Value::OptText(p.description),
        Value::Int(p.default_version),
        Value::Int(p.next_version),
        Value::Int(p.created_at),
        Value::Int(p.updated_at),
    ]
}

/// How many entities of `table` have a name key starting with `prefix` (an indexed range on the unique
/// `(account_id, name_key)`: the character after `-` is `.`).
async fn count_prefixed(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    account: &str,
    prefix: &str,
) -> crate::store::Result<i64> {
    let upper = format!("{}.", prefix.trim_end_matches('-'));
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE account_id = $1 AND name_key >= $2 AND name_key < $3");
    let row = sqlx::query(&sql).bind(account).bind(prefix).bind(upper).fetch_one(conn).await?;
    crate::store::col(&row, "n")
}

/// The batches `1..=count` in runs of [`BATCH`].
fn batches(count: u32) -> impl Iterator<Item = std::ops::RangeInclusive<u32>> {
    let step = BATCH as u32;
    (0..count.div_ceil(step)).map(move |b| (b * step + 1)..=((b + 1) * step).min(count))
}

/// Commits a batch, naming its first entity when a unique constraint refused it.
async fn commit_batch(
    tx: crate::store::WriteTx<'_>,
    written: crate::store::Result<()>,
    kind: &'static str,
    first: String,
) -> Result<(), SeedError> {
    match written {
        // Dropping the transaction rolls the batch back.
        Err(StoreError::Conflict) => Err(SeedError::Conflict { kind, first }),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(tx.commit().await?),
    }
}

/// Creates `plan.users` users, `plan.roles` roles and `plan.policies` policies in `plan.account_id`, created at
/// `now` (unix milliseconds), with ids drawn from `rng`.
pub async fn seed(store: &Store, rng: &dyn Randomness, now: i64, plan: &Plan) -> Result<Seeded, SeedError> {
    let account = plan.account_id.as_str();
    // The documents pass the checks CreateRole and CreatePolicy make, once per shape (they differ only in numbers).
    let quotas = crate::quotas::Quotas::default();
    for i in [1, 5] {
        trust::parse(&trust_policy(account, i), quotas.assume_role_policy_size)
            .map_err(|e| SeedError::Invalid(e.message))?;
    }
    let document = policy_document(1_000_000);
    policy_domain::validate_identity_document(&document).map_err(|e| SeedError::Invalid(e.message))?;
    if crate::quotas::size(&document) > quotas.policy_size {
        return Err(SeedError::Invalid("the policy document is over the PolicySize quota".into()));
    }
    {
        let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
        if accounts::created_at(&mut conn, account).await?.is_none() {
            return Err(SeedError::NoSuchAccount(account.to_string()));
        }
        for (kind, table, prefix, wanted) in [
            ("user", "users", USER_PREFIX, plan.users),
            ("role", "roles", ROLE_PREFIX, plan.roles),
            ("policy", "managed_policies", POLICY_PREFIX, plan.policies),
        ] {
            if wanted > 0 && count_prefixed(&mut conn, table, account, prefix).await? > 0 {
                return Err(SeedError::AlreadySeeded { kind, prefix });
            }
        }
    }
    let mut seeded = Seeded::default();

    for range in batches(plan.users) {
        let mut users = Vec::with_capacity(BATCH);
        let mut tags = Vec::new();
        for i in range.clone() {
            let user = UserRow {
                user_id: unique_id(rng, "AIDA"),
                account_id: account.to_string(),
                name: name(USER_PREFIX, i),
                path: path(i).to_string(),
                permissions_boundary: None,
                created_at: now,
                password_last_used: None,
            };
            // As `tags::put` stores them: the key lower-cased for uniqueness, `seq` from 1 in the order given.
            for (seq, (key, value)) in (1i64..).zip(user_tags(i)) {
                tags.push(vec![
                    Value::Text(user.user_id.clone()),
                    Value::Text(key.to_lowercase()),
                    Value::Text(key),
                    Value::Text(value),
                    Value::Int(seq),
                ]);
            }
            users.push(user_values(user));
        }
        let (n, t) = (users.len() as u64, tags.len() as u64);
        let mut tx = store.write(account).await?;
        let written = async {
            insert_rows(tx.conn(), "users", USER_COLUMNS, users).await?;
            insert_rows(tx.conn(), "tags", TAG_COLUMNS, tags).await
        }
        .await;
        commit_batch(tx, written, "user", name(USER_PREFIX, *range.start())).await?;
        seeded.users += n;
        seeded.tags += t;
        if seeded.users % 10_000 == 0 {
            tracing::info!(users = seeded.users, "seeding");
        }
    }

    for range in batches(plan.roles) {
        let roles: Vec<Vec<Value>> = range
            .clone()
            .map(|i| {
                role_values(RoleRow {
                    role_id: unique_id(rng, "AROA"),
                    account_id: account.to_string(),
                    name: name(ROLE_PREFIX, i),
                    path: path(i).to_string(),
                    trust_policy: trust_policy(account, i),
                    description: Some(format!("Seeded role {i}")),
                    max_session_duration: crate::domain::roles::DEFAULT_MAX_SESSION_DURATION,
                    permissions_boundary: None,
                    service_name: None,
                    created_at: now,
                    last_used_at: None,
                    last_used_region: None,
                })
            })
            .collect();
        let n = roles.len() as u64;
        let mut tx = store.write(account).await?;
        let written = insert_rows(tx.conn(), "roles", ROLE_COLUMNS, roles).await;
        commit_batch(tx, written, "role", name(ROLE_PREFIX, *range.start())).await?;
        seeded.roles += n;
    }

    for range in batches(plan.policies) {
        let mut policies = Vec::with_capacity(BATCH);
        let mut versions = Vec::with_capacity(BATCH);
        for i in range.clone() {
            let name = name(POLICY_PREFIX, i);
            let path = path(i);
            // As CreatePolicy stores it: v1 is the default, the next version will be v2.
            let row = PolicyRow {
                policy_id: unique_id(rng, "ANPA"),
                account_id: account.to_string(),
                arn: crate::arn::iam(account, "policy", path, &name),
                name,
                path: path.to_string(),
                description: (i % 3 == 0).then(|| format!("Seeded policy {i}")),
                default_version: 1,
                next_version: 2,
                created_at: now,
                updated_at: now,
            };
            versions.push(vec![
                Value::Text(row.policy_id.clone()),
                Value::Int(1),
                Value::Text(policy_document(i)),
                Value::Int(now),
            ]);
            policies.push(policy_values(row));
        }
        let n = policies.len() as u64;
        let mut tx = store.write(account).await?;
        let written = async {
            insert_rows(tx.conn(), "managed_policies", POLICY_COLUMNS, policies).await?;
            insert_rows(tx.conn(), "policy_versions", VERSION_COLUMNS, versions).await
        }
        .await;
        commit_batch(tx, written, "policy", name(POLICY_PREFIX, *range.start())).await?;
        seeded.policies += n;
    }
    analyze(store).await?;
    Ok(seeded)
}

/// Postgres plans from statistics its autovacuum refreshes a minute or so after a bulk load (until then it plans the
/// seeded tables as the empty ones they were), and vacuums the new rows then too, a burst of work beside whatever the
/// server is doing. Both done here (the usual end of a bulk load), the server started next plans, and is measured,
/// as it will for good. SQLite plans without statistics unless ANALYZE ever ran, which the server never does: it is
/// left as a server's own store would be.
async fn analyze(store: &Store) -> Result<(), StoreError> {
    if store.backend() == Backend::Postgres {
        let mut conn = store.pool().acquire().await?;
        // Outside a transaction, as VACUUM must be.
        sqlx::query("VACUUM (ANALYZE) users, tags, roles, managed_policies, policy_versions")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `gatehouse seed`: opens the store as `serve` would (migrating it), seeds, closes it.
pub async fn run(
    args: &crate::config::ServeArgs,
    plan: &Plan,
    rt: crate::server::Runtime,
) -> Result<Seeded, Box<dyn std::error::Error>> {
    // A running server of a SQLite store keeps what it read in memory, including that a name was not there (its
    // read caches), and sees only its own writes: so seeding takes the server's lock, and waits for no one.
    let _sole = crate::store::claim_sole_server(&args.database_url()).map_err(|e| format!("{e}; stop it to seed"))?;
    let (store, _keyring) = crate::server::open_store(args, &rt).await?;
    let seeded = seed(&store, &*rt.rng, rt.clock.now_millis(), plan).await;
    store.close().await;
    Ok(seeded?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_number_once() {
        let all: Vec<u32> = batches(2_500).flatten().collect();
        assert_eq!(all, (1..=2_500).collect::<Vec<_>>());
        assert_eq!(batches(2_000).count(), 2);
        assert_eq!(batches(0).count(), 0);
    }

    #[test]
    fn names_sort_in_number_order() {
        assert_eq!(name(USER_PREFIX, 1), "seed-user-000001");
        assert!(name(USER_PREFIX, 99_999) < name(USER_PREFIX, 100_000));
    }

    #[test]
    fn statements_stay_under_the_parameter_limit() {
        for columns in [USER_COLUMNS, TAG_COLUMNS, ROLE_COLUMNS, POLICY_COLUMNS, VERSION_COLUMNS] {
            assert!(MAX_PARAMS / columns.len() * columns.len() <= 999);
        }
    }
}
