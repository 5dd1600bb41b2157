//! The principal cache: per access key, who it belongs to, the principal's grants and the signing key of the scope
//! it last signed for, all valid for one revision of the account.
//!
//! The discipline (the same for one instance or many over one Postgres): every write in an account bumps
//! `accounts.revision` in its transaction (`Store::write`), and every request reads the account's revision before
//! it trusts an entry; an entry made at another revision is loaded again. An entry is filled from a snapshot read
//! together with that revision (the key row and the revision in one statement), and everything loaded after it
//! is at least as new, so an entry is never older than its revision says: a change committed before a request
//! starts is always seen by that request, on every instance. No stale allow, by construction rather than timing.
//! LISTEN/NOTIFY (Postgres) only drops entries early, to spare the next request the reload.
//!
//! The plaintext secret is never kept: only the derived signing key of one scope (date, region, service), which
//! is worthless for any other day, region or service; a request for another scope loads the key row again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use super::grants::Grants;
use crate::identity::Caller;

/// Past this many keys the cache starts over.
const MAX_ENTRIES: usize = 100_000;

/// What an authenticated key resolves to, at one revision of its account.
pub struct Entry {
    pub revision: i64,
    pub caller: Caller,
    pub grants: Arc<Grants>,
    /// `date/region/service/aws4_request` and its signing key.
    pub scope: String,
    pub signing_key: Zeroizing<[u8; 32]>,
    /// When the key's last use was recorded (milliseconds), so that a busy key is not written on every request.
    pub last_used_at: AtomicI64,
    /// Temporary credentials: the SHA-256 of the session token the entry was made from (a request with the same
    /// key id and another token is opened again), and when the session expires (milliseconds).
    pub token_digest: Option<[u8; 32]>,
    pub expires_at: Option<i64>,
}

impl Entry {
    pub fn last_used_at(&self) -> Option<i64> {
        Some(self.last_used_at.load(Ordering::Relaxed)).filter(|t| *t >= 0)
    }
    pub fn set_last_used_at(&self, t: i64) {
        self.last_used_at.store(t, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("revision", &self.revision).field("caller", &self.caller).finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub struct PrincipalCache {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

impl PrincipalCache {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Entry>>> {
        // A poisoned lock only means a thread panicked while holding it; the map itself is always whole.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entry of `access_key_id`, whatever its revision (the caller compares it with the account's).
    pub fn get(&self, access_key_id: &str) -> Option<Arc<Entry>> {
        self.map().get(access_key_id).cloned()
    }

    pub fn put(&self, entry: Arc<Entry>) {
        let mut map = self.map();
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(entry.caller.access_key_id.clone(), entry);
    }

    /// Drops every entry of the account that is older than `revision` (a change notification).
    pub fn forget_account(&self, account_id: &str, revision: i64) {
        self.map().retain(|_, e| e.caller.account_id != account_id || e.revision >= revision);
    }

    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
