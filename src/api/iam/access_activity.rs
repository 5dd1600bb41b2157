//! The access activity family: ListPoliciesGrantingServiceAccess, the service last accessed reports, and the
//! Organizations access report (refused: no account here is in an organization).

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::AccessActivityApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::access_activity::{self, Granting};
use crate::domain::last_accessed;
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
    async fn generate_service_last_accessed_details(
        &self,
        ctx: &Ctx,
        input: iam::GenerateServiceLastAccessedDetailsRequest,
    ) -> Result<iam::GenerateServiceLastAccessedDetailsResponse, AwsError> {
        let action_level = input.granularity == Some(iam::AccessAdvisorUsageGranularityType::ActionLevel);
        let job_id = last_accessed::generate(ctx, &input.arn, action_level).await?;
        Ok(iam::GenerateServiceLastAccessedDetailsResponse { job_id: Some(job_id) })
    }

    async fn get_service_last_accessed_details(
        &self,
        ctx: &Ctx,
        input: iam::GetServiceLastAccessedDetailsRequest,
    ) -> Result<iam::GetServiceLastAccessedDetailsResponse, AwsError> {
        let r = last_accessed::get(ctx, &input.job_id, input.marker.as_deref(), input.max_items).await?;
        // Reports are computed when generated: every job is complete when it can be read.
        Ok(iam::GetServiceLastAccessedDetailsResponse {
            job_status: iam::JobStatusType::Completed,
            job_type: Some(if r.action_level {
                iam::AccessAdvisorUsageGranularityType::ActionLevel
            } else {
                iam::AccessAdvisorUsageGranularityType::ServiceLevel
            }),
            job_creation_date: timestamp(r.created_at),
            job_completion_date: timestamp(r.created_at),
            is_truncated: Some(r.page.is_truncated()),
            marker: r.page.next_marker,
            services_last_accessed: r.page.items,
            error: None,
        })
    }

    async fn get_service_last_accessed_details_with_entities(
        &self,
        ctx: &Ctx,
        input: iam::GetServiceLastAccessedDetailsWithEntitiesRequest,
    ) -> Result<iam::GetServiceLastAccessedDetailsWithEntitiesResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let (at, page) =
            last_accessed::get_with_entities(ctx, &input.job_id, &input.service_namespace, marker, max_items).await?;
        Ok(iam::GetServiceLastAccessedDetailsWithEntitiesResponse {
            job_status: iam::JobStatusType::Completed,
            job_creation_date: timestamp(at),
            job_completion_date: timestamp(at),
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            entity_details_list: page.items,
            error: None,
        })
    }

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
