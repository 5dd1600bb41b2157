//! STS operations implemented so far.

use gatehouse_wire::sts;
use gatehouse_wire::AwsError;

use super::generated::sts::StsApi;
use super::{Ctx, Gatehouse};
use crate::domain::{assume_role, not_issued_here, outbound_federation, saml_federation, user_sessions, web_identity};

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

    async fn get_session_token(
        &self,
        ctx: &Ctx,
        input: sts::GetSessionTokenRequest,
    ) -> Result<sts::GetSessionTokenResponse, AwsError> {
        let issued = user_sessions::get_session_token(ctx, &input).await?;
        Ok(sts::GetSessionTokenResponse {
            session_token_utilization: Some(issued.token_utilization()),
            session_token_size: Some(issued.token_size()),
            credentials: Some(issued.credentials()),
        })
    }

    async fn get_federation_token(
        &self,
        ctx: &Ctx,
        input: sts::GetFederationTokenRequest,
    ) -> Result<sts::GetFederationTokenResponse, AwsError> {
        let s = user_sessions::get_federation_token(ctx, &input).await?;
        Ok(sts::GetFederationTokenResponse {
            session_token_utilization: Some(s.issued.token_utilization()),
            session_token_size: Some(s.issued.token_size()),
            credentials: Some(s.issued.credentials()),
            federated_user: Some(sts::FederatedUser { federated_user_id: s.federated_user_id, arn: s.arn }),
            packed_policy_size: Some(s.packed_policy_size),
        })
    }

    async fn get_access_key_info(
        &self,
        ctx: &Ctx,
        input: sts::GetAccessKeyInfoRequest,
    ) -> Result<sts::GetAccessKeyInfoResponse, AwsError> {
        let account = not_issued_here::get_access_key_info(ctx, &input.access_key_id).await?;
        Ok(sts::GetAccessKeyInfoResponse { account: Some(account) })
    }

    async fn decode_authorization_message(
        &self,
        ctx: &Ctx,
        _input: sts::DecodeAuthorizationMessageRequest,
    ) -> Result<sts::DecodeAuthorizationMessageResponse, AwsError> {
        not_issued_here::decode_authorization_message(ctx)
    }

    async fn get_delegated_access_token(
        &self,
        ctx: &Ctx,
        _input: sts::GetDelegatedAccessTokenRequest,
    ) -> Result<sts::GetDelegatedAccessTokenResponse, AwsError> {
        not_issued_here::get_delegated_access_token(ctx)
    }

    async fn assume_root(&self, ctx: &Ctx, input: sts::AssumeRootRequest) -> Result<sts::AssumeRootResponse, AwsError> {
        not_issued_here::assume_root(ctx, &input)
    }

    async fn assume_role_with_web_identity(
        &self,
        ctx: &Ctx,
        input: sts::AssumeRoleWithWebIdentityRequest,
    ) -> Result<sts::AssumeRoleWithWebIdentityResponse, AwsError> {
        let w = web_identity::assume_role_with_web_identity(ctx, &input).await?;
        let s = w.session;
        Ok(sts::AssumeRoleWithWebIdentityResponse {
            session_token_utilization: Some(s.issued.token_utilization()),
            session_token_size: Some(s.issued.token_size()),
            credentials: Some(s.issued.credentials()),
            subject_from_web_identity_token: Some(w.subject),
            assumed_role_user: Some(sts::AssumedRoleUser { assumed_role_id: s.assumed_role_id, arn: s.arn }),
            packed_policy_size: s.packed_policy_size,
            provider: Some(w.provider),
            audience: Some(w.audience),
            source_identity: s.source_identity,
        })
    }

    async fn get_web_identity_token(
        &self,
        ctx: &Ctx,
        input: sts::GetWebIdentityTokenRequest,
    ) -> Result<sts::GetWebIdentityTokenResponse, AwsError> {
        let (token, exp) = outbound_federation::get_web_identity_token(ctx, &input).await?;
        Ok(sts::GetWebIdentityTokenResponse {
            web_identity_token: Some(gatehouse_wire::Secret::new(token)),
            expiration: Some(gatehouse_wire::Timestamp(exp)),
        })
    }

    async fn assume_role_with_saml(
        &self,
        ctx: &Ctx,
        input: sts::AssumeRoleWithSAMLRequest,
    ) -> Result<sts::AssumeRoleWithSAMLResponse, AwsError> {
        let w = saml_federation::assume_role_with_saml(ctx, &input).await?;
        let s = w.session;
        Ok(sts::AssumeRoleWithSAMLResponse {
            session_token_utilization: Some(s.issued.token_utilization()),
            session_token_size: Some(s.issued.token_size()),
            credentials: Some(s.issued.credentials()),
            assumed_role_user: Some(sts::AssumedRoleUser { assumed_role_id: s.assumed_role_id, arn: s.arn }),
            packed_policy_size: s.packed_policy_size,
            subject_type: Some(w.assertion.subject_type()),
            subject: Some(w.assertion.subject),
            issuer: Some(w.assertion.issuer),
            audience: Some(w.assertion.recipient),
            name_qualifier: Some(w.name_qualifier),
            source_identity: s.source_identity,
        })
    }
}
