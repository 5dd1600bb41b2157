//! IAM's checks on a policy document, in IAM's order, with IAM's messages.
//!
//! IAM reports one error per document, and which one depends on the order of its checks
//! rather than on where the fault is. The order below reproduces the 78 invalid and 51 valid
//! documents that LocalStack recorded against real IAM (tests/aws/services/iam/
//! test_iam_policies.py, February 2026), replayed in `tests/validation.rs`:
//!
//! 1. JSON and grammar → `Syntax errors in policy.`
//! 2. `Version` is 2012-10-17 (identity-based kinds) → `Policy document must be version ...`
//! 3. Principal allowed / required / Resource prohibited for the kind
//! 4. "Legacy parsing": `Effect` case, date literals, then resource ARN structure; a resource
//!    whose format is wrong is not legacy-parsed, its format error is reported at step 8.
//! 5. Unique `Sid`s · 6. actions present · 7. resources present · 8. resource format
//! 9. action vendor prefixes · 10. trust-policy actions, principal values.

use crate::document::{split_operator, PolicyDocument, PrincipalKey, PrincipalValue, Statement};
use crate::error::{msg, PolicyError};
use crate::json::{self, JsonError};
use crate::time::Timestamp;
use crate::PolicyKind;

/// Partitions IAM accepts in a resource ARN; `*` is accepted as well.
const PARTITIONS: [&str; 9] =
    ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc", "*"];

const IAM_PATH_PREFIXES: [&str; 13] = [
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

/// Actions a role trust policy may name (IAM: "AssumeRole policy may only specify STS
/// AssumeRole actions."); session tags, source identity and context are set in the same call.
const TRUST_ACTIONS: [&str; 6] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// Parses and validates `text` as a policy of `kind`.
pub fn parse_document(text: &str, kind: PolicyKind) -> Result<PolicyDocument, PolicyError> {
    let root = json::parse(text).map_err(|e| match (e, kind) {
        // Role trust policies answer differently for text that is not JSON (aws-errors.md).
        (JsonError::Syntax, PolicyKind::Trust) => PolicyError::new(msg::INVALID_JSON),
        _ => PolicyError::new(msg::SYNTAX),
    })?;
    let doc = PolicyDocument::from_json(&root).map_err(|_| PolicyError::new(msg::SYNTAX))?;
    validate(&doc, kind)?;
    Ok(doc)
}

/// Steps 2 to 10 above, on a document that passed the grammar.
pub(crate) fn validate(doc: &PolicyDocument, kind: PolicyKind) -> Result<(), PolicyError> {
    let stmts = &doc.statements;
    if kind.requires_version_2012() && doc.version.as_deref() != Some("2012-10-17") {
        return Err(PolicyError::new(msg::VERSION));
    }
    match kind.principal_rule() {
        PrincipalRule::Forbidden if stmts.iter().any(|s| s.principal.is_some()) => {
            return Err(PolicyError::new(msg::NO_PRINCIPAL_ALLOWED));
        }
        PrincipalRule::Required if stmts.iter().any(|s| s.principal.is_none()) => {
            return Err(PolicyError::new(msg::PRINCIPAL_REQUIRED));
        }
        _ => {}
    }
    let resources_allowed = kind != PolicyKind::Trust;
    if !resources_allowed && stmts.iter().any(|s| s.resource.is_some()) {
        return Err(PolicyError::new(msg::TRUST_RESOURCE));
    }

    // 4. legacy parsing: statements first, then Resource of every statement, then NotResource.
    for s in stmts {
        if s.effect != "Allow" && s.effect != "Deny" {
            return Err(PolicyError::new(msg::LEGACY));
        }
        if !dates_parse(s) {
            return Err(PolicyError::new(msg::LEGACY));
        }
    }
    let mut resource_error: Option<String> = None;
    for negated in [false, true] {
        for s in stmts {
            let Some(el) = s.resource.as_ref().filter(|e| e.negated == negated) else { continue };
            for r in el.values.as_slice() {
                if resource_error.is_none() {
                    resource_error = resource_format_error(r);
                }
            }
            if resource_error.is_none() && !el.values.as_slice().iter().all(|r| legacy_resource_ok(r)) {
                return Err(PolicyError::new(msg::LEGACY));
            }
        }
    }

    // 5. Sids: empty ones may repeat.
    let mut sids: Vec<&str> = stmts.iter().filter_map(|s| s.sid.as_deref()).filter(|s| !s.is_empty()).collect();
    sids.sort_unstable();
    if sids.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
        return Err(PolicyError::new(msg::SID_UNIQUE));
    }
    // 6, 7.
    if stmts.iter().any(|s| s.action.as_ref().is_none_or(|a| a.values.as_slice().is_empty())) {
        return Err(PolicyError::new(msg::NO_ACTIONS));
    }
    if resources_allowed && stmts.iter().any(|s| s.resource.as_ref().is_none_or(|r| r.values.as_slice().is_empty())) {
        return Err(PolicyError::new(msg::NO_RESOURCES));
    }
    // 8.
    if let Some(e) = resource_error {
        return Err(PolicyError::new(e));
    }
    // 9. Action of every statement, then NotAction.
    for negated in [false, true] {
        for s in stmts {
            let Some(el) = s.action.as_ref().filter(|e| e.negated == negated) else { continue };
            for a in el.values.as_slice() {
                action_prefix_ok(a)?;
            }
        }
    }
    // 10.
    if kind == PolicyKind::Trust {
        let allowed = |a: &String| {
            let lower = a.to_ascii_lowercase();
            TRUST_ACTIONS.iter().any(|t| crate::matching::glob(&lower, t))
        };
        if !stmts.iter().flat_map(|s| s.action.iter()).all(|a| a.values.as_slice().iter().all(allowed)) {
            return Err(PolicyError::new(msg::TRUST_ACTIONS));
        }
    }
    for s in stmts {
        principal_values_ok(s)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalRule {
    Forbidden,
    Required,
}

/// Every literal of a Date operator must parse, or IAM answers "The policy failed legacy
/// parsing" (recorded for `sdfdsf`, `234-13`, ...).
fn dates_parse(s: &Statement) -> bool {
    let Some(blocks) = &s.condition else { return true };
    blocks
        .iter()
        .filter(|b| split_operator(&b.operator).1.starts_with("Date"))
        .all(|b| b.entries.iter().all(|e| e.values.as_slice().iter().all(|v| Timestamp::parse(v.text()).is_some())))
}

/// The resource format checks, with IAM's message for the first failure.
fn resource_format_error(r: &str) -> Option<String> {
    if r == "*" {
        return None;
    }
    let Some((_, rest)) = r.split_once(':') else {
        return Some(format!("Resource {r} must be in ARN format or \"*\"."));
    };
    let (partition, after) = match rest.split_once(':') {
        Some((p, a)) => (p, Some(a)),
        None => (rest, None),
    };
    if !PARTITIONS.contains(&partition) {
        // IAM rebuilds a six-field ARN from what follows the first field, filling gaps with
        // `*` (recorded: `a:bsdfdsafsad` → "arn:bsdfdsafsad:*:*:*:*", `aws:s3:::example_bucket`
        // → "arn:s3:::example_bucket:*").
        let parts: Vec<&str> = after.unwrap_or("").split(':').collect();
        let field = |i: usize| parts.get(i).copied().unwrap_or("*");
        let arn1 = match parts.as_slice() {
            [""] => "*",
            _ => field(0),
        };
        let arn4 = if parts.len() > 3 { parts.get(3..).map(|p| p.join(":")).unwrap_or_default() } else { "*".into() };
        return Some(format!(
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{arn1}:{}:{}:{arn4}\".",
            field(1),
            field(2)
        ));
    }
    let Some(after) = after else {
        return Some(msg::VENDOR_QUALIFIED.to_owned());
    };
    let (service, after_service) = match after.split_once(':') {
        Some((s, a)) => (s, a),
        None => (after, ""),
    };
    let has_region = !after_service.starts_with(':');
    // S3 bucket and object ARNs have neither region nor account; access points and other
    // S3 resources with an account do have a region (LocalStack valid-50 vs invalid-56).
    let has_account = after_service.split(':').nth(1).is_some_and(|a| !a.is_empty());
    match service {
        "iam" if has_region => return Some(format!("IAM resource {r} cannot contain region information.")),
        "s3" if has_region && !has_account => return Some(format!("Resource {r} can not contain region information.")),
        _ => {}
    }
    if service == "iam" {
        // Skip region and account: the rest is the resource path.
        let path = after_service.splitn(3, ':').nth(2).unwrap_or("");
        if path != "*" && path != "root" && !IAM_PATH_PREFIXES.iter().any(|p| path.starts_with(p)) {
            return Some(msg::IAM_PATH.to_owned());
        }
    }
    None
}

/// The structural checks of IAM's legacy parser: an ARN with an empty field must still have
/// all six fields (`arn:aws:s3::bucket` fails), and the service may not be empty.
fn legacy_resource_ok(r: &str) -> bool {
    if r == "*" {
        return true;
    }
    let colons = r.matches(':').count();
    (colons >= 5 || !r.contains("::")) && r.split(':').nth(2).is_some_and(|s| !s.is_empty())
}

fn action_prefix_ok(a: &str) -> Result<(), PolicyError> {
    let mut parts = a.split(':');
    let vendor = parts.next().unwrap_or("");
    let count = 1 + parts.count();
    if count == 1 && a != "*" {
        return Err(PolicyError::new(msg::VENDOR_PREFIX));
    }
    if count > 2 {
        return Err(PolicyError::new(msg::ONE_COLON));
    }
    if vendor != "*" && !vendor.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err(PolicyError::new(format!("Vendor {vendor} is not valid")));
    }
    Ok(())
}

/// AWS principals: `*`, an account id, an IAM/STS ARN without wildcards, or a unique id
/// (IAM shows one when the named principal was deleted). Partial wildcards are refused
/// (`[PRIN]`: "you cannot use a wildcard to match part of a principal name or ARN").
fn principal_values_ok(s: &Statement) -> Result<(), PolicyError> {
    let Some(p) = &s.principal else { return Ok(()) };
    let PrincipalValue::Map(entries) = &p.value else { return Ok(()) };
    for (key, values) in entries {
        for v in values.as_slice() {
            let ok = match key {
                PrincipalKey::Aws => aws_principal_ok(v),
                _ => !v.is_empty(),
            };
            if !ok {
                return Err(PolicyError::new(format!("Invalid principal in policy: \"{}\":\"{v}\"", key.as_str())));
            }
        }
    }
    Ok(())
}

fn aws_principal_ok(v: &str) -> bool {
    if v == "*" {
        return true;
    }
    if v.contains(['*', '?']) {
        return false;
    }
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if let Some(arn) = crate::matching::Arn::parse(v) {
        return matches!(arn.service, "iam" | "sts") && arn.region.is_empty() && !arn.account.is_empty();
    }
    v.len() >= 16 && v.starts_with('A') && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(action: &str) -> Result<(), String> {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"{action}"}}]}}"#
        );
        parse_document(&doc, PolicyKind::Trust).map(|_| ()).map_err(|e| e.message().to_owned())
    }

    /// The actions a trust policy may grant: the AssumeRole family and what is set in the same call (session tags,
    /// source identity, context), in any case, and wildcards that only reach them.
    #[test]
    fn trust_policies_grant_only_the_assume_role_actions() {
        for ok in [
            "sts:AssumeRole",
            "sts:AssumeRoleWithSAML",
            "sts:AssumeRoleWithWebIdentity",
            "sts:TagSession",
            "sts:SetSourceIdentity",
            "sts:SetContext",
            "STS:assumerole",
            "sts:AssumeRole*",
        ] {
            assert_eq!(trust(ok), Ok(()), "{ok}");
        }
        for refused in ["sts:GetCallerIdentity", "sts:GetSessionToken", "iam:PassRole", "s3:GetObject"] {
            assert_eq!(trust(refused), Err(msg::TRUST_ACTIONS.to_owned()), "{refused}");
        }
    }
}
