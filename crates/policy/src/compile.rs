//! Compiling a validated document into the form the evaluator runs: action and resource
//! patterns, principal entries, condition tests and variable templates are all prepared here,
//! once per policy version, so that a decision only compares.

use crate::conditions::Condition;
use crate::context::RequestContext;
use crate::document::{PolicyDocument, Statement};
use crate::error::PolicyError;
use crate::evaluate::Target;
use crate::json::Position;
use crate::matching::{ArnFields, ArnPattern, NoVars, Pattern};
use crate::principal::{Grant, Principal, PrincipalMatcher};
use crate::validate::parse_document;
use crate::variables::Syntax;
use crate::PolicyKind;

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// A validated policy, ready to evaluate. Compile once (per policy version) and share it: it
/// is immutable, `Send` and `Sync`.
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    id: Box<str>,
    kind: PolicyKind,
    statements: Box<[CompiledStatement]>,
    context_keys: Box<[Box<str>]>,
    document: PolicyDocument,
}

#[derive(Clone, Debug)]
pub(crate) struct CompiledStatement {
    pub effect: Effect,
    pub sid: Option<Box<str>>,
    pub start: Position,
    pub end: Position,
    actions: Patterns,
    /// `None` for trust policies, which have no Resource: the role is the resource.
    resources: Option<Resources>,
    principal: Option<PrincipalMatcher>,
    pub conditions: Box<[Condition]>,
}

#[derive(Clone, Debug)]
struct Patterns {
    negated: bool,
    /// `Action: "*"` (or one of the entries is `*`): checked first, it is the common case.
    any: bool,
    /// The service prefixes the entries name, when none has a wildcard in it: most statements
    /// are then rejected by comparing the request's prefix with a few short strings.
    vendors: Option<Box<[Box<str>]>>,
    /// In lower case: the request's action is lower-cased once per decision.
    patterns: Box<[Pattern]>,
}

#[derive(Clone, Debug)]
struct Resources {
    negated: bool,
    any: bool,
    patterns: Box<[ArnPattern]>,
}

impl CompiledPolicy {
    /// Parses, validates and compiles `text` as a policy of `kind`. `id` names the policy in
    /// decisions (a policy ARN, `PolicyInputList.1`, an inline policy name...).
    pub fn compile(text: &str, kind: PolicyKind, id: impl Into<String>) -> Result<CompiledPolicy, PolicyError> {
        let document = parse_document(text, kind)?;
        Ok(CompiledPolicy::from_document(document, kind, id))
    }

    /// Compiles a document that already passed [`crate::parse_document`] for `kind`.
    pub fn from_document(document: PolicyDocument, kind: PolicyKind, id: impl Into<String>) -> CompiledPolicy {
        // Version 2008-10-17, or no Version, turns policy variables off [VER].
        let variables = document.version.as_deref() == Some("2012-10-17");
        let statements: Box<[CompiledStatement]> =
            document.statements.iter().map(|s| CompiledStatement::new(s, kind, variables)).collect();
        let context_keys = collect_context_keys(&statements, &document);
        let id: String = id.into();
        CompiledPolicy { id: id.into(), kind, statements, context_keys, document }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The document as written (it prints back to JSON with `Display`).
    pub fn document(&self) -> &PolicyDocument {
        &self.document
    }

    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// The context keys the policy reads (condition keys and policy variables), as written,
    /// in document order, each once (GetContextKeysForCustomPolicy).
    pub fn context_keys(&self) -> &[Box<str>] {
        &self.context_keys
    }

    pub(crate) fn statements(&self) -> &[CompiledStatement] {
        &self.statements
    }

    /// Whether a statement that could apply to `action` on `resource` reads a context key that starts with one
    /// of `prefixes` (lower case, such as `aws:resourcetag/`), in a condition or a variable. A server looks up
    /// costly keys (a resource's tags) only when some policy could read them for the request at hand: a key no
    /// applicable statement reads cannot change the decision.
    pub fn reads_for(&self, action: &str, resource: &str, ctx: &RequestContext, prefixes: &[&str]) -> bool {
        let mut buf = [0u8; 128];
        let target = Target::new(action, resource, &mut buf);
        let wanted =
            |key: &str| prefixes.iter().any(|p| key.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p)));
        self.statements.iter().any(|s| {
            s.action_matches(&target)
                && s.resource_may_match(&target.resource, ctx)
                && (s.conditions.iter().any(|c| wanted(&c.name) || c.vars().any(|v| wanted(&v.key)))
                    || s.resources
                        .iter()
                        .flat_map(|r| r.patterns.iter().flat_map(ArnPattern::vars))
                        .any(|v| wanted(&v.key)))
        })
    }
}

impl CompiledStatement {
    fn new(s: &Statement, kind: PolicyKind, variables: bool) -> CompiledStatement {
        let effect = if s.effect == "Deny" { Effect::Deny } else { Effect::Allow };
        // Action names take no variables ([VARS]); `*` and `?` are wildcards.
        let action_syntax = Syntax { wildcards: true, variables: false };
        let actions = match &s.action {
            Some(a) => {
                let values: Vec<String> = a.values.as_slice().iter().map(|v| v.to_ascii_lowercase()).collect();
                let mut vendors: Option<Vec<Box<str>>> = Some(Vec::new());
                for v in &values {
                    match v.split_once(':') {
                        Some((vendor, _)) if !vendor.contains(['*', '?']) => {
                            if let Some(list) = vendors.as_mut().filter(|l| !l.iter().any(|x| **x == *vendor)) {
                                list.push(vendor.into());
                            }
                        }
                        _ => vendors = None,
                    }
                    if vendors.is_none() {
                        break;
                    }
                }
                Patterns {
                    negated: a.negated,
                    any: values.iter().any(|v| v == "*"),
                    vendors: vendors.map(Vec::into_boxed_slice),
                    patterns: values.iter().map(|v| Pattern::new(v, action_syntax)).collect(),
                }
            }
            None => Patterns { negated: false, any: false, vendors: None, patterns: Box::new([]) },
        };
        let resources = match (&s.resource, kind) {
            (_, PolicyKind::Trust) => None,
            (Some(r), _) => {
                let values = r.values.as_slice();
                Some(Resources {
                    negated: r.negated,
                    any: values.iter().any(|v| v == "*"),
                    patterns: values.iter().map(|v| ArnPattern::new(v, variables, true)).collect(),
                })
            }
            (None, _) => Some(Resources { negated: false, any: false, patterns: Box::new([]) }),
        };
        let principal = s.principal.as_ref().map(|p| PrincipalMatcher::new(p.negated, &p.value));
        let conditions = s
            .condition
            .iter()
            .flatten()
            .flat_map(|b| b.entries.iter().filter_map(move |e| Condition::compile(&b.operator, e, variables)))
            .collect();
        CompiledStatement {
            effect,
            sid: s.sid.as_deref().map(Into::into),
            start: s.start,
            end: s.end,
            actions,
            resources,
            principal,
            conditions,
        }
    }

    pub(crate) fn action_matches(&self, t: &Target<'_>) -> bool {
        let a = &self.actions;
        let hit = a.any
            || (a.vendors.as_ref().is_none_or(|v| v.iter().any(|v| v.eq_ignore_ascii_case(t.vendor)))
                && a.patterns.iter().any(|p| p.matches(t.action, t.action_case, &NoVars)));
        hit != a.negated
    }

    /// An entry whose variable has no value matches nothing, so under `NotResource` it
    /// excludes nothing.
    pub(crate) fn resource_matches(&self, resource: &ArnFields<'_>, ctx: &RequestContext) -> bool {
        let Some(r) = &self.resources else { return true };
        let hit = r.any || r.patterns.iter().any(|p| p.matches(resource, ctx));
        hit != r.negated
    }

    /// The resource matches, or would if its variables had values: the statement then
    /// needs those keys, which SimulateCustomPolicy lists as missing.
    pub(crate) fn resource_may_match(&self, resource: &ArnFields<'_>, ctx: &RequestContext) -> bool {
        self.resource_matches(resource, ctx)
            || self.resources.as_ref().is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p.unresolved(ctx)))
    }

    /// `Some(grant)` when the statement's principal element (if any) covers `p`.
    pub(crate) fn principal_grant(&self, p: &Principal<'_>, has_boundary: bool) -> Option<Grant> {
        match &self.principal {
            None => Some(Grant::Direct),
            Some(m) => m.grant(p, self.effect == Effect::Deny && has_boundary),
        }
    }

    pub(crate) fn conditions_hold(&self, ctx: &RequestContext) -> bool {
        self.conditions.iter().all(|c| c.eval(ctx))
    }

    /// Keys the statement needs that the request lacks: condition keys and the keys of
    /// variables without a value or default (SimulateCustomPolicy's MissingContextValues).
    pub(crate) fn missing_keys<'s>(&'s self, ctx: &'s RequestContext) -> impl Iterator<Item = &'s str> + 's {
        use crate::matching::VarSource;
        let vars = self
            .resources
            .iter()
            .flat_map(|r| r.patterns.iter().flat_map(ArnPattern::vars))
            .chain(self.conditions.iter().flat_map(|c| c.vars()))
            .filter(move |v| v.default.is_none() && ctx.var(v).is_none())
            .map(|v| &*v.name);
        let keys = self.conditions.iter().filter(move |c| c.key_missing(ctx)).map(|c| &*c.name);
        vars.chain(keys)
    }
}

/// Condition keys and variable keys in the order they appear in the document.
fn collect_context_keys(statements: &[CompiledStatement], doc: &PolicyDocument) -> Box<[Box<str>]> {
    let mut found: Vec<(Position, &str)> = Vec::new();
    for (c, s) in statements.iter().zip(&doc.statements) {
        if let (Some(r), Some(el)) = (&c.resources, &s.resource) {
            for v in r.patterns.iter().flat_map(ArnPattern::vars) {
                found.push((el.pos, &v.name));
            }
        }
        for cond in c.conditions.iter() {
            found.push((cond.key_pos, &cond.name));
            for v in cond.vars() {
                found.push((cond.key_pos, &v.name));
            }
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    let mut out: Vec<Box<str>> = Vec::new();
    for (_, name) in found {
        if !out.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            out.push(name.into());
        }
    }
    out.into()
}

#[cfg(test)]
mod reads_for_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_statements_that_could_apply_count() {
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:Get*","Resource":"arn:aws:iam::*:role/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"x"}}},
            {"Effect":"Allow","Action":"iam:ListUsers","Resource":"arn:aws:iam::*:user/${iam:ResourceTag/owner}"}]}"#;
        let p = CompiledPolicy::compile(text, PolicyKind::Identity, "p").unwrap();
        let ctx = RequestContext::new();
        let tags = ["aws:resourcetag/", "iam:resourcetag/"];
        assert!(p.reads_for("iam:GetRole", "arn:aws:iam::1:role/r", &ctx, &tags));
        assert!(!p.reads_for("iam:GetUser", "arn:aws:iam::1:user/u", &ctx, &tags));
        assert!(!p.reads_for("iam:GetRole", "arn:aws:iam::1:role/r", &ctx, &["aws:sourceip"]));
        // A variable in the resource counts, even unresolved.
        assert!(p.reads_for("iam:ListUsers", "arn:aws:iam::1:user/u", &ctx, &tags));
    }
}
