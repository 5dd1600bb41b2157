//! The permissions boundaries family: Put/Delete{User,Role}PermissionsBoundary.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::PermissionsBoundariesApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::boundaries;

impl PermissionsBoundariesApi for Gatehouse {
    async fn put_user_permissions_boundary(
        &self,
        ctx: &Ctx,
        input: iam::PutUserPermissionsBoundaryRequest,
    ) -> Result<(), AwsError> {
        boundaries::put_user(ctx, &input.user_name, &input.permissions_boundary).await
    }

    async fn delete_user_permissions_boundary(
        &self,
        ctx: &Ctx,
        input: iam::DeleteUserPermissionsBoundaryRequest,
    ) -> Result<(), AwsError> {
        boundaries::delete_user(ctx, &input.user_name).await
    }

    async fn put_role_permissions_boundary(
        &self,
        ctx: &Ctx,
        input: iam::PutRolePermissionsBoundaryRequest,
    ) -> Result<(), AwsError> {
        boundaries::put_role(ctx, &input.role_name, &input.permissions_boundary).await
    }

    async fn delete_role_permissions_boundary(
        &self,
        ctx: &Ctx,
        input: iam::DeleteRolePermissionsBoundaryRequest,
    ) -> Result<(), AwsError> {
        boundaries::delete_role(ctx, &input.role_name).await
    }
}
