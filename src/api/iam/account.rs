//! The account family: GetAccountSummary and GetAccountAuthorizationDetails (the other account operations arrive
//! with their issues).

use std::collections::BTreeMap;

use gatehouse_wire::document::encode_document;
use gatehouse_wire::iam::{self, SummaryKeyType as K};
use gatehouse_wire::AwsError;

use super::{attached_shape, boundary_shape};
use crate::api::generated::iam::AccountApi;
use crate::api::iam::instance_profiles::profile_shape;
use crate::api::iam::managed_policies::version_shape;
use crate::api::timestamp;
use crate::api::{Ctx, Gatehouse};
use crate::domain::account::{self, Detail, DetailKind, HeldPolicies};
use crate::domain::{account_aliases, credential_report, not_offered_here, policies, tagging};

fn n(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn q(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn inline_shape(inline: Vec<(String, String)>) -> Vec<iam::PolicyDetail> {
    inline
        .into_iter()
        .map(|(name, doc)| iam::PolicyDetail { policy_name: Some(name), policy_document: Some(encode_document(&doc)) })
        .collect()
}

/// Each entity's lists are sent even when empty, as AWS sends them; the inline list of a user only when it has one.
fn user_detail(
    user: crate::store::users::UserRow,
    groups: Vec<String>,
    p: HeldPolicies,
    tags: Vec<crate::store::tags::Tag>,
) -> iam::UserDetail {
    iam::UserDetail {
        arn: Some(user.arn()),
        path: Some(user.path),
        user_name: Some(user.name),
        user_id: Some(user.user_id),
        create_date: Some(timestamp(user.created_at)),
        user_policy_list: (!p.inline.is_empty()).then(|| inline_shape(p.inline)),
        group_list: Some(groups),
        attached_managed_policies: Some(attached_shape(p.attached)),
        permissions_boundary: boundary_shape(user.permissions_boundary),
        tags: Some(tagging::to_wire(tags)),
    }
}

fn group_detail(group: crate::store::groups::GroupRow, p: HeldPolicies) -> iam::GroupDetail {
    iam::GroupDetail {
        arn: Some(group.arn()),
        path: Some(group.path),
        group_name: Some(group.name),
        group_id: Some(group.group_id),
        create_date: Some(timestamp(group.created_at)),
        group_policy_list: Some(inline_shape(p.inline)),
        attached_managed_policies: Some(attached_shape(p.attached)),
    }
}

fn role_detail(
    role: crate::store::roles::RoleRow,
    p: HeldPolicies,
    profiles: Vec<crate::domain::instance_profiles::Described>,
    tags: Vec<crate::store::tags::Tag>,
) -> iam::RoleDetail {
    // Profiles inside the account view carry no tags, as in the listings.
    let instance_profile_list = profiles.into_iter().map(|d| profile_shape(d, None)).collect();
    iam::RoleDetail {
        arn: Some(role.arn()),
        assume_role_policy_document: Some(encode_document(&role.trust_policy)),
        instance_profile_list: Some(instance_profile_list),
        role_policy_list: Some(inline_shape(p.inline)),
        attached_managed_policies: Some(attached_shape(p.attached)),
        permissions_boundary: boundary_shape(role.permissions_boundary),
        tags: Some(tagging::to_wire(tags)),
        role_last_used: Some(iam::RoleLastUsed {
            last_used_date: role.last_used_at.map(timestamp),
            region: role.last_used_region,
        }),
        create_date: Some(timestamp(role.created_at)),
        path: Some(role.path),
        role_name: Some(role.name),
        role_id: Some(role.role_id),
    }
}

fn policy_detail(d: policies::Described, versions: Vec<policies::Version>) -> iam::ManagedPolicyDetail {
    let p = crate::api::iam::managed_policies::policy_shape(d);
    iam::ManagedPolicyDetail {
        policy_name: p.policy_name,
        policy_id: p.policy_id,
        arn: p.arn,
        path: p.path,
        default_version_id: p.default_version_id,
        attachment_count: p.attachment_count,
        permissions_boundary_usage_count: p.permissions_boundary_usage_count,
        is_attachable: p.is_attachable,
        description: p.description,
        create_date: p.create_date,
        update_date: p.update_date,
        policy_version_list: Some(versions.into_iter().map(|v| version_shape(v, true)).collect()),
    }
}

impl AccountApi for Gatehouse {
    // AWS Organizations: no account here is in an organization (domain::not_offered_here).
    async fn list_organizations_features(
        &self,
        ctx: &Ctx,
        _input: iam::ListOrganizationsFeaturesRequest,
    ) -> Result<iam::ListOrganizationsFeaturesResponse, AwsError> {
        Err(not_offered_here::organizations(ctx))
    }

    async fn enable_organizations_root_sessions(
        &self,
        ctx: &Ctx,
        _input: iam::EnableOrganizationsRootSessionsRequest,
    ) -> Result<iam::EnableOrganizationsRootSessionsResponse, AwsError> {
        Err(not_offered_here::organizations(ctx))
    }

    async fn disable_organizations_root_sessions(
        &self,
        ctx: &Ctx,
        _input: iam::DisableOrganizationsRootSessionsRequest,
    ) -> Result<iam::DisableOrganizationsRootSessionsResponse, AwsError> {
        Err(not_offered_here::organizations(ctx))
    }

    async fn enable_organizations_root_credentials_management(
        &self,
        ctx: &Ctx,
        _input: iam::EnableOrganizationsRootCredentialsManagementRequest,
    ) -> Result<iam::EnableOrganizationsRootCredentialsManagementResponse, AwsError> {
        Err(not_offered_here::organizations(ctx))
    }

    async fn disable_organizations_root_credentials_management(
        &self,
        ctx: &Ctx,
        _input: iam::DisableOrganizationsRootCredentialsManagementRequest,
    ) -> Result<iam::DisableOrganizationsRootCredentialsManagementResponse, AwsError> {
        Err(not_offered_here::organizations(ctx))
    }

    async fn get_account_properties(
        &self,
        ctx: &Ctx,
        _input: iam::GetAccountPropertiesRequest,
    ) -> Result<iam::GetAccountPropertiesResponse, AwsError> {
        Ok(iam::GetAccountPropertiesResponse { properties: Some(not_offered_here::account_properties(ctx)?) })
    }

    async fn put_account_properties(
        &self,
        ctx: &Ctx,
        input: iam::PutAccountPropertiesRequest,
    ) -> Result<iam::PutAccountPropertiesResponse, AwsError> {
        not_offered_here::put_account_properties(ctx, &input.properties)?;
        Ok(iam::PutAccountPropertiesResponse {})
    }

    async fn create_account_alias(&self, ctx: &Ctx, input: iam::CreateAccountAliasRequest) -> Result<(), AwsError> {
        account_aliases::create(ctx, &input.account_alias).await
    }

    async fn delete_account_alias(&self, ctx: &Ctx, input: iam::DeleteAccountAliasRequest) -> Result<(), AwsError> {
        account_aliases::delete(ctx, &input.account_alias).await
    }

    async fn list_account_aliases(
        &self,
        ctx: &Ctx,
        _input: iam::ListAccountAliasesRequest,
    ) -> Result<iam::ListAccountAliasesResponse, AwsError> {
        // One alias at most: never more than a page.
        let aliases = account_aliases::list(ctx).await?;
        Ok(iam::ListAccountAliasesResponse { account_aliases: aliases, is_truncated: Some(false), marker: None })
    }

    async fn set_security_token_service_preferences(
        &self,
        ctx: &Ctx,
        input: iam::SetSecurityTokenServicePreferencesRequest,
    ) -> Result<(), AwsError> {
        account::set_sts_preferences(ctx, input.global_endpoint_token_version.as_str()).await
    }

    async fn generate_credential_report(&self, ctx: &Ctx) -> Result<iam::GenerateCredentialReportResponse, AwsError> {
        let (state, description) = credential_report::generate(ctx).await?;
        Ok(iam::GenerateCredentialReportResponse { state: Some(state), description: Some(description.to_string()) })
    }

    async fn get_credential_report(&self, ctx: &Ctx) -> Result<iam::GetCredentialReportResponse, AwsError> {
        let (csv, at) = credential_report::get(ctx).await?;
        Ok(iam::GetCredentialReportResponse {
            content: Some(csv),
            report_format: Some(iam::ReportFormatType::TextCsv),
            generated_time: Some(timestamp(at)),
        })
    }

    async fn get_account_authorization_details(
        &self,
        ctx: &Ctx,
        input: iam::GetAccountAuthorizationDetailsRequest,
    ) -> Result<iam::GetAccountAuthorizationDetailsResponse, AwsError> {
        let filter: Vec<DetailKind> = input
            .filter
            .unwrap_or_default()
            .into_iter()
            .map(|f| match f {
                iam::EntityType::User => DetailKind::User,
                iam::EntityType::Group => DetailKind::Group,
                iam::EntityType::Role => DetailKind::Role,
                iam::EntityType::LocalManagedPolicy => DetailKind::LocalPolicy,
                iam::EntityType::AWSManagedPolicy => DetailKind::AwsPolicy,
            })
            .collect();
        let page = account::authorization_details(ctx, &filter, input.marker.as_deref(), input.max_items).await?;
        let is_truncated = page.is_truncated();
        let (mut users, mut groups, mut roles, mut managed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for d in page.items {
            match d {
                Detail::User { user, groups: g, policies, tags } => users.push(user_detail(user, g, policies, tags)),
                Detail::Group { group, policies } => groups.push(group_detail(group, policies)),
                Detail::Role { role, policies, profiles, tags } => {
                    roles.push(role_detail(role, policies, profiles, tags))
                }
                Detail::Policy { policy, versions } => managed.push(policy_detail(policy, versions)),
            }
        }
        Ok(iam::GetAccountAuthorizationDetailsResponse {
            user_detail_list: Some(users),
            group_detail_list: Some(groups),
            role_detail_list: Some(roles),
            policies: Some(managed),
            is_truncated: Some(is_truncated),
            marker: page.next_marker,
        })
    }

    async fn get_account_summary(&self, ctx: &Ctx) -> Result<iam::GetAccountSummaryResponse, AwsError> {
        let c = account::summary(ctx).await?;
        let quotas = &ctx.state.quotas;
        // The root user has no console password, MFA device or signing certificate here (AccountPasswordPresent,
        // AccountMFAEnabled and AccountSigningCertificatesPresent 0: AWS sets them up in its console, which
        // Gatehouse does not have).
        let map = BTreeMap::from([
            (K::Users, n(c.users)),
            (K::UsersQuota, q(quotas.users)),
            (K::Groups, n(c.groups)),
            (K::GroupsQuota, q(quotas.groups)),
            (K::ServerCertificates, n(c.server_certificates)),
            (K::ServerCertificatesQuota, q(quotas.server_certificates)),
            (K::UserPolicySizeQuota, q(quotas.user_policy_size)),
            (K::GroupPolicySizeQuota, q(quotas.group_policy_size)),
            (K::GroupsPerUserQuota, q(quotas.groups_per_user)),
            (K::SigningCertificatesPerUserQuota, q(quotas.signing_certificates_per_user)),
            (K::AccessKeysPerUserQuota, q(quotas.access_keys_per_user)),
            (K::GlobalEndpointTokenVersion, if c.token_version.as_deref() == Some("v2Token") { 2 } else { 1 }),
            (K::MFADevices, n(c.mfa_devices)),
            (K::MFADevicesInUse, n(c.mfa_devices_in_use)),
            (K::AccountMFAEnabled, 0),
            (K::AccountAccessKeysPresent, i32::from(c.root_keys > 0)),
            (K::AccountPasswordPresent, 0),
            (K::AccountSigningCertificatesPresent, 0),
            (K::AttachedPoliciesPerGroupQuota, q(quotas.attached_policies_per_group)),
            (K::AttachedPoliciesPerRoleQuota, q(quotas.attached_policies_per_role)),
            (K::AttachedPoliciesPerUserQuota, q(quotas.attached_policies_per_user)),
            (K::Policies, n(c.policies)),
            (K::PoliciesQuota, q(quotas.policies)),
            (K::PolicySizeQuota, q(quotas.policy_size)),
            (K::PolicyVersionsInUse, n(c.attachments)),
            (K::PolicyVersionsInUseQuota, q(quotas.policy_versions_in_use)),
            (K::VersionsPerPolicyQuota, q(quotas.versions_per_policy)),
            (K::AssumeRolePolicySizeQuota, q(quotas.assume_role_policy_size)),
            (K::InstanceProfiles, n(c.instance_profiles)),
            (K::InstanceProfilesQuota, q(quotas.instance_profiles)),
            (K::Providers, n(c.providers)),
            (K::RolePolicySizeQuota, q(quotas.role_policy_size)),
            (K::Roles, n(c.roles)),
            (K::RolesQuota, q(quotas.roles)),
        ]);
        Ok(iam::GetAccountSummaryResponse { summary_map: Some(map) })
    }
}
