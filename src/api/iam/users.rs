//! The users family: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and the user's tags.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::UsersApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::{tagging, users};
use crate::store::tags::Tag;
use crate::store::users::UserRow;

pub(super) fn user_shape(u: UserRow, tags: Vec<Tag>) -> iam::User {
    let arn = u.arn();
    iam::User {
        path: Some(u.path),
        user_name: Some(u.name),
        user_id: u.user_id,
        arn,
        create_date: timestamp(u.created_at),
        password_last_used: u.password_last_used.map(timestamp),
        permissions_boundary: super::boundary_shape(u.permissions_boundary),
        tags: (!tags.is_empty()).then(|| tagging::to_wire(tags)),
    }
}

/// GetUser for the root user: AWS reports the account id, the root ARN and the creation date, no name or path.
fn root_user_shape(account_id: String, created_at: i64) -> iam::User {
    iam::User {
        arn: crate::arn::root(&account_id),
        user_id: account_id,
        create_date: timestamp(created_at),
        ..Default::default()
    }
}

impl UsersApi for Gatehouse {
    async fn create_user(&self, ctx: &Ctx, input: iam::CreateUserRequest) -> Result<iam::CreateUserResponse, AwsError> {
        let new = users::NewUser {
            name: &input.user_name,
            path: input.path.as_deref(),
            permissions_boundary: input.permissions_boundary.as_deref(),
            tags: tagging::from_wire(input.tags.as_deref().unwrap_or_default()),
        };
        let (user, tags) = users::create(ctx, new).await?;
        Ok(iam::CreateUserResponse { user: Some(user_shape(user, tags)) })
    }

    async fn get_user(&self, ctx: &Ctx, input: iam::GetUserRequest) -> Result<iam::GetUserResponse, AwsError> {
        let user = match users::get(ctx, input.user_name.as_deref()).await? {
            users::Described::User(user, tags) => user_shape(user, tags),
            users::Described::Root { account_id, created_at } => root_user_shape(account_id, created_at),
        };
        Ok(iam::GetUserResponse { user })
    }

    async fn list_users(&self, ctx: &Ctx, input: iam::ListUsersRequest) -> Result<iam::ListUsersResponse, AwsError> {
        let page = users::list(ctx, input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListUsersResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            // ListUsers does not return tags (AWS documents that GetUser does).
            users: page.items.into_iter().map(|u| user_shape(u, Vec::new())).collect(),
        })
    }

    async fn update_user(&self, ctx: &Ctx, input: iam::UpdateUserRequest) -> Result<(), AwsError> {
        users::update(ctx, &input.user_name, input.new_user_name.as_deref(), input.new_path.as_deref()).await
    }

    async fn delete_user(&self, ctx: &Ctx, input: iam::DeleteUserRequest) -> Result<(), AwsError> {
        users::delete(ctx, &input.user_name).await
    }

    async fn tag_user(&self, ctx: &Ctx, input: iam::TagUserRequest) -> Result<(), AwsError> {
        tagging::tag::<users::UserTags>(ctx, "iam:TagUser", &input.user_name, tagging::from_wire(&input.tags)).await
    }

    async fn untag_user(&self, ctx: &Ctx, input: iam::UntagUserRequest) -> Result<(), AwsError> {
        tagging::untag::<users::UserTags>(ctx, "iam:UntagUser", &input.user_name, &input.tag_keys).await
    }

    async fn list_user_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListUserTagsRequest,
    ) -> Result<iam::ListUserTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let page =
            tagging::list::<users::UserTags>(ctx, "iam:ListUserTags", &input.user_name, marker, max_items).await?;
        Ok(iam::ListUserTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
