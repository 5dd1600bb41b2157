//! IAM's quotas, as AWS sets them by default and as GetAccountSummary names them (`[QUOTA]` reference_iam-quotas).
//! A deployment may change any of them with `GATEHOUSE_QUOTAS=GroupsPerUser=20,PolicySize=10240,...`, using the
//! names below (the summary's keys without `Quota`).

/// Every quota the server enforces, one value each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    pub users: u32,
    pub groups: u32,
    pub roles: u32,
    pub policies: u32,
    pub instance_profiles: u32,
    pub groups_per_user: u32,
    pub attached_policies_per_user: u32,
    pub attached_policies_per_group: u32,
    pub attached_policies_per_role: u32,
    pub versions_per_policy: u32,
    /// Characters of one managed policy document, whitespace not counted.
    pub policy_size: u32,
    /// Characters of all inline policies of one user (of one group, of one role), whitespace not counted.
    pub user_policy_size: u32,
    pub group_policy_size: u32,
    pub role_policy_size: u32,
    /// Characters of one role's trust policy, whitespace not counted.
    pub assume_role_policy_size: u32,
    pub access_keys_per_user: u32,
    pub roles_per_instance_profile: u32,
    /// Managed policies attached across the account's users, groups and roles.
    pub policy_versions_in_use: u32,
    pub server_certificates: u32,
    pub signing_certificates_per_user: u32,
    /// OpenID Connect providers of one account.
    pub oidc_providers: u32,
    /// Client ids (audiences) of one OIDC provider.
    pub client_ids_per_oidc_provider: u32,
    /// SAML providers of one account.
    pub saml_providers: u32,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            users: 5000,
            groups: 300,
            roles: 1000,
            policies: 1500,
            instance_profiles: 1000,
            groups_per_user: 10,
            attached_policies_per_user: 10,
            attached_policies_per_group: 10,
            attached_policies_per_role: 10,
            versions_per_policy: 5,
            policy_size: 6144,
            user_policy_size: 2048,
            group_policy_size: 5120,
            role_policy_size: 10240,
            assume_role_policy_size: 2048,
            access_keys_per_user: 2,
            roles_per_instance_profile: 1,
            policy_versions_in_use: 10000,
            server_certificates: 20,
            signing_certificates_per_user: 2,
            oidc_providers: 100,
            client_ids_per_oidc_provider: 100,
            saml_providers: 100,
        }
    }
}

impl Quotas {
    /// The quotas by name, with their values: as GetAccountSummary names them (`NameQuota`), and, for those it does
    /// not show, as the IAM quotas page does.
    pub fn named(&self) -> [(&'static str, u32); 23] {
        [
            ("Users", self.users),
            ("Groups", self.groups),
            ("Roles", self.roles),
            ("Policies", self.policies),
            ("InstanceProfiles", self.instance_profiles),
            ("GroupsPerUser", self.groups_per_user),
            ("AttachedPoliciesPerUser", self.attached_policies_per_user),
            ("AttachedPoliciesPerGroup", self.attached_policies_per_group),
            ("AttachedPoliciesPerRole", self.attached_policies_per_role),
            ("VersionsPerPolicy", self.versions_per_policy),
            ("PolicySize", self.policy_size),
            ("UserPolicySize", self.user_policy_size),
            ("GroupPolicySize", self.group_policy_size),
            ("RolePolicySize", self.role_policy_size),
            ("AssumeRolePolicySize", self.assume_role_policy_size),
            ("AccessKeysPerUser", self.access_keys_per_user),
            ("RolesPerInstanceProfile", self.roles_per_instance_profile),
            ("PolicyVersionsInUse", self.policy_versions_in_use),
            ("ServerCertificates", self.server_certificates),
            ("SigningCertificatesPerUser", self.signing_certificates_per_user),
            ("OpenIdConnectProviders", self.oidc_providers),
            ("ClientIdsPerOpenIdConnectProvider", self.client_ids_per_oidc_provider),
            ("SAMLProviders", self.saml_providers),
        ]
    }

    fn slot(&mut self, name: &str) -> Option<&mut u32> {
        Some(match name {
            "Users" => &mut self.users,
            "Groups" => &mut self.groups,
            "Roles" => &mut self.roles,
            "Policies" => &mut self.policies,
            "InstanceProfiles" => &mut self.instance_profiles,
            "GroupsPerUser" => &mut self.groups_per_user,
            "AttachedPoliciesPerUser" => &mut self.attached_policies_per_user,
            "AttachedPoliciesPerGroup" => &mut self.attached_policies_per_group,
            "AttachedPoliciesPerRole" => &mut self.attached_policies_per_role,
            "VersionsPerPolicy" => &mut self.versions_per_policy,
            "PolicySize" => &mut self.policy_size,
            "UserPolicySize" => &mut self.user_policy_size,
            "GroupPolicySize" => &mut self.group_policy_size,
            "RolePolicySize" => &mut self.role_policy_size,
            "AssumeRolePolicySize" => &mut self.assume_role_policy_size,
            "AccessKeysPerUser" => &mut self.access_keys_per_user,
            "RolesPerInstanceProfile" => &mut self.roles_per_instance_profile,
            "PolicyVersionsInUse" => &mut self.policy_versions_in_use,
            "ServerCertificates" => &mut self.server_certificates,
            "SigningCertificatesPerUser" => &mut self.signing_certificates_per_user,
            "OpenIdConnectProviders" => &mut self.oidc_providers,
            "ClientIdsPerOpenIdConnectProvider" => &mut self.client_ids_per_oidc_provider,
            "SAMLProviders" => &mut self.saml_providers,
            _ => return None,
        })
    }

    /// AWS's defaults changed by `Name=N,Name=N` (empty: the defaults). An unknown name or a value that is not a
    /// positive number refuses the start, naming it.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut q = Self::default();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = item.split_once('=').ok_or_else(|| format!("quota {item:?} is not NAME=VALUE"))?;
            let value: u32 = value
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| format!("quota {name}: {value:?} is not a positive number"))?;
            *q.slot(name.trim()).ok_or_else(|| format!("unknown quota {name:?}"))? = value;
        }
        Ok(q)
    }
}

/// Sizes as IAM counts them against quotas.
pub fn size(text: &str) -> u32 {
    u32::try_from(gatehouse_policy::policy_size(text)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_overrides_and_refuses_nonsense() {
        let q = Quotas::parse("GroupsPerUser=20, PolicySize=10240").unwrap();
        assert_eq!((q.groups_per_user, q.policy_size, q.roles), (20, 10240, 1000));
        assert_eq!(Quotas::parse("").unwrap(), Quotas::default());
        assert!(Quotas::parse("Bogus=1").unwrap_err().contains("Bogus"));
        assert!(Quotas::parse("Users=0").is_err());
        assert!(Quotas::parse("Users").is_err());
        for (name, value) in Quotas::default().named() {
            assert_eq!(Quotas::parse(&format!("{name}={value}")).unwrap(), Quotas::default(), "{name}");
        }
    }
}
