//! Evaluating the statements of policies against one request: which statements apply, and
//! the strongest allow and first deny of each group of policies. No allocation happens here.

use std::borrow::Borrow;

use crate::compile::{CompiledPolicy, CompiledStatement, Effect};
use crate::decision::{Request, StatementRef};
use crate::matching::{ArnFields, Case};
use crate::principal::Grant;

/// The request's action and resource, prepared once per decision rather than once per
/// statement: the action lower-cased into a stack buffer (patterns are compiled in lower case,
/// so comparisons are plain byte comparisons), its service prefix, the resource's ARN fields.
pub(crate) struct Target<'a> {
    pub action: &'a str,
    pub action_case: Case,
    pub vendor: &'a str,
    pub resource: ArnFields<'a>,
}

impl<'a> Target<'a> {
    pub(crate) fn new(action: &'a str, resource: &'a str, buf: &'a mut [u8; 128]) -> Target<'a> {
        let lowered = buf.get_mut(..action.len()).and_then(|dst| {
            dst.copy_from_slice(action.as_bytes());
            dst.make_ascii_lowercase();
            std::str::from_utf8(dst).ok()
        });
        let (action, action_case) = match lowered {
            Some(l) => (l, Case::Sensitive),
            // Longer than any real action: compare without case instead.
            None => (action, Case::AsciiInsensitive),
        };
        let vendor = action.bytes().position(|b| b == b':').and_then(|i| action.get(..i)).unwrap_or(action);
        Target { action, action_case, vendor, resource: ArnFields::split(resource) }
    }
}

/// A statement applies when its action, resource and principal match and every condition
/// holds `[EVAL]`; the grant says how directly its principal element named the caller.
pub(crate) fn applies(
    s: &CompiledStatement,
    req: &Request<'_>,
    target: &Target<'_>,
    has_boundary: bool,
) -> Option<Grant> {
    if !s.action_matches(target) || !s.resource_matches(&target.resource, req.context) {
        return None;
    }
    let grant = s.principal_grant(&req.principal, has_boundary)?;
    s.conditions_hold(req.context).then_some(grant)
}

/// The outcome of a group of policies of one type.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Summary<'p> {
    pub deny: Option<StatementRef<'p>>,
    /// The allow that names the caller most directly (the first of equals).
    pub allow: Option<(StatementRef<'p>, Grant)>,
}

impl<'p> Summary<'p> {
    pub(crate) fn add(
        &mut self,
        policy: &'p CompiledPolicy,
        req: &Request<'_>,
        target: &Target<'_>,
        has_boundary: bool,
    ) {
        for (index, s) in policy.statements().iter().enumerate() {
            // Once denied, only another deny could matter, and it would not change the result.
            if self.deny.is_some() {
                return;
            }
            let Some(grant) = applies(s, req, target, has_boundary) else { continue };
            let here = StatementRef { policy, index };
            match s.effect {
                Effect::Deny => self.deny = Some(here),
                Effect::Allow => {
                    if self.allow.is_none_or(|(_, g)| grant > g) {
                        self.allow = Some((here, grant));
                    }
                }
            }
        }
    }

    pub(crate) fn of<P: Borrow<CompiledPolicy>>(
        policies: &'p [P],
        req: &Request<'_>,
        target: &Target<'_>,
        has_boundary: bool,
    ) -> Summary<'p> {
        let mut s = Summary::default();
        for p in policies {
            s.add(p.borrow(), req, target, has_boundary);
        }
        s
    }

    pub(crate) fn allows(&self) -> bool {
        self.allow.is_some()
    }
}

/// Service or resource control policies: one list per level of the organization (root, each
/// OU, the account). Every level needs an allow of its own; any deny denies.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OrgSummary<'p> {
    pub deny: Option<StatementRef<'p>>,
    pub allowed: bool,
    /// Some level was given (the type takes part in the decision).
    pub present: bool,
    /// The allow of the first level, for reporting.
    pub allow: Option<StatementRef<'p>>,
}

impl<'p> OrgSummary<'p> {
    pub(crate) fn of<P: Borrow<CompiledPolicy>>(
        levels: &'p [&'p [P]],
        req: &Request<'_>,
        target: &Target<'_>,
    ) -> OrgSummary<'p> {
        let mut out = OrgSummary { deny: None, allowed: true, present: !levels.is_empty(), allow: None };
        for level in levels {
            let s = Summary::of(level, req, target, false);
            if out.deny.is_none() {
                out.deny = s.deny;
            }
            match s.allow {
                Some((stmt, _)) => {
                    if out.allow.is_none() {
                        out.allow = Some(stmt);
                    }
                }
                None => out.allowed = false,
            }
        }
        out
    }
}
