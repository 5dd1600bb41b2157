//! The outbound federation family: EnableOutboundWebIdentityFederation, DisableOutboundWebIdentityFederation and
//! GetOutboundWebIdentityFederationInfo (GetWebIdentityToken is STS's).

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::OutboundFederationApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::outbound_federation;

impl OutboundFederationApi for Gatehouse {
    async fn enable_outbound_web_identity_federation(
        &self,
        ctx: &Ctx,
    ) -> Result<iam::EnableOutboundWebIdentityFederationResponse, AwsError> {
        let issuer = outbound_federation::enable(ctx).await?;
        Ok(iam::EnableOutboundWebIdentityFederationResponse { issuer_identifier: Some(issuer) })
    }

    async fn disable_outbound_web_identity_federation(&self, ctx: &Ctx) -> Result<(), AwsError> {
        outbound_federation::disable(ctx).await
    }

    async fn get_outbound_web_identity_federation_info(
        &self,
        ctx: &Ctx,
    ) -> Result<iam::GetOutboundWebIdentityFederationInfoResponse, AwsError> {
        let (issuer, enabled) = outbound_federation::info(ctx).await?;
        Ok(iam::GetOutboundWebIdentityFederationInfoResponse {
            issuer_identifier: Some(issuer),
            jwt_vending_enabled: Some(enabled),
        })
    }
}
