//! The whole request in-process, without sockets (criterion): a Gatehouse on its default SQLite store in a
//! temporary data directory, its router called as a tower service with requests signed by `gatehouse-sigv4`.
//! Run with `cargo bench -p gatehouse --bench request`; figures go to BENCHMARKS.md.
//!
//! Each benchmark signs its request once (a signature stays valid for 15 minutes, and the server keeps no replay
//! list), so what is measured is the server's work: body, SigV4 (signing key from the principal cache), decoding,
//! caller, decision, store read, XML.

// Bench code: a failed set-up or a refused request is a broken benchmark, not an input to handle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use gatehouse::clock::{Clock, SystemClock};
use gatehouse::config::ServeArgs;
use gatehouse::http::RequestLimits;
use gatehouse::origin::PeerAddr;
use gatehouse::secret::Secret;
use gatehouse::server::{Running, Runtime};
use gatehouse_sigv4::{parse, signature, signing_key, QueryToken};
use tower::ServiceExt as _;

const ROOT_KEY_ID: &str = "AKIAGATEHOUSEBENCH01";
const ROOT_SECRET: &str = "gatehouse/bench/secret/for/benches/only0";
const HOST: &str = "127.0.0.1:4590";
const REGION: &str = "us-east-1";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const PLACEHOLDER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A signed POST, kept as its parts so that each iteration builds a fresh `Request` from them.
#[derive(Clone)]
struct Signed {
    body: String,
    amz_date: String,
    authorization: String,
}

fn sign(key_id: &str, secret: &str, service: &str, body: &str) -> Signed {
    let unix = SystemClock.now_millis() / 1000;
    let amz_date = gatehouse_wire::Timestamp(unix).to_amz_date();
    let day = &amz_date[..8];
    let signed_headers = "content-type;host;x-amz-date";
    let prefix = format!(
        "AWS4-HMAC-SHA256 Credential={key_id}/{day}/{REGION}/{service}/aws4_request, SignedHeaders={signed_headers}, Signature="
    );
    let placeholder = format!("{prefix}{PLACEHOLDER}");
    let headers = [
        ("content-type", CONTENT_TYPE),
        ("host", HOST),
        ("x-amz-date", amz_date.as_str()),
        ("authorization", placeholder.as_str()),
    ];
    let req = gatehouse_sigv4::Request::new("POST", "/", "", &headers, body.as_bytes());
    let auth = parse(&req).expect("parse the placeholder");
    let sig = signature(&auth, &req, &signing_key(secret, day, REGION, service), QueryToken::Signed);
    Signed { body: body.to_string(), authorization: format!("{prefix}{sig}"), amz_date }
}

fn request(s: &Signed) -> Request<Body> {
    let mut req = Request::post("/")
        .header("host", HOST)
        .header("content-type", CONTENT_TYPE)
        .header("x-amz-date", &s.amz_date)
        .header("authorization", &s.authorization)
        .header("user-agent", "gatehouse-bench")
        .body(Body::from(s.body.clone()))
        .expect("request");
    // What the accept loop adds: the peer, which is `aws:SourceIp`.
    req.extensions_mut().insert(PeerAddr(SocketAddr::from(([127, 0, 0, 1], 50_000))));
    req
}

/// Sends one request through the router; returns the status and the body.
async fn call(app: &Router, s: &Signed) -> (StatusCode, String) {
    let resp = app.clone().oneshot(request(s)).await.expect("the router is infallible");
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A request that must succeed (set-up and the first call of each benchmark).
async fn ok(app: &Router, s: &Signed) -> String {
    let (status, body) = call(app, s).await;
    assert_eq!(status, StatusCode::OK, "{} -> {body}", s.body);
    body
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).expect(open) + open.len();
    let end = text[start..].find(close).expect(close) + start;
    &text[start..end]
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The i-th of ten managed policies of five statements each, in the shapes real accounts use; only the tenth
/// allows `iam:GetUser` (from loopback), so every decision visits all fifty statements.
fn policy_document(i: usize) -> String {
    let get_user = if i == 10 {
        r#"{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::000000000000:user/*","Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.0/8","10.0.0.0/8"]}}}"#.to_string()
    } else {
        format!(r#"{{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::000000000000:user/team-{i}/*"}}"#)
    };
    format!(
        r#"{{"Version":"2012-10-17","Statement":[
          {{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys"],"Resource":"arn:aws:iam::*:user/${{aws:username}}"}},
          {{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-{i}/*","Condition":{{"StringEquals":{{"aws:ResourceTag/team":"${{aws:PrincipalTag/team}}"}}}}}},
          {{"Effect":"Deny","NotAction":["iam:*","sts:*","s3:*"],"Resource":"*","Condition":{{"StringNotEquals":{{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}}}},
          {{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Condition":{{"DateGreaterThan":{{"aws:CurrentTime":"2020-01-01T00:00:00Z"}},"Bool":{{"aws:SecureTransport":"true"}}}}}},
          {get_user}]}}"#
    )
}

struct Bench {
    running: Running,
    app: Router,
    data_dir: std::path::PathBuf,
    /// The IAM user with ten attached policies: its access key id and secret.
    user: (String, String),
}

async fn start() -> Bench {
    let data_dir = std::env::temp_dir().join(format!("gatehouse-bench-{}", uuid::Uuid::new_v4().simple()));
    let mut args = ServeArgs::ephemeral();
    // The default store of a data directory (a file, WAL, synchronous=FULL), as `gatehouse serve` runs by default:
    // `sqlite::memory:` is one connection that serialises everything.
    args.database_url = None;
    args.data_dir = data_dir.clone();
    args.root_access_key_id = Some(ROOT_KEY_ID.into());
    args.root_secret_access_key = Some(Secret::new(ROOT_SECRET.into()));
    args.master_key = Some(Secret::new("7".repeat(64)));
    let running = gatehouse::server::start(&args, Runtime::default()).await.expect("start gatehouse");
    let limits = RequestLimits {
        max_body_bytes: args.max_body_bytes,
        max_parameters: args.max_parameters,
        request_timeout: Duration::from_secs(args.request_timeout_secs),
    };
    let app = gatehouse::http::router(running.state.clone(), limits);

    let root = |body: &str| sign(ROOT_KEY_ID, ROOT_SECRET, "iam", body);
    ok(&app, &root("Action=CreateUser&Version=2010-05-08&UserName=bench-user")).await;
    let key = ok(&app, &root("Action=CreateAccessKey&Version=2010-05-08&UserName=bench-user")).await;
    let user = (
        between(&key, "<AccessKeyId>", "</AccessKeyId>").to_string(),
        between(&key, "<SecretAccessKey>", "</SecretAccessKey>").to_string(),
    );
    for i in 1..=10 {
        let body = format!(
            "Action=CreatePolicy&Version=2010-05-08&PolicyName=bench-policy-{i}&PolicyDocument={}",
            encode(&policy_document(i))
        );
        ok(&app, &root(&body)).await;
        let attach = format!(
            "Action=AttachUserPolicy&Version=2010-05-08&UserName=bench-user&PolicyArn={}",
            encode(&format!("arn:aws:iam::000000000000:policy/bench-policy-{i}"))
        );
        ok(&app, &root(&attach)).await;
    }
    for i in 1..=100 {
        ok(&app, &root(&format!("Action=CreateUser&Version=2010-05-08&UserName=list-user-{i:03}&Path=%2Fteam%2F")))
            .await;
    }
    Bench { running, app, data_dir, user }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let b = rt.block_on(start());
    let app = &b.app;
    let (user_key, user_secret) = (&b.user.0, &b.user.1);

    let cases = [
        (
            "GetCallerIdentity (root)",
            sign(ROOT_KEY_ID, ROOT_SECRET, "sts", "Action=GetCallerIdentity&Version=2011-06-15"),
        ),
        ("GetUser (root, no UserName)", sign(ROOT_KEY_ID, ROOT_SECRET, "iam", "Action=GetUser&Version=2010-05-08")),
        (
            "GetUser of a user by an IAM user with 10 managed policies",
            sign(user_key, user_secret, "iam", "Action=GetUser&Version=2010-05-08&UserName=list-user-001"),
        ),
        (
            "ListUsers, a page of 100 (root)",
            sign(
                ROOT_KEY_ID,
                ROOT_SECRET,
                "iam",
                "Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fteam%2F&MaxItems=100",
            ),
        ),
    ];
    for (name, signed) in &cases {
        // Once outside the measurement: it must succeed, and it fills the principal cache as traffic would.
        let body = rt.block_on(ok(app, signed));
        if name.starts_with("ListUsers") {
            assert_eq!(body.matches("<member>").count(), 100, "{body}");
        }
        c.bench_function(name, |bn| {
            bn.to_async(&rt).iter(|| async {
                let (status, _) = call(app, signed).await;
                assert_eq!(status, StatusCode::OK);
            })
        });
    }

    let Bench { running, data_dir, .. } = b;
    rt.block_on(running.stop());
    let _ = std::fs::remove_dir_all(data_dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = bench
}
criterion_main!(benches);
