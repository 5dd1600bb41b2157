//! The SSH keys family: users' SSH public keys for CodeCommit.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::{settable_status, status_shape};
use crate::api::generated::iam::SshKeysApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::ssh_keys::{self, UserKey};

/// The key with its body in the encoding asked for (the upload answers in SSH's).
fn key_shape(k: UserKey, encoding: iam::EncodingType) -> iam::SSHPublicKey {
    let body = match encoding {
        iam::EncodingType::Ssh => k.key.body_ssh,
        iam::EncodingType::Pem => k.key.body_pem,
    };
    iam::SSHPublicKey {
        user_name: k.user_name,
        ssh_public_key_id: k.key.ssh_public_key_id,
        fingerprint: k.key.fingerprint,
        ssh_public_key_body: body,
        status: status_shape(k.key.status),
        upload_date: Some(timestamp(k.key.uploaded_at)),
    }
}

impl SshKeysApi for Gatehouse {
    async fn upload_ssh_public_key(
        &self,
        ctx: &Ctx,
        input: iam::UploadSSHPublicKeyRequest,
    ) -> Result<iam::UploadSSHPublicKeyResponse, AwsError> {
        let key = ssh_keys::upload(ctx, &input.user_name, &input.ssh_public_key_body).await?;
        Ok(iam::UploadSSHPublicKeyResponse { ssh_public_key: Some(key_shape(key, iam::EncodingType::Ssh)) })
    }

    async fn get_ssh_public_key(
        &self,
        ctx: &Ctx,
        input: iam::GetSSHPublicKeyRequest,
    ) -> Result<iam::GetSSHPublicKeyResponse, AwsError> {
        let key = ssh_keys::get(ctx, &input.user_name, &input.ssh_public_key_id).await?;
        Ok(iam::GetSSHPublicKeyResponse { ssh_public_key: Some(key_shape(key, input.encoding)) })
    }

    async fn list_ssh_public_keys(
        &self,
        ctx: &Ctx,
        input: iam::ListSSHPublicKeysRequest,
    ) -> Result<iam::ListSSHPublicKeysResponse, AwsError> {
        let (page, user_name) =
            ssh_keys::list(ctx, input.user_name.as_deref(), input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListSSHPublicKeysResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            ssh_public_keys: Some(
                page.items
                    .into_iter()
                    .map(|k| iam::SSHPublicKeyMetadata {
                        user_name: user_name.clone(),
                        ssh_public_key_id: k.ssh_public_key_id,
                        status: status_shape(k.status),
                        upload_date: timestamp(k.uploaded_at),
                    })
                    .collect(),
            ),
        })
    }

    async fn update_ssh_public_key(&self, ctx: &Ctx, input: iam::UpdateSSHPublicKeyRequest) -> Result<(), AwsError> {
        let status = settable_status(input.status);
        ssh_keys::update(ctx, &input.user_name, &input.ssh_public_key_id, status).await
    }

    async fn delete_ssh_public_key(&self, ctx: &Ctx, input: iam::DeleteSSHPublicKeyRequest) -> Result<(), AwsError> {
        ssh_keys::delete(ctx, &input.user_name, &input.ssh_public_key_id).await
    }
}
