//! Service last accessed data ("access advisor"): the server's own record of authenticated requests, and the reports
//! GenerateServiceLastAccessedDetails makes of it for a user, group, role or managed policy.
//!
//! Every authenticated request by an IAM user (long-term key or its session) or a role session is recorded per
//! entity and action, at most once a minute each ([`record`]); the root user and federated users are not entities
//! of these reports. A report lists every service (of the Service Authorization Reference's namespaces) that the
//! entity's policies allow, as ListPoliciesGrantingServiceAccess decides it, with the last authenticated request to
//! it by the entities the report covers: the user or role itself, a group's members, or the users, roles and
//! group members a managed policy is attached to. ACTION_LEVEL reports add, for IAM and STS (the services Gatehouse
//! serves and so tracks), each action last requested. Reports are computed when generated and kept as JSON.

use gatehouse_wire::{iam, AwsError};
use serde::{Deserialize, Serialize};

use super::paging::{self, Page};
use super::policies::{self, Managed};
use crate::errors;
use crate::identity::Principal;
use crate::request::Ctx;
use crate::store::access_records::{self, ActionAccess};
use crate::store::{attachments, groups, inline_policies, roles, users, EntityKind};

/// A record is written at most this often per entity and action.
const RECORD_INTERVAL_MS: i64 = 60_000;

/// Records the request `ctx` is about to answer (after authentication, whatever the decision: AWS reports attempts).
pub async fn record(ctx: &Ctx) {
    let entity = match &ctx.caller.principal {
        Principal::User { user_id, .. } => user_id.as_str(),
        Principal::AssumedRole { role_id, .. } => role_id.as_str(),
        Principal::Root | Principal::FederatedUser { .. } | Principal::Anonymous => return,
    };
    let action = ctx.op.action;
    if !ctx.state.action_uses.due_within(&format!("{entity}\0{action}"), ctx.now, RECORD_INTERVAL_MS) {
        return;
    }
    let result = async {
        let mut conn = ctx.state.store.pool().acquire().await?;
        access_records::record(&mut conn, ctx.account(), entity, action, ctx.now, &ctx.region).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(entity, action, error = %e, "could not record an access for the last-accessed reports");
    }
}

/// One principal a report covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Covered {
    arn: String,
    name: String,
    /// USER, ROLE or GROUP.
    kind: String,
    id: String,
    path: String,
    /// The users and roles whose requests count for it (itself, or a group's members).
    principals: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ActionLine {
    action: String,
    entity: String,
    at: i64,
    region: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServiceLine {
    namespace: String,
    name: String,
    last: Option<(i64, String, String)>,
    total: i32,
    actions: Option<Vec<ActionLine>>,
    /// Per covered entity (by index into `covered`): its last request to the service.
    per_entity: Vec<(usize, Option<i64>)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Report {
    action_level: bool,
    covered: Vec<Covered>,
    services: Vec<ServiceLine>,
}

/// The documents of the policies `id` holds (inline and attached).
async fn documents_of(conn: &mut sqlx::AnyConnection, account: &str, id: &str) -> Result<Vec<String>, AwsError> {
    let mut out: Vec<String> =
        inline_policies::of_entity(&mut *conn, id).await?.into_iter().map(|p| p.document).collect();
    for a in attachments::of_entity(&mut *conn, id).await? {
        if let Some(doc) = managed_document(&mut *conn, account, &a.policy_arn).await? {
            out.push(doc);
        }
    }
    Ok(out)
}

async fn managed_document(
    conn: &mut sqlx::AnyConnection,
    account: &str,
    arn: &str,
) -> Result<Option<String>, AwsError> {
    Ok(match policies::resolve(&mut *conn, account, arn).await? {
        Some(Managed::Aws(p)) => Some(p.document().to_string()),
        Some(Managed::Customer(row)) => {
            crate::store::policies::version(&mut *conn, &row.policy_id, row.default_version).await?.map(|v| v.document)
        }
        None => None,
    })
}

fn user_covered(u: &users::UserRow) -> Covered {
    Covered {
        arn: u.arn(),
        name: u.name.clone(),
        kind: "USER".into(),
        id: u.user_id.clone(),
        path: u.path.clone(),
        principals: vec![u.user_id.clone()],
    }
}

fn role_covered(r: &roles::RoleRow) -> Covered {
    Covered {
        arn: r.arn(),
        name: r.name.clone(),
        kind: "ROLE".into(),
        id: r.role_id.clone(),
        path: r.path.clone(),
        principals: vec![r.role_id.clone()],
    }
}

async fn group_covered(conn: &mut sqlx::AnyConnection, g: &groups::GroupRow) -> Result<Covered, AwsError> {
    let members = groups::members(&mut *conn, &g.group_id, "", i64::MAX).await?;
    Ok(Covered {
        arn: g.arn(),
        name: g.name.clone(),
        kind: "GROUP".into(),
        id: g.group_id.clone(),
        path: g.path.clone(),
        principals: members.into_iter().map(|u| u.user_id).collect(),
    })
}

/// GenerateServiceLastAccessedDetails: decided on the entity's ARN, which must name an existing user, group, role
/// or managed policy; answers the job id of the report, computed now.
pub async fn generate(ctx: &Ctx, arn: &str, action_level: bool) -> Result<String, AwsError> {
    let parsed = crate::arn::Arn::parse_iam(arn).ok_or_else(|| errors::invalid_arn(arn))?;
    let (kind, rest) = parsed.resource.split_once('/').ok_or_else(|| errors::invalid_arn(arn))?;
    let name = rest.rsplit('/').next().unwrap_or(rest).to_string();
    let account = ctx.account().to_string();
    let mut op = ctx.begin_read().await?;
    let proof = ctx.authorize("iam:GenerateServiceLastAccessedDetails", arn)?;
    let conn = op.conn(&proof);
    let foreign = parsed.account != account && !(kind == "policy" && parsed.account == "aws");
    if foreign {
        return Err(errors::invalid_arn(arn));
    }
    let (covered, docs) = match kind {
        "user" => {
            let u = users::by_name(&mut *conn, &account, &name).await?.filter(|u| u.arn() == arn);
            let u = u.ok_or_else(|| errors::no_such_user(&name))?;
            let mut docs = documents_of(&mut *conn, &account, &u.user_id).await?;
            for g in groups::of_user(&mut *conn, &u.user_id, "", i64::MAX).await? {
                docs.extend(documents_of(&mut *conn, &account, &g.group_id).await?);
            }
            (vec![user_covered(&u)], docs)
        }
        "role" => {
            let r = roles::by_name(&mut *conn, &account, &name).await?.filter(|r| r.arn() == arn);
            let r = r.ok_or_else(|| errors::no_such_role(&name))?;
            let docs = documents_of(&mut *conn, &account, &r.role_id).await?;
            (vec![role_covered(&r)], docs)
        }
        "group" => {
            let g = groups::by_name(&mut *conn, &account, &name).await?.filter(|g| g.arn() == arn);
            let g = g.ok_or_else(|| errors::no_such_group(&name))?;
            let docs = documents_of(&mut *conn, &account, &g.group_id).await?;
            // A group's report covers its members, each reported as a user.
            let members = groups::members(&mut *conn, &g.group_id, "", i64::MAX).await?;
            (members.iter().map(user_covered).collect(), docs)
        }
        "policy" => {
            let doc = managed_document(&mut *conn, &account, arn).await?;
            let doc = doc.ok_or_else(|| errors::policy_not_found(arn))?;
            let mut covered = Vec::new();
            for (kind, _, id, _) in attachments::entities_of_policy(&mut *conn, &account, arn).await? {
                match kind {
                    EntityKind::User => {
                        if let Some(u) = users::by_id(&mut *conn, &id).await? {
                            covered.push(user_covered(&u));
                        }
                    }
                    EntityKind::Role => {
                        if let Some(r) = roles::by_id(&mut *conn, &id).await? {
                            covered.push(role_covered(&r));
                        }
                    }
                    EntityKind::Group => {
                        if let Some(g) = groups::by_id(&mut *conn, &id).await? {
                            covered.push(group_covered(&mut *conn, &g).await?);
                        }
                    }
                }
            }
            (covered, vec![doc])
        }
        _ => return Err(errors::invalid_arn(arn)),
    };

    // The records of every principal covered, and each principal's ARN.
    let mut records: Vec<(String, String, Vec<ActionAccess>)> = Vec::new();
    for c in &covered {
        for p in &c.principals {
            if records.iter().any(|(id, _, _)| id == p) {
                continue;
            }
            let arn = match users::by_id(&mut *conn, p).await? {
                Some(u) => u.arn(),
                None => match roles::by_id(&mut *conn, p).await? {
                    Some(r) => r.arn(),
                    None => continue,
                },
            };
            records.push((p.clone(), arn, access_records::of_entity(&mut *conn, p).await?));
        }
    }
    drop(op);

    let parsed_docs: Vec<gatehouse_policy::PolicyDocument> = docs
        .iter()
        .filter_map(|d| gatehouse_policy::parse_document(d, gatehouse_policy::PolicyKind::Identity).ok())
        .collect();
    let mut services = Vec::new();
    for (namespace, service_name) in gatehouse_catalogue::services() {
        if !parsed_docs.iter().any(|d| gatehouse_policy::grants_service(d, namespace)) {
            continue;
        }
        let in_service = |a: &ActionAccess| a.action.split_once(':').is_some_and(|(s, _)| s == *namespace);
        let mut last: Option<(i64, String, String)> = None;
        let mut total = 0;
        let mut actions: Vec<ActionLine> = Vec::new();
        for (_, entity_arn, accesses) in &records {
            let mut touched = false;
            for a in accesses.iter().filter(|a| in_service(a)) {
                touched = true;
                if last.as_ref().is_none_or(|(t, _, _)| a.last_at > *t) {
                    last = Some((a.last_at, entity_arn.clone(), a.region.clone()));
                }
                match actions.iter_mut().find(|l| l.action == a.action) {
                    Some(l) if l.at >= a.last_at => {}
                    Some(l) => {
                        *l = ActionLine {
                            action: a.action.clone(),
                            entity: entity_arn.clone(),
                            at: a.last_at,
                            region: a.region.clone(),
                        }
                    }
                    None => actions.push(ActionLine {
                        action: a.action.clone(),
                        entity: entity_arn.clone(),
                        at: a.last_at,
                        region: a.region.clone(),
                    }),
                }
            }
            total += i32::from(touched);
        }
        let per_entity = covered
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let at = records
                    .iter()
                    .filter(|(id, _, _)| c.principals.contains(id))
                    .flat_map(|(_, _, a)| a.iter().filter(|a| in_service(a)).map(|a| a.last_at))
                    .max();
                (i, at)
            })
            .collect();
        actions.sort_by(|a, b| a.action.cmp(&b.action));
        // Actions are tracked for the services Gatehouse serves.
        let tracked = action_level && (*namespace == "iam" || *namespace == "sts");
        services.push(ServiceLine {
            namespace: namespace.to_string(),
            name: service_name.to_string(),
            last,
            total,
            actions: tracked.then_some(actions),
            per_entity,
        });
    }
    let report = Report { action_level, covered, services };
    let content = serde_json::to_string(&report).map_err(|e| {
        tracing::error!(error = %e, "could not serialise a last-accessed report");
        AwsError::internal_failure()
    })?;
    let job_id = uuid::Uuid::new_v4().to_string();
    let mut tx = ctx.begin_write().await?;
    access_records::insert_report(tx.conn(&proof), &job_id, &account, ctx.now, &content).await?;
    tx.commit(&proof).await?;
    Ok(job_id)
}

async fn load(ctx: &Ctx, action: &'static str, job_id: &str) -> Result<(i64, Report), AwsError> {
    let proof = ctx.authorize(action, "*")?;
    let mut op = ctx.begin_read().await?;
    let found = access_records::report(op.conn(&proof), ctx.account(), job_id).await?;
    let Some((at, content)) = found else {
        return Err(iam::errors::no_such_entity(format!("The job with ID {job_id} cannot be found.")));
    };
    let report = serde_json::from_str(&content).map_err(|e| {
        tracing::error!(job_id, error = %e, "a stored last-accessed report does not parse");
        AwsError::internal_failure()
    })?;
    Ok((at, report))
}

/// A report page: when the job ran, whether it is action level, and its services.
pub struct ServicesPage {
    pub created_at: i64,
    pub action_level: bool,
    pub page: Page<iam::ServiceLastAccessed>,
}

pub async fn get(
    ctx: &Ctx,
    job_id: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<ServicesPage, AwsError> {
    let (created_at, report) = load(ctx, "iam:GetServiceLastAccessedDetails", job_id).await?;
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let rows: Vec<iam::ServiceLastAccessed> = report
        .services
        .into_iter()
        .filter(|s| s.namespace.as_str() > after.as_str())
        .map(|s| iam::ServiceLastAccessed {
            service_name: s.name,
            service_namespace: s.namespace,
            last_authenticated: s.last.as_ref().map(|(t, _, _)| crate::api::timestamp(*t)),
            last_authenticated_entity: s.last.as_ref().map(|(_, e, _)| e.clone()),
            last_authenticated_region: s.last.as_ref().map(|(_, _, r)| r.clone()),
            total_authenticated_entities: Some(s.total),
            tracked_actions_last_accessed: s.actions.map(|lines| {
                lines
                    .into_iter()
                    .map(|l| iam::TrackedActionLastAccessed {
                        action_name: Some(l.action.split_once(':').map_or(l.action.clone(), |(_, n)| n.to_string())),
                        last_accessed_entity: Some(l.entity),
                        last_accessed_time: Some(crate::api::timestamp(l.at)),
                        last_accessed_region: Some(l.region),
                    })
                    .collect()
            }),
        })
        .collect();
    let page = paging::paginate(rows, page, |s| s.service_namespace.clone());
    Ok(ServicesPage { created_at, action_level: report.action_level, page })
}

/// GetServiceLastAccessedDetailsWithEntities: the entities the report covers, each with its last request to the
/// service; a namespace the report does not list is `NoSuchEntity`.
pub async fn get_with_entities(
    ctx: &Ctx,
    job_id: &str,
    namespace: &str,
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(i64, Page<iam::EntityDetails>), AwsError> {
    let (created_at, report) = load(ctx, "iam:GetServiceLastAccessedDetailsWithEntities", job_id).await?;
    let Some(service) = report.services.iter().find(|s| s.namespace == namespace) else {
        return Err(iam::errors::no_such_entity(format!(
            "The service namespace {namespace} is not in the report of job {job_id}."
        )));
    };
    let after = paging::decode_marker(marker)?;
    let (page, _) = paging::fetch_limit(max_items);
    let rows: Vec<(String, iam::EntityDetails)> = service
        .per_entity
        .iter()
        .filter_map(|(i, at)| report.covered.get(*i).map(|c| (c, at)))
        .filter(|(c, _)| c.arn.as_str() > after.as_str())
        .map(|(c, at)| {
            let kind = match c.kind.as_str() {
                "ROLE" => iam::PolicyOwnerEntityType::Role,
                "GROUP" => iam::PolicyOwnerEntityType::Group,
                _ => iam::PolicyOwnerEntityType::User,
            };
            let info = iam::EntityInfo {
                arn: c.arn.clone(),
                name: c.name.clone(),
                r#type: kind,
                id: c.id.clone(),
                path: Some(c.path.clone()),
            };
            (c.arn.clone(), iam::EntityDetails { entity_info: info, last_authenticated: at.map(crate::api::timestamp) })
        })
        .collect();
    let mut rows = rows;
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let p = paging::paginate(rows, page, |(arn, _)| arn.clone());
    Ok((created_at, Page { items: p.items.into_iter().map(|(_, d)| d).collect(), next_marker: p.next_marker }))
}
