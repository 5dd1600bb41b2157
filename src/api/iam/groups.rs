//! The groups family: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
//! RemoveUserFromGroup and ListGroupsForUser.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::users::user_shape;
use crate::api::generated::iam::GroupsApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::groups;
use crate::store::groups::GroupRow;

fn group_shape(g: GroupRow) -> iam::Group {
    let arn = g.arn();
    iam::Group { path: g.path, group_name: g.name, group_id: g.group_id, arn, create_date: timestamp(g.created_at) }
}

impl GroupsApi for Gatehouse {
    async fn create_group(
        &self,
        ctx: &Ctx,
        input: iam::CreateGroupRequest,
    ) -> Result<iam::CreateGroupResponse, AwsError> {
        let group = groups::create(ctx, &input.group_name, input.path.as_deref()).await?;
        Ok(iam::CreateGroupResponse { group: group_shape(group) })
    }

    async fn get_group(&self, ctx: &Ctx, input: iam::GetGroupRequest) -> Result<iam::GetGroupResponse, AwsError> {
        let (group, page) = groups::get(ctx, &input.group_name, input.marker.as_deref(), input.max_items).await?;
        Ok(iam::GetGroupResponse {
            group: group_shape(group),
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            // The members as User shapes without tags (GetGroup does not return them, as ListUsers does not).
            users: page.items.into_iter().map(|u| user_shape(u, Vec::new())).collect(),
        })
    }

    async fn list_groups(&self, ctx: &Ctx, input: iam::ListGroupsRequest) -> Result<iam::ListGroupsResponse, AwsError> {
        let page = groups::list(ctx, input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListGroupsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            groups: page.items.into_iter().map(group_shape).collect(),
        })
    }

    async fn list_groups_for_user(
        &self,
        ctx: &Ctx,
        input: iam::ListGroupsForUserRequest,
    ) -> Result<iam::ListGroupsForUserResponse, AwsError> {
        let page = groups::list_for_user(ctx, &input.user_name, input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListGroupsForUserResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            groups: page.items.into_iter().map(group_shape).collect(),
        })
    }

    async fn update_group(&self, ctx: &Ctx, input: iam::UpdateGroupRequest) -> Result<(), AwsError> {
        groups::update(ctx, &input.group_name, input.new_group_name.as_deref(), input.new_path.as_deref()).await
    }

    async fn delete_group(&self, ctx: &Ctx, input: iam::DeleteGroupRequest) -> Result<(), AwsError> {
        groups::delete(ctx, &input.group_name).await
    }

    async fn add_user_to_group(&self, ctx: &Ctx, input: iam::AddUserToGroupRequest) -> Result<(), AwsError> {
        groups::add_user(ctx, &input.group_name, &input.user_name).await
    }

    async fn remove_user_from_group(&self, ctx: &Ctx, input: iam::RemoveUserFromGroupRequest) -> Result<(), AwsError> {
        groups::remove_user(ctx, &input.group_name, &input.user_name).await
    }
}
