//! What every request shares: the store, the master keys, the clock and the randomness source.

use std::sync::Arc;

use crate::clock::Clock;
use crate::crypto::Keyring;
use crate::ids::Randomness;
use crate::store::Store;

pub struct State {
    pub store: Store,
    pub keyring: Keyring,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Randomness>,
    /// The account created at first start, which root credentials from the environment belong to.
    pub default_account: String,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("store", &self.store)
            .field("default_account", &self.default_account)
            .finish_non_exhaustive()
    }
}
