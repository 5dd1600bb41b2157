//! The service credentials family: CodeCommit and Keyspaces passwords, Bedrock and CloudWatch Logs API keys.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::{settable_status, status_shape};
use crate::api::generated::iam::ServiceCredentialsApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::service_credentials::{self, Credential, Issued, Kind, Listing};

fn status(c: &Credential) -> iam::StatusType {
    if c.expired {
        iam::StatusType::Expired
    } else {
        status_shape(c.row.status)
    }
}

/// The credential with its secret, in the member its kind uses (ServicePassword, or ServiceCredentialSecret).
fn issued_shape(i: Issued) -> iam::ServiceSpecificCredential {
    let c = i.credential;
    let (service_password, service_credential_secret) = match c.kind() {
        Kind::Password => (Some(i.secret), None),
        Kind::ApiKey => (None, Some(i.secret)),
    };
    iam::ServiceSpecificCredential {
        create_date: timestamp(c.row.created_at),
        expiration_date: c.row.expires_at.map(timestamp),
        status: status(&c),
        service_name: c.row.service_name,
        service_user_name: c.row.service_user_name,
        service_password,
        service_credential_alias: c.row.credential_alias,
        service_credential_secret,
        service_specific_credential_id: c.row.credential_id,
        user_name: c.user_name,
    }
}

fn metadata_shape(c: Credential) -> iam::ServiceSpecificCredentialMetadata {
    iam::ServiceSpecificCredentialMetadata {
        status: status(&c),
        user_name: c.user_name,
        service_user_name: c.row.service_user_name,
        service_credential_alias: c.row.credential_alias,
        create_date: timestamp(c.row.created_at),
        expiration_date: c.row.expires_at.map(timestamp),
        service_specific_credential_id: c.row.credential_id,
        service_name: c.row.service_name,
    }
}

impl ServiceCredentialsApi for Gatehouse {
    async fn create_service_specific_credential(
        &self,
        ctx: &Ctx,
        input: iam::CreateServiceSpecificCredentialRequest,
    ) -> Result<iam::CreateServiceSpecificCredentialResponse, AwsError> {
        let issued =
            service_credentials::create(ctx, &input.user_name, &input.service_name, input.credential_age_days).await?;
        Ok(iam::CreateServiceSpecificCredentialResponse { service_specific_credential: Some(issued_shape(issued)) })
    }

    async fn list_service_specific_credentials(
        &self,
        ctx: &Ctx,
        input: iam::ListServiceSpecificCredentialsRequest,
    ) -> Result<iam::ListServiceSpecificCredentialsResponse, AwsError> {
        let page = service_credentials::list(
            ctx,
            Listing {
                user_name: input.user_name.as_deref(),
                service_name: input.service_name.as_deref(),
                all_users: input.all_users.unwrap_or(false),
                marker: input.marker.as_deref(),
                max_items: input.max_items,
            },
        )
        .await?;
        Ok(iam::ListServiceSpecificCredentialsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            service_specific_credentials: Some(page.items.into_iter().map(metadata_shape).collect()),
        })
    }

    async fn reset_service_specific_credential(
        &self,
        ctx: &Ctx,
        input: iam::ResetServiceSpecificCredentialRequest,
    ) -> Result<iam::ResetServiceSpecificCredentialResponse, AwsError> {
        let issued =
            service_credentials::reset(ctx, input.user_name.as_deref(), &input.service_specific_credential_id).await?;
        Ok(iam::ResetServiceSpecificCredentialResponse { service_specific_credential: Some(issued_shape(issued)) })
    }

    async fn update_service_specific_credential(
        &self,
        ctx: &Ctx,
        input: iam::UpdateServiceSpecificCredentialRequest,
    ) -> Result<(), AwsError> {
        let status = settable_status(input.status);
        service_credentials::update(ctx, input.user_name.as_deref(), &input.service_specific_credential_id, status)
            .await
    }

    async fn delete_service_specific_credential(
        &self,
        ctx: &Ctx,
        input: iam::DeleteServiceSpecificCredentialRequest,
    ) -> Result<(), AwsError> {
        service_credentials::delete(ctx, input.user_name.as_deref(), &input.service_specific_credential_id).await
    }
}
