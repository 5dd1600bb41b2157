//! The access activity family: ListPoliciesGrantingServiceAccess (the last-accessed reports arrive with their issue).

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::AccessActivityApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::access_activity::{self, Granting};
use crate::store::EntityKind;

fn owner(kind: EntityKind) -> iam::PolicyOwnerEntityType {
    match kind {
        EntityKind::User => iam::PolicyOwnerEntityType::User,
        EntityKind::Group => iam::PolicyOwnerEntityType::Group,
        EntityKind::Role => iam::PolicyOwnerEntityType::Role,
    }
}

fn granting_shape(g: Granting) -> iam::PolicyGrantingServiceAccess {
    match g {
        Granting::Inline { name, kind, entity } => iam::PolicyGrantingServiceAccess {
            policy_name: name,
            policy_type: iam::PolicyType::Inline,
            policy_arn: None,
            entity_type: Some(owner(kind)),
            entity_name: Some(entity),
        },
        Granting::Managed { name, arn } => iam::PolicyGrantingServiceAccess {
            policy_name: name,
            policy_type: iam::PolicyType::Managed,
            policy_arn: Some(arn),
            entity_type: None,
            entity_name: None,
        },
    }
}

impl AccessActivityApi for Gatehouse {
    async fn generate_organizations_access_report(
        &self,
        ctx: &Ctx,
        _input: iam::GenerateOrganizationsAccessReportRequest,
    ) -> Result<iam::GenerateOrganizationsAccessReportResponse, AwsError> {
        Err(crate::domain::not_offered_here::organizations(ctx))
    }

    async fn get_organizations_access_report(
        &self,
        ctx: &Ctx,
        input: iam::GetOrganizationsAccessReportRequest,
    ) -> Result<iam::GetOrganizationsAccessReportResponse, AwsError> {
        Err(crate::domain::not_offered_here::organizations_access_report(ctx, &input.job_id))
    }

    async fn list_policies_granting_service_access(
        &self,
        ctx: &Ctx,
        input: iam::ListPoliciesGrantingServiceAccessRequest,
    ) -> Result<iam::ListPoliciesGrantingServiceAccessResponse, AwsError> {
        // Every namespace's answer fits one page (at most 200 namespaces, each with the identity's few policies), so
        // no marker is ever handed out; one given back is refused like any foreign marker.
        if input.marker.is_some() {
            return Err(crate::errors::invalid_marker());
        }
        let found = access_activity::granting_service_access(ctx, &input.arn, &input.service_namespaces).await?;
        Ok(iam::ListPoliciesGrantingServiceAccessResponse {
            policies_granting_service_access: found
                .into_iter()
                .map(|(ns, policies)| iam::ListPoliciesGrantingServiceAccessEntry {
                    service_namespace: Some(ns),
                    policies: Some(policies.into_iter().map(granting_shape).collect()),
                })
                .collect(),
            is_truncated: Some(false),
            marker: None,
        })
    }
}
