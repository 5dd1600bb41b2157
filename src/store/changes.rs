//! Change notifications between instances (Postgres only). Every write transaction bumps its account's revision
//! (`Store::write`); on Postgres that statement also queues `NOTIFY gatehouse_changes, 'ACCOUNT:REVISION'`,
//! delivered to every listening instance when, and only if, the transaction commits. The listener drops cached
//! principals older than the revision, so the next request of such a caller goes straight to the store.
//!
//! Nothing depends on a notification arriving: every request compares the account's revision anyway (see
//! `authz::cache`). A lost connection, a missed notification or SQLite (one process, no NOTIFY) cost at most a
//! reload that the revision check makes; never a stale decision.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::state::State;

pub const CHANNEL: &str = "gatehouse_changes";

/// The bump of Postgres: one statement that bumps the revision and notifies with the new one.
pub const BUMP_AND_NOTIFY: &str = "WITH bumped AS ( \
        UPDATE accounts SET revision = revision + 1 WHERE account_id = $1 RETURNING account_id, revision) \
     SELECT pg_notify('gatehouse_changes', account_id || ':' || revision) FROM bumped";

/// `ACCOUNT:REVISION`.
pub fn parse(payload: &str) -> Option<(&str, i64)> {
    let (account, revision) = payload.rsplit_once(':')?;
    Some((account, revision.parse().ok()?))
}

/// Listens until the task is aborted; reconnects after a failure (once a second at most).
pub async fn listen(url: String, state: Arc<State>) {
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => loop {
                    match listener.recv().await {
                        Ok(n) => match parse(n.payload()) {
                            Some((account, revision)) => state.principals.forget_account(account, revision),
                            None => tracing::warn!(payload = n.payload(), "an unreadable change notification"),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, "change notifications interrupted; reconnecting");
                            break;
                        }
                    }
                },
                Err(e) => tracing::warn!(error = %e, "cannot listen for change notifications"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot connect for change notifications"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn payloads() {
        assert_eq!(super::parse("123456789012:42"), Some(("123456789012", 42)));
        assert_eq!(super::parse("123456789012"), None);
        assert_eq!(super::parse("x:y"), None);
    }
}
