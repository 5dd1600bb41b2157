//! The delegation family: partner delegation requests, role templates (AcquireRole) and GetHumanReadableSummary,
//! answered as AWS answers an account that is not onboarded (domain::not_offered_here).

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::DelegationApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::not_offered_here as here;

impl DelegationApi for Gatehouse {
    async fn create_delegation_request(
        &self,
        ctx: &Ctx,
        _input: iam::CreateDelegationRequestRequest,
    ) -> Result<iam::CreateDelegationRequestResponse, AwsError> {
        Err(here::create_delegation_request(ctx))
    }

    async fn get_delegation_request(
        &self,
        ctx: &Ctx,
        input: iam::GetDelegationRequestRequest,
    ) -> Result<iam::GetDelegationRequestResponse, AwsError> {
        Err(here::delegation_request(ctx, &input.delegation_request_id))
    }

    async fn list_delegation_requests(
        &self,
        ctx: &Ctx,
        _input: iam::ListDelegationRequestsRequest,
    ) -> Result<iam::ListDelegationRequestsResponse, AwsError> {
        here::list_delegation_requests(ctx)?;
        Ok(iam::ListDelegationRequestsResponse {
            delegation_requests: Some(Vec::new()),
            marker: None,
            is_truncated: Some(false),
        })
    }

    async fn accept_delegation_request(
        &self,
        ctx: &Ctx,
        input: iam::AcceptDelegationRequestRequest,
    ) -> Result<(), AwsError> {
        Err(here::delegation_request(ctx, &input.delegation_request_id))
    }

    async fn reject_delegation_request(
        &self,
        ctx: &Ctx,
        input: iam::RejectDelegationRequestRequest,
    ) -> Result<(), AwsError> {
        Err(here::delegation_request(ctx, &input.delegation_request_id))
    }

    async fn associate_delegation_request(
        &self,
        ctx: &Ctx,
        input: iam::AssociateDelegationRequestRequest,
    ) -> Result<(), AwsError> {
        Err(here::delegation_request(ctx, &input.delegation_request_id))
    }

    async fn update_delegation_request(
        &self,
        ctx: &Ctx,
        input: iam::UpdateDelegationRequestRequest,
    ) -> Result<(), AwsError> {
        Err(here::delegation_request(ctx, &input.delegation_request_id))
    }

    async fn send_delegation_token(&self, ctx: &Ctx, input: iam::SendDelegationTokenRequest) -> Result<(), AwsError> {
        Err(here::delegation_request(ctx, &input.delegation_request_id))
    }

    async fn get_human_readable_summary(
        &self,
        ctx: &Ctx,
        input: iam::GetHumanReadableSummaryRequest,
    ) -> Result<iam::GetHumanReadableSummaryResponse, AwsError> {
        Err(here::human_readable_summary(ctx, &input.entity_arn))
    }

    async fn acquire_role(
        &self,
        ctx: &Ctx,
        input: iam::AcquireRoleRequest,
    ) -> Result<iam::AcquireRoleResponse, AwsError> {
        Err(here::role_template(ctx, &input.template_arn))
    }
}
