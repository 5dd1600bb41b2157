//! Compiled policies, shared. Compiling a document costs tens of microseconds (an AWS managed policy such as
//! ReadOnlyAccess far more), a decision well under one: principals reloaded after a change in their account reuse
//! the compiled form of every document that did not change. Keyed by what the compiled form depends on (kind, id
//! and text), so an entry can never be stale; bounded, so an account that churns documents cannot grow it forever.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use gatehouse_policy::{CompiledPolicy, PolicyError, PolicyKind};
use sha2::{Digest, Sha256};

/// Past this many documents the cache starts over (a rare, cheap event: the next decisions recompile).
const MAX_ENTRIES: usize = 8192;

type Cache = Mutex<HashMap<[u8; 32], Arc<CompiledPolicy>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn key(text: &str, kind: PolicyKind, id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(format!("{kind:?}\n{}\n", id.len()));
    h.update(id.as_bytes());
    h.update(text.as_bytes());
    h.finalize().into()
}

/// The compiled form of `text` as a policy of `kind` named `id`.
pub fn compile(text: &str, kind: PolicyKind, id: &str) -> Result<Arc<CompiledPolicy>, PolicyError> {
    let key = key(text, kind, id);
    // A poisoned lock only means another thread panicked while holding it; the map itself is always whole.
    if let Some(hit) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(hit.clone());
    }
    let compiled = Arc::new(CompiledPolicy::compile(text, kind, id)?);
    let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(key, compiled.clone());
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_policy_other_id_other_policy() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
        let a = compile(text, PolicyKind::Identity, "a").unwrap();
        let b = compile(text, PolicyKind::Identity, "a").unwrap();
        let c = compile(text, PolicyKind::Identity, "c").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.id(), "c");
        assert!(compile("{", PolicyKind::Identity, "x").is_err());
    }
}
