//! Who is calling: the principal behind a verified request.

/// The kind of principal a request was signed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The account's root user.
    Root,
    /// An IAM user.
    User { user_id: String, name: String, path: String },
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
}

impl Caller {
    pub fn is_root(&self) -> bool {
        matches!(self.principal, Principal::Root)
    }

    pub fn arn(&self) -> String {
        match &self.principal {
            Principal::Root => crate::arn::root(&self.account_id),
            Principal::User { name, path, .. } => crate::arn::iam(&self.account_id, "user", path, name),
            Principal::Anonymous => "anonymous".to_string(),
        }
    }

    /// The `aws:userid` of the caller, which GetCallerIdentity returns: the account id for root.
    pub fn user_id(&self) -> &str {
        match &self.principal {
            Principal::Root => &self.account_id,
            Principal::User { user_id, .. } => user_id,
            Principal::Anonymous => "anonymous",
        }
    }

    /// The caller's IAM user name, if it is an IAM user.
    pub fn user_name(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { name, .. } => Some(name),
            Principal::Root | Principal::Anonymous => None,
        }
    }
}
