//! The server certificates family: the account's TLS certificates with their chains and (sealed, never returned)
//! private keys, and their tags.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::ServerCertificatesApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::server_certificates::{self as certs, ServerCertificateTags, Upload};
use crate::domain::tagging;
use crate::store::server_certificates::ServerCertificateRow;

fn metadata_shape(c: &ServerCertificateRow) -> iam::ServerCertificateMetadata {
    iam::ServerCertificateMetadata {
        path: c.path.clone(),
        server_certificate_name: c.name.clone(),
        server_certificate_id: c.server_certificate_id.clone(),
        arn: c.arn(),
        upload_date: Some(timestamp(c.uploaded_at)),
        expiration: Some(timestamp(c.expires_at)),
    }
}

impl ServerCertificatesApi for Gatehouse {
    async fn upload_server_certificate(
        &self,
        ctx: &Ctx,
        input: iam::UploadServerCertificateRequest,
    ) -> Result<iam::UploadServerCertificateResponse, AwsError> {
        let tags = tagging::from_wire(input.tags.as_deref().unwrap_or_default());
        let (row, tags) = certs::upload(
            ctx,
            Upload {
                name: &input.server_certificate_name,
                path: input.path.as_deref(),
                body: &input.certificate_body,
                private_key: &input.private_key,
                chain: input.certificate_chain.as_deref(),
                tags,
            },
        )
        .await?;
        // The recorded response has no Tags member when none were given.
        let tags = (!tags.is_empty()).then(|| tagging::to_wire(tags));
        Ok(iam::UploadServerCertificateResponse { server_certificate_metadata: Some(metadata_shape(&row)), tags })
    }

    async fn get_server_certificate(
        &self,
        ctx: &Ctx,
        input: iam::GetServerCertificateRequest,
    ) -> Result<iam::GetServerCertificateResponse, AwsError> {
        let (row, tags) = certs::get(ctx, &input.server_certificate_name).await?;
        Ok(iam::GetServerCertificateResponse {
            server_certificate: iam::ServerCertificate {
                server_certificate_metadata: metadata_shape(&row),
                certificate_body: row.body,
                certificate_chain: row.chain,
                // The recorded response always carries Tags, empty or not.
                tags: Some(tagging::to_wire(tags)),
            },
        })
    }

    async fn list_server_certificates(
        &self,
        ctx: &Ctx,
        input: iam::ListServerCertificatesRequest,
    ) -> Result<iam::ListServerCertificatesResponse, AwsError> {
        let page = certs::list(ctx, input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListServerCertificatesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            server_certificate_metadata_list: page.items.iter().map(metadata_shape).collect(),
        })
    }

    async fn update_server_certificate(
        &self,
        ctx: &Ctx,
        input: iam::UpdateServerCertificateRequest,
    ) -> Result<(), AwsError> {
        certs::update(
            ctx,
            &input.server_certificate_name,
            input.new_server_certificate_name.as_deref(),
            input.new_path.as_deref(),
        )
        .await
    }

    async fn delete_server_certificate(
        &self,
        ctx: &Ctx,
        input: iam::DeleteServerCertificateRequest,
    ) -> Result<(), AwsError> {
        certs::delete(ctx, &input.server_certificate_name).await
    }

    async fn tag_server_certificate(&self, ctx: &Ctx, input: iam::TagServerCertificateRequest) -> Result<(), AwsError> {
        let tags = tagging::from_wire(&input.tags);
        tagging::tag::<ServerCertificateTags>(ctx, "iam:TagServerCertificate", &input.server_certificate_name, tags)
            .await
    }

    async fn untag_server_certificate(
        &self,
        ctx: &Ctx,
        input: iam::UntagServerCertificateRequest,
    ) -> Result<(), AwsError> {
        let (name, keys) = (&input.server_certificate_name, &input.tag_keys);
        tagging::untag::<ServerCertificateTags>(ctx, "iam:UntagServerCertificate", name, keys).await
    }

    async fn list_server_certificate_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListServerCertificateTagsRequest,
    ) -> Result<iam::ListServerCertificateTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let name = &input.server_certificate_name;
        let page =
            tagging::list::<ServerCertificateTags>(ctx, "iam:ListServerCertificateTags", name, marker, max_items)
                .await?;
        Ok(iam::ListServerCertificateTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
