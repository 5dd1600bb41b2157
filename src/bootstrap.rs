//! First-start set-up, run at every start and idempotent: the master key, the default account and its root
//! user's access key. Several instances may start at once on one Postgres: the account row is locked while
//! root keys are checked, and inserts that lose a race are absorbed.

use std::path::Path;

use crate::config::ServeArgs;
use crate::crypto::{CryptoError, Keyring, MasterKey};
use crate::ids::Randomness;
use crate::secret::Secret;
use crate::store::{accounts, keys, keys::AccessKeyRow, Backend, Store, StoreError};

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
pub fn load_keyring(
    args: &ServeArgs,
    backend: Backend,
    in_memory: bool,
    rng: &dyn Randomness,
) -> Result<Keyring, BootstrapError> {
    let current = if let Some(k) = &args.master_key {
        MasterKey::parse(k.expose())?
    } else if let Some(path) = &args.master_key_file {
        let text = Secret::new(std::fs::read_to_string(path).map_err(BootstrapError::Io)?);
        MasterKey::parse(text.expose())?
    } else if backend == Backend::Postgres {
        return Err(BootstrapError::Config(
            "GATEHOUSE_MASTER_KEY (or GATEHOUSE_MASTER_KEY_FILE) is required with Postgres, and must be the same on every instance".into(),
        ));
    } else if in_memory {
        // A throwaway store: its secrets die with the process, so an ephemeral key is enough.
        MasterKey::parse(&MasterKey::generate_hex(rng))?
    } else {
        MasterKey::parse(&generated_key(&args.data_dir, rng)?)?
    };
    let mut previous = Vec::new();
    if let Some(list) = &args.previous_master_keys {
        for k in list.expose().split(',').map(str::trim).filter(|k| !k.is_empty()) {
            previous.push(MasterKey::parse(k)?);
        }
    }
    Ok(Keyring::new(current, previous))
}

/// Reads the data directory's generated key, creating it (readable by the owner only) on first start.
fn generated_key(data_dir: &Path, rng: &dyn Randomness) -> Result<zeroize::Zeroizing<String>, BootstrapError> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => return Ok(zeroize::Zeroizing::new(text)),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(BootstrapError::Io(e)),
        Err(_) => {}
    }
    std::fs::create_dir_all(data_dir).map_err(BootstrapError::Io)?;
    let key = MasterKey::generate_hex(rng);
    write_private(&path, key.as_bytes()).map_err(BootstrapError::Io)?;
    tracing::warn!(
        path = %path.display(),
        "generated a master key into the data directory; anyone who can read it can open the stored secrets. \
         Set GATEHOUSE_MASTER_KEY to keep the key elsewhere (required with Postgres)"
    );
    Ok(key)
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
pub struct GeneratedRoot {
    pub access_key_id: String,
    pub secret: Secret,
}

/// Ensures the default account and its root key. Returns the credentials if they were generated now.
pub async fn ensure_account(
    store: &Store,
    keyring: &Keyring,
    rng: &dyn Randomness,
    args: &ServeArgs,
    now: i64,
) -> Result<Option<GeneratedRoot>, BootstrapError> {
    let account = args.account_id.as_str();
    {
        let mut tx = store.write_global().await?;
        accounts::ensure(tx.conn(), account, now).await?;
        tx.commit().await?;
    }
    let mut tx = store.write(account).await?;
    let result = match (&args.root_access_key_id, &args.root_secret_access_key) {
        (Some(id), Some(secret)) => {
            let (master_key_id, sealed) = keyring.seal(rng, secret.expose().as_bytes(), id.as_bytes())?;
            match keys::by_id(tx.conn(), id).await? {
                Some(existing) if existing.account_id == account && existing.user_id.is_none() => {
                    // The configured secret wins, so changing it in the environment takes effect.
                    keys::reseal(tx.conn(), id, &sealed, &master_key_id).await?;
                }
                Some(_) => {
                    return Err(BootstrapError::Config(format!(
                        "GATEHOUSE_ROOT_ACCESS_KEY_ID {id} already belongs to another principal"
                    )))
                }
                None => keys::insert(tx.conn(), &root_key(account, id.clone(), sealed, master_key_id, now)).await?,
            }
            None
        }
        _ => {
            if keys::of_owner(tx.conn(), account, None).await?.is_empty() {
                let id = crate::ids::access_key_id(rng, "AKIA");
                let secret = Secret::new(crate::ids::secret_access_key(rng));
                let (master_key_id, sealed) = keyring.seal(rng, secret.expose().as_bytes(), id.as_bytes())?;
                keys::insert(tx.conn(), &root_key(account, id.clone(), sealed, master_key_id, now)).await?;
                Some(GeneratedRoot { access_key_id: id, secret })
            } else {
                None
            }
        }
    };
    tx.commit().await?;
    Ok(result)
}

fn root_key(account: &str, id: String, sealed: Vec<u8>, master_key_id: String, now: i64) -> AccessKeyRow {
    AccessKeyRow {
        access_key_id: id,
        account_id: account.to_string(),
        user_id: None,
        secret_sealed: sealed,
        master_key_id,
        status: "Active".into(),
        created_at: now,
        last_used_at: None,
        last_used_service: None,
        last_used_region: None,
    }
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
