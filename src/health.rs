//! The health probe, `GET /healthz`: `200 {"status":"ok","enforcement":"enforce"}` when the store answers a
//! trivial query, `503 {"status":"unavailable",...}` when it does not (the cause goes to the log, never to the
//! caller, who needs no signature).
//!
//! Every other request, `/` included, stays an IAM or STS Query request, whatever its path, as AWS's endpoints
//! treat them. Only an unsigned GET of exactly `/healthz` with no query string is the probe: a request that
//! carries a signature (an `Authorization` header, or presigned parameters, which live in the query string) or
//! any parameter is a Query request and is answered as one. No IAM or STS request is lost by that: without a
//! signature and an `Action` such a request could only be refused (`MissingAuthenticationToken`).

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::State;

/// The path of the probe.
pub const PATH: &str = "/healthz";

/// The longest the probe waits for the store: a health checker's own timeout is a few seconds (Docker's here is
/// 3), and a store slower than this is as good as unavailable to it.
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `req` is the health probe rather than a Query request (see the module's comment).
pub fn is_probe<B>(req: &Request<B>) -> bool {
    req.method() == Method::GET
        && req.uri().path() == PATH
        && req.uri().query().is_none_or(str::is_empty)
        && !req.headers().contains_key(header::AUTHORIZATION)
}

/// The probe's answer; waits for the store at most `limit` (the request timeout) or [`PING_TIMEOUT`].
pub async fn answer(state: &State, limit: Duration) -> Response {
    let ping = tokio::time::timeout(limit.min(PING_TIMEOUT), state.store.ping()).await;
    let (status, word) = match ping {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health probe: the store did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        Err(_) => {
            tracing::warn!(
                timeout_ms = limit.min(PING_TIMEOUT).as_millis(),
                "health probe: the store did not answer in time"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    // Both values are fixed words: nothing to escape.
    let body = format!(r#"{{"status":"{word}","enforcement":"{}"}}"#, state.enforcement.as_str());
    let mut resp = (status, Body::from(body)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // A probe's answer is about this moment only.
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, uri: &str, authorization: bool) -> Request<()> {
        let mut b = Request::builder().method(method).uri(uri);
        if authorization {
            b = b.header(header::AUTHORIZATION, "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/iam/aws4_request");
        }
        b.body(()).unwrap()
    }

    #[test]
    fn only_an_unsigned_get_of_exactly_healthz_is_the_probe() {
        assert!(is_probe(&req(Method::GET, "/healthz", false)));
        assert!(is_probe(&req(Method::GET, "/healthz?", false)));
        assert!(is_probe(&req(Method::GET, "http://gatehouse:4590/healthz", false)));
        for (method, uri, signed) in [
            (Method::GET, "/", false),
            (Method::GET, "/healthz", true),
            (Method::GET, "/healthz?Action=ListUsers&Version=2010-05-08&X-Amz-Signature=00", false),
            (Method::GET, "/healthz/", false),
            (Method::GET, "/HEALTHZ", false),
            (Method::GET, "/healthz2", false),
            (Method::HEAD, "/healthz", false),
            (Method::POST, "/healthz", false),
        ] {
            assert!(!is_probe(&req(method.clone(), uri, signed)), "{method} {uri} {signed}");
        }
    }
}
