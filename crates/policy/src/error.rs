//! Why a document was refused, with IAM's `MalformedPolicyDocument` message word for word.

use std::borrow::Cow;
use std::fmt;

/// A document IAM would refuse. The server answers `MalformedPolicyDocument` (HTTP 400) with
/// [`PolicyError::message`] as the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    message: Cow<'static, str>,
}

impl PolicyError {
    pub(crate) fn new(message: impl Into<Cow<'static, str>>) -> PolicyError {
        PolicyError { message: message.into() }
    }

    /// The AWS error code: always `MalformedPolicyDocument`.
    pub fn code(&self) -> &'static str {
        "MalformedPolicyDocument"
    }

    /// The message exactly as IAM words it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Messages recorded from real IAM (`shared/reference/aws-errors.md`, LocalStack's
/// AWS-validated snapshots) or quoted in policy-semantics.md §7.
pub(crate) mod msg {
    pub const SYNTAX: &str = "Syntax errors in policy.";
    /// CreateRole / UpdateAssumeRolePolicy answer this for text that is not JSON.
    pub const INVALID_JSON: &str = "This policy contains invalid Json";
    pub const VERSION: &str = "Policy document must be version 2012-10-17 or greater.";
    pub const LEGACY: &str = "The policy failed legacy parsing";
    pub const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
    pub const NO_ACTIONS: &str = "Policy statement must contain actions.";
    pub const NO_RESOURCES: &str = "Policy statement must contain resources.";
    pub const VENDOR_PREFIX: &str = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    pub const ONE_COLON: &str = "Actions/Condition can contain only one colon.";
    pub const VENDOR_QUALIFIED: &str = "Resource vendor must be fully qualified and cannot contain regexes.";
    pub const IAM_PATH: &str = "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.";
    pub const TRUST_ACTIONS: &str = "AssumeRole policy may only specify STS AssumeRole actions.";
    pub const TRUST_RESOURCE: &str = "Has prohibited field Resource";
    /// IAM's answer to a `Principal` in an identity-based policy.
    pub const NO_PRINCIPAL_ALLOWED: &str = "Policy document should not specify a principal.";
    /// IAM's answer to a trust (or resource) policy statement without a principal.
    pub const PRINCIPAL_REQUIRED: &str = "Missing required field Principal";
}
