//! The request as the server received it: plain strings and bytes, no HTTP library.

use std::borrow::Cow;
use std::fmt;

use crate::encode::decode_str;

/// An incoming request, borrowed from whatever the server holds.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The method exactly as received (`GET`, `POST`).
    pub method: &'a str,
    /// The path exactly as it came on the wire, still percent-encoded (`/`, `/a%20b`), without the query.
    pub path: &'a str,
    /// The raw query string after `?`, still percent-encoded; empty when there is none.
    pub query: &'a str,
    /// Every header in the order received, a name repeated once per line; names in any case. Under HTTP/2 the
    /// server must add `("host", authority)` itself, since SDKs sign `host` and HTTP/2 carries it as `:authority`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes (hashed into the signature: IAM and STS never use `UNSIGNED-PAYLOAD`).
    pub body: &'a [u8],
    /// Whether the path is normalized (dot segments and repeated slashes removed) before signing. SigV4 does this for
    /// every service but S3, so it is `true` from [`Request::new`]; the test suite's `*-unnormalized` cases need
    /// `false`.
    pub normalize_path: bool,
}

impl<'a> Request<'a> {
    /// A request with `normalize_path: true`, the rule for IAM and STS.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: &'a [u8],
    ) -> Self {
        Self { method, path, query, headers, body, normalize_path: true }
    }

    /// The first value of a header, names compared without case. AWS reads the first of repeated auth headers.
    pub(crate) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, v)| v)
    }

    /// The raw `key=value` pairs of the query string; a key without `=` has an empty value, empty pieces are skipped.
    pub(crate) fn query_pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, "")))
    }

    /// The first value of a query parameter, decoded. Keys are compared decoded and with case, as AWS does.
    pub(crate) fn query_param(&self, name: &str) -> Option<Cow<'a, str>> {
        self.query_pairs().find(|&(k, _)| key_is(k, name)).map(|(_, v)| decode_str(v))
    }
}

/// Shows no header value, query or body: they carry the signature and the session token, which a log must not.
impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field("header_names", &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("normalize_path", &self.normalize_path)
            .finish()
    }
}

/// Whether a raw (percent-encoded) query key is `name`; decodes only when the key has something to decode.
pub(crate) fn key_is(raw_key: &str, name: &str) -> bool {
    if raw_key.bytes().any(|b| b == b'%' || b == b'+') {
        decode_str(raw_key) == name
    } else {
        raw_key == name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_credentials() {
        let headers = [("Authorization", "AWS4-HMAC-SHA256 Signature=secret-ish"), ("X-Amz-Security-Token", "tok")];
        let req = Request::new("GET", "/", "X-Amz-Signature=sig", &headers, b"body");
        let shown = format!("{req:?}");
        for hidden in ["secret-ish", "tok\"", "sig", "body\""] {
            assert!(!shown.contains(hidden), "{shown}");
        }
        assert!(shown.contains("Authorization"));
    }

    #[test]
    fn query_lookup_decodes_keys_and_takes_the_first() {
        let req = Request::new("GET", "/", "a=1&X%2DAmz%2DDate=2&X-Amz-Date=3&flag&&=x", &[], b"");
        assert_eq!(req.query_param("X-Amz-Date").as_deref(), Some("2"));
        assert_eq!(req.query_param("flag").as_deref(), Some(""));
        assert_eq!(req.query_param("x-amz-date"), None);
        assert_eq!(req.query_pairs().count(), 5);
    }
}
