//! Service-specific credentials: a user name and password for CodeCommit (Git over HTTPS) and Amazon Keyspaces, or
//! an API key (alias and secret) for Amazon Bedrock and CloudWatch Logs. At most two per user per service; the
//! secret is returned once (on create and on reset) and kept sealed; API keys may expire (CredentialAgeDays).

use base64::Engine as _;
use gatehouse_wire::AwsError;

use super::credential_owner::owning_user;
use super::paging::{self, Page};
use crate::authz::Facts;
use crate::crypto::CredentialBinding;
use crate::errors;
use crate::request::Ctx;
use crate::secret::Secret;
use crate::store::keys::KeyStatus;
use crate::store::service_credentials::{self, ServiceCredentialRow};
use crate::store::users::UserRow;

/// AWS's quota: "a maximum of two sets of service-specific credentials for each supported service per user".
pub const MAX_PER_USER_PER_SERVICE: usize = 2;

const DAY_MS: i64 = 86_400_000;

/// What a service's credential consists of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ServiceUserName `USER-at-ACCOUNT` and ServicePassword.
    Password,
    /// ServiceCredentialAlias and ServiceCredentialSecret (the newer API keys, which may expire).
    ApiKey,
}

/// The services of the API reference's CreateServiceSpecificCredential ("Amazon Bedrock, Amazon CloudWatch Logs,
/// CodeCommit and Amazon Keyspaces").
const SERVICES: &[(&str, Kind)] = &[
    ("bedrock.amazonaws.com", Kind::ApiKey),
    ("cassandra.amazonaws.com", Kind::Password),
    ("codecommit.amazonaws.com", Kind::Password),
    ("logs.amazonaws.com", Kind::ApiKey),
];

pub fn kind_of(service: &str) -> Option<Kind> {
    SERVICES.iter().find(|(name, _)| *name == service).map(|(_, kind)| *kind)
}

fn supported(service: &str) -> Result<Kind, AwsError> {
    kind_of(service).ok_or_else(|| errors::unsupported_credential_service(service))
}

/// A credential with what every response shows beside it.
pub struct Credential {
    pub row: ServiceCredentialRow,
    pub user_name: String,
    /// Expired when its age has run out: AWS shows `Expired` whatever the stored status.
    pub expired: bool,
}

impl Credential {
    fn new(row: ServiceCredentialRow, user_name: String, now: i64) -> Self {
        let expired = row.expires_at.is_some_and(|t| t <= now);
        Self { row, user_name, expired }
    }

    pub fn kind(&self) -> Kind {
        kind_of(&self.row.service_name).unwrap_or(Kind::Password)
    }
}

/// A credential with its secret, returned once.
pub struct Issued {
    pub credential: Credential,
    pub secret: Secret,
}

/// 32 random bytes, base64 (44 characters, like AWS's CodeCommit passwords).
fn new_secret(ctx: &Ctx) -> Secret {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    ctx.state.rng.fill(&mut bytes[..]);
    Secret::new(base64::engine::general_purpose::STANDARD.encode(&bytes[..]))
}

fn seal(ctx: &Ctx, row: &ServiceCredentialRow, secret: &Secret) -> Result<(String, Vec<u8>), AwsError> {
    let binding = CredentialBinding {
        kind: CredentialBinding::SERVICE_CREDENTIAL,
        account_id: &row.account_id,
        id: &row.credential_id,
        owner_id: &row.user_id,
    };
    ctx.state.keyring.seal_credential(&*ctx.state.rng, &binding, secret.expose().as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "sealing a service-specific credential failed");
        gatehouse_wire::iam::errors::service_failure("Service failure.")
    })
}

pub async fn create(ctx: &Ctx, user_name: &str, service_name: &str, age_days: Option<i32>) -> Result<Issued, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let age_text = age_days.map(|d| d.to_string());
    let mut facts = Facts::new().key("iam:ServiceSpecificCredentialServiceName", service_name);
    if let Some(days) = &age_text {
        facts = facts.key("iam:ServiceSpecificCredentialAgeDays", days);
    }
    // The user is looked up before the service is (recorded: a missing user wins over an unsupported service).
    let (proof, user) = super::named::authorized_with::<UserRow, _>(
        ctx,
        &mut tx,
        "iam:CreateServiceSpecificCredential",
        user_name,
        facts,
    )
    .await?;
    let kind = supported(service_name)?;
    if age_days.is_some() && kind != Kind::ApiKey {
        return Err(errors::credential_age_for_api_keys_only());
    }
    let held = service_credentials::of_user(tx.conn(&proof), &user.user_id).await?;
    if held.iter().filter(|c| c.service_name == service_name).count() >= MAX_PER_USER_PER_SERVICE {
        return Err(errors::service_credentials_quota(MAX_PER_USER_PER_SERVICE));
    }
    let (service_user_name, credential_alias) = match kind {
        Kind::Password => (Some(format!("{}-at-{}", user.name, ctx.account())), None),
        // AWS: "the IAM user name and a suffix containing version and creation information" (its exact form is
        // unrecorded; ours adds the creation time in seconds).
        Kind::ApiKey => (None, Some(format!("{}-at-{}-v1-{}", user.name, ctx.account(), ctx.now / 1000))),
    };
    let mut row = ServiceCredentialRow {
        credential_id: crate::ids::unique_id(&*ctx.state.rng, "ACCA"),
        account_id: ctx.account().to_string(),
        user_id: user.user_id.clone(),
        service_name: service_name.to_string(),
        service_user_name,
        credential_alias,
        secret_sealed: Vec::new(),
        master_key_id: String::new(),
        status: KeyStatus::Active,
        created_at: ctx.now,
        expires_at: age_days.map(|d| ctx.now.saturating_add(i64::from(d).saturating_mul(DAY_MS))),
    };
    let secret = new_secret(ctx);
    (row.master_key_id, row.secret_sealed) = seal(ctx, &row, &secret)?;
    service_credentials::insert(tx.conn(&proof), &row).await?;
    tx.commit(&proof).await?;
    Ok(Issued { credential: Credential::new(row, user.name, ctx.now), secret })
}

pub struct Listing<'a> {
    pub user_name: Option<&'a str>,
    pub service_name: Option<&'a str>,
    pub all_users: bool,
    pub marker: Option<&'a str>,
    pub max_items: Option<i32>,
}

pub async fn list(ctx: &Ctx, l: Listing<'_>) -> Result<Page<Credential>, AwsError> {
    let mut op = ctx.begin_read().await?;
    let all: Vec<Credential> = if l.all_users {
        // Every user of the account: authorised on all of them (`user/*`).
        let arn = format!("arn:aws:iam::{}:user/*", ctx.account());
        let proof = ctx.authorize("iam:ListServiceSpecificCredentials", &arn)?;
        if l.user_name.is_some() {
            return Err(errors::all_users_with_user_name());
        }
        service_credentials::of_account(op.conn(&proof), ctx.account())
            .await?
            .into_iter()
            .map(|(row, name)| Credential::new(row, name, ctx.now))
            .collect()
    } else {
        let (proof, user) = owning_user(ctx, &mut op, "iam:ListServiceSpecificCredentials", l.user_name).await?;
        service_credentials::of_user(op.conn(&proof), &user.user_id)
            .await?
            .into_iter()
            .map(|row| Credential::new(row, user.name.clone(), ctx.now))
            .collect()
    };
    if let Some(service) = l.service_name {
        supported(service)?;
    }
    let after = paging::decode_marker(l.marker)?;
    let (page, _) = paging::fetch_limit(l.max_items);
    let rest: Vec<Credential> = all
        .into_iter()
        .filter(|c| l.service_name.is_none_or(|s| c.row.service_name == s))
        .filter(|c| after.is_empty() || sort_key(c) > after)
        .collect();
    Ok(paging::paginate(rest, page, sort_key))
}

/// The listing's order (creation time, then id) as a string that compares alike: the marker of a page.
fn sort_key(c: &Credential) -> String {
    format!("{:020}/{}", c.row.created_at.max(0), c.row.credential_id)
}

/// The credential, which must be the user's (recorded: another id is `No such credential ID exists`).
async fn owned(conn: &mut sqlx::AnyConnection, user: &UserRow, id: &str) -> Result<ServiceCredentialRow, AwsError> {
    service_credentials::of_user_by_id(conn, &user.user_id, id)
        .await?
        .ok_or_else(|| errors::no_such_service_credential(id))
}

/// ResetServiceSpecificCredential: a new secret, returned once; the status is kept (recorded: an Inactive
/// credential stays Inactive).
pub async fn reset(ctx: &Ctx, user_name: Option<&str>, id: &str) -> Result<Issued, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:ResetServiceSpecificCredential", user_name).await?;
    let mut row = owned(tx.conn(&proof), &user, id).await?;
    let secret = new_secret(ctx);
    (row.master_key_id, row.secret_sealed) = seal(ctx, &row, &secret)?;
    service_credentials::set_secret(tx.conn(&proof), id, &row.secret_sealed, &row.master_key_id).await?;
    tx.commit(&proof).await?;
    Ok(Issued { credential: Credential::new(row, user.name, ctx.now), secret })
}

pub async fn update(
    ctx: &Ctx,
    user_name: Option<&str>,
    id: &str,
    status: Result<KeyStatus, AwsError>,
) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:UpdateServiceSpecificCredential", user_name).await?;
    // The status is checked after the authorisation decision (a caller without permission learns nothing).
    let status = status?;
    owned(tx.conn(&proof), &user, id).await?;
    service_credentials::set_status(tx.conn(&proof), id, status).await?;
    tx.commit(&proof).await?;
    Ok(())
}

pub async fn delete(ctx: &Ctx, user_name: Option<&str>, id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = owning_user(ctx, &mut tx, "iam:DeleteServiceSpecificCredential", user_name).await?;
    owned(tx.conn(&proof), &user, id).await?;
    service_credentials::delete(tx.conn(&proof), id).await?;
    tx.commit(&proof).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(expires_at: Option<i64>) -> ServiceCredentialRow {
        ServiceCredentialRow {
            credential_id: "ACCA".into(),
            account_id: "000000000000".into(),
            user_id: "AIDA".into(),
            service_name: "bedrock.amazonaws.com".into(),
            service_user_name: None,
            credential_alias: Some("a".into()),
            secret_sealed: vec![],
            master_key_id: String::new(),
            status: KeyStatus::Active,
            created_at: 0,
            expires_at,
        }
    }

    #[test]
    fn an_api_key_expires_at_the_end_of_its_age() {
        assert!(!Credential::new(row(None), "u".into(), i64::MAX).expired);
        assert!(!Credential::new(row(Some(DAY_MS)), "u".into(), DAY_MS - 1).expired);
        assert!(Credential::new(row(Some(DAY_MS)), "u".into(), DAY_MS).expired);
    }

    #[test]
    fn the_supported_services() {
        assert_eq!(kind_of("codecommit.amazonaws.com"), Some(Kind::Password));
        assert_eq!(kind_of("cassandra.amazonaws.com"), Some(Kind::Password));
        assert_eq!(kind_of("bedrock.amazonaws.com"), Some(Kind::ApiKey));
        assert_eq!(kind_of("logs.amazonaws.com"), Some(Kind::ApiKey));
        assert_eq!(kind_of("lambda.amazonaws.com"), None);
        assert_eq!(kind_of("CODECOMMIT.amazonaws.com"), None);
    }
}
