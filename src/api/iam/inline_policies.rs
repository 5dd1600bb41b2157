//! The inline policies family: Put/Get/List/Delete{User,Group,Role}Policy, one generic implementation
//! (`domain::inline_policies`) over the three kinds of holder.

use gatehouse_wire::document::encode_document;
use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::InlinePoliciesApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::groups::Groups;
use crate::domain::holders::Users;
use crate::domain::inline_policies;
use crate::domain::roles::Roles;

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

    async fn put_group_policy(&self, ctx: &Ctx, input: iam::PutGroupPolicyRequest) -> Result<(), AwsError> {
        let (entity, name, doc) = (&input.group_name, &input.policy_name, &input.policy_document);
        inline_policies::put::<Groups>(ctx, "iam:PutGroupPolicy", entity, name, doc).await
    }

    async fn get_group_policy(
        &self,
        ctx: &Ctx,
        input: iam::GetGroupPolicyRequest,
    ) -> Result<iam::GetGroupPolicyResponse, AwsError> {
        let (group_name, policy_name, document) =
            inline_policies::get::<Groups>(ctx, "iam:GetGroupPolicy", &input.group_name, &input.policy_name).await?;
        Ok(iam::GetGroupPolicyResponse { group_name, policy_name, policy_document: encode_document(&document) })
    }

    async fn list_group_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListGroupPoliciesRequest,
    ) -> Result<iam::ListGroupPoliciesResponse, AwsError> {
        let (marker, max) = (input.marker.as_deref(), input.max_items);
        let page =
            inline_policies::list::<Groups>(ctx, "iam:ListGroupPolicies", &input.group_name, marker, max).await?;
        Ok(iam::ListGroupPoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            policy_names: page.items,
        })
    }

    async fn delete_group_policy(&self, ctx: &Ctx, input: iam::DeleteGroupPolicyRequest) -> Result<(), AwsError> {
        inline_policies::delete::<Groups>(ctx, "iam:DeleteGroupPolicy", &input.group_name, &input.policy_name).await
    }

    async fn put_role_policy(&self, ctx: &Ctx, input: iam::PutRolePolicyRequest) -> Result<(), AwsError> {
        let (entity, name, doc) = (&input.role_name, &input.policy_name, &input.policy_document);
        inline_policies::put::<Roles>(ctx, "iam:PutRolePolicy", entity, name, doc).await
    }

    async fn get_role_policy(
        &self,
        ctx: &Ctx,
        input: iam::GetRolePolicyRequest,
    ) -> Result<iam::GetRolePolicyResponse, AwsError> {
        let (role_name, policy_name, document) =
            inline_policies::get::<Roles>(ctx, "iam:GetRolePolicy", &input.role_name, &input.policy_name).await?;
        Ok(iam::GetRolePolicyResponse { role_name, policy_name, policy_document: encode_document(&document) })
    }

    async fn list_role_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListRolePoliciesRequest,
    ) -> Result<iam::ListRolePoliciesResponse, AwsError> {
        let (marker, max) = (input.marker.as_deref(), input.max_items);
        let page = inline_policies::list::<Roles>(ctx, "iam:ListRolePolicies", &input.role_name, marker, max).await?;
        Ok(iam::ListRolePoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            policy_names: page.items,
        })
    }

    async fn delete_role_policy(&self, ctx: &Ctx, input: iam::DeleteRolePolicyRequest) -> Result<(), AwsError> {
        inline_policies::delete::<Roles>(ctx, "iam:DeleteRolePolicy", &input.role_name, &input.policy_name).await
    }
}
