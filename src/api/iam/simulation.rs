//! The simulation family: the policy simulator's operations.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::SimulationApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::simulation;

impl SimulationApi for Gatehouse {
    async fn simulate_custom_policy(
        &self,
        ctx: &Ctx,
        input: iam::SimulateCustomPolicyRequest,
    ) -> Result<iam::SimulatePolicyResponse, AwsError> {
        simulation::simulate_custom(ctx, &input)
    }

    async fn simulate_principal_policy(
        &self,
        ctx: &Ctx,
        input: iam::SimulatePrincipalPolicyRequest,
    ) -> Result<iam::SimulatePolicyResponse, AwsError> {
        simulation::simulate_principal(ctx, &input).await
    }

    async fn get_context_keys_for_custom_policy(
        &self,
        ctx: &Ctx,
        input: iam::GetContextKeysForCustomPolicyRequest,
    ) -> Result<iam::GetContextKeysForPolicyResponse, AwsError> {
        simulation::context_keys_for_custom(ctx, &input)
    }

    async fn get_context_keys_for_principal_policy(
        &self,
        ctx: &Ctx,
        input: iam::GetContextKeysForPrincipalPolicyRequest,
    ) -> Result<iam::GetContextKeysForPolicyResponse, AwsError> {
        simulation::context_keys_for_principal(ctx, &input).await
    }
}
