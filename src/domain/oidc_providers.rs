//! OpenID Connect providers: the issuers whose ID tokens AssumeRoleWithWebIdentity accepts. Each is named by its URL
//! without `https://` (`HOST[:PORT][/PATH]`), which is also its ARN's resource (`oidc-provider/HOST/PATH`), and holds
//! client ids (audiences), certificate thumbprints and tags.

use gatehouse_wire::AwsError;

use super::tagging;
use crate::authz::{Authorized, Facts};
use crate::errors;
use crate::request::{Ctx, Op, OpConnection};
use crate::store::oidc_providers::{self as oidc, OidcProviderRow};
use crate::store::tags::{self, Tag};
use crate::store::StoreError;

/// IAM keeps at most five thumbprints per provider (CreateOpenIDConnectProvider's documentation).
pub const MAX_THUMBPRINTS: usize = 5;

/// A provider with its client ids and thumbprints.
#[derive(Debug, Clone)]
pub struct Described {
    pub provider: OidcProviderRow,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
}

/// The provider's name from a CreateOpenIDConnectProvider Url: `https://` (any case) then a host of DNS labels,
/// an optional port and an optional path, without query, fragment or credentials (the OIDC issuer rules that
/// the Url's documentation gives). Anything else is AWS's recorded `Invalid Open ID Connect Provider URL`.
pub fn url_name(url: &str) -> Result<&str, AwsError> {
    let bad = errors::invalid_oidc_url;
    let scheme = url.get(..8).ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("https://") {
        return Err(bad());
    }
    let rest = &url[8..];
    if rest.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '@' | '\\')) {
        return Err(bad());
    }
    let (authority, _path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.is_empty() || !host.split('.').all(label_ok) {
        return Err(bad());
    }
    if let Some(port) = port {
        let ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !ok || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(bad());
        }
    }
    Ok(rest)
}

/// At most five thumbprints, each the hex SHA-1 of a certificate (the model checks the 40 characters).
fn check_thumbprints(thumbprints: &[String]) -> Result<(), AwsError> {
    if thumbprints.len() > MAX_THUMBPRINTS {
        return Err(errors::too_many_thumbprints());
    }
    match thumbprints.iter().find(|t| !t.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(t) => Err(errors::invalid_thumbprint(t)),
        None => Ok(()),
    }
}

/// The client ids in the order given, each once (registering one twice changes nothing).
fn distinct(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The provider an ARN names in the caller's account, if it exists: `arn:aws:iam::ACCOUNT:oidc-provider/URL`.
async fn by_arn(conn: &mut sqlx::AnyConnection, account: &str, arn: &str) -> Result<Option<OidcProviderRow>, AwsError> {
    let name = crate::arn::Arn::parse_iam(arn)
        .filter(|a| a.account == account)
        .and_then(|a| a.resource.strip_prefix("oidc-provider/"));
    match name {
        Some(name) if !name.is_empty() => Ok(oidc::by_url(conn, account, name).await?),
        _ => Ok(None),
    }
}

/// Looks the provider up by ARN, decides `action` on that ARN (with the provider's tags when it exists), then
/// requires that it exists. A string that is not an ARN at all is refused after the decision.
pub async fn authorized_provider<C: OpConnection>(
    ctx: &Ctx,
    op: &mut Op<C>,
    action: &'static str,
    arn: &str,
    facts: Facts<'_>,
) -> Result<(Authorized, OidcProviderRow), AwsError> {
    let found = by_arn(op.lookup(), ctx.account(), arn).await?;
    let owner = found.as_ref().map(|p| p.provider_id.as_str());
    let proof = super::named::decide_on(ctx, op, action, arn, owner, facts).await?;
    if crate::arn::Arn::parse(arn).is_none() {
        return Err(errors::invalid_arn(arn));
    }
    let found = found.ok_or_else(|| errors::no_such_oidc_provider(arn))?;
    Ok((proof, found))
}

pub async fn create(
    ctx: &Ctx,
    url: &str,
    client_ids: Vec<String>,
    thumbprints: Vec<String>,
    new_tags: Vec<Tag>,
) -> Result<(OidcProviderRow, Vec<Tag>), AwsError> {
    let name = url_name(url)?;
    let arn = oidc::arn(ctx.account(), name);
    let proof = ctx.authorize_with("iam:CreateOpenIDConnectProvider", &arn, &Facts::new().request_tags(&new_tags))?;
    check_thumbprints(&thumbprints)?;
    tagging::check_unique_keys(new_tags.iter().map(|t| t.key.as_str()))?;
    let client_ids = distinct(client_ids);
    let client_limit = ctx.state.quotas.client_ids_per_oidc_provider;
    if client_ids.len() > usize::try_from(client_limit).unwrap_or(usize::MAX) {
        return Err(errors::client_ids_quota(client_limit));
    }
    let provider = OidcProviderRow {
        provider_id: crate::ids::uuid(&*ctx.state.rng),
        account_id: ctx.account().to_string(),
        url: name.to_string(),
        created_at: ctx.now,
    };
    let exists = || errors::oidc_provider_exists(&format!("https://{name}"));
    let mut tx = ctx.begin_write().await?;
    if oidc::by_url(tx.conn(&proof), ctx.account(), name).await?.is_some() {
        return Err(exists());
    }
    let limit = ctx.state.quotas.oidc_providers;
    if oidc::count(tx.conn(&proof), ctx.account()).await? >= i64::from(limit) {
        return Err(errors::oidc_providers_quota(limit));
    }
    match oidc::insert(tx.conn(&proof), &provider).await {
        Err(StoreError::Conflict) => return Err(exists()),
        other => other?,
    }
    for id in &client_ids {
        oidc::add_client_id(tx.conn(&proof), &provider.provider_id, id).await?;
    }
    oidc::set_thumbprints(tx.conn(&proof), &provider.provider_id, &thumbprints).await?;
    tags::put(tx.conn(&proof), &provider.provider_id, &new_tags).await?;
    tx.commit(&proof).await?;
    Ok((provider, new_tags))
}

pub async fn get(ctx: &Ctx, arn: &str) -> Result<(Described, Vec<Tag>), AwsError> {
    let mut op = ctx.begin_read().await?;
    let (proof, provider) =
        authorized_provider(ctx, &mut op, "iam:GetOpenIDConnectProvider", arn, Facts::new()).await?;
    let client_ids = oidc::client_ids(op.conn(&proof), &provider.provider_id).await?;
    let thumbprints = oidc::thumbprints(op.conn(&proof), &provider.provider_id).await?;
    let tags = tags::list(op.conn(&proof), &provider.provider_id).await?;
    Ok((Described { provider, client_ids, thumbprints }, tags))
}

/// ListOpenIDConnectProviders: every provider of the account (the operation takes no filter and is not paged),
/// authorised on `*` as the Service Authorization Reference lists it.
pub async fn list(ctx: &Ctx) -> Result<Vec<OidcProviderRow>, AwsError> {
    let proof = ctx.authorize("iam:ListOpenIDConnectProviders", "*")?;
    let mut op = ctx.begin_read().await?;
    Ok(oidc::list(op.conn(&proof), ctx.account()).await?)
}

/// DeleteOpenIDConnectProvider: roles that trust the provider keep their trust policies (as in AWS). Its tags go
/// with it. A missing provider is AWS's recorded NoSuchEntity, whose words differ from Get's.
pub async fn delete(ctx: &Ctx, arn: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, provider) =
        match authorized_provider(ctx, &mut tx, "iam:DeleteOpenIDConnectProvider", arn, Facts::new()).await {
            Err(e) if e.code.as_ref() == "NoSuchEntity" => return Err(errors::oidc_provider_not_found_for_delete(arn)),
            other => other?,
        };
    tags::remove_all(tx.conn(&proof), &provider.provider_id).await?;
    oidc::delete(tx.conn(&proof), &provider.provider_id).await?;
    tx.commit(&proof).await
}

/// AddClientIDToOpenIDConnectProvider: adding one the provider has is a no-op (the operation is idempotent); a new
/// one must fit the ClientIdsPerOpenIdConnectProvider quota.
pub async fn add_client_id(ctx: &Ctx, arn: &str, client_id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, provider) =
        authorized_provider(ctx, &mut tx, "iam:AddClientIDToOpenIDConnectProvider", arn, Facts::new()).await?;
    let held = oidc::client_ids(tx.conn(&proof), &provider.provider_id).await?;
    if held.iter().any(|id| id == client_id) {
        return tx.commit(&proof).await;
    }
    let limit = ctx.state.quotas.client_ids_per_oidc_provider;
    if held.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
        return Err(errors::client_ids_quota(limit));
    }
    oidc::add_client_id(tx.conn(&proof), &provider.provider_id, client_id).await?;
    tx.commit(&proof).await
}

/// RemoveClientIDFromOpenIDConnectProvider: removing one the provider does not have is a no-op (idempotent).
pub async fn remove_client_id(ctx: &Ctx, arn: &str, client_id: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, provider) =
        authorized_provider(ctx, &mut tx, "iam:RemoveClientIDFromOpenIDConnectProvider", arn, Facts::new()).await?;
    oidc::remove_client_id(tx.conn(&proof), &provider.provider_id, client_id).await?;
    tx.commit(&proof).await
}

/// UpdateOpenIDConnectProviderThumbprint: the list replaces the provider's (it is not merged).
pub async fn update_thumbprints(ctx: &Ctx, arn: &str, thumbprints: &[String]) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, provider) =
        authorized_provider(ctx, &mut tx, "iam:UpdateOpenIDConnectProviderThumbprint", arn, Facts::new()).await?;
    check_thumbprints(thumbprints)?;
    oidc::set_thumbprints(tx.conn(&proof), &provider.provider_id, thumbprints).await?;
    tx.commit(&proof).await
}

/// OIDC providers carry tags: found by ARN (the `name` the tagging operations pass).
pub struct OidcProviderTags;

impl tagging::Taggable for OidcProviderTags {
    async fn authorize<C: OpConnection + Send>(
        ctx: &Ctx,
        op: &mut Op<C>,
        action: &'static str,
        arn: &str,
        facts: Facts<'_>,
    ) -> Result<(Authorized, String), AwsError> {
        let (proof, provider) = authorized_provider(ctx, op, action, arn, facts).await?;
        Ok((proof, provider.provider_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for (url, name) in [
            ("https://server.example.com", "server.example.com"),
            ("HTTPS://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"),
            ("https://oidc.eks.us-east-1.amazonaws.com/id/ABC123", "oidc.eks.us-east-1.amazonaws.com/id/ABC123"),
            ("https://keycloak.local:8443/realms/main", "keycloak.local:8443/realms/main"),
            ("https://localhost", "localhost"),
        ] {
            assert_eq!(url_name(url).unwrap(), name, "{url}");
        }
        for bad in [
            "example.org",
            "http://example.org",
            "https://",
            "https:///path",
            "https://exa mple.org",
            "https://example.org?x=1",
            "https://example.org/#frag",
            "https://user@example.org",
            "https://example..org",
            "https://-example.org",
            "https://example.org:",
            "https://example.org:0",
            "https://example.org:99999",
            "https://example.org:80a",
            "https://[::1]",
        ] {
            let e = url_name(bad).unwrap_err();
            assert_eq!(
                (e.code.as_ref(), e.message.as_str()),
                ("ValidationError", "Invalid Open ID Connect Provider URL")
            );
        }
    }

    #[test]
    fn thumbprints_and_client_ids() {
        let t = |c: char| c.to_string().repeat(40);
        assert!(check_thumbprints(&[]).is_ok());
        assert!(check_thumbprints(&[t('a'), t('B'), t('0'), t('9'), t('f')]).is_ok());
        let e = check_thumbprints(&[t('a'), t('b'), t('c'), t('d'), t('e'), t('f')]).unwrap_err();
        assert_eq!(e.message, "Thumbprint list must contain fewer than 5 entries.");
        let e = check_thumbprints(&[t('g')]).unwrap_err();
        assert_eq!(e.code.as_ref(), "InvalidInput");
        let ids = distinct(vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(ids, ["b", "a"]);
    }
}
