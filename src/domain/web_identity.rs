//! AssumeRoleWithWebIdentity: a role session for whoever holds an OpenID Connect token that an identity
//! provider registered in the role's account signed. Called unsigned: the token is the only credential, so it
//! is verified in full before anything else is decided:
//! 1. it is a signed JWT whose `iss` names an OIDC provider registered in the role's account;
//! 2. its `aud` is one of the provider's client ids;
//! 3. its signature verifies with a key from the issuer's JWKS (found through its discovery document over HTTPS,
//!    the certificate trusted through the provider's thumbprints or the CA roots; or configured offline), with an
//!    asymmetric algorithm;
//! 4. it is within `nbf`..`exp` by the server's clock;
//! 5. the role's trust policy allows the provider (`Federated`), with the provider's keys (`HOST/PATH:sub`,
//!    `:aud`, `:amr`, `:azp`) in the request context, and `sts:TagSession` when the token carries session tags.
//!
//! The messages are AWS's where recorded in public reports (`No OpenIDConnect provider found in your account for
//! ISS`, `Incorrect token audience`, `OpenIDConnect provider's HTTPS certificate doesn't match configured
//! thumbprint`, `Not authorized to perform sts:AssumeRoleWithWebIdentity`); the README lists the rest as ours.

use gatehouse_wire::sts::{self, errors as sts_errors};
use gatehouse_wire::AwsError;
use serde_json::{Map, Value};

use super::assume_role::{role_arn, RoleSession};
use super::federated_trust::{self, FederatedAssumption};
use super::sessions;
use crate::federation::oidc::{self, KeyError};
use crate::request::Ctx;
use crate::sessions::SessionTag;
use crate::store::oidc_providers;

/// The claim AWS reads session tags from, and the one it reads a source identity from.
const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";
const SOURCE_IDENTITY_CLAIM: &str = "https://aws.amazon.com/source_identity";

/// A web-identity session, issued, with what the response reports of the token.
#[derive(Debug)]
pub struct WebIdentitySession {
    pub session: RoleSession,
    pub subject: String,
    pub audience: String,
    /// The issuer, as the response's `Provider` (the provider's URL without `https://`).
    pub provider: String,
}

fn invalid_token(message: impl Into<String>) -> AwsError {
    sts_errors::invalid_identity_token(message)
}

/// A claim's values: a string, or an array of strings.
fn strings(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

pub async fn assume_role_with_web_identity(
    ctx: &Ctx,
    req: &sts::AssumeRoleWithWebIdentityRequest,
) -> Result<WebIdentitySession, AwsError> {
    let (account, path, name) = role_arn(&req.role_arn)?;
    let token = req.web_identity_token.expose().as_str();
    let Some(unverified) = oidc::peek(token) else {
        return Err(invalid_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        ));
    };
    let claims = &unverified.claims;
    let Some(iss) = claims.get("iss").and_then(Value::as_str) else {
        return Err(invalid_token("The ID Token provided has no issuer (iss)."));
    };
    let url = iss.strip_prefix("https://").unwrap_or(iss).trim_end_matches('/').to_string();

    // 1, 2: the provider registered in the role's account, and the audience among its client ids.
    let mut op = ctx.begin_read().await?;
    let provider = oidc_providers::by_url(op.lookup(), account, &url).await?;
    let Some(provider) = provider else {
        return Err(invalid_token(format!("No OpenIDConnect provider found in your account for {iss}")));
    };
    let client_ids = oidc_providers::client_ids(op.lookup(), &provider.provider_id).await?;
    let audiences = strings(claims, "aud");
    let Some(audience) = audiences.iter().find(|a| client_ids.contains(a)).cloned() else {
        return Err(invalid_token("Incorrect token audience"));
    };
    let thumbprints = oidc_providers::thumbprints(op.lookup(), &provider.provider_id).await?;
    drop(op);

    // 3: the signature, with the issuer's keys.
    let issuer_url = format!("https://{url}");
    let keys = ctx.state.issuer_keys.keys(&issuer_url, &thumbprints, unverified.header.kid.as_deref()).await;
    let keys = match keys {
        Ok(k) => k,
        Err(KeyError::Untrusted) => {
            return Err(invalid_token("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"))
        }
        Err(KeyError::Unreachable(why)) => {
            tracing::warn!(issuer = %issuer_url, why, "could not fetch an identity provider's keys");
            return Err(sts_errors::idp_communication_error(
                "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions.",
            ));
        }
    };
    if !oidc::signature_valid(token, &unverified.header, &keys) {
        return Err(invalid_token(
            "The signature of the ID Token could not be verified with the identity provider's keys.",
        ));
    }

    // 4: its lifetime, by the server's clock.
    let now = ctx.now.div_euclid(1000);
    let Some(exp) = claims.get("exp").and_then(Value::as_i64) else {
        return Err(invalid_token("The ID Token provided has no expiration time (exp)."));
    };
    if now >= exp {
        return Err(sts_errors::expired_token(format!(
            "Token expired: current date/time {now} must be before the expiration date/time {exp}"
        )));
    }
    if claims.get("nbf").and_then(Value::as_i64).is_some_and(|nbf| now < nbf) {
        return Err(invalid_token("The ID Token provided is not valid yet (nbf)."));
    }
    let Some(subject) = claims.get("sub").and_then(Value::as_str).map(str::to_string) else {
        return Err(invalid_token("The ID Token provided has no subject (sub)."));
    };

    // 5: the role's trust policy.
    let (tags, transitive) = token_tags(claims)?;
    let source_identity = claims.get(SOURCE_IDENTITY_CLAIM).and_then(Value::as_str).map(str::to_string);
    let provider_arn = provider.arn();
    let mut provider_keys =
        vec![(format!("{url}:sub"), vec![subject.clone()]), (format!("{url}:aud"), vec![audience.clone()])];
    for claim in ["amr", "azp"] {
        let values = strings(claims, claim);
        if !values.is_empty() {
            provider_keys.push((format!("{url}:{claim}"), values));
        }
    }
    let session = federated_trust::assume(
        ctx,
        FederatedAssumption {
            action: "sts:AssumeRoleWithWebIdentity",
            role_arn: &req.role_arn,
            account,
            path: &path,
            name,
            principal: gatehouse_policy::Principal::web_identity(&provider_arn),
            provider_arn: &provider_arn,
            provider_keys,
            session_name: &req.role_session_name,
            tags,
            transitive: &transitive,
            source_identity,
            duration_seconds: req.duration_seconds,
            duration_cap: None,
            policy: req.policy.as_deref(),
            policy_arns: req.policy_arns.as_deref().unwrap_or_default(),
            min_token_size: req.minimum_session_token_size,
        },
    )
    .await?;
    Ok(WebIdentitySession { session, subject, audience, provider: url })
}

/// Session tags from the token's `https://aws.amazon.com/tags` claim (`principal_tags`: key to a one-value list;
/// `transitive_tag_keys`), under the same rules as AssumeRole's.
fn token_tags(claims: &Map<String, Value>) -> Result<(Vec<SessionTag>, Vec<String>), AwsError> {
    let Some(Value::Object(tags)) = claims.get(TAGS_CLAIM) else { return Ok((Vec::new(), Vec::new())) };
    let mut requested = Vec::new();
    if let Some(Value::Object(principal)) = tags.get("principal_tags") {
        for (key, value) in principal {
            let value = match value {
                Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or_default().to_string(),
                Value::String(s) => s.clone(),
                _ => String::new(),
            };
            requested.push(sts::Tag { key: key.clone(), value });
        }
    }
    let transitive = strings(tags, "transitive_tag_keys");
    let session = sessions::session_tags(&requested, &transitive, None)?;
    Ok((session, transitive))
}
