//! IAM operations implemented so far.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::generated::iam::IamApi;
use super::{timestamp, Ctx, Gatehouse};
use crate::domain::{access_keys, simulation, tagging, users};
use crate::store::keys::{AccessKeyRow, KeyStatus};
use crate::store::tags::Tag;
use crate::store::users::UserRow;

fn user_shape(u: UserRow, tags: Vec<Tag>) -> iam::User {
    let arn = u.arn();
    iam::User {
        path: Some(u.path),
        user_name: Some(u.name),
        user_id: u.user_id,
        arn,
        create_date: timestamp(u.created_at),
        password_last_used: u.password_last_used.map(timestamp),
        permissions_boundary: u.permissions_boundary.map(|arn| iam::AttachedPermissionsBoundary {
            permissions_boundary_type: Some(iam::PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy),
            permissions_boundary_arn: Some(arn),
        }),
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

fn status(s: KeyStatus) -> iam::StatusType {
    match s {
        KeyStatus::Active => iam::StatusType::Active,
        KeyStatus::Inactive => iam::StatusType::Inactive,
    }
}

fn key_metadata(k: AccessKeyRow, user_name: &str) -> iam::AccessKeyMetadata {
    iam::AccessKeyMetadata {
        user_name: Some(user_name.to_string()),
        status: Some(status(k.status)),
        create_date: Some(timestamp(k.created_at)),
        access_key_id: Some(k.access_key_id),
    }
}

impl IamApi for Gatehouse {
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
        users::tag(ctx, &input.user_name, tagging::from_wire(&input.tags)).await
    }

    async fn untag_user(&self, ctx: &Ctx, input: iam::UntagUserRequest) -> Result<(), AwsError> {
        users::untag(ctx, &input.user_name, &input.tag_keys).await
    }

    async fn list_user_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListUserTagsRequest,
    ) -> Result<iam::ListUserTagsResponse, AwsError> {
        let page = users::list_tags(ctx, &input.user_name, input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListUserTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }

    async fn create_access_key(
        &self,
        ctx: &Ctx,
        input: iam::CreateAccessKeyRequest,
    ) -> Result<iam::CreateAccessKeyResponse, AwsError> {
        let created = access_keys::create(ctx, input.user_name.as_deref()).await?;
        Ok(iam::CreateAccessKeyResponse {
            access_key: iam::AccessKey {
                user_name: created.user_name,
                status: status(created.row.status),
                create_date: Some(timestamp(created.row.created_at)),
                secret_access_key: created.secret,
                access_key_id: created.row.access_key_id,
            },
        })
    }

    async fn list_access_keys(
        &self,
        ctx: &Ctx,
        input: iam::ListAccessKeysRequest,
    ) -> Result<iam::ListAccessKeysResponse, AwsError> {
        let (page, user_name) =
            access_keys::list(ctx, input.user_name.as_deref(), input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListAccessKeysResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            access_key_metadata: page.items.into_iter().map(|k| key_metadata(k, &user_name)).collect(),
        })
    }

    async fn update_access_key(&self, ctx: &Ctx, input: iam::UpdateAccessKeyRequest) -> Result<(), AwsError> {
        let status = match input.status {
            iam::StatusType::Active => KeyStatus::Active,
            iam::StatusType::Inactive => KeyStatus::Inactive,
            // The model's StatusType also serves credentials that expire; an access key is only ever one of two.
            iam::StatusType::Expired => {
                return Err(AwsError::validation_error(
                    "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
                ))
            }
        };
        access_keys::update(ctx, input.user_name.as_deref(), &input.access_key_id, status).await
    }

    async fn delete_access_key(&self, ctx: &Ctx, input: iam::DeleteAccessKeyRequest) -> Result<(), AwsError> {
        access_keys::delete(ctx, input.user_name.as_deref(), &input.access_key_id).await
    }

    async fn get_access_key_last_used(
        &self,
        ctx: &Ctx,
        input: iam::GetAccessKeyLastUsedRequest,
    ) -> Result<iam::GetAccessKeyLastUsedResponse, AwsError> {
        let lu = access_keys::last_used(ctx, &input.access_key_id).await?;
        Ok(iam::GetAccessKeyLastUsedResponse {
            user_name: Some(lu.user_name),
            access_key_last_used: Some(iam::AccessKeyLastUsed {
                last_used_date: lu.at.map(timestamp),
                service_name: lu.service,
                region: lu.region,
            }),
        })
    }

    async fn simulate_custom_policy(
        &self,
        ctx: &Ctx,
        input: iam::SimulateCustomPolicyRequest,
    ) -> Result<iam::SimulatePolicyResponse, AwsError> {
        simulation::simulate_custom(ctx, &input)
    }

    async fn get_context_keys_for_custom_policy(
        &self,
        ctx: &Ctx,
        input: iam::GetContextKeysForCustomPolicyRequest,
    ) -> Result<iam::GetContextKeysForPolicyResponse, AwsError> {
        simulation::context_keys_for_custom(ctx, &input)
    }
}
