//! STS operations implemented so far.

use gatehouse_wire::sts;
use gatehouse_wire::AwsError;

use super::generated::sts::StsApi;
use super::{Ctx, Gatehouse};
use crate::domain::assume_role;

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

    async fn assume_role(&self, ctx: &Ctx, input: sts::AssumeRoleRequest) -> Result<sts::AssumeRoleResponse, AwsError> {
        let s = assume_role::assume_role(ctx, &input).await?;
        let (size, utilization) = (s.issued.token_size(), s.issued.token_utilization());
        Ok(sts::AssumeRoleResponse {
            credentials: Some(s.issued.credentials()),
            assumed_role_user: Some(sts::AssumedRoleUser { assumed_role_id: s.assumed_role_id, arn: s.arn }),
            packed_policy_size: s.packed_policy_size,
            source_identity: s.source_identity,
            session_token_utilization: Some(utilization),
            session_token_size: Some(size),
        })
    }
}
