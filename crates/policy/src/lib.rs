//! Gatehouse's policy engine: AWS's IAM policy language, validated and evaluated as AWS does.
//!
//! Pure: no I/O, no clock (the request context carries the time), no async. The reference is
//! `shared/reference/policy-semantics.md`; where it and AWS's documentation disagree, AWS wins.
//! Bracketed tags in comments (`[EVAL]`, `[OPS]`, ...) name the IAM User Guide pages listed at
//! the top of that file.
//!
//! ```
//! use gatehouse_policy::*;
//!
//! let policy = CompiledPolicy::compile(
//!     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::docs/${aws:username}/*"}}"#,
//!     PolicyKind::Identity,
//!     "PolicyInputList.1",
//! )?;
//! let ctx = RequestContext::new().with("aws:username", ContextValue::string("alice"));
//! let req = Request {
//!     principal: Principal::user("123456789012", "arn:aws:iam::123456789012:user/alice"),
//!     action: "s3:GetObject",
//!     resource: "arn:aws:s3:::docs/alice/report.pdf",
//!     resource_account: None,
//!     context: &ctx,
//! };
//! // The decision borrows from the policy list: keep the list alive while reading it.
//! let identity = [&policy];
//! let decision = authorize(&req, &PolicySet::new(&identity));
//! assert!(decision.is_allowed());
//! assert_eq!(decision.statement.unwrap().start(), Position { line: 1, column: 38 });
//! # Ok::<(), PolicyError>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod compile;
mod conditions;
mod context;
mod decision;
mod document;
mod encoding;
mod error;
mod evaluate;
mod json;
mod matching;
mod principal;
mod time;
mod validate;
mod variables;

pub use compile::{CompiledPolicy, Effect};
pub use context::{ContextError, ContextKeyType, ContextValue, RequestContext};
pub use decision::{
    authorize, explain, Decision, EvalDecision, Explanation, MatchedStatement, PolicySet, PolicyType, Request,
    StatementRef, TypeDecisions,
};
pub use document::{
    ConditionBlock, ConditionEntry, ConditionValues, Element, PolicyDocument, PrincipalElement, PrincipalKey,
    PrincipalValue, Scalar, Statement, ValueList,
};
pub use error::PolicyError;
pub use json::Position;
pub use principal::{Principal, PrincipalKind};
pub use time::Timestamp;
pub use validate::parse_document;

/// What a document is for: it decides which elements are allowed and which checks apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Inline or managed policy of a user, group or role (Version 2012-10-17 required, no Principal).
    Identity,
    /// A managed policy used as a permissions boundary (same rules as `Identity`).
    PermissionsBoundary,
    /// A session policy passed to AssumeRole* or GetFederationToken (no Principal).
    Session,
    /// A role's trust policy: Principal required, no Resource, only sts:AssumeRole* actions.
    Trust,
    /// A resource-based policy (bucket, queue, key...): Principal required.
    Resource,
    /// A service control policy (no Principal).
    ServiceControl,
    /// A resource control policy (Principal required).
    ResourceControl,
}

impl PolicyKind {
    /// IAM refuses identity-based policies older than 2012-10-17; resource and trust policies
    /// may still say 2008-10-17 or nothing (`[VER]`).
    pub(crate) fn requires_version_2012(self) -> bool {
        matches!(self, PolicyKind::Identity | PolicyKind::PermissionsBoundary)
    }

    pub(crate) fn principal_rule(self) -> validate::PrincipalRule {
        match self {
            PolicyKind::Identity
            | PolicyKind::PermissionsBoundary
            | PolicyKind::Session
            | PolicyKind::ServiceControl => validate::PrincipalRule::Forbidden,
            PolicyKind::Trust | PolicyKind::Resource | PolicyKind::ResourceControl => validate::PrincipalRule::Required,
        }
    }
}

/// The context keys a set of policies reads (GetContextKeysForCustomPolicy /
/// GetContextKeysForPrincipalPolicy): as written, in order of appearance, each once
/// (keys ignore case).
pub fn context_keys<'a>(policies: impl IntoIterator<Item = &'a CompiledPolicy>) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    for p in policies {
        for k in p.context_keys() {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
                out.push(k);
            }
        }
    }
    out
}

/// A policy's size as IAM counts it against its quotas: characters, whitespace not counted
/// (`[QUOTA]` reference_iam-quotas).
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Whether a document allows some action of the service `namespace` (`s3`), as ListPoliciesGrantingServiceAccess
/// lists policies: an `Allow` statement whose `Action` names one of the service's actions (`s3:GetObject`, `s3:*`,
/// `*`; IAM refuses wildcards in the service part), or whose `NotAction` leaves some of them (excludes neither `*` nor
/// `s3:*`). Resources and conditions are not weighed: the operation reports what policies name, not decisions.
pub fn grants_service(doc: &PolicyDocument, namespace: &str) -> bool {
    let ns = namespace.to_ascii_lowercase();
    let names_service = |action: &str| {
        let action = action.to_ascii_lowercase();
        if action == "*" {
            return true;
        }
        match action.split_once(':') {
            Some((service, _)) => service == ns,
            None => false,
        }
    };
    doc.statements.iter().filter(|s| s.effect == "Allow").any(|s| match &s.action {
        Some(a) if !a.negated => a.values.as_slice().iter().any(|v| names_service(v)),
        Some(a) => !a.values.as_slice().iter().any(|v| {
            let v = v.to_ascii_lowercase();
            v == "*" || v.split_once(':').is_some_and(|(service, action)| action == "*" && service == ns)
        }),
        None => false,
    })
}

#[cfg(test)]
mod grants_service_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc(statement: &str) -> PolicyDocument {
        parse_document(&format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#), PolicyKind::Identity)
            .unwrap()
    }

    #[test]
    fn by_what_the_policy_names() {
        let s3 = doc(r#"{"Effect":"Allow","Action":["S3:GetObject"],"Resource":"*"}"#);
        assert!(grants_service(&s3, "s3") && !grants_service(&s3, "sqs"));
        assert!(grants_service(&doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#), "iam"));
        assert!(grants_service(&doc(r#"{"Effect":"Allow","Action":"sqs:List*","Resource":"*"}"#), "SQS"));
        assert!(!grants_service(&doc(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#), "s3"));
        let not = doc(r#"{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}"#);
        assert!(grants_service(&not, "s3") && !grants_service(&not, "iam"));
        assert!(grants_service(&doc(r#"{"Effect":"Allow","NotAction":"iam:CreateUser","Resource":"*"}"#), "iam"));
    }
}
