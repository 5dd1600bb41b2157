//! A principal's grants: everything a decision about its requests reads from the store, loaded once and compiled
//! once (the cache in `authz::cache` keeps them while the account does not change).

use std::sync::Arc;

use gatehouse_policy::{CompiledPolicy, PolicyKind, RequestContext};
use sqlx::AnyConnection;

use super::compiled;
use crate::store::grants::{self, HeldPolicy};
use crate::store::tags::{self, Tag};

/// The policies and attributes that decide a principal's requests.
#[derive(Debug, Default, Clone)]
pub struct Grants {
    /// Identity-based policies: the principal's inline and attached ones, and for a user those of its groups.
    pub identity: Vec<Arc<CompiledPolicy>>,
    pub boundary: Option<Arc<CompiledPolicy>>,
    /// Session policies (the inline `Policy` and the `PolicyArns` a session was issued with); `None` when none was
    /// passed, which is not the same as an empty list (`gatehouse_policy::PolicySet::session`).
    pub session: Option<Vec<Arc<CompiledPolicy>>>,
    /// The boundary's ARN, `iam:PermissionsBoundary` of requests on the principal itself.
    pub boundary_arn: Option<String>,
    /// `aws:PrincipalTag/*`.
    pub tags: Vec<Tag>,
    /// Some policy reads `aws:ResourceTag/*` or `iam:ResourceTag/*`: only then do operations look up the tags of
    /// the resource they decide on (a key no policy reads cannot change a decision).
    pub reads_resource_tags: bool,
    /// The principal's own condition keys (`context::principal_keys`), the parent of each request's context.
    pub context: Arc<RequestContext>,
    /// A stored document could not be compiled (written by an older release with other rules, or damaged). Its
    /// statements might deny: no request of the principal is allowed until it is fixed (fail closed).
    pub unusable: bool,
}

impl Grants {
    /// The grants of an IAM user (`entity_id` its user id) or a role (its role id), with its boundary's ARN.
    pub async fn load(
        conn: &mut AnyConnection,
        entity_id: &str,
        boundary_arn: Option<String>,
    ) -> crate::store::Result<Grants> {
        let held = grants::held_policies(&mut *conn, entity_id).await?;
        let mut out = Grants { boundary_arn: boundary_arn.clone(), ..Grants::default() };
        for p in &held {
            match document_of(p) {
                Some(text) => out.add_identity(&text, &policy_id(p)),
                None => out.unusable("an attached policy has no document", &p.arn),
            }
        }
        if let Some(arn) = boundary_arn {
            match boundary_document(&mut *conn, &arn).await? {
                Some(text) => match compiled::compile(&text, PolicyKind::PermissionsBoundary, &arn) {
                    Ok(c) => out.boundary = Some(c),
                    Err(e) => out.unusable(&format!("the permissions boundary does not compile: {e}"), &arn),
                },
                None => out.unusable("the permissions boundary does not exist", &arn),
            }
        }
        out.tags = tags::list(conn, entity_id).await?;
        out.note_tag_readers();
        Ok(out)
    }

    /// Adds a session's policies: its inline policy and the documents of its managed session policies as they are
    /// now. A managed policy deleted since allows nothing; the others still decide.
    pub async fn add_session_policies(
        &mut self,
        conn: &mut AnyConnection,
        inline: Option<&str>,
        arns: &[String],
    ) -> crate::store::Result<()> {
        if inline.is_none() && arns.is_empty() {
            return Ok(());
        }
        let mut session = Vec::with_capacity(arns.len() + 1);
        if let Some(text) = inline {
            match compiled::compile(text, PolicyKind::Session, "session policy") {
                Ok(c) => session.push(c),
                Err(e) => self.unusable(&format!("the session policy does not compile: {e}"), "session policy"),
            }
        }
        for arn in arns {
            if let Some(text) = boundary_document(&mut *conn, arn).await? {
                match compiled::compile(&text, PolicyKind::Session, arn) {
                    Ok(c) => session.push(c),
                    Err(e) => self.unusable(&format!("a managed session policy does not compile: {e}"), arn),
                }
            }
        }
        self.session = Some(session);
        self.note_tag_readers();
        Ok(())
    }

    /// Every policy that decides the principal's requests.
    pub fn policies(&self) -> impl Iterator<Item = &Arc<CompiledPolicy>> {
        self.identity.iter().chain(self.boundary.iter()).chain(self.session.iter().flatten())
    }

    fn note_tag_readers(&mut self) {
        let reads = |key: &str| {
            let key = key.to_ascii_lowercase();
            key.starts_with("aws:resourcetag/") || key.starts_with("iam:resourcetag/")
        };
        let reads_any = self.policies().any(|p| p.context_keys().iter().any(|k| reads(k)));
        self.reads_resource_tags = reads_any;
    }

    fn add_identity(&mut self, text: &str, id: &str) {
        match compiled::compile(text, PolicyKind::Identity, id) {
            Ok(c) => self.identity.push(c),
            Err(e) => self.unusable(&format!("a policy does not compile: {e}"), id),
        }
    }

    fn unusable(&mut self, why: &str, policy: &str) {
        tracing::error!(policy, why, "a stored policy cannot be evaluated; the principal is denied everything");
        self.unusable = true;
    }
}

/// The document of a held policy: stored with it, or in the AWS managed catalogue.
pub fn document_of(p: &HeldPolicy) -> Option<String> {
    match &p.document {
        Some(d) => Some(d.clone()),
        None => gatehouse_catalogue::by_arn(&p.arn).map(|aws| aws.document().to_string()),
    }
}

/// The document of the managed policy `arn` (a permissions boundary, a managed session policy): an AWS managed
/// policy's from the catalogue, a customer managed one's default version; `None` if there is no such policy.
pub async fn boundary_document(conn: &mut AnyConnection, arn: &str) -> crate::store::Result<Option<String>> {
    match gatehouse_catalogue::by_arn(arn) {
        Some(aws) => Ok(Some(aws.document().to_string())),
        None => grants::managed_document(conn, arn).await,
    }
}

/// How a decision's log line names the policy: its ARN, or `user/NAME:POLICY` for an inline one.
fn policy_id(p: &HeldPolicy) -> String {
    if p.arn.is_empty() {
        format!("{}/{}:{}", p.holder_kind.as_str(), p.holder_name, p.name)
    } else {
        p.arn.clone()
    }
}
