//! AssumeRoleWithSAML: a role session for whoever holds a SAML 2.0 response that a SAML provider registered in
//! IAM signed. Called unsigned: the response is the only credential, so it is verified in full first
//! ([`super::saml_assertions::verify`]: signatures with the provider's metadata certificates, the exact element
//! signed, issuer, audience, recipient, lifetime), then:
//! 1. its `https://aws.amazon.com/SAML/Attributes/Role` values hold the pair `RoleArn,PrincipalArn` (either order);
//! 2. its RoleSessionName attribute follows AWS's rules; SessionDuration (900..43200) lowers the duration;
//! 3. the role's trust policy allows the provider (`Federated`), with AWS's `saml:*` keys in the request context,
//!    and `sts:TagSession` / `sts:SetSourceIdentity` when the response carries tags / a source identity.
//!
//! The messages are AWS's where recorded in public reports (`Response signature invalid`, `Token must be redeemed
//! within 5 minutes of issuance`, `Not authorized to perform sts:AssumeRoleWithSAML`); the README lists the rest.

use base64::Engine as _;
use gatehouse_wire::sts::{self, errors as sts_errors};
use gatehouse_wire::AwsError;
use sha1::Digest as _;

use super::assume_role::{role_arn, RoleSession};
use super::federated_trust::{self, FederatedAssumption};
use super::saml_assertions::{self, Assertion, Decryption, SamlError};
use super::sessions;
use crate::crypto::SamlKeyBinding;
use crate::federation::xmlenc;
use crate::request::Ctx;
use crate::store::saml_providers;
use crate::store::saml_providers::{EncryptionMode, PrivateKeyRow, SamlProviderRow};

const ATTR: &str = "https://aws.amazon.com/SAML/Attributes/";

/// Attributes named by OID that AWS exposes as `saml:*` condition keys.
const OID_KEYS: &[(&str, &str)] = &[
    ("urn:oid:2.5.4.3", "saml:cn"),
    ("urn:oid:2.5.4.42", "saml:givenName"),
    ("urn:oid:2.5.4.4", "saml:surname"),
    ("urn:oid:0.9.2342.19200300.100.1.3", "saml:mail"),
    ("urn:oid:0.9.2342.19200300.100.1.1", "saml:uid"),
    ("urn:oid:2.5.4.45", "saml:x500UniqueIdentifier"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "saml:edupersonprimaryaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "saml:edupersonprimaryorgunitdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "saml:edupersonscopedaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri"),
];

/// A SAML session, issued, with what the response reports of the assertion.
#[derive(Debug)]
pub struct SamlSession {
    pub session: RoleSession,
    pub assertion: Assertion,
    pub name_qualifier: String,
}

fn invalid(message: impl Into<String>) -> AwsError {
    sts_errors::invalid_identity_token(message)
}

fn not_authorized() -> AwsError {
    AwsError::access_denied("Not authorized to perform sts:AssumeRoleWithSAML")
}

/// AWS's rule for role session names and source identities: 2 to 64 of `[\w+=,.@-]`.
fn aws_name(s: &str) -> bool {
    (2..=64).contains(&s.chars().count()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

fn error(e: SamlError) -> AwsError {
    match e {
        SamlError::Malformed(why) => invalid(format!("Error parsing SAML assertion: {why}")),
        SamlError::Signature(why) => {
            tracing::info!(why, "a SAML response's signature was refused");
            invalid("Response signature invalid")
        }
        SamlError::NotSuccess(status) => {
            sts_errors::idp_rejected_claim(format!("The identity provider's response status is {status}"))
        }
        SamlError::Rejected(why) => invalid(format!("Invalid SAML assertion: {why}")),
        SamlError::TooOld => sts_errors::expired_token("Token must be redeemed within 5 minutes of issuance"),
        SamlError::Expired(why) => sts_errors::expired_token(format!("SAML assertion expired: {why}")),
    }
}

/// The provider's private keys, opened and parsed. One that does not open (a master key retired, a row moved) is
/// logged and skipped: the others may still decrypt, and if none does the response is refused.
fn opened_keys(ctx: &Ctx, provider: &SamlProviderRow, rows: &[PrivateKeyRow]) -> Vec<rsa::RsaPrivateKey> {
    rows.iter()
        .filter_map(|row| {
            let binding = SamlKeyBinding {
                account_id: &provider.account_id,
                provider_id: &provider.provider_id,
                key_id: &row.key_id,
            };
            let opened = ctx.state.keyring.open_saml_key(&row.master_key_id, &row.key_sealed, &binding);
            let key = opened.ok().and_then(|pem| std::str::from_utf8(&pem).ok().and_then(xmlenc::rsa_private_key));
            if key.is_none() {
                tracing::error!(provider = %provider.arn(), key_id = %row.key_id, "a SAML private key does not open");
            }
            key
        })
        .collect()
}

/// `BASE64(SHA1(issuer + account + "/" + provider name))`, AWS's NameQualifier and `saml:namequalifier`.
pub fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    let digest = sha1::Sha1::digest(format!("{issuer}{account}/{provider_name}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

pub async fn assume_role_with_saml(ctx: &Ctx, req: &sts::AssumeRoleWithSAMLRequest) -> Result<SamlSession, AwsError> {
    let (account, path, name) = role_arn(&req.role_arn)?;
    let provider_ref = crate::arn::Arn::parse(&req.principal_arn)
        .filter(|a| a.service == "iam")
        .and_then(|a| a.resource.strip_prefix("saml-provider/").map(|n| (a.account.to_string(), n.to_string())));
    let Some((provider_account, provider_name)) = provider_ref else {
        return Err(AwsError::validation_error(format!("{} is invalid", req.principal_arn)));
    };

    let mut op = ctx.begin_read().await?;
    let provider = saml_providers::by_name(op.lookup(), &provider_account, &provider_name).await?;
    let Some(provider) = provider else {
        return Err(invalid(format!("No SAML provider found in your account for {}", req.principal_arn)));
    };
    let certificates = saml_providers::certificates(op.lookup(), &provider.provider_id).await?;
    let sealed_keys = saml_providers::private_keys(op.lookup(), &provider.provider_id).await?;
    drop(op);
    let open_keys = || opened_keys(ctx, &provider, &sealed_keys);
    let now = ctx.now.div_euclid(1000);
    // validUntil is kept in milliseconds.
    if provider.valid_until <= ctx.now {
        return Err(invalid("The SAML provider's metadata has expired (validUntil)"));
    }
    let assertion = saml_assertions::verify(
        req.saml_assertion.expose(),
        &certificates,
        &provider.entity_id,
        &ctx.state.saml_audiences,
        Decryption { keys: &open_keys, required: provider.encryption_mode == EncryptionMode::Required },
        now,
    )
    .map_err(error)?;
    let provider_arn = provider.arn();

    // 1: the role and provider pair.
    let pair_named = assertion.values(&format!("{ATTR}Role")).iter().any(|v| {
        let mut parts = v.split(',').map(str::trim);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), None) => {
                (a == req.role_arn && b == provider_arn) || (b == req.role_arn && a == provider_arn)
            }
            _ => false,
        }
    });
    if !pair_named {
        return Err(not_authorized());
    }

    // 2: session name, duration, tags, source identity.
    let session_name =
        match assertion.values(&format!("{ATTR}RoleSessionName")) {
            [one] if aws_name(one) => one.clone(),
            [] => return Err(invalid("Error parsing SAML assertion: the RoleSessionName attribute is missing")),
            _ => return Err(invalid(
                "Error parsing SAML assertion: RoleSessionName must be one value of 2 to 64 characters of [\\w+=,.@-]",
            )),
        };
    let session_duration = match assertion.values(&format!("{ATTR}SessionDuration")) {
        [] => None,
        [one] => match one.parse::<i64>() {
            Ok(d) if (900..=43_200).contains(&d) => Some(d),
            _ => {
                return Err(invalid(
                    "Error parsing SAML assertion: SessionDuration must be a number of seconds from 900 to 43200",
                ))
            }
        },
        _ => return Err(invalid("Error parsing SAML assertion: SessionDuration must have one value")),
    };
    let source_identity =
        match assertion.values(&format!("{ATTR}SourceIdentity")) {
            [] => None,
            [one] if aws_name(one) && !one.to_ascii_lowercase().starts_with("aws:") => Some(one.clone()),
            _ => return Err(invalid(
                "Error parsing SAML assertion: SourceIdentity must be one value of 2 to 64 characters of [\\w+=,.@-]",
            )),
        };
    let mut requested = Vec::new();
    for (attr, values) in &assertion.attributes {
        if let Some(key) = attr.strip_prefix(&format!("{ATTR}PrincipalTag:")) {
            let value = values.first().cloned().unwrap_or_default();
            requested.push(sts::Tag { key: key.to_string(), value });
        }
    }
    let transitive: Vec<String> = assertion.values(&format!("{ATTR}TransitiveTagKeys")).to_vec();
    let tags = sessions::session_tags(&requested, &transitive, None)?;
    let qualifier = name_qualifier(&assertion.issuer, &provider.account_id, &provider.name);

    // 3: the role's trust policy, with the saml:* keys.
    let mut provider_keys = vec![
        ("saml:aud".to_string(), vec![assertion.recipient.clone()]),
        ("saml:iss".to_string(), vec![assertion.issuer.clone()]),
        ("saml:sub".to_string(), vec![assertion.subject.clone()]),
        ("saml:sub_type".to_string(), vec![assertion.subject_type()]),
        ("saml:namequalifier".to_string(), vec![qualifier.clone()]),
        ("saml:doc".to_string(), vec![format!("{}/{}", provider.account_id, provider.name)]),
    ];
    for (oid, key) in OID_KEYS {
        let values = assertion.values(oid);
        if !values.is_empty() {
            provider_keys.push(((*key).to_string(), values.to_vec()));
        }
    }
    let session = federated_trust::assume(
        ctx,
        FederatedAssumption {
            action: "sts:AssumeRoleWithSAML",
            role_arn: &req.role_arn,
            account,
            path: &path,
            name,
            principal: gatehouse_policy::Principal::saml(&provider_arn),
            provider_arn: &provider_arn,
            provider_keys,
            session_name: &session_name,
            tags,
            transitive: &transitive,
            source_identity,
            duration_seconds: req.duration_seconds,
            duration_cap: session_duration,
            policy: req.policy.as_deref(),
            policy_arns: req.policy_arns.as_deref().unwrap_or_default(),
            min_token_size: req.minimum_session_token_size,
        },
    )
    .await?;
    Ok(SamlSession { session, assertion, name_qualifier: qualifier })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_qualifier_is_awss_hash() {
        let expected = base64::engine::general_purpose::STANDARD
            .encode(sha1::Sha1::digest(b"https://example.com/saml123456789012/MySAMLIdP"));
        assert_eq!(name_qualifier("https://example.com/saml", "123456789012", "MySAMLIdP"), expected);
    }

    #[test]
    fn session_names_follow_awss_rules() {
        assert!(aws_name("alice@example.com"));
        assert!(!aws_name("a"));
        assert!(!aws_name("has space"));
        assert!(!aws_name(&"x".repeat(65)));
    }
}
