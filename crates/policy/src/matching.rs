//! Glob and ARN matching, prepared at compile time and run without allocating.
//!
//! `[ACT]`/`[RES]` elements_action, elements_resource: `*` matches any run of characters and `?`
//! exactly one, against the whole string; Action ignores case, Resource does not. ARNs match
//! segment by segment on the six colon-separated fields, so `*` never crosses a `:` before the
//! resource field (`[OPS]` "Amazon Resource Name (ARN) condition operators").

use crate::variables::{tokenize, Syntax, Tok, VarRef};

/// Gives the request's value of a policy variable; `None` when the key has no single value.
pub(crate) trait VarSource {
    fn var(&self, v: &VarRef) -> Option<&str>;
}

/// No request: every variable is unresolved (used where variables cannot occur).
pub(crate) struct NoVars;

impl VarSource for NoVars {
    fn var(&self, _: &VarRef) -> Option<&str> {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    Sensitive,
    /// ASCII letters compare without case (action names).
    AsciiInsensitive,
}

/// A compiled glob pattern with a fast path for the common shapes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    toks: Box<[Tok]>,
    shape: Shape,
}

#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// `*` alone.
    Any,
    /// No wildcard and no variable.
    Exact(Box<str>),
    /// Literal text followed by one `*`.
    Prefix(Box<str>),
    General,
}

impl Pattern {
    pub(crate) fn new(text: &str, syntax: Syntax) -> Pattern {
        Pattern::from_toks(tokenize(text, syntax))
    }

    pub(crate) fn from_toks(toks: Vec<Tok>) -> Pattern {
        let shape = match toks.as_slice() {
            [Tok::Star] => Shape::Any,
            [] => Shape::Exact("".into()),
            [Tok::Text(t)] => Shape::Exact(t.clone()),
            [Tok::Text(t), Tok::Star] => Shape::Prefix(t.clone()),
            _ => Shape::General,
        };
        Pattern { toks: toks.into_boxed_slice(), shape }
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = &VarRef> {
        self.toks.iter().filter_map(|t| match t {
            Tok::Var(v) => Some(v),
            _ => None,
        })
    }

    /// A variable without a value makes the pattern match nothing (and so a negated operator
    /// treats it as not matching): a successful match visits every token, so failing on the
    /// first unresolved variable met is the same as refusing the pattern outright.
    pub(crate) fn matches(&self, subject: &str, case: Case, vars: &impl VarSource) -> bool {
        match &self.shape {
            Shape::Any => true,
            Shape::Exact(t) => eq(subject, t, case),
            Shape::Prefix(t) => starts_with(subject, t, case),
            Shape::General => glob_toks(&self.toks, subject, case, vars),
        }
    }

    /// Some variable of the pattern has neither a value nor a default.
    pub(crate) fn unresolved(&self, vars: &impl VarSource) -> bool {
        self.vars().any(|v| resolve(v, vars).is_none())
    }
}

fn resolve<'a>(v: &'a VarRef, vars: &'a impl VarSource) -> Option<&'a str> {
    vars.var(v).or(v.default.as_deref())
}

fn eq(a: &str, b: &str, case: Case) -> bool {
    match case {
        Case::Sensitive => a == b,
        Case::AsciiInsensitive => a.eq_ignore_ascii_case(b),
    }
}

/// `text` occurs in `subject` at byte `at`.
fn matches_at(subject: &str, at: usize, text: &str, case: Case) -> bool {
    subject.get(at..).and_then(|s| s.get(..text.len())).is_some_and(|s| eq(s, text, case))
}

fn starts_with(subject: &str, text: &str, case: Case) -> bool {
    matches_at(subject, 0, text, case)
}

/// Glob over tokens with one backtrack point at the last `*` (linear for the usual shapes,
/// at worst len(pattern) × len(subject); never allocates).
fn glob_toks(toks: &[Tok], subject: &str, case: Case, vars: &impl VarSource) -> bool {
    let (mut ti, mut si) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    loop {
        let step = match toks.get(ti) {
            Some(Tok::Star) => {
                back = Some((ti + 1, si));
                ti += 1;
                continue;
            }
            Some(Tok::Quest) => subject.get(si..).and_then(|s| s.chars().next()).map(char::len_utf8),
            Some(Tok::Text(t)) => matches_at(subject, si, t, case).then_some(t.len()),
            Some(Tok::Var(v)) => match resolve(v, vars) {
                Some(t) => matches_at(subject, si, t, case).then_some(t.len()),
                None => return false,
            },
            None if si == subject.len() => return true,
            None => None,
        };
        if let Some(n) = step {
            si += n;
            ti += 1;
            continue;
        }
        // Mismatch: let the last `*` swallow one more character.
        let Some((bti, bsi)) = back else { return false };
        let Some(c) = subject.get(bsi..).and_then(|s| s.chars().next()) else { return false };
        let nsi = bsi + c.len_utf8();
        back = Some((bti, nsi));
        ti = bti;
        si = nsi;
    }
}

/// A plain glob without variables (validation helpers and tests).
pub(crate) fn glob(pattern: &str, subject: &str) -> bool {
    Pattern::new(pattern, Syntax { wildcards: true, variables: false }).matches(subject, Case::Sensitive, &NoVars)
}

/// Case-insensitive equality over Unicode, the way `StringEqualsIgnoreCase` compares.
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
        || a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// The six fields of an ARN; the resource field keeps any further colons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub(crate) fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut it = s.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: it.next()?,
            service: it.next()?,
            region: it.next()?,
            account: it.next()?,
            resource: it.next()?,
        })
    }
}

/// A subject split into its (up to) six ARN fields once, reused for every pattern: the
/// request's resource is split once per decision, not once per statement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArnFields<'a> {
    raw: &'a str,
    fields: [&'a str; 6],
    count: usize,
}

impl<'a> ArnFields<'a> {
    pub(crate) fn split(s: &'a str) -> ArnFields<'a> {
        let mut fields = [""; 6];
        let mut count = 0;
        let mut rest = s;
        for slot in fields.iter_mut() {
            count += 1;
            if count == 6 {
                *slot = rest;
                break;
            }
            // A byte scan: faster than `str::find` on strings this short.
            match rest.bytes().position(|b| b == b':') {
                Some(i) => {
                    *slot = rest.get(..i).unwrap_or("");
                    rest = rest.get(i + 1..).unwrap_or("");
                }
                None => {
                    *slot = rest;
                    break;
                }
            }
        }
        ArnFields { raw: s, fields, count }
    }

    fn field(&self, i: usize) -> Option<&'a str> {
        self.fields.get(..self.count).and_then(|f| f.get(i)).copied()
    }

    /// The subject from the start of field `i` to its end, colons included.
    fn rest_from(&self, i: usize) -> Option<&'a str> {
        let field = self.field(i)?;
        let offset = (field.as_ptr() as usize).checked_sub(self.raw.as_ptr() as usize)?;
        self.raw.get(offset..)
    }
}

/// A Resource entry or an Arn-operator value, compiled into per-field patterns.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ArnPattern {
    /// `*`: every resource.
    Any,
    /// Up to six field patterns; the last one takes the rest of the subject, colons included.
    /// `prefix` is the literal text before the first wildcard or variable: a subject that does
    /// not start with it cannot match, which rejects most entries with one comparison.
    /// `open_tail`: a Resource entry of fewer than six fields whose last field ends in `*`,
    /// which may then run on over the remaining fields.
    Fields { prefix: Box<str>, fields: Box<[Pattern]>, open_tail: bool },
}

impl ArnPattern {
    /// `resource`: the pattern is a Resource entry, where `[RES]` lets a `*` that ends an ARN
    /// segment match beyond the colons ("arn:aws:s3:*" covers every S3 ARN). Arn operators
    /// compare the six fields strictly (`[OPS]`).
    pub(crate) fn new(text: &str, variables: bool, resource: bool) -> ArnPattern {
        let toks = tokenize(text, Syntax { wildcards: true, variables });
        if toks == [Tok::Star] {
            return ArnPattern::Any;
        }
        let prefix = match toks.first() {
            Some(Tok::Text(t)) => t.clone(),
            _ => "".into(),
        };
        // Split on colons of literal text only: `${aws:username}` holds a colon of its own.
        let mut fields: Vec<Vec<Tok>> = vec![Vec::new()];
        for tok in toks {
            match tok {
                Tok::Text(t) if fields.len() < 6 && t.contains(':') => {
                    let mut rest: &str = &t;
                    while fields.len() < 6 {
                        let Some((head, tail)) = rest.split_once(':') else { break };
                        push_text(&mut fields, head);
                        fields.push(Vec::new());
                        rest = tail;
                    }
                    push_text(&mut fields, rest);
                }
                other => {
                    if let Some(last) = fields.last_mut() {
                        last.push(other);
                    }
                }
            }
        }
        let open_tail = resource && fields.len() < 6 && fields.last().is_some_and(|f| f.last() == Some(&Tok::Star));
        ArnPattern::Fields { prefix, fields: fields.into_iter().map(Pattern::from_toks).collect(), open_tail }
    }

    /// A variable without a value makes the entry match nothing.
    pub(crate) fn matches(&self, subject: &ArnFields<'_>, vars: &impl VarSource) -> bool {
        let (prefix, fields, open_tail) = match self {
            ArnPattern::Any => return true,
            ArnPattern::Fields { prefix, fields, open_tail } => (prefix, fields, *open_tail),
        };
        if !subject.raw.starts_with(&**prefix) {
            return false;
        }
        if open_tail && subject.count > fields.len() {
            let last = fields.len().saturating_sub(1);
            return fields.iter().enumerate().all(|(i, pattern)| {
                let part = if i == last { subject.rest_from(i) } else { subject.field(i) };
                part.is_some_and(|part| pattern.matches(part, Case::Sensitive, vars))
            });
        }
        // Otherwise field counts must agree.
        subject.count == fields.len()
            && fields
                .iter()
                .enumerate()
                .all(|(i, pattern)| subject.field(i).is_some_and(|part| pattern.matches(part, Case::Sensitive, vars)))
    }

    pub(crate) fn unresolved(&self, vars: &impl VarSource) -> bool {
        match self {
            ArnPattern::Any => false,
            ArnPattern::Fields { fields, .. } => fields.iter().any(|p| p.unresolved(vars)),
        }
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = &VarRef> {
        let fields: &[Pattern] = match self {
            ArnPattern::Any => &[],
            ArnPattern::Fields { fields, .. } => fields,
        };
        fields.iter().flat_map(Pattern::vars)
    }
}

fn push_text(fields: &mut [Vec<Tok>], text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(last) = fields.last_mut() {
        if let Some(Tok::Text(prev)) = last.last_mut() {
            let mut joined = String::with_capacity(prev.len() + text.len());
            joined.push_str(prev);
            joined.push_str(text);
            *prev = joined.into_boxed_str();
        } else {
            last.push(Tok::Text(text.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vars(&'static [(&'static str, &'static str)]);
    impl VarSource for Vars {
        fn var(&self, v: &VarRef) -> Option<&str> {
            self.0.iter().find(|(k, _)| *k == &*v.key).map(|(_, val)| *val)
        }
    }

    const LIKE: Syntax = Syntax { wildcards: true, variables: true };

    #[test]
    fn glob_basics() {
        assert!(glob("*", ""));
        assert!(glob("a*c", "abbbc"));
        assert!(glob("a*c", "ac"));
        assert!(!glob("a*c", "acb"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("a?c", "a\u{e9}c"), "? is one character, not one byte");
        assert!(glob("*a*b*", "xxaxxbxx"));
        assert!(!glob("*a*b", "xxaxxbxxc"));
        assert!(glob("bucket/*", "bucket/a/b"));
        assert!(!glob("abc", "ABC"));
    }

    #[test]
    fn action_matching_ignores_ascii_case() {
        let p = Pattern::new("iam:List*", LIKE);
        assert!(p.matches("IAM:listaccesskeys", Case::AsciiInsensitive, &NoVars));
        let p = Pattern::new("s3:*", LIKE);
        assert!(!p.matches("s3express:CreateSession", Case::AsciiInsensitive, &NoVars));
    }

    #[test]
    fn variables_resolve_or_void_the_pattern() {
        let vars = Vars(&[("aws:username", "alice")]);
        let p = Pattern::new("home/${aws:username}/*", LIKE);
        assert!(p.matches("home/alice/x", Case::Sensitive, &vars));
        assert!(!p.matches("home/bob/x", Case::Sensitive, &vars));
        assert!(!p.matches("home/alice/x", Case::Sensitive, &NoVars));
        assert!(p.unresolved(&NoVars) && !p.unresolved(&vars));
        let d = Pattern::new("team-${aws:PrincipalTag/team, 'all'}", LIKE);
        assert!(d.matches("team-all", Case::Sensitive, &NoVars));
        // A value with wildcard characters is literal text, not a pattern.
        let star = Vars(&[("k", "*")]);
        let p = Pattern::new("a${k}", LIKE);
        assert!(!p.matches("abc", Case::Sensitive, &star));
        assert!(p.matches("a*", Case::Sensitive, &star));
    }

    #[test]
    fn arn_fields_do_not_let_star_cross_colons() {
        let p = ArnPattern::new("arn:aws:s3:::bucket/*", true, true);
        assert!(p.matches(&ArnFields::split("arn:aws:s3:::bucket/a:b/c"), &NoVars));
        assert!(!p.matches(&ArnFields::split("arn:aws:s3:::other/a"), &NoVars));
        let p = ArnPattern::new("arn:aws:iam::*:user/*", true, true);
        assert!(p.matches(&ArnFields::split("arn:aws:iam::123456789012:user/alice"), &NoVars));
        // `*` in the account field may not swallow the colon and the next field.
        let p = ArnPattern::new("arn:aws:iam::*", true, false);
        assert!(!p.matches(&ArnFields::split("arn:aws:iam::123456789012:user/alice"), &NoVars));
        assert!(
            glob("arn:aws:iam::*", "arn:aws:iam::123456789012:user/alice"),
            "StringLike can match where ArnLike fails"
        );
        assert!(ArnPattern::new("*", true, false).matches(&ArnFields::split("anything"), &NoVars));
        // In a Resource element a `*` ending a segment runs on over the colons [RES].
        let open = ArnPattern::new("arn:aws:iam::*", true, true);
        assert!(open.matches(&ArnFields::split("arn:aws:iam::123456789012:user/alice"), &NoVars));
        let s3 = ArnPattern::new("arn:aws:s3:*", true, true);
        assert!(s3.matches(&ArnFields::split("arn:aws:s3:::bucket/key"), &NoVars));
        assert!(!s3.matches(&ArnFields::split("arn:aws:sqs:us-east-1:1:q"), &NoVars));
        // ... but not a `*` inside a segment.
        let inner = ArnPattern::new("arn:aws:s3:*x", true, true);
        assert!(!inner.matches(&ArnFields::split("arn:aws:s3:::bucket/key"), &NoVars));
        let vars = Vars(&[("aws:username", "bob")]);
        let p = ArnPattern::new("arn:aws:iam::*:user/${aws:username}", true, true);
        assert!(p.matches(&ArnFields::split("arn:aws:iam::1:user/bob"), &vars));
        assert!(!p.matches(&ArnFields::split("arn:aws:iam::1:user/bob"), &NoVars));
    }

    #[test]
    fn arn_parse() {
        let a = Arn::parse("arn:aws:sts::123:assumed-role/r/s:x").unwrap();
        assert_eq!((a.service, a.account, a.resource), ("sts", "123", "assumed-role/r/s:x"));
        assert!(Arn::parse("arn:aws:iam").is_none());
        assert!(Arn::parse("nope:aws:iam::1:root").is_none());
    }

    #[test]
    fn ignore_case_is_unicode_aware() {
        assert!(eq_ignore_case("ÉCOLE", "école"));
        assert!(!eq_ignore_case("a", "b"));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        /// The definition: `*` any run, `?` one character, everything else itself.
        fn naive(p: &[char], s: &[char]) -> bool {
            match p.split_first() {
                None => s.is_empty(),
                Some(('*', rest)) => (0..=s.len()).any(|i| naive(rest, &s[i..])),
                Some(('?', rest)) => !s.is_empty() && naive(rest, &s[1..]),
                Some((c, rest)) => s.first() == Some(c) && naive(rest, &s[1..]),
            }
        }

        fn chars(s: &str) -> Vec<char> {
            s.chars().collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn glob_matches_the_definition(p in "[ab*?/é]{0,8}", s in "[ab/é]{0,10}") {
                prop_assert_eq!(glob(&p, &s), naive(&chars(&p), &chars(&s)));
            }

            #[test]
            fn action_case_is_ignored(p in "[a-zA-Z*?]{0,6}", s in "[a-zA-Z]{0,8}") {
                let pattern = Pattern::new(&p, Syntax { wildcards: true, variables: false });
                let want = naive(&chars(&p.to_ascii_lowercase()), &chars(&s.to_ascii_lowercase()));
                prop_assert_eq!(pattern.matches(&s, Case::AsciiInsensitive, &NoVars), want);
            }

            /// ARN matching is the conjunction of per-field globs over the six fields.
            #[test]
            fn arn_matching_is_per_field(
                pf in proptest::collection::vec("[ab*?]{0,3}", 5),
                last in "[ab*?:/]{0,5}",
                sf in proptest::collection::vec("[ab]{0,3}", 5),
                slast in "[ab:/]{0,5}",
            ) {
                let pattern = format!("{}:{last}", pf.join(":"));
                let subject = format!("{}:{slast}", sf.join(":"));
                let want = pf.iter().zip(&sf).all(|(p, s)| naive(&chars(p), &chars(s)))
                    && naive(&chars(&last), &chars(&slast));
                let got = ArnPattern::new(&pattern, false, false).matches(&ArnFields::split(&subject), &NoVars);
                let want = if pattern == "*" { true } else { want };
                prop_assert_eq!(got, want, "{} vs {}", pattern, subject);
            }

            /// A variable's value is literal text, never a pattern.
            #[test]
            fn variables_substitute_literally(v in "[ab*?]{0,4}", s in "[ab*?]{0,6}") {
                struct One(String);
                impl VarSource for One {
                    fn var(&self, _: &VarRef) -> Option<&str> { Some(&self.0) }
                }
                let p = Pattern::new("a${k}*", Syntax { wildcards: true, variables: true });
                let want = s.starts_with(&format!("a{v}"));
                prop_assert_eq!(p.matches(&s, Case::Sensitive, &One(v.clone())), want);
            }
        }
    }
}
