//! Who is calling, and how a `Principal` / `NotPrincipal` element matches them.
//!
//! `[PRIN]` elements_principal, `[EVAL]` evaluation-logic and `[BOUND]` access_policies_boundaries:
//! how a resource-based policy names the caller decides what else must allow the request in
//! the same account. Naming the IAM user, the role session or the federated-user session
//! grants outright; naming the role (for one of its sessions) or the IAM user behind a
//! federated session still needs the permissions boundary and the session policy; naming the
//! account delegates to the account's identity-based policies.

use crate::document::{PrincipalKey, PrincipalValue};
use crate::matching::Arn;

/// The kind of caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The account's root user (`arn:aws:iam::ACCOUNT:root`).
    Root,
    /// An IAM user (`arn:aws:iam::ACCOUNT:user/PATH/NAME`).
    User,
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// A GetFederationToken session (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
    FederatedUser,
    /// An AWS service principal such as `ec2.amazonaws.com`.
    Service,
    /// An unauthenticated caller of AssumeRoleWithWebIdentity (trust policy evaluation).
    WebIdentity,
    /// An unauthenticated caller of AssumeRoleWithSAML (trust policy evaluation).
    Saml,
    /// No credentials at all.
    Anonymous,
}

/// The caller of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal<'a> {
    pub kind: PrincipalKind,
    /// The caller's account id (empty for services, web-identity, SAML and anonymous callers).
    pub account: &'a str,
    /// The caller's ARN: root, user, assumed-role session or federated-user ARN; for a
    /// service principal its name (`ec2.amazonaws.com`).
    pub arn: &'a str,
    /// For a role session the role's ARN (what `aws:PrincipalArn` holds); for a federated
    /// user the ARN of the IAM user that called GetFederationToken.
    pub base_arn: Option<&'a str>,
    /// `AIDA...` for a user, `AROA...:session` for a role session: IAM shows a principal by
    /// its unique id once the named entity is deleted, and such a grant still matches it.
    pub unique_id: Option<&'a str>,
    /// For web-identity and SAML callers: the provider as a trust policy names it under
    /// `Federated` (an `oidc-provider`/`saml-provider` ARN, or e.g. `accounts.google.com`).
    pub federated_provider: Option<&'a str>,
    /// An S3 canonical user id, if the caller has one.
    pub canonical_user: Option<&'a str>,
}

impl<'a> Principal<'a> {
    fn plain(kind: PrincipalKind, account: &'a str, arn: &'a str) -> Principal<'a> {
        Principal {
            kind,
            account,
            arn,
            base_arn: None,
            unique_id: None,
            federated_provider: None,
            canonical_user: None,
        }
    }

    pub fn root(account: &'a str, arn: &'a str) -> Principal<'a> {
        Principal::plain(PrincipalKind::Root, account, arn)
    }

    pub fn user(account: &'a str, arn: &'a str) -> Principal<'a> {
        Principal::plain(PrincipalKind::User, account, arn)
    }

    /// A role session: `session_arn` is the assumed-role ARN, `role_arn` the role's ARN.
    pub fn assumed_role(account: &'a str, session_arn: &'a str, role_arn: &'a str) -> Principal<'a> {
        Principal { base_arn: Some(role_arn), ..Principal::plain(PrincipalKind::AssumedRole, account, session_arn) }
    }

    /// A GetFederationToken session of the IAM user `user_arn`.
    pub fn federated_user(account: &'a str, federated_arn: &'a str, user_arn: &'a str) -> Principal<'a> {
        Principal { base_arn: Some(user_arn), ..Principal::plain(PrincipalKind::FederatedUser, account, federated_arn) }
    }

    pub fn service(name: &'a str) -> Principal<'a> {
        Principal::plain(PrincipalKind::Service, "", name)
    }

    pub fn web_identity(provider: &'a str) -> Principal<'a> {
        Principal { federated_provider: Some(provider), ..Principal::plain(PrincipalKind::WebIdentity, "", "") }
    }

    pub fn saml(provider: &'a str) -> Principal<'a> {
        Principal { federated_provider: Some(provider), ..Principal::plain(PrincipalKind::Saml, "", "") }
    }

    pub fn anonymous() -> Principal<'a> {
        Principal::plain(PrincipalKind::Anonymous, "", "")
    }

    pub fn with_unique_id(self, id: &'a str) -> Principal<'a> {
        Principal { unique_id: Some(id), ..self }
    }

    pub fn with_canonical_user(self, id: &'a str) -> Principal<'a> {
        Principal { canonical_user: Some(id), ..self }
    }

    /// IAM users and role or federated sessions: the callers identity policies apply to.
    pub(crate) fn has_identity_policies(&self) -> bool {
        matches!(self.kind, PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser)
    }
}

/// How directly a resource-based policy names the caller (ordered weakest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    /// The caller's account: its identity-based policies must allow as well.
    Delegated,
    /// The role behind a session or the IAM user behind a federated session (or a wildcard
    /// for such a session, *derived*, the cautious reading): boundary and session policy
    /// must still allow.
    Limited,
    /// The caller itself: nothing else needs to allow in the same account.
    Direct,
}

#[derive(Clone, Debug, PartialEq)]
enum Entry {
    Any,
    Account(Box<str>),
    Arn(Box<str>),
    UniqueId(Box<str>),
    Service(Box<str>),
    Federated(Box<str>),
    CanonicalUser(Box<str>),
}

/// A compiled `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PrincipalMatcher {
    negated: bool,
    entries: Box<[Entry]>,
}

impl PrincipalMatcher {
    pub(crate) fn new(negated: bool, value: &PrincipalValue) -> PrincipalMatcher {
        let entries = match value {
            PrincipalValue::Wildcard => vec![Entry::Any],
            PrincipalValue::Map(map) => {
                map.iter().flat_map(|(k, vals)| vals.as_slice().iter().map(move |v| entry(*k, v))).collect()
            }
        };
        PrincipalMatcher { negated, entries: entries.into() }
    }

    /// `Some(grant)` when the statement applies to `p`. `deny_with_boundary`: a `Deny` with
    /// `NotPrincipal` always applies to a caller that has a permissions boundary `[BOUND]`.
    pub(crate) fn grant(&self, p: &Principal<'_>, deny_with_boundary: bool) -> Option<Grant> {
        if self.negated {
            if deny_with_boundary || !self.excludes(p) {
                return Some(wildcard_grant(p));
            }
            return None;
        }
        self.entries.iter().filter_map(|e| entry_grant(e, p)).max()
    }

    /// `NotPrincipal` exempts a caller only when it lists every identity the caller acts as:
    /// the account, the caller's ARN and, for sessions, the role or user behind them — which
    /// is why `[NP]` asks for the account, role and session ARN together.
    fn excludes(&self, p: &Principal<'_>) -> bool {
        let has = |f: &dyn Fn(&Entry) -> bool| self.entries.iter().any(|e| *e == Entry::Any || f(e));
        let account = || has(&|e| matches!(e, Entry::Account(a) if **a == *p.account));
        let arn = |x: &str| {
            has(&|e| match e {
                Entry::Arn(a) => **a == *x,
                Entry::UniqueId(u) => p.unique_id.is_some_and(|id| id == &**u),
                _ => false,
            })
        };
        match p.kind {
            PrincipalKind::Root => account(),
            PrincipalKind::User | PrincipalKind::AssumedRole | PrincipalKind::FederatedUser => {
                account() && arn(p.arn) && p.base_arn.is_none_or(arn)
            }
            PrincipalKind::Service => has(&|e| matches!(e, Entry::Service(s) if s.eq_ignore_ascii_case(p.arn))),
            PrincipalKind::WebIdentity | PrincipalKind::Saml => {
                has(&|e| matches!(e, Entry::Federated(f) if Some(&**f) == p.federated_provider))
            }
            PrincipalKind::Anonymous => has(&|_| false),
        }
    }
}

fn entry(key: PrincipalKey, v: &str) -> Entry {
    match key {
        PrincipalKey::Aws if v == "*" => Entry::Any,
        PrincipalKey::Aws if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) => Entry::Account(v.into()),
        PrincipalKey::Aws => match Arn::parse(v) {
            // `123456789012` and `arn:aws:iam::123456789012:root` mean the same: the account.
            Some(a) if a.service == "iam" && a.resource == "root" => Entry::Account(a.account.into()),
            Some(_) => Entry::Arn(v.into()),
            None => Entry::UniqueId(v.into()),
        },
        PrincipalKey::Service => Entry::Service(v.into()),
        PrincipalKey::Federated => Entry::Federated(v.into()),
        PrincipalKey::CanonicalUser => Entry::CanonicalUser(v.into()),
    }
}

/// What `"*"` grants: the caller itself, except that sessions are read cautiously as if the
/// role (or the user behind a federated session) had been named.
fn wildcard_grant(p: &Principal<'_>) -> Grant {
    match p.kind {
        PrincipalKind::AssumedRole | PrincipalKind::FederatedUser => Grant::Limited,
        _ => Grant::Direct,
    }
}

fn entry_grant(e: &Entry, p: &Principal<'_>) -> Option<Grant> {
    match e {
        Entry::Any => Some(wildcard_grant(p)),
        Entry::Account(a) => match p.kind {
            PrincipalKind::Root if **a == *p.account => Some(Grant::Direct),
            _ if p.has_identity_policies() && **a == *p.account => Some(Grant::Delegated),
            _ => None,
        },
        Entry::Arn(_) if !p.has_identity_policies() => None,
        Entry::Arn(a) if **a == *p.arn => Some(Grant::Direct),
        Entry::Arn(a) if p.base_arn == Some(&**a) => Some(Grant::Limited),
        Entry::Arn(_) => None,
        Entry::UniqueId(u) => {
            let id = p.unique_id?;
            if id == &**u {
                Some(if p.kind == PrincipalKind::AssumedRole { Grant::Limited } else { Grant::Direct })
            } else if id.strip_prefix(&**u).is_some_and(|rest| rest.starts_with(':')) {
                Some(Grant::Limited)
            } else {
                None
            }
        }
        Entry::Service(s) => {
            (p.kind == PrincipalKind::Service && s.eq_ignore_ascii_case(p.arn)).then_some(Grant::Direct)
        }
        Entry::Federated(f) => (matches!(p.kind, PrincipalKind::WebIdentity | PrincipalKind::Saml)
            && p.federated_provider == Some(&**f))
        .then_some(Grant::Direct),
        Entry::CanonicalUser(c) => (p.canonical_user == Some(&**c)).then_some(Grant::Direct),
    }
}
