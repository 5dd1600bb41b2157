//! Role trust policies (AssumeRolePolicyDocument of CreateRole and UpdateAssumeRolePolicy): the evaluator crate's
//! grammar and trust-policy rules, the AssumeRolePolicySizePerRole quota, then the principals, which IAM resolves
//! when the policy is saved. IAM stores a user or role principal as its unique id, so one that does not exist is
//! refused (`Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/nobody"`, as AWS answers it). A
//! `Federated` SAML or OIDC provider ARN must name a provider that exists, refused in the same words otherwise
//! (`"Federated":"arn:aws:iam::123456789012:saml-provider/nobody"`). We can only know about the accounts hosted
//! here: a user, role or provider of another account is accepted as written.

use gatehouse_policy::{PolicyDocument, PolicyKind, PrincipalKey, PrincipalValue};
use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use crate::errors;
use crate::store::{accounts, oidc_providers, roles, saml_providers, users};

/// The web-identity providers a trust policy may name as `Federated` without an OIDC provider in the account
/// (IAM User Guide, "Creating a role for web identity or OIDC federation").
const WEB_IDENTITY_PROVIDERS: [&str; 4] =
    ["cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"];

/// Checks a trust policy before anything is written: its grammar and rules (the evaluator crate's messages,
/// recorded from IAM) and its size (whitespace not counted) against `limit`.
pub fn parse(text: &str, limit: u32) -> Result<PolicyDocument, AwsError> {
    let doc = gatehouse_policy::parse_document(text, PolicyKind::Trust)
        .map_err(|e| gatehouse_wire::iam::errors::malformed_policy_document(e.message()))?;
    if crate::quotas::size(text) > limit {
        return Err(errors::trust_policy_too_large(limit));
    }
    Ok(doc)
}

/// What one principal value needs before IAM accepts it.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Fine,
    Invalid,
    /// An IAM user or role: it must exist when its account is hosted here.
    MustExist {
        account: String,
        kind: EntityKind,
        path: String,
        name: String,
    },
    /// A SAML or OIDC provider: it must exist when its account is hosted here.
    ProviderMustExist {
        account: String,
        kind: ProviderKind,
        /// The SAML provider's name, or the OIDC provider's URL without `https://`.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Saml,
    Oidc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    User,
    Role,
}

/// The rules for one principal value, without the store:
/// - `AWS`: `*`; a 12-digit account id; `arn:aws:iam::ACCOUNT:root`; an IAM user or role ARN (which must exist);
///   a role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) or federated user
///   (`arn:aws:sts::ACCOUNT:federated-user/NAME`), which AWS documents as principals it accepts (they are not
///   stored entities, so nothing is looked up); a unique id (`AROA...`, as IAM shows a deleted principal) as the
///   evaluator crate accepts it. Anything else (groups, instance profiles, other services, garbage) is invalid.
/// - `Service`: a service's DNS name, `NAME.amazonaws.com` (or `.amazonaws.com.cn`), lowercase.
/// - `Federated`: a SAML or OIDC provider ARN of the right shape (which must exist), or one of the web-identity
///   providers above.
/// - `CanonicalUser`: S3's principals; not something that can assume a role.
pub fn classify(key: PrincipalKey, value: &str) -> Verdict {
    let fine = |ok: bool| if ok { Verdict::Fine } else { Verdict::Invalid };
    match key {
        PrincipalKey::Aws => aws(value),
        PrincipalKey::Service => fine(is_service_name(value)),
        PrincipalKey::Federated if WEB_IDENTITY_PROVIDERS.contains(&value) => Verdict::Fine,
        PrincipalKey::Federated => provider_arn(value).unwrap_or(Verdict::Invalid),
        PrincipalKey::CanonicalUser => Verdict::Invalid,
    }
}

fn aws(value: &str) -> Verdict {
    if value == "*" || crate::arn::is_account_id(value) {
        return Verdict::Fine;
    }
    if value.contains(['*', '?']) {
        return Verdict::Invalid;
    }
    let Some(arn) = crate::arn::Arn::parse(value) else {
        let unique_id = value.len() >= 16
            && value.starts_with('A')
            && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        return if unique_id { Verdict::Fine } else { Verdict::Invalid };
    };
    if arn.partition != "aws" || !arn.region.is_empty() || !crate::arn::is_account_id(arn.account) {
        return Verdict::Invalid;
    }
    match (arn.service, arn.resource) {
        ("iam", "root") => Verdict::Fine,
        ("iam", resource) => {
            let (kind, rest) = match resource.split_once('/') {
                Some(("user", rest)) => (EntityKind::User, rest),
                Some(("role", rest)) => (EntityKind::Role, rest),
                _ => return Verdict::Invalid,
            };
            let (path, name) = match rest.rsplit_once('/') {
                Some((dirs, name)) => (format!("/{dirs}/"), name),
                None => ("/".to_string(), rest),
            };
            if name.is_empty() || path.contains("//") {
                return Verdict::Invalid;
            }
            Verdict::MustExist { account: arn.account.to_string(), kind, path, name: name.to_string() }
        }
        ("sts", resource) => {
            let parts: Vec<&str> = resource.split('/').collect();
            let ok = match parts.as_slice() {
                ["assumed-role", role, session] => !role.is_empty() && !session.is_empty(),
                ["federated-user", name] => !name.is_empty(),
                _ => false,
            };
            if ok {
                Verdict::Fine
            } else {
                Verdict::Invalid
            }
        }
        _ => Verdict::Invalid,
    }
}

fn is_service_name(value: &str) -> bool {
    let host = value.strip_suffix(".amazonaws.com").or_else(|| value.strip_suffix(".amazonaws.com.cn"));
    host.is_some_and(|h| {
        !h.is_empty()
            && !h.starts_with('.')
            && !h.ends_with('.')
            && h.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    })
}

fn provider_arn(value: &str) -> Option<Verdict> {
    let arn = crate::arn::Arn::parse(value)?;
    if arn.partition != "aws"
        || arn.service != "iam"
        || !arn.region.is_empty()
        || !crate::arn::is_account_id(arn.account)
    {
        return None;
    }
    let (kind, name) = match arn.resource.split_once('/') {
        Some(("saml-provider", name)) if !name.is_empty() && !name.contains('/') => (ProviderKind::Saml, name),
        Some(("oidc-provider", url)) if !url.is_empty() && !url.starts_with('/') => (ProviderKind::Oidc, url),
        _ => return None,
    };
    Some(Verdict::ProviderMustExist { account: arn.account.to_string(), kind, name: name.to_string() })
}

/// Checks every principal of the document in order (statements, then keys, then values, as written) and refuses
/// the first that IAM would refuse. Runs in the write's transaction, so a principal found here cannot vanish before
/// the policy is saved.
pub async fn check_principals(conn: &mut AnyConnection, doc: &PolicyDocument) -> Result<(), AwsError> {
    for statement in &doc.statements {
        let Some(principal) = &statement.principal else { continue };
        let PrincipalValue::Map(entries) = &principal.value else { continue };
        for (key, values) in entries {
            for value in values.as_slice() {
                let ok = match classify(*key, value) {
                    Verdict::Fine => true,
                    Verdict::Invalid => false,
                    Verdict::MustExist { account, kind, path, name } => {
                        exists_or_elsewhere(conn, &account, kind, &path, &name).await?
                    }
                    Verdict::ProviderMustExist { account, kind, name } => {
                        provider_exists_or_elsewhere(conn, &account, kind, &name).await?
                    }
                };
                if !ok {
                    return Err(errors::invalid_principal(key.as_str(), value));
                }
            }
        }
    }
    Ok(())
}

/// Whether the user or role exists, or its account is not one of ours (then IAM's answer is unknowable here).
async fn exists_or_elsewhere(
    conn: &mut AnyConnection,
    account: &str,
    kind: EntityKind,
    path: &str,
    name: &str,
) -> Result<bool, AwsError> {
    if accounts::created_at(conn, account).await?.is_none() {
        return Ok(true);
    }
    let found_path = match kind {
        EntityKind::User => users::by_name(conn, account, name).await?.map(|u| u.path),
        EntityKind::Role => roles::by_name(conn, account, name).await?.map(|r| r.path),
    };
    Ok(found_path.as_deref() == Some(path))
}

/// Whether the identity provider exists, or its account is not one of ours. A SAML provider's name is matched as
/// its ARN writes it (ARNs are compared exactly); an OIDC provider's URL likewise.
async fn provider_exists_or_elsewhere(
    conn: &mut AnyConnection,
    account: &str,
    kind: ProviderKind,
    name: &str,
) -> Result<bool, AwsError> {
    if accounts::created_at(conn, account).await?.is_none() {
        return Ok(true);
    }
    Ok(match kind {
        ProviderKind::Saml => saml_providers::by_name(conn, account, name).await?.is_some_and(|p| p.name == name),
        ProviderKind::Oidc => oidc_providers::by_url(conn, account, name).await?.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn must_exist(kind: EntityKind, path: &str, name: &str) -> Verdict {
        Verdict::MustExist { account: "123456789012".into(), kind, path: path.into(), name: name.into() }
    }

    #[test]
    fn aws_principals() {
        for fine in [
            "*",
            "123456789012",
            "arn:aws:iam::123456789012:root",
            "arn:aws:sts::123456789012:assumed-role/admin/alice",
            "arn:aws:sts::123456789012:federated-user/bob",
            "AROAEXAMPLEEXAMPLE01",
        ] {
            assert_eq!(classify(PrincipalKey::Aws, fine), Verdict::Fine, "{fine}");
        }
        assert_eq!(
            classify(PrincipalKey::Aws, "arn:aws:iam::123456789012:user/nobody"),
            must_exist(EntityKind::User, "/", "nobody")
        );
        assert_eq!(
            classify(PrincipalKey::Aws, "arn:aws:iam::123456789012:role/a/b/deploy"),
            must_exist(EntityKind::Role, "/a/b/", "deploy")
        );
        for invalid in [
            "garbage",
            "12345",
            "arn:aws:iam::123456789012:group/admins",
            "arn:aws:iam::123456789012:instance-profile/web",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:user/*",
            "arn:aws:iam::1234:root",
            "arn:aws:iam:us-east-1:123456789012:root",
            "arn:aws-cn:iam::123456789012:root",
            "arn:aws:sts::123456789012:assumed-role/admin",
            "arn:aws:s3:::bucket",
        ] {
            assert_eq!(classify(PrincipalKey::Aws, invalid), Verdict::Invalid, "{invalid}");
        }
    }

    #[test]
    fn service_federated_and_canonical_principals() {
        for fine in ["ec2.amazonaws.com", "lambda.amazonaws.com", "accountdiscovery.ssm.amazonaws.com"] {
            assert_eq!(classify(PrincipalKey::Service, fine), Verdict::Fine, "{fine}");
        }
        for invalid in ["ec2", "*", ".amazonaws.com", "EC2.amazonaws.com", "ec2.example.com"] {
            assert_eq!(classify(PrincipalKey::Service, invalid), Verdict::Invalid, "{invalid}");
        }
        let provider =
            |kind, name: &str| Verdict::ProviderMustExist { account: "123456789012".into(), kind, name: name.into() };
        assert_eq!(
            classify(PrincipalKey::Federated, "arn:aws:iam::123456789012:saml-provider/okta"),
            provider(ProviderKind::Saml, "okta")
        );
        assert_eq!(
            classify(
                PrincipalKey::Federated,
                "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            ),
            provider(ProviderKind::Oidc, "token.actions.githubusercontent.com")
        );
        for fine in ["cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"] {
            assert_eq!(classify(PrincipalKey::Federated, fine), Verdict::Fine, "{fine}");
        }
        for invalid in ["example.com", "arn:aws:iam::123456789012:role/x", "arn:aws:iam::123456789012:saml-provider/"] {
            assert_eq!(classify(PrincipalKey::Federated, invalid), Verdict::Invalid, "{invalid}");
        }
        assert_eq!(classify(PrincipalKey::CanonicalUser, "79a59df900b949e55d96a1e698fbaced"), Verdict::Invalid);
    }

    #[test]
    fn parse_maps_the_crate_errors_and_counts_size_without_whitespace() {
        let e = parse("not valid json", 2048).unwrap_err();
        assert_eq!(
            (e.code.as_ref(), e.message.as_str()),
            ("MalformedPolicyDocument", "This policy contains invalid Json")
        );
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let size = crate::quotas::size(doc);
        assert!(parse(doc, size).is_ok());
        let spaced = doc.replace(',', " ,\n  ");
        assert!(parse(&spaced, size).is_ok());
        let e = parse(doc, size - 1).unwrap_err();
        assert_eq!(e.code.as_ref(), "LimitExceeded");
        assert_eq!(e.message, format!("Cannot exceed quota for ACLSizePerRole: {}", size - 1));
    }
}
