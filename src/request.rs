//! The context of one authenticated request, handed to every operation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use gatehouse_wire::authz::ActionAuth;
use gatehouse_wire::AwsError;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

use gatehouse_policy::RequestContext;

use crate::authn::Authenticated;
use crate::authz::grants::Grants;
use crate::authz::{context, Authorized, Decider, Facts, ResourcePolicy};
use crate::identity::Caller;
use crate::origin::Origin;
use crate::state::State;
use crate::store::WriteTx;

pub struct Ctx {
    pub request_id: String,
    /// The request's time (milliseconds since the epoch), read once from the clock.
    pub now: i64,
    /// The region the request was signed for.
    pub region: String,
    pub caller: Caller,
    /// What decisions about the caller's requests need (its policies, boundary and tags).
    pub grants: Arc<Grants>,
    /// The caller's account's revision the caller was authenticated at (none for the unsigned STS calls): what
    /// the read caches hold at this revision may answer the request.
    pub revision: Option<i64>,
    pub state: Arc<State>,
    /// How the operation being served is authorised (the action table).
    pub op: ActionAuth,
    /// `iam` or `sts`.
    pub service: &'static str,
    /// Where the request came from (aws:SourceIp, aws:SecureTransport, aws:UserAgent).
    pub origin: Origin,
    /// Set once a decision for `op.action` was made; the dispatcher refuses to answer success without one.
    decided: AtomicBool,
    /// The request's global condition keys, made at the first decision that reads them.
    context: OnceLock<Arc<RequestContext>>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("request_id", &self.request_id)
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

/// What a request says about itself before it is authenticated.
#[derive(Debug, Clone)]
pub struct Received {
    pub request_id: String,
    /// Milliseconds since the epoch, read once from the clock.
    pub now: i64,
    /// The region the request was signed for.
    pub region: String,
    /// `iam` or `sts`.
    pub service: &'static str,
    pub origin: Origin,
}

impl Ctx {
    pub fn new(request: Received, caller: Authenticated, state: Arc<State>, op: ActionAuth) -> Self {
        let Received { request_id, now, region, service, origin } = request;
        let Authenticated { caller, grants, revision } = caller;
        Self {
            request_id,
            now,
            region,
            caller,
            grants,
            revision,
            state,
            service,
            op,
            origin,
            decided: AtomicBool::new(false),
            context: OnceLock::new(),
        }
    }

    /// Whether a decision (allow or deny) was made for the operation's own action.
    pub fn decided(&self) -> bool {
        self.decided.load(Ordering::Relaxed)
    }

    /// The resource to decide on for an operation that names none it can resolve yet (one not implemented): its
    /// resource type's ARN with this account and `*` for every other part, or `*` for operations on no resource.
    pub fn default_resource(&self) -> String {
        let Some(template) = self.op.arn_template else { return "*".to_string() };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else { break };
            out.push_str(match &rest[start + 2..start + len] {
                "Partition" => "aws",
                "Account" => self.account(),
                _ => "*",
            });
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The account the caller acts in.
    pub fn account(&self) -> &str {
        &self.caller.account_id
    }

    /// Decides whether the caller may perform `action` on `resource`. Operations decide their own action (the
    /// dispatcher checks that they did) and may decide dependent ones too (iam:PassRole, say).
    pub fn authorize(&self, action: &'static str, resource: &str) -> Result<Authorized, AwsError> {
        self.authorize_with(action, resource, &Facts::new())
    }

    /// [`Ctx::authorize`] with the keys the operation knows for this decision (tags, `iam:PolicyARN`, ...).
    pub fn authorize_with(
        &self,
        action: &'static str,
        resource: &str,
        facts: &Facts<'_>,
    ) -> Result<Authorized, AwsError> {
        self.authorize_on(action, resource, facts, None)
    }

    /// [`Ctx::authorize_with`] with a resource-based policy in the decision (a role's trust policy).
    pub fn authorize_on(
        &self,
        action: &'static str,
        resource: &str,
        facts: &Facts<'_>,
        on: Option<ResourcePolicy<'_>>,
    ) -> Result<Authorized, AwsError> {
        if action == self.op.action {
            self.decided.store(true, Ordering::Relaxed);
        }
        let audit = self.state.enforcement == crate::config::Enforcement::Audit;
        let decider = Decider { caller: &self.caller, grants: &self.grants, audit, request_id: &self.request_id };
        decider.decide_on(|| self.global_context(), action, resource, facts, on)
    }

    /// [`Ctx::authorize`] as if the caller also held `extra` among its identity-based policies: for a permission
    /// an account setting grants (AllowUsersToChangePassword), which the caller's explicit denies, boundary and
    /// session policies still limit as they limit any identity-based allow.
    pub fn authorize_also_granted(
        &self,
        action: &'static str,
        resource: &str,
        extra: Arc<gatehouse_policy::CompiledPolicy>,
    ) -> Result<Authorized, AwsError> {
        if action == self.op.action {
            self.decided.store(true, Ordering::Relaxed);
        }
        let mut grants = (*self.grants).clone();
        grants.identity.push(extra);
        let audit = self.state.enforcement == crate::config::Enforcement::Audit;
        let decider = Decider { caller: &self.caller, grants: &grants, audit, request_id: &self.request_id };
        decider.decide_on(|| self.global_context(), action, resource, &Facts::new(), None)
    }

    /// Decides for a caller an identity provider vouches for, by the role's trust policy alone.
    pub fn authorize_federated(
        &self,
        principal: gatehouse_policy::Principal<'_>,
        action: &'static str,
        resource: &str,
        facts: &Facts<'_>,
        trust: ResourcePolicy<'_>,
    ) -> Result<Authorized, AwsError> {
        if action == self.op.action {
            self.decided.store(true, Ordering::Relaxed);
        }
        let audit = self.state.enforcement == crate::config::Enforcement::Audit;
        let decider = Decider { caller: &self.caller, grants: &self.grants, audit, request_id: &self.request_id };
        decider.decide_federated(|| self.global_context(), principal, action, resource, facts, trust)
    }

    /// Whether the decision of `action` on `resource` could read the resource's tags: only then are they worth
    /// looking up (a statement that cannot apply to the request, or reads no tag, cannot be swayed by them).
    pub fn wants_resource_tags(&self, action: &str, resource: &str) -> bool {
        const TAG_KEYS: [&str; 2] = ["aws:resourcetag/", "iam:resourcetag/"];
        let g = &self.grants;
        g.reads_resource_tags
            && !self.caller.is_root()
            && g.policies().any(|p| p.reads_for(action, resource, self.global_context(), &TAG_KEYS))
    }

    fn global_context(&self) -> &Arc<RequestContext> {
        self.context.get_or_init(|| {
            let transport = context::Transport {
                source_ip: self.origin.source_ip,
                secure: self.origin.secure_transport,
                user_agent: self.origin.user_agent.as_deref(),
            };
            let principal = self.grants.context.clone();
            let mut ctx = context::request_keys(principal, self.now, self.service, &self.region, transport);
            if let Some(mfa_at) = self.caller.session.as_ref().and_then(|s| s.mfa_at) {
                context::add_mfa_age(&mut ctx, mfa_at, self.now);
            }
            Arc::new(ctx)
        })
    }

    /// The one transaction of a write: the lookups that name the resource, the decision and the change all happen
    /// in it, so what was authorised is what is changed.
    pub async fn begin_write(&self) -> Result<Op<WriteTx<'_>>, AwsError> {
        Ok(Op { inner: self.state.store.write(self.account()).await? })
    }

    /// A pooled connection for the lookups and reads of an operation that changes nothing.
    pub async fn begin_read(&self) -> Result<Op<PoolConnection<Any>>, AwsError> {
        Ok(Op { inner: self.state.store.pool().acquire().await.map_err(crate::store::StoreError::from)? })
    }
}

/// The store as one operation sees it. Before the decision it serves lookups only: an entity may be looked up to
/// build the ARN the decision is made on (its path, as AWS does). Everything the operation then reads or changes
/// needs the proof of that decision, and a write commits only with it.
pub struct Op<C> {
    inner: C,
}

/// What an [`Op`] runs on: a write transaction or a pooled connection.
pub trait OpConnection {
    fn raw(&mut self) -> &mut AnyConnection;
}

impl OpConnection for WriteTx<'_> {
    fn raw(&mut self) -> &mut AnyConnection {
        self.conn()
    }
}

impl OpConnection for PoolConnection<Any> {
    fn raw(&mut self) -> &mut AnyConnection {
        self
    }
}

impl<C: OpConnection> Op<C> {
    /// For looking up what the decision is about, before it is made.
    pub fn lookup(&mut self) -> &mut AnyConnection {
        self.inner.raw()
    }

    /// For the reads and changes of an authorised operation.
    pub fn conn(&mut self, _proof: &Authorized) -> &mut AnyConnection {
        self.inner.raw()
    }
}

impl Op<WriteTx<'_>> {
    pub async fn commit(self, _proof: &Authorized) -> Result<(), AwsError> {
        Ok(self.inner.commit().await?)
    }
}
