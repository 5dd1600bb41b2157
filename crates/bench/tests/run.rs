//! The generator against a real Gatehouse (started in-process on port 0, in-memory SQLite) and against the no-work
//! server: every request must succeed, and the identities the ops need are made and removed. No timing is
//! asserted: the machine is shared.
// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use gatehouse::clock::SystemClock;
use gatehouse::config::ServeArgs;
use gatehouse::ids::OsRandom;
use gatehouse::secret::Secret;
use gatehouse::server::Runtime;
use gatehouse_bench::load::{Endpoint, LoadConfig, Op, Unit};
use gatehouse_bench::{nothing, run, setup, Plan, RunError};

const ROOT_KEY_ID: &str = "AKIAGATEHOUSEBENCH01";
const ROOT_SECRET: &str = "gatehouse/bench/secret/for/tests/only000";

fn plan(endpoints: Vec<Endpoint>, ops: &[Op], user_name: Option<&str>) -> Plan {
    Plan {
        endpoints,
        ops: ops.to_vec(),
        rounds: 1,
        config: LoadConfig {
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

/// The names of the `gatehouse-bench-*` users, roles and local policies at `endpoint`.
async fn bench_entities(endpoint: &Endpoint, config: &LoadConfig) -> Vec<String> {
    let mut left = Vec::new();
    for (action, params, tag) in [
        ("ListUsers", vec![("MaxItems", "1000")], "UserName"),
        ("ListRoles", vec![("MaxItems", "1000")], "RoleName"),
        ("ListPolicies", vec![("Scope", "Local"), ("MaxItems", "1000")], "PolicyName"),
    ] {
        let body = setup::call(endpoint, config, action, &params).await.expect(action);
        let text = String::from_utf8(body.to_vec()).expect("utf-8");
        assert!(!text.contains("<IsTruncated>true</IsTruncated>"), "{action} has more than one page");
        let open = format!("<{tag}>");
        left.extend(text.split(&open).skip(1).filter(|s| s.starts_with("gatehouse-bench")).map(|s| {
            let end = s.find('<').unwrap_or(s.len());
            format!("{tag} {}", &s[..end])
        }));
    }
    left
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
    let report = run(&plan(endpoints, &[Op::GetUser, Op::GetCallerIdentity], None), |_, _, _, _| rounds_seen += 1)
        .await
        .expect("run");
    assert_eq!(rounds_seen, 4);
    assert_eq!(report.ops.len(), 2);
    for op in &report.ops {
        for e in &op.endpoints {
            assert!(e.total.requests > 0, "{}", report.table());
            assert_eq!(e.total.errors, 0, "{}", report.table());
            assert_eq!(e.total.ok, e.total.requests);
            assert!(e.clean);
        }
    }
    assert!(report.clean());
    assert!(report.json().contains("\"req_per_sec\""));

    let _ = stop_tx.send(());
    nothing.await.expect("no-work server stops");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_op_runs_clean_and_leaves_nothing_behind() {
    let server = gatehouse().await;
    let mut endpoint: Endpoint = format!("gatehouse={}", server.endpoint()).parse().expect("endpoint");
    // The server runs in this process: its CPU accounting and memory are this process's, which is enough to see
    // that they are read and reported (the figures themselves are not asserted).
    endpoint.pid = Some(std::process::id());
    let ops = [
        Op::ListUsers,
        Op::ListRoles,
        Op::ListPolicies,
        Op::ListAttachedUserPolicies,
        Op::CreateDeleteUser,
        Op::AssumeRole,
        Op::AssumedRoleGetUser,
        Op::SimulatePrincipalPolicy,
    ];
    let mut p = plan(vec![endpoint.clone()], &ops, None);
    p.config.duration = Duration::from_millis(500);
    let report = run(&p, |_, _, _, _| {}).await.expect("run");
    let table = report.table();
    assert!(report.clean(), "{table}");
    assert!(report.removal_errors.is_empty(), "{table}");
    for op in ops {
        let r = report.op(op).expect("every op reported");
        let e = &r.endpoints[0];
        assert!(e.total.requests > 0 && e.total.ok == e.total.requests, "{op:?}\n{table}");
        assert!(e.total.server_cpu_us.is_some() && e.total.server_cpu_us_per_request.is_some(), "{table}");
        assert!(e.memory.is_some_and(|m| m.vm_rss_kib > 0), "{table}");
    }
    assert_eq!(report.op(Op::CreateDeleteUser).expect("pairs").unit, Unit::Pair);
    assert!(table.contains("pair/s"), "{table}");
    assert!(table.contains("== assumed-role-get-user"), "{table}");
    assert!(report.json().contains("\"server_cpu_us_per_request\""));
    assert_eq!(bench_entities(&endpoint, &p.config).await, Vec::<String>::new());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identities_left_by_an_interrupted_run_are_reused_then_removed() {
    let server = gatehouse().await;
    let endpoint: Endpoint = server.endpoint().parse().expect("endpoint");
    let mut p = plan(vec![endpoint.clone()], &[Op::ListAttachedUserPolicies, Op::AssumeRole], None);
    p.config.duration = Duration::from_millis(300);
    // What an interrupted run leaves: the user, the role, and a user of an unfinished create-delete pair.
    setup::call(&endpoint, &p.config, "CreateUser", &[("UserName", setup::USER)]).await.expect("user");
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;
    setup::call(&endpoint, &p.config, "CreateRole", &[("RoleName", setup::ROLE), ("AssumeRolePolicyDocument", trust)])
        .await
        .expect("role");
    let scratch = format!("{}leftover", setup::SCRATCH_PREFIX);
    setup::call(&endpoint, &p.config, "CreateUser", &[("UserName", &scratch), ("Path", setup::SCRATCH_PATH)])
        .await
        .expect("scratch user");
    p.ops.push(Op::CreateDeleteUser);
    let report = run(&p, |_, _, _, _| {}).await.expect("run");
    assert!(report.clean(), "{}", report.table());
    assert!(report.removal_errors.is_empty(), "{}", report.table());
    assert_eq!(bench_entities(&endpoint, &p.config).await, Vec::<String>::new());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_up_failure_names_the_endpoint_and_the_aws_error() {
    let server = gatehouse().await;
    let endpoint: Endpoint = format!("gh={}", server.endpoint()).parse().expect("endpoint");
    let mut p = plan(vec![endpoint], &[Op::AssumeRole], None);
    p.config.secret_access_key = "not the secret".into();
    match run(&p, |_, _, _, _| {}).await {
        Err(e @ RunError::SetUp { .. }) => {
            let text = e.to_string();
            assert!(text.contains("endpoint gh (http://"), "{text}");
            assert!(text.contains("GetCallerIdentity answered HTTP 403 SignatureDoesNotMatch"), "{text}");
        }
        other => panic!("expected a set-up failure, got {other:?}"),
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_errors_are_counted_by_code_and_status() {
    let server = gatehouse().await;
    let endpoints = vec![server.endpoint().parse().expect("endpoint")];
    let report = run(&plan(endpoints.clone(), &[Op::GetUser], Some("nobody")), |_, _, _, _| {}).await.expect("run");
    let e = &report.ops[0].endpoints[0];
    let total = &e.total;
    assert!(total.requests > 0);
    assert!(!e.clean);
    assert_eq!(total.errors, total.requests, "{}", report.table());
    assert_eq!(total.errors_by_code.get("NoSuchEntity"), Some(&total.requests), "{:?}", total.errors_by_code);
    assert_eq!(total.errors_by_status.get("404"), Some(&total.requests), "{:?}", total.errors_by_status);
    assert!(report.table().contains("ERRORS at "), "{}", report.table());

    // A wrong secret: every request is refused, by the signature check.
    let mut p = plan(endpoints, &[Op::GetUser], None);
    p.config.secret_access_key = "not the secret".into();
    p.config.duration = Duration::from_millis(300);
    let report = run(&p, |_, _, _, _| {}).await.expect("run");
    let total = &report.ops[0].endpoints[0].total;
    assert_eq!(total.errors_by_code.get("SignatureDoesNotMatch"), Some(&total.requests), "{:?}", total.errors_by_code);
    server.stop().await;
}
