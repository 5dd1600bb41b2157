//! The operations: the generated service traits (one method per IAM and STS operation, answering
//! `NotImplemented` until written) implemented by `Gatehouse`, translating between wire shapes and the domain.

pub mod generated;
mod iam;
mod sts;

use gatehouse_wire::AwsError;

pub use crate::request::Ctx;

/// What an operation that is not written yet answers: an honest 501 naming it, never a fake success. The caller's
/// authorisation is decided first, so a caller who may not call the operation learns that, not that it is missing.
pub fn not_implemented(ctx: &Ctx, operation: &'static str) -> AwsError {
    if ctx.op.authorised {
        if let Err(denied) = ctx.authorize(ctx.op.action, &ctx.default_resource()) {
            return denied;
        }
    }
    AwsError::not_implemented(operation)
}

/// The service: implements `IamApi` and `StsApi`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gatehouse;

/// Milliseconds since the epoch, as the whole seconds IAM reports.
pub(crate) fn timestamp(millis: i64) -> gatehouse_wire::Timestamp {
    gatehouse_wire::Timestamp(millis.div_euclid(1000))
}
