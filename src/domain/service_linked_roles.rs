//! Service-linked roles: the roles an AWS service creates for itself, under `/aws-service-role/SERVICE/`, with the
//! name, trust policy and AWS managed policy AWS gives them (the recorded table in `gatehouse_catalogue`). Only
//! their service may change them; DeleteServiceLinkedRole deletes one and leaves a task to ask about.

use gatehouse_wire::AwsError;

use super::roles::DEFAULT_MAX_SESSION_DURATION;
use crate::authz::Facts;
use crate::errors;
use crate::request::Ctx;
use crate::store::deletion_tasks::{self, DeletionTaskRow, TaskStatus};
use crate::store::roles::{self, RoleRow};
use crate::store::{attachments, inline_policies, instance_profiles, tags, EntityKind, StoreError};

/// The name of the service's role: the recorded one, or for a service not recorded, AWS's documented pattern
/// `AWSServiceRoleFor` + the service's first label in CamelCase (`lambda.amazonaws.com` → `AWSServiceRoleForLambda`;
/// our reading), then `_SUFFIX` where a suffix is allowed and given.
fn role_name(service: &str, suffix: Option<&str>) -> Result<String, AwsError> {
    let recorded = gatehouse_catalogue::service_role(service);
    let base = match recorded {
        Some(r) => r.role_name.to_string(),
        None => {
            let label = service.split('.').next().unwrap_or(service);
            let camel: String = label
                .split('-')
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
                })
                .collect();
            format!("AWSServiceRoleFor{camel}")
        }
    };
    match suffix {
        None => Ok(base),
        // AWS allows a suffix only for the services that name several roles (recorded for 68 services that refuse).
        Some(_) if recorded.is_some_and(|r| !r.suffixed) => Err(errors::custom_suffix_not_allowed(service)),
        Some(s) => Ok(format!("{base}_{s}")),
    }
}

/// The trust policy AWS gives every service-linked role: the service may assume it.
fn trust_policy(service: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// Service principals are `NAME.amazonaws.com` (lowercase letters, digits, dots and dashes).
fn check_service(service: &str) -> Result<(), AwsError> {
    let name = service.strip_suffix(".amazonaws.com").filter(|n| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    });
    match name {
        Some(_) => Ok(()),
        None => Err(errors::unknown_service(service)),
    }
}

pub async fn create(
    ctx: &Ctx,
    service: &str,
    description: Option<&str>,
    suffix: Option<&str>,
) -> Result<RoleRow, AwsError> {
    check_service(service)?;
    let name = role_name(service, suffix)?;
    let path = format!("/aws-service-role/{service}/");
    let arn = crate::arn::iam(ctx.account(), "role", &path, &name);
    let proof =
        ctx.authorize_with("iam:CreateServiceLinkedRole", &arn, &Facts::new().key("iam:AWSServiceName", service))?;
    let recorded = gatehouse_catalogue::service_role(service);
    let role = RoleRow {
        role_id: crate::ids::unique_id(&*ctx.state.rng, "AROA"),
        account_id: ctx.account().to_string(),
        name: name.clone(),
        path,
        trust_policy: trust_policy(service),
        description: description
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .or_else(|| recorded.and_then(|r| r.description).map(str::to_string)),
        max_session_duration: DEFAULT_MAX_SESSION_DURATION,
        permissions_boundary: None,
        service_name: Some(service.to_string()),
        created_at: ctx.now,
        last_used_at: None,
        last_used_region: None,
    };
    let mut tx = ctx.begin_write().await?;
    if roles::by_name(tx.conn(&proof), ctx.account(), &name).await?.is_some() {
        return Err(errors::service_role_name_taken(&name));
    }
    let limit = ctx.state.quotas.roles;
    if roles::count(tx.conn(&proof), ctx.account()).await? >= i64::from(limit) {
        return Err(errors::roles_quota(limit));
    }
    match roles::insert(tx.conn(&proof), &role).await {
        Err(StoreError::Conflict) => return Err(errors::service_role_name_taken(&name)),
        other => other?,
    }
    for policy in recorded.map(|r| r.policies).unwrap_or_default() {
        let policy_name = policy.rsplit('/').next().unwrap_or(policy);
        let (account, id) = (ctx.account(), role.role_id.as_str());
        attachments::attach(tx.conn(&proof), account, EntityKind::Role, id, policy, policy_name, ctx.now).await?;
    }
    tx.commit(&proof).await?;
    Ok(role)
}

/// DeleteServiceLinkedRole: no service here holds resources that use the role, so the deletion completes at once;
/// the task records it (`task/aws-service-role/SERVICE/NAME/UUID`, as AWS names tasks).
pub async fn delete(ctx: &Ctx, name: &str) -> Result<String, AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, role) = super::roles::authorized_role(ctx, &mut tx, "iam:DeleteServiceLinkedRole", name).await?;
    let Some(service) = role.service_name.clone() else { return Err(errors::not_service_linked(&role.name)) };
    if instance_profiles::any_for_role(tx.conn(&proof), &role.role_id).await? {
        return Err(errors::delete_conflict("remove roles from instance profile"));
    }
    // The role's policies are its service's: they go with it.
    attachments::remove_all(tx.conn(&proof), &role.role_id).await?;
    inline_policies::remove_all(tx.conn(&proof), &role.role_id).await?;
    tags::remove_all(tx.conn(&proof), &role.role_id).await?;
    roles::delete(tx.conn(&proof), &role.role_id).await?;
    let id = format!("task/aws-service-role/{service}/{}/{}", role.name, crate::ids::request_id(&*ctx.state.rng));
    let task = DeletionTaskRow {
        deletion_task_id: id.clone(),
        account_id: ctx.account().to_string(),
        role_name: role.name,
        status: TaskStatus::Succeeded,
        reason: None,
        created_at: ctx.now,
    };
    deletion_tasks::insert(tx.conn(&proof), &task).await?;
    tx.commit(&proof).await?;
    Ok(id)
}

/// GetServiceLinkedRoleDeletionStatus, authorised on the role the task deleted (`role/aws-service-role/...`).
pub async fn status(ctx: &Ctx, task_id: &str) -> Result<TaskStatus, AwsError> {
    let role_arn = task_id
        .strip_prefix("task/")
        .and_then(|rest| rest.rsplit_once('/'))
        .map(|(role_path_name, _)| format!("arn:aws:iam::{}:role/{role_path_name}", ctx.account()))
        .ok_or_else(|| errors::no_such_deletion_task(task_id))?;
    let mut op = ctx.begin_read().await?;
    let task = deletion_tasks::by_id(op.lookup(), ctx.account(), task_id).await?;
    let _proof = ctx.authorize("iam:GetServiceLinkedRoleDeletionStatus", &role_arn)?;
    Ok(task.ok_or_else(|| errors::no_such_deletion_task(task_id))?.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(role_name("batch.amazonaws.com", None).unwrap(), "AWSServiceRoleForBatch");
        assert_eq!(role_name("autoscaling.amazonaws.com", Some("x")).unwrap(), "AWSServiceRoleForAutoScaling_x");
        assert_eq!(role_name("lambda.amazonaws.com", None).unwrap(), "AWSServiceRoleForLambda");
        assert_eq!(role_name("elastic-thing.amazonaws.com", Some("a")).unwrap(), "AWSServiceRoleForElasticThing_a");
        let e = role_name("batch.amazonaws.com", Some("x")).unwrap_err();
        assert_eq!(e.message, "Custom suffix is not allowed for batch.amazonaws.com");
        assert!(check_service("Batch.amazonaws.com").is_err() && check_service("amazonaws.com").is_err());
    }
}
