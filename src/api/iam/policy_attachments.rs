//! The policy attachments family: Attach/Detach/ListAttached{User,Group,Role}Policies, one generic implementation
//! (`domain::attachments`) over the three kinds of holder, and ListEntitiesForPolicy.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::attached_shape;
use crate::api::generated::iam::PolicyAttachmentsApi;
use crate::api::iam::managed_policies::usage;
use crate::api::{Ctx, Gatehouse};
use crate::domain::attachments;
use crate::domain::groups::Groups;
use crate::domain::holders::Users;
use crate::domain::roles::Roles;
use crate::store::EntityKind;

impl PolicyAttachmentsApi for Gatehouse {
    async fn attach_user_policy(&self, ctx: &Ctx, input: iam::AttachUserPolicyRequest) -> Result<(), AwsError> {
        attachments::attach::<Users>(ctx, "iam:AttachUserPolicy", &input.user_name, &input.policy_arn).await
    }

    async fn detach_user_policy(&self, ctx: &Ctx, input: iam::DetachUserPolicyRequest) -> Result<(), AwsError> {
        attachments::detach::<Users>(ctx, "iam:DetachUserPolicy", &input.user_name, &input.policy_arn).await
    }

    async fn list_attached_user_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListAttachedUserPoliciesRequest,
    ) -> Result<iam::ListAttachedUserPoliciesResponse, AwsError> {
        let (prefix, marker, max) = (input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items);
        let page =
            attachments::list::<Users>(ctx, "iam:ListAttachedUserPolicies", &input.user_name, prefix, marker, max)
                .await?;
        Ok(iam::ListAttachedUserPoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            attached_policies: Some(attached_shape(page.items)),
        })
    }

    async fn attach_group_policy(&self, ctx: &Ctx, input: iam::AttachGroupPolicyRequest) -> Result<(), AwsError> {
        attachments::attach::<Groups>(ctx, "iam:AttachGroupPolicy", &input.group_name, &input.policy_arn).await
    }

    async fn detach_group_policy(&self, ctx: &Ctx, input: iam::DetachGroupPolicyRequest) -> Result<(), AwsError> {
        attachments::detach::<Groups>(ctx, "iam:DetachGroupPolicy", &input.group_name, &input.policy_arn).await
    }

    async fn list_attached_group_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListAttachedGroupPoliciesRequest,
    ) -> Result<iam::ListAttachedGroupPoliciesResponse, AwsError> {
        let (prefix, marker, max) = (input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items);
        let page =
            attachments::list::<Groups>(ctx, "iam:ListAttachedGroupPolicies", &input.group_name, prefix, marker, max)
                .await?;
        Ok(iam::ListAttachedGroupPoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            attached_policies: Some(attached_shape(page.items)),
        })
    }

    async fn attach_role_policy(&self, ctx: &Ctx, input: iam::AttachRolePolicyRequest) -> Result<(), AwsError> {
        attachments::attach::<Roles>(ctx, "iam:AttachRolePolicy", &input.role_name, &input.policy_arn).await
    }

    async fn detach_role_policy(&self, ctx: &Ctx, input: iam::DetachRolePolicyRequest) -> Result<(), AwsError> {
        attachments::detach::<Roles>(ctx, "iam:DetachRolePolicy", &input.role_name, &input.policy_arn).await
    }

    async fn list_attached_role_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListAttachedRolePoliciesRequest,
    ) -> Result<iam::ListAttachedRolePoliciesResponse, AwsError> {
        let (prefix, marker, max) = (input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items);
        let page =
            attachments::list::<Roles>(ctx, "iam:ListAttachedRolePolicies", &input.role_name, prefix, marker, max)
                .await?;
        Ok(iam::ListAttachedRolePoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            attached_policies: Some(attached_shape(page.items)),
        })
    }

    async fn list_entities_for_policy(
        &self,
        ctx: &Ctx,
        input: iam::ListEntitiesForPolicyRequest,
    ) -> Result<iam::ListEntitiesForPolicyResponse, AwsError> {
        let kinds = match input.entity_filter {
            None => None,
            Some(iam::EntityType::User) => Some(EntityKind::User),
            Some(iam::EntityType::Group) => Some(EntityKind::Group),
            Some(iam::EntityType::Role) => Some(EntityKind::Role),
            // Filters on policy kinds name no entity: nothing to list.
            Some(iam::EntityType::LocalManagedPolicy | iam::EntityType::AWSManagedPolicy) => {
                return Ok(iam::ListEntitiesForPolicyResponse {
                    policy_groups: Some(Vec::new()),
                    policy_users: Some(Vec::new()),
                    policy_roles: Some(Vec::new()),
                    is_truncated: Some(false),
                    marker: None,
                })
            }
        };
        let q = attachments::EntitiesQuery {
            arn: &input.policy_arn,
            kinds,
            path_prefix: input.path_prefix.as_deref().unwrap_or("/"),
            usage: usage(input.policy_usage_filter),
            marker: input.marker.as_deref(),
            max_items: input.max_items,
        };
        let page = attachments::entities_for_policy(ctx, q).await?;
        let (mut groups, mut users, mut roles) = (Vec::new(), Vec::new(), Vec::new());
        let is_truncated = page.is_truncated();
        for e in page.items {
            match e.kind {
                EntityKind::Group => groups.push(iam::PolicyGroup { group_name: Some(e.name), group_id: Some(e.id) }),
                EntityKind::User => users.push(iam::PolicyUser { user_name: Some(e.name), user_id: Some(e.id) }),
                EntityKind::Role => roles.push(iam::PolicyRole { role_name: Some(e.name), role_id: Some(e.id) }),
            }
        }
        Ok(iam::ListEntitiesForPolicyResponse {
            policy_groups: Some(groups),
            policy_users: Some(users),
            policy_roles: Some(roles),
            is_truncated: Some(is_truncated),
            marker: page.next_marker,
        })
    }
}
