//! Authentication and protocol errors, with raw HTTP requests (the SDKs cannot send most of these): missing or
//! malformed signatures, clock skew, unknown actions and versions, garbage bodies, presigned GET requests.

use std::sync::Arc;

use gatehouse::clock::{Clock, ManualClock, SystemClock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both_stores;
use crate::harness::{aws_err, Backend, Creds, TestServer};

both_stores!(
    unsigned_and_malformed,
    signed_protocol_errors,
    clock_skew,
    garbage_never_fails_the_server,
    every_operation_survives_hostile_parameters,
    presigned_get,
    host_must_be_signed
);

pub struct RawResponse {
    pub status: u16,
    pub body: String,
}

impl RawResponse {
    pub fn code(&self) -> &str {
        between(&self.body, "<Code>", "</Code>")
    }
    pub fn message(&self) -> &str {
        between(&self.body, "<Message>", "</Message>")
    }
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    s.split_once(a).and_then(|(_, rest)| rest.split_once(b)).map(|(v, _)| v).unwrap_or("")
}

/// Sends one HTTP/1.1 request and reads the whole answer.
pub async fn send_raw(
    endpoint: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> RawResponse {
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n", body.len());
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    RawResponse { status, body }
}

fn amz_date(unix: i64) -> String {
    gatehouse_wire::Timestamp(unix).to_amz_date()
}

/// Signs a form POST to `/` with our own SigV4 code (the SDK-driven tests prove that code against real
/// clients; here it only produces requests the SDKs will not send).
pub fn signed_post(host: &str, creds: &Creds, service: &str, body: &str, unix: i64) -> Vec<(String, String)> {
    let date = amz_date(unix);
    let day = &date[..8];
    let mut headers = vec![
        ("content-type".to_string(), "application/x-www-form-urlencoded; charset=utf-8".to_string()),
        ("host".to_string(), host.to_string()),
        ("x-amz-date".to_string(), date.clone()),
    ];
    let placeholder = format!(
        "AWS4-HMAC-SHA256 Credential={}/{day}/us-east-1/{service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={}",
        creds.id,
        "0".repeat(64)
    );
    let mut with_auth = headers.clone();
    with_auth.push(("authorization".into(), placeholder.clone()));
    let refs: Vec<(&str, &str)> = with_auth.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let req = gatehouse_sigv4::Request::new("POST", "/", "", &refs, body.as_bytes());
    let auth = gatehouse_sigv4::parse(&req).unwrap();
    let key = auth.signing_key(&creds.secret);
    let sig = gatehouse_sigv4::signature(&auth, &req, &key, gatehouse_sigv4::QueryToken::Signed);
    headers.push(("authorization".into(), placeholder.replace(&"0".repeat(64), &sig)));
    headers
}

pub fn now() -> i64 {
    SystemClock.now_millis() / 1000
}

async fn unsigned_and_malformed(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let form = [
        ("host".to_string(), host.clone()),
        ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
    ];
    let r = send_raw(&ep, "POST", "/", &form, b"Action=ListUsers&Version=2010-05-08").await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    );
    assert!(r.body.contains("xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\""), "{}", r.body);
    let r = send_raw(&ep, "POST", "/", &form, b"Action=GetCallerIdentity&Version=2011-06-15").await;
    assert_eq!(r.code(), "MissingAuthenticationToken");
    assert!(r.body.contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""), "{}", r.body);

    let mut bad = form.to_vec();
    bad.push(("authorization".into(), "AWS4-HMAC-SHA256 garbage".into()));
    bad.push(("x-amz-date".into(), amz_date(now())));
    let r = send_raw(&ep, "POST", "/", &bad, b"Action=ListUsers&Version=2010-05-08").await;
    assert_eq!((r.status, r.code()), (400, "IncompleteSignature"), "{}", r.body);
    s.stop().await;
}

async fn signed_protocol_errors(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let send = |service: &'static str, body: &'static str| {
        let headers = signed_post(&host, &s.root, service, body, now());
        let ep = ep.clone();
        async move { send_raw(&ep, "POST", "/", &headers, body.as_bytes()).await }
    };
    let r = send("iam", "Action=Frobnicate&Version=2010-05-08").await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (400, "InvalidAction", "Could not find operation Frobnicate for version 2010-05-08")
    );
    let r = send("iam", "Version=2010-05-08").await;
    assert_eq!((r.status, r.code()), (400, "MissingAction"));
    let r = send("iam", "Action=ListUsers&Version=2099-01-01").await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (400, "InvalidAction", "Could not find operation ListUsers for version 2099-01-01")
    );
    let r = send("s3", "Action=ListUsers&Version=2010-05-08").await;
    assert_eq!((r.status, r.code()), (403, "SignatureDoesNotMatch"));
    assert!(r.message().starts_with("Credential should be scoped to correct service: 'iam'."), "{}", r.message());
    let r = send("iam", "Action=GetCallerIdentity&Version=2011-06-15").await;
    assert!(r.message().starts_with("Credential should be scoped to correct service: 'sts'."), "{}", r.message());
    // A well-signed request succeeds, so the failures above are about what they test.
    let r = send("iam", "Action=ListUsers&Version=2010-05-08").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.starts_with("<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<ResponseMetadata><RequestId>"), "{}", r.body);
    s.stop().await;
}

async fn clock_skew(backend: Backend) {
    let clock = Arc::new(ManualClock::new(SystemClock.now_millis() + 20 * 60 * 1000));
    let s = TestServer::start_with(backend, clock.clone()).await;
    let e = aws_err(s.root_iam().list_users().send().await);
    assert_eq!((e.code.as_str(), e.status), ("SignatureDoesNotMatch", 403));
    assert!(e.message.starts_with("Signature expired: ") && e.message.ends_with(" - 15 min.)"), "{}", e.message);
    assert!(e.message.contains(" is now earlier than "), "{}", e.message);

    clock.set(SystemClock.now_millis() - 20 * 60 * 1000);
    let e = aws_err(s.root_iam().list_users().send().await);
    assert!(
        e.message.starts_with("Signature not yet current: ") && e.message.ends_with(" + 15 min.)"),
        "{}",
        e.message
    );

    clock.set(SystemClock.now_millis() + 10 * 60 * 1000);
    s.root_iam().list_users().send().await.expect("ten minutes of skew is within AWS's window");
    s.stop().await;
}

async fn garbage_never_fails_the_server(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let bodies: [&[u8]; 7] = [
        b"%",
        b"%zz&%ff%fe=1",
        b"Action=ListUsers&Version=2010-05-08&MaxItems=abc",
        b"Action=ListUsers&Version=2010-05-08&MaxItems=99999999999999999999",
        b"Action=CreateUser&Version=2010-05-08",
        b"\xff\xfe\x00garbage",
        b"Action=TagUser&Version=2010-05-08&UserName=a&Tags.member.1.Key=k",
    ];
    for body in bodies {
        let text = String::from_utf8_lossy(body).into_owned();
        let headers = signed_post(&host, &s.root, "iam", &text, now());
        let r = send_raw(&ep, "POST", "/", &headers, text.as_bytes()).await;
        assert!((400..500).contains(&r.status), "{text:?} -> {} {}", r.status, r.body);
        assert!(r.body.contains("<ErrorResponse"), "{text:?} -> {}", r.body);
    }
    let headers = signed_post(&host, &s.root, "iam", "Action=CreateUser&Version=2010-05-08", now());
    let r = send_raw(&ep, "POST", "/", &headers, b"Action=CreateUser&Version=2010-05-08").await;
    assert_eq!(
        r.message(),
        "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null"
    );
    // The server is still healthy.
    s.root_iam().list_users().send().await.unwrap();
    s.stop().await;
}

/// Every IAM and STS operation, signed by the root user, with parameters of hostile values under the member
/// names operations commonly take: each answer is an AWS error or success document, never a 5xx (other than
/// the honest 501 of an operation not written yet), never a document an XML parser would refuse.
async fn every_operation_survives_hostile_parameters(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let members = [
        "UserName",
        "NewUserName",
        "Path",
        "PathPrefix",
        "PolicyDocument",
        "PolicyArn",
        "RoleName",
        "GroupName",
        "MaxItems",
        "Marker",
        "DurationSeconds",
        "Tags.member.1.Key",
        "Tags.member.1.Value",
        "TagKeys.member.1",
        "AccessKeyId",
        "Status",
        "SerialNumber",
        "TokenCode",
        "RoleArn",
        "RoleSessionName",
        "Policy",
        "ActionNames.member.1",
        "PolicyInputList.member.1",
        "ContextEntries.member.1.ContextKeyType",
        "Url",
        "ThumbprintList.member.1",
        "SAMLMetadataDocument",
        "Name",
        "PolicyArns.member.2.arn",
    ];
    let values = ["\u{0}\u{1}", "\u{fc}\u{1F4A5}", "-1", "99999999999999999999", "{", "*", "a"];
    let long = "x".repeat(3000);
    for (i, value) in values.iter().copied().chain([long.as_str()]).enumerate() {
        let mut params: String = members
            .iter()
            .enumerate()
            .filter(|(m, _)| (m + i) % 3 != 0)
            .map(|(_, m)| format!("&{m}={}", pct(value)))
            .collect();
        params.push_str("&ContextEntries.member.1.ContextKeyValues.member.1=%00");
        let actions = gatehouse_wire::iam::Action::ALL.iter().map(|a| ("iam", "2010-05-08", a.name()));
        let actions = actions.chain(gatehouse_wire::sts::Action::ALL.iter().map(|a| ("sts", "2011-06-15", a.name())));
        for (service, version, action) in actions {
            let body = format!("Action={action}&Version={version}{params}");
            let headers = signed_post(&host, &s.root, service, &body, now());
            let r = send_raw(&ep, "POST", "/", &headers, body.as_bytes()).await;
            let what = format!("{action} with {value:?} -> {} {}", r.status, r.body);
            assert!(r.status < 500 || r.status == 501, "{what}");
            assert!(r.body.starts_with('<') && r.body.trim_end().ends_with('>'), "{what}");
            assert!(!r.body.chars().any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r')), "{what}");
            assert!(!r.body.contains("&#x0;") && !r.body.contains("&#x1;"), "{what}");
        }
    }
    s.root_iam().list_users().send().await.unwrap();
    s.stop().await;
}

/// Percent-encodes a form value.
fn pct(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn presigned_get(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let date = amz_date(now());
    let day = &date[..8];
    let cred = format!("{}%2F{day}%2Fus-east-1%2Fsts%2Faws4_request", s.root.id);
    let base = format!(
        "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={cred}&X-Amz-Date={date}&X-Amz-Expires=300&X-Amz-SignedHeaders=host"
    );
    let headers = [("host".to_string(), host.clone())];
    let placeholder_q = format!("{base}&X-Amz-Signature={}", "0".repeat(64));
    let refs: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let req = gatehouse_sigv4::Request::new("GET", "/", &placeholder_q, &refs, b"");
    let auth = gatehouse_sigv4::parse(&req).unwrap();
    let sig =
        gatehouse_sigv4::signature(&auth, &req, &auth.signing_key(&s.root.secret), gatehouse_sigv4::QueryToken::Signed);
    let r = send_raw(&ep, "GET", &format!("/?{base}&X-Amz-Signature={sig}"), &headers, b"").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<Arn>arn:aws:iam::000000000000:root</Arn>"), "{}", r.body);
    let r = send_raw(&ep, "GET", &format!("/?{base}&X-Amz-Signature={}", "1".repeat(64)), &headers, b"").await;
    assert_eq!((r.status, r.code()), (403, "SignatureDoesNotMatch"));
    s.stop().await;
}

/// A signature whose SignedHeaders leave out `host` (here signing HTTP/2's `:authority` instead, which an HTTP/1
/// request cannot carry) is refused before the key is looked up, in both forms, with AWS's answer.
async fn host_must_be_signed(backend: Backend) {
    let s = TestServer::start(backend).await;
    let ep = s.endpoint();
    let host = ep.trim_start_matches("http://").to_string();
    let date = amz_date(now());
    let day = &date[..8];
    let refused =
        (403, "SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={}/{day}/us-east-1/iam/aws4_request, SignedHeaders=:authority;x-amz-date, Signature={}",
        s.root.id,
        "0".repeat(64)
    );
    let headers = [
        ("host".to_string(), host.clone()),
        ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
        ("x-amz-date".to_string(), date.clone()),
        ("authorization".to_string(), auth),
    ];
    let r = send_raw(&ep, "POST", "/", &headers, b"Action=ListUsers&Version=2010-05-08").await;
    assert_eq!((r.status, r.code(), r.message()), refused, "{}", r.body);

    let cred = format!("{}%2F{day}%2Fus-east-1%2Fsts%2Faws4_request", s.root.id);
    let query = format!(
        "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={cred}&X-Amz-Date={date}&X-Amz-Expires=300&X-Amz-SignedHeaders=%3Aauthority&X-Amz-Signature={}",
        "0".repeat(64)
    );
    let r = send_raw(&ep, "GET", &format!("/?{query}"), &[("host".to_string(), host)], b"").await;
    assert_eq!((r.status, r.code(), r.message()), refused, "{}", r.body);
    s.stop().await;
}
