//! The canonical request, as "Create a canonical request" (AWS SigV4 documentation) defines it:
//!
//! ```text
//! METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! ```
//!
//! Written into a [`Sink`], so verification streams it into SHA-256 and never holds it in memory.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::encode::{canonical_query_component, put_encoded};
use crate::parse::{Auth, Form};
use crate::request::Request;
use crate::sign::Hex;
use crate::sink::Sink;

/// Whether a presigned URL's `X-Amz-Security-Token` is part of its canonical query string.
///
/// SDKs sign it ([`QueryToken::Signed`]). AWS's signer also has a mode that appends the token after signing (the
/// test suite's `post-sts-header-after`, used by AWS IoT over WebSockets): [`crate::verify`] accepts that form too,
/// which costs nothing in safety since the token is bound to the access key id the server checks it against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryToken {
    /// The token is a signed query parameter like any other.
    #[default]
    Signed,
    /// The token was added after signing and is left out of the canonical query string.
    Unsigned,
}

/// The canonical request as text (for tests, debugging, and a client-side signer).
pub fn canonical_request(auth: &Auth<'_>, req: &Request<'_>, token: QueryToken) -> String {
    let mut out = String::with_capacity(256 + req.query.len() + req.path.len());
    write(&mut out, auth, req, token, &payload_hash(req.body));
    out
}

/// SHA-256 of the canonical request, streamed.
pub(crate) fn hash(auth: &Auth<'_>, req: &Request<'_>, token: QueryToken, payload: &Hex) -> [u8; 32] {
    let mut hasher = Sha256::new();
    write(&mut hasher, auth, req, token, payload);
    hasher.finalize().into()
}

/// The hashed payload: always the body's SHA-256. `UNSIGNED-PAYLOAD` is an S3-only convention (and the vectors'
/// presigned POSTs hash their body too), so a client cannot opt its IAM or STS body out of the signature; nor is
/// `x-amz-content-sha256` trusted for it: the body itself is hashed.
pub(crate) fn payload_hash(body: &[u8]) -> Hex {
    Hex::new(&Sha256::digest(body).into())
}

pub(crate) fn write<S: Sink>(sink: &mut S, auth: &Auth<'_>, req: &Request<'_>, token: QueryToken, payload: &Hex) {
    sink.put(req.method);
    sink.put("\n");
    write_path(sink, req.path, req.normalize_path);
    sink.put("\n");
    write_query(sink, req, auth.form(), token);
    sink.put("\n");
    write_headers(sink, auth, req);
    sink.put("\n");
    put_lowercase(sink, auth.signed_headers_list());
    sink.put("\n");
    sink.put(payload.as_str());
}

/// The canonical URI. Every service but S3 normalizes the path and encodes it once more on top of the wire's own
/// encoding ("each path segment must be URI-encoded twice"): `/a%20b` on the wire signs as `/a%2520b`, as SDKs
/// sign it, and the raw `/example space/` of the test suite as `/example%20space/`.
fn write_path<S: Sink>(sink: &mut S, path: &str, normalize: bool) {
    if path.is_empty() || path == "/" {
        sink.put("/");
        return;
    }
    if !normalize {
        if !path.starts_with('/') {
            sink.put("/");
        }
        put_encoded(sink, path, true);
        return;
    }
    // Remove empty and `.` segments, let `..` drop the one before (never above the root), as the AWS SDK for Rust
    // does (`normalize_path_segment`); the test suite's `*-normalized` cases check it.
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    sink.put("/");
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            sink.put("/");
        }
        put_encoded(sink, segment, false);
    }
    // A path that ended in a directory keeps its trailing slash (`//example//` is `/example/`, `/a/b/.` is `/a/b/`).
    let ends_in_directory = ["/", "/.", "/.."].iter().any(|end| path.ends_with(end));
    if ends_in_directory && !segments.is_empty() {
        sink.put("/");
    }
}

/// The canonical query string: every parameter decoded and encoded again, sorted by key and then by value (as
/// encoded, byte order), joined with `&`; a parameter without `=` gets an empty value. A presigned request leaves
/// out its own `X-Amz-Signature`.
fn write_query<S: Sink>(sink: &mut S, req: &Request<'_>, form: Form, token: QueryToken) {
    if req.query.is_empty() {
        return;
    }
    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    for (raw_key, raw_value) in req.query_pairs() {
        let key = canonical_query_component(raw_key);
        let skipped = form == Form::Query
            && (key == "X-Amz-Signature" || (token == QueryToken::Unsigned && key == "X-Amz-Security-Token"));
        if !skipped {
            pairs.push((key, canonical_query_component(raw_value)));
        }
    }
    // Key first, then value: `Param=...` sorts before `Param-3=...` although `-` < `=` (the suite's
    // get-vanilla-query-order-encoded), so this is not a sort of the joined `key=value` strings.
    pairs.sort_unstable();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            sink.put("&");
        }
        sink.put(key);
        sink.put("=");
        sink.put(value);
    }
}

/// One `name:value` line per signed header, in the order the client listed them (which SDKs sort). Repeated
/// headers are joined with `,` in the order received; each value is trimmed and its inner runs of whitespace,
/// line folds included, become one space (the suite's get-header-value-trim and -multiline).
fn write_headers<S: Sink>(sink: &mut S, auth: &Auth<'_>, req: &Request<'_>) {
    for name in auth.signed_headers() {
        put_lowercase(sink, name);
        sink.put(":");
        let mut first = true;
        for &(header, value) in req.headers {
            if header.eq_ignore_ascii_case(name) {
                if !first {
                    sink.put(",");
                }
                first = false;
                put_trimmed(sink, value);
            }
        }
        sink.put("\n");
    }
}

fn put_trimmed<S: Sink>(sink: &mut S, value: &str) {
    let mut words = value.split_ascii_whitespace();
    if let Some(word) = words.next() {
        sink.put(word);
    }
    for word in words {
        sink.put(" ");
        sink.put(word);
    }
}

/// Header names are lower-cased in the canonical request; allocates only for the rare name that needs it.
fn put_lowercase<S: Sink>(sink: &mut S, s: &str) {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        sink.put(&s.to_ascii_lowercase());
    } else {
        sink.put(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, normalize: bool) -> String {
        let mut out = String::new();
        write_path(&mut out, p, normalize);
        out
    }

    #[test]
    fn paths_normalize_like_the_sdks() {
        for (raw, normalized) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/../../x", "/x"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/.", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/a/./b/../c", "/a/c"),
            ("/example space/", "/example%20space/"),
            ("/a%20b", "/a%2520b"),
            ("/\u{1234}", "/%E1%88%B4"),
            ("/%2E%2E/x", "/%252E%252E/x"),
            ("relative", "/relative"),
        ] {
            assert_eq!(path(raw, true), normalized, "{raw:?}");
        }
        for (raw, kept) in [("//", "//"), ("/./", "/./"), ("/example/..", "/example/.."), ("/a b", "/a%20b")] {
            assert_eq!(path(raw, false), kept, "{raw:?}");
        }
    }
}
