//! The IAM operations, one module per resource family (the families are those of the generated traits in
//! `src/api/generated/iam.rs`, grouped by tools/families.py). Every family is written; an operation a family's
//! module leaves out would answer the generated `NotImplemented` after deciding the caller's authorisation.

mod access_activity;
mod access_keys;
mod account;
mod delegation;
mod groups;
mod inline_policies;
mod instance_profiles;
mod managed_policies;
mod mfa;
mod oidc_providers;
mod outbound_federation;
mod passwords;
mod permissions_boundaries;
mod policy_attachments;
mod roles;
mod saml_providers;
mod server_certificates;
mod service_credentials;
mod service_linked_roles;
mod signing_certificates;
mod simulation;
mod ssh_keys;
mod users;

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::store::keys::KeyStatus;

/// The status of an SSH key, signing certificate or service-specific credential as responses show it.
pub(crate) fn status_shape(s: KeyStatus) -> iam::StatusType {
    match s {
        KeyStatus::Active => iam::StatusType::Active,
        KeyStatus::Inactive => iam::StatusType::Inactive,
    }
}

/// The status an update may set: Active or Inactive (Expired is only ever a credential's age).
pub(crate) fn settable_status(s: iam::StatusType) -> Result<KeyStatus, AwsError> {
    match s {
        iam::StatusType::Active => Ok(KeyStatus::Active),
        iam::StatusType::Inactive => Ok(KeyStatus::Inactive),
        iam::StatusType::Expired => Err(crate::errors::status_not_settable()),
    }
}

/// A user's or role's permissions boundary as every response shows it.
pub(crate) fn boundary_shape(arn: Option<String>) -> Option<iam::AttachedPermissionsBoundary> {
    arn.map(|arn| iam::AttachedPermissionsBoundary {
        permissions_boundary_type: Some(iam::PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy),
        permissions_boundary_arn: Some(arn),
    })
}

/// Attached managed policies, (name, ARN) each, as the attachment listings and the account view show them.
pub(crate) fn attached_shape(attached: Vec<(String, String)>) -> Vec<iam::AttachedPolicy> {
    attached
        .into_iter()
        .map(|(name, arn)| iam::AttachedPolicy { policy_name: Some(name), policy_arn: Some(arn) })
        .collect()
}
