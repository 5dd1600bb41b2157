//! First-start set-up, run at every start and idempotent: the master key, the default account and its root
//! user's access key; and the explicit recovery of root keys (`gatehouse root-key create`). Several instances
//! may start at once on one Postgres: the account row is locked while root keys are checked.

use std::path::Path;

use crate::config::ServeArgs;
use crate::crypto::{CryptoError, Keyring, MasterKey};
use crate::domain::access_keys;
use crate::ids::Randomness;
use crate::secret::Secret;
use crate::store::keys::{AccessKeyRow, KeyStatus};
use crate::store::{accounts, keys, Backend, Store, StoreError};

#[derive(Debug)]
pub enum BootstrapError {
    Config(String),
    Crypto(CryptoError),
    Store(StoreError),
    Io(std::io::Error),
}

impl std::fmt::Display for BootstrapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Config(m) => f.write_str(m),
            Self::Crypto(e) => write!(f, "master key: {e}"),
            Self::Store(e) => write!(f, "store: {e}"),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BootstrapError {}

impl From<StoreError> for BootstrapError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<CryptoError> for BootstrapError {
    fn from(e: CryptoError) -> Self {
        Self::Crypto(e)
    }
}

const KEY_FILE: &str = "master.key";

/// The master keys from configuration. Only the embedded SQLite default may generate one (into its data
/// directory, with a warning): with Postgres every instance must be given the same key.
///
/// `sealed_rows` is how many sealed secrets the store already holds: a new key is never generated over them (they
/// could not be opened with it), since a missing key file is then a lost key, not a first start.
pub fn load_keyring(
    args: &ServeArgs,
    backend: Backend,
    in_memory: bool,
    sealed_rows: i64,
    rng: &dyn Randomness,
) -> Result<Keyring, BootstrapError> {
    let current = if let Some(k) = &args.master_key {
        MasterKey::parse(k.expose())?
    } else if let Some(path) = &args.master_key_file {
        MasterKey::parse(read_key_file(path)?.expose())?
    } else if backend == Backend::Postgres {
        return Err(BootstrapError::Config(
            "GATEHOUSE_MASTER_KEY (or GATEHOUSE_MASTER_KEY_FILE) is required with Postgres, and must be the same on every instance".into(),
        ));
    } else if in_memory {
        // A throwaway store: its secrets die with the process, so an ephemeral key is enough.
        MasterKey::parse(&MasterKey::generate_hex(rng))?
    } else {
        MasterKey::parse(&generated_key(&args.data_dir, sealed_rows, rng)?)?
    };
    let mut previous = Vec::new();
    if let Some(list) = &args.previous_master_keys {
        for k in list.expose().split(',').map(str::trim).filter(|k| !k.is_empty()) {
            previous.push(MasterKey::parse(k)?);
        }
    }
    Ok(Keyring::new(current, previous))
}

/// How many sealed secrets the store holds.
pub async fn sealed_rows(store: &Store) -> Result<i64, BootstrapError> {
    let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
    let keys = keys::count_all(&mut conn).await?;
    let saml = crate::store::saml_providers::count_sealed(&mut conn).await?;
    Ok(keys + saml + crate::store::outbound::count_sealed(&mut conn).await?)
}

/// Reads a master-key file after checking who may read and change it: a key anyone else may write could be
/// replaced, and one others may read is no secret. Root-owned read-only files (how Docker and Kubernetes mount
/// secrets, often 0444) are fine: only root and the file's readers inside the container can see them.
fn read_key_file(path: &Path) -> Result<Secret, BootstrapError> {
    check_key_file_permissions(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| BootstrapError::Config(format!("cannot read the master key file {}: {e}", path.display())))?;
    Ok(Secret::new(text))
}

#[cfg(unix)]
fn check_key_file_permissions(path: &Path) -> Result<(), BootstrapError> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path)
        .map_err(|e| BootstrapError::Config(format!("cannot read the master key file {}: {e}", path.display())))?;
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(BootstrapError::Config(format!(
            "the master key file {} is writable by others than its owner (mode {mode:03o}): chmod go-w it",
            path.display()
        )));
    }
    if mode & 0o004 != 0 && meta.uid() != 0 {
        return Err(BootstrapError::Config(format!(
            "the master key file {} is readable by everyone (mode {mode:03o}) and not owned by root: chmod o-r it",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_key_file_permissions(_path: &Path) -> Result<(), BootstrapError> {
    Ok(())
}

/// Reads the data directory's generated key, creating it (readable by the owner only) on first start.
fn generated_key(
    data_dir: &Path,
    sealed_rows: i64,
    rng: &dyn Randomness,
) -> Result<zeroize::Zeroizing<String>, BootstrapError> {
    let path = data_dir.join(KEY_FILE);
    if path.exists() {
        return Ok(zeroize::Zeroizing::new(read_key_file(&path)?.expose().to_string()));
    }
    if sealed_rows > 0 {
        return Err(BootstrapError::Config(format!(
            "the master key file {} is missing, but the store holds {sealed_rows} secrets sealed with a master key: \
             restore the file (or set GATEHOUSE_MASTER_KEY to the key). A new key is not generated, because it \
             could not open them",
            path.display()
        )));
    }
    create_private_dir(data_dir)?;
    let key = MasterKey::generate_hex(rng);
    write_private(&path, key.as_bytes()).map_err(BootstrapError::Io)?;
    tracing::warn!(
        path = %path.display(),
        "generated a master key into the data directory; anyone who can read it can open the stored secrets. \
         Set GATEHOUSE_MASTER_KEY to keep the key elsewhere (required with Postgres)"
    );
    Ok(key)
}

/// Creates the data directory (and its parents) readable by the owner only; an existing one is left as it is.
pub fn create_private_dir(dir: &Path) -> Result<(), BootstrapError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| BootstrapError::Config(format!("cannot create the data directory {}: {e}", dir.display())))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Root credentials made at this start, to show once to whoever started the server.
#[derive(Debug, PartialEq, Eq)]
pub struct GeneratedRoot {
    pub access_key_id: String,
    pub secret: Secret,
}

/// Ensures the default account and its root key, in one transaction (so a start that dies half-way leaves
/// nothing behind). Returns the credentials if they were generated now.
///
/// Root keys from the environment (`GATEHOUSE_ROOT_*`) follow the API's word, never the other way round:
/// - the configured key is created when the root user has no key of that id and the id was never deleted through
///   the API; a start never reactivates or restores a key the API deactivated or deleted (it logs a warning);
/// - the same id with another secret is refused (a key's secret never changes);
/// - a newly configured id deactivates the previously configured key; start is refused if root would then hold
///   more than two keys.
///
/// Without configured keys, credentials are generated only when this start creates the account: an
/// administrator who deleted root's keys (as AWS recommends) does not get new ones printed at the next start.
pub async fn ensure_account(
    store: &Store,
    keyring: &Keyring,
    rng: &dyn Randomness,
    args: &ServeArgs,
    now: i64,
) -> Result<Option<GeneratedRoot>, BootstrapError> {
    let mut tx = store.write_global().await?;
    let account = args.account_id.as_str();
    let root = RootKeys { keyring, rng, account, now };
    let generated = match (root.open_account(tx.conn()).await?, configured_root(args)) {
        (_, Some((id, secret))) => {
            root.apply_configured(tx.conn(), id, secret).await?;
            None
        }
        (true, None) => Some(root.insert_generated(tx.conn()).await?),
        (false, None) => {
            if keys::of_owner(tx.conn(), account, None).await?.is_empty() {
                tracing::info!(
                    account,
                    "the root user has no access key; `gatehouse root-key create` makes one (shown once)"
                );
            }
            None
        }
    };
    // The extra accounts of GATEHOUSE_EXTRA_ACCOUNTS, each with its root key under the same rules.
    for extra in args.extra_accounts().map_err(BootstrapError::Config)? {
        let root = RootKeys { keyring, rng, account: &extra.account_id, now };
        root.open_account(tx.conn()).await?;
        root.apply_configured(tx.conn(), &extra.access_key_id, &extra.secret).await?;
    }
    tx.commit().await?;
    Ok(generated)
}

/// `gatehouse account create`: a new account, with the given root key or a generated one (returned to be shown
/// once). Refused if the account exists.
pub async fn create_account(
    store: &Store,
    keyring: &Keyring,
    rng: &dyn Randomness,
    account: &str,
    given: Option<(&str, &Secret)>,
    now: i64,
) -> Result<GeneratedRoot, BootstrapError> {
    let mut tx = store.write_global().await?;
    let root = RootKeys { keyring, rng, account, now };
    if !root.open_account(tx.conn()).await? {
        return Err(BootstrapError::Config(format!("account {account} already exists")));
    }
    let (id, secret) = match given {
        Some((id, secret)) => (id.to_string(), secret.clone()),
        None => crate::ids::long_term_key(rng, account),
    };
    if keys::by_id(tx.conn(), &id).await?.is_some() || keys::was_deleted(tx.conn(), &id).await? {
        return Err(BootstrapError::Config(format!("access key id {id} is already taken")));
    }
    root.insert(tx.conn(), &id, &secret).await?;
    tx.commit().await?;
    Ok(GeneratedRoot { access_key_id: id, secret })
}

fn configured_root(args: &ServeArgs) -> Option<(&str, &Secret)> {
    match (&args.root_access_key_id, &args.root_secret_access_key) {
        (Some(id), Some(secret)) => Some((id.as_str(), secret)),
        _ => None,
    }
}

/// The root keys of one account, inside the bootstrap's transaction.
struct RootKeys<'a> {
    keyring: &'a Keyring,
    rng: &'a dyn Randomness,
    account: &'a str,
    now: i64,
}

impl RootKeys<'_> {
    /// Creates the account unless it exists, and locks its row (its revision) so that instances starting together
    /// decide one after the other. Returns whether it was created now.
    async fn open_account(&self, conn: &mut sqlx::AnyConnection) -> Result<bool, BootstrapError> {
        let created = accounts::ensure(conn, self.account, self.now).await?;
        accounts::bump_revision(conn, self.account).await?;
        Ok(created)
    }

    /// The root key `id` if it exists with `secret`; `None` if no key has that id. Refused: the id with another
    /// secret (a key's secret never changes), or an id that belongs to someone else.
    async fn configured(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        secret: &Secret,
    ) -> Result<Option<AccessKeyRow>, BootstrapError> {
        use subtle::ConstantTimeEq as _;
        match keys::by_id(conn, id).await? {
            Some(existing) if existing.account_id == self.account && existing.is_root() => {
                let stored = access_keys::open_secret(self.keyring, &existing)?;
                if !bool::from(stored.as_slice().ct_eq(secret.expose().as_bytes())) {
                    return Err(BootstrapError::Config(format!(
                        "root access key {id} already exists with a different secret, and a key's secret never \
                         changes: configure the secret it was created with, or a new GATEHOUSE_ROOT_ACCESS_KEY_ID"
                    )));
                }
                Ok(Some(existing))
            }
            Some(_) => Err(BootstrapError::Config(format!(
                "GATEHOUSE_ROOT_ACCESS_KEY_ID {id} already belongs to another principal"
            ))),
            None => Ok(None),
        }
    }

    /// What a start does with the configured key (see `ensure_account`).
    async fn apply_configured(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        secret: &Secret,
    ) -> Result<(), BootstrapError> {
        match self.configured(conn, id, secret).await? {
            Some(existing) if existing.status != KeyStatus::Active => tracing::warn!(
                access_key_id = id,
                "the configured root access key was deactivated through the API and stays inactive; \
                 `gatehouse root-key create --from-env` reactivates it"
            ),
            Some(_) => {}
            None if keys::was_deleted(conn, id).await? => {
                tracing::warn!(
                    access_key_id = id,
                    "the configured root access key was deleted through the API and is not restored; \
                     `gatehouse root-key create --from-env` recreates it"
                );
                return Ok(());
            }
            None => {
                let previous = accounts::configured_root_key(conn, self.account).await?.filter(|p| p != id);
                if let Some(previous) = previous {
                    let old =
                        keys::by_id(conn, &previous).await?.filter(|k| k.is_root() && k.status == KeyStatus::Active);
                    if let Some(old) = old {
                        keys::set_status(conn, &old.access_key_id, KeyStatus::Inactive).await?;
                        tracing::warn!(
                            previous = %old.access_key_id,
                            configured = id,
                            "a new root access key is configured: the previously configured one is now inactive"
                        );
                    }
                }
                self.insert(conn, id, secret).await?;
            }
        }
        accounts::set_configured_root_key(conn, self.account, id).await?;
        Ok(())
    }

    /// `root-key create --from-env`: the configured key, active, whatever the API did to it.
    async fn restore_configured(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        secret: &Secret,
    ) -> Result<RootKeyOutcome, BootstrapError> {
        let access_key_id = id.to_string();
        let outcome = match self.configured(conn, id, secret).await? {
            Some(k) if k.status == KeyStatus::Active => RootKeyOutcome::AlreadyActive { access_key_id },
            Some(_) => {
                keys::set_status(conn, id, KeyStatus::Active).await?;
                RootKeyOutcome::Reactivated { access_key_id }
            }
            None => {
                keys::forget_deletion(conn, id).await?;
                self.insert(conn, id, secret).await?;
                RootKeyOutcome::Restored { access_key_id }
            }
        };
        accounts::set_configured_root_key(conn, self.account, id).await?;
        Ok(outcome)
    }

    /// Adds a new generated root key (refused beyond two, as `insert`), to be shown once.
    async fn insert_generated(&self, conn: &mut sqlx::AnyConnection) -> Result<GeneratedRoot, BootstrapError> {
        let (access_key_id, secret) = crate::ids::long_term_key(self.rng, self.account);
        self.insert(conn, &access_key_id, &secret).await?;
        Ok(GeneratedRoot { access_key_id, secret })
    }

    /// Adds a root key, refusing (with a message for the operator) if root would hold more than two.
    async fn insert(&self, conn: &mut sqlx::AnyConnection, id: &str, secret: &Secret) -> Result<(), BootstrapError> {
        let existing = keys::of_owner(conn, self.account, None).await?;
        if existing.len() >= access_keys::MAX_KEYS_PER_USER {
            let ids: Vec<&str> = existing.iter().map(|k| k.access_key_id.as_str()).collect();
            return Err(BootstrapError::Config(format!(
                "cannot add root access key {id}: the root user of account {} already has two access keys ({}); \
                 delete one through the API (aws iam delete-access-key --access-key-id ...) first",
                self.account,
                ids.join(", ")
            )));
        }
        let row =
            access_keys::sealed_row(self.keyring, self.rng, self.account, None, id.to_string(), secret, self.now)?;
        keys::insert(conn, &row).await?;
        Ok(())
    }
}

/// What `gatehouse root-key create` did.
#[derive(Debug, PartialEq, Eq)]
pub enum RootKeyOutcome {
    /// A new key, to be shown once.
    Created(GeneratedRoot),
    /// The configured key existed and is active again.
    Reactivated { access_key_id: String },
    /// The configured key was deleted (or never existed) and has been created.
    Restored { access_key_id: String },
    /// The configured key exists and was already active.
    AlreadyActive { access_key_id: String },
}

/// Explicit recovery, for an operator (or a CI setup on a persistent volume) locked out of the root user: a new
/// root key, or with `from_env` the configured one, reactivated or recreated even if the API deleted it.
pub async fn create_root_key(
    store: &Store,
    keyring: &Keyring,
    rng: &dyn Randomness,
    args: &ServeArgs,
    from_env: bool,
    now: i64,
) -> Result<RootKeyOutcome, BootstrapError> {
    let mut tx = store.write_global().await?;
    let root = RootKeys { keyring, rng, account: &args.account_id, now };
    root.open_account(tx.conn()).await?;
    let outcome = if from_env {
        let Some((id, secret)) = configured_root(args) else {
            return Err(BootstrapError::Config(
                "--from-env needs GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY".into(),
            ));
        };
        root.restore_configured(tx.conn(), id, secret).await?
    } else {
        RootKeyOutcome::Created(root.insert_generated(tx.conn()).await?)
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The one deliberate exception to "no secret in output": generated root credentials, printed to the
/// terminal (standard output, not the log) once, with a ready `aws configure` snippet.
pub fn print_generated_root(root: &GeneratedRoot, account_id: &str, endpoint: &str) {
    println!(
        "\nGatehouse generated root credentials for account {account_id}. They are shown only this once.\n\n\
         \x20 aws configure set aws_access_key_id {id} --profile gatehouse\n\
         \x20 aws configure set aws_secret_access_key {secret} --profile gatehouse\n\
         \x20 aws configure set region us-east-1 --profile gatehouse\n\
         \x20 aws configure set endpoint_url {endpoint} --profile gatehouse\n\n\
         \x20 aws --profile gatehouse sts get-caller-identity\n\n\
         Set GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY to choose them yourself.\n",
        id = root.access_key_id,
        secret = root.secret.expose(),
    );
}
