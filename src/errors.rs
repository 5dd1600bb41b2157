//! Every AWS error the server's own logic raises, with AWS's exact words (see shared/reference/aws-errors.md).
//! Codes and statuses come from the generated error table; this module only supplies the messages, so a
//! message is written once and found in one place.

use gatehouse_wire::iam::errors as iam;
use gatehouse_wire::AwsError;

use crate::store::StoreError;

pub fn no_such_user(name: &str) -> AwsError {
    iam::no_such_entity(format!("The user with name {name} cannot be found."))
}

pub fn user_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("User with name {name} already exists."))
}

pub fn no_such_group(name: &str) -> AwsError {
    iam::no_such_entity(format!("The group with name {name} cannot be found."))
}

pub fn group_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("Group with name {name} already exists."))
}

pub fn no_such_role(name: &str) -> AwsError {
    iam::no_such_entity(format!("The role with name {name} cannot be found."))
}

pub fn role_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("Role with name {name} already exists."))
}

pub fn no_such_instance_profile(name: &str) -> AwsError {
    iam::no_such_entity(format!("Instance Profile {name} cannot be found."))
}

pub fn instance_profile_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("Instance Profile {name} already exists."))
}

pub fn role_not_in_instance_profile(role: &str, profile: &str) -> AwsError {
    iam::no_such_entity(format!("Role {role} in Instance Profile {profile} cannot be found."))
}

/// Only reachable when RolesPerInstanceProfile is raised above AWS's 1 (at 1 the quota answers first). AWS's
/// words are unrecorded; ours follow its EntityAlreadyExists messages.
pub fn role_already_in_instance_profile(role: &str, profile: &str) -> AwsError {
    iam::entity_already_exists(format!("Role {role} is already in Instance Profile {profile}."))
}

/// A trust-policy principal that AWS would not accept (or one that does not exist): `Invalid principal in policy:
/// "AWS":"arn:aws:iam::123456789012:role/nobody"`.
pub fn invalid_principal(key: &str, value: &str) -> AwsError {
    iam::malformed_policy_document(format!("Invalid principal in policy: \"{key}\":\"{value}\""))
}

/// A trust policy over AssumeRolePolicySizePerRole: AWS names the quota `ACLSizePerRole`.
pub fn trust_policy_too_large(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("ACLSizePerRole", limit)
}

pub fn roles_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("RolesPerAccount", limit)
}

pub fn instance_profiles_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("InstanceProfilesPerAccount", limit)
}

pub fn roles_per_instance_profile_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("InstanceSessionsPerInstanceProfile", limit)
}

pub fn no_such_access_key(id: &str) -> AwsError {
    iam::no_such_entity(format!("The Access Key with id {id} cannot be found."))
}

pub fn access_key_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("AccessKeysPerUser", limit)
}

/// AWS's words for a count quota: `Cannot exceed quota for GroupsPerUser: 10`.
pub fn quota_exceeded(name: &str, limit: impl std::fmt::Display) -> AwsError {
    iam::limit_exceeded(format!("Cannot exceed quota for {name}: {limit}"))
}

pub fn delete_conflict(what_first: &str) -> AwsError {
    iam::delete_conflict(format!("Cannot delete entity, must {what_first} first."))
}

/// A service-linked role: AWS's words when anyone but its service tries to change it.
pub fn protected_role(name: &str) -> AwsError {
    iam::unmodifiable_entity(format!(
        "Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"
    ))
}

pub fn tag_limit() -> AwsError {
    iam::limit_exceeded("The number of tags has reached the maximum limit.")
}

pub fn duplicate_tag_keys() -> AwsError {
    iam::invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

pub fn invalid_marker() -> AwsError {
    gatehouse_wire::AwsError::validation_error("Invalid Marker.")
}

pub fn must_specify_user_name() -> AwsError {
    gatehouse_wire::AwsError::validation_error("Must specify userName when calling with non-User credentials")
}

pub fn invalid_arn(arn: &str) -> AwsError {
    iam::invalid_input(format!("ARN {arn} is not valid."))
}

pub fn boundary_not_attachable(arn: &str) -> AwsError {
    iam::no_such_entity(format!("Scope ARN: {arn} does not exist or is not attachable."))
}

// Managed policies.

/// A PolicyArn that is not an ARN at all (IAM now answers ValidationError; it once said `Invalid ARN:  Could not
/// be parsed!`).
pub fn policy_arn_not_valid(arn: &str) -> AwsError {
    AwsError::validation_error(format!("ARN {arn} is not valid."))
}

pub fn policy_not_found(arn: &str) -> AwsError {
    iam::no_such_entity(format!("Policy {arn} was not found."))
}

pub fn policy_not_attachable(arn: &str) -> AwsError {
    iam::no_such_entity(format!("Policy {arn} does not exist or is not attachable."))
}

pub fn policy_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("A policy called {name} already exists. Duplicate names are not allowed."))
}

/// AWS managed policies cannot be changed: `Cannot delete policies outside your own account.` and the like
/// (`what` is `delete policies`, `update policies`, ...).
pub fn aws_policy_unmodifiable(what: &str) -> AwsError {
    AwsError::access_denied(format!("Cannot {what} outside your own account."))
}

pub fn policy_attached() -> AwsError {
    iam::delete_conflict("Cannot delete a policy attached to entities.")
}

/// Unrecorded in aws-errors.md; AWS's wording as its API answers it (DeletePolicy with non-default versions).
pub fn policy_has_versions() -> AwsError {
    iam::delete_conflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    )
}

pub fn policy_version_limit(limit: u32) -> AwsError {
    iam::limit_exceeded(format!(
        "A managed policy can have up to {limit} versions. Before you create a new version, you must delete an existing version."
    ))
}

pub fn policy_version_not_found(arn: &str, version_id: &str) -> AwsError {
    iam::no_such_entity(format!("Policy {arn} version {version_id} does not exist or is not attachable."))
}

pub fn delete_default_version() -> AwsError {
    iam::delete_conflict("Cannot delete the default version of a policy.")
}

/// Policies' tag operations word a duplicate key without the note that users' and roles' carry.
pub fn duplicate_policy_tag_keys() -> AwsError {
    iam::invalid_input("Duplicate tag keys found.")
}

/// The `/aws-service-role/` policies are for service-linked roles only.
pub fn service_role_policy_not_attachable() -> AwsError {
    iam::policy_not_attachable("Cannot attach a Service Role Policy to a Customer Role.")
}

// Inline policies (`kind` is user, group or role).

pub fn inline_policy_not_found(kind: &str, name: &str) -> AwsError {
    iam::no_such_entity(format!("The {kind} policy with name {name} cannot be found."))
}

pub fn inline_policy_size(limit: u32, kind: &str, entity: &str) -> AwsError {
    iam::limit_exceeded(format!("Maximum policy size of {limit} bytes exceeded for {kind} {entity}"))
}

// Service-linked roles.

pub fn custom_suffix_not_allowed(service: &str) -> AwsError {
    iam::invalid_input(format!("Custom suffix is not allowed for {service}"))
}

pub fn service_role_name_taken(name: &str) -> AwsError {
    iam::invalid_input(format!(
        "Service role name {name} has been taken in this account, please try a different suffix."
    ))
}

/// Not a service principal (`NAME.amazonaws.com`). AWS's words are unrecorded; ours.
pub fn unknown_service(service: &str) -> AwsError {
    iam::invalid_input(format!("Service principal {service} is not valid."))
}

/// DeleteServiceLinkedRole on an ordinary role. AWS's words are unrecorded; ours.
pub fn not_service_linked(name: &str) -> AwsError {
    iam::invalid_input(format!("Role {name} is not a service-linked role."))
}

/// A deletion task this account never started. AWS's words are unrecorded; ours.
pub fn no_such_deletion_task(id: &str) -> AwsError {
    iam::no_such_entity(format!("The deletion task with id {id} cannot be found."))
}

// The policy simulator's input errors. AWS documents when it answers InvalidInput here but its wording is
// not recorded; these messages are ours.

pub fn one_permissions_boundary() -> AwsError {
    iam::invalid_input("Only one permissions boundary policy can be included in a simulation.")
}

pub fn caller_arn_required() -> AwsError {
    iam::invalid_input("CallerArn is required when a ResourcePolicy is included in the simulation.")
}

pub fn one_policy_identifier() -> AwsError {
    iam::invalid_input(
        "Each PolicyExclusionList entry must specify exactly one of PolicyType, PolicyArn or InlinePolicyIdentifier.",
    )
}

/// A stored policy the simulator cannot evaluate (missing, or written by an older release with other rules):
/// answering without it could show an allow where it denies.
pub fn unusable_stored_policy(policy: &str, why: &str) -> AwsError {
    tracing::error!(policy, why, "a stored policy cannot be simulated");
    iam::service_failure("Service failure.")
}

pub fn invalid_simulation_action(action: &str) -> AwsError {
    iam::invalid_input(format!(
        "Action {action} is not valid: name one operation as service:Operation, without wildcards."
    ))
}

pub fn invalid_handling_option(option: &str) -> AwsError {
    iam::invalid_input(format!("ResourceHandlingOption {option} is not valid."))
}

pub fn handling_option_resources(option: &str, missing: &[&str]) -> AwsError {
    iam::invalid_input(format!(
        "ResourceHandlingOption {option} requires resources of these types: {}.",
        missing.join(", ")
    ))
}

pub fn context_key_name_required() -> AwsError {
    iam::invalid_input("ContextKeyName is required in every context entry.")
}

pub fn context_key_type_required(name: &str) -> AwsError {
    iam::invalid_input(format!("ContextKeyType is required for context key {name}."))
}

pub fn invalid_context_value(name: &str, value: &str, ty: &str) -> AwsError {
    iam::invalid_input(format!("Context key {name} has a value {value} that is not a valid {ty}."))
}

// Identity providers. Recorded: the OIDC URL, duplicate, thumbprint-count and client-id quota answers, and the
// not-found answers of GetOpenIDConnectProvider, DeleteOpenIDConnectProvider, GetSAMLProvider and
// DeleteSAMLProvider. The rest are ours (the README lists them).

/// Recorded (ValidationError, not InvalidInput) for a Url that is not `https://HOST[:PORT][/PATH]`.
pub fn invalid_oidc_url() -> AwsError {
    AwsError::validation_error("Invalid Open ID Connect Provider URL")
}

/// `url` with its `https://`, as recorded.
pub fn oidc_provider_exists(url: &str) -> AwsError {
    iam::entity_already_exists(format!("Provider with url {url} already exists."))
}

/// Recorded for GetOpenIDConnectProvider; the other operations on one provider answer the same here.
pub fn no_such_oidc_provider(arn: &str) -> AwsError {
    iam::no_such_entity(format!("OpenIDConnect Provider not found for arn {arn}"))
}

/// Recorded for DeleteOpenIDConnectProvider (whose documentation still calls it idempotent; AWS answers this).
pub fn oidc_provider_not_found_for_delete(arn: &str) -> AwsError {
    iam::no_such_entity(format!("OpenId connect Provider {arn} cannot be found."))
}

/// Recorded for a list of six (AWS allows five, whatever the words say).
pub fn too_many_thumbprints() -> AwsError {
    iam::invalid_input("Thumbprint list must contain fewer than 5 entries.")
}

/// A thumbprint of the right length that is not hexadecimal. Ours.
pub fn invalid_thumbprint(thumbprint: &str) -> AwsError {
    iam::invalid_input(format!("Thumbprint {thumbprint} is not a hex-encoded SHA-1 hash (40 hexadecimal digits)."))
}

/// Our name for the account quota, after the recorded `ClientIdsPerOpenIdConnectProvider`.
pub fn oidc_providers_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("OpenIdConnectProvidersPerAccount", limit)
}

/// Recorded.
pub fn client_ids_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("ClientIdsPerOpenIdConnectProvider", limit)
}

/// Recorded for GetSAMLProvider and DeleteSAMLProvider; the other operations on one provider answer the same.
pub fn no_such_saml_provider(arn: &str) -> AwsError {
    iam::no_such_entity(format!("Manifest not found for arn {arn}"))
}

/// Ours, after the recorded OIDC wording.
pub fn saml_provider_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("Provider with name {name} already exists."))
}

/// Ours, after the other account quotas.
pub fn saml_providers_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("SAMLProvidersPerAccount", limit)
}

/// Metadata that is not SAML 2.0 IdP metadata with a usable signing certificate. Ours; `why` says what is wrong.
pub fn invalid_saml_metadata(why: impl std::fmt::Display) -> AwsError {
    iam::invalid_input(format!("Could not parse metadata: {why}"))
}

/// AddPrivateKey that is not one PEM-encoded private key. Ours.
pub fn invalid_saml_private_key() -> AwsError {
    iam::invalid_input("AddPrivateKey must be a PEM-encoded RSA private key.")
}

/// A third private key (AWS keeps two per provider, so that one can be rotated). Ours.
pub fn saml_private_keys_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("PrivateKeysPerSAMLProvider", limit)
}

/// RemovePrivateKey naming a key the provider does not have. Ours.
pub fn no_such_saml_private_key(key_id: &str) -> AwsError {
    iam::no_such_entity(format!("The private key with id {key_id} cannot be found."))
}

/// AssertionEncryptionMode Required with no private key to decrypt with (on create, on update, or by removing the
/// last key). Ours.
pub fn encryption_needs_private_key() -> AwsError {
    iam::invalid_input("AssertionEncryptionMode Required needs at least one private key.")
}

/// CreateVirtualMFADevice with a name the account has (recorded).
pub fn mfa_device_exists() -> AwsError {
    iam::entity_already_exists("MFA device already exists.")
}

/// EnableMFADevice of a device another user holds (recorded).
pub fn mfa_device_in_use() -> AwsError {
    iam::entity_already_exists("MFA Device is already in use.")
}

/// A serial number that names no device here, or none the user holds (recorded for Deactivate and Delete).
pub fn no_such_mfa_device(serial: &str) -> AwsError {
    iam::no_such_entity(format!("MFA Device with serial number {serial} does not exist."))
}

/// Codes that are not two consecutive codes of the device (AWS's words as reported by users).
pub fn invalid_authentication_code() -> AwsError {
    iam::invalid_authentication_code("Authentication code for device is not valid.")
}

/// DeleteVirtualMFADevice of a device a user still holds. Ours (AWS's are unrecorded).
pub fn mfa_device_still_assigned() -> AwsError {
    iam::delete_conflict("MFA Device is still in use. Deactivate it first.")
}

/// A store failure that the domain did not anticipate. Constraint violations that the domain checks first
/// (names taken, rows still referenced) reach here only through a race, and still get AWS's code.
/// GetLoginProfile, DeleteLoginProfile, UpdateLoginProfile and ChangePassword for a user without one (recorded,
/// capital "User").
pub fn no_such_login_profile(user: &str) -> AwsError {
    iam::no_such_entity(format!("Login Profile for User {user} cannot be found."))
}

/// CreateLoginProfile for a user that has one (recorded, lowercase "user").
pub fn login_profile_exists(user: &str) -> AwsError {
    iam::entity_already_exists(format!("Login Profile for user {user} already exists."))
}

/// CreateLoginProfile without a Password. The API reference: the password "must be omitted when you make the
/// request with an AssumeRoot session. It is required in all other cases"; Gatehouse issues no AssumeRoot
/// sessions, so it is always required, in the model's words for a missing member.
pub fn password_required() -> AwsError {
    gatehouse_wire::AwsError::validation_error(
        "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null",
    )
}

/// A new password that the account's password policy (or AWS's default one) refuses, or one of the user's
/// recent passwords under PasswordReusePrevention. The words are those AWS is reported to answer with
/// (aws-errors.md has no recording); AWS does not say which requirement failed, and neither does Gatehouse.
pub fn password_policy_violation() -> AwsError {
    iam::password_policy_violation("Password does not conform to the account password policy.")
}

/// ChangePassword with HardExpiry set and the caller's password expired: "The IAM user cannot access the console
/// until an administrator resets the password" (API reference, HardExpiry). AWS's words are unrecorded.
pub fn password_expired_hard() -> AwsError {
    iam::password_policy_violation(
        "The password has expired and the account password policy requires an administrator to reset it.",
    )
}

/// ChangePassword by a caller that is not an IAM user (the root user, a role session, a federated user). AWS's
/// words are unrecorded.
pub fn only_users_change_passwords() -> AwsError {
    iam::invalid_user_type("Only IAM users can change their own password.")
}

/// ChangePassword with a wrong OldPassword. AWS's answer is unrecorded; like STS's refusal of a wrong MFA code,
/// a wrong credential is an AccessDenied.
pub fn wrong_old_password() -> AwsError {
    gatehouse_wire::AwsError::access_denied("The old password is incorrect.")
}

/// GetAccountPasswordPolicy in an account without one (recorded).
pub fn no_password_policy(account_id: &str) -> AwsError {
    iam::no_such_entity(format!("The Password Policy with domain name {account_id} cannot be found."))
}

/// DeleteAccountPasswordPolicy in an account without one (recorded).
pub fn no_password_policy_to_delete() -> AwsError {
    iam::no_such_entity("The account policy with name PasswordPolicy cannot be found.")
}

pub fn store(e: StoreError) -> AwsError {
    match e {
        StoreError::Conflict => {
            iam::concurrent_modification("The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.")
        }
        StoreError::StillReferenced => iam::delete_conflict("Cannot delete entity, must remove referenced objects first."),
        StoreError::Database(e) => {
            tracing::error!(error = %e, "store failure");
            iam::service_failure("Service failure.")
        }
    }
}

impl From<StoreError> for AwsError {
    fn from(e: StoreError) -> Self {
        store(e)
    }
}

// SSH public keys, signing certificates, service-specific credentials and server certificates (issue 15). The
// not-found, malformed-certificate, quota and unsupported-service answers are recorded; the rest are unrecorded,
// and their words are the model's descriptions of the errors (the README lists them).

/// Recorded.
pub fn no_such_ssh_public_key(id: &str) -> AwsError {
    iam::no_such_entity(format!("The Public Key with id {id} cannot be found."))
}

pub fn duplicate_ssh_public_key() -> AwsError {
    iam::duplicate_ssh_public_key("The SSH public key is already associated with the specified IAM user.")
}

pub fn invalid_ssh_public_key() -> AwsError {
    iam::invalid_public_key("The public key is malformed or otherwise invalid.")
}

pub fn unrecognized_ssh_public_key_encoding() -> AwsError {
    iam::unrecognized_public_key_encoding("The public key encoding format is unsupported or unrecognized.")
}

/// AWS's quota name is unrecorded; ours follows the recorded `CertificatesPerUser`.
pub fn ssh_public_keys_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("SSHPublicKeysPerUser", limit)
}

/// Recorded: AWS echoes the body.
pub fn malformed_certificate(body: &str) -> AwsError {
    iam::malformed_certificate(format!("Certificate {body} is malformed."))
}

/// Recorded (the quota is named CertificatesPerUser).
pub fn signing_certificates_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("CertificatesPerUser", limit)
}

/// Recorded.
pub fn no_such_certificate(id: &str) -> AwsError {
    iam::no_such_entity(format!("The Certificate with id {id} cannot be found."))
}

pub fn duplicate_certificate() -> AwsError {
    iam::duplicate_certificate("The same certificate is already associated with an IAM user in the account.")
}

pub fn expired_certificate() -> AwsError {
    iam::invalid_certificate("The certificate is expired.")
}

pub fn certificate_not_yet_valid() -> AwsError {
    iam::invalid_certificate("The certificate is not yet valid.")
}

/// UpdateSigningCertificate, UpdateSSHPublicKey and UpdateServiceSpecificCredential take Active or Inactive only
/// (the model's StatusType also names Expired, which only a credential's age sets).
pub fn status_not_settable() -> AwsError {
    AwsError::validation_error(
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
    )
}

/// Recorded (NoSuchEntity, not the model's NotSupportedService).
pub fn unsupported_credential_service(service: &str) -> AwsError {
    iam::no_such_entity(format!("No such service {service} is supported for Service Specific Credentials"))
}

/// Recorded.
pub fn no_such_service_credential(id: &str) -> AwsError {
    iam::no_such_entity(format!("No such credential {id} exists"))
}

/// Ours, after the other count quotas.
pub fn service_credentials_quota(limit: impl std::fmt::Display) -> AwsError {
    quota_exceeded("ServiceSpecificCredentialsPerUserPerService", limit)
}

/// CredentialAgeDays for a password service. The API reference: "This field is only valid for Bedrock and
/// CloudWatch Logs API keys"; AWS's answer is unrecorded, ours.
pub fn credential_age_for_api_keys_only() -> AwsError {
    AwsError::validation_error("CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.")
}

/// ListServiceSpecificCredentials with both AllUsers and UserName. The API reference: AllUsers "cannot be specified
/// together with UserName"; AWS's answer is unrecorded, ours.
pub fn all_users_with_user_name() -> AwsError {
    AwsError::validation_error("AllUsers cannot be specified together with UserName.")
}

/// Recorded.
pub fn no_such_server_certificate(name: &str) -> AwsError {
    iam::no_such_entity(format!("The Server Certificate with name {name} cannot be found."))
}

/// Recorded.
pub fn server_certificate_exists(name: &str) -> AwsError {
    iam::entity_already_exists(format!("The Server Certificate with name {name} already exists."))
}

/// A CertificateChain that is not PEM certificates. Ours (the chain is not echoed: it may be 2 MB).
pub fn malformed_certificate_chain() -> AwsError {
    iam::malformed_certificate("The certificate chain is malformed.")
}

/// A PrivateKey that is not an RSA or ECDSA private key in PEM. Ours; the key is never echoed.
pub fn malformed_private_key() -> AwsError {
    iam::malformed_certificate("The private key is malformed.")
}

/// Ours, from the model's description of KeyPairMismatch.
pub fn key_pair_mismatch() -> AwsError {
    iam::key_pair_mismatch("The public key certificate and the private key do not match.")
}
