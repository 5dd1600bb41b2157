//! The inline policies family: Put/Get/List/Delete{User,Group,Role}Policy, one generic implementation
//! (`domain::inline_policies`) over the three kinds of holder.

use gatehouse_wire::document::encode_document;
use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::InlinePoliciesApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::holders::Users;
use crate::domain::inline_policies;

impl InlinePoliciesApi for Gatehouse {
    async fn put_user_policy(&self, ctx: &Ctx, input: iam::PutUserPolicyRequest) -> Result<(), AwsError> {
        let (user, name, doc) = (&input.user_name, &input.policy_name, &input.policy_document);
        inline_policies::put::<Users>(ctx, "iam:PutUserPolicy", user, name, doc).await
    }

    async fn get_user_policy(
        &self,
        ctx: &Ctx,
        input: iam::GetUserPolicyRequest,
    ) -> Result<iam::GetUserPolicyResponse, AwsError> {
        let (user_name, policy_name, document) =
            inline_policies::get::<Users>(ctx, "iam:GetUserPolicy", &input.user_name, &input.policy_name).await?;
        Ok(iam::GetUserPolicyResponse { user_name, policy_name, policy_document: encode_document(&document) })
    }

    async fn list_user_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListUserPoliciesRequest,
    ) -> Result<iam::ListUserPoliciesResponse, AwsError> {
        let (marker, max) = (input.marker.as_deref(), input.max_items);
        let page = inline_policies::list::<Users>(ctx, "iam:ListUserPolicies", &input.user_name, marker, max).await?;
        Ok(iam::ListUserPoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            policy_names: page.items,
        })
    }

    async fn delete_user_policy(&self, ctx: &Ctx, input: iam::DeleteUserPolicyRequest) -> Result<(), AwsError> {
        inline_policies::delete::<Users>(ctx, "iam:DeleteUserPolicy", &input.user_name, &input.policy_name).await
    }
}
