//! Limits that apply before a request is authenticated, over raw TCP: a head that never completes, idle
//! keep-alive connections, the request timeout, the parameter cap and the connection limit. Timeouts are set to a
//! second or a few so that each test takes a few seconds; the assertions are about what happens (closed, answered,
//! not answered yet), never about how fast.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

use crate::auth::send_raw;
use crate::harness::{Backend, TestServer};

/// How long a test waits for something that must happen: far longer than any configured timeout, so that only a
/// server that never does it fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// An unsigned keep-alive request: the server answers it `403 MissingAuthenticationToken`.
const UNSIGNED_GET: &[u8] = b"GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\nhost: gatehouse\r\n\r\n";

async fn connect(s: &TestServer) -> TcpStream {
    TcpStream::connect(s.running.addr).await.unwrap()
}

/// Reads one response (head and `content-length` body); returns the status and the body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    timeout(PATIENCE, async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < end + 4 + len {
                    let n = stream.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "connection closed in the middle of a response");
                    buf.extend_from_slice(&chunk[..n]);
                }
                let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
                return (status, String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned());
            }
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before a response");
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("a response in time")
}

/// Whether the server closes the connection within `limit` (end of stream or reset), sending nothing more.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 256];
    match timeout(limit, stream.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(n)) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
        Err(_) => false,
    }
}

fn code(body: &str) -> &str {
    body.split_once("<Code>").and_then(|(_, rest)| rest.split_once("</Code>")).map(|(c, _)| c).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_head_is_closed_after_the_header_timeout() {
    let s = TestServer::start_args(Backend::Sqlite, |a| a.header_timeout_secs = 1).await;
    let started = Instant::now();
    let mut half = connect(&s).await;
    half.write_all(b"POST / HTTP/1.1\r\nhost: gatehouse\r\ncontent-type: application/x-www-").await.unwrap();
    assert!(closed_within(&mut half, PATIENCE).await, "a half-sent head must not hold the connection");
    assert!(started.elapsed() >= Duration::from_millis(900), "closed before the header timeout");

    // Trickling a byte at a time does not extend the deadline: it runs from the head's first byte.
    let mut trickle = connect(&s).await;
    trickle.write_all(b"G").await.unwrap();
    let closed = timeout(PATIENCE, async {
        let mut buf = [0u8; 64];
        loop {
            tokio::select! {
                read = trickle.read(&mut buf) => match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => panic!("unexpected bytes: {:?}", String::from_utf8_lossy(&buf[..n])),
                },
                () = tokio::time::sleep(Duration::from_millis(200)) => {
                    let _ = trickle.write_all(b"E").await;
                }
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "a trickled head must be closed at the header timeout");

    // The server still answers complete requests.
    let mut fine = connect(&s).await;
    fine.write_all(UNSIGNED_GET).await.unwrap();
    let (status, body) = read_response(&mut fine).await;
    assert_eq!((status, code(&body)), (403, "MissingAuthenticationToken"), "{body}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_outlives_the_header_timeout() {
    let s = TestServer::start_args(Backend::Sqlite, |a| {
        a.header_timeout_secs = 1;
        // Well above the 2 s of idling below, so that a loaded machine cannot make the test flaky.
        a.idle_timeout_secs = 4;
    })
    .await;
    let mut conn = connect(&s).await;
    conn.write_all(UNSIGNED_GET).await.unwrap();
    let (status, body) = read_response(&mut conn).await;
    assert_eq!((status, code(&body)), (403, "MissingAuthenticationToken"), "{body}");

    // Idle for twice the header timeout: the connection is still there, and serves the next request.
    tokio::time::sleep(Duration::from_secs(2)).await;
    conn.write_all(UNSIGNED_GET).await.unwrap();
    let (status, body) = read_response(&mut conn).await;
    assert_eq!((status, code(&body)), (403, "MissingAuthenticationToken"), "{body}");

    // Then, idle past the idle timeout, it is closed.
    let idle_since = Instant::now();
    assert!(closed_within(&mut conn, PATIENCE).await, "an idle connection must be closed after the idle timeout");
    // Later than the header timeout would have closed it (the idle timeout ran from the answer, just before).
    assert!(idle_since.elapsed() >= Duration::from_millis(1500), "closed before the idle timeout");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_takes_too_long_is_answered_request_timeout() {
    let s = TestServer::start_args(Backend::Sqlite, |a| a.request_timeout_secs = 1).await;
    let mut conn = connect(&s).await;
    // The head is complete; the body promised never comes.
    conn.write_all(b"POST / HTTP/1.1\r\nhost: gatehouse\r\ncontent-length: 100\r\n\r\nAction=Li").await.unwrap();
    let (status, body) = read_response(&mut conn).await;
    assert_eq!((status, code(&body)), (400, "RequestTimeout"), "{body}");
    assert!(body.starts_with("<ErrorResponse"), "{body}");
    assert!(closed_within(&mut conn, PATIENCE).await, "the connection is closed after a request timeout");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_parameters_are_refused_before_decoding() {
    let s = TestServer::start(Backend::Sqlite).await;
    let ep = s.endpoint();
    let form = [("content-type".to_string(), "application/x-www-form-urlencoded".to_string())];

    let r = send_raw(&ep, "POST", "/", &form, "a&".repeat(5001).as_bytes()).await;
    assert_eq!((r.status, r.code()), (400, "InvalidQueryParameter"), "{}", r.body);
    assert_eq!(r.message(), "The request has more than 5000 parameters, the most this server accepts.");
    assert!(r.body.starts_with("<ErrorResponse"), "{}", r.body);

    // The query string and the body count together.
    let target = format!("/?{}", "q&".repeat(3000));
    let r = send_raw(&ep, "POST", &target, &form, "b&".repeat(3000).as_bytes()).await;
    assert_eq!((r.status, r.code()), (400, "InvalidQueryParameter"), "{}", r.body);

    // At the cap, and with any number of empty pieces (which are no parameters), the request goes on to
    // authentication.
    let r = send_raw(&ep, "POST", "/", &form, "a&".repeat(5000).as_bytes()).await;
    assert_eq!((r.status, r.code()), (403, "MissingAuthenticationToken"), "{}", r.body);
    let r = send_raw(&ep, "POST", "/", &form, "&".repeat(500_000).as_bytes()).await;
    assert_eq!((r.status, r.code()), (403, "MissingAuthenticationToken"), "{}", r.body);
    s.stop().await;

    let s = TestServer::start_args(Backend::Sqlite, |a| a.max_parameters = 3).await;
    let r = send_raw(&s.endpoint(), "POST", "/", &form, b"Action=ListUsers&Version=2010-05-08&A=1&B=2").await;
    assert_eq!((r.status, r.code()), (400, "InvalidQueryParameter"), "{}", r.body);
    assert_eq!(r.message(), "The request has more than 3 parameters, the most this server accepts.");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_for_one_to_close() {
    let s = TestServer::start_args(Backend::Sqlite, |a| a.max_connections = 2).await;
    // Two connections, each served once and kept alive: both permits are taken.
    let mut first = connect(&s).await;
    let mut second = connect(&s).await;
    for conn in [&mut first, &mut second] {
        conn.write_all(UNSIGNED_GET).await.unwrap();
        let (status, _) = read_response(conn).await;
        assert_eq!(status, 403);
    }
    // A third connects (the kernel's backlog takes it) but is not served...
    let mut third = connect(&s).await;
    third.write_all(UNSIGNED_GET).await.unwrap();
    let mut buf = [0u8; 64];
    assert!(
        timeout(Duration::from_millis(700), third.read(&mut buf)).await.is_err(),
        "a third connection must not be served while two are open"
    );
    // ...until one of the first two closes.
    drop(first);
    let (status, body) = read_response(&mut third).await;
    assert_eq!((status, code(&body)), (403, "MissingAuthenticationToken"), "{body}");
    // The second is still served.
    second.write_all(UNSIGNED_GET).await.unwrap();
    assert_eq!(read_response(&mut second).await.0, 403);
    drop(second);
    drop(third);
    s.stop().await;
}
