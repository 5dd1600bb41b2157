//! AWS Signature Version 4 verification for IAM and STS requests: pure (no I/O, no clock, no HTTP library).
//!
//! The server hands over the request as received ([`Request`]: method, raw path, raw query, headers, body) and the
//! time as unix seconds; this crate finds the credentials ([`parse`]), checks the time window and credential scope
//! ([`Auth::check`]), and recomputes the signature ([`verify`]), answering every failure with the AWS error code,
//! status and text ([`SigError::aws`]). Between `parse` and `verify` the server looks the access key up
//! (`InvalidClientTokenId` is its answer) and derives or fetches the [`signing_key`], which depends only on the
//! secret and the scope, so it can be cached per key and day.
//!
//! ```
//! use gatehouse_sigv4::{parse, verify, Request};
//!
//! # fn lookup_secret(_key_id: &str) -> Option<&'static str> { Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY") }
//! let headers = [
//!     ("Host", "example.amazonaws.com"),
//!     ("X-Amz-Date", "20150830T123600Z"),
//!     ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!       SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
//! ];
//! let (method, raw_path, raw_query, body, now) = ("GET", "/", "", b"", 1_440_938_160);
//! let req = Request::new(method, raw_path, raw_query, &headers, body);
//! let auth = parse(&req)?;                         // MissingAuthenticationToken / IncompleteSignature
//! auth.check(now)?;                                // time window and scope, before the key lookup, like AWS
//! auth.require_service("service")?;                // "iam" or "sts", from the request's action
//! let secret = lookup_secret(auth.access_key_id()).expect("else InvalidClientTokenId");
//! verify(&auth, &req, &auth.signing_key(secret), now)?;   // SignatureDoesNotMatch
//! # Ok::<(), gatehouse_sigv4::SigError>(())
//! ```
//!
//! Only what IAM and STS need is implemented: `AWS4-HMAC-SHA256` (no SigV4a), every service's path normalization
//! (no S3 rules), and the body always hashed (no `UNSIGNED-PAYLOAD`, no chunked uploads).

mod canonical;
mod encode;
mod error;
mod parse;
mod request;
mod sign;
mod sink;
mod time;
mod verify;

pub use canonical::{canonical_request, QueryToken};
pub use error::{SigError, MSG_MISSING_AUTHENTICATION_TOKEN, MSG_SIGNATURE_DOES_NOT_MATCH};
pub use parse::{parse, Auth, Form, ALGORITHM, MAX_EXPIRES};
pub use request::Request;
pub use sign::{signature, signing_key, string_to_sign};
pub use verify::{verify, verify_with_secret, MAX_CLOCK_SKEW_SECS};
