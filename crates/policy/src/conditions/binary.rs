//! `BinaryEquals` `[OPS]`: the policy value is base64; the bytes are compared.

use crate::context::ContextValue;
use crate::document::Scalar;
use crate::encoding::base64_decode;

#[derive(Clone, Debug)]
pub(crate) struct BinaryTest {
    values: Box<[Option<Box<[u8]>>]>,
}

impl BinaryTest {
    pub(crate) fn new(values: &[Scalar]) -> BinaryTest {
        BinaryTest { values: values.iter().map(|v| base64_decode(v.text()).map(Vec::into_boxed_slice)).collect() }
    }

    pub(crate) fn matches(&self, v: &ContextValue) -> bool {
        let Some(bytes) = v.as_binary() else { return false };
        self.values.iter().flatten().any(|p| **p == *bytes)
    }
}
