//! What every request shares: the store, the master keys, the clock and the randomness source.

use std::sync::Arc;

use crate::authz::cache::PrincipalCache;
use crate::clock::Clock;
use crate::config::Enforcement;
use crate::crypto::Keyring;
use crate::ids::Randomness;
use crate::origin::TrustedProxies;
use crate::quotas::Quotas;
use crate::store::Store;

pub struct State {
    /// Operations reach the store only through their request context (`Ctx::begin_read` / `begin_write`), which
    /// hands out connections for lookups before a decision and for everything else with its proof.
    pub(crate) store: Store,
    pub(crate) keyring: Keyring,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Randomness>,
    /// The account created at first start, which root credentials from the environment belong to.
    pub default_account: String,
    /// IAM's quotas in force (AWS's defaults unless configured).
    pub quotas: Quotas,
    /// Who each recently seen access key belongs to, with its grants (valid for one revision of its account).
    pub(crate) principals: PrincipalCache,
    /// Users, groups, roles and instance profiles as read-only operations found them (valid for one revision).
    pub(crate) snapshots: crate::domain::named::Snapshots,
    /// Each account's creation date (the root user's), kept as read.
    pub(crate) account_created: crate::store::read_cache::ReadCache<i64>,
    /// When each role's use was last written (RoleLastUsed, coalesced).
    pub(crate) role_uses: crate::domain::sessions::LastUse,
    /// When each entity's request for each action was last recorded (the last-accessed reports, coalesced).
    pub(crate) action_uses: crate::domain::sessions::LastUse,
    /// OpenID Connect issuers' signing keys (configured, or fetched and cached).
    pub(crate) issuer_keys: crate::federation::oidc::IssuerKeys,
    /// The public base URL of the outbound federation issuers (`GATEHOUSE_ISSUER_BASE_URL`).
    pub issuer_base: String,
    /// The audiences (and recipients) accepted in SAML assertions.
    pub(crate) saml_audiences: Vec<String>,
    /// Whether denials are enforced or only logged.
    pub enforcement: Enforcement,
    /// The proxies whose forwarded headers say where a request came from.
    pub trusted_proxies: TrustedProxies,
}

impl State {
    /// How many access keys the principal cache holds, for tests of its invalidation.
    #[doc(hidden)]
    pub fn cached_principals(&self) -> usize {
        self.principals.len()
    }

    /// Forgets the revisions a SQLite store keeps in memory, as a restart would, for tests that play a database
    /// writer behind the server's back.
    #[doc(hidden)]
    pub fn forget_revisions_for_tests(&self) {
        self.store.forget_revisions();
    }

    /// The store and the master keys, for tests that play a database writer or an upgraded database.
    #[doc(hidden)]
    pub fn store_and_keys_for_tests(&self) -> (&Store, &Keyring) {
        (&self.store, &self.keyring)
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("store", &self.store)
            .field("default_account", &self.default_account)
            .field("enforcement", &self.enforcement)
            .finish_non_exhaustive()
    }
}
