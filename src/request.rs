//! The context of one authenticated request, handed to every operation.

use std::sync::Arc;

use gatehouse_wire::AwsError;

use crate::authz::{self, Authorized};
use crate::identity::Caller;
use crate::state::State;
use crate::store::WriteTx;

pub struct Ctx {
    pub request_id: String,
    /// The request's time (milliseconds since the epoch), read once from the clock.
    pub now: i64,
    /// The region the request was signed for.
    pub region: String,
    pub caller: Caller,
    pub state: Arc<State>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("request_id", &self.request_id)
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

impl Ctx {
    /// The account the caller acts in.
    pub fn account(&self) -> &str {
        &self.caller.account_id
    }

    pub fn authorize(&self, action: &'static str, resource: &str) -> Result<Authorized, AwsError> {
        authz::authorize(&self.caller, action, resource)
    }

    /// Opens the write transaction of an authorised operation: there is no way to write without the proof.
    pub async fn write(&self, _proof: &Authorized) -> Result<WriteTx<'_>, AwsError> {
        Ok(self.state.store.write(self.account()).await?)
    }

    /// A pooled connection for the reads of an operation.
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, AwsError> {
        Ok(self.state.store.pool().acquire().await.map_err(crate::store::StoreError::from)?)
    }
}
