//! The generator: for one endpoint and round, `concurrency` keep-alive HTTP/1.1 connections, one task each,
//! sending signed requests back to back until the round's time is up. Which requests is the op's table,
//! [`Op::info`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Method, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::proc;
use crate::setup::{self, Identities};
use crate::sign::{self, Signer};

/// The operations the generator sends. What each one sends, needs set up and counts is [`Op::info`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// IAM `GetUser` (of the caller, or of `--user-name`).
    GetUser,
    /// STS `GetCallerIdentity`.
    GetCallerIdentity,
    /// IAM `ListUsers`, a page of at most 100.
    ListUsers,
    /// IAM `ListRoles`, a page of at most 100.
    ListRoles,
    /// IAM `ListPolicies` of the account's own (`Scope=Local`), a page of at most 100.
    ListPolicies,
    /// IAM `ListAttachedUserPolicies` of the set-up user.
    ListAttachedUserPolicies,
    /// IAM `CreateUser` of a new name, then `DeleteUser` of it: one pair per iteration.
    CreateDeleteUser,
    /// STS `AssumeRole` of the set-up role.
    AssumeRole,
    /// IAM `GetUser` of the set-up user, signed with the session an `AssumeRole` per connection returned.
    AssumedRoleGetUser,
    /// IAM `SimulatePrincipalPolicy` of the set-up user for `iam:GetUser` and `iam:ListUsers`.
    SimulatePrincipalPolicy,
}

/// What one iteration of an op is, as counted and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// One request.
    Request,
    /// Two requests (`CreateUser` then `DeleteUser`), both of which must succeed.
    Pair,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Request => "req",
            Unit::Pair => "pair",
        }
    }
}

/// The identities an op needs at an endpoint before its rounds (made, and removed after, by [`crate::setup`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Needs {
    /// The account id (`GetCallerIdentity`), for ARNs and the role's trust policy.
    pub account: bool,
    /// `gatehouse-bench-user`.
    pub user: bool,
    /// `gatehouse-bench-read`, attached to the user.
    pub policy: bool,
    /// `gatehouse-bench-role`, with its inline policy; and an access key of the user, with an inline policy that
    /// lets it assume the role (the root user may not assume roles, in AWS as in Gatehouse).
    pub role: bool,
    /// Users the op creates under [`setup::SCRATCH_PATH`] that an interrupted iteration may leave behind.
    pub scratch_users: bool,
}

impl Needs {
    const NONE: Needs = Needs { account: false, user: false, policy: false, role: false, scratch_users: false };
    const USER: Needs = Needs { account: true, user: true, ..Needs::NONE };
    const USER_WITH_POLICY: Needs = Needs { policy: true, ..Needs::USER };
    const ROLE: Needs = Needs { role: true, ..Needs::USER };
    const SCRATCH: Needs = Needs { scratch_users: true, ..Needs::NONE };

    /// What either needs.
    pub fn union(self, other: Needs) -> Needs {
        Needs {
            account: self.account || other.account,
            user: self.user || other.user,
            policy: self.policy || other.policy,
            role: self.role || other.role,
            scratch_users: self.scratch_users || other.scratch_users,
        }
    }

    pub fn any(self) -> bool {
        self != Needs::NONE
    }
}

/// What a body may be made of: the identities set up at the endpoint, and the run's options.
#[derive(Debug, Clone, Copy)]
pub struct BodyContext<'a> {
    pub ids: &'a Identities,
    /// `--user-name`, for `get-user`.
    pub user_name: Option<&'a str>,
}

/// How an op's iterations are made.
#[derive(Clone, Copy)]
pub enum Template {
    /// One request, the same body every time.
    Fixed(fn(&BodyContext<'_>) -> String),
    /// `CreateUser` of a name no iteration used before, then `DeleteUser` of it.
    CreateDelete,
}

/// Whose key an op's requests are signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The run's (or the endpoint's `--key`).
    Run,
    /// The set-up user's access key (made by the set-up): `AssumeRole`, which the root user may not call.
    User,
    /// Temporary credentials from one `AssumeRole` of the set-up role per connection (by the set-up user), made
    /// before the round's clock starts.
    Role,
}

/// One op's description: the table every other part (bodies, signing, set-up, report) reads.
#[derive(Clone, Copy)]
pub struct OpInfo {
    /// The service signed for.
    pub service: &'static str,
    pub unit: Unit,
    pub needs: Needs,
    pub caller: Caller,
    pub template: Template,
}

impl Op {
    /// Every op, in the order the report lists them by default.
    pub const ALL: [Op; 10] = [
        Op::GetUser,
        Op::GetCallerIdentity,
        Op::ListUsers,
        Op::ListRoles,
        Op::ListPolicies,
        Op::ListAttachedUserPolicies,
        Op::CreateDeleteUser,
        Op::AssumeRole,
        Op::AssumedRoleGetUser,
        Op::SimulatePrincipalPolicy,
    ];

    pub fn info(self) -> OpInfo {
        use Template::Fixed;
        let plain =
            |service, needs, template| OpInfo { service, unit: Unit::Request, needs, caller: Caller::Run, template };
        match self {
            Op::GetUser => plain(
                IAM,
                Needs::NONE,
                Fixed(|c| match c.user_name {
                    Some(name) => iam("GetUser", &[("UserName", name)]),
                    None => iam("GetUser", &[]),
                }),
            ),
            Op::GetCallerIdentity => plain(STS, Needs::NONE, Fixed(|_| sts("GetCallerIdentity", &[]))),
            Op::ListUsers => plain(IAM, Needs::NONE, Fixed(|_| iam("ListUsers", &[("MaxItems", "100")]))),
            Op::ListRoles => plain(IAM, Needs::NONE, Fixed(|_| iam("ListRoles", &[("MaxItems", "100")]))),
            Op::ListPolicies => {
                plain(IAM, Needs::NONE, Fixed(|_| iam("ListPolicies", &[("Scope", "Local"), ("MaxItems", "100")])))
            }
            Op::ListAttachedUserPolicies => plain(
                IAM,
                Needs::USER_WITH_POLICY,
                Fixed(|_| iam("ListAttachedUserPolicies", &[("UserName", setup::USER)])),
            ),
            Op::CreateDeleteUser => OpInfo { unit: Unit::Pair, ..plain(IAM, Needs::SCRATCH, Template::CreateDelete) },
            Op::AssumeRole => OpInfo {
                caller: Caller::User,
                ..plain(STS, Needs::ROLE, Fixed(|c| setup::assume_role_body(&c.ids.role_arn)))
            },
            Op::AssumedRoleGetUser => OpInfo {
                caller: Caller::Role,
                ..plain(IAM, Needs::ROLE, Fixed(|_| iam("GetUser", &[("UserName", setup::USER)])))
            },
            Op::SimulatePrincipalPolicy => plain(
                IAM,
                Needs::USER_WITH_POLICY,
                Fixed(|c| {
                    iam(
                        "SimulatePrincipalPolicy",
                        &[
                            ("PolicySourceArn", &c.ids.user_arn),
                            ("ActionNames.member.1", "iam:GetUser"),
                            ("ActionNames.member.2", "iam:ListUsers"),
                        ],
                    )
                }),
            ),
        }
    }

    /// The name `--op` takes (`create-delete-user`).
    pub fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self).map(|v| v.get_name().to_owned()).unwrap_or_default()
    }

    /// The form body of an op with a fixed body.
    pub fn body(self, ctx: &BodyContext<'_>) -> Option<String> {
        match self.info().template {
            Template::Fixed(body) => Some(body(ctx)),
            Template::CreateDelete => None,
        }
    }
}

const IAM: &str = "iam";
const STS: &str = "sts";

/// An IAM Query body: `Action`, `Version`, then the parameters in the order given, each value encoded.
pub fn iam(action: &str, params: &[(&str, &str)]) -> String {
    query(action, "2010-05-08", params)
}

/// An STS Query body.
pub fn sts(action: &str, params: &[(&str, &str)]) -> String {
    query(action, "2011-06-15", params)
}

fn query(action: &str, version: &str, params: &[(&str, &str)]) -> String {
    let mut out = format!("Action={action}&Version={version}");
    for (k, v) in params {
        out.push('&');
        out.push_str(&form_encode(k));
        out.push('=');
        out.push_str(&form_encode(v));
    }
    out
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
    /// The server's process on this machine (`--server-pid`), whose CPU time and memory the report shows.
    pub pid: Option<u32>,
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
        Ok(Self { label, url: url.to_owned(), authority: authority.as_str().to_owned(), path, key: None, pid: None })
    }
}

impl Endpoint {
    /// The key this endpoint's requests are signed with: its own, or the run's.
    pub fn key<'a>(&'a self, config: &'a LoadConfig) -> (&'a str, &'a str) {
        match &self.key {
            Some((id, secret)) => (id, secret),
            None => (&config.access_key_id, &config.secret_access_key),
        }
    }

    /// A signer of this endpoint's requests to `service` with its key.
    pub fn signer(&self, config: &LoadConfig, service: &str) -> Signer {
        let (id, secret) = self.key(config);
        Signer::new(id, secret, &config.region, service, &self.authority, &self.path)
    }
}

/// What a round sends, and how.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub concurrency: usize,
    pub duration: Duration,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub region: String,
    pub user_name: Option<String>,
    /// A request not answered within this is an error (`timeout`) and its connection is dropped.
    pub request_timeout: Duration,
    /// A bound on the iterations one connection makes in one round, besides the round's duration.
    pub max_requests_per_connection: u64,
}

/// What one connection (or, merged, one round) saw. A "request" here is one iteration of the op: one request, or
/// for `create-delete-user` one pair.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Iterations answered with any HTTP status.
    pub responses: u64,
    /// Of which every request 2xx.
    pub ok: u64,
    /// Round-trip times (send to last body byte, of the last request of the iteration) of every answered
    /// iteration, in nanoseconds.
    pub latencies_ns: Vec<u64>,
    /// Non-2xx answers by AWS error code (`<Code>`, or `-` if the body has none).
    pub errors_by_code: BTreeMap<String, u64>,
    /// Non-2xx answers by HTTP status.
    pub errors_by_status: BTreeMap<u16, u64>,
    /// Iterations that got no answer: `connect`, `send`, `body`, `timeout`, `sign`; and connections that could
    /// not start: `assume-role`.
    pub transport_errors: BTreeMap<String, u64>,
    /// Connections opened again after the first of each connection's round (the server closed one, or a request
    /// on it failed).
    pub reconnects: u64,
    /// From the start of the round to the end of its last request.
    pub elapsed: Duration,
    /// The server's CPU time (user + system) over the round, when its process is known (`--server-pid`).
    pub server_cpu_us: Option<f64>,
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
        self.server_cpu_us = match (self.server_cpu_us, other.server_cpu_us) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }

    fn transport(&mut self, what: &str) {
        *self.transport_errors.entry(what.to_owned()).or_default() += 1;
    }

    fn record(&mut self, outcome: &Outcome, took: Duration) {
        let answered = |s: &mut Sample| {
            s.responses += 1;
            s.latencies_ns.push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
        };
        match outcome {
            Outcome::Ok(_) => {
                answered(self);
                self.ok += 1;
            }
            Outcome::Refused { status, code, .. } => {
                answered(self);
                *self.errors_by_status.entry(*status).or_default() += 1;
                *self.errors_by_code.entry(code.clone()).or_default() += 1;
            }
            Outcome::NoAnswer(what) => self.transport(what),
        }
    }
}

/// The `<Code>` of an AWS Query error body.
pub fn error_code(body: &[u8]) -> Option<String> {
    crate::xml::element(body, "Code")
}

/// How one request (or iteration) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer, and its body.
    Ok(Bytes),
    /// Another status, with the answer's `<Code>` (`-` if none) and `<Message>`.
    Refused { status: u16, code: String, message: String },
    /// No answer: `connect`, `send`, `body`, `timeout` or `sign`.
    NoAnswer(&'static str),
}

impl Outcome {
    fn of(status: u16, body: Bytes) -> Self {
        if (200..300).contains(&status) {
            return Outcome::Ok(body);
        }
        let code = error_code(&body).unwrap_or_else(|| "-".to_owned());
        let message = crate::xml::element(&body, "Message").unwrap_or_default();
        Outcome::Refused { status, code, message }
    }
}

/// The client signs with the wall clock, as an SDK does: it is a client, not the server, whose one clock is
/// `gatehouse::clock`.
#[allow(clippy::disallowed_methods)]
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default().try_into().unwrap_or(i64::MAX)
}

/// One keep-alive connection, opened again whenever the server has closed it.
pub(crate) struct Conn {
    authority: String,
    sender: Option<SendRequest<Full<Bytes>>>,
    opened: u64,
}

impl Conn {
    /// A connection to `authority`, opened now if it can be (else at its first request).
    pub(crate) async fn open(authority: &str) -> Self {
        let mut conn = Conn { authority: authority.to_owned(), sender: None, opened: 0 };
        let _ = conn.ready().await;
        conn
    }

    /// Connections opened after the first.
    fn reconnects(&self) -> u64 {
        self.opened.saturating_sub(1)
    }

    fn is_open(&self) -> bool {
        self.sender.as_ref().is_some_and(|s| !s.is_closed())
    }

    async fn ready(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, &'static str> {
        if !self.is_open() {
            self.sender = None;
            let stream = TcpStream::connect(&self.authority).await.map_err(|_| "connect")?;
            stream.set_nodelay(true).map_err(|_| "connect")?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.map_err(|_| "connect")?;
            tokio::spawn(async move {
                // The connection ends when its sender is dropped or the server closes it; either is reported
                // through the sender, so its result is not needed here.
                let _ = conn.await;
            });
            self.opened += 1;
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or("connect")
    }
}

/// Sends one signed POST of `body` on `conn` and reads the whole answer.
pub(crate) async fn exchange(conn: &mut Conn, signer: &mut Signer, body: &Bytes, timeout: Duration) -> Outcome {
    let sender = match conn.ready().await {
        Ok(s) => s,
        Err(what) => {
            // Refused connections would otherwise spin until the deadline.
            tokio::time::sleep(Duration::from_millis(20)).await;
            return Outcome::NoAnswer(what);
        }
    };
    let Ok(signed) = signer.sign(body, unix_now()) else { return Outcome::NoAnswer("sign") };
    let mut req = hyper::Request::builder()
        .method(Method::POST)
        .uri(signer.path())
        .header(HOST, signer.host())
        .header("x-amz-date", signed.amz_date)
        .header(CONTENT_TYPE, sign::CONTENT_TYPE)
        .header(AUTHORIZATION, signed.authorization);
    if let Some(token) = signer.session_token() {
        req = req.header(sign::SECURITY_TOKEN, token);
    }
    let Ok(req) = req.body(Full::new(body.clone())) else { return Outcome::NoAnswer("sign") };
    let answer = async {
        sender.ready().await.map_err(|_| "send")?;
        let resp = sender.send_request(req).await.map_err(|_| "send")?;
        let status = resp.status().as_u16();
        // A server that closes after this answer (moto does, after every one) says so: the next request then
        // opens a new connection instead of failing on this one.
        let closing = resp.headers().get(CONNECTION).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
            || resp.version() < hyper::Version::HTTP_11;
        let bytes = resp.into_body().collect().await.map_err(|_| "body")?.to_bytes();
        Ok::<_, &'static str>((status, bytes, closing))
    };
    match tokio::time::timeout(timeout, answer).await {
        Ok(Ok((status, bytes, closing))) => {
            if closing {
                conn.sender = None;
            }
            Outcome::of(status, bytes)
        }
        Ok(Err(what)) => {
            conn.sender = None;
            Outcome::NoAnswer(what)
        }
        Err(_) => {
            conn.sender = None;
            Outcome::NoAnswer("timeout")
        }
    }
}

/// What a connection sends in a round: the op's template made concrete for the endpoint.
#[derive(Debug, Clone)]
enum Work {
    Fixed(Bytes),
    /// `CreateUser` and `DeleteUser` of `{prefix}-{connection}-{counter}`.
    CreateDelete {
        prefix: String,
    },
}

/// One iteration of `work`: the outcome of its last request.
async fn iteration(
    conn: &mut Conn,
    signer: &mut Signer,
    work: &Work,
    name: impl FnOnce() -> String,
    t: Duration,
) -> Outcome {
    match work {
        Work::Fixed(body) => exchange(conn, signer, body, t).await,
        Work::CreateDelete { .. } => {
            let name = name();
            let create = iam("CreateUser", &[("UserName", &name), ("Path", setup::SCRATCH_PATH)]);
            match exchange(conn, signer, &Bytes::from(create), t).await {
                Outcome::Ok(_) => {
                    exchange(conn, signer, &Bytes::from(iam("DeleteUser", &[("UserName", &name)])), t).await
                }
                failed => failed,
            }
        }
    }
}

/// One connection's iterations until `deadline`.
async fn drive(
    mut conn: Conn,
    mut signer: Signer,
    work: Work,
    index: usize,
    deadline: Instant,
    config: Arc<LoadConfig>,
) -> Sample {
    let mut sample = Sample::default();
    let mut sent = 0u64;
    while Instant::now() < deadline && sent < config.max_requests_per_connection {
        sent += 1;
        let started = Instant::now();
        let name = || match &work {
            Work::CreateDelete { prefix } => format!("{prefix}-{index}-{sent}"),
            Work::Fixed(_) => String::new(),
        };
        let outcome = iteration(&mut conn, &mut signer, &work, name, config.request_timeout).await;
        sample.record(&outcome, started.elapsed());
        if outcome == Outcome::NoAnswer("sign") {
            break;
        }
    }
    sample.reconnects = conn.reconnects();
    sample
}

/// Which round of a run this is, and against what is set up at the endpoint.
#[derive(Debug, Clone, Copy)]
pub struct RoundOf<'a> {
    pub op: Op,
    /// Counted from 1; part of the names `create-delete-user` makes.
    pub number: usize,
    pub ids: &'a Identities,
}

/// The work of `op` at `endpoint`.
fn work(round: &RoundOf<'_>, config: &LoadConfig) -> Work {
    let ctx = BodyContext { ids: round.ids, user_name: config.user_name.as_deref() };
    match round.op.info().template {
        Template::Fixed(body) => Work::Fixed(Bytes::from(body(&ctx))),
        // Unique across runs (the time) and rounds, so a name left by an interrupted run is never reused.
        Template::CreateDelete => {
            Work::CreateDelete { prefix: format!("{}{:x}-{}", setup::SCRATCH_PREFIX, unix_now(), round.number) }
        }
    }
}

/// A connection ready for the round, and its signer: for an op signed as the role, the session an `AssumeRole`
/// on that connection returned.
async fn prepare(
    endpoint: &Endpoint,
    round: &RoundOf<'_>,
    config: &LoadConfig,
) -> Result<(Conn, Signer), &'static str> {
    let info = round.op.info();
    let mut conn = Conn::open(&endpoint.authority).await;
    let with = |id: &str, secret: &str, service: &str| {
        Signer::new(id, secret, &config.region, service, &endpoint.authority, &endpoint.path)
    };
    let user = &round.ids.user_key;
    let signer = match info.caller {
        Caller::Run => endpoint.signer(config, info.service),
        Caller::User => with(&user.access_key_id, &user.secret_access_key, info.service),
        Caller::Role => {
            let mut sts = with(&user.access_key_id, &user.secret_access_key, STS);
            let creds = setup::assume_role(&mut conn, &mut sts, &round.ids.role_arn, config.request_timeout)
                .await
                .map_err(|_| "assume-role")?;
            with(&creds.access_key_id, &creds.secret_access_key, info.service).with_session_token(&creds.session_token)
        }
    };
    Ok((conn, signer))
}

/// The server's CPU ticks now, if it is known and readable.
fn server_ticks(endpoint: &Endpoint) -> Option<u64> {
    endpoint.pid.and_then(|pid| proc::cpu_ticks(pid).ok())
}

/// One round against one endpoint: opens the connections (and, for an op signed as the role, assumes it on each),
/// then sends for `config.duration`.
pub async fn round(endpoint: &Endpoint, round: RoundOf<'_>, config: Arc<LoadConfig>) -> Sample {
    let work = work(&round, &config);
    let mut sample = Sample::default();
    let mut ready = Vec::with_capacity(config.concurrency);
    for _ in 0..config.concurrency {
        match prepare(endpoint, &round, &config).await {
            Ok(c) => ready.push(c),
            Err(what) => sample.transport(what),
        }
    }
    let cpu_before = server_ticks(endpoint);
    let start = Instant::now();
    let deadline = start + config.duration;
    // A JoinSet: if the round is dropped (Ctrl-C), its connections' tasks end with it.
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (conn, signer)) in ready.into_iter().enumerate() {
        tasks.spawn(drive(conn, signer, work.clone(), index, deadline, config.clone()));
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(s) => sample.merge(s),
            Err(_) => sample.transport("task"),
        }
    }
    sample.elapsed = start.elapsed();
    sample.server_cpu_us = match (cpu_before, server_ticks(endpoint)) {
        (Some(a), Some(b)) => Some(proc::ticks_to_us(b.saturating_sub(a), proc::clock_ticks_per_sec())),
        _ => None,
    };
    sample.latencies_ns.sort_unstable();
    sample
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
        assert_eq!(error_code(body).as_deref(), Some("NoSuchEntity"));
        assert_eq!(error_code(b"oops"), None);
    }

    fn ids() -> Identities {
        Identities {
            account: "000000000000".into(),
            user_arn: "arn:aws:iam::000000000000:user/gatehouse-bench-user".into(),
            policy_arn: "arn:aws:iam::000000000000:policy/gatehouse-bench-read".into(),
            role_arn: "arn:aws:iam::000000000000:role/gatehouse-bench-role".into(),
            ..Identities::default()
        }
    }

    #[test]
    fn bodies_are_encoded_as_the_sdks_do() {
        let ids = ids();
        let body = |op: Op, user_name| op.body(&BodyContext { ids: &ids, user_name });
        assert_eq!(
            body(Op::GetUser, Some("a+b@c")).as_deref(),
            Some("Action=GetUser&Version=2010-05-08&UserName=a%2Bb%40c")
        );
        assert_eq!(body(Op::GetUser, None).as_deref(), Some("Action=GetUser&Version=2010-05-08"));
        assert_eq!(
            body(Op::GetCallerIdentity, Some("ignored")).as_deref(),
            Some("Action=GetCallerIdentity&Version=2011-06-15")
        );
        assert_eq!(body(Op::ListUsers, None).as_deref(), Some("Action=ListUsers&Version=2010-05-08&MaxItems=100"));
        assert_eq!(
            body(Op::ListAttachedUserPolicies, None).as_deref(),
            Some("Action=ListAttachedUserPolicies&Version=2010-05-08&UserName=gatehouse-bench-user")
        );
        assert_eq!(
            body(Op::AssumeRole, None).as_deref(),
            Some(
                "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2F\
                 gatehouse-bench-role&RoleSessionName=gatehouse-bench"
            )
        );
        assert_eq!(
            body(Op::SimulatePrincipalPolicy, None).as_deref(),
            Some(
                "Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A000000000000\
                 %3Auser%2Fgatehouse-bench-user&ActionNames.member.1=iam%3AGetUser&ActionNames.member.2=iam%3AListUsers"
            )
        );
        assert_eq!(body(Op::CreateDeleteUser, None), None);
    }

    #[test]
    fn the_op_table_says_what_each_op_needs() {
        for op in Op::ALL {
            let info = op.info();
            // Whatever names an identity needs the account id the set-up reads first.
            assert!(!(info.needs.user || info.needs.role) || info.needs.account, "{op:?}");
            assert_eq!(info.caller == Caller::Role, op == Op::AssumedRoleGetUser);
            assert_eq!(info.caller == Caller::User, op == Op::AssumeRole);
            assert_eq!(info.unit == Unit::Pair, op == Op::CreateDeleteUser);
            assert!(!op.name().is_empty());
        }
        assert_eq!(Op::CreateDeleteUser.name(), "create-delete-user");
        assert!(Op::AssumedRoleGetUser.info().needs.role && Op::AssumedRoleGetUser.info().needs.user);
        assert_eq!(Op::ListUsers.info().service, "iam");
        assert_eq!(Op::AssumeRole.info().service, "sts");
    }
}
