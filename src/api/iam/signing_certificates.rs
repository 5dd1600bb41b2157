//! The signing certificates family: users' X.509 signing certificates.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::{settable_status, status_shape};
use crate::api::generated::iam::SigningCertificatesApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::signing_certificates;
use crate::store::signing_certificates::SigningCertificateRow;

fn certificate_shape(c: SigningCertificateRow, user_name: String) -> iam::SigningCertificate {
    iam::SigningCertificate {
        user_name,
        certificate_id: c.certificate_id,
        certificate_body: c.body,
        status: status_shape(c.status),
        upload_date: Some(timestamp(c.uploaded_at)),
    }
}

impl SigningCertificatesApi for Gatehouse {
    async fn upload_signing_certificate(
        &self,
        ctx: &Ctx,
        input: iam::UploadSigningCertificateRequest,
    ) -> Result<iam::UploadSigningCertificateResponse, AwsError> {
        let up = signing_certificates::upload(ctx, input.user_name.as_deref(), &input.certificate_body).await?;
        Ok(iam::UploadSigningCertificateResponse { certificate: certificate_shape(up.certificate, up.user_name) })
    }

    async fn list_signing_certificates(
        &self,
        ctx: &Ctx,
        input: iam::ListSigningCertificatesRequest,
    ) -> Result<iam::ListSigningCertificatesResponse, AwsError> {
        let (page, user_name) =
            signing_certificates::list(ctx, input.user_name.as_deref(), input.marker.as_deref(), input.max_items)
                .await?;
        Ok(iam::ListSigningCertificatesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            certificates: page.items.into_iter().map(|c| certificate_shape(c, user_name.clone())).collect(),
        })
    }

    async fn update_signing_certificate(
        &self,
        ctx: &Ctx,
        input: iam::UpdateSigningCertificateRequest,
    ) -> Result<(), AwsError> {
        let status = settable_status(input.status);
        signing_certificates::update(ctx, input.user_name.as_deref(), &input.certificate_id, status).await
    }

    async fn delete_signing_certificate(
        &self,
        ctx: &Ctx,
        input: iam::DeleteSigningCertificateRequest,
    ) -> Result<(), AwsError> {
        signing_certificates::delete(ctx, input.user_name.as_deref(), &input.certificate_id).await
    }
}
