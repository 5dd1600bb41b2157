//! `ArnEquals`/`ArnLike` and `ArnNotEquals`/`ArnNotLike` `[OPS]`: each pair behaves the same,
//! case-sensitive, matched field by field so that `*` never crosses a `:`; variables allowed.

use crate::context::{ContextValue, RequestContext};
use crate::document::Scalar;
use crate::matching::{ArnFields, ArnPattern};
use crate::variables::VarRef;

#[derive(Clone, Debug)]
pub(crate) struct ArnTest {
    values: Box<[ArnPattern]>,
}

impl ArnTest {
    pub(crate) fn new(values: &[Scalar], variables: bool) -> ArnTest {
        ArnTest { values: values.iter().map(|v| ArnPattern::new(v.text(), variables, false)).collect() }
    }

    pub(crate) fn matches(&self, v: &ContextValue, ctx: &RequestContext) -> bool {
        let fields = ArnFields::split(v.text());
        self.values.iter().any(|p| p.matches(&fields, ctx))
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = &VarRef> {
        self.values.iter().flat_map(ArnPattern::vars)
    }
}
