//! The account's server certificates: a certificate, an optional chain, and the private key that must match the
//! certificate, sealed at rest and never returned. Named and paged like the other path-bearing entities, tagged
//! through `tagging`.

use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use super::certificate_pem;
use super::named::{self, Named};
use super::paging::Page;
use super::private_key_match::{self, KeyCheck};
use super::tagging;
use crate::authz::{Authorized, Facts};
use crate::crypto::CredentialBinding;
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::secret::Secret;
use crate::store::server_certificates::{self as store, ServerCertificateRow};
use crate::store::tags::{self, Tag};
use crate::store::StoreError;

impl Named for ServerCertificateRow {
    const KIND: &'static str = "server-certificate";

    async fn find(conn: &mut AnyConnection, account: &str, name: &str) -> crate::store::Result<Option<Self>> {
        store::by_name(conn, account, name).await
    }

    async fn list(
        conn: &mut AnyConnection,
        account: &str,
        path_prefix: &str,
        after: &str,
        limit: i64,
    ) -> crate::store::Result<Vec<Self>> {
        store::list(conn, account, path_prefix, after, limit).await
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn arn(&self) -> String {
        ServerCertificateRow::arn(self)
    }

    fn tag_owner(&self) -> Option<&str> {
        Some(&self.server_certificate_id)
    }

    fn boundary(&self) -> Option<&str> {
        None
    }

    fn missing(name: &str) -> AwsError {
        errors::no_such_server_certificate(name)
    }
}

pub struct Upload<'a> {
    pub name: &'a str,
    pub path: Option<&'a str>,
    pub body: &'a str,
    pub private_key: &'a Secret,
    pub chain: Option<&'a str>,
    pub tags: Vec<Tag>,
}

pub async fn upload(ctx: &Ctx, up: Upload<'_>) -> Result<(ServerCertificateRow, Vec<Tag>), AwsError> {
    let path = up.path.unwrap_or("/");
    let arn = crate::arn::iam(ctx.account(), "server-certificate", path, up.name);
    let proof = ctx.authorize_with("iam:UploadServerCertificate", &arn, &Facts::new().request_tags(&up.tags))?;
    tagging::check_unique_keys(up.tags.iter().map(|t| t.key.as_str()))?;
    let certificate = certificate_pem::parse_one(up.body).ok_or_else(|| errors::malformed_certificate(up.body))?;
    if let Some(chain) = up.chain {
        certificate_pem::parse_chain(chain).ok_or_else(errors::malformed_certificate_chain)?;
    }
    match private_key_match::check(up.private_key.expose(), &certificate.spki_der) {
        KeyCheck::Matches => {}
        KeyCheck::Mismatch => return Err(errors::key_pair_mismatch()),
        KeyCheck::Malformed => return Err(errors::malformed_private_key()),
    }
    let mut row = ServerCertificateRow {
        server_certificate_id: crate::ids::unique_id(&*ctx.state.rng, "ASCA"),
        account_id: ctx.account().to_string(),
        name: up.name.to_string(),
        path: path.to_string(),
        body: up.body.to_string(),
        chain: up.chain.map(str::to_string),
        key_sealed: Vec::new(),
        master_key_id: String::new(),
        expires_at: certificate.not_after_ms,
        uploaded_at: ctx.now,
    };
    let binding = CredentialBinding {
        kind: CredentialBinding::SERVER_CERTIFICATE_KEY,
        account_id: &row.account_id,
        id: &row.server_certificate_id,
        owner_id: "",
    };
    (row.master_key_id, row.key_sealed) =
        ctx.state.keyring.seal_credential(&*ctx.state.rng, &binding, up.private_key.expose().as_bytes()).map_err(
            |e| {
                tracing::error!(error = %e, "sealing a server certificate's private key failed");
                gatehouse_wire::iam::errors::service_failure("Service failure.")
            },
        )?;
    let mut tx = ctx.begin_write().await?;
    if store::by_name(tx.conn(&proof), ctx.account(), up.name).await?.is_some() {
        return Err(errors::server_certificate_exists(up.name));
    }
    let quota = ctx.state.quotas.server_certificates;
    if store::count(tx.conn(&proof), ctx.account()).await? >= i64::from(quota) {
        return Err(errors::quota_exceeded("ServerCertificatesPerAccount", quota));
    }
    match store::insert(tx.conn(&proof), &row).await {
        Err(StoreError::Conflict) => return Err(errors::server_certificate_exists(up.name)),
        other => other?,
    }
    tags::put(tx.conn(&proof), &row.server_certificate_id, &up.tags).await?;
    tx.commit(&proof).await?;
    Ok((row, up.tags))
}

pub async fn get(ctx: &Ctx, name: &str) -> Result<(ServerCertificateRow, Vec<Tag>), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, row) =
        named::authorized::<ServerCertificateRow, _>(ctx, &mut op, "iam:GetServerCertificate", name).await?;
    let tags = tags::list(op.conn(&proof), &row.server_certificate_id).await?;
    Ok((row, tags))
}

/// ListServerCertificates: decided, as the other lists, on the listed type's path prefix
/// (`arn:aws:iam::ACCT:server-certificate/PREFIX`).
pub async fn list(
    ctx: &Ctx,
    path_prefix: Option<&str>,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<Page<ServerCertificateRow>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let action = "iam:ListServerCertificates";
    Ok(named::list(ctx, &mut op, action, path_prefix, marker, max_items).await?.1)
}

/// UpdateServerCertificate: a new name and/or path, decided on the certificate and on its new ARN (AWS: "the
/// person making the request ... must have permission on both the source object and the target object").
pub async fn update(ctx: &Ctx, name: &str, new_name: Option<&str>, new_path: Option<&str>) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, row) =
        named::authorized::<ServerCertificateRow, _>(ctx, &mut tx, "iam:UpdateServerCertificate", name).await?;
    let target_name = new_name.unwrap_or(&row.name).to_string();
    let target_path = new_path.unwrap_or(&row.path).to_string();
    let target = crate::arn::iam(ctx.account(), "server-certificate", &target_path, &target_name);
    if target != row.arn() {
        ctx.authorize("iam:UpdateServerCertificate", &target)?;
    }
    let renamed = crate::store::users::name_key(&target_name) != crate::store::users::name_key(&row.name);
    if renamed && store::by_name(tx.conn(&proof), ctx.account(), &target_name).await?.is_some() {
        return Err(errors::server_certificate_exists(&target_name));
    }
    match store::rename(tx.conn(&proof), &row.server_certificate_id, &target_name, &target_path).await {
        Err(StoreError::Conflict) => return Err(errors::server_certificate_exists(&target_name)),
        other => other?,
    }
    tx.commit(&proof).await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, row) =
        named::authorized::<ServerCertificateRow, _>(ctx, &mut tx, "iam:DeleteServerCertificate", name).await?;
    tags::remove_all(tx.conn(&proof), &row.server_certificate_id).await?;
    store::delete(tx.conn(&proof), &row.server_certificate_id).await?;
    tx.commit(&proof).await?;
    Ok(())
}

/// Server certificates carry tags: found by name, authorised on their ARN, tagged under their unique id.
pub struct ServerCertificateTags;

impl tagging::Taggable for ServerCertificateTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        name: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, row) = named::authorized_with::<ServerCertificateRow, C>(ctx, op, action, name, facts).await?;
        Ok((proof, row.server_certificate_id))
    }
}
