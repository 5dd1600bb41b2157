//! The managed policies family: customer policies with their versions and tags, and AWS's catalogue, read-only.

use gatehouse_wire::document::encode_document;
use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::ManagedPoliciesApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::policies::{self, Described, Scope, Usage, Version};
use crate::domain::tagging;

/// A count as the model types it (counts are far below `i32::MAX`; saturate rather than wrap).
fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(crate) fn policy_shape(d: Described) -> iam::Policy {
    let p = d.policy;
    iam::Policy {
        policy_name: Some(p.name().to_string()),
        policy_id: Some(p.id().to_string()),
        arn: Some(p.arn()),
        path: Some(p.path().to_string()),
        default_version_id: Some(policies::version_id(p.default_version())),
        attachment_count: Some(count(d.attachment_count)),
        permissions_boundary_usage_count: Some(count(d.boundary_usage_count)),
        is_attachable: Some(p.attachable()),
        description: p.description().map(str::to_string),
        create_date: Some(timestamp(p.created_at())),
        update_date: Some(timestamp(p.updated_at())),
        tags: d.tags.map(tagging::to_wire),
    }
}

/// A version; its document only where AWS sends one (GetPolicyVersion, the account views), URL-encoded.
pub(crate) fn version_shape(v: Version, with_document: bool) -> iam::PolicyVersion {
    iam::PolicyVersion {
        document: with_document.then(|| encode_document(&v.document)),
        version_id: Some(policies::version_id(v.version)),
        is_default_version: Some(v.is_default),
        create_date: Some(timestamp(v.created_at)),
    }
}

pub(crate) fn usage(u: Option<iam::PolicyUsageType>) -> Option<Usage> {
    u.map(|u| match u {
        iam::PolicyUsageType::PermissionsPolicy => Usage::Permissions,
        iam::PolicyUsageType::PermissionsBoundary => Usage::Boundary,
    })
}

impl ManagedPoliciesApi for Gatehouse {
    async fn create_policy(
        &self,
        ctx: &Ctx,
        input: iam::CreatePolicyRequest,
    ) -> Result<iam::CreatePolicyResponse, AwsError> {
        let new = policies::NewPolicy {
            name: &input.policy_name,
            path: input.path.as_deref(),
            document: &input.policy_document,
            description: input.description.as_deref(),
            tags: tagging::from_wire(input.tags.as_deref().unwrap_or_default()),
        };
        let created = policies::create(ctx, new).await?;
        Ok(iam::CreatePolicyResponse { policy: Some(policy_shape(created)) })
    }

    async fn get_policy(&self, ctx: &Ctx, input: iam::GetPolicyRequest) -> Result<iam::GetPolicyResponse, AwsError> {
        Ok(iam::GetPolicyResponse { policy: Some(policy_shape(policies::get(ctx, &input.policy_arn).await?)) })
    }

    async fn list_policies(
        &self,
        ctx: &Ctx,
        input: iam::ListPoliciesRequest,
    ) -> Result<iam::ListPoliciesResponse, AwsError> {
        let scope = match input.scope.unwrap_or(iam::PolicyScopeType::All) {
            iam::PolicyScopeType::All => Scope::All,
            iam::PolicyScopeType::Aws => Scope::Aws,
            iam::PolicyScopeType::Local => Scope::Local,
        };
        let q = policies::ListQuery {
            scope,
            only_attached: input.only_attached.unwrap_or(false),
            path_prefix: input.path_prefix.as_deref().unwrap_or("/"),
            usage: usage(input.policy_usage_filter),
            marker: input.marker.as_deref(),
            max_items: input.max_items,
        };
        let page = policies::list(ctx, q).await?;
        Ok(iam::ListPoliciesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            policies: Some(page.items.into_iter().map(policy_shape).collect()),
        })
    }

    async fn delete_policy(&self, ctx: &Ctx, input: iam::DeletePolicyRequest) -> Result<(), AwsError> {
        policies::delete(ctx, &input.policy_arn).await
    }

    async fn create_policy_version(
        &self,
        ctx: &Ctx,
        input: iam::CreatePolicyVersionRequest,
    ) -> Result<iam::CreatePolicyVersionResponse, AwsError> {
        let set_default = input.set_as_default.unwrap_or(false);
        let v = policies::create_version(ctx, &input.policy_arn, &input.policy_document, set_default).await?;
        Ok(iam::CreatePolicyVersionResponse { policy_version: Some(version_shape(v, false)) })
    }

    async fn get_policy_version(
        &self,
        ctx: &Ctx,
        input: iam::GetPolicyVersionRequest,
    ) -> Result<iam::GetPolicyVersionResponse, AwsError> {
        let v = policies::get_version(ctx, &input.policy_arn, &input.version_id).await?;
        Ok(iam::GetPolicyVersionResponse { policy_version: Some(version_shape(v, true)) })
    }

    async fn list_policy_versions(
        &self,
        ctx: &Ctx,
        input: iam::ListPolicyVersionsRequest,
    ) -> Result<iam::ListPolicyVersionsResponse, AwsError> {
        let page = policies::list_versions(ctx, &input.policy_arn, input.marker.as_deref(), input.max_items).await?;
        Ok(iam::ListPolicyVersionsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            versions: Some(page.items.into_iter().map(|v| version_shape(v, false)).collect()),
        })
    }

    async fn delete_policy_version(&self, ctx: &Ctx, input: iam::DeletePolicyVersionRequest) -> Result<(), AwsError> {
        policies::delete_version(ctx, &input.policy_arn, &input.version_id).await
    }

    async fn set_default_policy_version(
        &self,
        ctx: &Ctx,
        input: iam::SetDefaultPolicyVersionRequest,
    ) -> Result<(), AwsError> {
        policies::set_default_version(ctx, &input.policy_arn, &input.version_id).await
    }

    async fn tag_policy(&self, ctx: &Ctx, input: iam::TagPolicyRequest) -> Result<(), AwsError> {
        let tags = tagging::from_wire(&input.tags);
        tagging::tag::<policies::PolicyTags>(ctx, "iam:TagPolicy", &input.policy_arn, tags).await
    }

    async fn untag_policy(&self, ctx: &Ctx, input: iam::UntagPolicyRequest) -> Result<(), AwsError> {
        tagging::untag::<policies::PolicyTags>(ctx, "iam:UntagPolicy", &input.policy_arn, &input.tag_keys).await
    }

    async fn list_policy_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListPolicyTagsRequest,
    ) -> Result<iam::ListPolicyTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let page =
            tagging::list::<policies::PolicyTags>(ctx, "iam:ListPolicyTags", &input.policy_arn, marker, max_items)
                .await?;
        Ok(iam::ListPolicyTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
