//! `DateEquals`, `DateLessThan`, ... `[OPS]`: ISO 8601 or epoch seconds, compared as instants.
//! Literals that do not parse were refused when the policy was validated.

use super::Cmp;
use crate::context::ContextValue;
use crate::document::Scalar;
use crate::time::Timestamp;

#[derive(Clone, Debug)]
pub(crate) struct DateTest {
    values: Box<[Option<Timestamp>]>,
    cmp: Cmp,
}

impl DateTest {
    pub(crate) fn new(values: &[Scalar], cmp: Cmp) -> DateTest {
        DateTest { values: values.iter().map(|v| Timestamp::parse(v.text())).collect(), cmp }
    }

    pub(crate) fn matches(&self, v: &ContextValue) -> bool {
        let Some(t) = v.as_date() else { return false };
        self.values.iter().flatten().any(|&p| self.cmp.holds(t, p))
    }
}
