//! The operations: the generated service traits (one method per IAM and STS operation, answering
//! `NotImplemented` until written) implemented by `Gatehouse`, translating between wire shapes and the domain.

pub mod generated;
mod iam;
mod sts;

use gatehouse_wire::AwsError;

pub use crate::request::Ctx;

/// What an operation that is not written yet answers: an honest 501 naming it, never a fake success. The caller's
/// authorisation is decided first, so a caller who may not call the operation learns that, not that it is missing.
pub fn not_implemented(ctx: &Ctx, operation: &'static str) -> AwsError {
    if ctx.op.authorised {
        if let Err(denied) = ctx.authorize(ctx.op.action, &ctx.default_resource()) {
            return denied;
        }
    }
    AwsError::not_implemented(operation)
}

/// The service: implements `IamApi` and `StsApi`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gatehouse;

/// Milliseconds since the epoch, as the whole seconds IAM reports.
pub(crate) fn timestamp(millis: i64) -> gatehouse_wire::Timestamp {
    gatehouse_wire::Timestamp(millis.div_euclid(1000))
}

/// A policy document as IAM returns it: percent-encoded (RFC 3986; everything but `A-Z a-z 0-9 - . _ ~`, spaces as
/// `%20`), which the SDKs and the CLI decode once. The stored text is the text as submitted, so a client reads back
/// exactly what it sent, `%3A` included where it sent `%3A`.
pub(crate) fn policy_document(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    #[test]
    fn policy_documents_are_percent_encoded() {
        assert_eq!(super::policy_document(r#"{"A": "arn:aws:x/y~z"}"#), "%7B%22A%22%3A%20%22arn%3Aaws%3Ax%2Fy~z%22%7D");
        assert_eq!(super::policy_document("é+%3A"), "%C3%A9%2B%253A");
    }
}
