//! `gatehouse-bench`: see the library's documentation, `--help`, and BENCHMARKS.md.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use gatehouse_bench::load::{Endpoint, LoadConfig, Op};
use gatehouse_bench::{nothing, run_until, Plan, RunError};

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse-bench",
    version,
    about = "Signed (SigV4) load generator for IAM/STS endpoints, and a no-work server",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answers every request with a fixed small 200 XML body: the client's own ceiling.
    ServeNothing {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// Runtime worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Exit after this many seconds even if not stopped.
        #[arg(long, default_value_t = 3600)]
        exit_after: u64,
    },
}

#[derive(Debug, Args)]
struct LoadArgs {
    /// An endpoint, `http://host:port[/path]` or `LABEL=http://...`; repeat it to measure several side by side
    /// in alternating rounds.
    #[arg(long = "endpoint", value_name = "URL")]
    endpoints: Vec<Endpoint>,
    /// The operation(s): repeat it or give a comma list to measure several, one after the other, each with its own
    /// rounds at every endpoint (see BENCHMARKS.md for what each sends and needs set up).
    #[arg(long = "op", value_enum, value_delimiter = ',', default_values_t = [Op::GetUser])]
    ops: Vec<Op>,
    /// Keep-alive connections per endpoint, one task each.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds per round and endpoint.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    access_key_id: Option<String>,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_access_key: Option<String>,
    /// `LABEL=ACCESS_KEY_ID:SECRET`: the endpoint LABEL signs with this key instead of the run's. Repeat the same
    /// URL under two labels to compare two callers of one server (the secret shows in the process list: test keys
    /// only).
    #[arg(long = "key", value_name = "LABEL=ID:SECRET")]
    keys: Vec<String>,
    /// `LABEL=PID`: the endpoint LABEL is served by process PID on this machine; its CPU time over each round
    /// (from /proc/PID/stat) per answered request, and its memory after each op, are reported.
    #[arg(long = "server-pid", value_name = "LABEL=PID")]
    server_pids: Vec<String>,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// GetUser's `UserName` (default: none, so the caller itself).
    #[arg(long)]
    user_name: Option<String>,
    /// Client runtime threads: 1 is a single-threaded runtime.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Seconds before a request without an answer counts as an error.
    #[arg(long, default_value_t = 10.0)]
    request_timeout: f64,
    /// Seconds of pause between two rounds.
    #[arg(long, default_value_t = 1.0)]
    pause: f64,
    /// Print the report as JSON (the table and progress go to stderr).
    #[arg(long)]
    json: bool,
    /// Exit with status 1 if any request failed (set-up and removal failures always do).
    #[arg(long)]
    fail_on_errors: bool,
}

fn secs(what: &str, s: f64, max: f64) -> Result<Duration, String> {
    if s.is_finite() && s > 0.0 && s <= max {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(format!("--{what} must be between 0 and {max} seconds"))
    }
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, String> {
    let rt = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
    };
    rt.map_err(|e| format!("cannot start the runtime: {e}"))
}

fn load(args: LoadArgs) -> Result<ExitCode, String> {
    if args.endpoints.is_empty() {
        return Err("give at least one --endpoint (or a subcommand: see --help)".into());
    }
    if args.concurrency == 0 || args.concurrency > 10_000 {
        return Err("--concurrency must be between 1 and 10000".into());
    }
    if args.rounds == 0 || args.rounds > 1000 {
        return Err("--rounds must be between 1 and 1000".into());
    }
    let mut endpoints = args.endpoints;
    for k in &args.keys {
        let (label, key) = k.split_once('=').ok_or("--key takes LABEL=ACCESS_KEY_ID:SECRET")?;
        let (id, secret) = key.split_once(':').ok_or("--key takes LABEL=ACCESS_KEY_ID:SECRET")?;
        endpoint_named(&mut endpoints, label, "--key")?.key = Some((id.to_string(), secret.to_string()));
    }
    for p in &args.server_pids {
        let (label, pid) = p.split_once('=').ok_or("--server-pid takes LABEL=PID")?;
        let pid: u32 = pid.parse().map_err(|_| format!("--server-pid {p}: not a process id"))?;
        if !std::path::Path::new(&format!("/proc/{pid}/stat")).exists() {
            return Err(format!("--server-pid {p}: no such process"));
        }
        endpoint_named(&mut endpoints, label, "--server-pid")?.pid = Some(pid);
    }
    let all_keyed = endpoints.iter().all(|e| e.key.is_some());
    let access_key_id = match args.access_key_id {
        Some(k) => k,
        None if all_keyed => String::new(),
        None => return Err("no --access-key-id (nor AWS_ACCESS_KEY_ID)".into()),
    };
    let secret_access_key = match args.secret_access_key {
        Some(k) => k,
        None if all_keyed => String::new(),
        None => return Err("no --secret-access-key (nor AWS_SECRET_ACCESS_KEY)".into()),
    };
    let mut ops: Vec<Op> = Vec::with_capacity(args.ops.len());
    for op in args.ops {
        if !ops.contains(&op) {
            ops.push(op);
        }
    }
    let plan = Plan {
        endpoints,
        ops,
        rounds: args.rounds,
        config: LoadConfig {
            concurrency: args.concurrency,
            duration: secs("duration", args.duration, 3600.0)?,
            access_key_id,
            secret_access_key,
            region: args.region,
            user_name: args.user_name,
            request_timeout: secs("request-timeout", args.request_timeout, 600.0)?,
            max_requests_per_connection: 100_000_000,
        },
        client_threads: args.threads.max(1),
        pause: if args.pause == 0.0 { Duration::ZERO } else { secs("pause", args.pause, 600.0)? },
    };
    let progress = |op: Op, e: &Endpoint, round, f: &gatehouse_bench::report::Figures| {
        let cpu = f.server_cpu_us_per_request.map(|us| format!(", server {us:.1} us each")).unwrap_or_default();
        eprintln!(
            "{} round {round} {}: {} answered, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, {} errors{cpu}",
            op.name(),
            e.label,
            f.requests,
            f.req_per_sec,
            f.latency_ms.p50,
            f.latency_ms.p99,
            f.errors
        );
    };
    let stop = async {
        // If the signal cannot be watched, the run simply cannot be interrupted cleanly.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let report = match runtime(plan.client_threads)?.block_on(run_until(&plan, progress, stop)) {
        Ok(report) => report,
        Err(e @ RunError::Interrupted { .. }) => {
            eprintln!("gatehouse-bench: {e}");
            return Ok(ExitCode::from(130));
        }
        Err(e) => {
            eprintln!("gatehouse-bench: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if args.json {
        eprint!("{}", report.table());
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    let failed = !report.removal_errors.is_empty() || (args.fail_on_errors && !report.clean());
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The endpoint labelled `label`, for an option (`flag`) that names one.
fn endpoint_named<'a>(endpoints: &'a mut [Endpoint], label: &str, flag: &str) -> Result<&'a mut Endpoint, String> {
    endpoints.iter_mut().find(|e| e.label == label).ok_or_else(|| format!("{flag} {label}: no such endpoint"))
}

fn serve_nothing(listen: SocketAddr, threads: Option<usize>, exit_after: u64) -> Result<ExitCode, String> {
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    runtime(threads)?.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("serve-nothing listening on http://{addr}");
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        nothing::serve(listener, stop, Duration::from_secs(exit_after)).await;
        Ok(ExitCode::SUCCESS)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::ServeNothing { listen, threads, exit_after }) => serve_nothing(listen, threads, exit_after),
        None => load(cli.load),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gatehouse-bench: {e}");
            ExitCode::from(2)
        }
    }
}
