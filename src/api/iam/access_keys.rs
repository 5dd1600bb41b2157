//! The access keys family: long-term keys of users and of the root user, and their last use.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::AccessKeysApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::access_keys;
use crate::store::keys::{AccessKeyRow, KeyStatus};

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

impl AccessKeysApi for Gatehouse {
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
}
