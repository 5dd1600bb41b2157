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
    /// Manage accounts without the API (there is no Organizations API).
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage the default account's root access keys without the API (recovery).
    #[command(subcommand)]
    RootKey(RootKeyCommand),
    /// Run a test identity provider on loopback, for testing web-identity federation with real signatures.
    #[command(subcommand)]
    TestIdp(TestIdpCommand),
    /// Write many synthetic users, roles and managed policies straight into the store (scale measurements).
    Seed(Box<SeedArgs>),
}

#[derive(Debug, Clone, clap::Args)]
pub struct SeedArgs {
    /// Users to create, named seed-user-000001 and on.
    #[arg(long, default_value_t = 0)]
    pub users: u32,
    /// Roles to create, named seed-role-000001 and on.
    #[arg(long, default_value_t = 0)]
    pub roles: u32,
    /// Customer managed policies to create, named seed-policy-000001 and on.
    #[arg(long, default_value_t = 0)]
    pub policies: u32,

    /// The same store and key settings as `gatehouse serve` (--account-id names the account to seed).
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum TestIdpCommand {
    /// An OpenID Connect issuer over HTTPS (discovery, JWKS, `GET /token?sub=...&aud=...` mints a token).
    Oidc(TestIdpArgs),
    /// A SAML 2.0 identity provider: writes its metadata (for CreateSAMLProvider) and prints signed responses
    /// (for AssumeRoleWithSAML's SAMLAssertion). Its RSA key is kept in --key, created when missing.
    Saml(Box<TestIdpSamlArgs>),
}

#[derive(Debug, Clone, clap::Args)]
pub struct TestIdpSamlArgs {
    /// The PKCS#8 PEM file of the signing key (created when it does not exist).
    #[arg(long)]
    pub key: PathBuf,
    /// The IdP's entity id: the Issuer of its assertions.
    #[arg(long, default_value = "https://idp.gatehouse.test/metadata")]
    pub entity_id: String,
    /// Where to write the IdP metadata.
    #[arg(long)]
    pub metadata: Option<PathBuf>,
    /// The NameID of a response to print (none is printed without it).
    #[arg(long)]
    pub subject: Option<String>,
    /// The NameID Format.
    #[arg(long, default_value = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")]
    pub subject_format: String,
    /// A Role attribute value, `ROLE_ARN,PROVIDER_ARN` (repeatable).
    #[arg(long)]
    pub role: Vec<String>,
    /// The RoleSessionName attribute.
    #[arg(long)]
    pub session_name: Option<String>,
    /// Another attribute, `NAME=VALUE` (repeatable; values of one name are collected).
    #[arg(long)]
    pub attribute: Vec<String>,
    /// The Audience and Recipient.
    #[arg(long, default_value = "https://signin.aws.amazon.com/saml")]
    pub audience: String,
    /// What to sign: `assertion`, `response` or `both`.
    #[arg(long, default_value = "assertion")]
    pub sign: String,
    /// Encrypt the assertion for the RSA key in this PEM file (the private key given to the SAML provider with
    /// AddPrivateKey, or its certificate or public key).
    #[arg(long)]
    pub encrypt_for: Option<PathBuf>,
    /// The content cipher of an encrypted assertion: `aes256-gcm` or `aes128-cbc`.
    #[arg(long, default_value = "aes256-gcm")]
    pub cipher: String,
    /// Print the response as XML instead of base64.
    #[arg(long)]
    pub xml: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct TestIdpArgs {
    /// Where to listen (the issuer is `https://localhost:PORT`).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
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

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account with a root access key: the one given, or a generated one printed once.
    Create(Box<AccountCreateArgs>),
}

#[derive(Debug, Clone, clap::Args)]
pub struct AccountCreateArgs {
    /// The new account's 12-digit id.
    pub id: String,

    /// The root user's access key id (with --secret-access-key); generated when absent.
    #[arg(long, requires = "secret_access_key")]
    pub access_key_id: Option<String>,

    /// The root user's secret access key.
    #[arg(long, requires = "access_key_id", value_parser = parse_secret)]
    pub secret_access_key: Option<Secret>,

    /// The same store and key settings as `gatehouse serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// One account of GATEHOUSE_EXTRA_ACCOUNTS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraAccount {
    pub account_id: String,
    pub access_key_id: String,
    pub secret: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Whether access denials are enforced or only logged (`GATEHOUSE_ENFORCEMENT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Enforcement {
    /// Denied requests are refused, as AWS refuses them.
    #[default]
    Enforce,
    /// Denied requests are logged and let through: for learning what a set of policies would deny before
    /// enforcing it, never for production.
    Audit,
}

impl Enforcement {
    /// The name of the flag's value, as logs and the health endpoint show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Enforce => "enforce",
            Enforcement::Audit => "audit",
        }
    }
}

impl std::fmt::Display for Enforcement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

    /// Further accounts to create at start, each with a root key under the same rules as the default account's:
    /// `ACCOUNT=KEY_ID:SECRET`, comma-separated (so that cross-account set-ups can be declared in CI).
    #[arg(long, env = "GATEHOUSE_EXTRA_ACCOUNTS", hide_env_values = true, value_parser = parse_secret)]
    pub extra_accounts: Option<Secret>,

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

    /// Seconds a request's head (request line and headers) may take to arrive, counted from its first byte (from
    /// the accept for a connection's first request). A connection that is slower is closed.
    #[arg(long, env = "GATEHOUSE_HEADER_TIMEOUT_SECS", default_value_t = 30)]
    pub header_timeout_secs: u64,

    /// Seconds an idle keep-alive connection is kept between requests. Above the ~90 s for which SDK clients reuse
    /// pooled connections, so that they never send on a connection the server is closing.
    #[arg(long, env = "GATEHOUSE_IDLE_TIMEOUT_SECS", default_value_t = 120)]
    pub idle_timeout_secs: u64,

    /// Seconds a request may take from its complete head to its answer (body read and handling); past it the answer
    /// is a `RequestTimeout` error and the connection is closed.
    #[arg(long, env = "GATEHOUSE_REQUEST_TIMEOUT_SECS", default_value_t = 60)]
    pub request_timeout_secs: u64,

    /// Connections served at once; more wait in the kernel's accept backlog until one closes.
    #[arg(long, env = "GATEHOUSE_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Most parameters (query string and form body together) a request may carry; more is refused before any of
    /// them is decoded.
    #[arg(long, env = "GATEHOUSE_MAX_PARAMETERS", default_value_t = 5000)]
    pub max_parameters: usize,

    /// IAM quotas that differ from AWS's defaults, `Name=N,...` with GetAccountSummary's names without `Quota`
    /// (`GroupsPerUser=20,PolicySize=10240`); README lists them.
    #[arg(long, env = "GATEHOUSE_QUOTAS", default_value = "", value_parser = parse_quotas)]
    pub quotas: crate::quotas::Quotas,

    /// `enforce` refuses what policies deny; `audit` only logs the denials and lets the requests through (never
    /// use it in production: the start-up log says so loudly).
    #[arg(long, env = "GATEHOUSE_ENFORCEMENT", value_enum, default_value_t = Enforcement::Enforce)]
    pub enforcement: Enforcement,

    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` headers are believed (for aws:SourceIp and
    /// aws:SecureTransport): CIDR networks or single addresses, comma-separated (`10.0.0.0/8,fd00::/8`). Without
    /// it those headers are ignored and the TCP peer is the client.
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXIES", default_value = "", value_parser = parse_trusted_proxies)]
    pub trusted_proxies: crate::origin::TrustedProxies,

    /// Key sets of OpenID Connect issuers Gatehouse cannot reach (offline installs), used instead of fetching
    /// their discovery documents: `ISSUER_URL=PATH_TO_JWKS_JSON`, comma-separated
    /// (`https://idp.internal=/etc/gatehouse/idp-jwks.json`).
    #[arg(long, env = "GATEHOUSE_OIDC_JWKS", default_value = "")]
    pub oidc_jwks: String,

    /// A PEM file of CA certificates trusted for identity providers' HTTPS, besides the system's roots (and the
    /// thumbprints registered with each provider).
    #[arg(long, env = "GATEHOUSE_OIDC_CA_FILE")]
    pub oidc_ca_file: Option<PathBuf>,

    /// Where the issuer endpoints of outbound web identity federation listen (each account's
    /// `/ISSUER_ID/.well-known/openid-configuration` and `jwks.json`). Default: the API's address, port + 1
    /// (any free port when the API's is 0).
    #[arg(long, env = "GATEHOUSE_ISSUER_LISTEN")]
    pub issuer_listen: Option<SocketAddr>,

    /// The public base URL of those endpoints, as relying parties reach them (behind TLS in production:
    /// `https://tokens.example.com`); issuer URLs are this base and the account's issuer id. Default:
    /// `http://` and the issuer listener's address.
    #[arg(long, env = "GATEHOUSE_ISSUER_BASE_URL")]
    pub issuer_base_url: Option<String>,
    /// Audiences accepted in SAML assertions (AssumeRoleWithSAML), besides `https://signin.aws.amazon.com/saml`
    /// (what AWS users configure their identity providers with): comma-separated URIs, each accepted both as the
    /// `AudienceRestriction/Audience` and as the bearer `SubjectConfirmationData` `Recipient`.
    #[arg(long, env = "GATEHOUSE_SAML_AUDIENCE", default_value = "")]
    pub saml_audience: String,
}

fn parse_trusted_proxies(s: &str) -> Result<crate::origin::TrustedProxies, String> {
    crate::origin::TrustedProxies::parse(s)
}

fn parse_quotas(s: &str) -> Result<crate::quotas::Quotas, String> {
    crate::quotas::Quotas::parse(s)
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

/// The longest timeout accepted: a day (longer would be a mistake, and keeps deadline arithmetic far from overflow).
const MAX_TIMEOUT_SECS: u64 = 86_400;

/// The most connections accepted as a setting (each one is a task and a socket; the OS limit is far lower anyway).
const MAX_MAX_CONNECTIONS: usize = 1 << 20;

/// A configured root key's shape: an id of 16 to 128 letters and digits, a secret of 16 to 128 characters.
pub fn check_root_key(id: &str, secret: &str) -> Result<(), String> {
    if !(16..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("the access key id must be 16 to 128 letters and digits".into());
    }
    if !(16..=128).contains(&secret.len()) {
        return Err("the secret access key must be 16 to 128 characters".into());
    }
    Ok(())
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
            header_timeout_secs: 30,
            idle_timeout_secs: 120,
            request_timeout_secs: 60,
            max_connections: 1024,
            max_parameters: 5000,
            extra_accounts: None,
            quotas: Default::default(),
            enforcement: Enforcement::Enforce,
            trusted_proxies: Default::default(),
            oidc_jwks: String::new(),
            oidc_ca_file: None,
            issuer_listen: None,
            issuer_base_url: None,
            saml_audience: String::new(),
        }
    }

    /// The audiences accepted in SAML assertions: AWS's, then the configured ones.
    pub fn saml_audiences(&self) -> Vec<String> {
        let mut all = vec![crate::domain::saml_assertions::AWS_AUDIENCE.to_string()];
        for a in self.saml_audience.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            if !all.iter().any(|x| x == a) {
                all.push(a.to_string());
            }
        }
        all
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

    /// The accounts of GATEHOUSE_EXTRA_ACCOUNTS (`ACCOUNT=KEY_ID:SECRET,...`), checked.
    pub fn extra_accounts(&self) -> Result<Vec<ExtraAccount>, String> {
        let Some(list) = &self.extra_accounts else { return Ok(Vec::new()) };
        let mut out: Vec<ExtraAccount> = Vec::new();
        for (i, entry) in list.expose().split(',').map(str::trim).filter(|e| !e.is_empty()).enumerate() {
            // Entries are never echoed: they hold secrets. Their position says which one is wrong.
            let bad = |what: &str| format!("GATEHOUSE_EXTRA_ACCOUNTS entry {}: {what}", i + 1);
            let shape = "expected ACCOUNT=KEY_ID:SECRET";
            let (account, key) = entry.split_once('=').ok_or_else(|| bad(shape))?;
            let (id, secret) = key.split_once(':').ok_or_else(|| bad(shape))?;
            let account = account.trim();
            if !crate::arn::is_account_id(account) {
                return Err(bad("the account id must be 12 digits"));
            }
            if account == self.account_id || out.iter().any(|e| e.account_id == account) {
                return Err(bad("the account is declared twice (or is the default account)"));
            }
            check_root_key(id, secret).map_err(|e| bad(&e))?;
            out.push(ExtraAccount {
                account_id: account.to_string(),
                access_key_id: id.to_string(),
                secret: Secret::new(secret.to_string()),
            });
        }
        Ok(out)
    }

    /// Checks what clap cannot: the account id's shape, that root credentials come in pairs, and that the limits
    /// are in range.
    pub fn validate(&self) -> Result<(), String> {
        if !crate::arn::is_account_id(&self.account_id) {
            return Err(format!("GATEHOUSE_ACCOUNT_ID must be 12 digits, got {:?}", self.account_id));
        }
        for (name, secs) in [
            ("GATEHOUSE_HEADER_TIMEOUT_SECS", self.header_timeout_secs),
            ("GATEHOUSE_IDLE_TIMEOUT_SECS", self.idle_timeout_secs),
            ("GATEHOUSE_REQUEST_TIMEOUT_SECS", self.request_timeout_secs),
        ] {
            if !(1..=MAX_TIMEOUT_SECS).contains(&secs) {
                return Err(format!("{name} must be 1 to {MAX_TIMEOUT_SECS} seconds, got {secs}"));
            }
        }
        if !(1..=MAX_MAX_CONNECTIONS).contains(&self.max_connections) {
            return Err(format!(
                "GATEHOUSE_MAX_CONNECTIONS must be 1 to {MAX_MAX_CONNECTIONS}, got {}",
                self.max_connections
            ));
        }
        if self.max_parameters == 0 {
            return Err("GATEHOUSE_MAX_PARAMETERS must be at least 1".into());
        }
        self.extra_accounts()?;
        match (&self.root_access_key_id, &self.root_secret_access_key) {
            (Some(id), Some(secret)) => {
                check_root_key(id, secret.expose()).map_err(|e| format!("GATEHOUSE_ROOT_ACCESS_KEY_ID / _SECRET_: {e}"))
            }
            (None, None) => Ok(()),
            _ => Err("set both GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY, or neither".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_have_their_defaults_and_ranges() {
        let cli = Cli::try_parse_from(["gatehouse", "serve"]).map_err(|e| e.to_string());
        let Ok(Cli { command: Command::Serve(args) }) = cli else { panic!("{cli:?}") };
        let e = ServeArgs::ephemeral();
        let pairs = [
            (args.header_timeout_secs, e.header_timeout_secs, 30),
            (args.idle_timeout_secs, e.idle_timeout_secs, 120),
            (args.request_timeout_secs, e.request_timeout_secs, 60),
        ];
        for (flag, ephemeral, expected) in pairs {
            assert_eq!((flag, ephemeral), (expected, expected));
        }
        assert_eq!((args.max_connections, e.max_connections), (1024, 1024));
        assert_eq!((args.max_parameters, e.max_parameters), (5000, 5000));
        assert_eq!(e.validate(), Ok(()));

        let refused: [fn(&mut ServeArgs); 5] = [
            |a| a.header_timeout_secs = 0,
            |a| a.idle_timeout_secs = u64::MAX,
            |a| a.request_timeout_secs = 0,
            |a| a.max_connections = 0,
            |a| a.max_parameters = 0,
        ];
        for change in refused {
            let mut a = ServeArgs::ephemeral();
            change(&mut a);
            assert!(a.validate().is_err(), "{a:?}");
        }
    }

    #[test]
    fn extra_accounts_are_parsed_and_checked() {
        let mut a = ServeArgs::ephemeral();
        a.extra_accounts = Some(Secret::new(
            " 111111111111=AKIA1111111111111111:secret:with:colons/0001 ,222222222222=AKIA2222222222222222:s2s2s2s2s2s2s2s2"
                .into(),
        ));
        let parsed = a.extra_accounts().unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].account_id, "111111111111");
        assert_eq!(parsed[0].secret.expose(), "secret:with:colons/0001");
        for (bad, why) in [
            ("111111111111", "expected"),
            ("11111111111=AKIA1111111111111111:secretsecretsecret", "12 digits"),
            ("000000000000=AKIA1111111111111111:secretsecretsecret", "twice"),
            ("111111111111=AKIA:secretsecretsecret", "access key id"),
            ("111111111111=AKIA1111111111111111:short", "secret access key"),
        ] {
            a.extra_accounts = Some(Secret::new(bad.into()));
            let e = a.extra_accounts().unwrap_err();
            assert!(e.contains(why) && !e.contains("secretsecret"), "{bad}: {e}");
        }
    }

    fn serve_args(flags: &[&str]) -> Result<ServeArgs, String> {
        match Cli::try_parse_from(["gatehouse", "serve"].iter().chain(flags)) {
            Ok(Cli { command: Command::Serve(args) }) => Ok(*args),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn enforcement_defaults_to_enforce() {
        assert_eq!(serve_args(&[]).unwrap().enforcement, Enforcement::Enforce);
        assert_eq!(ServeArgs::ephemeral().enforcement, Enforcement::Enforce);
        assert_eq!(serve_args(&["--enforcement", "audit"]).unwrap().enforcement, Enforcement::Audit);
        assert_eq!(serve_args(&["--enforcement", "enforce"]).unwrap().enforcement, Enforcement::Enforce);
        assert!(serve_args(&["--enforcement", "off"]).is_err());
        assert_eq!(
            (Enforcement::Enforce.to_string(), Enforcement::Audit.to_string()),
            ("enforce".into(), "audit".into())
        );
    }

    #[test]
    fn trusted_proxies_are_checked_at_start() {
        assert!(serve_args(&[]).unwrap().trusted_proxies.is_empty());
        let args = serve_args(&["--trusted-proxies", "10.0.0.0/8, fd00::1"]).unwrap();
        assert!(args.trusted_proxies.contains("10.1.1.1".parse().unwrap()));
        assert!(args.trusted_proxies.contains("fd00::1".parse().unwrap()));
        let e = serve_args(&["--trusted-proxies", "10.0.0.0/8,proxy.internal"]).unwrap_err();
        assert!(e.contains("--trusted-proxies") && e.contains("\"proxy.internal\" is neither"), "{e}");
    }

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(redact_url("postgres://gh:s3cr@t@db:5432/gh?x=1"), "postgres://gh:***@db:5432/gh?x=1");
        assert_eq!(redact_url("postgres://gh@db/gh"), "postgres://gh@db/gh");
        assert_eq!(redact_url("sqlite://./data/gatehouse.db?mode=rwc"), "sqlite://./data/gatehouse.db?mode=rwc");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }
}
