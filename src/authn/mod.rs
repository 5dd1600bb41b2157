//! Authentication: which principal signed this request. The signature is verified with the signing key derived
//! from the stored (sealed) secret of a long-term key, or from the secret sealed in a session token
//! (`session`); every failure answers with AWS's code and words.

mod session;

use gatehouse_sigv4::{Auth, Request, SigError};
use gatehouse_wire::AwsError;

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::authz::cache::Entry;
use crate::authz::grants::Grants;
use crate::crypto::KEY_SEAL_VERSION;
use crate::domain::access_keys;
use crate::identity::{Caller, Principal};
use crate::state::State;
use crate::store::keys;

/// A key's last use is written at most this often (AWS, too, reports it with coarse granularity), so that a
/// busy key does not turn every read into a write.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

pub fn sig_error(e: &SigError) -> AwsError {
    let (code, status, message) = e.aws();
    AwsError::new(code, status, message.to_string())
}

/// The checks of a parsed signature that need neither the store nor the parameters: the date window, the scope's
/// region and terminator, and that the scope names `service`. They run before the form is decoded.
pub fn precheck(auth: &Auth<'_>, service: &str, now_ms: i64) -> Result<(), AwsError> {
    let now = now_ms.div_euclid(1000);
    auth.check(now).map_err(|e| sig_error(&e))?;
    auth.require_service(service).map_err(|e| sig_error(&e))
}

/// A verified caller and what decisions about its requests need.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub caller: Caller,
    pub grants: Arc<Grants>,
    /// The revision of the caller's account that the caller was resolved at: no older than the account as it was
    /// when the request arrived, so what was cached at this revision may answer the request (`store::cached`).
    pub revision: Option<i64>,
}

/// Verifies a parsed signature and resolves the caller. `service` is the service the request is for.
///
/// A key seen before is served from the principal cache when its account's revision has not moved since
/// (one read of one row); otherwise the key row, its owner and the owner's grants are loaded again.
pub async fn authenticate(
    state: &State,
    auth: &Auth<'_>,
    req: &Request<'_>,
    service: &str,
    now_ms: i64,
) -> Result<Authenticated, AwsError> {
    let now = now_ms.div_euclid(1000);
    // Time window and scope are checked before the key is looked up, as AWS orders its errors (again, when the
    // caller ran [`precheck`]: it costs nothing, and this function stays correct on its own).
    precheck(auth, service, now_ms)?;
    if let Some(token) = auth.session_token() {
        let entry = session::authenticate(state, auth, req, token, now_ms).await?;
        return Ok(Authenticated {
            caller: entry.caller.clone(),
            grants: entry.grants.clone(),
            revision: Some(entry.revision),
        });
    }

    let entry = match state.principals.get(auth.access_key_id()) {
        Some(e) if e.scope == auth.credential_scope() && e.token_digest.is_none() => {
            let current = state.store.revision(&e.caller.account_id).await?;
            if current == Some(e.revision) {
                Some(e)
            } else {
                None
            }
        }
        _ => None,
    };
    let entry = match entry {
        Some(e) => {
            gatehouse_sigv4::verify(auth, req, &e.signing_key, now).map_err(|e| sig_error(&e))?;
            e
        }
        None => {
            let conn = state.store.pool().acquire().await.map_err(crate::store::StoreError::from)?;
            let e = load(state, conn, auth, req, now).await?;
            state.principals.put(e.clone());
            e
        }
    };
    if entry.last_used_at().is_none_or(|t| now_ms - t >= LAST_USED_GRANULARITY_MS) {
        entry.set_last_used_at(now_ms);
        let c = &entry.caller;
        record_use(state, &c.account_id, &c.access_key_id, now_ms, service, auth.region()).await;
    }
    Ok(Authenticated { caller: entry.caller.clone(), grants: entry.grants.clone(), revision: Some(entry.revision) })
}

/// The key row and its account's revision (one statement), the signature verified with the key's secret, then the
/// owner's grants: everything loaded after the revision was read is at least as new as it.
async fn load(
    state: &State,
    mut conn: sqlx::pool::PoolConnection<sqlx::Any>,
    auth: &Auth<'_>,
    req: &Request<'_>,
    now: i64,
) -> Result<Arc<Entry>, AwsError> {
    let Some(found) = keys::with_owner(&mut conn, auth.access_key_id()).await? else {
        return Err(AwsError::invalid_client_token_id());
    };
    if found.key.status != keys::KeyStatus::Active {
        return Err(AwsError::invalid_client_token_id());
    }
    // Who the key belongs to comes from the explicit marker only: a key row whose user is missing, or in another
    // account, is no credential at all (and never the root user).
    let principal = match (&found.key.user_id, found.user_name, found.user_path, found.user_account_id) {
        (None, _, _, _) if found.key.is_root() => Principal::Root,
        (Some(user_id), Some(name), Some(path), Some(acct))
            if found.key.owner_kind == keys::OwnerKind::User && acct == found.key.account_id =>
        {
            Principal::User { user_id: user_id.clone(), name, path }
        }
        _ => {
            tracing::error!(access_key_id = %found.key.access_key_id, "an access key row has no valid owner; refusing it");
            return Err(AwsError::invalid_client_token_id());
        }
    };
    // A secret that does not open under its row's binding was tampered with (or the master key is wrong): the
    // caller learns only that the credential is invalid; the operator learns why from the log.
    let secret = access_keys::open_secret(&state.keyring, &found.key).map_err(|e| {
        tracing::error!(access_key_id = %found.key.access_key_id, error = %e, "cannot open a stored secret");
        AwsError::invalid_client_token_id()
    })?;
    let secret = std::str::from_utf8(&secret).map_err(|_| AwsError::invalid_client_token_id())?;
    let signing_key = Zeroizing::new(auth.signing_key(secret));
    gatehouse_sigv4::verify(auth, req, &signing_key, now).map_err(|e| sig_error(&e))?;

    let mut grants = match &principal {
        Principal::User { user_id, .. } => Grants::load(&mut conn, user_id, found.user_boundary.clone()).await?,
        // The root user is decided without policies; nobody else signs with a long-term key.
        _ => Grants::default(),
    };
    // The connection goes back first: an in-memory SQLite store has only the one.
    drop(conn);
    if found.key.seal_version != KEY_SEAL_VERSION || found.key.master_key_id != state.keyring.current_id() {
        reseal(state, &found.key, secret).await;
    }
    let caller = Caller::long_term(found.key.account_id, principal, found.key.access_key_id);
    grants.context = Arc::new(crate::authz::context::principal_keys(&caller, &grants.tags));
    Ok(Arc::new(Entry {
        revision: found.account_revision,
        caller,
        grants: Arc::new(grants),
        scope: auth.credential_scope().to_string(),
        signing_key,
        last_used_at: AtomicI64::new(found.key.last_used_at.unwrap_or(-1)),
        token_digest: None,
        expires_at: None,
    }))
}

/// Brings a row sealed in an older format (or under a previous master key) to the current one, once its secret has
/// proved itself. Best effort, like `record_use`: the next use tries again.
async fn reseal(state: &State, key: &keys::AccessKeyRow, secret: &str) {
    let id = &key.access_key_id;
    let (master_key_id, sealed) = match state.keyring.seal_key_secret(&*state.rng, &key.binding(), secret) {
        Ok(s) => s,
        Err(e) => return tracing::warn!(access_key_id = %id, error = %e, "could not re-seal an access key secret"),
    };
    let result = async {
        let mut tx = state.store.write(&key.account_id).await?;
        keys::reseal(tx.conn(), id, key.seal_version, &sealed, &master_key_id, KEY_SEAL_VERSION).await?;
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => tracing::info!(access_key_id = %id, "re-sealed an access key secret in the current format"),
        Err(e) => tracing::warn!(access_key_id = %id, error = %e, "could not re-seal an access key secret"),
    }
}

/// Last use is bookkeeping: a failure to record it is logged, never fails the request.
async fn record_use(state: &State, account: &str, access_key_id: &str, now_ms: i64, service: &str, region: &str) {
    let result = async {
        let mut conn = state.store.pool().acquire().await?;
        keys::record_use(&mut conn, access_key_id, now_ms, service, region).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(account, access_key_id, error = %e, "could not record an access key's last use");
    }
}
