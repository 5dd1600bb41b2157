//! ARNs of IAM entities. Gatehouse speaks the `aws` partition only, as the clients it serves expect.

/// `arn:aws:iam::ACCOUNT:KIND/PATH/NAME`, where `path` begins and ends with `/`.
pub fn iam(account_id: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:{kind}{path}{name}")
}

/// Whether `s` is an AWS account id: exactly twelve digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The root user of an account.
pub fn root(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:root")
}

/// The account an ARN names in its fifth field, if it is an ARN with one (S3 ARNs name none).
pub fn account_of(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("arn"), Some(_), Some(_), Some(_), Some(account)) if !account.is_empty() => Some(account),
        _ => None,
    }
}
