//! `Bool` `[OPS]`: `true` or `false`, case ignored. `[OPS]` allows policy variables here and
//! `[VARS]` says not; accepting them refuses nothing IAM accepts.

use crate::context::{parse_bool, ContextValue, RequestContext};
use crate::document::Scalar;
use crate::matching::VarSource;
use crate::variables::{tokenize, Syntax, Tok, VarRef};

#[derive(Clone, Debug)]
pub(crate) struct BoolTest {
    values: Box<[BoolValue]>,
}

#[derive(Clone, Debug)]
enum BoolValue {
    Fixed(Option<bool>),
    Var(VarRef),
}

impl BoolTest {
    pub(crate) fn new(values: &[Scalar], variables: bool) -> BoolTest {
        let syntax = Syntax { wildcards: false, variables };
        let values = values
            .iter()
            .map(|v| match tokenize(v.text(), syntax).as_slice() {
                [Tok::Var(r)] => BoolValue::Var(r.clone()),
                _ => BoolValue::Fixed(parse_bool(v.text())),
            })
            .collect();
        BoolTest { values }
    }

    pub(crate) fn matches(&self, v: &ContextValue, ctx: &RequestContext) -> bool {
        let Some(b) = v.as_bool() else { return false };
        self.values.iter().any(|p| {
            let want = match p {
                BoolValue::Fixed(f) => *f,
                BoolValue::Var(r) => ctx.var(r).or(r.default.as_deref()).and_then(parse_bool),
            };
            want == Some(b)
        })
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = &VarRef> {
        self.values.iter().filter_map(|v| match v {
            BoolValue::Var(r) => Some(r),
            BoolValue::Fixed(_) => None,
        })
    }
}
