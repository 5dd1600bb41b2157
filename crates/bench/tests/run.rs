//! The generator against a real Gatehouse (started in-process on port 0, in-memory SQLite) and against the no-work
//! server: every request must succeed. No timing is asserted: the machine is shared.
// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use gatehouse::clock::SystemClock;
use gatehouse::config::ServeArgs;
use gatehouse::ids::OsRandom;
use gatehouse::secret::Secret;
use gatehouse::server::Runtime;
use gatehouse_bench::load::{Endpoint, LoadConfig, Op};
use gatehouse_bench::{nothing, run, Plan};

const ROOT_KEY_ID: &str = "AKIAGATEHOUSEBENCH01";
const ROOT_SECRET: &str = "gatehouse/bench/secret/for/tests/only000";

fn plan(endpoints: Vec<Endpoint>, op: Op, user_name: Option<&str>) -> Plan {
    Plan {
        endpoints,
        rounds: 1,
        config: LoadConfig {
            op,
            concurrency: 4,
            duration: Duration::from_secs(1),
            access_key_id: ROOT_KEY_ID.into(),
            secret_access_key: ROOT_SECRET.into(),
            region: "us-east-1".into(),
            user_name: user_name.map(str::to_owned),
            request_timeout: Duration::from_secs(10),
            max_requests_per_connection: 1_000_000,
        },
        client_threads: 1,
        pause: Duration::ZERO,
    }
}

async fn gatehouse() -> gatehouse::server::Running {
    let mut args = ServeArgs::ephemeral();
    args.root_access_key_id = Some(ROOT_KEY_ID.into());
    args.root_secret_access_key = Some(Secret::new(ROOT_SECRET.into()));
    args.master_key = Some(Secret::new("7".repeat(64)));
    gatehouse::server::start(&args, Runtime { clock: Arc::new(SystemClock), rng: Arc::new(OsRandom) })
        .await
        .expect("start gatehouse")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_requests_all_succeed_against_gatehouse_and_the_no_work_server() {
    let server = gatehouse().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let nothing_addr = listener.local_addr().expect("addr");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let nothing = tokio::spawn(nothing::serve(
        listener,
        async {
            let _ = stop_rx.await;
        },
        Duration::from_secs(120),
    ));

    let endpoints = vec![
        format!("gatehouse={}", server.endpoint()).parse().expect("endpoint"),
        format!("nothing=http://{nothing_addr}").parse().expect("endpoint"),
    ];
    let mut rounds_seen = 0;
    let report = run(&plan(endpoints, Op::GetUser, None), |_, _, _| rounds_seen += 1).await;
    assert_eq!(rounds_seen, 2);
    for e in &report.endpoints {
        assert!(e.total.requests > 0, "{}", report.table());
        assert_eq!(e.total.errors, 0, "{}", report.table());
        assert_eq!(e.total.ok, e.total.requests);
    }
    assert!(report.json().contains("\"req_per_sec\""));

    let sts = vec![server.endpoint().parse().expect("endpoint")];
    let report = run(&plan(sts, Op::GetCallerIdentity, None), |_, _, _| {}).await;
    assert!(report.clean(), "{}", report.table());

    let _ = stop_tx.send(());
    nothing.await.expect("no-work server stops");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_errors_are_counted_by_code_and_status() {
    let server = gatehouse().await;
    let endpoints = vec![server.endpoint().parse().expect("endpoint")];
    let report = run(&plan(endpoints.clone(), Op::GetUser, Some("nobody")), |_, _, _| {}).await;
    let total = &report.endpoints[0].total;
    assert!(total.requests > 0);
    assert_eq!(total.errors, total.requests, "{}", report.table());
    assert_eq!(total.errors_by_code.get("NoSuchEntity"), Some(&total.requests), "{:?}", total.errors_by_code);
    assert_eq!(total.errors_by_status.get("404"), Some(&total.requests), "{:?}", total.errors_by_status);

    // A wrong secret: every request is refused, by the signature check.
    let mut p = plan(endpoints, Op::GetUser, None);
    p.config.secret_access_key = "not the secret".into();
    p.config.duration = Duration::from_millis(300);
    let report = run(&p, |_, _, _| {}).await;
    let total = &report.endpoints[0].total;
    assert_eq!(total.errors_by_code.get("SignatureDoesNotMatch"), Some(&total.requests), "{:?}", total.errors_by_code);
    server.stop().await;
}
