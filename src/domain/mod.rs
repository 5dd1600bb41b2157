//! The IAM entities' rules: what each operation checks, in AWS's order, and what it changes, in one
//! transaction. Operations take the request context, authorise against the entity's ARN, then act.

pub mod access_activity;
pub mod access_keys;
pub mod account;
pub mod assume_role;
pub mod attachments;
pub mod boundaries;
pub mod federated_trust;
pub mod groups;
pub mod holders;
pub mod inline_policies;
pub mod instance_profiles;
pub mod login_profiles;
pub mod named;
pub mod not_issued_here;
pub mod oidc_providers;
pub mod outbound_federation;
pub mod paging;
pub mod password_hashing;
pub mod password_policy;
pub mod policies;
pub mod roles;
pub mod saml_assertions;
pub mod saml_federation;
pub mod saml_metadata;
pub mod saml_providers;
pub mod self_service;
pub mod service_linked_roles;
pub mod sessions;
pub mod simulation;
pub mod tagging;
pub mod trust;
pub mod user_sessions;
pub mod users;
pub mod web_identity;
