//! Configuration, from command-line flags or the environment (every flag has a `GATEHOUSE_*` variable).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::secret::Secret;

/// The port Gatehouse listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 4590;

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "A self-hosted AWS IAM and STS server that verifies every signature and enforces every policy"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server.
    Serve(Box<ServeArgs>),
    /// Manage the default account's root access keys without the API (recovery).
    #[command(subcommand)]
    RootKey(RootKeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum RootKeyCommand {
    /// Create a root access key and print it once; with --from-env, restore the configured one instead.
    Create(Box<RootKeyCreateArgs>),
}

#[derive(Debug, Clone, clap::Args)]
pub struct RootKeyCreateArgs {
    /// Restore the key of GATEHOUSE_ROOT_ACCESS_KEY_ID / GATEHOUSE_ROOT_SECRET_ACCESS_KEY: reactivate it, or
    /// recreate it if it was deleted through the API (for a CI setup that locked itself out on a persistent volume).
    #[arg(long)]
    pub from_env: bool,

    /// The same store and key settings as `gatehouse serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the ready line names it).
    #[arg(long, env = "GATEHOUSE_LISTEN", default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    pub listen: SocketAddr,

    /// Where the SQLite database and a generated master key live when nothing else is configured.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// `postgres://user:pass@host/db`, `sqlite://path/to/file.db`, or `sqlite::memory:` for a throwaway store.
    /// Defaults to `sqlite://<data-dir>/gatehouse.db`.
    /// Its value is never shown in `--help` (it may carry a password); logs show it with the password redacted.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// The 12-digit id of the default account, created at first start.
    #[arg(long, env = "GATEHOUSE_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,

    /// Access key id of the default account's root user (set it together with the secret to get known keys).
    #[arg(long, env = "GATEHOUSE_ROOT_ACCESS_KEY_ID")]
    pub root_access_key_id: Option<String>,

    /// Secret access key of the default account's root user.
    #[arg(long, env = "GATEHOUSE_ROOT_SECRET_ACCESS_KEY", hide_env_values = true, value_parser = parse_secret)]
    pub root_secret_access_key: Option<Secret>,

    /// Master key sealing secrets at rest: 32 bytes as 64 hex digits or base64. Required with Postgres.
    #[arg(long, env = "GATEHOUSE_MASTER_KEY", hide_env_values = true, value_parser = parse_secret)]
    pub master_key: Option<Secret>,

    /// A file holding the master key (instead of GATEHOUSE_MASTER_KEY).
    #[arg(long, env = "GATEHOUSE_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,

    /// Earlier master keys, comma-separated, still accepted for opening secrets sealed before a key rotation.
    #[arg(long, env = "GATEHOUSE_PREVIOUS_MASTER_KEYS", hide_env_values = true, value_parser = parse_secret)]
    pub previous_master_keys: Option<Secret>,

    /// Log filter, e.g. `info`, `debug`, `gatehouse=debug,sqlx=warn`.
    #[arg(long, env = "GATEHOUSE_LOG", default_value = "info")]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "GATEHOUSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest request body accepted, in bytes (AWS's own limit for Query requests is in this range).
    #[arg(long, env = "GATEHOUSE_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
}

/// `scheme://user:password@host/...` → `scheme://user:***@host/...`; URLs without a password are unchanged.
pub fn redact_url(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = url.get(start..).unwrap_or_default();
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or_default();
    let (Some(at), Some(colon)) = (authority.rfind('@'), authority.find(':')) else { return url.to_string() };
    if colon > at {
        return url.to_string();
    }
    format!("{}{}:***{}", url.get(..start).unwrap_or_default(), &authority[..colon], &rest[at..])
}

fn parse_secret(s: &str) -> Result<Secret, String> {
    Ok(Secret::new(s.to_string()))
}

impl ServeArgs {
    /// Settings for a throwaway in-memory server (tests, examples); every field can be changed afterwards.
    pub fn ephemeral() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: PathBuf::from("."),
            database_url: Some("sqlite::memory:".into()),
            account_id: "000000000000".into(),
            root_access_key_id: None,
            root_secret_access_key: None,
            master_key: None,
            master_key_file: None,
            previous_master_keys: None,
            log: "warn".into(),
            log_format: LogFormat::Text,
            max_body_bytes: 1 << 20,
        }
    }

    /// The database URL with any password replaced by `***`, for log lines.
    pub fn redacted_database_url(&self) -> String {
        redact_url(&self.database_url())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("gatehouse.db").display()),
        }
    }

    /// Checks what clap cannot: the account id's shape and that root credentials come in pairs.
    pub fn validate(&self) -> Result<(), String> {
        if !crate::arn::is_account_id(&self.account_id) {
            return Err(format!("GATEHOUSE_ACCOUNT_ID must be 12 digits, got {:?}", self.account_id));
        }
        match (&self.root_access_key_id, &self.root_secret_access_key) {
            (Some(id), Some(secret)) => {
                if !(16..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err("GATEHOUSE_ROOT_ACCESS_KEY_ID must be 16 to 128 letters and digits".into());
                }
                if secret.expose().len() < 16 || secret.expose().len() > 128 {
                    return Err("GATEHOUSE_ROOT_SECRET_ACCESS_KEY must be 16 to 128 characters".into());
                }
                Ok(())
            }
            (None, None) => Ok(()),
            _ => Err("set both GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY, or neither".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(redact_url("postgres://gh:s3cr@t@db:5432/gh?x=1"), "postgres://gh:***@db:5432/gh?x=1");
        assert_eq!(redact_url("postgres://gh@db/gh"), "postgres://gh@db/gh");
        assert_eq!(redact_url("sqlite://./data/gatehouse.db?mode=rwc"), "sqlite://./data/gatehouse.db?mode=rwc");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }
}
