//! The service-linked roles family: CreateServiceLinkedRole, DeleteServiceLinkedRole and the deletion's status.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::ServiceLinkedRolesApi;
use crate::api::iam::roles::full_role_shape;
use crate::api::{Ctx, Gatehouse};
use crate::domain::service_linked_roles;
use crate::store::deletion_tasks::TaskStatus;

impl ServiceLinkedRolesApi for Gatehouse {
    async fn create_service_linked_role(
        &self,
        ctx: &Ctx,
        input: iam::CreateServiceLinkedRoleRequest,
    ) -> Result<iam::CreateServiceLinkedRoleResponse, AwsError> {
        let (description, suffix) = (input.description.as_deref(), input.custom_suffix.as_deref());
        let role = service_linked_roles::create(ctx, &input.aws_service_name, description, suffix).await?;
        // AWS answers with the role as GetRole shows it (MaxSessionDuration and an empty RoleLastUsed included).
        Ok(iam::CreateServiceLinkedRoleResponse { role: Some(full_role_shape(role, Vec::new())) })
    }

    async fn delete_service_linked_role(
        &self,
        ctx: &Ctx,
        input: iam::DeleteServiceLinkedRoleRequest,
    ) -> Result<iam::DeleteServiceLinkedRoleResponse, AwsError> {
        let deletion_task_id = service_linked_roles::delete(ctx, &input.role_name).await?;
        Ok(iam::DeleteServiceLinkedRoleResponse { deletion_task_id })
    }

    async fn get_service_linked_role_deletion_status(
        &self,
        ctx: &Ctx,
        input: iam::GetServiceLinkedRoleDeletionStatusRequest,
    ) -> Result<iam::GetServiceLinkedRoleDeletionStatusResponse, AwsError> {
        let status = match service_linked_roles::status(ctx, &input.deletion_task_id).await? {
            TaskStatus::Succeeded => iam::DeletionTaskStatusType::Succeeded,
            TaskStatus::InProgress => iam::DeletionTaskStatusType::InProgress,
            TaskStatus::Failed => iam::DeletionTaskStatusType::Failed,
            TaskStatus::NotStarted => iam::DeletionTaskStatusType::NotStarted,
        };
        Ok(iam::GetServiceLinkedRoleDeletionStatusResponse { status, reason: None })
    }
}
