//! STS operations implemented so far.

use gatehouse_wire::sts;
use gatehouse_wire::AwsError;

use super::generated::sts::StsApi;
use super::{Ctx, Gatehouse};

impl StsApi for Gatehouse {
    /// GetCallerIdentity needs no permission: AWS answers it even when an explicit deny covers it.
    async fn get_caller_identity(
        &self,
        ctx: &Ctx,
        _input: sts::GetCallerIdentityRequest,
    ) -> Result<sts::GetCallerIdentityResponse, AwsError> {
        Ok(sts::GetCallerIdentityResponse {
            user_id: Some(ctx.caller.user_id().to_string()),
            account: Some(ctx.caller.account_id.clone()),
            arn: Some(ctx.caller.arn()),
        })
    }
}
