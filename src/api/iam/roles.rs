//! The roles family: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
//! DeleteRole and the role's tags.

use gatehouse_wire::document::encode_document;
use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::RolesApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::{roles, tagging};
use crate::store::roles::RoleRow;
use crate::store::tags::Tag;

/// The members every response shows (as AWS returns a role in CreateRole and inside instance profiles):
/// path, name, id, ARN, creation date and the trust policy, percent-encoded.
pub(crate) fn basic_role_shape(r: &RoleRow) -> iam::Role {
    iam::Role {
        path: r.path.clone(),
        role_name: r.name.clone(),
        role_id: r.role_id.clone(),
        arn: r.arn(),
        create_date: timestamp(r.created_at),
        assume_role_policy_document: Some(encode_document(&r.trust_policy)),
        ..Default::default()
    }
}

fn tags_if_any(tags: Vec<Tag>) -> Option<Vec<iam::Tag>> {
    (!tags.is_empty()).then(|| tagging::to_wire(tags))
}

/// GetRole's role: everything, RoleLastUsed included (empty when never used).
pub(crate) fn full_role_shape(r: RoleRow, tags: Vec<Tag>) -> iam::Role {
    iam::Role {
        description: r.description.clone(),
        max_session_duration: i32::try_from(r.max_session_duration).ok(),
        permissions_boundary: super::boundary_shape(r.permissions_boundary.clone()),
        tags: tags_if_any(tags),
        role_last_used: Some(iam::RoleLastUsed {
            last_used_date: r.last_used_at.map(timestamp),
            region: r.last_used_region.clone(),
        }),
        ..basic_role_shape(&r)
    }
}

impl RolesApi for Gatehouse {
    async fn get_role_template_version(
        &self,
        ctx: &Ctx,
        input: iam::GetRoleTemplateVersionRequest,
    ) -> Result<iam::GetRoleTemplateVersionResponse, AwsError> {
        Err(crate::domain::not_offered_here::role_template(ctx, &input.template_arn))
    }

    async fn create_role(&self, ctx: &Ctx, input: iam::CreateRoleRequest) -> Result<iam::CreateRoleResponse, AwsError> {
        let new = roles::NewRole {
            name: &input.role_name,
            path: input.path.as_deref(),
            trust_policy: &input.assume_role_policy_document,
            description: input.description.as_deref(),
            max_session_duration: input.max_session_duration,
            permissions_boundary: input.permissions_boundary.as_deref(),
            tags: tagging::from_wire(input.tags.as_deref().unwrap_or_default()),
        };
        let (role, tags) = roles::create(ctx, new).await?;
        // AWS's CreateRole shows neither Description, MaxSessionDuration nor RoleLastUsed (aws-responses.json,
        // a create with Description included); tags and a boundary are shown when given, as CreateUser shows them.
        let shape = iam::Role {
            permissions_boundary: super::boundary_shape(role.permissions_boundary.clone()),
            tags: tags_if_any(tags),
            ..basic_role_shape(&role)
        };
        Ok(iam::CreateRoleResponse { role: shape })
    }

    async fn get_role(&self, ctx: &Ctx, input: iam::GetRoleRequest) -> Result<iam::GetRoleResponse, AwsError> {
        let (role, tags) = roles::get(ctx, &input.role_name).await?;
        Ok(iam::GetRoleResponse { role: full_role_shape(role, tags) })
    }

    async fn list_roles(&self, ctx: &Ctx, input: iam::ListRolesRequest) -> Result<iam::ListRolesResponse, AwsError> {
        let page = roles::list(ctx, input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListRolesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            // AWS: ListRoles does not return PermissionsBoundary, RoleLastUsed or Tags (GetRole does).
            roles: page
                .items
                .into_iter()
                .map(|r| iam::Role {
                    description: r.description.clone(),
                    max_session_duration: i32::try_from(r.max_session_duration).ok(),
                    ..basic_role_shape(&r)
                })
                .collect(),
        })
    }

    async fn update_role(&self, ctx: &Ctx, input: iam::UpdateRoleRequest) -> Result<iam::UpdateRoleResponse, AwsError> {
        roles::update(ctx, &input.role_name, input.description.as_deref(), input.max_session_duration).await?;
        Ok(iam::UpdateRoleResponse {})
    }

    async fn update_role_description(
        &self,
        ctx: &Ctx,
        input: iam::UpdateRoleDescriptionRequest,
    ) -> Result<iam::UpdateRoleDescriptionResponse, AwsError> {
        let role = roles::update_description(ctx, &input.role_name, &input.description).await?;
        // As recorded: the basic members and the new Description.
        Ok(iam::UpdateRoleDescriptionResponse {
            role: Some(iam::Role { description: role.description.clone(), ..basic_role_shape(&role) }),
        })
    }

    async fn update_assume_role_policy(
        &self,
        ctx: &Ctx,
        input: iam::UpdateAssumeRolePolicyRequest,
    ) -> Result<(), AwsError> {
        roles::update_trust_policy(ctx, &input.role_name, &input.policy_document).await
    }

    async fn delete_role(&self, ctx: &Ctx, input: iam::DeleteRoleRequest) -> Result<(), AwsError> {
        roles::delete(ctx, &input.role_name).await
    }

    async fn tag_role(&self, ctx: &Ctx, input: iam::TagRoleRequest) -> Result<(), AwsError> {
        tagging::tag::<roles::RoleTags>(ctx, "iam:TagRole", &input.role_name, tagging::from_wire(&input.tags)).await
    }

    async fn untag_role(&self, ctx: &Ctx, input: iam::UntagRoleRequest) -> Result<(), AwsError> {
        tagging::untag::<roles::RoleTags>(ctx, "iam:UntagRole", &input.role_name, &input.tag_keys).await
    }

    async fn list_role_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListRoleTagsRequest,
    ) -> Result<iam::ListRoleTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let page =
            tagging::list::<roles::RoleTags>(ctx, "iam:ListRoleTags", &input.role_name, marker, max_items).await?;
        Ok(iam::ListRoleTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
