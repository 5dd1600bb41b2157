//! The generator: for one endpoint and round, `concurrency` keep-alive HTTP/1.1 connections, one task each,
//! sending signed requests back to back until the round's time is up.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::sign::{self, Signer};

/// The operations the generator sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// IAM `GetUser` (of the caller, or of `--user-name`).
    GetUser,
    /// STS `GetCallerIdentity`.
    GetCallerIdentity,
}

impl Op {
    pub fn service(self) -> &'static str {
        match self {
            Op::GetUser => "iam",
            Op::GetCallerIdentity => "sts",
        }
    }

    /// The form body.
    pub fn body(self, user_name: Option<&str>) -> String {
        match self {
            Op::GetUser => match user_name {
                Some(name) => format!("Action=GetUser&Version=2010-05-08&UserName={}", form_encode(name)),
                None => "Action=GetUser&Version=2010-05-08".to_owned(),
            },
            Op::GetCallerIdentity => "Action=GetCallerIdentity&Version=2011-06-15".to_owned(),
        }
    }
}

/// Percent-encodes all but the unreserved characters (RFC 3986), as the SDKs' Query serialiser does.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where requests go: `LABEL=http://host:port[/path]` or just the URL (then the label is the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub label: String,
    pub url: String,
    /// `host:port`, as connected to and as signed in `host`.
    pub authority: String,
    pub path: String,
    /// The access key this endpoint's requests are signed with, when it is not the run's (`--key LABEL=...`): one
    /// server measured as two callers, the root user and an IAM user with policies, say.
    pub key: Option<(String, String)>,
}

impl std::str::FromStr for Endpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (label, url) = match s.split_once('=') {
            Some((label, url)) if !label.is_empty() && !label.contains([':', '/']) => (label.to_owned(), url),
            _ => (s.to_owned(), s),
        };
        let uri: Uri = url.parse().map_err(|e| format!("{url}: not a URL: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("{url}: only http:// endpoints are supported"));
        }
        let authority = uri.authority().ok_or_else(|| format!("{url}: no host"))?;
        if authority.port_u16().is_none() {
            return Err(format!("{url}: give the port explicitly"));
        }
        let path = match uri.path() {
            "" => "/".to_owned(),
            p => p.to_owned(),
        };
        if uri.query().is_some() {
            return Err(format!("{url}: a query string is not supported"));
        }
        Ok(Self { label, url: url.to_owned(), authority: authority.as_str().to_owned(), path, key: None })
    }
}

/// What a round sends, and how.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub op: Op,
    pub concurrency: usize,
    pub duration: Duration,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub region: String,
    pub user_name: Option<String>,
    /// A request not answered within this is an error (`timeout`) and its connection is dropped.
    pub request_timeout: Duration,
    /// A bound on the requests one connection sends in one round, besides the round's duration.
    pub max_requests_per_connection: u64,
}

/// What one connection (or, merged, one round) saw.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Requests answered with any HTTP status.
    pub responses: u64,
    /// Of which 2xx.
    pub ok: u64,
    /// Round-trip times (send to last body byte) of every answered request, in nanoseconds.
    pub latencies_ns: Vec<u64>,
    /// Non-2xx answers by AWS error code (`<Code>`, or `-` if the body has none).
    pub errors_by_code: BTreeMap<String, u64>,
    /// Non-2xx answers by HTTP status.
    pub errors_by_status: BTreeMap<u16, u64>,
    /// Requests that got no answer: `connect`, `send`, `body`, `timeout`, `sign`.
    pub transport_errors: BTreeMap<String, u64>,
    /// Connections opened again after the server closed one.
    pub reconnects: u64,
    /// From the start of the round to the end of its last request.
    pub elapsed: Duration,
}

impl Sample {
    pub fn errors(&self) -> u64 {
        (self.responses - self.ok) + self.transport_errors.values().sum::<u64>()
    }

    pub fn merge(&mut self, other: Sample) {
        self.responses += other.responses;
        self.ok += other.ok;
        self.latencies_ns.extend(other.latencies_ns);
        for (k, v) in other.errors_by_code {
            *self.errors_by_code.entry(k).or_default() += v;
        }
        for (k, v) in other.errors_by_status {
            *self.errors_by_status.entry(k).or_default() += v;
        }
        for (k, v) in other.transport_errors {
            *self.transport_errors.entry(k).or_default() += v;
        }
        self.reconnects += other.reconnects;
        self.elapsed += other.elapsed;
    }

    fn transport(&mut self, what: &str) {
        *self.transport_errors.entry(what.to_owned()).or_default() += 1;
    }
}

/// The `<Code>` of an AWS Query error body.
pub fn error_code(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    Some(text[start..start + len].trim())
}

/// The client signs with the wall clock, as an SDK does: it is a client, not the server, whose one clock is
/// `gatehouse::clock`.
#[allow(clippy::disallowed_methods)]
fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default().try_into().unwrap_or(i64::MAX)
}

async fn connect(authority: &str) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(authority).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        // The connection ends when its sender is dropped or the server closes it; either is reported through
        // the sender, so its result is not needed here.
        let _ = conn.await;
    });
    Ok(sender)
}

/// One connection's requests until `deadline`.
async fn drive(
    mut sender: Option<SendRequest<Full<Bytes>>>,
    mut signer: Signer,
    body: Bytes,
    deadline: Instant,
    config: Arc<LoadConfig>,
) -> Sample {
    let mut sample = Sample::default();
    let mut sent = 0u64;
    let host = signer.host().to_owned();
    let path = signer.path().to_owned();
    while Instant::now() < deadline && sent < config.max_requests_per_connection {
        if sender.as_ref().is_none_or(|s| s.is_closed()) {
            if sender.take().is_some() {
                sample.reconnects += 1;
            }
            match connect(&host).await {
                Ok(s) => sender = Some(s),
                Err(_) => {
                    sample.transport("connect");
                    // Refused connections would otherwise spin until the deadline.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else { continue };
        sent += 1;
        let signed = match signer.sign(&body, unix_now()) {
            Ok(signed) => signed,
            Err(_) => {
                sample.transport("sign");
                break;
            }
        };
        let req = hyper::Request::builder()
            .method(Method::POST)
            .uri(path.as_str())
            .header(HOST, host.as_str())
            .header("x-amz-date", signed.amz_date)
            .header(CONTENT_TYPE, sign::CONTENT_TYPE)
            .header(AUTHORIZATION, signed.authorization)
            .body(Full::new(body.clone()));
        let req = match req {
            Ok(req) => req,
            Err(_) => {
                sample.transport("sign");
                break;
            }
        };
        let started = Instant::now();
        let exchange = async {
            s.ready().await.map_err(|_| "send")?;
            let resp = s.send_request(req).await.map_err(|_| "send")?;
            let status = resp.status().as_u16();
            let bytes = resp.into_body().collect().await.map_err(|_| "body")?.to_bytes();
            Ok::<_, &str>((status, bytes))
        };
        match tokio::time::timeout(config.request_timeout, exchange).await {
            Ok(Ok((status, bytes))) => {
                let took = started.elapsed();
                sample.latencies_ns.push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
                sample.responses += 1;
                if (200..300).contains(&status) {
                    sample.ok += 1;
                } else {
                    *sample.errors_by_status.entry(status).or_default() += 1;
                    let code = error_code(&bytes).unwrap_or("-").to_owned();
                    *sample.errors_by_code.entry(code).or_default() += 1;
                }
            }
            Ok(Err(what)) => {
                sample.transport(what);
                sender = None;
            }
            Err(_) => {
                sample.transport("timeout");
                sender = None;
            }
        }
    }
    sample
}

/// One round against one endpoint: opens the connections, then sends for `config.duration`.
pub async fn round(endpoint: &Endpoint, config: Arc<LoadConfig>) -> Sample {
    let body = Bytes::from(config.op.body(config.user_name.as_deref()));
    let (key_id, secret) = match &endpoint.key {
        Some((id, secret)) => (id.as_str(), secret.as_str()),
        None => (config.access_key_id.as_str(), config.secret_access_key.as_str()),
    };
    let signer = Signer::new(key_id, secret, &config.region, config.op.service(), &endpoint.authority, &endpoint.path);
    let mut setup = Sample::default();
    let mut senders = Vec::with_capacity(config.concurrency);
    for _ in 0..config.concurrency {
        match connect(&endpoint.authority).await {
            Ok(s) => senders.push(Some(s)),
            Err(_) => {
                setup.transport("connect");
                senders.push(None);
            }
        }
    }
    let start = Instant::now();
    let deadline = start + config.duration;
    let tasks: Vec<_> = senders
        .into_iter()
        .map(|s| tokio::spawn(drive(s, signer.clone(), body.clone(), deadline, config.clone())))
        .collect();
    for t in tasks {
        match t.await {
            Ok(sample) => setup.merge(sample),
            Err(_) => setup.transport("task"),
        }
    }
    setup.elapsed = start.elapsed();
    setup.latencies_ns.sort_unstable();
    setup
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_with_and_without_a_label() {
        let e: Endpoint = "http://127.0.0.1:4566".parse().expect("parse");
        assert_eq!(
            (e.label.as_str(), e.authority.as_str(), e.path.as_str()),
            ("http://127.0.0.1:4566", "127.0.0.1:4566", "/")
        );
        let e: Endpoint = "moto=http://localhost:5000/".parse().expect("parse");
        assert_eq!(
            (e.label.as_str(), e.authority.as_str(), e.url.as_str()),
            ("moto", "localhost:5000", "http://localhost:5000/")
        );
        assert!("https://127.0.0.1:1".parse::<Endpoint>().is_err());
        assert!("http://127.0.0.1".parse::<Endpoint>().is_err());
    }

    #[test]
    fn error_codes_come_from_the_body() {
        let body = b"<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>m</Message></Error></ErrorResponse>";
        assert_eq!(error_code(body), Some("NoSuchEntity"));
        assert_eq!(error_code(b"oops"), None);
    }

    #[test]
    fn bodies_encode_the_user_name() {
        assert_eq!(Op::GetUser.body(Some("a+b@c")), "Action=GetUser&Version=2010-05-08&UserName=a%2Bb%40c");
        assert_eq!(Op::GetCallerIdentity.body(Some("ignored")), "Action=GetCallerIdentity&Version=2011-06-15");
    }
}
