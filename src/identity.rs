//! Who is calling: the principal behind a verified request.

use std::sync::Arc;

use crate::sessions::SessionClaims;

/// The kind of principal a request was signed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The account's root user.
    Root,
    /// An IAM user.
    User { user_id: String, name: String, path: String },
    /// A role session (AssumeRole and its siblings). The role is named as it was when the session was issued: a
    /// role's name and path never change, and a role deleted since is no longer found by its id.
    AssumedRole {
        role_id: String,
        role_name: String,
        role_path: String,
        session_name: String,
        /// `AROA...:SESSION`, the session's `aws:userid`.
        user_id: String,
    },
    /// A GetFederationToken session: `name` is the federated user's name, `base` the IAM user (or root) that
    /// called GetFederationToken, whose policies the session's are intersected with.
    FederatedUser {
        name: String,
        /// `ACCOUNT:NAME`, the session's `aws:userid`.
        user_id: String,
        base: Box<Principal>,
    },
    /// Nobody: an unsigned request (AssumeRoleWithWebIdentity and AssumeRoleWithSAML are called unsigned).
    Anonymous,
}

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: String,
    pub principal: Principal,
    /// The access key that signed the request.
    pub access_key_id: String,
    /// What the session token said, for temporary credentials (its secret cleared); `None` for long-term keys.
    pub session: Option<Arc<SessionClaims>>,
}

impl Caller {
    /// A caller signing with a long-term key.
    pub fn long_term(account_id: impl Into<String>, principal: Principal, access_key_id: impl Into<String>) -> Self {
        Caller { account_id: account_id.into(), principal, access_key_id: access_key_id.into(), session: None }
    }

    pub fn is_root(&self) -> bool {
        matches!(self.principal, Principal::Root)
    }

    /// Whether the caller signs with temporary credentials (any session token).
    pub fn is_temporary(&self) -> bool {
        self.session.is_some()
    }

    pub fn arn(&self) -> String {
        match &self.principal {
            Principal::Root => crate::arn::root(&self.account_id),
            Principal::User { name, path, .. } => crate::arn::iam(&self.account_id, "user", path, name),
            Principal::AssumedRole { role_name, session_name, .. } => {
                crate::arn::assumed_role(&self.account_id, role_name, session_name)
            }
            Principal::FederatedUser { name, .. } => crate::arn::federated_user(&self.account_id, name),
            Principal::Anonymous => "anonymous".to_string(),
        }
    }

    /// For a federated user, the ARN of the IAM user (or root) behind it.
    pub fn base_arn(&self) -> Option<String> {
        match &self.principal {
            Principal::FederatedUser { base, .. } => Some(match base.as_ref() {
                Principal::User { name, path, .. } => crate::arn::iam(&self.account_id, "user", path, name),
                _ => crate::arn::root(&self.account_id),
            }),
            _ => None,
        }
    }

    /// The ARN of the IAM entity behind the caller, `aws:PrincipalArn`: the role's for a role session.
    pub fn principal_arn(&self) -> String {
        match &self.principal {
            Principal::AssumedRole { role_name, role_path, .. } => {
                crate::arn::iam(&self.account_id, "role", role_path, role_name)
            }
            _ => self.arn(),
        }
    }

    /// The `aws:userid` of the caller, which GetCallerIdentity returns: the account id for root.
    pub fn user_id(&self) -> &str {
        match &self.principal {
            Principal::Root => &self.account_id,
            Principal::User { user_id, .. }
            | Principal::AssumedRole { user_id, .. }
            | Principal::FederatedUser { user_id, .. } => user_id,
            Principal::Anonymous => "anonymous",
        }
    }

    /// The caller's IAM user name, if it is an IAM user.
    pub fn user_name(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { name, .. } => Some(name),
            Principal::Root
            | Principal::AssumedRole { .. }
            | Principal::FederatedUser { .. }
            | Principal::Anonymous => None,
        }
    }
}
