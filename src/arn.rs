//! ARNs. One type, [`Arn`], reads them (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`); the constructors write the
//! ARNs of IAM entities. Gatehouse speaks the `aws` partition only, as the clients it serves expect. (The policy
//! crate matches ARN patterns field by field on its own: its matcher is allocation-free and pure.)

/// The six fields of an ARN, borrowed from the text. The resource is everything after the fifth colon (it may
/// contain colons and slashes itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` into its fields; `None` unless it starts with `arn:` and has all six.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) => {
                Some(Self { partition, service, region, account, resource })
            }
            _ => None,
        }
    }

    /// An IAM ARN (`arn:aws:iam::ACCOUNT:...`) of an account (twelve digits) or of AWS itself (`aws`, for AWS
    /// managed policies).
    pub fn parse_iam(text: &'a str) -> Option<Self> {
        Self::parse(text).filter(|a| {
            a.partition == "aws"
                && a.service == "iam"
                && a.region.is_empty()
                && (a.account == "aws" || is_account_id(a.account))
        })
    }

    /// The resource's type and the rest: `user/path/alice` gives `("user", "path/alice")`.
    pub fn resource_type(&self) -> Option<(&'a str, &'a str)> {
        self.resource.split_once('/')
    }
}

/// `arn:aws:iam::ACCOUNT:KIND/PATH/NAME`, where `path` begins and ends with `/`.
pub fn iam(account_id: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:{kind}{path}{name}")
}

/// A role session: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (the role's path is not part of it).
pub fn assumed_role(account_id: &str, role_name: &str, session_name: &str) -> String {
    format!("arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}")
}

/// A GetFederationToken session: `arn:aws:sts::ACCOUNT:federated-user/NAME`.
pub fn federated_user(account_id: &str, name: &str) -> String {
    format!("arn:aws:sts::{account_id}:federated-user/{name}")
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
    Arn::parse(arn).map(|a| a.account).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_six_fields() {
        let a = Arn::parse("arn:aws:iam::123456789012:user/path/alice").unwrap();
        assert_eq!((a.partition, a.service, a.region, a.account), ("aws", "iam", "", "123456789012"));
        assert_eq!(a.resource_type(), Some(("user", "path/alice")));
        let s3 = Arn::parse("arn:aws:s3:::bucket/key:with:colons").unwrap();
        assert_eq!((s3.account, s3.resource), ("", "bucket/key:with:colons"));
        assert_eq!(account_of("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of("arn:aws:iam::123456789012:root"), Some("123456789012"));
        for bad in ["", "arn", "arn:aws:iam::123", "urn:aws:iam::123456789012:root"] {
            assert_eq!(Arn::parse(bad), None, "{bad}");
        }
        assert!(Arn::parse_iam("arn:aws:iam::aws:policy/ReadOnlyAccess").is_some());
        assert!(Arn::parse_iam("arn:aws:iam::12345:policy/x").is_none());
        assert!(Arn::parse_iam("arn:aws:sts::123456789012:assumed-role/r/s").is_none());
        assert!(Arn::parse_iam("arn:aws-cn:iam::123456789012:root").is_none());
    }
}
