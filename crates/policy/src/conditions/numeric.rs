//! `NumericEquals`, `NumericLessThan`, ... `[OPS]`: integers or decimals compared as numbers
//! (`10` equals `10.0`). A policy value that is not a number matches nothing; variables are
//! not allowed here, so `${...}` is just text that is not a number.

use super::Cmp;
use crate::context::{parse_number, ContextValue};
use crate::document::Scalar;

#[derive(Clone, Debug)]
pub(crate) struct NumericTest {
    values: Box<[Option<f64>]>,
    cmp: Cmp,
}

impl NumericTest {
    pub(crate) fn new(values: &[Scalar], cmp: Cmp) -> NumericTest {
        NumericTest { values: values.iter().map(|v| parse_number(v.text())).collect(), cmp }
    }

    pub(crate) fn matches(&self, v: &ContextValue) -> bool {
        let Some(n) = v.as_number() else { return false };
        self.values.iter().flatten().any(|&p| self.cmp.holds(n, p))
    }
}
