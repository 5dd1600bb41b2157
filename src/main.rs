//! The `gatehouse` binary: `gatehouse serve` runs the server.

use clap::Parser as _;
use gatehouse::bootstrap::RootKeyOutcome;
use gatehouse::config::{
    AccountCommand, AccountCreateArgs, Cli, Command, Enforcement, LogFormat, RootKeyCommand, SeedArgs, ServeArgs,
    TestIdpCommand,
};

fn init_logging(args: &ServeArgs) {
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to standard error; standard output is kept for what a person must see (generated root keys).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gatehouse: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve(args) => {
            init_logging(&args);
            runtime.block_on(serve(&args))
        }
        Command::Account(AccountCommand::Create(create)) => {
            init_logging(&create.serve);
            runtime.block_on(account_create(&create))
        }
        Command::RootKey(RootKeyCommand::Create(create)) => {
            init_logging(&create.serve);
            runtime.block_on(root_key_create(&create.serve, create.from_env))
        }
        Command::TestIdp(TestIdpCommand::Oidc(args)) => runtime.block_on(test_idp_oidc(args.listen)),
        Command::TestIdp(TestIdpCommand::Saml(args)) => test_idp_saml(&args),
        Command::Seed(seed) => {
            init_logging(&seed.serve);
            runtime.block_on(seed_store(&seed))
        }
    }
}

/// Runs the test OIDC issuer until interrupted, after printing what to register and how to get a token.
async fn test_idp_oidc(listen: std::net::SocketAddr) -> std::process::ExitCode {
    let issuer = match gatehouse::test_idp::OidcIssuer::start(listen).await {
        Ok(i) => i,
        Err(e) => {
            eprintln!("gatehouse test-idp: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("test OIDC issuer: {}", issuer.url());
    println!("thumbprint:       {}", issuer.thumbprint());
    println!("register it:      aws iam create-open-id-connect-provider --url {} --client-id-list sts.amazonaws.com --thumbprint-list {}", issuer.url(), issuer.thumbprint());
    println!("get a token:      curl -sk '{}/token?sub=ci-job&aud=sts.amazonaws.com'", issuer.url());
    shutdown_signal().await;
    std::process::ExitCode::SUCCESS
}

/// Writes the test SAML IdP's metadata and prints a signed response, as asked.
fn test_idp_saml(args: &gatehouse::config::TestIdpSamlArgs) -> std::process::ExitCode {
    match run_test_idp_saml(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse test-idp saml: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_test_idp_saml(args: &gatehouse::config::TestIdpSamlArgs) -> Result<(), String> {
    use gatehouse::test_idp::{encryption_key_from_pem, ContentCipher, SamlAssertion, SamlIdp};
    let idp = match std::fs::read_to_string(&args.key) {
        Ok(pem) => SamlIdp::from_key_pem(&args.entity_id, &pem).map_err(|e| e.to_string())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let idp = SamlIdp::new(&args.entity_id).map_err(|e| e.to_string())?;
            let pem = idp.key_pem().map_err(|e| e.to_string())?;
            std::fs::write(&args.key, pem).map_err(|e| format!("cannot write {}: {e}", args.key.display()))?;
            idp
        }
        Err(e) => return Err(format!("cannot read {}: {e}", args.key.display())),
    };
    if let Some(path) = &args.metadata {
        std::fs::write(path, idp.metadata()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let Some(subject) = &args.subject else { return Ok(()) };
    let (sign_assertion, sign_response) = match args.sign.as_str() {
        "assertion" => (true, false),
        "response" => (false, true),
        "both" => (true, true),
        other => return Err(format!("--sign {other}: expected assertion, response or both")),
    };
    let mut a = SamlAssertion::new(subject, "", "", "");
    a.subject_format = args.subject_format.clone();
    a.roles = args.role.clone();
    a.session_name = args.session_name.clone();
    a.audience = args.audience.clone();
    a.recipient = args.audience.clone();
    a.sign_assertion = sign_assertion;
    a.sign_response = sign_response;
    if let Some(path) = &args.encrypt_for {
        let pem = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        a.encrypt_for = Some(encryption_key_from_pem(&pem).map_err(|e| format!("--encrypt-for: {e}"))?);
    }
    a.cipher = match args.cipher.as_str() {
        "aes256-gcm" => ContentCipher::Aes256Gcm,
        "aes128-cbc" => ContentCipher::Aes128Cbc,
        other => return Err(format!("--cipher {other}: expected aes256-gcm or aes128-cbc")),
    };
    for attr in &args.attribute {
        let Some((name, value)) = attr.split_once('=') else {
            return Err(format!("--attribute {attr}: expected NAME=VALUE"));
        };
        match a.attributes.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value.to_string()),
            None => a.attributes.push((name.to_string(), vec![value.to_string()])),
        }
    }
    let out = if args.xml { idp.response_xml(&a) } else { idp.response(&a) };
    println!("{}", out.map_err(|e| e.to_string())?);
    Ok(())
}

async fn serve(args: &ServeArgs) -> std::process::ExitCode {
    let running = match gatehouse::server::start(args, gatehouse::server::Runtime::default()).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(root) = &running.generated_root {
        gatehouse::bootstrap::print_generated_root(root, &args.account_id, &running.endpoint());
    }
    // Audit mode lets denied requests through: it must never be mistaken for a protected server, so it is said
    // loudly, before the ready line, which names the mode either way.
    if args.enforcement == Enforcement::Audit {
        tracing::warn!("AUDIT MODE: access denials are logged, not enforced; do not use in production");
    }
    tracing::info!(
        account = %args.account_id,
        enforcement = %args.enforcement,
        "gatehouse listening on {}",
        running.endpoint()
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    std::process::ExitCode::SUCCESS
}

async fn root_key_create(args: &ServeArgs, from_env: bool) -> std::process::ExitCode {
    let account = &args.account_id;
    match gatehouse::server::create_root_key(args, from_env, gatehouse::server::Runtime::default()).await {
        Ok(RootKeyOutcome::Created(root)) => {
            let endpoint = format!("http://{}", args.listen);
            gatehouse::bootstrap::print_generated_root(&root, account, &endpoint);
        }
        Ok(RootKeyOutcome::Reactivated { access_key_id }) => {
            println!("root access key {access_key_id} of account {account} is active again")
        }
        Ok(RootKeyOutcome::Restored { access_key_id }) => {
            println!("root access key {access_key_id} of account {account} has been recreated from the environment")
        }
        Ok(RootKeyOutcome::AlreadyActive { access_key_id }) => {
            println!("root access key {access_key_id} of account {account} is already active; nothing changed")
        }
        Err(e) => {
            tracing::error!("cannot create a root key: {e}");
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}

async fn account_create(create: &AccountCreateArgs) -> std::process::ExitCode {
    let given = match (&create.access_key_id, &create.secret_access_key) {
        (Some(id), Some(secret)) => Some((id.as_str(), secret)),
        _ => None,
    };
    let rt = gatehouse::server::Runtime::default();
    match gatehouse::server::create_account(&create.serve, &create.id, given, rt).await {
        Ok(root) if given.is_none() => {
            let endpoint = format!("http://{}", create.serve.listen);
            gatehouse::bootstrap::print_generated_root(&root, &create.id, &endpoint);
            std::process::ExitCode::SUCCESS
        }
        Ok(root) => {
            println!("account {} created; its root user has access key {}", create.id, root.access_key_id);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("cannot create the account: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `gatehouse seed`: prints what it wrote and how long it took.
async fn seed_store(args: &SeedArgs) -> std::process::ExitCode {
    let plan = gatehouse::seed::Plan {
        account_id: args.serve.account_id.clone(),
        users: args.users,
        roles: args.roles,
        policies: args.policies,
    };
    let started = std::time::Instant::now();
    match gatehouse::seed::run(&args.serve, &plan, gatehouse::server::Runtime::default()).await {
        Ok(seeded) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "seeded account {}: {} users ({} tags), {} roles, {} managed policies in {secs:.1} s",
                plan.account_id, seeded.users, seeded.tags, seeded.roles, seeded.policies
            );
            // The counts are AWS's default quotas unless GATEHOUSE_QUOTAS raises them: say so, since CreateUser
            // and the like refuse once an account is over them.
            let q = &args.serve.quotas;
            for (kind, asked, quota) in [
                ("Users", plan.users, q.users),
                ("Roles", plan.roles, q.roles),
                ("Policies", plan.policies, q.policies),
            ] {
                if asked > quota {
                    println!("note: more {kind} than the quota of {quota} in force; serve with GATEHOUSE_QUOTAS={kind}=N to create more through the API");
                }
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("cannot seed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
