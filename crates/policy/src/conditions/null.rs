//! `Null` `[OPS]`: `"true"` holds when the key is absent, `"false"` when it is present. A key
//! present with no values (an empty list) counts as absent *(derived)*.

use crate::context::parse_bool;
use crate::document::Scalar;

#[derive(Clone, Debug)]
pub(crate) struct NullTest {
    values: Box<[Option<bool>]>,
}

impl NullTest {
    pub(crate) fn new(values: &[Scalar]) -> NullTest {
        NullTest { values: values.iter().map(|v| parse_bool(v.text())).collect() }
    }

    pub(crate) fn eval(&self, present: bool) -> bool {
        self.values.iter().flatten().any(|&wants_absent| wants_absent != present)
    }
}
