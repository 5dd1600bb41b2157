//! `StringEquals`, `StringEqualsIgnoreCase`, `StringLike` and their negations `[OPS]`.
//! Equals compares exactly (a `*` is a literal character); Like adds `*` and `?`; all three
//! accept policy variables.

use crate::context::{ContextValue, RequestContext};
use crate::document::Scalar;
use crate::matching::{eq_ignore_case, Case, Pattern, VarSource};
use crate::variables::{tokenize, Syntax, Tok, VarRef};

#[derive(Clone, Debug)]
pub(crate) struct StringTest {
    values: Box<[Pattern]>,
    /// For `...IgnoreCase`: the raw tokens (the comparison folds case over resolved text).
    ignore_case: Option<Box<[Box<[Tok]>]>>,
}

impl StringTest {
    pub(crate) fn equals(values: &[Scalar], ignore_case: bool, variables: bool) -> StringTest {
        let syntax = Syntax { wildcards: false, variables };
        let toks: Vec<Vec<Tok>> = values.iter().map(|v| tokenize(v.text(), syntax)).collect();
        StringTest {
            values: toks.iter().cloned().map(Pattern::from_toks).collect(),
            ignore_case: ignore_case.then(|| toks.into_iter().map(Vec::into_boxed_slice).collect()),
        }
    }

    pub(crate) fn like(values: &[Scalar], variables: bool) -> StringTest {
        let syntax = Syntax { wildcards: true, variables };
        StringTest { values: values.iter().map(|v| Pattern::new(v.text(), syntax)).collect(), ignore_case: None }
    }

    pub(crate) fn matches(&self, v: &ContextValue, ctx: &RequestContext) -> bool {
        match &self.ignore_case {
            Some(all) => all.iter().any(|toks| eq_ignore_case_toks(toks, v.text(), ctx)),
            None => self.values.iter().any(|p| p.matches(v.text(), Case::Sensitive, ctx)),
        }
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = &VarRef> {
        self.values.iter().flat_map(Pattern::vars)
    }
}

/// Case-folded comparison of a template (literal text and variables) with `subject`.
fn eq_ignore_case_toks(toks: &[Tok], subject: &str, ctx: &RequestContext) -> bool {
    if let [Tok::Text(t)] = toks {
        return eq_ignore_case(t, subject);
    }
    let mut pieces: [&str; 8] = [""; 8];
    let mut n = 0;
    for t in toks {
        let piece = match t {
            Tok::Text(t) => &**t,
            Tok::Var(v) => match ctx.var(v).or(v.default.as_deref()) {
                Some(s) => s,
                None => return false,
            },
            Tok::Star | Tok::Quest => return false,
        };
        match pieces.get_mut(n) {
            Some(slot) => *slot = piece,
            // More than eight pieces: rare enough to compare the slow way.
            None => return eq_ignore_case_slow(toks, subject, ctx),
        }
        n += 1;
    }
    let used = pieces.get(..n).unwrap_or(&[]);
    used.iter().flat_map(|p| p.chars()).flat_map(char::to_lowercase).eq(subject.chars().flat_map(char::to_lowercase))
}

fn eq_ignore_case_slow(toks: &[Tok], subject: &str, ctx: &RequestContext) -> bool {
    let text = toks.iter().map(|t| match t {
        Tok::Text(t) => &**t,
        Tok::Var(v) => ctx.var(v).or(v.default.as_deref()).unwrap_or(""),
        Tok::Star | Tok::Quest => "",
    });
    text.flat_map(str::chars).flat_map(char::to_lowercase).eq(subject.chars().flat_map(char::to_lowercase))
}
