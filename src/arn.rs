//! ARNs of IAM entities. Gatehouse speaks the `aws` partition only, as the clients it serves expect.

/// `arn:aws:iam::ACCOUNT:KIND/PATH/NAME`, where `path` begins and ends with `/`.
pub fn iam(account_id: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:{kind}{path}{name}")
}

/// The root user of an account.
pub fn root(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:root")
}
