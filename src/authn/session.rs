//! Temporary credentials: an `ASIA...` key id with the session token it was issued with. The token is opened
//! (which proves this server sealed it), it must name the key id that signed, it must not have expired, and the
//! signature is verified with the secret it carries. The session's grants are those of what it acts as, read as
//! they are now, intersected with its session policies.
//!
//! An entry in the principal cache is kept per key id together with the token's digest: a request with the same
//! key id and another token is opened again, and the entry's expiry is checked on every request.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use gatehouse_sigv4::{Auth, Request};
use gatehouse_wire::AwsError;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use zeroize::{Zeroize, Zeroizing};

use super::sig_error;
use crate::authz::cache::Entry;
use crate::authz::compiled;
use crate::authz::grants::Grants;
use crate::identity::{Caller, Principal};
use crate::sessions::{token, SessionClaims, SessionKind};
use crate::state::State;
use crate::store::tags::Tag;
use crate::store::{roles, users};

pub(super) async fn authenticate(
    state: &State,
    auth: &Auth<'_>,
    req: &Request<'_>,
    session_token: &str,
    now_ms: i64,
) -> Result<Arc<Entry>, AwsError> {
    let now = now_ms.div_euclid(1000);
    let digest: [u8; 32] = Sha256::digest(session_token.as_bytes()).into();
    if let Some(e) = state.principals.get(auth.access_key_id()) {
        if e.token_digest == Some(digest) && e.scope == auth.credential_scope() {
            if e.expires_at.is_some_and(|t| now_ms >= t) {
                return Err(AwsError::expired_token());
            }
            if state.store.revision(&e.caller.account_id).await? == Some(e.revision) {
                gatehouse_sigv4::verify(auth, req, &e.signing_key, now).map_err(|e| sig_error(&e))?;
                return Ok(e);
            }
        }
    }

    let mut claims = token::open(&state.keyring, session_token).map_err(|e| {
        tracing::info!(access_key_id = auth.access_key_id(), error = %e, "refused a session token");
        AwsError::invalid_client_token_id()
    })?;
    // A token goes with the key id it was issued with and no other.
    if claims.access_key_id != auth.access_key_id() {
        return Err(AwsError::invalid_client_token_id());
    }
    if now_ms >= claims.expires_at {
        return Err(AwsError::expired_token());
    }
    let signing_key = Zeroizing::new(auth.signing_key(&claims.secret));
    claims.secret.zeroize();
    gatehouse_sigv4::verify(auth, req, &signing_key, now).map_err(|e| sig_error(&e))?;

    // The revision first: everything read after it is at least as new (the discipline of `authz::cache`).
    let Some(revision) = state.store.revision(&claims.account_id).await? else {
        return Err(AwsError::invalid_client_token_id());
    };
    let mut conn = state.store.pool().acquire().await.map_err(crate::store::StoreError::from)?;
    let (principal, mut grants) = match claims.kind {
        SessionKind::Role => role_session(&mut conn, &claims).await?,
        SessionKind::SessionToken => user_session(&mut conn, &claims).await?,
        SessionKind::Federated => federated_session(&mut conn, &claims).await?,
    };
    drop(conn);
    let expires_at = claims.expires_at;
    let caller = Caller {
        account_id: claims.account_id.clone(),
        principal,
        access_key_id: claims.access_key_id.clone(),
        session: Some(Arc::new(claims)),
    };
    grants.context = Arc::new(crate::authz::context::principal_keys(&caller, &grants.tags));
    let entry = Arc::new(Entry {
        revision,
        caller,
        grants: Arc::new(grants),
        scope: auth.credential_scope().to_string(),
        signing_key,
        // Temporary credentials have no stored key whose last use could be recorded.
        last_used_at: AtomicI64::new(i64::MAX),
        token_digest: Some(digest),
        expires_at: Some(expires_at),
    });
    state.principals.put(entry.clone());
    Ok(entry)
}

/// A role session acts as its role, found by its unique id: a role deleted since (even if one of the same name
/// was made again) is not found, and its sessions are allowed nothing.
async fn role_session(conn: &mut AnyConnection, claims: &SessionClaims) -> crate::store::Result<(Principal, Grants)> {
    let Some(role) = &claims.role else {
        return Ok((Principal::Anonymous, Grants { unusable: true, ..Grants::default() }));
    };
    let principal = Principal::AssumedRole {
        role_id: role.id.clone(),
        role_name: role.name.clone(),
        role_path: role.path.clone(),
        session_name: claims.session_name.clone(),
        user_id: format!("{}:{}", role.id, claims.session_name),
    };
    let stored = roles::by_id(&mut *conn, &role.id).await?.filter(|r| r.account_id == claims.account_id);
    let mut grants = match stored {
        Some(r) => Grants::load(&mut *conn, &r.role_id, r.permissions_boundary.clone()).await?,
        None => Grants::default(),
    };
    grants.add_session_policies(&mut *conn, claims.policy.as_deref(), &claims.policy_arns).await?;
    grants.tags = merged_tags(std::mem::take(&mut grants.tags), claims);
    Ok((principal, grants))
}

/// A GetSessionToken session acts as the user (or root) that asked for it, with the user's grants as they are now.
/// A user deleted since (even if one of the same name was made again) is allowed nothing.
async fn user_session(conn: &mut AnyConnection, claims: &SessionClaims) -> crate::store::Result<(Principal, Grants)> {
    let Some(user) = &claims.user else { return Ok((Principal::Root, Grants::default())) };
    let principal = Principal::User { user_id: user.id.clone(), name: user.name.clone(), path: user.path.clone() };
    let stored = users::by_id(&mut *conn, &user.id).await?.filter(|u| u.account_id == claims.account_id);
    let grants = match stored {
        Some(u) => Grants::load(&mut *conn, &u.user_id, u.permissions_boundary.clone()).await?,
        None => Grants::default(),
    };
    Ok((principal, grants))
}

/// A GetFederationToken session: the calling user's grants (for root, everything) with the session's policies.
async fn federated_session(
    conn: &mut AnyConnection,
    claims: &SessionClaims,
) -> crate::store::Result<(Principal, Grants)> {
    let (base, mut grants) = user_session(&mut *conn, claims).await?;
    if base == Principal::Root {
        // The root user's own permissions are everything in its account; the session policies are the limit.
        match compiled::compile(ROOT_PERMISSIONS, gatehouse_policy::PolicyKind::Identity, "root") {
            Ok(all) => grants.identity.push(all),
            Err(_) => grants.unusable = true,
        }
    }
    grants.add_session_policies(&mut *conn, claims.policy.as_deref(), &claims.policy_arns).await?;
    grants.tags = merged_tags(std::mem::take(&mut grants.tags), claims);
    let principal = Principal::FederatedUser {
        name: claims.session_name.clone(),
        user_id: format!("{}:{}", claims.account_id, claims.session_name),
        base: Box::new(base),
    };
    Ok((principal, grants))
}

/// What a root user's federated session is intersected with: all of the account.
const ROOT_PERMISSIONS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// `aws:PrincipalTag/*` of a session: the role's tags, where a session tag of the same key (compared without
/// regard to case) overrides the role's.
fn merged_tags(role_tags: Vec<Tag>, claims: &SessionClaims) -> Vec<Tag> {
    let mut out: Vec<Tag> =
        role_tags.into_iter().filter(|t| !claims.tags.iter().any(|s| s.key.eq_ignore_ascii_case(&t.key))).collect();
    out.extend(claims.tags.iter().map(|t| t.tag()));
    out
}
