//! Permissions boundaries of users and roles: which managed policies may serve as one.

use gatehouse_wire::AwsError;
use sqlx::AnyConnection;

use super::named::authorized_with;
use super::roles::authorized_role;
use super::users::authorized_user;
use crate::authz::Facts;
use crate::errors;
use crate::request::Ctx;
use crate::store::roles::{self, RoleRow};
use crate::store::users::{self, UserRow};

/// Checks that `arn` names a managed policy that can be a boundary in `account` (a customer policy of the
/// account, or an AWS managed one), with AWS's errors for an ARN that names no policy and for one that does not
/// exist. Called in the write's transaction, so the policy cannot vanish before the change commits.
pub async fn check(conn: &mut AnyConnection, account: &str, arn: &str) -> Result<(), AwsError> {
    let is_policy_arn = crate::arn::Arn::parse_iam(arn).is_some_and(|a| a.resource.starts_with("policy/"));
    if !is_policy_arn {
        return Err(errors::invalid_arn(arn));
    }
    match super::policies::resolve(conn, account, arn).await? {
        Some(_) => Ok(()),
        None => Err(errors::boundary_not_attachable(arn)),
    }
}

/// PutUserPermissionsBoundary: sets or replaces the user's boundary.
pub async fn put_user(ctx: &Ctx, name: &str, arn: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let facts = Facts::new().key("iam:PermissionsBoundary", arn);
    let (proof, user) =
        authorized_with::<UserRow, _>(ctx, &mut tx, "iam:PutUserPermissionsBoundary", name, facts).await?;
    check(tx.conn(&proof), ctx.account(), arn).await?;
    users::set_boundary(tx.conn(&proof), &user.user_id, Some(arn)).await?;
    tx.commit(&proof).await
}

/// DeleteUserPermissionsBoundary: removes it (a user without one answers success, as AWS does: the call is
/// idempotent).
pub async fn delete_user(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, user) = authorized_user(ctx, &mut tx, "iam:DeleteUserPermissionsBoundary", name).await?;
    users::set_boundary(tx.conn(&proof), &user.user_id, None).await?;
    tx.commit(&proof).await
}

/// PutRolePermissionsBoundary: sets or replaces the role's boundary; a service-linked role's belongs to its
/// service.
pub async fn put_role(ctx: &Ctx, name: &str, arn: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let facts = Facts::new().key("iam:PermissionsBoundary", arn);
    let (proof, role) =
        authorized_with::<RoleRow, _>(ctx, &mut tx, "iam:PutRolePermissionsBoundary", name, facts).await?;
    if role.is_service_linked() {
        return Err(errors::protected_role(&role.name));
    }
    check(tx.conn(&proof), ctx.account(), arn).await?;
    roles::set_boundary(tx.conn(&proof), &role.role_id, Some(arn)).await?;
    tx.commit(&proof).await
}

/// DeleteRolePermissionsBoundary: removes it (idempotent, as for users).
pub async fn delete_role(ctx: &Ctx, name: &str) -> Result<(), AwsError> {
    let mut tx = ctx.begin_write().await?;
    let (proof, role) = authorized_role(ctx, &mut tx, "iam:DeleteRolePermissionsBoundary", name).await?;
    if role.is_service_linked() {
        return Err(errors::protected_role(&role.name));
    }
    roles::set_boundary(tx.conn(&proof), &role.role_id, None).await?;
    tx.commit(&proof).await
}
