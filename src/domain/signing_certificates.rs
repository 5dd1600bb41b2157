//! Users' X.509 signing certificates: at most two per user (the SigningCertificatesPerUser quota), each Active or
//! Inactive, unique in the account, and refused when expired.

use gatehouse_wire::AwsError;

use super::certificate_pem;
use super::credential_owner::owning_user;
use super::paging::{self, Page};
use crate::errors;
use crate::request::Ctx;
use crate::store::keys::KeyStatus;
use crate::store::signing_certificates::{self, SigningCertificateRow};
use crate::store::StoreError;

pub struct UserCertificate {
    pub certificate: SigningCertificateRow,
    pub user_name: String,
}

pub async fn upload(ctx: &Ctx, user_name: Option<&str>, body: &str) -> Result<UserCertificate, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:UploadSigningCertificate", user_name).await?;
    let parsed = certificate_pem::parse_one(body).ok_or_else(|| errors::malformed_certificate(body))?;
    // AWS answers InvalidCertificate for a certificate that is not valid now (its API reference: "the certificate
    // is invalid").
    if parsed.not_after_ms < ctx.now {
        return Err(errors::expired_certificate());
    }
    if parsed.not_before_ms > ctx.now {
        return Err(errors::certificate_not_yet_valid());
    }
    let der_sha256 = parsed.der_sha256();
    if signing_certificates::exists_in_account(tx.conn(&proof), ctx.account(), &der_sha256).await? {
        return Err(errors::duplicate_certificate());
    }
    let quota = ctx.state.quotas.signing_certificates_per_user;
    if signing_certificates::of_user(tx.conn(&proof), &user.user_id).await?.len() >= quota as usize {
        return Err(errors::signing_certificates_quota(quota));
    }
    let certificate = SigningCertificateRow {
        certificate_id: crate::ids::signing_certificate_id(&*ctx.state.rng),
        account_id: ctx.account().to_string(),
        user_id: user.user_id.clone(),
        der_sha256,
        body: body.to_string(),
        status: KeyStatus::Active,
        uploaded_at: ctx.now,
    };
    match signing_certificates::insert(tx.conn(&proof), &certificate).await {
        Err(StoreError::Conflict) => return Err(errors::duplicate_certificate()),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(UserCertificate { certificate, user_name: user.name })
}

pub async fn list(
    ctx: &Ctx,
    user_name: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(Page<SigningCertificateRow>, String), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, user) = owning_user(ctx, &mut op, "iam:ListSigningCertificates", user_name).await?;
    let all = signing_certificates::of_user(op.conn(&proof), &user.user_id).await?;
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let rest: Vec<_> = all.into_iter().filter(|c| after.is_empty() || sort_key(c) > after).collect();
    Ok((paging::paginate(rest, page, sort_key), user.name))
}

/// The listing's order (upload time, then id) as a string that compares alike: the marker of a page.
fn sort_key(c: &SigningCertificateRow) -> String {
    format!("{:020}/{}", c.uploaded_at.max(0), c.certificate_id)
}

pub async fn update(
    ctx: &Ctx,
    user_name: Option<&str>,
    id: &str,
    status: Result<KeyStatus, AwsError>,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:UpdateSigningCertificate", user_name).await?;
    // The status is checked after the authorisation decision (a caller without permission learns nothing).
    let status = status?;
    signing_certificates::of_user_by_id(tx.conn(&proof), &user.user_id, id)
        .await?
        .ok_or_else(|| errors::no_such_certificate(id))?;
    signing_certificates::set_status(tx.conn(&proof), id, status).await?;
    tx.commit(&proof).await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx, user_name: Option<&str>, id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:DeleteSigningCertificate", user_name).await?;
    signing_certificates::of_user_by_id(tx.conn(&proof), &user.user_id, id)
        .await?
        .ok_or_else(|| errors::no_such_certificate(id))?;
    signing_certificates::delete(tx.conn(&proof), id).await?;
    tx.commit(&proof).await?;
    Ok(())
}
