//! Temporary credentials. A session is not stored: everything the server needs to serve its requests travels in
//! the session token, sealed by the server (`token`), so issuing one costs no write and every instance over the
//! same store (and master key) accepts it. What the token says is checked on every use; what it names (the role,
//! the managed session policies) is read from the store as it is then, so a change to the role's policies
//! applies to its live sessions at once, as in AWS.

pub mod limits;
pub mod token;

use serde::{Deserialize, Serialize};

use crate::store::tags::Tag;

/// Which operation issued the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// AssumeRole (and, later, AssumeRoleWithWebIdentity / AssumeRoleWithSAML): a role session.
    Role,
    /// GetSessionToken: the calling IAM user (or root) itself, with temporary credentials.
    SessionToken,
    /// GetFederationToken: a federated user, the calling IAM user's (or root's) policies ∩ the session policies.
    Federated,
}

/// The IAM user behind a GetSessionToken or GetFederationToken session (none: the root user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: String,
    pub name: String,
    pub path: String,
}

/// The role a role session acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: String,
    pub name: String,
    pub path: String,
}

/// A session tag as the token carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTag {
    pub key: String,
    pub value: String,
    /// Passed on to the sessions this one assumes (TransitiveTagKeys).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transitive: bool,
}

impl SessionTag {
    pub fn tag(&self) -> Tag {
        Tag { key: self.key.clone(), value: self.value.clone() }
    }
}

/// What a session token says. Field names are short: they are sealed into every token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    #[serde(rename = "k")]
    pub kind: SessionKind,
    /// The `ASIA...` access key id the token goes with.
    #[serde(rename = "a")]
    pub access_key_id: String,
    /// The secret access key; cleared once the signing key is derived from it.
    #[serde(rename = "s")]
    pub secret: String,
    /// The account the session acts in (the role's).
    #[serde(rename = "c")]
    pub account_id: String,
    /// Milliseconds since the epoch: `aws:TokenIssueTime`.
    #[serde(rename = "i")]
    pub issued_at: i64,
    #[serde(rename = "e")]
    pub expires_at: i64,
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleRef>,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserRef>,
    /// RoleSessionName, or the federated user's name (empty for GetSessionToken).
    #[serde(rename = "n", default)]
    pub session_name: String,
    /// The inline session policy, as passed.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Managed session policies, by ARN (their documents are read when the session is used).
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
    #[serde(rename = "t", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<SessionTag>,
    #[serde(rename = "si", default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// Issued to temporary credentials (role chaining): at most an hour, and what the chain carries.
    #[serde(rename = "ch", default, skip_serializing_if = "std::ops::Not::not")]
    pub chained: bool,
    /// The identity provider that vouched for the session (AssumeRoleWithWebIdentity / WithSAML): its ARN, or the
    /// well-known provider's name; `aws:FederatedProvider`.
    #[serde(rename = "fp", default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// When MFA was last verified for the session (milliseconds), if it was.
    #[serde(rename = "mfa", default, skip_serializing_if = "Option::is_none")]
    pub mfa_at: Option<i64>,
}

impl SessionClaims {
    /// Whether a session policy was passed: then the session's permissions are also limited by it.
    pub fn has_session_policies(&self) -> bool {
        self.policy.is_some() || !self.policy_arns.is_empty()
    }

    /// The tags passed on to sessions this one assumes.
    pub fn transitive_tags(&self) -> impl Iterator<Item = &SessionTag> {
        self.tags.iter().filter(|t| t.transitive)
    }
}
