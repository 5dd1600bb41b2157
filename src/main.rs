//! The `gatehouse` binary: `gatehouse serve` runs the server.

use clap::Parser as _;
use gatehouse::config::{Cli, Command, LogFormat, ServeArgs};

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
    let Command::Serve(args) = cli.command;
    init_logging(&args);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gatehouse: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match gatehouse::server::start(&args, gatehouse::server::Runtime::default()).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("cannot start: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        if let Some(root) = &running.generated_root {
            gatehouse::bootstrap::print_generated_root(root, &args.account_id, &running.endpoint());
        }
        tracing::info!(account = %args.account_id, "gatehouse listening on {}", running.endpoint());
        shutdown_signal().await;
        tracing::info!("shutting down");
        running.stop().await;
        std::process::ExitCode::SUCCESS
    })
}
