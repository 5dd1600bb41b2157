//! The AWS error value and its Query-protocol XML envelope.
//!
//! Every error Gatehouse returns is an [`AwsError`]: an AWS error code, an HTTP status, a message and whether the
//! caller (`Sender`) or the server (`Receiver`) is at fault. Codes and texts of the common errors below are the
//! ones AWS IAM/STS send (see DESIGN.md "The wire"), so that SDKs map them to the same exception types.

use std::borrow::Cow;
use std::fmt;

use crate::xml::escape_into;

/// An error in AWS's terms. `code` is the `<Code>` element, `status` the HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    pub code: Cow<'static, str>,
    pub message: String,
    pub status: u16,
    pub sender_fault: bool,
}

impl AwsError {
    /// A sender-fault error when `status` is below 500, a receiver fault otherwise.
    pub fn new(code: impl Into<Cow<'static, str>>, status: u16, message: impl Into<String>) -> Self {
        AwsError { code: code.into(), message: message.into(), status, sender_fault: status < 500 }
    }

    /// The `<ErrorResponse>` document AWS Query services return.
    pub fn to_xml(&self, namespace: &str, request_id: &str) -> String {
        let mut out = String::with_capacity(160 + self.message.len() + self.code.len());
        out.push_str("<ErrorResponse xmlns=\"");
        escape_into(&mut out, namespace);
        out.push_str("\"><Error><Type>");
        out.push_str(if self.sender_fault { "Sender" } else { "Receiver" });
        out.push_str("</Type><Code>");
        escape_into(&mut out, &self.code);
        out.push_str("</Code>");
        // A few AWS errors carry no message at all (GetCredentialReport's ReportNotPresent): no element then.
        if !self.message.is_empty() {
            out.push_str("<Message>");
            escape_into(&mut out, &self.message);
            out.push_str("</Message>");
        }
        out.push_str("</Error><RequestId>");
        escape_into(&mut out, request_id);
        out.push_str("</RequestId></ErrorResponse>");
        out
    }

    /// No `Action` parameter at all.
    pub fn missing_action() -> Self {
        Self::new("MissingAction", 400, "Missing Action")
    }

    /// An `Action` this service does not have, in AWS's wording.
    pub fn invalid_action(action: &str, version: &str) -> Self {
        Self::new("InvalidAction", 400, format!("Could not find operation {action} for version {version}"))
    }

    /// A required request parameter outside the modelled members (for example `Version`) is absent.
    pub fn missing_parameter(message: impl Into<String>) -> Self {
        Self::new("MissingParameter", 400, message)
    }

    pub fn invalid_parameter_value(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterValue", 400, message)
    }

    /// The query string or form body cannot be parsed (bad percent-escape, invalid UTF-8).
    pub fn malformed_query_string(message: impl Into<String>) -> Self {
        Self::new("MalformedQueryString", 400, message)
    }

    /// `ValidationError` with a message given verbatim (for example `Invalid Marker.`).
    pub fn validation_error(message: impl Into<String>) -> Self {
        Self::new("ValidationError", 400, message)
    }

    /// The honest answer of an operation Gatehouse does not implement yet.
    pub fn not_implemented(operation: &str) -> Self {
        Self::new("NotImplemented", 501, format!("The operation {operation} is not implemented by this server."))
    }

    /// A server-side failure. The message never carries internals: those go to the log.
    pub fn internal_failure() -> Self {
        Self::new(
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDenied", 403, message)
    }

    /// No signature at all (neither header nor presigned query).
    pub fn missing_authentication_token() -> Self {
        Self::new("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
    }

    /// A malformed or incomplete Authorization header.
    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new("IncompleteSignature", 400, message)
    }

    /// An unknown access key id, or a session token that is not one.
    pub fn invalid_client_token_id() -> Self {
        Self::new("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
    }

    /// A wrong signature, a clock skew or a scope naming another service; `message` says which.
    pub fn signature_does_not_match(message: impl Into<String>) -> Self {
        Self::new("SignatureDoesNotMatch", 403, message)
    }

    /// The message of a signature that does not verify.
    pub const SIGNATURE_MISMATCH_MESSAGE: &'static str = "The request signature we calculated does not match the \
        signature you provided. Check your AWS Secret Access Key and signing method. Consult the service \
        documentation for details.";

    /// `SignatureDoesNotMatch` with AWS's text for a signature that does not verify.
    pub fn signature_mismatch() -> Self {
        Self::signature_does_not_match(Self::SIGNATURE_MISMATCH_MESSAGE)
    }

    /// Request dated more than 15 minutes in the past. Arguments are the `YYYYMMDDTHHMMSSZ` forms of the request
    /// date, server time minus 15 minutes and server time.
    pub fn signature_expired(request: &str, limit: &str, now: &str) -> Self {
        Self::signature_does_not_match(format!(
            "Signature expired: {request} is now earlier than {limit} ({now} - 15 min.)"
        ))
    }

    /// Request dated more than 15 minutes in the future (request date, server time plus 15 minutes, server time).
    pub fn signature_not_yet_current(request: &str, limit: &str, now: &str) -> Self {
        Self::signature_does_not_match(format!(
            "Signature not yet current: {request} is still later than {limit} ({now} + 15 min.)"
        ))
    }

    /// The credential scope names another service (`service` is the one expected: `iam` or `sts`).
    pub fn wrong_service_scope(service: &str) -> Self {
        Self::signature_does_not_match(format!("Credential should be scoped to correct service: '{service}'."))
    }

    /// An expired session token on a signed request.
    pub fn expired_token() -> Self {
        Self::new("ExpiredToken", 403, "The security token included in the request is expired")
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for AwsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_exact() {
        let e = AwsError::new("NoSuchEntity", 404, "The user with name <a&b> cannot be found.");
        assert_eq!(
            e.to_xml("https://iam.amazonaws.com/doc/2010-05-08/", "rid-1"),
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
             <Code>NoSuchEntity</Code><Message>The user with name &lt;a&amp;b&gt; cannot be found.</Message>\
             </Error><RequestId>rid-1</RequestId></ErrorResponse>"
        );
    }

    #[test]
    fn receiver_fault_for_5xx() {
        let e = AwsError::internal_failure();
        assert!(!e.sender_fault);
        assert!(e.to_xml("ns", "r").contains("<Type>Receiver</Type>"));
        assert_eq!(AwsError::not_implemented("CreateUser").status, 501);
        assert!(AwsError::not_implemented("CreateUser").message.contains("CreateUser"));
    }

    #[test]
    fn auth_texts() {
        assert_eq!(AwsError::missing_authentication_token().message, "Request is missing Authentication Token");
        assert_eq!(
            AwsError::signature_expired("20260101T000000Z", "20260101T001500Z", "20260101T003000Z").message,
            "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)"
        );
        assert_eq!(
            AwsError::signature_mismatch().message,
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
             Access Key and signing method. Consult the service documentation for details."
        );
        assert_eq!(
            AwsError::wrong_service_scope("sts").message,
            "Credential should be scoped to correct service: 'sts'."
        );
        assert_eq!(
            AwsError::invalid_action("Nope", "2010-05-08").message,
            "Could not find operation Nope for version 2010-05-08"
        );
        assert_eq!(
            format!("{}", AwsError::expired_token()),
            "ExpiredToken (403): The security token included in the request is expired"
        );
    }
}
