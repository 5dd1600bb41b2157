//! The account family: GetAccountSummary (the other account operations arrive with their issues).

use std::collections::BTreeMap;

use gatehouse_wire::iam::{self, SummaryKeyType as K};
use gatehouse_wire::AwsError;

use crate::api::generated::iam::AccountApi;
use crate::api::{Ctx, Gatehouse};
use crate::domain::account;

fn n(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn q(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl AccountApi for Gatehouse {
    async fn get_account_summary(&self, ctx: &Ctx) -> Result<iam::GetAccountSummaryResponse, AwsError> {
        let c = account::summary(ctx).await?;
        let quotas = &ctx.state.quotas;
        // MFA devices, identity providers and server certificates arrive with later issues: none can exist yet, so
        // zero is the true count. The root user has no console password here (AccountPasswordPresent 0).
        let map = BTreeMap::from([
            (K::Users, n(c.users)),
            (K::UsersQuota, q(quotas.users)),
            (K::Groups, n(c.groups)),
            (K::GroupsQuota, q(quotas.groups)),
            (K::ServerCertificates, 0),
            (K::ServerCertificatesQuota, q(quotas.server_certificates)),
            (K::UserPolicySizeQuota, q(quotas.user_policy_size)),
            (K::GroupPolicySizeQuota, q(quotas.group_policy_size)),
            (K::GroupsPerUserQuota, q(quotas.groups_per_user)),
            (K::SigningCertificatesPerUserQuota, q(quotas.signing_certificates_per_user)),
            (K::AccessKeysPerUserQuota, q(quotas.access_keys_per_user)),
            (K::MFADevices, 0),
            (K::MFADevicesInUse, 0),
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
            (K::GlobalEndpointTokenVersion, 1),
            (K::AssumeRolePolicySizeQuota, q(quotas.assume_role_policy_size)),
            (K::InstanceProfiles, n(c.instance_profiles)),
            (K::InstanceProfilesQuota, q(quotas.instance_profiles)),
            (K::Providers, 0),
            (K::RolePolicySizeQuota, q(quotas.role_policy_size)),
            (K::Roles, n(c.roles)),
            (K::RolesQuota, q(quotas.roles)),
        ]);
        Ok(iam::GetAccountSummaryResponse { summary_map: Some(map) })
    }
}
