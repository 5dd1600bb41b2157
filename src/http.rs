//! The HTTP face: every request, whatever its path, is an IAM or STS Query request (but the health probe,
//! `GET /healthz`, see `crate::health`). This module reads the body, finds the action and the service,
//! authenticates, and hands over to the generated dispatchers, then writes the XML answer or AWS's error envelope.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use gatehouse_sigv4::{Request as SigRequest, SigError};
use gatehouse_wire::{iam, sts, AwsError, Params};

use crate::api::generated;
use crate::api::Gatehouse;
use crate::authn::Authenticated;
use crate::identity::{Caller, Principal};
use crate::origin::{Origin, PeerAddr};
use crate::request::{Ctx, Received};
use crate::state::State;

/// What one request may cost before it is refused: the body size, the parameter count and the time.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub max_body_bytes: usize,
    pub max_parameters: usize,
    pub request_timeout: Duration,
}

#[derive(Clone)]
struct App {
    state: Arc<State>,
    limits: RequestLimits,
}

pub fn router(state: Arc<State>, limits: RequestLimits) -> Router {
    Router::new().fallback(handle).with_state(App { state, limits })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Iam,
    Sts,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Sts => "sts",
        }
    }
    fn namespace(self) -> &'static str {
        match self {
            Service::Iam => iam::NAMESPACE,
            Service::Sts => sts::NAMESPACE,
        }
    }
    fn version(self) -> &'static str {
        match self {
            Service::Iam => iam::VERSION,
            Service::Sts => sts::VERSION,
        }
    }
}

/// IAM and STS share the port. An STS action name means STS; otherwise a signature scoped to `sts` means STS
/// (its unknown actions are STS's to refuse); everything else is IAM.
fn service_of(action: Option<&str>, scope_service: Option<&str>) -> Service {
    let is_sts_action = action.and_then(sts::Action::from_name).is_some();
    let is_iam_action = action.and_then(iam::Action::from_name).is_some();
    if is_sts_action || (!is_iam_action && scope_service == Some("sts")) {
        Service::Sts
    } else {
        Service::Iam
    }
}

/// A request that takes longer than the request timeout (body read and handling) is answered `RequestTimeout`,
/// 400, with `Connection: close`: AWS's IAM and STS document no such error, and S3's `RequestTimeout` (400, "Your
/// socket connection to the server was not read from or written to within the timeout period.") is the AWS error
/// for it, one that the SDKs' retry rules already class as transient (the SDK retries it on a new connection).
async fn handle(axum::extract::State(app): axum::extract::State<App>, req: axum::extract::Request) -> Response {
    if crate::health::is_probe(&req) {
        return crate::health::answer(&app.state, app.limits.request_timeout).await;
    }
    let request_id = crate::ids::request_id(&*app.state.rng);
    match tokio::time::timeout(app.limits.request_timeout, handle_in_time(&app, req, &request_id)).await {
        Ok(resp) => resp,
        Err(_) => {
            let e = AwsError::new(
                "RequestTimeout",
                400,
                "Your socket connection to the server was not read from or written to within the timeout period.",
            );
            let mut resp = error_response(&e, Service::Iam, &request_id);
            resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            resp
        }
    }
}

async fn handle_in_time(app: &App, req: axum::extract::Request, request_id: &str) -> Response {
    let state = &app.state;
    let now = state.clock.now_millis();
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, app.limits.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            let e = AwsError::new("RequestEntityTooLarge", 413, "Request body is larger than the server accepts.");
            return error_response(&e, Service::Iam, request_id);
        }
    };
    let query = parts.uri.query().unwrap_or("");
    // The parameters: the query string, and for POST the form body as well.
    let sources: Vec<&[u8]> =
        if parts.method == Method::POST { vec![query.as_bytes(), &body] } else { vec![query.as_bytes()] };
    // Counted before anything else is looked at, with a scan that allocates nothing.
    let count: usize = sources.iter().map(|s| gatehouse_wire::form::count_params(s)).sum();
    if count > app.limits.max_parameters {
        return error_response(&too_many_parameters(app.limits.max_parameters), Service::Iam, request_id);
    }
    let path = parts.uri.path();
    let headers = header_pairs(&parts.headers);
    let header_refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let sig_req = SigRequest::new(parts.method.as_str(), path, query, &header_refs, &body);
    let peer = parts.extensions.get::<PeerAddr>().map(|p| p.0);
    let origin = Origin::of(peer, &parts.headers, &state.trusted_proxies);

    let (result, service) = process(state, &sig_req, &sources, request_id, now, origin).await;
    match result {
        Ok(xml) => ok_response(xml, request_id),
        Err(e) => error_response(&e, service, request_id),
    }
}

/// More parameters than the server accepts. AWS's Query front end has a limit of its own that is not recorded;
/// `InvalidQueryParameter` (400) is the AWS common error for "the AWS query string is malformed or does not adhere
/// to AWS standards", the nearest AWS code, and one SDKs surface as a plain client error (never retried).
fn too_many_parameters(max: usize) -> AwsError {
    AwsError::new(
        "InvalidQueryParameter",
        400,
        format!("The request has more than {max} parameters, the most this server accepts."),
    )
}

/// The request, in the order of its cost: the action (one parameter decoded) and the signature's shape, date
/// window and service, before all parameters are decoded and before the access key is looked up in the store: a
/// request without a plausible, current signature costs a scan of its bytes (the unsigned STS federation calls
/// excepted, which are decoded as they must be). The order of the answers: signature shape, date window and scope,
/// then a malformed form (`MalformedQueryString`), then the key and the signature itself, then action and version.
/// Only a request that has both a malformed form and one of the first faults is answered differently than when the
/// form was decoded first: with the signature's error.
async fn process(
    state: &Arc<State>,
    sig_req: &SigRequest<'_>,
    sources: &[&[u8]],
    request_id: &str,
    now: i64,
    origin: Origin,
) -> (Result<String, AwsError>, Service) {
    // An `Action` that does not decode names no service; the full decoding below refuses the request then.
    let action = gatehouse_wire::form::find_param(sources, "Action").and_then(Result::ok);
    let auth = gatehouse_sigv4::parse(sig_req);
    let service = service_of(action.as_deref(), auth.as_ref().ok().map(|a| a.service()));

    match &auth {
        Ok(auth) => {
            if let Err(e) = crate::authn::precheck(auth, service.name(), now) {
                return (Err(e), service);
            }
        }
        // AssumeRoleWithWebIdentity and AssumeRoleWithSAML are called without a signature.
        Err(SigError::MissingAuthenticationToken)
            if service == Service::Sts
                && action.as_deref().and_then(sts::Action::from_name).is_some_and(|a| a.unsigned()) => {}
        Err(e) => return (Err(crate::authn::sig_error(e)), service),
    }

    let params = match Params::parse_all(sources) {
        Ok(p) => p,
        Err(e) => return (Err(e), service),
    };

    let caller = match &auth {
        Ok(auth) => match crate::authn::authenticate(state, auth, sig_req, service.name(), now).await {
            Ok(c) => c,
            Err(e) => return (Err(e), service),
        },
        // Only the unsigned STS actions get here without a signature (the match above returned for the rest).
        Err(_) => Authenticated {
            caller: Caller::long_term("", Principal::Anonymous, ""),
            grants: Default::default(),
            revision: None,
        },
    };

    let Some(action) = action else {
        return (Err(AwsError::missing_action()), service);
    };
    match params.get("Version") {
        Some(v) if v == service.version() => {}
        Some(v) => return (Err(AwsError::invalid_action(&action, v)), service),
        None => return (Err(AwsError::missing_parameter("The request must contain the parameter Version")), service),
    }
    if let Err(e) = crate::sessions::limits::check(&caller.caller, service.name(), &action) {
        return (Err(e), service);
    }
    let region = auth.as_ref().map(|a| a.region().to_string()).unwrap_or_default();
    let received = Received { request_id: request_id.to_string(), now, region, service: service.name(), origin };
    let ctx = |op| Ctx::new(received, caller, state.clone(), op);
    let result = match service {
        Service::Iam => match iam::Action::from_name(&action) {
            Some(a) => {
                let ctx = ctx(a.auth());
                crate::domain::last_accessed::record(&ctx).await;
                decided(&ctx, generated::iam::dispatch(&Gatehouse, &ctx, a, &params, request_id).await)
            }
            None => Err(AwsError::invalid_action(&action, iam::VERSION)),
        },
        Service::Sts => match sts::Action::from_name(&action) {
            Some(a) => {
                let ctx = ctx(a.auth());
                crate::domain::last_accessed::record(&ctx).await;
                decided(&ctx, generated::sts::dispatch(&Gatehouse, &ctx, a, &params, request_id).await)
            }
            None => Err(AwsError::invalid_action(&action, sts::VERSION)),
        },
    };
    (result, service)
}

/// Authorisation by construction: an operation AWS authorises may answer success only after a decision for its
/// own action. One that did not is a bug in Gatehouse; it fails closed, loudly.
fn decided(ctx: &Ctx, result: Result<String, AwsError>) -> Result<String, AwsError> {
    if result.is_ok() && ctx.op.authorised && !ctx.decided() {
        tracing::error!(action = ctx.op.action, request_id = %ctx.request_id, "an operation answered without deciding its action; refused");
        return Err(AwsError::internal_failure());
    }
    result
}

/// The headers as strings for the signature check. Values that are not UTF-8 are kept lossily: such a header
/// cannot have been signed as the client meant it, and the signature check will say so.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

fn ok_response(xml: String, request_id: &str) -> Response {
    with_headers(StatusCode::OK, xml, request_id)
}

fn error_response(e: &AwsError, service: Service, request_id: &str) -> Response {
    if e.status >= 500 && e.status != 501 {
        tracing::error!(code = %e.code, request_id, "request failed on the server side");
    }
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    with_headers(status, e.to_xml(service.namespace(), request_id), request_id)
}

fn with_headers(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut resp = (status, Body::from(body)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Keyring, MasterKey};

    async fn ctx(op: gatehouse_wire::authz::ActionAuth) -> Ctx {
        let store = crate::store::Store::open("sqlite::memory:").await.unwrap();
        let keyring = Keyring::new(MasterKey::parse(&"11".repeat(32)).unwrap(), vec![]);
        let state = Arc::new(State {
            store,
            keyring,
            clock: Arc::new(crate::clock::ManualClock::new(0)),
            rng: Arc::new(crate::ids::SeededRandom::new(1)),
            default_account: "000000000000".into(),
            quotas: Default::default(),
            principals: Default::default(),
            snapshots: Default::default(),
            account_created: Default::default(),
            role_uses: Default::default(),
            action_uses: Default::default(),
            issuer_keys: crate::federation::oidc::IssuerKeys::new(Vec::new(), Default::default()),
            issuer_base: "http://127.0.0.1:4591".into(),
            saml_audiences: vec![crate::domain::saml_assertions::AWS_AUDIENCE.to_string()],
            enforcement: Default::default(),
            trusted_proxies: Default::default(),
        });
        let root = Caller::long_term("000000000000", Principal::Root, "AKIA");
        let root = Authenticated { caller: root, grants: Default::default(), revision: None };
        let received = Received {
            request_id: "r".into(),
            now: 0,
            region: "us-east-1".into(),
            service: "iam",
            origin: Default::default(),
        };
        Ctx::new(received, root, state, op)
    }

    #[tokio::test]
    async fn success_without_a_decision_is_refused() {
        let c = ctx(iam::Action::GetUser.auth()).await;
        let e = decided(&c, Ok("<ok/>".into())).unwrap_err();
        assert_eq!((e.code.as_ref(), e.status), ("InternalFailure", 500));
        // Another action's decision does not count; the operation's own does.
        c.authorize("iam:ListUsers", "*").unwrap();
        assert!(decided(&c, Ok("<ok/>".into())).is_err());
        c.authorize("iam:GetUser", "arn:aws:iam::000000000000:user/bob").unwrap();
        assert_eq!(decided(&c, Ok("<ok/>".into())).unwrap(), "<ok/>");
        // Operations AWS never authorises need no decision.
        let c = ctx(sts::Action::GetCallerIdentity.auth()).await;
        assert!(decided(&c, Ok("<ok/>".into())).is_ok());
    }

    #[tokio::test]
    async fn unimplemented_operations_decide_on_their_resource_type() {
        let c = ctx(iam::Action::DeleteRole.auth()).await;
        assert_eq!(c.default_resource(), "arn:aws:iam::000000000000:role/*");
        let c = ctx(iam::Action::GetAccountSummary.auth()).await;
        assert_eq!(c.default_resource(), "*");
        let c = ctx(iam::Action::ListRoles.auth()).await;
        assert_eq!(c.default_resource(), "arn:aws:iam::000000000000:role/");
    }
}
