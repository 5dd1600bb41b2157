//! Reads kept for the next request, valid for one revision of their account: the principal cache's discipline
//! (`authz::cache`) for what read-only operations look up. A value is put with the revision the request was
//! authenticated at, which is no newer than the data it was read from (the revision comes first); it answers a
//! later request only when that request was authenticated at the same revision, so a change committed before a
//! request starts always decides that request, on every instance. With SQLite the revision costs nothing to know;
//! with Postgres every request reads it once anyway, to authenticate.
//!
//! Each account's values live and die together: the first value put at a newer revision drops the older ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Past this many values in one account, the account's values start over.
const MAX_PER_ACCOUNT: usize = 10_000;

/// Past this many accounts, the cache starts over.
const MAX_ACCOUNTS: usize = 10_000;

pub struct ReadCache<V> {
    accounts: Mutex<HashMap<String, AccountValues<V>>>,
}

struct AccountValues<V> {
    revision: i64,
    values: HashMap<String, Arc<V>>,
}

impl<V> Default for ReadCache<V> {
    fn default() -> Self {
        Self { accounts: Mutex::new(HashMap::new()) }
    }
}

impl<V> std::fmt::Debug for ReadCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").field("accounts", &self.map().len()).finish()
    }
}

impl<V> ReadCache<V> {
    fn map(&self) -> MutexGuard<'_, HashMap<String, AccountValues<V>>> {
        // A poisoned lock only means a thread panicked while holding it; the map itself is always whole.
        self.accounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of `key` in `account`, if it was read at `revision`.
    pub fn get(&self, account: &str, revision: i64, key: &str) -> Option<Arc<V>> {
        let map = self.map();
        let values = map.get(account).filter(|a| a.revision == revision)?;
        values.values.get(key).cloned()
    }

    /// Keeps `value`, read at `revision` of `account`. A value older than what the account holds is not kept.
    pub fn put(&self, account: &str, revision: i64, key: &str, value: Arc<V>) {
        let mut map = self.map();
        if !map.contains_key(account) && map.len() >= MAX_ACCOUNTS {
            map.clear();
        }
        let values =
            map.entry(account.to_string()).or_insert_with(|| AccountValues { revision, values: HashMap::new() });
        if values.revision > revision {
            return;
        }
        if values.revision < revision || values.values.len() >= MAX_PER_ACCOUNT {
            values.revision = revision;
            values.values.clear();
        }
        values.values.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_answers_only_at_its_revision_and_a_newer_one_drops_the_account() {
        let c = ReadCache::<u32>::default();
        c.put("a", 5, "x", Arc::new(1));
        c.put("a", 5, "y", Arc::new(2));
        c.put("b", 9, "x", Arc::new(3));
        assert_eq!(c.get("a", 5, "x").as_deref(), Some(&1));
        assert_eq!(c.get("a", 6, "x"), None);
        assert_eq!(c.get("a", 4, "x"), None);
        // A value read at an older revision than the account's is not kept, nor does it drop the newer ones.
        c.put("a", 4, "z", Arc::new(9));
        assert_eq!(c.get("a", 4, "z"), None);
        assert_eq!(c.get("a", 5, "y").as_deref(), Some(&2));
        // The first value at a newer revision drops the rest of the account, not other accounts.
        c.put("a", 6, "x", Arc::new(7));
        assert_eq!(c.get("a", 6, "x").as_deref(), Some(&7));
        assert_eq!(c.get("a", 6, "y"), None);
        assert_eq!(c.get("b", 9, "x").as_deref(), Some(&3));
    }
}
