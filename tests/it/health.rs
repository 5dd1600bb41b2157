//! `GET /healthz` in both enforcement modes and with a store that does not answer; every other request, `/` and
//! other requests to `/healthz` included, stays a Query request.

use gatehouse::config::Enforcement;

use crate::auth::{send_raw, RawResponse};
use crate::both_stores;
use crate::harness::{Backend, TestServer};

both_stores!(healthz_names_the_mode, healthz_says_when_the_store_is_gone);

async fn get(s: &TestServer, target: &str, headers: &[(String, String)]) -> RawResponse {
    send_raw(&s.endpoint(), "GET", target, headers, b"").await
}

/// Sends `GET /healthz` and returns the status, the content type and the body.
async fn probe(s: &TestServer) -> (u16, String, String) {
    let addr = s.endpoint().trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: gatehouse\r\nconnection: close\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

async fn healthz_names_the_mode(backend: Backend) {
    let s = TestServer::start(backend).await;
    assert_eq!(probe(&s).await, (200, "application/json".into(), r#"{"status":"ok","enforcement":"enforce"}"#.into()));

    // `/` is a Query request as before: unsigned, it is refused the AWS way (the Docker health check used to
    // rely on any answer there).
    let r = get(&s, "/", &[]).await;
    assert_eq!((r.status, r.code()), (403, "MissingAuthenticationToken"), "{}", r.body);
    // So is anything at /healthz that is not an unsigned, parameterless GET.
    let r = send_raw(&s.endpoint(), "POST", "/healthz", &[], b"Action=ListUsers&Version=2010-05-08").await;
    assert_eq!((r.status, r.code()), (403, "MissingAuthenticationToken"), "{}", r.body);
    let r = get(&s, "/healthz?Action=ListUsers&Version=2010-05-08", &[]).await;
    assert_eq!((r.status, r.code()), (403, "MissingAuthenticationToken"), "{}", r.body);
    let signed = [("authorization".to_string(), "AWS4-HMAC-SHA256 garbage".to_string())];
    let r = get(&s, "/healthz", &signed).await;
    assert_eq!((r.status, r.code()), (400, "IncompleteSignature"), "{}", r.body);
    // A signed request is served at /healthz as at any path.
    let at_healthz = crate::harness::iam_client(&format!("{}/healthz", s.endpoint()), &s.root);
    at_healthz.list_users().send().await.unwrap();
    s.stop().await;

    let s = TestServer::start_args(backend, |a| a.enforcement = Enforcement::Audit).await;
    assert_eq!(s.running.state.enforcement, Enforcement::Audit);
    assert_eq!(probe(&s).await, (200, "application/json".into(), r#"{"status":"ok","enforcement":"audit"}"#.into()));
    s.stop().await;
}

async fn healthz_says_when_the_store_is_gone(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (store, _) = s.running.state.store_and_keys_for_tests();
    store.close().await;
    let (status, content_type, body) = probe(&s).await;
    assert_eq!(
        (status, content_type.as_str(), body.as_str()),
        (503, "application/json", r#"{"status":"unavailable","enforcement":"enforce"}"#)
    );
    s.stop().await;
}
